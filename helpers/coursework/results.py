"""What grading one submission produces: typed results, the statuses, and what may go to the LMS.

A :class:`SubmissionResult` is built in the grader's process from plain data only (the answers the
kernel recorded, the execution report, the identity found in the notebook). Every output file
(gradebook, Canvas import, feedback, summary) is written from these objects and nothing else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Every status a row can have, with what it means; the gradebook and the README use these words.
# fmt: off
STATUSES = {
    "graded": "every cell ran; the score is final",
    "graded-with-errors": "the notebook ran to the end, but some cells raised errors or hit the cell time limit; the score is final",
    "needs-review": "the grader cannot be sure whose work this is or which variant it answers (the reason names both ids); "
                    "the score shown is for the variant the notebook used and is not exported",
    "timed-out": "the notebook was stopped at its time limit; answers recorded before then are scored, not exported",
    "kernel-died": "the kernel died (a crash, os._exit or out of memory); answers recorded before then are scored, not exported",
    "failed": "the grader could not run the notebook at all",
    "unreadable": "the file is not a readable notebook",
    "rejected": "the file was not run (too large, or no usable name)",
    "tampered": "the submission changed the grader's own files; they were restored and the score voided",
    "missing": "a roster student with no submission",
}
# fmt: on

#: Statuses whose score is the student's grade: only these are written to the LMS import file.
FINAL = ("graded", "graded-with-errors")


@dataclass
class CriterionResult:
    """One rubric row of a written answer: an automatic pre-check, or a row the instructor grades."""

    criterion: str
    description: str
    of: float
    automatic: bool
    points: float | None = None  # earned; None while the instructor has not graded a manual row
    passed: bool | None = None  # an automatic pre-check: whether it was met
    evidence: list[str] = field(default_factory=list)  # what made a pre-check fail (sentences), for the instructor
    comment: str = ""  # the instructor's comment on this row
    overruled: bool = False  # the instructor changed the points of an automatic row

    @property
    def pending(self) -> bool:
        return self.points is None


@dataclass
class QuestionResult:
    """One question of one submission."""

    question: str
    points: float
    of: float
    status: str  # correct, incorrect, wrong form, unanswered, conflict, missing, pre-checked, voided
    feedback: str
    answer: Any = None  # the answer as recorded (plain JSON data), when one was
    answered: bool = False
    expected: Any = None  # for the instructor, and for feedback only with --reveal
    manual_of: float = 0  # points of rubric rows the instructor has still to grade (0: nothing left to enter)
    criteria: list[CriterionResult] = field(default_factory=list)  # a written answer's rubric rows

    def total_criteria(self) -> None:
        """Points and what is still to enter, from the rubric rows (after the instructor's entries)."""
        self.points = round(sum(c.points or 0 for c in self.criteria), 3)
        self.manual_of = round(sum(c.of for c in self.criteria if c.pending), 3)

    @classmethod
    def from_json(cls, data: dict) -> QuestionResult:
        return cls(**{**data, "criteria": [CriterionResult(**c) for c in data.get("criteria", [])]})


@dataclass
class SubmissionResult:
    """One row of the gradebook: one submitted file (or one roster student without a file)."""

    submission: str  # the file's name as submitted ('' for a missing student)
    student_id: str  # whose work the file is, from its name or the roster ('' when unknown)
    name: str = ""  # the student's name, when the LMS export or the roster gives one
    notebook_id: str = ""  # the student id the notebook itself set (its parameters cell)
    variant_of: str = ""  # the id whose variant the answers were checked against ('' when none was)
    variant: dict = field(default_factory=dict)
    case_id: str = ""
    status: str = "graded"
    reasons: list[str] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)
    max_score: float = 0
    roster: dict = field(default_factory=dict)  # the roster row's LMS columns (ID, SIS User ID, ...)
    isolation: str = ""  # which protections held while it ran (isolation.summary)

    @property
    def score(self) -> float | None:
        """Points earned, or None for a row with nothing scored (missing, unreadable, rejected)."""
        if not self.questions:
            return None
        return round(sum(q.points for q in self.questions), 3)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def final(self) -> bool:
        """Whether the score may go to the LMS as the student's grade: a final status, and no rubric row left to grade."""
        return self.status in FINAL and not any(q.manual_of for q in self.questions)

    def question(self, question_id: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.question == question_id), None)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> SubmissionResult:
        questions = [QuestionResult.from_json(q) for q in data.get("questions", [])]
        return cls(**{**data, "questions": questions})
