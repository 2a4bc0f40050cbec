"""Load a case folder into DataFrames, checking every rule of data/README.md on the way.

Each check belongs to one named rule of the data dictionary (``RULES``), and its message ends
with the rule's name, so an author can look it up; ``tests/test_validation.py`` holds the
dictionary and this module to the same list, and breaks each rule once to see it caught.

>>> case = load_case("hootsuite-ice-2020")
>>> case.statements.loc["gaboriault-biv", "text_status"]
'verbatim'
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from .errors import CaseDataError, Problem, UnknownCaseError
from .paths import CASES_DIR, DATA_DIR
from .text import split_sentences
from .times import BASES, PRECISIONS, Interval, TimeFormatError, get_zone, parse_bound, snowflake_time, time_interval

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONFIDENCE = ("high", "medium", "low")
AUDIENCES = ("internal", "press", "public")
SPEAKS_FOR = ("organisation", "employee", "third-party")
EVENT_KINDS = (
    "context", "contract", "employee-activism", "petition", "company-decision",
    "company-statement", "agency-statement", "media-report", "aftermath",
)
TIME_COLUMNS = ("time", "time_precision", "time_basis", "time_earliest", "time_latest", "time_as_reported")

#: The parts of a lesson a case may write its own teaching text for, and the lessons that show each.
TEACHING_PARTS = {
    "close-reading": ("02", "04"),
    "discussion": ("03", "04", "06"),
    "cluster": ("05",),
    "drafting-scenario": ("05",),
    "example-draft": ("05",),
    "decision-point": ("06",),
    "try-phrase": ("02",),
}
#: Parts a lesson shows one of: a second row for the same lesson is an error.
SINGLE_PARTS = ("close-reading", "cluster", "drafting-scenario", "example-draft", "decision-point", "try-phrase")

#: Every rule the loader checks, by the name data/README.md gives it ("- Rule `name`: ...").
RULES = (
    # files and columns
    "file-present", "utf8", "csv-form", "header-row", "known-columns", "required", "id-form", "id-unique",
    "allowed-values", "reference", "date-form", "number-form", "status-id-form",
    # case.toml
    "toml-form", "toml-keys", "case-id-folder", "timezone", "aliases", "fictional-outside-data", "trigger-event",
    "first-response",
    # times
    "time-form", "bound-form", "bounds-leave-time", "derived-time-status-id", "event-time-or-statement",
    # statements, events, stances, variants, facts, coding, teaching
    "speaks-for-organisation", "quantity-series", "stance-once", "words-in-text", "fact-value",
    "coding-sentence", "coding-strategy", "coding-evidence", "coding-once",
    "teaching-part-lesson", "teaching-about", "teaching-once",
)


def _problem(file: str, rule: str, message: str, **where) -> Problem:
    """A problem found by one rule of the dictionary; the message names the rule."""
    if rule not in RULES:  # a check with no rule in the dictionary is a bug of this module
        raise AssertionError(f"unknown rule {rule!r}")
    return Problem(file, f"{message} (rule {rule})", **where)


@dataclass(frozen=True)
class Column:
    """One column of a case table: whether it must be filled and what it may hold."""

    name: str
    required: bool = True
    kind: str = "text"  # text | id | enum | ids | ref | item | date | number | status_id
    allowed: tuple[str, ...] = ()
    refers_to: str | None = None  # table whose ids a ref / ids column names


@dataclass(frozen=True)
class Table:
    file: str
    key: str | None
    columns: tuple[Column, ...]
    optional: bool = False  # a case may leave the file out; it then loads as an empty table

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _time_columns(required: bool) -> tuple[Column, ...]:
    return (
        Column("time", required=False),
        Column("time_precision", required, "enum", PRECISIONS),
        Column("time_basis", required, "enum", BASES),
        Column("time_earliest", required=False),
        Column("time_latest", required=False),
        Column("time_as_reported", required=False),
    )


_SOURCES = Column("source_ids", kind="ids", refers_to="sources")
_CONFIDENCE = Column("confidence", kind="enum", allowed=CONFIDENCE)
_NOTE = Column("note", required=False)

TABLES: dict[str, Table] = {
    "sources": Table("sources.csv", "source_id", (
        Column("source_id", kind="id"),
        Column("outlet"),
        Column("title", required=False),
        Column("url", required=False),
        Column("date", required=False, kind="date"),
        Column("date_note", required=False),
        Column("access_note", required=False),
    )),
    "statements": Table("statements.csv", "statement_id", (
        Column("statement_id", kind="id"),
        Column("speaker"),
        Column("role", required=False),
        Column("organisation"),
        Column("speaks_for", kind="enum", allowed=SPEAKS_FOR),
        Column("channel"),
        Column("audience", kind="enum", allowed=AUDIENCES),
        *_time_columns(required=True),
        Column("text"),
        Column("text_status", kind="enum", allowed=("verbatim", "fragment", "paraphrase")),
        _SOURCES,
        Column("status_id", required=False, kind="status_id"),
        _CONFIDENCE,
        _NOTE,
    )),
    "events": Table("events.csv", "event_id", (
        Column("event_id", kind="id"),
        Column("title"),
        Column("kind", kind="enum", allowed=EVENT_KINDS),
        Column("actor"),
        Column("channel", required=False),
        Column("audience", required=False, kind="enum", allowed=AUDIENCES),
        Column("statement_id", required=False, kind="ref", refers_to="statements"),
        *_time_columns(required=False),
        Column("status_id", required=False, kind="status_id"),
        Column("quantity", required=False, kind="number"),
        Column("quantity_unit", required=False),
        Column("quantity_series", required=False),
        _SOURCES,
        _CONFIDENCE,
        _NOTE,
    )),
    "claims": Table("claims.csv", "claim_id", (
        Column("claim_id", kind="id"),
        Column("proposition"),
        Column("record", kind="enum", allowed=("supported", "contradicted", "unknown")),
        Column("record_note"),
        Column("record_event_ids", required=False, kind="ids", refers_to="events"),
        _SOURCES,
    )),
    "stances": Table("stances.csv", None, (
        Column("statement_id", kind="ref", refers_to="statements"),
        Column("claim_id", kind="ref", refers_to="claims"),
        Column("stance", kind="enum", allowed=("affirms", "denies")),
        Column("mode", kind="enum", allowed=("literal", "implied")),
        Column("evidence"),
        Column("rationale"),
    )),
    "variants": Table("variants.csv", None, (
        Column("statement_id", kind="ref", refers_to="statements"),
        Column("words"),
        Column("variant"),
        _SOURCES,
        _NOTE,
    )),
    "facts": Table("facts.csv", "fact_id", (
        Column("fact_id", kind="id"),
        Column("label"),
        Column("value"),
        Column("value_type", kind="enum", allowed=("text", "number", "money", "date")),
        Column("unit", required=False),
        _SOURCES,
        _CONFIDENCE,
        _NOTE,
    )),
    "open_questions": Table("open_questions.csv", "question_id", (
        Column("question_id", kind="id"),
        Column("question"),
        Column("what_is_known"),
        Column("source_ids", required=False, kind="ids", refers_to="sources"),
    )),
    "coding": Table("coding.csv", None, (
        Column("statement_id", kind="ref", refers_to="statements"),
        Column("sentence", kind="number"),
        Column("scheme", kind="enum", allowed=("benoit", "scct", "apology")),
        Column("strategy"),
        Column("evidence"),
        Column("rationale"),
    ), optional=True),
    "teaching": Table("teaching.csv", "note_id", (
        Column("note_id", kind="id"),
        Column("lesson", kind="enum", allowed=tuple(sorted({lesson for lessons in TEACHING_PARTS.values() for lesson in lessons}))),
        Column("part", kind="enum", allowed=tuple(TEACHING_PARTS)),
        Column("about", required=False, kind="item"),
        Column("text"),
        _SOURCES,
    ), optional=True),
}

METADATA_FILE = "case.toml"
#: case.toml keys: (type, required)
METADATA_KEYS = {
    "case_id": (str, True), "title": (str, True), "organisation": (str, True), "timezone": (str, True),
    "synopsis": (str, True), "fictional": (bool, True),
    "aliases": (list, False), "trigger_event": (str, False), "first_response": (str, False),
}


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
            raise KeyError(f"{item_id!r} is both a statement and an event with different times; pass table='statements' or table='events'")
        return next(iter(found.values()))

    def fact(self, fact_id: str):
        """A record fact as a Python value (number, date or text)."""
        row = self.facts.loc[fact_id]
        if row["value_type"] in ("number", "money"):
            return float(row["value"])
        if row["value_type"] == "date":
            return pd.Timestamp(row["value"]).date()
        return row["value"]


# --------------------------------------------------------------------------- finding cases


def list_cases() -> list[str]:
    """Ids of the built-in cases under data/cases, sorted."""
    if not CASES_DIR.is_dir():
        return []
    return sorted(p.name for p in CASES_DIR.iterdir() if (p / METADATA_FILE).is_file())


def resolve_case(case: str | Path) -> Path:
    """The folder of a case given by built-in id or by path."""
    text = str(case)
    if isinstance(case, str) and ID_PATTERN.match(text) and (CASES_DIR / text).is_dir():
        return CASES_DIR / text
    candidate = Path(text).expanduser()
    if candidate.is_dir() and (candidate / METADATA_FILE).is_file():
        return candidate.resolve()
    available = ", ".join(list_cases()) or "(none)"
    if candidate.is_dir():
        raise UnknownCaseError(f"{text!r} is a folder but has no {METADATA_FILE}; a case folder follows data/README.md")
    raise UnknownCaseError(f"unknown case {text!r}; available cases: {available} (or give the path of a case folder)")


# --------------------------------------------------------------------------- loading


def load_case(case: str | Path = "hootsuite-ice-2020") -> Case:
    """Load and validate a case by built-in id or folder path.

    Raises ``UnknownCaseError`` for an unknown id and ``CaseDataError`` (listing every problem,
    each with file, line and column) for a folder that breaks data/README.md.
    """
    folder = resolve_case(case)
    problems: list[Problem] = []
    metadata = _read_metadata(folder, problems)
    rows = {name: _read_table(folder, table, problems) for name, table in TABLES.items()}
    if problems:  # structural problems make the rest meaningless
        raise CaseDataError(str(case), problems)

    for name, table in TABLES.items():
        _check_columns(table, rows[name], rows, problems)
    intervals = _check_times(rows, metadata["zone"], problems)
    _check_speakers(rows, metadata["organisation"], metadata.get("aliases", []), problems)
    _check_quantities(rows, problems)
    _check_evidence(rows, problems)
    _check_coding(rows, problems)
    _check_teaching(rows, problems)
    _check_metadata_references(metadata, rows, intervals, problems)
    if problems:
        raise CaseDataError(str(case), problems)

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


def validate_case(case: str | Path) -> list[Problem]:
    """Every problem in a case folder (empty when it is valid)."""
    try:
        load_case(case)
    except CaseDataError as exc:
        return exc.problems
    return []


def _read_metadata(folder: Path, problems: list[Problem]) -> dict:
    path = folder / METADATA_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(_problem(METADATA_FILE, "file-present", "file is missing"))
        return {}
    except UnicodeDecodeError as exc:
        problems.append(_problem(METADATA_FILE, "utf8", f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(_problem(METADATA_FILE, "toml-form", f"not valid TOML: {exc}"))
        return {}
    for key, (kind, required) in METADATA_KEYS.items():
        if key not in data:
            if required:
                problems.append(_problem(METADATA_FILE, "toml-keys", "missing key", column=key))
        elif not isinstance(data[key], kind) or (kind is str and not data[key].strip()):
            article = "a list" if kind is list else f"a non-empty {kind.__name__}"
            problems.append(_problem(METADATA_FILE, "toml-keys", f"must be {article}, got {data[key]!r}", column=key))
    for key in sorted(set(data) - set(METADATA_KEYS)):
        problems.append(_problem(METADATA_FILE, "toml-keys", f"unknown key (allowed: {', '.join(METADATA_KEYS)})", column=key))
    if isinstance(data.get("case_id"), str) and data["case_id"] != folder.name:
        problems.append(_problem(METADATA_FILE, "case-id-folder", f"case_id {data['case_id']!r} differs from the folder name {folder.name!r}",
                                 column="case_id"))
    if isinstance(data.get("timezone"), str):
        try:
            data["zone"] = get_zone(data["timezone"])
        except ValueError as exc:
            problems.append(_problem(METADATA_FILE, "timezone", str(exc), column="timezone"))
    if isinstance(data.get("aliases"), list):
        seen: set[str] = {data.get("organisation")}
        for alias in data["aliases"]:
            if not isinstance(alias, str) or not alias.strip():
                problems.append(_problem(METADATA_FILE, "aliases", f"each alias must be a non-empty string, got {alias!r}", column="aliases"))
            elif alias in seen:
                problems.append(_problem(METADATA_FILE, "aliases", f"{alias!r} is given twice (or is the organisation's own name)", column="aliases"))
            seen.add(alias)
    if data.get("fictional") is True and folder.resolve().is_relative_to(CASES_DIR.resolve()):
        problems.append(_problem(METADATA_FILE, "fictional-outside-data", "a fictional case may not live under data/cases "
                                 "(keep it with the tests or examples)", column="fictional"))
    return data


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def _read_table(folder: Path, table: Table, problems: list[Problem]) -> list[_Row]:
    path = folder / table.file
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if not table.optional:
            problems.append(_problem(table.file, "file-present", "file is missing (keep the header row even when a table is empty)"))
        return []
    except UnicodeDecodeError as exc:
        problems.append(_problem(table.file, "utf8", f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(_problem(table.file, "header-row", "file is empty: it needs a header row", line=1))
            return []
        header = [h.strip() for h in header]
        missing = [c for c in table.names if c not in header]
        extra = [c for c in header if c not in table.names]
        for name in missing:
            problems.append(_problem(table.file, "known-columns", "missing column", line=1, column=name))
        for name in extra:
            problems.append(_problem(table.file, "known-columns", f"unknown column (allowed: {', '.join(table.names)})", line=1, column=name))
        duplicates = {h for h in header if header.count(h) > 1}
        for name in sorted(duplicates):
            problems.append(_problem(table.file, "known-columns", "column appears twice", line=1, column=name))
        if missing or extra or duplicates:
            return []
        rows: list[_Row] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(_problem(table.file, "csv-form", f"has {len(record)} fields, the header has {len(header)}", line=start))
                continue
            rows.append(_Row(start, {h: cell.strip() for h, cell in zip(header, record)}))
        return rows
    except csv.Error as exc:
        problems.append(_problem(table.file, "csv-form", f"malformed CSV: {exc}", line=reader.line_num))
        return []


def _row_label(table: Table, row: _Row) -> str | None:
    return f"{table.key}={row.values[table.key]}" if table.key and row.values.get(table.key) else None


def _ids(rows: dict[str, list[_Row]], name: str) -> set[str]:
    key = TABLES[name].key
    return {r.values[key] for r in rows[name]}


def _reporter(table: Table, row: _Row, problems: list[Problem]):
    """A function that records a problem of ``row`` in ``column`` under a rule."""
    label = _row_label(table, row)

    def report(column: str, rule: str, message: str) -> None:
        problems.append(_problem(table.file, rule, message, line=row.line, column=column, row_id=label))

    return report


def _check_columns(table: Table, rows: list[_Row], all_rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    items = _ids(all_rows, "statements") | _ids(all_rows, "events") | _ids(all_rows, "claims")
    for row in rows:
        report = _reporter(table, row, problems)
        for column in table.columns:
            value = row.values[column.name]
            if not value:
                if column.required:
                    report(column.name, "required", "must not be blank")
                continue
            if column.kind == "id":
                if not ID_PATTERN.match(value):
                    report(column.name, "id-form", f"{value!r} is not a valid id (lower-case letters, digits and '-')")
                elif value in seen:
                    report(column.name, "id-unique", f"duplicate id {value!r} (first at line {seen[value]})")
                else:
                    seen[value] = row.line
            elif column.kind == "enum" and value not in column.allowed:
                report(column.name, "allowed-values", f"{value!r} is not allowed (allowed: {', '.join(column.allowed)})")
            elif column.kind in ("ref", "ids"):
                known = _ids(all_rows, column.refers_to)
                for ref in value.split(";") if column.kind == "ids" else [value]:
                    ref = ref.strip()
                    if ref not in known:
                        kind = TABLES[column.refers_to].key.removesuffix("_id")
                        report(column.name, "reference", f"unknown {kind} id {ref!r} (not in {TABLES[column.refers_to].file})")
            elif column.kind == "item" and value not in items:
                report(column.name, "reference", f"unknown id {value!r} (not a statement, event or claim of the case)")
            elif column.kind == "date" and not _is_iso_date(value):
                report(column.name, "date-form", f"{value!r} is not a date written YYYY-MM-DD")
            elif column.kind == "number" and not _is_number(value):
                report(column.name, "number-form", f"{value!r} is not a number")
            elif column.kind == "status_id" and not value.isdigit():
                report(column.name, "status-id-form", f"{value!r} is not a numeric status id")
    if table.file == "facts.csv":
        _check_fact_values(table, rows, problems)
    if table.file == "stances.csv":
        _check_stance_pairs(table, rows, problems)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_iso_date(value: str) -> bool:
    try:
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _check_fact_values(table: Table, rows: list[_Row], problems: list[Problem]) -> None:
    for row in rows:
        kind, value = row.values["value_type"], row.values["value"]
        if kind in ("number", "money"):
            valid = _is_number(value)
        else:
            valid = kind != "date" or _is_iso_date(value)
        if not valid:
            _reporter(table, row, problems)("value", "fact-value", f"{value!r} is not a valid {kind}")


def _check_stance_pairs(table: Table, rows: list[_Row], problems: list[Problem]) -> None:
    first: dict[tuple[str, str], _Row] = {}
    for row in rows:
        pair = (row.values["statement_id"], row.values["claim_id"])
        if pair in first:
            earlier = first[pair]
            same = all(earlier.values[k] == row.values[k] for k in ("stance", "mode"))
            kind = "repeats" if same else "contradicts"
            _reporter(table, row, problems)(
                "claim_id", "stance-once",
                f"second stance of statement {pair[0]!r} on claim {pair[1]!r} {kind} the row at line {earlier.line} "
                f"({earlier.values['stance']}/{earlier.values['mode']} vs {row.values['stance']}/{row.values['mode']}); keep one row per pair",
            )
        else:
            first[pair] = row


def _check_times(rows: dict[str, list[_Row]], zone: ZoneInfo, problems: list[Problem]) -> dict[tuple[str, str], Interval | None]:
    intervals: dict[tuple[str, str], Interval | None] = {}
    for name in ("statements", "events"):
        table = TABLES[name]
        for row in rows[name]:
            values, report = row.values, _reporter(table, row, problems)
            key = (name, values[table.key])
            if name == "events" and values["statement_id"]:
                for column in (*TIME_COLUMNS, "status_id"):
                    if values[column]:
                        report(column, "event-time-or-statement", "must be blank when statement_id is set (the time is the statement's)")
                intervals[key] = intervals.get(("statements", values["statement_id"]))
                continue
            if name == "events":
                for column in ("time_precision", "time_basis"):
                    if not values[column]:
                        report(column, "event-time-or-statement", "must not be blank when statement_id is blank")
            if values["time_precision"] not in PRECISIONS:
                continue  # already reported
            interval = _row_interval(values, zone, report)
            if interval is False:
                continue
            intervals[key] = interval
            if values["status_id"].isdigit() and values["time_basis"] == "derived":
                decoded = snowflake_time(values["status_id"])
                if interval is None or not (interval.start - timedelta(seconds=1) <= decoded < interval.end + timedelta(seconds=1)):
                    report("time", "derived-time-status-id",
                           f"status id {values['status_id']} decodes to {decoded.isoformat()}, which the time does not cover")
    return intervals


def _row_interval(values: dict[str, str], zone: ZoneInfo, report) -> Interval | None | bool:
    """The interval of one row's time columns; False (after reporting) when they are malformed.

    Each bound is read on its own first, so an error names the column that holds it. With
    precision ``unknown`` and one bound only, the row cannot be placed (None): the bound is kept
    and shown ("not before ..."), but no interval is made up for its other side.
    """
    bad = False
    for column in ("time_earliest", "time_latest"):
        if values[column]:
            try:
                parse_bound(values[column])
            except TimeFormatError as exc:
                report(column, "bound-form", str(exc))
                bad = True
    if bad:
        return False
    precision, earliest, latest = values["time_precision"], values["time_earliest"], values["time_latest"]
    if precision == "unknown" and bool(earliest) != bool(latest):
        if values["time"]:
            report("time", "time-form", f"precision 'unknown' needs a blank time, got {values['time']!r}")
            return False
        return None
    try:
        return time_interval(values["time"], precision, zone, earliest, latest)
    except TimeFormatError as exc:
        message = str(exc)
        if "leave nothing" in message or "is not after" in message:
            report("time_latest" if precision == "unknown" else "time_earliest" if earliest else "time_latest", "bounds-leave-time", message)
        else:
            report("time", "time-form", message)
        return False


def _check_speakers(rows: dict[str, list[_Row]], organisation: str, aliases: list, problems: list[Problem]) -> None:
    """Who speaks for whom: the organisation and its employees belong to it; a third party does not."""
    table = TABLES["statements"]
    names = {organisation, *[a for a in aliases if isinstance(a, str)]}
    for row in rows["statements"]:
        speaks_for, belongs = row.values["speaks_for"], row.values["organisation"]
        report = _reporter(table, row, problems)
        if speaks_for in ("organisation", "employee") and belongs != organisation:
            report("organisation", "speaks-for-organisation",
                   f"speaks_for is {speaks_for!r}, so organisation must be the case's organisation {organisation!r}, got {belongs!r}")
        elif speaks_for == "third-party" and belongs in names:
            report("speaks_for", "speaks-for-organisation",
                   f"organisation {belongs!r} is the case's own: use 'organisation' (it speaks officially) or 'employee' (for themself)")


def _check_quantities(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """A quantity has a unit and a series; every reading of one series has the same unit."""
    table = TABLES["events"]
    units: dict[str, tuple[str, int]] = {}
    for row in rows["events"]:
        values, report = row.values, _reporter(table, row, problems)
        quantity, unit, series = values["quantity"], values["quantity_unit"], values["quantity_series"]
        if quantity:
            for column in ("quantity_unit", "quantity_series"):
                if not values[column]:
                    report(column, "quantity-series", "must not be blank when quantity is set")
        elif unit or series:
            report("quantity", "quantity-series", "must not be blank when quantity_unit or quantity_series is set")
        if quantity and unit and series:
            first_unit, line = units.setdefault(series, (unit, row.line))
            if unit != first_unit:
                report("quantity_unit", "quantity-series", f"series {series!r} is counted in {first_unit!r} at line {line}, not {unit!r}")


def _check_evidence(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    texts = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    for name, column in (("stances", "evidence"), ("variants", "words")):
        table = TABLES[name]
        for row in rows[name]:
            statement = row.values["statement_id"]
            words = row.values[column]
            if statement in texts and words and words not in texts[statement]:
                _reporter(table, row, problems)(column, "words-in-text", f"{words!r} does not occur in the text of statement {statement!r}")


def _check_coding(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Reference coding: a real sentence of the statement, a strategy of the scheme, evidence in that sentence."""
    table = TABLES["coding"]
    strategies: dict[str, set[str]] = {}
    with (DATA_DIR / "schemes" / "strategies.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            strategies.setdefault(record["scheme"], set()).add(record["strategy"])
    texts = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    first: dict[tuple[str, str, str], int] = {}
    for row in rows["coding"]:
        values, report = row.values, _reporter(table, row, problems)
        sid, number, scheme = values["statement_id"], values["sentence"], values["scheme"]
        if sid not in texts or scheme not in strategies:
            continue  # reported by the column checks
        spans = split_sentences(texts[sid])
        if not number.isdigit() or not 1 <= int(number) <= len(spans):
            report("sentence", "coding-sentence", f"{number!r} is not a sentence number of statement {sid!r} (it has {len(spans)})")
            continue
        if values["strategy"] not in strategies[scheme]:
            report("strategy", "coding-strategy", f"{values['strategy']!r} is not a {scheme} strategy (allowed: {', '.join(sorted(strategies[scheme]))})")
        start, end = spans[int(number) - 1]
        if values["evidence"] and values["evidence"] not in texts[sid][start:end]:
            report("evidence", "coding-evidence", f"{values['evidence']!r} does not occur in sentence {number} of statement {sid!r}")
        key = (sid, number, scheme)
        if key in first:
            report("sentence", "coding-once", f"sentence {number} of {sid!r} is coded twice for {scheme} (first at line {first[key]})")
        first.setdefault(key, row.line)


def _check_teaching(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Teaching text: a part in a lesson that shows it, about the right kind of row, once where a lesson shows one."""
    table = TABLES["teaching"]
    statements = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    first: dict[tuple[str, str], int] = {}
    for row in rows["teaching"]:
        values, report = row.values, _reporter(table, row, problems)
        lesson, part = values["lesson"], values["part"]
        if part not in TEACHING_PARTS:
            continue  # reported by the column checks
        if lesson not in TEACHING_PARTS[part]:
            report("lesson", "teaching-part-lesson", f"lesson {lesson} shows no {part!r} text (it is shown in lesson {', '.join(TEACHING_PARTS[part])})")
        if part == "close-reading" and values["about"] not in statements:
            report("about", "teaching-about", "a close-reading note must name the statement it reads (about = a statement id)")
        if part == "try-phrase":
            if values["about"] not in statements:
                report("about", "teaching-about", "a try-phrase row must name the statement its words come from (about = a statement id)")
            elif values["text"] not in statements[values["about"]]:
                report("text", "teaching-about", f"{values['text']!r} does not occur in the text of statement {values['about']!r}")
        if part in SINGLE_PARTS:
            key = (lesson, part)
            if key in first:
                report("part", "teaching-once", f"lesson {lesson} shows one {part!r} text; the first is at line {first[key]}")
            first.setdefault(key, row.line)


def _check_metadata_references(metadata: dict, rows: dict[str, list[_Row]], intervals: dict, problems: list[Problem]) -> None:
    """case.toml's trigger event and first response name rows of the right kind."""
    trigger = metadata.get("trigger_event")
    if isinstance(trigger, str) and trigger:
        if trigger not in _ids(rows, "events"):
            problems.append(_problem(METADATA_FILE, "trigger-event", f"unknown event id {trigger!r} (not in events.csv)", column="trigger_event"))
        elif intervals.get(("events", trigger)) is None:
            problems.append(_problem(METADATA_FILE, "trigger-event", f"event {trigger!r} has no known time, so nothing can be measured from it",
                                     column="trigger_event"))
    response = metadata.get("first_response")
    if isinstance(response, str) and response:
        found = {r.values["statement_id"]: r.values for r in rows["statements"]}.get(response)
        if found is None:
            problems.append(_problem(METADATA_FILE, "first-response", f"unknown statement id {response!r} (not in statements.csv)",
                                     column="first_response"))
        elif found["speaks_for"] != "organisation" or found["audience"] not in ("press", "public"):
            problems.append(_problem(METADATA_FILE, "first-response", f"statement {response!r} must speak for the organisation "
                                     f"(speaks_for 'organisation') to the press or the public, not {found['speaks_for']!r} to "
                                     f"{found['audience']!r}", column="first_response"))
        elif intervals.get(("statements", response)) is None:
            problems.append(_problem(METADATA_FILE, "first-response", f"statement {response!r} has no known time", column="first_response"))


def _frame(table: Table, rows: list[_Row]) -> pd.DataFrame:
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
