"""Questions asked of a loaded case: which statements, in what order, when, which came first, and
what the case's own teaching text says.

The analyses (wording, timeline, claims, coding) and the views ask these; they live here, once,
beside the case they read, so no analysis has to import another to find a statement.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .case import Case
from .errors import ParameterError, did_you_mean
from .times import format_interval, parse_bound, to_zone


def timeline_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by the earliest time the sources allow (start), then the latest (end), then id.

    Items that cannot be placed come last. An item known only to a wide interval therefore sits
    above items it may well have followed.
    """
    ordered = frame.assign(_id=frame.index, _unplaced=frame["start"].isna())
    ordered = ordered.sort_values(["_unplaced", "start", "end", "_id"], kind="stable")
    return ordered.drop(columns=["_id", "_unplaced"])


def when(case: Case, item_id: str, display_timezone: str, table: str = "statements") -> str:
    """The time of a statement (or, with ``table="events"``, an event) in the display zone, at its own precision.

    A time the sources bound on one side only is shown as that bound ("unknown, not before ...").
    """
    frame = getattr(case, table)
    row = frame.loc[item_id]
    interval = case.interval(item_id, table)
    if interval is None and (row["time_earliest"] or row["time_latest"]):
        side, bound = ("not before", row["time_earliest"]) if row["time_earliest"] else ("not after", row["time_latest"])
        return f"unknown, {side} {to_zone(parse_bound(bound), display_timezone):%Y-%m-%d %H:%M %Z}"
    return format_interval(interval, row["time_precision"], display_timezone)


def select_statements(
    case: Case, statement_ids: Iterable[str] | None = None, speakers: Iterable[str] | None = None
) -> pd.DataFrame:
    """Statements by id and/or speaker (all when both are empty), in time order; unknown names are an error."""
    statements = case.statements
    ids, names = list(statement_ids or []), list(speakers or [])
    unknown = [s for s in ids if s not in statements.index]
    if unknown:
        raise KeyError(f"unknown statement id(s) {unknown}; the case has: {', '.join(statements.index)}")
    unknown = [s for s in names if s not in set(statements["speaker"])]
    if unknown:
        raise KeyError(f"unknown speaker(s) {unknown}; the case has: {', '.join(dict.fromkeys(statements['speaker']))}")
    mask = pd.Series(not (ids or names), index=statements.index)
    if ids:
        mask |= statements.index.isin(ids)
    if names:
        mask |= statements["speaker"].isin(names)
    return timeline_order(statements[mask])


def check_statement_parameters(case: Case, **named) -> None:
    """Statement ids and speakers passed as notebook parameters must exist in the case."""
    for name, values in named.items():
        values = [values] if isinstance(values, str) else list(values or [])
        known = list(dict.fromkeys(case.statements.index if "speaker" not in name else case.statements["speaker"]))
        unknown = [v for v in values if v and v not in set(known)]
        if unknown:
            kind = "speaker" if "speaker" in name else "statement id"
            hint = did_you_mean(unknown[0], known)
            raise ParameterError(f"parameter {name!r}: unknown {kind} {unknown[0]!r}{hint}; the case has: {', '.join(known)}")


# --------------------------------------------------------------------------- who speaks for the organisation


def official(case: Case) -> pd.Series:
    """For each statement: does it speak for the organisation (``speaks_for`` is ``organisation``)?"""
    return case.statements["speaks_for"] == "organisation"


def organisation_statement_ids(case: Case) -> list[str]:
    """The organisation's own statements in the speakers' words (paraphrases left out), in time order.

    Its own means made for it: by its spokespeople, its executives in their role, its accounts.
    An employee speaking for themself is not the organisation speaking.
    """
    own = timeline_order(case.statements[official(case)])
    return list(own.index[own["text_status"] != "paraphrase"])


#: What a lesson shows where a case has no first statement to the press or public.
NO_PUBLIC_STATEMENT = "no statement to the press or public"


def first_press_statement(case: Case) -> str | None:
    """The organisation's first statement to the press or the public; None when the case has none.

    ``first_response`` in case.toml names it where the sources establish it; otherwise it is the
    official verbatim statement to the press or public that certainly came first: the earliest
    *latest possible* time, so a statement known only to lie somewhere in two days does not count
    as first because its interval starts early. Without a verbatim one, a fragment is taken, and
    without either, a reporter's paraphrase (the organisation did speak, in words now lost).

    A statement that no source places in time, or places on one side only (no latest possible
    time), cannot be shown to be first and is left out. None means the organisation made no such
    statement that the data can place: it spoke only internally, or only others spoke. A lesson
    then says so (``NO_PUBLIC_STATEMENT``) rather than put an internal or unofficial statement in
    its place.
    """
    if case.first_response:
        return case.first_response
    statements = case.statements
    own = statements[official(case) & statements["end"].notna()]
    for statuses in (("verbatim",), ("verbatim", "fragment"), ("verbatim", "fragment", "paraphrase")):
        chosen = own[own["audience"].isin(("press", "public")) & own["text_status"].isin(statuses)]
        if len(chosen):
            return chosen.assign(_id=chosen.index).sort_values(["end", "start", "_id"]).index[0]
    return None


def unplaced_rivals(case: Case, statement_id: str, audiences: Iterable[str]) -> list[str]:
    """Official statements to ``audiences`` bounded on one side only that may have come before ``statement_id``.

    A statement with one bound has no interval, so it cannot be picked as first; it may still
    have come first unless its earliest bound lies after the picked statement's latest possible
    time. A table that picks a first statement names these beside it. A statement with no bound
    at all is left out here: the data says nothing of when it was made.
    """
    statements = case.statements
    latest = statements.loc[statement_id, "end"]
    unplaced = statements[official(case) & statements["audience"].isin(list(audiences)) & statements["end"].isna()]
    bounded = unplaced[(unplaced["time_earliest"] != "") | (unplaced["time_latest"] != "")]
    return [
        sid
        for sid, row in bounded.iterrows()
        if not row["time_earliest"] or pd.Timestamp(parse_bound(row["time_earliest"])) < latest
    ]


def first_response_event(case: Case) -> str | None:
    """The event that stands for the organisation's first statement to the press or public, if one does."""
    first = first_press_statement(case)
    if first is None:
        return None
    events = case.events.index[case.events["statement_id"] == first]
    return events[0] if len(events) else None


def trigger_event(case: Case) -> str:
    """The event response times are measured from: ``trigger_event`` in case.toml.

    Without one: the first employee-activism event timed to within a day, else the first event
    timed to within a day, else the first timed event.
    """
    if case.trigger_event:
        return case.trigger_event
    placed = timeline_order(case.events[case.events["start"].notna()])
    if not len(placed):
        raise ValueError(f"case {case.case_id!r} has no event with a known time")
    narrow = placed[(placed["end"] - placed["start"]) <= pd.Timedelta(days=1)]
    activism = narrow[narrow["kind"] == "employee-activism"]
    return (activism if len(activism) else narrow if len(narrow) else placed).index[0]


def paraphrased_statements(case: Case) -> list[str]:
    """Statements known only through a reporter's paraphrase: a stance on one rests on the reporter's words."""
    return list(case.statements.index[case.statements["text_status"] == "paraphrase"])


# --------------------------------------------------------------------------- the case's own teaching text


def teaching_notes(case: Case, lesson: str, part: str) -> pd.DataFrame:
    """The case's teaching text for one part of one lesson (teaching.csv), in file order; empty when it has none."""
    notes = case.teaching
    if not len(notes):
        return notes
    return notes[(notes["lesson"] == lesson) & (notes["part"] == part)]


def teaching_text(case: Case, lesson: str, part: str) -> str:
    """The text of a part a lesson shows once (a close reading, a scenario, ...); blank when the case has none."""
    notes = teaching_notes(case, lesson, part)
    return notes["text"].iloc[0] if len(notes) else ""


def close_reading_note(case: Case, lesson: str, statement_id: str) -> str:
    """The case's commentary on a statement a lesson reads closely; blank when it has none for that statement."""
    notes = teaching_notes(case, lesson, "close-reading")
    notes = notes[notes["about"] == statement_id] if len(notes) else notes
    return notes["text"].iloc[0] if len(notes) else ""


def close_reading_statement(case: Case, lesson: str) -> str:
    """The statement a lesson reads closely: the case's close-reading note for it, else its first press statement.

    A case whose organisation made no statement to the press or public is read in its own first
    statement in the speakers' words (to any audience), else in the first statement of the case.
    """
    notes = teaching_notes(case, lesson, "close-reading")
    if len(notes):
        return notes["about"].iloc[0]
    first = first_press_statement(case)
    if first is not None:
        return first
    own = organisation_statement_ids(case)
    return own[0] if own else timeline_order(case.statements).index[0]
