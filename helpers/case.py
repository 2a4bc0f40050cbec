"""Load a case folder into DataFrames, checking every rule of data/README.md on the way.

The rules are written down in ``schema`` (the data dictionary as code), the files are read by
``casefolder`` and checked by ``validation``; this module builds the checked rows into a
``Case``, each table a DataFrame. ``Case``, ``load_case``, ``resolve_case``, ``validate_case``
and ``list_cases`` are all to be had from here.

>>> case = load_case("hootsuite-ice-2020")
>>> case.statements.loc["gaboriault-biv", "text_status"]
'verbatim'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from .casefolder import Row, resolve_case
from .paths import list_cases
from .schema import TABLES, TIME_COLUMNS, Table
from .times import Interval, get_zone
from .validation import check_case, validate_case

__all__ = ["Case", "list_cases", "load_case", "resolve_case", "validate_case"]


@dataclass
class Case:
    """A loaded, validated case. Tables are pandas DataFrames indexed by their id column."""

    case_id: str
    path: Path
    title: str
    organisation: str
    timezone: str
    synopsis: str
    fictional: bool
    sources: pd.DataFrame
    statements: pd.DataFrame
    events: pd.DataFrame
    claims: pd.DataFrame
    stances: pd.DataFrame
    variants: pd.DataFrame
    facts: pd.DataFrame
    open_questions: pd.DataFrame
    coding: pd.DataFrame
    teaching: pd.DataFrame
    aliases: tuple[str, ...] = ()
    trigger_event: str = ""
    first_response: str = ""
    intervals: dict[tuple[str, str], Interval | None] = field(repr=False, default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return get_zone(self.timezone)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the organisation goes by in the texts: its own name, then its aliases."""
        return (self.organisation, *self.aliases)

    def interval(self, item_id: str, table: str | None = None) -> Interval | None:
        """The time interval of a statement or event (None when it cannot be placed).

        Statement and event ids are unique only within their own file: where an id names both
        and their times differ, say which with ``table="statements"`` or ``table="events"``.
        """
        tables = (table,) if table else ("statements", "events")
        found = {name: self.intervals[(name, item_id)] for name in tables if (name, item_id) in self.intervals}
        if not found:
            where = f"{table} of " if table else "statement or event of "
            raise KeyError(f"no {where}case {self.case_id!r} has the id {item_id!r}")
        if len(set(found.values())) > 1:
            raise KeyError(
                f"{item_id!r} is both a statement and an event with different times; pass table='statements' or table='events'"
            )
        return next(iter(found.values()))

    def fact(self, fact_id: str):
        """A record fact as a Python value (number, date or text)."""
        row = self.facts.loc[fact_id]
        if row["value_type"] in ("number", "money"):
            return float(row["value"])
        if row["value_type"] == "date":
            return pd.Timestamp(row["value"]).date()
        return row["value"]


def load_case(case: str | Path = "hootsuite-ice-2020") -> Case:
    """Load and validate a case by built-in id or folder path.

    Raises ``UnknownCaseError`` for an unknown id and ``CaseDataError`` (listing every problem,
    each with file, line and column) for a folder that breaks data/README.md.
    """
    checked = check_case(case)
    folder, metadata, rows, intervals = checked.folder, checked.metadata, checked.rows, checked.intervals
    frames = {name: _frame(TABLES[name], rows[name]) for name in TABLES}
    _add_interval_columns(frames["statements"], intervals, "statements")
    _inherit_statement_times(frames["events"], frames["statements"])
    _add_interval_columns(frames["events"], intervals, "events")
    frames["events"]["quantity"] = pd.to_numeric(frames["events"]["quantity"].replace("", None))
    return Case(
        case_id=metadata["case_id"],
        path=folder,
        title=metadata["title"],
        organisation=metadata["organisation"],
        timezone=metadata["timezone"],
        synopsis=metadata["synopsis"],
        fictional=metadata["fictional"],
        aliases=tuple(metadata.get("aliases", ())),
        trigger_event=metadata.get("trigger_event", ""),
        first_response=metadata.get("first_response", ""),
        intervals=intervals,
        **frames,
    )


def _frame(table: Table, rows: list[Row]) -> pd.DataFrame:
    frame = pd.DataFrame([r.values for r in rows], columns=table.names, dtype="object")
    frame = frame.astype(str) if len(frame) else frame
    if table.key:
        frame = frame.set_index(table.key)
    return frame


def _add_interval_columns(frame: pd.DataFrame, intervals: dict[tuple[str, str], Interval | None], table: str) -> None:
    starts, ends = [], []
    for key in frame.index:
        interval = intervals.get((table, key))
        starts.append(pd.Timestamp(interval.start) if interval else pd.NaT)
        ends.append(pd.Timestamp(interval.end) if interval else pd.NaT)
    frame["start"] = pd.to_datetime(pd.Series(starts, index=frame.index, dtype="object"), utc=True)
    frame["end"] = pd.to_datetime(pd.Series(ends, index=frame.index, dtype="object"), utc=True)


def _inherit_statement_times(events: pd.DataFrame, statements: pd.DataFrame) -> None:
    linked = events["statement_id"] != ""
    for column in (*TIME_COLUMNS, "status_id"):
        events.loc[linked, column] = statements.loc[events.loc[linked, "statement_id"], column].to_numpy()
