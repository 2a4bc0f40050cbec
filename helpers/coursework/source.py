"""One source per exercise: the master notebook, and what ``casework generate`` makes of it.

A master notebook (``coursework/source/ID.ipynb``) holds the questions, the reference solution
and the checks. Conventions, all in cell metadata under ``casework``:

- an *answer cell* has ``{"question": "q1"}``; its solution sits between ``### BEGIN SOLUTION``
  and ``### END SOLUTION``, which the student version replaces with ``q1 = ...``;
- a *check cell* (tag ``checks``) has ``{"question": "q1", "kind": ..., "points": ...}`` plus
  options (``tolerance``, ``choices``, ``rubric``, ``max_words``); its code defines
  ``expected(case, variant)`` and ``wrong(case, variant)`` (answers a student could plausibly give
  that must not earn credit: the test-the-tests gate grades them and requires zero points);
- everything else (prose, set-up, self-check cells) goes to students as it is.

The release writes ``coursework/release/ID.ipynb`` (no solutions, no checks, no outputs) and
``coursework/keys/ID.json`` (question specs and the checks' code, for the grader only).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import COURSEWORK_DIR, EXERCISES_DIR, exercise_ids
from .objectives import load_objectives
from .rubric import load_rubric

if TYPE_CHECKING:
    import nbformat

SOURCE_DIR = EXERCISES_DIR
RELEASE_DIR = COURSEWORK_DIR / "release"
KEYS_DIR = COURSEWORK_DIR / "keys"
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)
# fmt: off
SPEC_OPTIONS = ("tolerance", "choices", "rubric", "max_words", "minimum", "maximum", "kappa_full", "kappa_partial",
                "objectives", "judgement")
# fmt: on


class SourceError(ValueError):
    """A master notebook that breaks the conventions; the message names the exercise and cell."""


def master_path(exercise: str) -> Path:
    path = SOURCE_DIR / f"{exercise}.ipynb"
    if not path.exists():
        raise SourceError(f"no exercise {exercise!r}: no {path}; known: {', '.join(exercise_ids()) or 'none'}")
    return path


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("casework", {})


def build(exercise: str, keep_solutions: bool = False) -> tuple[nbformat.NotebookNode, dict]:
    """The student notebook and the grading key for one master notebook.

    With ``keep_solutions`` the notebook keeps the reference solution (markers removed): the
    submission that the test-the-tests gate requires to score full marks.
    """
    import nbformat  # here, not above: the grader reads keys from this module and never pays its import (#23)

    path = master_path(exercise)
    raw = path.read_bytes()
    master = nbformat.reads(raw.decode("utf-8"), as_version=4)
    student = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": master.metadata.get("kernelspec", {}),
            "language_info": {"name": "python"},
            "casework": {"exercise": exercise, "title": master.metadata["casework"]["title"]},
        }
    )
    questions, answer_cells, texts = {}, {}, {}
    prompt = ""  # the last markdown cell before an answer cell: the question as students read it
    for index, cell in enumerate(master.cells):
        meta = _meta(cell)
        if cell.cell_type == "markdown":
            prompt = cell.source
        if "checks" in cell.metadata.get("tags", []):
            missing = {"question", "kind", "points"} - set(meta)
            if missing:
                raise SourceError(f"{path.name} cell {index}: check cell lacks {sorted(missing)} in metadata.casework")
            if "def expected(" not in cell.source or "def wrong(" not in cell.source:
                raise SourceError(
                    f"{path.name} cell {index}: a check cell must define expected(case, variant) and wrong(case, variant)"
                )
            _check_assessment(meta, f"{path.name} cell {index}")
            questions[meta["question"]] = {
                "id": meta["question"],
                "kind": meta["kind"],
                "points": meta["points"],
                **{k: meta[k] for k in SPEC_OPTIONS if k in meta},
                "code": cell.source,
            }
            continue
        new = (
            nbformat.v4.new_code_cell(cell.source)
            if cell.cell_type == "code"
            else (
                nbformat.v4.new_markdown_cell(cell.source)
                if cell.cell_type == "markdown"
                else nbformat.v4.new_raw_cell(cell.source)
            )
        )
        new.id = cell.get("id") or f"cell-{index}"
        tags = cell.metadata.get("tags", [])
        if tags:
            new.metadata["tags"] = list(tags)
        if "question" in meta:
            question = meta["question"]
            if not SOLUTION.search(cell.source):
                raise SourceError(
                    f"{path.name} cell {index}: answer cell {question} has no ### BEGIN SOLUTION / ### END SOLUTION block"
                )
            if keep_solutions:
                new.source = re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", "", cell.source, flags=re.M).rstrip("\n")
            else:
                new.source = SOLUTION.sub(f"{question} = ...  # your answer\n", cell.source).rstrip("\n")
            new.metadata["casework"] = {"question": question}
            answer_cells[question] = new.id
            texts[question] = prompt
        student.cells.append(new)
    if set(questions) != set(answer_cells):
        raise SourceError(
            f"{path.name}: questions with answer cells {sorted(answer_cells)} and with checks {sorted(questions)} differ"
        )
    key = {
        "exercise": exercise,
        "title": master.metadata["casework"]["title"],
        "requires": master.metadata["casework"].get("requires", []),
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "questions": [{**questions[q], "text": texts[q]} for q in answer_cells],
        "answer_cells": answer_cells,
    }
    return student, key


def _check_assessment(meta: dict, where: str) -> None:
    """A check cell names the objectives it assesses and whether it asks for a judgement; a text question's points are its rubric's."""

    known = {o.objective_id for o in load_objectives()}
    objectives = meta.get("objectives")
    if not isinstance(objectives, list) or not objectives or not set(objectives) <= known:
        raise SourceError(
            f"{where}: metadata.casework.objectives must list the objectives the question assesses, from "
            f"coursework/objectives.csv ({', '.join(sorted(known))}); got {objectives!r}"
        )
    if not isinstance(meta.get("judgement"), bool):
        raise SourceError(
            f"{where}: metadata.casework.judgement must say (true or false) whether the question asks for a judgement"
        )
    if meta["kind"] == "text":
        rubric = load_rubric(meta.get("rubric", ""))
        if meta["points"] != rubric.points:
            raise SourceError(
                f"{where}: a text question is worth its rubric's points ({rubric.points}: {rubric.automatic_points} "
                f"automatic, {rubric.manual_points} the instructor's), not {meta['points']}"
            )


def with_ids(notebook: nbformat.NotebookNode, student_id: str, case_id: str | None = None) -> nbformat.NotebookNode:
    """``notebook`` with ``student_id`` (and ``case_id``) typed into its parameters cell, as a student does.

    Tests, fixtures and benchmarks build their submissions this way, so they are what students hand in.
    """
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = re.sub(r'^student_id: str = "[^"]*"', f'student_id: str = "{student_id}"', cell.source, flags=re.M)
    if case_id:
        cell.source = re.sub(r'^case_id: str = "[^"]*"', f'case_id: str = "{case_id}"', cell.source, flags=re.M)
    return notebook


def _student_text(student) -> str:
    import nbformat  # as in build()

    return nbformat.writes(student) + "\n"


def _key_text(key: dict) -> str:
    return json.dumps(key, indent=1, sort_keys=True) + "\n"


def release(exercises: list[str] | None = None, check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the student notebooks and keys; return what differs."""
    stale = []
    for exercise in exercises or exercise_ids():
        student, key = build(exercise)
        for path, text in (
            (RELEASE_DIR / f"{exercise}.ipynb", _student_text(student)),
            (KEYS_DIR / f"{exercise}.json", _key_text(key)),
        ):
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                stale.append(str(path))
                if not check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    return stale


def load_key(exercise: str) -> dict:
    path = KEYS_DIR / f"{exercise}.json"
    if not path.exists():
        raise SourceError(f"no grading key {path}: run `casework generate {exercise}`")
    return json.loads(path.read_text(encoding="utf-8"))


def compile_checks(key: dict) -> dict:
    """``{question: (expected, wrong)}`` from the key's check code, compiled in this process."""
    compiled = {}
    for question in key["questions"]:
        namespace: dict = {}
        exec(compile(question["code"], f"<check {key['exercise']}:{question['id']}>", "exec"), namespace)  # noqa: S102 - the instructor's own key
        compiled[question["id"]] = (namespace["expected"], namespace["wrong"])
    return compiled


MODEL_ANSWERS = COURSEWORK_DIR / "model-answers.csv"


def model_answer(case, exercise: str, question: str) -> str:
    """The model answer of a written question for ``case`` (coursework/model-answers.csv).

    A model answer states only what was true and known at its moment (the ``as_of`` column) and
    says in ``note`` which rows of the case data each factual sentence rests on.
    """

    with MODEL_ANSWERS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["case_id"], row["exercise"], row["question"]) == (case.case_id, exercise, question):
                return row["text"]
    raise SourceError(f"no model answer for {exercise} {question} on case {case.case_id!r}: add a row to {MODEL_ANSWERS}")
