"""Reading a CSV file strictly: UTF-8 text (a byte-order mark is allowed), a header row naming
the columns a caller needs, and every row as wide as the header.

The case's tables, the lexicon, the schemes, the norms, a student's coding and the course
objectives are all read here. A file that breaks one of these rules gets a problem
naming the file, the line and the column, and the name of the rule (the rules of data/README.md:
``utf8``, ``header-row``, ``known-columns``, ``csv-form``). What the rows say is the caller's to check.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CsvFileError, Problem

if TYPE_CHECKING:  # the annotation only; pandas itself is imported where a frame is made
    import pandas as pd

#: ``report(line, rule, message, column=None)``: told of each problem with the file as a whole.
Report = Callable[..., None]


@dataclass
class Row:
    """One row of a CSV file: the line it starts on, and its cells (stripped) by column."""

    line: int
    values: dict[str, str]


def read_rows(
    path: Path,
    columns: Iterable[str],
    *,
    only_these: bool = False,
    report: Report | None = None,
) -> tuple[list[str], list[Row]]:
    """The header (stripped) and the rows of the CSV file at ``path``, blank rows left out.

    Each of ``columns`` must be in the header, and no column twice; with ``only_these`` no other
    column may be. With ``report``, each problem goes to it and what could be read is returned (no
    rows when the file as a whole is wrong); without, a file with any problem raises ``CsvFileError``
    listing them all, each named by the file's name. A missing file raises ``FileNotFoundError``,
    for the caller to word.
    """
    found: list[Problem] = []
    if report is None:

        def report(line: int | None, rule: str, message: str, column: str | None = None) -> None:
            found.append(Problem(path.name, message, line=line, column=column))

    header, rows = _read(path, list(columns), only_these, report)
    if found:
        raise CsvFileError(path, found)
    return header, rows


def read_frame(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    """The CSV file at ``path`` as a DataFrame of strings (a blank cell is ``""``), columns in the file's order."""
    import pandas as pd  # only here: `casework list` reads the case files with read_rows, without pandas (#23)

    header, rows = read_rows(path, columns)
    return pd.DataFrame([row.values for row in rows], columns=header, dtype=str)


def _read(path: Path, columns: list[str], only_these: bool, report: Report) -> tuple[list[str], list[Row]]:
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # the byte is counted after the byte-order mark, as before
        line = data[: exc.start].count(b"\n") + 1
        report(line, "utf8", f"not valid UTF-8 text ({exc.reason} at byte {exc.start})")
        return [], []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        first = next(reader, None)
        if first is None:
            report(1, "header-row", "file is empty: it needs a header row")
            return [], []
        header = [h.strip() for h in first]
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns] if only_these else []
        duplicates = sorted({h for h in header if header.count(h) > 1})
        for column in missing:
            report(1, "known-columns", "missing column", column)
        for column in extra:
            report(1, "known-columns", f"unknown column (allowed: {', '.join(columns)})", column)
        for column in duplicates:
            report(1, "known-columns", "column appears twice", column)
        if missing or extra or duplicates:
            return header, []
        rows: list[Row] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                report(start, "csv-form", f"has {len(record)} fields, the header has {len(header)}")
                continue
            rows.append(Row(start, {h: cell.strip() for h, cell in zip(header, record)}))
        return header, rows
    except csv.Error as exc:
        report(reader.line_num, "csv-form", f"malformed CSV: {exc}")
        return [], []
