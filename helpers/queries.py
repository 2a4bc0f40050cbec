"""Questions asked of a loaded case: which statements, in what order, when, and which came first.

The analyses (wording, timeline, claims, coding) and the views ask these; they live here, once,
beside the case they read, so no analysis has to import another to find a statement.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .case import Case
from .errors import ParameterError, did_you_mean
from .times import format_interval


def timeline_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by the earliest time the sources allow (start), then the latest (end), then id.

    Items that cannot be placed come last. An item known only to a wide interval therefore sits
    above items it may well have followed.
    """
    ordered = frame.assign(_id=frame.index, _unplaced=frame["start"].isna())
    ordered = ordered.sort_values(["_unplaced", "start", "end", "_id"], kind="stable")
    return ordered.drop(columns=["_id", "_unplaced"])


def when(case: Case, item_id: str, display_timezone: str, table: str = "statements") -> str:
    """The time of a statement (or, with ``table="events"``, an event) in the display zone, at its own precision."""
    frame = getattr(case, table)
    return format_interval(case.interval(item_id, table), frame.loc[item_id, "time_precision"], display_timezone)


def select_statements(case: Case, statement_ids: Iterable[str] | None = None, speakers: Iterable[str] | None = None) -> pd.DataFrame:
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


def organisation_statement_ids(case: Case) -> list[str]:
    """The organisation's own statements in the speakers' words (paraphrases left out), in time order."""
    own = timeline_order(case.statements)
    own = own[(own["organisation"] == case.organisation) & (own["text_status"] != "paraphrase")]
    return list(own.index)


def first_press_statement(case: Case) -> str:
    """The organisation's verbatim statement to the press or public that certainly came first.

    "Certainly first" is the earliest *latest possible* time: a statement known only to lie
    somewhere in two days does not count as first because its interval starts early.
    """
    statements = case.statements
    own = statements[(statements["organisation"] == case.organisation) & statements["end"].notna()]
    for statuses in (("verbatim",), ("verbatim", "fragment")):
        chosen = own[own["audience"].isin(("press", "public")) & own["text_status"].isin(statuses)]
        if len(chosen):
            return chosen.assign(_id=chosen.index).sort_values(["end", "start", "_id"]).index[0]
    fallback = organisation_statement_ids(case)
    return fallback[0] if fallback else statements.index[0]


def paraphrased_statements(case: Case) -> list[str]:
    """Statements known only through a reporter's paraphrase: a stance on one rests on the reporter's words."""
    return list(case.statements.index[case.statements["text_status"] == "paraphrase"])
