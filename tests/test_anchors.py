"""The anchors' form of an exercise (benchmarks/anchors.py) grades like ours.

The assertions are checked here without the anchors; the tests that run nbgrader or otter-grader
themselves skip where the benchmark's ``anchors`` extra is not installed (CI installs only
``.[test]``): they are for whoever runs benchmarks/bench_anchors.py.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from benchmarks import anchors
from helpers.coursework.source import build, compile_checks, load_key
from helpers.coursework.variants import assign

EXERCISE = "wording"
STUDENTS = ["s001", "s002", "ab12", "demo"]


def _right_and_wrong(spec, checks, case, student_id):
    variant = assign(EXERCISE, student_id, case)
    expected, wrong = checks[spec["id"]]
    right = expected(case, variant)
    if spec["kind"] == "span":
        start, end = right["accept"][0]
        right = right["text"][start:end]
    return right, wrong(case, variant)


def _test_of(spec):
    namespace: dict = {}
    exec(anchors.test_function(EXERCISE, spec), namespace)  # noqa: S102 - code generated from our own key
    return namespace[f"test_{spec['id']}"]


def test_generated_assertions_pass_the_reference_and_fail_every_wrong_answer(hootsuite):
    key = load_key(EXERCISE)
    checks = compile_checks(key)
    for spec in key["questions"]:
        test = _test_of(spec)
        for student_id in STUDENTS:
            right, wrong = _right_and_wrong(spec, checks, hootsuite, student_id)
            test(right, student_id)
            assert wrong, f"{spec['id']}: the key gives no wrong answer to check against"
            for answer in [*wrong, None, ...]:
                with pytest.raises(AssertionError):
                    test(answer, student_id)


def test_text_questions_are_refused_with_a_reason():
    spec = next(q for q in load_key("strategies")["questions"] if q["kind"] == "text")
    with pytest.raises(ValueError, match="not checked by assertions"):
        anchors.test_function("strategies", spec)


def test_fill_puts_the_same_answers_in_our_form_and_nbgrader_form():
    student, _ = build(EXERCISE)
    answers = {"q1": "q1 = 1.5", "q2": 'q2 = "future"', "q3": 'q3 = "not"'}
    filled = anchors.fill(student, "s007", answers)
    sources = {c.metadata["casework"]["question"]: c.source for c in filled.cells if "casework" in c.metadata}
    assert sources == answers
    assert any(c.source.startswith('student_id: str = "s007"') for c in filled.cells)
    nbgrader_form = anchors.fill(anchors.nbgrader_source(EXERCISE), "s007", answers)
    solution_cells = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbgrader_form.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    assert solution_cells == answers


def test_otter_runs_the_generated_test_files(hootsuite):
    pytest.importorskip(
        "otter", reason="otter-grader is not installed (it is the benchmark's `anchors` extra, not a test dependency)"
    )
    from otter.test_files.exception_test import ExceptionTestFile

    key = load_key(EXERCISE)
    checks = compile_checks(key)
    for spec in key["questions"]:
        right, wrong = _right_and_wrong(spec, checks, hootsuite, "s001")
        test_file = ExceptionTestFile.from_string(anchors.otter_test_file(EXERCISE, spec), path=f"tests/{spec['id']}.py")
        test_file.run({spec["id"]: right, "student_id": "s001"})
        assert test_file.score == spec["points"], test_file.test_case_results
        test_file.run({spec["id"]: wrong[0], "student_id": "s001"})
        assert test_file.score == 0


@pytest.mark.slow
def test_nbgrader_autograde_gives_the_reference_full_marks_and_a_wrong_submission_none(tmp_path, hootsuite):
    pytest.importorskip(
        "nbgrader", reason="nbgrader is not installed (it is the benchmark's `anchors` extra, not a test dependency)"
    )
    key = load_key(EXERCISE)
    checks = compile_checks(key)
    release_path = anchors.nbgrader_course(EXERCISE, tmp_path)
    release = nbformat.read(release_path, as_version=4)
    assert "HIDDEN TESTS" not in json.dumps(release) and "compare_statements(case, [statement])" not in json.dumps(release)
    solution, _ = build(EXERCISE, keep_solutions=True)
    reference = {
        c.metadata["casework"]["question"]: c.source for c in solution.cells if "question" in c.metadata.get("casework", {})
    }
    wrong = {
        spec["id"]: f"{spec['id']} = {_right_and_wrong(spec, checks, hootsuite, 's002')[1][0]!r}" for spec in key["questions"]
    }
    for student_id, answers in (("s001", reference), ("s002", wrong)):
        folder = tmp_path / "submitted" / student_id / EXERCISE
        folder.mkdir(parents=True)
        nbformat.write(anchors.fill(release, student_id, answers), folder / f"{EXERCISE}.ipynb")
    anchors.nbgrader(["autograde", EXERCISE], tmp_path)
    total = sum(q["points"] for q in key["questions"])
    assert anchors.nbgrader_scores(tmp_path, EXERCISE, ["s001", "s002"]) == {"s001": total, "s002": 0}
