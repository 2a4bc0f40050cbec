"""Manual grading of written answers: the instructor's points and comments per rubric row, kept beside the gradebook.

``casework grade`` writes ``OUT/manual-grades.csv``: one row per submission, written question and
rubric row, with the automatic pre-check's points beside every automatic row and a blank
``points`` cell for every row the instructor grades. The instructor fills it in, with
``casework review OUT`` (which shows each student's text beside its pre-checks and rubric rows
and asks for the points and a comment per row) or in a spreadsheet. Every run of ``casework
grade`` or ``casework review`` reads the sheet back before it writes the gradebook, the feedback
pages and the Canvas import file, so the points entered are in all three, and a regrade keeps them.

- A blank ``points`` cell of an instructor's row leaves the row open: the submission is not final
  and its Canvas cell stays blank. Once every row of it is graded, it is exported.
- A number in an automatic row's ``points`` overrules the pre-check (its comment says why).
- Each row carries a digest of the answer it was graded on. When a resubmission changes the
  answer, the old points no longer apply: the row says so in ``problem`` and is open again
  (blank the digest cell to apply the points to the new answer anyway).
- A row that cannot be applied (not a number, more than the row is worth, a criterion the rubric
  does not have, a submission not in this run) is kept as it was, with the reason in ``problem``:
  nothing the instructor wrote is lost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .checks import text_feedback
from .results import QuestionResult, SubmissionResult

MANUAL_FILE = "manual-grades.csv"
REVIEW_PAGE = "review.html"
RUN_FILE = "run.json"  # under OUT/results/: what ``casework review`` needs to write the outputs again
COLUMNS = (
    "submission",
    "student_id",
    "question",
    "criterion",
    "kind",
    "of",
    "pre_check",
    "points",
    "comment",
    "answer_sha256",
    "problem",
)
GRADED = ("pre-checked", "graded")  # the statuses of a written answer the instructor can grade


class ReviewError(ValueError):
    """A grading folder or manual-grades file that cannot be used; the message names it."""


def answer_digest(answer) -> str:
    return hashlib.sha256(json.dumps(answer, sort_keys=True, ensure_ascii=True).encode()).hexdigest()[:16]


@dataclass
class ManualEntry:
    """One row of the manual-grades sheet as the instructor left it."""

    submission: str
    question: str
    criterion: str
    points: str  # as written ('' for not graded); checked when applied
    comment: str
    answer_sha256: str
    values: dict = field(default_factory=dict)  # the whole row, written back as it was when it cannot be applied
    problem: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.submission, self.question, self.criterion


def read_sheet(path: Path) -> list[ManualEntry]:
    """The sheet's rows (none when there is no sheet yet); a sheet that is not one is an error naming it."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ReviewError(f"{path}: cannot read it ({error})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("submission", "question", "criterion", "points", "comment") if c not in (reader.fieldnames or [])]
    if missing:
        raise ReviewError(f"{path}: missing column(s) {', '.join(missing)} (the columns are {', '.join(COLUMNS)})")
    entries = []
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if k}
        # a cell the CSV writer protected from spreadsheets starts with "'": read it as what it protects
        values = {k: v[1:] if v.startswith("'") and v[1:2] in "=+-@" else v for k, v in values.items()}
        entries.append(
            ManualEntry(
                values.get("submission", ""),
                values.get("question", ""),
                values.get("criterion", ""),
                values.get("points", ""),
                values.get("comment", ""),
                values.get("answer_sha256", ""),
                values,
            )
        )
    return entries


def _reset(question: QuestionResult) -> None:
    """The question as the grader left it: pre-checks as computed, the instructor's rows open."""
    for criterion in question.criteria:
        criterion.points = (criterion.of if criterion.passed else 0) if criterion.automatic else None
        criterion.comment, criterion.overruled = "", False


def text_questions(result: SubmissionResult) -> list[QuestionResult]:
    return [q for q in result.questions if q.criteria and q.status in GRADED]


def apply_sheet(results: list[SubmissionResult], entries: list[ManualEntry]) -> list[ManualEntry]:
    """Put the instructor's points and comments into ``results`` (in place); return the entries, each with its problem if any."""

    questions = {(r.submission, q.question): q for r in results for q in text_questions(r)}
    for question in questions.values():
        _reset(question)
    seen: set[tuple[str, str, str]] = set()
    for entry in entries:
        entry.problem = ""
        question = questions.get((entry.submission, entry.question))
        criterion = next((c for c in question.criteria if c.criterion == entry.criterion), None) if question else None
        if question is None:
            entry.problem = "no written answer of this submission and question in this grading run"
        elif criterion is None:
            entry.problem = f"the rubric has no criterion {entry.criterion!r}"
        elif entry.key in seen:
            entry.problem = "this row appears twice in the sheet; the first one counts"
        elif entry.answer_sha256 and entry.answer_sha256 != answer_digest(question.answer):
            entry.problem = (
                "the answer changed since this row was graded: grade it again (or blank answer_sha256 to keep these points)"
            )
        elif entry.points:
            try:
                points = float(entry.points)
            except ValueError:
                entry.problem = f"points {entry.points!r} is not a number"
            else:
                if not 0 <= points <= criterion.of:
                    entry.problem = f"points {entry.points} is outside 0 to {criterion.of:g}"
                else:
                    criterion.points, criterion.overruled = (
                        points,
                        criterion.automatic and points != (criterion.of if criterion.passed else 0),
                    )
        if not entry.problem and criterion is not None:
            criterion.comment = entry.comment
        seen.add(entry.key)
    for question in questions.values():
        question.total_criteria()
        question.status = "pre-checked" if question.manual_of else "graded"
        question.feedback = text_feedback(question)
    return entries


def sheet_rows(results: list[SubmissionResult], entries: list[ManualEntry]) -> list[list]:
    """The sheet to write: a row per current rubric row (keeping what was entered), then every entry no current row took."""
    by_key = {}
    for entry in entries:
        by_key.setdefault(entry.key, entry)
    rows, used = [list(COLUMNS)], set()
    for result in results:
        for question in text_questions(result):
            digest = answer_digest(question.answer)
            for criterion in question.criteria:
                key = (result.submission, question.question, criterion.criterion)
                entry = by_key.get(key)
                used.add(key)
                points = entry.points if entry else ""
                stale = entry is not None and entry.answer_sha256 and entry.answer_sha256 != digest
                rows.append(
                    [
                        result.submission,
                        result.student_id,
                        question.question,
                        criterion.criterion,
                        "automatic" if criterion.automatic else "instructor",
                        criterion.of,
                        (criterion.of if criterion.passed else 0) if criterion.automatic else "",
                        points,
                        entry.comment if entry else "",
                        entry.answer_sha256 if stale else digest,
                        entry.problem if entry else "",
                    ]
                )
    for entry in entries:
        if entry.key not in used:
            used.add(entry.key)
            rows.append([entry.values.get(c, "") for c in COLUMNS[:-1]] + [entry.problem])
    return rows


# --------------------------------------------------------------------------- the review page
