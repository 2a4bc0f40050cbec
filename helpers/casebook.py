"""Several cases side by side: one relative time axis, response times, contradictions inside each
organisation, response strategies and the decision each organisation faced.

Everything here is computed case by case with the single-case analyses (``timeline``,
``claims``, ``coding``) and then put in one table, so a comparison never says more about a case
than its own lesson does. Times are measured from each case's trigger event
(``queries.trigger_event``), as ranges: an event's place on the relative axis is the gap from
the trigger to it, ``[shortest, longest]`` hours, which carries the uncertainty of both ends.

>>> cases = compared_cases("tests/cases/harbour-ferry-2023", ["tests/cases/harbour-ferry-2023"])
>>> [case.organisation for case in cases]
['Northsound Ferries']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .case import Case, list_cases, load_case, resolve_case
from .claims import contradictions
from .coding import check_scheme, load_strategies
from .errors import ParameterError, UnknownCaseError
from .queries import NO_PUBLIC_STATEMENT, first_press_statement, teaching_notes, teaching_text, trigger_event, unplaced_rivals
from .timeline import UNPLACED, order_label, response_times
from .times import gap

HOUR = pd.Timedelta(hours=1)
#: The columns of both latency tables (``response_latency`` adds whether a row is the first public response).
# fmt: off
LATENCY_COLUMNS = ("case", "trigger", "audience", "first statement", "gap", "shortest (h)", "longest (h)", "after the trigger?",
                   UNPLACED)
# fmt: on

#: The lanes of the relative timeline: which event kinds each holds, top to bottom.
# fmt: off
LANES = {
    "employees act": ("employee-activism",),
    "organisation decides": ("company-decision",),
    "organisation speaks": ("company-statement",),
    "others": ("agency-statement", "petition", "media-report", "contract", "context"),
}
# fmt: on


def compared_cases(case_id: str | Path, compare_with: Iterable[str | Path] = ()) -> list[Case]:
    """The case in focus first, then the cases it is compared with (empty: every other built-in case).

    A case named twice, or the case in focus named again, is compared once; to show the case in
    focus alone, give it as the only case to compare with.
    """
    others = list(compare_with)
    try:
        focus = resolve_case(case_id)
        chosen = [focus] + [resolve_case(c) for c in (others or [c for c in list_cases() if resolve_case(c) != focus])]
    except UnknownCaseError as exc:
        raise ParameterError(f"parameter 'compare_with': {exc}") from None
    unique = list(dict.fromkeys(path.resolve() for path in chosen))
    return [load_case(path) for path in unique]


def case_overview(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per case: its organisation, what triggered it, its first public word, and how much the data holds."""
    rows = []
    for case in cases:
        trigger, first = trigger_event(case), first_press_statement(case)
        said = (
            f"{first}: {case.statements.loc[first, 'speaker']}, {case.statements.loc[first, 'channel']}"
            if first is not None
            else NO_PUBLIC_STATEMENT
        )
        rows.append(
            {
                "case": case.case_id,
                "organisation": case.organisation,
                "trigger": case.events.loc[trigger, "title"],
                "first public response": said,
                "statements": len(case.statements),
                "of them official": int((case.statements["speaks_for"] == "organisation").sum()),
                "sources": len(case.sources),
                "reference coding": "yes" if len(case.coding) else "no",
            }
        )
    return pd.DataFrame(rows).set_index("case")


def _hours(delta: pd.Timedelta) -> float:
    return round(delta / HOUR, 1)


def relative_timeline(cases: Iterable[Case], window_hours: tuple[float, float] = (-48, 120)) -> pd.DataFrame:
    """Every placed event of each case as hours from its trigger, ``[shortest, longest]``, in a lane by kind.

    Only events whose range overlaps ``window_hours`` are kept; ``outside`` counts the rest per case.
    """
    rows = []
    for case in cases:
        trigger = trigger_event(case)
        anchor = case.interval(trigger, "events")
        for event_id, event in case.events[case.events["start"].notna()].iterrows():
            lane = next(name for name, kinds in LANES.items() if event["kind"] in kinds or name == "others")
            result = gap(anchor, case.interval(event_id, "events"))
            rows.append(
                {
                    "case": case.case_id,
                    "organisation": case.organisation,
                    "event": event_id,
                    "title": event["title"],
                    "kind": event["kind"],
                    "lane": lane,
                    "trigger": event_id == trigger,
                    "from (h)": _hours(result.shortest),
                    "to (h)": _hours(result.longest),
                    "basis": event["time_basis"],
                    "precision": event["time_precision"],
                }
            )
    table = pd.DataFrame(
        rows,
        columns=["case", "organisation", "event", "title", "kind", "lane", "trigger", "from (h)", "to (h)", "basis", "precision"],
    )
    low, high = window_hours
    inside = (table["to (h)"] >= low) & (table["from (h)"] <= high)
    table["shown"] = inside
    return table


def response_latency(cases: Iterable[Case]) -> pd.DataFrame:
    """For each case and audience: the organisation's first statement after the trigger, as a range of hours.

    The rows are ``timeline.response_times`` measured from each case's trigger; ``first public
    response`` marks the statement the case counts as its first word to the press or public.
    """
    rows = []
    for case in cases:
        trigger = trigger_event(case)
        first = first_press_statement(case)
        times = response_times(case, trigger)
        for audience, row in times.iterrows():
            result = gap(case.interval(trigger, "events"), case.interval(row["first statement"], "statements"))
            rows.append(
                {
                    "case": case.case_id,
                    "trigger": trigger,
                    "audience": audience,
                    "first statement": row["first statement"],
                    "gap": row["gap"],
                    "shortest (h)": row["shortest (h)"],
                    "longest (h)": row["longest (h)"],
                    "after the trigger?": order_label(result),
                    UNPLACED: row[UNPLACED],
                    "first public response": "yes" if first is not None and row["first statement"] == first else "",
                }
            )
    return pd.DataFrame(rows, columns=[*LATENCY_COLUMNS, "first public response"]).set_index("case")


def first_public_latency(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per case: the range of hours from the trigger to the organisation's first statement to the press or public.

    A case whose organisation made no such statement keeps its row, with no hours and the
    ``gap`` saying so: the public's wait there has no end the sources record. Unless case.toml
    marks the first response, statements the data cannot place that may have come first are
    named (``timeline.UNPLACED``).
    """
    rows = []
    for case in cases:
        trigger, first = trigger_event(case), first_press_statement(case)
        row = {
            "case": case.case_id,
            "trigger": trigger,
            "audience": "",
            "first statement": "",
            "gap": NO_PUBLIC_STATEMENT,
            "shortest (h)": float("nan"),
            "longest (h)": float("nan"),
            "after the trigger?": "",
            UNPLACED: "",
        }
        if first is not None:
            result = gap(case.interval(trigger, "events"), case.interval(first, "statements"))
            row.update(
                {
                    "audience": case.statements.loc[first, "audience"],
                    "first statement": first,
                    "gap": str(result),
                    "shortest (h)": round(result.shortest / HOUR, 2),
                    "longest (h)": round(result.longest / HOUR, 2),
                    "after the trigger?": order_label(result),
                    UNPLACED: "" if case.first_response else ", ".join(unplaced_rivals(case, first, ("press", "public"))),
                }
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(LATENCY_COLUMNS)).set_index("case")


def inside_contradictions(cases: Iterable[Case], include_implied: bool = True) -> pd.DataFrame:
    """For each case: contradicting pairs in which both sides speak for the organisation, by kind."""
    rows = []
    for case in cases:
        pairs = contradictions(case, include_implied=include_implied, organisation_only=True)
        kinds = pairs["kind"] if len(pairs) else pd.Series(dtype="object")
        rows.append(
            {
                "case": case.case_id,
                "organisation": case.organisation,
                "pairs inside": len(pairs),
                "both literal": int(kinds.str.startswith("literal vs literal").sum()),
                "through an implicature": int((~kinds.str.startswith("literal vs literal")).sum()),
                "one side internal": int(kinds.str.contains("public vs internal").sum()),
                "claims": ", ".join(dict.fromkeys(pairs["claim"])) if len(pairs) else "",
            }
        )
    return pd.DataFrame(rows).set_index("case")


def strategy_profile(cases: Iterable[Case], scheme: str = "benoit") -> pd.DataFrame:
    """Sentences of each case's reference coding per strategy of one scheme; a case with no coding has a blank column."""
    check_scheme(scheme)
    strategies = load_strategies()
    order = list(strategies.loc[strategies["scheme"] == scheme, "strategy"])
    columns = {}
    for case in cases:
        coded = case.coding[case.coding["scheme"] == scheme] if len(case.coding) else case.coding
        counts = coded["strategy"].value_counts() if len(coded) else None
        columns[case.case_id] = [int(counts.get(s, 0)) if counts is not None else pd.NA for s in order]
    table = pd.DataFrame(columns, index=pd.Index(order, name="strategy"))
    used = table.fillna(0).sum(axis=1) > 0
    return table[used] if used.any() else table


def decision_points(cases: Iterable[Case]) -> pd.DataFrame:
    """The decision each organisation faced, as its case's teaching text states it (blank when the case has none)."""
    rows = [
        {
            "case": case.case_id,
            "organisation": case.organisation,
            "decision point": teaching_text(case, "06", "decision-point"),
            "why this trigger": _trigger_note(case),
        }
        for case in cases
    ]
    return pd.DataFrame(rows).set_index("case")


def _trigger_note(case: Case) -> str:
    notes = teaching_notes(case, "06", "discussion")
    about = notes[notes["about"] == trigger_event(case)] if len(notes) else notes
    return about["text"].iloc[0] if len(about) else ""


# --------------------------------------------------------------------------- what names a case


_PROPER = re.compile(r"\b[A-Z][a-zA-Z'’.-]{2,}(?:\s+[A-Z][a-zA-Z'’.-]+)*")


def case_names(case: Case) -> set[str]:
    """The names that belong to a case: its organisation and aliases, and the proper names among its speakers.

    A speaker's name counts when it is a run of capitalised words (``Mia Tran``, ``Graham
    Pell``); descriptions such as "unnamed spokesperson" add nothing. Used to check that a
    lesson run on one case names nothing from another (``tests/test_lessons_on_every_case.py``).
    """
    names = set(case.names)
    for speaker in set(case.statements["speaker"]):
        names.update(match.group(0).rstrip(".") for match in _PROPER.finditer(speaker))
    return {name for name in names if len(name) > 2}


def case_text(case: Case) -> str:
    """Every text field of a case's data, as one string (what a name may be found in)."""
    frames = [
        case.sources,
        case.statements,
        case.events,
        case.claims,
        case.stances,
        case.variants,
        case.facts,
        case.open_questions,
        case.coding,
        case.teaching,
    ]
    parts = [case.title, case.synopsis, case.organisation, *case.aliases]
    for frame in frames:
        if len(frame):
            parts += [str(v) for v in frame.astype(str).to_numpy().ravel()]
            parts += [str(i) for i in frame.index]
    return "\n".join(parts)


def foreign_names(case: Case, others: Iterable[Case]) -> set[str]:
    """Names of the other cases that this case's own data never mentions: a lesson on it must not show them."""
    own = case_text(case)
    names = set().union(*(case_names(other) for other in others)) if others else set()
    return {name for name in names if name not in own}
