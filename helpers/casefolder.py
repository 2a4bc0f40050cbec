"""Finding a case folder and reading its files into rows: case.toml as a dict, each CSV file as
a list of ``Row`` (its line number and its cells by column), read by ``csvfile``.

What can go wrong with a file as a whole is found here: a missing file, text that is not UTF-8,
malformed TOML or CSV, a missing or unknown column or key. ``validation`` then checks what the
rows say.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .csvfile import Row, read_rows
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


def read_table(folder: Path, table: Table, problems: list[Problem]) -> list[Row]:
    """The rows of one of the case's CSV files, blank rows left out; none when the file as a whole is wrong."""

    def report(line: int | None, rule: str, message: str, column: str | None = None) -> None:
        problems.append(rule_problem(table.file, rule, message, line=line, column=column))

    try:
        _, rows = read_rows(folder / table.file, table.names, only_these=True, report=report)
    except FileNotFoundError:
        if not table.optional:
            report(None, "file-present", "file is missing (keep the header row even when a table is empty)")
        return []
    return rows
