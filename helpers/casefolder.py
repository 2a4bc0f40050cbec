"""Finding a case folder and reading its files into rows: case.toml as a dict, each CSV file as
a list of ``Row`` (its line number and its cells by column).

What can go wrong with a file as a whole is found here: a missing file, text that is not UTF-8,
malformed TOML or CSV, a missing or unknown column or key. ``validation`` then checks what the
rows say.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, UnknownCaseError
from .paths import CASES_DIR, METADATA_FILE, list_cases
from .schema import ID_PATTERN, METADATA_KEYS, Table, rule_problem
from .times import get_zone


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


def read_metadata(folder: Path, problems: list[Problem]) -> dict:
    """case.toml as a dict, with ``zone`` added when its timezone is known; each problem goes to ``problems``."""
    path = folder / METADATA_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(rule_problem(METADATA_FILE, "file-present", "file is missing"))
        return {}
    except UnicodeDecodeError as exc:
        problems.append(rule_problem(METADATA_FILE, "utf8", f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(rule_problem(METADATA_FILE, "toml-form", f"not valid TOML: {exc}"))
        return {}
    for key, (kind, required) in METADATA_KEYS.items():
        if key not in data:
            if required:
                problems.append(rule_problem(METADATA_FILE, "toml-keys", "missing key", column=key))
        elif not isinstance(data[key], kind) or (kind is str and not data[key].strip()):
            article = "a list" if kind is list else f"a non-empty {kind.__name__}"
            problems.append(rule_problem(METADATA_FILE, "toml-keys", f"must be {article}, got {data[key]!r}", column=key))
    for key in sorted(set(data) - set(METADATA_KEYS)):
        problems.append(
            rule_problem(METADATA_FILE, "toml-keys", f"unknown key (allowed: {', '.join(METADATA_KEYS)})", column=key)
        )
    if isinstance(data.get("case_id"), str) and data["case_id"] != folder.name:
        problems.append(
            rule_problem(
                METADATA_FILE,
                "case-id-folder",
                f"case_id {data['case_id']!r} differs from the folder name {folder.name!r}",
                column="case_id",
            )
        )
    if isinstance(data.get("timezone"), str):
        try:
            data["zone"] = get_zone(data["timezone"])
        except ValueError as exc:
            problems.append(rule_problem(METADATA_FILE, "timezone", str(exc), column="timezone"))
    if isinstance(data.get("aliases"), list):
        seen: set[str] = {data.get("organisation")}
        for alias in data["aliases"]:
            if not isinstance(alias, str) or not alias.strip():
                problems.append(
                    rule_problem(
                        METADATA_FILE, "aliases", f"each alias must be a non-empty string, got {alias!r}", column="aliases"
                    )
                )
            elif alias in seen:
                problems.append(
                    rule_problem(
                        METADATA_FILE,
                        "aliases",
                        f"{alias!r} is given twice (or is the organisation's own name)",
                        column="aliases",
                    )
                )
            seen.add(alias)
    if data.get("fictional") is True and folder.resolve().is_relative_to(CASES_DIR.resolve()):
        problems.append(
            rule_problem(
                METADATA_FILE,
                "fictional-outside-data",
                "a fictional case may not live under data/cases (keep it with the tests or examples)",
                column="fictional",
            )
        )
    return data


@dataclass
class Row:
    """One row of a CSV file: the line it starts on, and its cells (stripped) by column."""

    line: int
    values: dict[str, str]


def read_table(folder: Path, table: Table, problems: list[Problem]) -> list[Row]:
    """The rows of one of the case's CSV files, blank rows left out; none when the file as a whole is wrong."""
    path = folder / table.file
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if not table.optional:
            problems.append(
                rule_problem(table.file, "file-present", "file is missing (keep the header row even when a table is empty)")
            )
        return []
    except UnicodeDecodeError as exc:
        problems.append(rule_problem(table.file, "utf8", f"not valid UTF-8 text ({exc.reason} at byte {exc.start})"))
        return []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(rule_problem(table.file, "header-row", "file is empty: it needs a header row", line=1))
            return []
        header = [h.strip() for h in header]
        missing = [c for c in table.names if c not in header]
        extra = [c for c in header if c not in table.names]
        for name in missing:
            problems.append(rule_problem(table.file, "known-columns", "missing column", line=1, column=name))
        for name in extra:
            problems.append(
                rule_problem(
                    table.file, "known-columns", f"unknown column (allowed: {', '.join(table.names)})", line=1, column=name
                )
            )
        duplicates = {h for h in header if header.count(h) > 1}
        for name in sorted(duplicates):
            problems.append(rule_problem(table.file, "known-columns", "column appears twice", line=1, column=name))
        if missing or extra or duplicates:
            return []
        rows: list[Row] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(
                    rule_problem(table.file, "csv-form", f"has {len(record)} fields, the header has {len(header)}", line=start)
                )
                continue
            rows.append(Row(start, {h: cell.strip() for h, cell in zip(header, record)}))
        return rows
    except csv.Error as exc:
        problems.append(rule_problem(table.file, "csv-form", f"malformed CSV: {exc}", line=reader.line_num))
        return []
