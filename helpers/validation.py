"""Checking a case folder against every rule of data/README.md, without building its tables.

``check_case`` reads the folder (``casefolder``), checks what its rows say, rule by rule, and
returns them with each statement's and event's time interval; ``case.load_case`` builds the
case's DataFrames from that. Each check belongs to one named rule of the data dictionary
(``schema.RULES``), and its message ends with the rule's name, so an author can look it up;
``tests/test_validation.py`` breaks each rule once to see it caught. Nothing here needs pandas,
so ``casework list`` can read the cases' titles from checked cases at once (#23).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .casefolder import read_metadata, read_table, resolve_case
from .csvfile import Row, read_rows
from .errors import CaseDataError, Problem
from .paths import DATA_DIR, METADATA_FILE
from .schema import ID_PATTERN, SINGLE_PARTS, TABLES, TEACHING_PARTS, TIME_COLUMNS, Table, rule_problem
from .text import split_sentences
from .times import PRECISIONS, Interval, TimeFormatError, parse_bound, snowflake_time, time_interval


@dataclass
class CheckedCase:
    """A case folder that breaks no rule: case.toml's keys (with ``zone``), each file's rows, and the times."""

    folder: Path
    metadata: dict
    rows: dict[str, list[Row]]
    intervals: dict[tuple[str, str], Interval | None]


def check_case(case: str | Path) -> CheckedCase:
    """Read and check a case by built-in id or folder path.

    Raises ``UnknownCaseError`` for an unknown id and ``CaseDataError`` (listing every problem,
    each with file, line and column) for a folder that breaks data/README.md.
    """
    folder = resolve_case(case)
    problems: list[Problem] = []
    metadata = read_metadata(folder, problems)
    rows = {name: read_table(folder, table, problems) for name, table in TABLES.items()}
    if problems:  # structural problems make the rest meaningless
        raise CaseDataError(str(case), problems)

    for name, table in TABLES.items():
        _check_columns(table, rows[name], rows, problems)
    intervals = _check_times(rows, metadata["zone"], problems)
    _check_speakers(rows, metadata["organisation"], metadata.get("aliases", []), problems)
    _check_quantities(rows, problems)
    _check_claims_present(rows, problems)
    _check_evidence(rows, problems)
    _check_coding(rows, problems)
    _check_teaching(rows, problems)
    _check_metadata_references(metadata, rows, intervals, problems)
    if problems:
        raise CaseDataError(str(case), problems)
    return CheckedCase(folder, metadata, rows, intervals)


def validate_case(case: str | Path) -> list[Problem]:
    """Every problem in a case folder (empty when it is valid)."""
    try:
        check_case(case)
    except CaseDataError as exc:
        return exc.problems
    return []


def _row_label(table: Table, row: Row) -> str | None:
    return f"{table.key}={row.values[table.key]}" if table.key and row.values.get(table.key) else None


def _ids(rows: dict[str, list[Row]], name: str) -> set[str]:
    key = TABLES[name].key
    return {r.values[key] for r in rows[name]}


def _reporter(table: Table, row: Row, problems: list[Problem]):
    """A function that records a problem of ``row`` in ``column`` under a rule."""
    label = _row_label(table, row)

    def report(column: str, rule: str, message: str) -> None:
        problems.append(rule_problem(table.file, rule, message, line=row.line, column=column, row_id=label))

    return report


def _check_columns(table: Table, rows: list[Row], all_rows: dict[str, list[Row]], problems: list[Problem]) -> None:
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


def _check_fact_values(table: Table, rows: list[Row], problems: list[Problem]) -> None:
    for row in rows:
        kind, value = row.values["value_type"], row.values["value"]
        if kind in ("number", "money"):
            valid = _is_number(value)
        else:
            valid = kind != "date" or _is_iso_date(value)
        if not valid:
            _reporter(table, row, problems)("value", "fact-value", f"{value!r} is not a valid {kind}")


def _check_stance_pairs(table: Table, rows: list[Row], problems: list[Problem]) -> None:
    first: dict[tuple[str, str], Row] = {}
    for row in rows:
        pair = (row.values["statement_id"], row.values["claim_id"])
        if pair in first:
            earlier = first[pair]
            same = all(earlier.values[k] == row.values[k] for k in ("stance", "mode"))
            kind = "repeats" if same else "contradicts"
            _reporter(table, row, problems)(
                "claim_id",
                "stance-once",
                f"second stance of statement {pair[0]!r} on claim {pair[1]!r} {kind} the row at line {earlier.line} "
                f"({earlier.values['stance']}/{earlier.values['mode']} vs {row.values['stance']}/{row.values['mode']}); keep one row per pair",
            )
        else:
            first[pair] = row


def _check_times(rows: dict[str, list[Row]], zone: ZoneInfo, problems: list[Problem]) -> dict[tuple[str, str], Interval | None]:
    intervals: dict[tuple[str, str], Interval | None] = {}
    for name in ("statements", "events"):
        table = TABLES[name]
        for row in rows[name]:
            values, report = row.values, _reporter(table, row, problems)
            key = (name, values[table.key])
            if name == "events" and values["statement_id"]:
                for column in (*TIME_COLUMNS, "status_id"):
                    if values[column]:
                        report(
                            column,
                            "event-time-or-statement",
                            "must be blank when statement_id is set (the time is the statement's)",
                        )
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
                if interval is None or not (
                    interval.start - timedelta(seconds=1) <= decoded < interval.end + timedelta(seconds=1)
                ):
                    report(
                        "time",
                        "derived-time-status-id",
                        f"status id {values['status_id']} decodes to {decoded.isoformat()}, which the time does not cover",
                    )
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
            report(
                "time_latest" if precision == "unknown" else "time_earliest" if earliest else "time_latest",
                "bounds-leave-time",
                message,
            )
        else:
            report("time", "time-form", message)
        return False


def _check_speakers(rows: dict[str, list[Row]], organisation: str, aliases: list, problems: list[Problem]) -> None:
    """Who speaks for whom: the organisation and its employees belong to it; a third party does not."""
    table = TABLES["statements"]
    names = {organisation, *[a for a in aliases if isinstance(a, str)]}
    for row in rows["statements"]:
        speaks_for, belongs = row.values["speaks_for"], row.values["organisation"]
        report = _reporter(table, row, problems)
        if speaks_for in ("organisation", "employee") and belongs != organisation:
            report(
                "organisation",
                "speaks-for-organisation",
                f"speaks_for is {speaks_for!r}, so organisation must be the case's organisation {organisation!r}, got {belongs!r}",
            )
        elif speaks_for == "third-party" and belongs in names:
            report(
                "speaks_for",
                "speaks-for-organisation",
                f"organisation {belongs!r} is the case's own: use 'organisation' (it speaks officially) or 'employee' (for themself)",
            )


def _check_quantities(rows: dict[str, list[Row]], problems: list[Problem]) -> None:
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
                report(
                    "quantity_unit",
                    "quantity-series",
                    f"series {series!r} is counted in {first_unit!r} at line {line}, not {unit!r}",
                )


def _check_claims_present(rows: dict[str, list[Row]], problems: list[Problem]) -> None:
    """A case has at least one claim and one stance: what lesson 04, lesson 06 and the contradictions exercise read."""
    for name, what in (("claims", "claim"), ("stances", "stance of a statement on a claim")):
        if not rows[name]:
            problems.append(
                rule_problem(
                    TABLES[name].file,
                    "claims-and-stances",
                    f"has no rows: a case needs at least one {what}, which the contradictions lesson (04), "
                    "the comparison (06) and the contradictions exercise read",
                    line=2,
                )
            )


def _check_evidence(rows: dict[str, list[Row]], problems: list[Problem]) -> None:
    texts = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    for name, column in (("stances", "evidence"), ("variants", "words")):
        table = TABLES[name]
        for row in rows[name]:
            statement = row.values["statement_id"]
            words = row.values[column]
            if statement in texts and words and words not in texts[statement]:
                _reporter(table, row, problems)(
                    column, "words-in-text", f"{words!r} does not occur in the text of statement {statement!r}"
                )


def _check_coding(rows: dict[str, list[Row]], problems: list[Problem]) -> None:
    """Reference coding: a real sentence of the statement, a strategy of the scheme, evidence in that sentence."""
    table = TABLES["coding"]
    strategies: dict[str, set[str]] = {}
    _, records = read_rows(DATA_DIR / "schemes" / "strategies.csv", ("scheme", "strategy"))
    for record in records:
        strategies.setdefault(record.values["scheme"], set()).add(record.values["strategy"])
    texts = {r.values["statement_id"]: r.values["text"] for r in rows["statements"]}
    first: dict[tuple[str, str, str], int] = {}
    for row in rows["coding"]:
        values, report = row.values, _reporter(table, row, problems)
        sid, number, scheme = values["statement_id"], values["sentence"], values["scheme"]
        if sid not in texts or scheme not in strategies:
            continue  # reported by the column checks
        spans = split_sentences(texts[sid])
        if not number.isdigit() or not 1 <= int(number) <= len(spans):
            report(
                "sentence", "coding-sentence", f"{number!r} is not a sentence number of statement {sid!r} (it has {len(spans)})"
            )
            continue
        if values["strategy"] not in strategies[scheme]:
            report(
                "strategy",
                "coding-strategy",
                f"{values['strategy']!r} is not a {scheme} strategy (allowed: {', '.join(sorted(strategies[scheme]))})",
            )
        start, end = spans[int(number) - 1]
        if values["evidence"] and values["evidence"] not in texts[sid][start:end]:
            report(
                "evidence", "coding-evidence", f"{values['evidence']!r} does not occur in sentence {number} of statement {sid!r}"
            )
        key = (sid, number, scheme)
        if key in first:
            report(
                "sentence",
                "coding-once",
                f"sentence {number} of {sid!r} is coded twice for {scheme} (first at line {first[key]})",
            )
        first.setdefault(key, row.line)


def _check_teaching(rows: dict[str, list[Row]], problems: list[Problem]) -> None:
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
            report(
                "lesson",
                "teaching-part-lesson",
                f"lesson {lesson} shows no {part!r} text (it is shown in lesson {', '.join(TEACHING_PARTS[part])})",
            )
        if part == "close-reading" and values["about"] not in statements:
            report("about", "teaching-about", "a close-reading note must name the statement it reads (about = a statement id)")
        if part == "try-phrase":
            if values["about"] not in statements:
                report(
                    "about",
                    "teaching-about",
                    "a try-phrase row must name the statement its words come from (about = a statement id)",
                )
            elif values["text"] not in statements[values["about"]]:
                report(
                    "text", "teaching-about", f"{values['text']!r} does not occur in the text of statement {values['about']!r}"
                )
        if part in SINGLE_PARTS:
            key = (lesson, part)
            if key in first:
                report("part", "teaching-once", f"lesson {lesson} shows one {part!r} text; the first is at line {first[key]}")
            first.setdefault(key, row.line)


def _check_metadata_references(metadata: dict, rows: dict[str, list[Row]], intervals: dict, problems: list[Problem]) -> None:
    """case.toml's trigger event and first response name rows of the right kind."""
    trigger = metadata.get("trigger_event")
    if isinstance(trigger, str) and trigger:
        if trigger not in _ids(rows, "events"):
            problems.append(
                rule_problem(
                    METADATA_FILE, "trigger-event", f"unknown event id {trigger!r} (not in events.csv)", column="trigger_event"
                )
            )
        elif intervals.get(("events", trigger)) is None:
            problems.append(
                rule_problem(
                    METADATA_FILE,
                    "trigger-event",
                    f"event {trigger!r} has no known time, so nothing can be measured from it",
                    column="trigger_event",
                )
            )
    response = metadata.get("first_response")
    if isinstance(response, str) and response:
        found = {r.values["statement_id"]: r.values for r in rows["statements"]}.get(response)
        if found is None:
            problems.append(
                rule_problem(
                    METADATA_FILE,
                    "first-response",
                    f"unknown statement id {response!r} (not in statements.csv)",
                    column="first_response",
                )
            )
        elif found["speaks_for"] != "organisation" or found["audience"] not in ("press", "public"):
            problems.append(
                rule_problem(
                    METADATA_FILE,
                    "first-response",
                    f"statement {response!r} must speak for the organisation "
                    f"(speaks_for 'organisation') to the press or the public, not {found['speaks_for']!r} to "
                    f"{found['audience']!r}",
                    column="first_response",
                )
            )
        elif intervals.get(("statements", response)) is None:
            problems.append(
                rule_problem(
                    METADATA_FILE, "first-response", f"statement {response!r} has no known time", column="first_response"
                )
            )
