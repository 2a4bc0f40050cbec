"""Manual grading: the instructor's points and comments per rubric row reach the gradebook, the feedback and the
Canvas import file, a row is exported once nothing is left to grade, and a regrade keeps what was entered."""

from __future__ import annotations

import csv
import shutil

import pytest

from helpers.cli import main
from helpers.coursework.grade import Options, grade_batch
from helpers.coursework.manual import MANUAL_FILE, REVIEW_PAGE
from helpers.coursework.review import review
from tests.test_grading import _solution
from tests.test_outputs import check_canvas_import

ASSIGNMENT = "Exercise 4: response strategies and a holding statement"


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _canvas(out):
    return {
        s["SIS User ID"]: s[ASSIGNMENT]
        for s in check_canvas_import((out / "canvas-import.csv").read_text(encoding="utf-8"), None)
    }


def _edit_sheet(out, change):
    rows = _rows(out / MANUAL_FILE)
    for row in rows:
        change(row)
    with open(out / MANUAL_FILE, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Two students hand in the reference solution; the instructor has graded nothing yet."""
    folder = tmp_path_factory.mktemp("submissions")
    for student in ("ann", "ben"):
        (folder / f"{student}.ipynb").write_bytes(_solution("strategies", student))
    out = tmp_path_factory.mktemp("grades")
    rows = {r.student_id: r for r in grade_batch(folder, "strategies", out, Options(workers=2, progress=False))}
    return folder, out, rows


@pytest.fixture
def out(graded, tmp_path):
    """A copy of the graded folder to enter points in."""
    copy = tmp_path / "grades"
    shutil.copytree(graded[1], copy)
    return copy


def test_before_the_instructor_grades_nothing_written_is_exported(graded):
    _, out, rows = graded
    assert all(r.status == "graded" and not r.final for r in rows.values())
    assert _canvas(out) == {"ann": "", "ben": ""}
    sheet = _rows(out / MANUAL_FILE)
    mine = [r for r in sheet if r["submission"] == "ann.ipynb"]
    assert [r["kind"] for r in mine].count("instructor") == 3 and all(r["points"] == "" for r in mine)
    assert all(r["pre_check"] for r in mine if r["kind"] == "automatic")
    page = (out / REVIEW_PAGE).read_text(encoding="utf-8")
    assert page.count("<section>") == 2 and "instructor-accuracy" in page and "<script" not in page
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Manual grading" in summary and "- `ann.ipynb` (graded): 10 point(s) of rubric rows to grade by hand" in summary


def test_points_entered_in_review_reach_the_gradebook_feedback_and_canvas_and_survive_a_regrade(graded, out):
    folder, _, rows = graded
    automatic = rows["ann"].score
    answers = iter(["4", "accurate throughout", "2", "", "3", "plain, honest tone", "q"])
    review(out, ask=lambda prompt: next(answers), say=lambda *args: None)
    book = {r["student_id"]: r for r in _rows(out / "gradebook.csv")}
    assert (book["ann"]["score"], book["ann"]["q6 manual"], book["ann"]["exported"]) == (f"{automatic + 9:g}", "9", "yes")
    assert (book["ben"]["q6 manual"], book["ben"]["exported"]) == ("", "no")
    assert _canvas(out) == {"ann": f"{automatic + 9:g}", "ben": ""}
    feedback = (out / "feedback" / "ann.html").read_text(encoding="utf-8")
    assert "accurate throughout" in feedback and "plain, honest tone" in feedback and "not graded yet" not in feedback
    assert "not graded yet" in (out / "feedback" / "ben.html").read_text(encoding="utf-8")
    # a regrade (same submissions, same folder) keeps the instructor's points
    again = {r.student_id: r for r in grade_batch(folder, "strategies", out, Options(workers=2, progress=False))}
    assert again["ann"].final and again["ann"].score == automatic + 9 and not again["ben"].final
    assert _canvas(out) == {"ann": f"{automatic + 9:g}", "ben": ""}
    assert {r["criterion"]: r["points"] for r in _rows(out / MANUAL_FILE) if r["submission"] == "ann.ipynb"}[
        "instructor-holding"
    ] == "2"


def test_the_sheet_can_be_edited_overrule_a_pre_check_and_keep_what_cannot_be_applied(graded, out):
    _, _, rows = graded

    def grade(row):
        if row["kind"] == "instructor":
            row["points"] = {"ann.ipynb": "3", "ben.ipynb": "lots"}[row["submission"]]
        if row["submission"] == "ann.ipynb" and row["criterion"] == "accurate":
            row["points"], row["comment"] = "0", "the second sentence misstates who was party to the order"

    _edit_sheet(out, grade)
    assert main(["review", str(out), "--apply"]) == 1  # ben's rows could not be applied: not final
    book = {r["student_id"]: r for r in _rows(out / "gradebook.csv")}
    assert book["ann"]["score"] == f"{rows['ann'].score - 2 + 9:g}" and book["ann"]["exported"] == "yes"
    assert book["ben"]["exported"] == "no"
    sheet = _rows(out / MANUAL_FILE)
    assert all(
        r["points"] == "lots" and "not a number" in r["problem"]
        for r in sheet
        if r["submission"] == "ben.ipynb" and r["kind"] == "instructor"
    )
    assert "overruled by the instructor" in (out / "feedback" / "ann.html").read_text(encoding="utf-8")
    assert "is not a number" in (out / "summary.md").read_text(encoding="utf-8")


def test_points_given_for_another_answer_do_not_apply(graded, out):
    def grade(row):
        if row["kind"] == "instructor":
            row["points"] = "1"
            if row["submission"] == "ann.ipynb":
                row["answer_sha256"] = "0" * 16  # as if ann had resubmitted a different text since

    _edit_sheet(out, grade)
    assert main(["review", str(out), "--apply"]) == 1
    book = {r["student_id"]: r for r in _rows(out / "gradebook.csv")}
    assert (book["ann"]["exported"], book["ben"]["exported"]) == ("no", "yes")
    assert all(
        "the answer changed" in r["problem"]
        for r in _rows(out / MANUAL_FILE)
        if r["submission"] == "ann.ipynb" and r["kind"] == "instructor"
    )


def test_an_unreadable_sheet_is_left_alone_and_said_so(graded, out):
    (out / MANUAL_FILE).write_text("who,what\nann,4\n", encoding="utf-8")
    assert main(["review", str(out), "--apply"]) == 1
    assert (out / MANUAL_FILE).read_text(encoding="utf-8") == "who,what\nann,4\n"
    assert "missing column(s) submission" in (out / "summary.md").read_text(encoding="utf-8")


def test_review_of_a_folder_never_graded_is_a_one_line_error(tmp_path, capsys):
    assert main(["review", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"casework: error: {tmp_path}: no grading run recorded here")
