"""Whose work a submission is, and which variant it answers, decided from three witnesses.

1. **The file**: its name (``ID.ipynb``), or the Canvas user id in an export's name mapped to a
   student id through the roster.
2. **The notebook**: the plain text values its code cells assign to ``student_id`` and
   ``case_id`` (read from the source; nothing is run).
3. **The kernel**: the ids the notebook's ``start(...)`` call really used, recorded through the
   answer channel while it ran.

When they agree, the submission is graded under that id. When they do not, or the notebook still
holds the placeholder id, the row gets the status ``needs-review`` with a reason that names every
id involved, and the answers are checked against the variant the notebook used, so the instructor
sees what the student would score. The grader never picks one of two ids silently.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePath

from IPython.core.inputtransformer2 import TransformerManager

from .intake import Roster, Submission
from .variants import PLACEHOLDER_ID, canonical

WATCHED = ("student_id", "case_id")


@dataclass(frozen=True)
class WrittenIds:
    """What the notebook's code assigns to ``student_id`` and ``case_id``, cell by cell."""

    student_ids: tuple[str, ...] = ()
    case_ids: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def written_ids(notebook) -> WrittenIds:
    """Every top-level ``student_id = "..."`` and ``case_id = "..."`` in the notebook's code cells."""
    found: dict[str, list[str]] = {name: [] for name in WATCHED}
    problems = []
    transformer = TransformerManager()
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(transformer.transform_cell(cell["source"]))
        except (SyntaxError, ValueError):
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                problems.append(f"the parameters cell (cell {index}) is not valid Python")
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in WATCHED:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[target.id].append(value.value)
                else:
                    problems.append(f"cell {index} sets {target.id} from an expression, not from plain text")
    return WrittenIds(tuple(found["student_id"]), tuple(found["case_id"]), tuple(problems))


@dataclass
class Owner:
    """Whose work the file is, as its name and the roster say."""

    student_id: str = ""
    roster: dict = field(default_factory=dict)  # the roster row's LMS columns
    student: str = ""  # the name, from the roster or the LMS file name
    problem: str = ""


def owner_of(submission: Submission, roster: Roster | None) -> Owner:
    if roster is None:
        if submission.canvas_user_id:
            return Owner(
                student=submission.display_name,
                roster={"ID": submission.canvas_user_id},
                problem=(
                    f"the file name gives the Canvas user id {submission.canvas_user_id}, not a student id; grade with "
                    "--roster (the gradebook CSV Canvas exports) to map Canvas user ids to student ids"
                ),
            )
        if submission.file_id:
            return Owner(submission.file_id)
        return Owner(
            problem=f"the file name {PurePath(submission.name).name!r} is not a student id (name files ID.ipynb, or pass the LMS zip)"
        )
    if submission.canvas_user_id:
        entry = roster.by_canvas_id(submission.canvas_user_id)
        if entry is None:
            return Owner(
                student=submission.display_name,
                roster={"ID": submission.canvas_user_id},
                problem=f"the Canvas user id {submission.canvas_user_id} in the file name is not in the roster",
            )
    elif submission.file_id:
        entry = roster.by_student_id(submission.file_id)
        if entry is None:
            return Owner(submission.file_id, problem=f"no roster row has {roster.id_column} {submission.file_id!r}")
    else:
        return Owner(problem=f"the file name {PurePath(submission.name).name!r} is neither a student id nor an LMS export name")
    if not entry.student_id:
        return Owner(
            student=entry.student,
            roster=entry.lms,
            problem=f"the roster's line {entry.line} ({entry.student}) has no {roster.id_column}",
        )
    return Owner(entry.student_id, entry.lms, entry.student)


@dataclass
class Identity:
    variant_of: str  # the id whose variant the answers are checked against ('' when there is none)
    notebook_id: str  # the id the notebook used, as far as it says ('' when it never says)
    reasons: list[str]  # empty when the grader is sure


def decide(owner: Owner, written: WrittenIds, used: list[dict], exercise: str, case_id: str) -> Identity:
    """Which variant to check, and every reason the grader cannot be sure whose work it is."""
    reasons = [owner.problem] if owner.problem else []
    reasons += list(written.problems)
    others = sorted({u.get("exercise", "") for u in used} - {exercise})
    if others:
        reasons.append(
            f"the notebook starts exercise {', '.join(map(repr, others))}, not {exercise!r}: was the right file submitted?"
        )
    kernel_ids = [u["student_id"] for u in used if u.get("exercise") == exercise]
    ids = list(dict.fromkeys(kernel_ids or list(written.student_ids)))
    distinct = list(dict.fromkeys(canonical(i) for i in [*written.student_ids, *kernel_ids]))
    notebook_id = ids[-1] if ids else ""
    if not distinct:
        reasons.append("the notebook never sets student_id (its parameters cell was removed or changed)")
    elif len(distinct) > 1:
        reasons.append(
            f"the notebook uses more than one student id ({', '.join(map(repr, dict.fromkeys([*written.student_ids, *kernel_ids])))})"
        )
    elif distinct[0] == canonical(PLACEHOLDER_ID):
        reasons.append(f"the notebook still holds the placeholder id {PLACEHOLDER_ID!r}: the student id was never typed in")
    elif owner.student_id and distinct[0] != canonical(owner.student_id):
        reasons.append(f"the notebook was worked with student id {notebook_id!r}, but the file belongs to {owner.student_id!r}")
    cases = {PurePath(c).name for c in [*written.case_ids, *(u.get("case_id", "") for u in used)] if c}
    if cases - {case_id}:
        reasons.append(
            f"the notebook works on case {', '.join(sorted(cases - {case_id}))}, but this run grades case {case_id} (--case)"
        )
    return Identity(notebook_id or owner.student_id, notebook_id, reasons)
