"""Graded coursework: release, checks, the sandboxed grader and the hostile-submission suite.

The slow parts (real papermill runs) share module-scoped batches: the hostile suite grades
tests/submissions/wording once (31 submissions, 2 workers) and every row is checked by its own
parametrized test against tests/submissions/wording/expected.csv.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from helpers.case import load_case
from helpers.coursework import Exercise
from helpers.coursework.answers import read_answers, record, shape_problem, to_plain
from helpers.coursework.checks import grade_answer
from helpers.coursework.execute import prepare
from helpers.coursework.grade import GradingError, Options, grade_batch
from helpers.coursework.intake import parse_notebook
from helpers.coursework.rubric import apply_rubric, load_rubric
from helpers.coursework.source import RELEASE_DIR, build, compile_checks, exercise_ids, load_key, release, with_ids
from helpers.coursework.variants import VariantError, assign, check_case
from tests.conftest import FICTIONAL_CASE

HOSTILE = Path(__file__).parent / "submissions" / "wording"
STUDENTS = ["alice", "bob", "s1234567", "zoe-m", "student.42"]
CASES = {
    "hootsuite-ice-2020": "hootsuite-ice-2020",
    "chef-2019": "chef-2019",
    "wayfair-2019": "wayfair-2019",
    "fictional": str(FICTIONAL_CASE),
}
#: (case, exercise) pairs an exercise must refuse, and what the refusal says: the case lacks what it needs.
REFUSED = {("wayfair-2019", "strategies"): "exercise 'strategies' needs coding.csv, which case 'wayfair-2019' does not have"}
ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def case():
    return load_case()


# --------------------------------------------------------------------------- release


def test_committed_release_matches_a_fresh_build():
    assert release(check=True) == [], "run `casework generate` and commit coursework/release and coursework/keys"


EXERCISES = ["provenance", "wording", "timing", "contradictions", "strategies"]


def test_every_lesson_has_an_exercise():
    assert set(exercise_ids()) == set(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_student_notebook_holds_no_solution_check_or_output(exercise):
    text = (RELEASE_DIR / f"{exercise}.ipynb").read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    for forbidden in ("BEGIN SOLUTION", "def expected(", "def wrong(", '"checks"'):
        assert forbidden not in text
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    answers = [c for c in notebook.cells if "question" in c.metadata.get("casework", {})]
    assert [c.source.splitlines()[-1] for c in answers] == [
        f"{c.metadata['casework']['question']} = ...  # your answer" for c in answers
    ]


def _needles(value, choices) -> set[str]:
    """Strings an expected value would leave in a notebook that leaked it (public choices excluded)."""
    if value is None:
        return set()
    if isinstance(value, dict) and "accept" in value:  # span: the accepted words
        return {value["text"][a:b] for a, b in value["accept"] if b - a >= 4}
    if isinstance(value, dict):  # coding: the reference's strategies are the form's public choices
        return set()
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {str(value)} if abs(value) >= 100 else set()  # small counts occur in any text
    if isinstance(value, float):
        return {repr(value), f"{value:.2f}", f"{value:.3f}"} if value not in (0, 1) else set()
    if isinstance(value, str):
        return set() if value in (choices or []) or len(value) < 4 else {value}
    return set().union(*(_needles(v, choices) for v in value)) if value else set()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_student_notebook_contains_no_expected_answer(exercise, case):
    text = (RELEASE_DIR / f"{exercise}.ipynb").read_text(encoding="utf-8")
    key = load_key(exercise)
    checks = compile_checks(key)
    from helpers.coding import load_strategies

    # the coding schemes' groups and strategies are public: the notebook shows them as the choices to pick from
    vocabulary = set(load_strategies()["group"]) | set(load_strategies()["strategy"])
    searched = 0
    for student in STUDENTS:
        variant = assign(exercise, student, case)
        for spec in key["questions"]:
            for needle in _needles(checks[spec["id"]][0](case, variant), [*spec.get("choices", []), *vocabulary]):
                searched += 1
                assert needle not in text, (
                    f"{exercise}: the expected answer of {spec['id']} for {student} ({needle!r}) is in the student notebook"
                )
    assert searched > 0 or exercise == "strategies"


# --------------------------------------------------------------------------- variants and self-checks


def test_variants_are_deterministic_and_differ_between_students(case):
    for exercise in exercise_ids():
        chosen = [json.dumps(assign(exercise, s, case), sort_keys=True) for s in STUDENTS * 2]
        assert chosen[: len(STUDENTS)] == chosen[len(STUDENTS) :]
        assert len(set(chosen)) > 1, f"every student got the same {exercise} variant"


@pytest.mark.parametrize("bad", ["", "../etc/passwd", "a b", "x" * 65, 42])
def test_bad_student_id_is_a_clear_error(bad, case):
    with pytest.raises(VariantError, match="student_id"):
        assign("wording", bad, case)


def test_self_check_never_reveals_the_answer(case, capsys):
    exercise = Exercise("timing", "alice")
    key = compile_checks(load_key("timing"))
    right = key["q1"][0](case, exercise.variant)
    for answer in (right, [right[0] + 600, right[1] + 600]):
        message = exercise.check("q1", answer, kind="interval")
        assert "form is right" in message and str(round(right[0])) not in message
    assert "not yet gradable" in exercise.check("q1", [5, 1], kind="interval")
    assert "replace `...`" in exercise.check("q1", ..., kind="interval")
    assert "not one of the choices" in exercise.check("q2", "maybe", kind="category", choices=["yes", "no"])
    drafted = exercise.check("q3", "No comment.", kind="text", rubric="holding-statement")
    assert "not yet: 60 to 180 words" in drafted and "not yet: no refusal" in drafted


# --------------------------------------------------------------------------- the answer channel


def test_answer_channel_round_trip_and_hostile_lines(tmp_path):
    import numpy as np
    import pandas as pd

    path = tmp_path / "answers.jsonl"
    space = {"q1": np.float64(2.5), "q2": {"b", "a"}, "q3": pd.Timestamp("2020-09-24 05:00", tz="UTC"), "q4": ..., "q5": object()}
    for question in ["q1", "q2", "q3", "q4", "q5", "q6"]:
        record(question, space, str(path))
    with open(path, "a", encoding="ascii") as handle:
        handle.write('{"question": "q1", "value": 9}\n{broken\n["list"]\n{"question": "q9", "value": 1}\n')
    recorded = read_answers(path, ["q1", "q2", "q3", "q4", "q5", "q6"])
    answers, notes = recorded.answers, recorded.notes
    assert answers["q1"] == {"conflict": 2}
    assert answers["q2"] == {"value": ["a", "b"]}
    assert answers["q3"] == {"value": "2020-09-24T05:00:00+00:00"}
    assert "replace `...`" in answers["q4"]["problem"]
    assert "cannot be graded" in answers["q5"]["problem"]
    assert "no variable named q6" in answers["q6"]["problem"]
    assert notes == ["2 line(s) of the answer file are not valid answer records and were ignored"]  # q9 is simply not a question
    with pytest.raises(Exception, match="not finite"):
        to_plain(float("nan"))


# --------------------------------------------------------------------------- the checks (test the tests)


def _full_marks_answer(spec: dict, right):
    """The answer a student gives who gets ``spec`` right: the expected value in the form students write it."""
    if spec["kind"] == "span":  # the first accepted words, no more than the question allows
        start, end = right["accept"][0]
        return " ".join(right["text"][start:end].split()[: spec.get("max_words", 12)])
    if spec["kind"] == "category" and isinstance(right, list):  # one of the accepted choices
        return right[0]
    if spec["kind"] == "coding":  # the reference code of every sentence and scheme
        return [[sid, n, scheme, reference] for sid, n, scheme, reference, _ in right["items"]]
    return right


@pytest.mark.parametrize("label", list(CASES))
@pytest.mark.parametrize("exercise", EXERCISES)
def test_expected_answers_earn_full_marks_and_recorded_wrong_answers_earn_none(exercise, label):
    from helpers.coursework.source import model_answer

    case = load_case(CASES[label])
    key = load_key(exercise)
    if (label, exercise) in REFUSED:
        with pytest.raises(VariantError, match=REFUSED[label, exercise]):
            check_case(exercise, case, key.get("requires", []))
        return
    checks = compile_checks(key)
    for student in STUDENTS:
        variant = assign(exercise, student, case)
        for spec in key["questions"]:
            expected, wrong = checks[spec["id"]]
            right = expected(case, variant)
            wrong_answers = wrong(case, variant)
            assert wrong_answers, f"{exercise} {spec['id']}: no recorded wrong answer for {student}"
            if spec["kind"] == "text":
                rubric = load_rubric(spec["rubric"])
                model = apply_rubric(model_answer(case, exercise, spec["id"]), rubric, case)
                assert all(r.passed for r in model), [(r.criterion, r.evidence) for r in model if not r.passed]
                failed = {r.criterion for answer in wrong_answers for r in apply_rubric(answer, rubric, case) if not r.passed}
                automatic = {c.criterion for c in rubric.automatic}
                assert failed == automatic, f"criteria {sorted(automatic - failed)} pass every recorded wrong answer"
                continue
            full = grade_answer(spec, {"value": _full_marks_answer(spec, right)}, right, case)
            assert full.points == spec["points"], f"{exercise} {spec['id']} for {student}: expected answer scored {full}"
            for answer in wrong_answers:
                graded = grade_answer(spec, {"value": answer}, right, case)
                assert graded.points == 0, f"{exercise} {spec['id']} for {student}: wrong answer {answer!r} earned {graded}"


def test_feedback_says_what_is_wrong_without_the_answer():
    spec = {"kind": "number", "points": 2, "tolerance": 0.1}
    result = grade_answer(spec, {"value": 3.0}, 7.25)
    assert result.status == "incorrect" and "too low" in result.feedback and "7.25" not in result.feedback
    assert (
        grade_answer({"kind": "set", "points": 1}, {"value": ["a", "x"]}, ["a", "b", "c"]).feedback
        == "2 item(s) missing and 1 item(s) that do not belong"
    )
    assert grade_answer({"kind": "interval", "points": 1, "tolerance": 1}, {"value": [0, 10]}, [0, 12]).feedback.startswith(
        "the longest end"
    )


# --------------------------------------------------------------------------- reading submissions


@pytest.mark.parametrize(
    "data, phrase",
    [
        (b"", "empty"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not JSON"),
        (b"[1, 2]", "nbformat is None"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "cells": "no", "metadata": {}}',
            "not a valid notebook .its cells are not a list",
        ),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "picture", "source": ""}], "metadata": {}}',
            "cell 0 has cell_type 'picture'",
        ),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code", "source": 5}], "metadata": {}}',
            "cell 0's source is not text",
        ),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code", "source": "", "metadata": []}]}',
            "cell 0's metadata is not an object",
        ),
        (b'{"nbformat": 4, "nbformat_minor": 5, "cells": [7], "metadata": {}}', "cell 0 is not an object"),
    ],
)
def test_unreadable_submissions_say_why(data, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_notebook(data)


def test_a_notebook_reads_the_same_as_nbformat_reads_it():
    """The grader reads a submission as JSON; its cells are what nbformat would give, source joined into one text."""
    notebook = with_ids(build("wording")[0], "s001")
    data = nbformat.writes(notebook).encode()  # nbformat writes each source as a list of lines
    parsed = parse_notebook(data)
    assert [(c["cell_type"], c["source"]) for c in parsed["cells"]] == [(c.cell_type, c.source) for c in notebook.cells]


def test_prepare_records_each_answer_once_and_reports_cell_problems():
    notebook, _ = build("wording")
    run, problems = prepare(notebook, ["q1", "q2", "q3", "q4"], "/abs/answers.jsonl")
    assert (
        "open_channel('/abs/answers.jsonl')" in run["cells"][0]["source"]
    )  # absolute: a notebook that changes directory still records
    recorders = [c["source"] for c in run["cells"] if c["source"].startswith("__casework_answers__.record(")]
    assert recorders == [f"__casework_answers__.record('{q}', globals())" for q in ("q1", "q2", "q3")]
    assert problems == {"q4": "the answer cell was deleted"}
    assert all(c.get("outputs", []) == [] for c in run["cells"])
    nbformat.validate(nbformat.from_dict(run))  # the worker reads it with nbformat


# --------------------------------------------------------------------------- real batches


def _solution(exercise: str, student_id: str = "demo", case_id: str | None = None) -> bytes:
    """The reference solution as student ``student_id`` would submit it (their id typed in)."""
    return (nbformat.writes(with_ids(build(exercise, keep_solutions=True)[0], student_id, case_id)) + "\n").encode()


def _blank(exercise: str, student_id: str = "blank", case_id: str | None = None) -> bytes:
    """The student version as handed out, with only the student's id typed in."""
    return (nbformat.writes(with_ids(build(exercise)[0], student_id, case_id)) + "\n").encode()


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    """Every exercise on every built-in case and the fictional one: the reference solution for three
    student ids (their own ids typed in, as students do), and the blank student version."""
    results = {}
    for label, case_arg in CASES.items():
        case_id = load_case(case_arg).case_id
        for exercise in exercise_ids():
            folder = tmp_path_factory.mktemp(f"gate-{label}-{exercise}")
            for student in STUDENTS[:3]:
                (folder / f"{student}.ipynb").write_bytes(_solution(exercise, student, case_id))
            (folder / "blank.ipynb").write_bytes(_blank(exercise, case_id=case_id))
            try:
                rows = grade_batch(
                    folder,
                    exercise,
                    tmp_path_factory.mktemp(f"gate-out-{label}-{exercise}"),
                    Options(workers=2, progress=False),
                    case=case_arg,
                )
            except GradingError as refusal:  # only where the case lacks what the exercise needs (REFUSED)
                results[label, exercise] = refusal
                continue
            results[label, exercise] = {r.student_id: r for r in rows}
    return results


@pytest.mark.parametrize("label", CASES)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_solution_scores_full_marks_and_blank_scores_zero_on_every_case(gate, exercise, label):
    """Full marks for every automatic point; a written answer's instructor rows stay open (not exported until graded).
    Where the case lacks what the exercise needs, nothing is graded and the refusal says what is missing."""
    rows = gate[label, exercise]
    if (label, exercise) in REFUSED:
        assert isinstance(rows, GradingError) and REFUSED[label, exercise] in str(rows), rows
        return
    assert not isinstance(rows, GradingError), f"{exercise} refused case {label}: {rows}"
    for student in STUDENTS[:3]:
        row = rows[student]
        assert row.status == "graded", row.reason
        open_points = sum(q.manual_of for q in row.questions)
        assert open_points == sum(
            load_rubric(q["rubric"]).manual_points for q in load_key(exercise)["questions"] if q["kind"] == "text"
        )
        assert row.score == row.max_score - open_points, row.questions
        assert row.final == (open_points == 0)
        assert row.variant_of == student and row.notebook_id == student
    assert rows["blank"].score == 0 and rows["blank"].status == "graded" and rows["blank"].final, rows["blank"].reason
    assert rows["blank"].reason.startswith("unanswered:")


def test_grading_run_errors_name_the_problem(tmp_path):
    with pytest.raises(GradingError, match="no such folder"):
        grade_batch(tmp_path / "missing", "wording", tmp_path / "out")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(GradingError, match="neither a folder of notebooks nor a zip"):
        grade_batch(tmp_path / "notes.txt", "wording", tmp_path / "out")


def test_shape_problem_covers_every_kind():
    assert shape_problem("number", "3") == "give a number (int or float)"
    assert shape_problem("span", "absent words", context="the statement") is not None
    assert shape_problem("set", ["a"], choices=["b"]) == "1 item(s) are not ids this question knows"
    with pytest.raises(ValueError, match="unknown kind"):
        shape_problem("essay", "x")


def test_dask_executor_gives_the_same_grades(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for student in ("ann", "ben"):
        (folder / f"{student}.ipynb").write_bytes(_solution("timing", student))
    (folder / "blank.ipynb").write_bytes(_blank("timing"))
    (folder / "broken.ipynb").write_bytes(b"{")
    books = {}
    for executor in ("threads", "dask"):
        grade_batch(folder, "timing", tmp_path / executor, Options(workers=2, progress=False, executor=executor))
        books[executor] = (tmp_path / executor / "gradebook.csv").read_text(encoding="utf-8")
    assert books["threads"] == books["dask"]
    total = f"{sum(q['points'] for q in load_key('timing')['questions']):g}"
    assert books["dask"].count("\n") == 5 and books["dask"].count(f",{total},{total},") == 2


def test_unknown_executor_is_an_error():
    from helpers.coursework.grade import GradingError

    with pytest.raises(GradingError, match="executor 'spark'"):
        Options(executor="spark")


def test_dask_executor_without_dask_names_the_extra_to_install(monkeypatch, tmp_path, capsys):
    """Without the 'scale' extra, --executor dask is refused before anything runs (it was a traceback)."""
    import importlib.util

    from helpers.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "distributed" else real(name, *args))
    with pytest.raises(GradingError, match=r"needs Dask's distributed package, the module's 'scale' extra"):
        Options(executor="dask:tcp://127.0.0.1:8786")
    assert Options(executor="threads").executor == "threads"
    (tmp_path / "s1.ipynb").write_text("{}", encoding="utf-8")
    assert main(["grade", str(tmp_path), "--exercise", "timing", "--executor", "dask", "--out", str(tmp_path / "out")]) == 2
    assert 'pip install -e ".[scale]"' in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_integrity_guard_restores_grader_files_only_where_a_submission_could_write(monkeypatch, tmp_path):
    """Without a sandbox (isolation "off") a changed grader file is put back and named; in a
    sandbox the files are read-only and nothing is watched, so an instructor's edit is kept."""
    from helpers.coursework import execute, isolation

    guarded = tmp_path / "helpers"
    guarded.mkdir()
    module = guarded / "module.py"
    for mode, restored in (("off", True), ("root", False)):
        module.write_text("original\n")
        for name in ("PACKAGE_DIR", "CASES_DIR", "KEYS_DIR", "SOURCE_DIR"):
            monkeypatch.setattr(execute, name, guarded)
        monkeypatch.setattr(isolation, "mode", lambda mode=mode: mode)
        executor = execute.Executor(execute.Limits(), start_workers=False)
        try:
            module.write_text("changed while grading\n")
            changed = executor.check_guard()
        finally:
            executor.close()
        assert changed == ([str(module)] if restored else []), mode
        assert module.read_text() == ("original\n" if restored else "changed while grading\n"), mode
