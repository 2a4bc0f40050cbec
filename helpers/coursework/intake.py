"""Taking submissions in: files from a folder or an LMS zip, the ids in their names, and the roster.

Nothing here runs student code. Only ``.ipynb`` files are submissions; everything else is listed
as skipped. A zip is read member by member in memory (never extracted), each read capped, and a
member that cannot be read becomes that submission's ``rejected`` row, not a stopped batch.

The roster is the gradebook CSV that Canvas exports (``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, then one column per assignment). It maps the Canvas user id in an
export's file names (``smithjane_12345_67890_wording.ipynb``: user 12345) to the id the student
typed into the notebook, taken from one of its columns (``SIS User ID`` unless told otherwise).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import did_you_mean
from .variants import STUDENT_ID, canonical

#: Canvas's names for downloaded submissions: ``name_[LATE_]userid_submissionid_original-name``.
CANVAS_NAME = re.compile(r"^(?P<name>[a-z][a-z-]*)_(?:late_)?(?P<uid>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I)
ROSTER_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
DEFAULT_ID_COLUMN = "SIS User ID"
ASSIGNMENT_COLUMN = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")


class IntakeError(ValueError):
    """Nothing can be graded: no such folder, no notebook in it, or a roster that cannot be used."""


@dataclass
class Submission:
    """One submitted notebook, read but not yet parsed."""

    name: str  # its path inside the folder or zip (unique within the batch)
    data: bytes | None  # None when it was not read (too large, unreadable member)
    file_id: str | None = None  # the id its file name gives (a student id, or a Canvas user id)
    canvas_user_id: str | None = None
    display_name: str = ""
    problem: str | None = None  # why it will not be run, when it will not
    digest: str = field(init=False)

    def __post_init__(self):
        self.digest = hashlib.sha256(self.data or b"").hexdigest()


@dataclass
class Intake:
    submissions: list[Submission]
    skipped: list[tuple[str, str]]  # (name, why), for the summary


def _stem(base: str) -> str:
    return base[: -len(".ipynb")] if base.lower().endswith(".ipynb") else base


def _named(name: str, data: bytes | None, problem: str | None = None, path: str | None = None) -> Submission:
    """A submission called ``name``, its ids from the file name in ``path`` (default: ``name``)."""
    stem = _stem(PurePosixPath(path or name).name)
    match = CANVAS_NAME.match(stem)
    if match:
        return Submission(name, data, match["uid"], match["uid"], match["name"], problem)
    return Submission(name, data, stem if STUDENT_ID.match(stem) else None, None, "", problem)


def _too_large(size: int, limit: int) -> str:
    return f"the file is {size / 1024 / 1024:.1f} MB, over the {limit / 1024 / 1024:.0f} MB limit"


def collect(path: Path, limit_bytes: int) -> Intake:
    """Every notebook in a folder (searched recursively) or an LMS zip, with what was skipped."""
    path = Path(path)
    if path.is_dir():
        found = _from_folder(path, limit_bytes)
    elif path.is_file() and zipfile.is_zipfile(path):
        found = _from_zip(path, limit_bytes)
    elif path.exists():
        raise IntakeError(f"{path}: neither a folder of notebooks nor a zip file")
    else:
        raise IntakeError(f"{path}: no such folder or zip file")
    if not found.submissions:
        skipped = (
            f" ({len(found.skipped)} other file(s) skipped: {', '.join(n for n, _ in found.skipped[:3])}{', ...' if len(found.skipped) > 3 else ''})"
            if found.skipped
            else ""
        )
        raise IntakeError(f"{path}: no notebook (.ipynb) to grade{skipped}")
    return found


def _hidden(parts) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _from_folder(folder: Path, limit: int) -> Intake:
    submissions, skipped = [], []
    for entry in sorted(folder.rglob("*")):
        relative = entry.relative_to(folder)
        name = os.fsencode(relative.as_posix()).decode("utf-8", "replace")  # a name that is not UTF-8 still has a row
        if _hidden(relative.parts) or entry.is_dir():
            continue
        if not entry.name.lower().endswith(".ipynb"):
            skipped.append((name, "not a notebook (.ipynb)"))
        elif entry.is_symlink() or not entry.is_file():
            skipped.append((name, "not a regular file"))
        else:
            size = entry.stat().st_size
            submissions.append(
                _named(name, entry.read_bytes() if size <= limit else None, None if size <= limit else _too_large(size, limit))
            )
    return Intake(submissions, skipped)


def _unsafe(member: str) -> bool:
    path = PurePosixPath(member.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", member) is not None


def _from_zip(archive_path: Path, limit: int) -> Intake:
    submissions, skipped = [], []
    seen: dict[str, int] = {}
    try:
        archive = zipfile.ZipFile(archive_path)
        members = sorted(archive.infolist(), key=lambda i: i.filename)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise IntakeError(f"{archive_path}: the zip file cannot be read ({error})") from None
    with archive:
        for info in members:
            member = info.filename
            parts = PurePosixPath(member).parts
            unsafe = _unsafe(member)
            if info.is_dir() or not parts or (_hidden(parts) and not unsafe):
                continue
            if not member.lower().endswith(".ipynb"):
                skipped.append((member, "not a notebook (.ipynb)"))
                continue
            seen[member] = seen.get(member, 0) + 1
            name = member if seen[member] == 1 else f"{member}#{seen[member]}"
            if unsafe:
                problem = f"the zip member's path {member!r} leaves the archive's folder (.. or an absolute path)"
                submissions.append(_named(name, None, problem, member))
                continue
            data, problem = _read_member(archive, info, limit)
            submissions.append(_named(name, data, problem, member))
    return Intake(submissions, skipped)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[bytes | None, str | None]:
    """The member's bytes, read at most ``limit`` (a size field can lie), or why it cannot be read."""
    if info.flag_bits & 0x1:
        return None, "the zip member is encrypted"
    if info.file_size > limit:
        return None, _too_large(info.file_size, limit)
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as error:
        return None, f"the zip member cannot be read ({type(error).__name__}: {str(error)[:120]})"
    if len(data) > limit:
        return None, f"the zip member unpacks to more than its stated size, over the {limit / 1024 / 1024:.0f} MB limit"
    return data, None


CELL_TYPES = ("code", "markdown", "raw")


def parse_notebook(data: bytes) -> dict:
    """The submission as a notebook (its JSON, each cell's source as one text), or ValueError saying why it is not one.

    The grader checks what it reads: a notebook of format 4 whose cells each have a known type, a
    source that is text (or a list of lines) and metadata that is an object. It never reads the
    outputs (the code runs afresh), so it does without nbformat's schema, whose import costs this
    process a second and 36 MiB (#23); the worker that runs the notebook loads it as nbformat does.
    """
    if not data.strip():
        raise ValueError("unreadable: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"unreadable: not UTF-8 text (byte {error.start})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"unreadable: not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise ValueError("unreadable: the JSON is nested too deeply") from None
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("unreadable: the notebook holds text that is not valid Unicode (a lone surrogate)") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise ValueError(f"unreadable: not an nbformat 4 notebook (nbformat is {version!r})")
    problem = _notebook_problem(raw)
    if problem:
        raise ValueError(f"unreadable: not a valid notebook ({problem})")
    for cell in raw["cells"]:  # the file format allows a cell's source as a list of lines
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
    return raw


def _notebook_problem(raw: dict) -> str:
    """What makes ``raw`` no notebook the grader can read, or ``""``."""
    if not isinstance(raw.get("metadata", {}), dict):
        return "its metadata is not an object"
    if not isinstance(raw.get("cells"), list):
        return "its cells are not a list"
    for index, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict):
            return f"cell {index} is not an object"
        if cell.get("cell_type") not in CELL_TYPES:
            return f"cell {index} has cell_type {str(cell.get('cell_type'))[:40]!r}, not one of {', '.join(CELL_TYPES)}"
        source = cell.get("source")
        if not isinstance(source, str) and not (isinstance(source, list) and all(isinstance(line, str) for line in source)):
            return f"cell {index}'s source is not text"
        if not isinstance(cell.get("metadata", {}), dict):
            return f"cell {index}'s metadata is not an object"
    return ""


# --------------------------------------------------------------------------- the roster


@dataclass(frozen=True)
class RosterEntry:
    line: int
    student: str  # the name as Canvas writes it ("Smith, Jane")
    canvas_id: str
    student_id: str  # the value of the id column: the id the student types in the notebook
    lms: dict  # the columns Canvas matches students by, as exported

    @property
    def key(self) -> str:
        return canonical(self.student_id)


@dataclass
class Roster:
    path: Path
    id_column: str
    entries: list[RosterEntry]
    assignments: dict[str, str]  # column header -> Canvas assignment id, for "Name (123)" columns
    points_possible: dict[str, str]

    def by_canvas_id(self, canvas_id: str) -> RosterEntry | None:
        return next((e for e in self.entries if e.canvas_id == canvas_id), None)

    def by_student_id(self, student_id: str) -> RosterEntry | None:
        key = canonical(student_id)
        return next((e for e in self.entries if e.key == key), None)

    def assignment(self, wanted: str) -> str | None:
        """The header of the assignment column ``wanted`` names: full header, name, or id."""
        for header, number in self.assignments.items():
            name = ASSIGNMENT_COLUMN.match(header)["name"]
            if wanted in (header, number) or canonical(wanted) == canonical(name):
                return header
        return None


def read_roster(path: Path, id_column: str = DEFAULT_ID_COLUMN) -> Roster:
    """The students of a Canvas gradebook export; ``IntakeError`` names the file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IntakeError(f"--roster {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise IntakeError(f"--roster {path}: cannot be read as UTF-8 text ({error})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise IntakeError(f"--roster {path}: the file is empty")
    header = [h.strip() for h in rows[0]]
    for needed in ("Student", "ID", id_column):
        if needed not in header:
            hint = did_you_mean(needed, header)
            raise IntakeError(
                f"--roster {path}: no column {needed!r}{hint}; a Canvas gradebook export has {', '.join(ROSTER_COLUMNS)}"
                + ("" if needed != id_column else " (choose the id column with --roster-id-column)")
            )
    index = {name: header.index(name) for name in header}
    assignments = {h: ASSIGNMENT_COLUMN.match(h)["id"] for h in header if ASSIGNMENT_COLUMN.match(h)}
    entries, points = [], {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        if cells["Student"] == "Points Possible":
            points = {h: cells[h] for h in assignments}
            continue
        if not cells["ID"]:  # Canvas's "Manual Posting" row and blank lines
            continue
        lms = {name: cells[name] for name in ROSTER_COLUMNS if name in cells}
        entries.append(RosterEntry(line, cells["Student"], cells["ID"], cells[id_column], lms))
    _check_unique(path, entries, "ID", lambda e: e.canvas_id)
    _check_unique(path, [e for e in entries if e.student_id], id_column, lambda e: e.key)
    return Roster(path, id_column, entries, assignments, points)


def _check_unique(path: Path, entries: list[RosterEntry], column: str, key) -> None:
    first: dict[str, int] = {}
    for entry in entries:
        if key(entry) in first:
            raise IntakeError(
                f"--roster {path}, lines {first[key(entry)]} and {entry.line}: the same {column} {key(entry)!r}; "
                "each student must appear once"
            )
        first[key(entry)] = entry.line
