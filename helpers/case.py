"""Load a case folder into DataFrames, checking every rule of data/README.md on the way.

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
from .times import BASES, PRECISIONS, Interval, TimeFormatError, get_zone, snowflake_time, time_interval

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONFIDENCE = ("high", "medium", "low")
AUDIENCES = ("internal", "press", "public")
TIME_COLUMNS = ("time", "time_precision", "time_basis", "time_earliest", "time_latest", "time_as_reported")


@dataclass(frozen=True)
class Column:
    """One column of a case table: whether it must be filled and what it may hold."""

    name: str
    required: bool = True
    kind: str = "text"  # text | id | enum | ids | ref | date | number | status_id
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
        Column("kind", kind="enum", allowed=(
            "context", "contract", "employee-activism", "petition", "company-decision",
            "company-statement", "agency-statement", "media-report", "aftermath",
        )),
        Column("actor"),
        Column("channel", required=False),
        Column("audience", required=False, kind="enum", allowed=AUDIENCES),
        Column("statement_id", required=False, kind="ref", refers_to="statements"),
        *_time_columns(required=False),
        Column("quantity", required=False, kind="number"),
        Column("quantity_unit", required=False),
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
    "coding": Table("coding.csv", None, (
        Column("statement_id", kind="ref", refers_to="statements"),
        Column("sentence", kind="number"),
        Column("scheme", kind="enum", allowed=("benoit", "scct", "apology")),
        Column("strategy"),
        Column("evidence"),
        Column("rationale"),
    ), optional=True),
    "open_questions": Table("open_questions.csv", "question_id", (
        Column("question_id", kind="id"),
        Column("question"),
        Column("what_is_known"),
        Column("source_ids", required=False, kind="ids", refers_to="sources"),
    )),
}

METADATA_FILE = "case.toml"
METADATA_KEYS = {"case_id": str, "title": str, "organisation": str, "timezone": str, "synopsis": str, "fictional": bool}


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
    coding: pd.DataFrame
    open_questions: pd.DataFrame
    intervals: dict[tuple[str, str], Interval | None] = field(repr=False, default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return get_zone(self.timezone)

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

    zone = metadata["zone"]
    for name, table in TABLES.items():
        _check_columns(table, rows[name], rows, problems)
    intervals = _check_times(rows, zone, problems)
    _check_evidence(rows, problems)
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
        problems.append(Problem(METADATA_FILE, "file is missing"))
        return {}
    except UnicodeDecodeError as exc:
        problems.append(Problem(METADATA_FILE, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(METADATA_FILE, f"not valid TOML: {exc}"))
        return {}
    for key, kind in METADATA_KEYS.items():
        if key not in data:
            problems.append(Problem(METADATA_FILE, "missing key", column=key))
        elif not isinstance(data[key], kind) or (kind is str and not data[key].strip()):
            problems.append(Problem(METADATA_FILE, f"must be a non-empty {kind.__name__}, got {data[key]!r}", column=key))
    for key in sorted(set(data) - set(METADATA_KEYS)):
        problems.append(Problem(METADATA_FILE, f"unknown key (allowed: {', '.join(METADATA_KEYS)})", column=key))
    if isinstance(data.get("case_id"), str) and data["case_id"] != folder.name:
        problems.append(Problem(METADATA_FILE, f"case_id {data['case_id']!r} differs from the folder name {folder.name!r}", column="case_id"))
    if isinstance(data.get("timezone"), str):
        try:
            data["zone"] = get_zone(data["timezone"])
        except ValueError as exc:
            problems.append(Problem(METADATA_FILE, str(exc), column="timezone"))
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
            problems.append(Problem(table.file, "file is missing (keep the header row even when a table is empty)"))
        return []
    except UnicodeDecodeError as exc:
        problems.append(Problem(table.file, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem(table.file, "file is empty: it needs a header row", line=1))
            return []
        header = [h.strip() for h in header]
        missing = [c for c in table.names if c not in header]
        extra = [c for c in header if c not in table.names]
        for name in missing:
            problems.append(Problem(table.file, "missing column", line=1, column=name))
        for name in extra:
            problems.append(Problem(table.file, f"unknown column (allowed: {', '.join(table.names)})", line=1, column=name))
        duplicates = {h for h in header if header.count(h) > 1}
        for name in sorted(duplicates):
            problems.append(Problem(table.file, "column appears twice", line=1, column=name))
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
                problems.append(Problem(table.file, f"has {len(record)} fields, the header has {len(header)}", line=start))
                continue
            rows.append(_Row(start, {h: cell.strip() for h, cell in zip(header, record)}))
        return rows
    except csv.Error as exc:
        problems.append(Problem(table.file, f"malformed CSV: {exc}", line=reader.line_num))
        return []


def _row_label(table: Table, row: _Row) -> str | None:
    return f"{table.key}={row.values[table.key]}" if table.key and row.values.get(table.key) else None


def _ids(rows: dict[str, list[_Row]], name: str) -> set[str]:
    key = TABLES[name].key
    return {r.values[key] for r in rows[name]}


def _check_columns(table: Table, rows: list[_Row], all_rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        label = _row_label(table, row)

        def report(column: str, message: str) -> None:
            problems.append(Problem(table.file, message, line=row.line, column=column, row_id=label))

        for column in table.columns:
            value = row.values[column.name]
            if not value:
                if column.required:
                    report(column.name, "must not be blank")
                continue
            if column.kind == "id":
                if not ID_PATTERN.match(value):
                    report(column.name, f"{value!r} is not a valid id (lower-case letters, digits and '-')")
                elif value in seen:
                    report(column.name, f"duplicate id {value!r} (first at line {seen[value]})")
                else:
                    seen[value] = row.line
            elif column.kind == "enum" and value not in column.allowed:
                report(column.name, f"{value!r} is not allowed (allowed: {', '.join(column.allowed)})")
            elif column.kind in ("ref", "ids"):
                known = _ids(all_rows, column.refers_to)
                for ref in value.split(";") if column.kind == "ids" else [value]:
                    ref = ref.strip()
                    if ref not in known:
                        report(column.name, f"unknown {TABLES[column.refers_to].key.removesuffix('_id')} id {ref!r} (not in {TABLES[column.refers_to].file})")
            elif column.kind == "date" and not _is_iso_date(value):
                report(column.name, f"{value!r} is not a date written YYYY-MM-DD")
            elif column.kind == "number" and not _is_number(value):
                report(column.name, f"{value!r} is not a number")
            elif column.kind == "status_id" and not value.isdigit():
                report(column.name, f"{value!r} is not a numeric status id")
    if table.file == "facts.csv":
        _check_fact_values(table, rows, problems)
    if table.file == "stances.csv":
        _check_stance_pairs(table, rows, problems)
    if table.file == "coding.csv":
        _check_coding(table, rows, all_rows, problems)


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
            problems.append(Problem(table.file, f"{value!r} is not a valid {kind}", line=row.line, column="value", row_id=_row_label(table, row)))


def _check_coding(table: Table, rows: list[_Row], all_rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Reference coding: a real sentence of the statement, a strategy of the scheme, evidence in that sentence."""
    strategies: dict[str, set[str]] = {}
    with (DATA_DIR / "schemes" / "strategies.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            strategies.setdefault(record["scheme"], set()).add(record["strategy"])
    texts = {r.values["statement_id"]: r.values["text"] for r in all_rows["statements"]}
    first: dict[tuple[str, str, str], int] = {}
    for row in rows:
        values = row.values
        sid, number, scheme = values["statement_id"], values["sentence"], values["scheme"]

        def report(column: str, message: str) -> None:
            problems.append(Problem(table.file, message, line=row.line, column=column))

        if sid not in texts or scheme not in strategies:
            continue  # reported by the column checks
        spans = split_sentences(texts[sid])
        if not number.isdigit() or not 1 <= int(number) <= len(spans):
            report("sentence", f"{number!r} is not a sentence number of statement {sid!r} (it has {len(spans)})")
            continue
        if values["strategy"] not in strategies[scheme]:
            report("strategy", f"{values['strategy']!r} is not a {scheme} strategy (allowed: {', '.join(sorted(strategies[scheme]))})")
        start, end = spans[int(number) - 1]
        if values["evidence"] and values["evidence"] not in texts[sid][start:end]:
            report("evidence", f"{values['evidence']!r} does not occur in sentence {number} of statement {sid!r}")
        key = (sid, number, scheme)
        if key in first:
            report("sentence", f"sentence {number} of {sid!r} is coded twice for {scheme} (first at line {first[key]})")
        first.setdefault(key, row.line)


def _check_stance_pairs(table: Table, rows: list[_Row], problems: list[Problem]) -> None:
    first: dict[tuple[str, str], _Row] = {}
    for row in rows:
        pair = (row.values["statement_id"], row.values["claim_id"])
        if pair in first:
            earlier = first[pair]
            same = all(earlier.values[k] == row.values[k] for k in ("stance", "mode"))
            kind = "repeats" if same else "contradicts"
            problems.append(Problem(
                table.file,
                f"second stance of statement {pair[0]!r} on claim {pair[1]!r} {kind} the row at line {earlier.line} "
                f"({earlier.values['stance']}/{earlier.values['mode']} vs {row.values['stance']}/{row.values['mode']}); keep one row per pair",
                line=row.line, column="claim_id",
            ))
        else:
            first[pair] = row


def _check_times(rows: dict[str, list[_Row]], zone: ZoneInfo, problems: list[Problem]) -> dict[tuple[str, str], Interval | None]:
    intervals: dict[tuple[str, str], Interval | None] = {}
    for name in ("statements", "events"):
        table = TABLES[name]
        for row in rows[name]:
            values, label = row.values, _row_label(table, row)
            key = (name, values[table.key])
            if name == "events" and values["statement_id"]:
                filled = [c for c in TIME_COLUMNS if values[c]]
                for column in filled:
                    problems.append(Problem(table.file, "must be blank when statement_id is set (the time is the statement's)", line=row.line, column=column, row_id=label))
                intervals[key] = intervals.get(("statements", values["statement_id"]))
                continue
            if name == "events":
                for column in ("time_precision", "time_basis"):
                    if not values[column]:
                        problems.append(Problem(table.file, "must not be blank when statement_id is blank", line=row.line, column=column, row_id=label))
            if values["time_precision"] not in PRECISIONS:
                continue  # already reported
            try:
                intervals[key] = time_interval(values["time"], values["time_precision"], zone, values["time_earliest"], values["time_latest"])
            except TimeFormatError as exc:
                message = str(exc)
                column = "time_earliest" if "time_earliest" in message or "bounds" in message else "time"
                if "time_latest" in message:
                    column = "time_latest"
                problems.append(Problem(table.file, message, line=row.line, column=column, row_id=label))
                continue
            if name == "statements" and values["status_id"].isdigit() and values["time_basis"] == "derived":
                decoded = snowflake_time(values["status_id"])
                interval = intervals[key]
                if interval is None or not (interval.start - timedelta(seconds=1) <= decoded < interval.end + timedelta(seconds=1)):
                    problems.append(Problem(table.file, f"status id {values['status_id']} decodes to {decoded.isoformat()}, which the time does not cover", line=row.line, column="time", row_id=label))
    return intervals


def _check_evidence(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    texts = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    for name, column in (("stances", "evidence"), ("variants", "words")):
        table = TABLES[name]
        for row in rows[name]:
            statement = row.values["statement_id"]
            words = row.values[column]
            if statement in texts and words and words not in texts[statement]:
                problems.append(Problem(table.file, f"{words!r} does not occur in the text of statement {statement!r}", line=row.line, column=column))


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
    for column in TIME_COLUMNS:
        events.loc[linked, column] = statements.loc[events.loc[linked, "statement_id"], column].to_numpy()
