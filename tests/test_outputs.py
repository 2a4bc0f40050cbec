"""What a grading run writes, checked against the rules its readers follow (Canvas, spreadsheets, browsers)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from helpers.coursework.intake import ROSTER_COLUMNS, read_roster
from helpers.coursework.outputs import _md, canvas_rows, csv_text, feedback_html, gradebook_rows
from helpers.coursework.results import QuestionResult, SubmissionResult
from helpers.coursework.source import load_key

KEY = load_key("wording")
READ_ONLY = ("Current Score", "Final Score", "Current Grade", "Final Grade", "Unposted Current Score", "Unposted Final Score")


def check_canvas_import(text: str, assignment_id: str | None) -> list[dict]:
    """Canvas's rules for a gradebook import, as its instructor guide states them.

    The file is UTF-8 CSV whose header begins Student, ID, SIS User ID, SIS Login ID, Section;
    an assignment column updates an existing assignment only when its header ends with the
    assignment's id in brackets (otherwise Canvas creates a new assignment); an optional second
    row "Points Possible"; a row is matched to a student by ID, SIS User ID or SIS Login ID; a
    score is a number, and a blank cell leaves the grade unchanged; read-only columns (current
    and final scores and grades) are ignored, so they are not written.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:5] == list(ROSTER_COLUMNS)
    assert not set(header) & set(READ_ONLY)
    for column in header[5:]:
        match = re.fullmatch(r".+ \((\d+)\)", column)
        assert (match and match[1] == assignment_id) if assignment_id else not match, column
    body = rows[1:]
    if body and body[0][0].strip() == "Points Possible":
        body = body[1:]
    students = []
    for row in body:
        assert len(row) == len(header)
        entry = dict(zip(header, row))
        assert entry["ID"] or entry["SIS User ID"] or entry["SIS Login ID"], row
        for score in row[5:]:
            assert score == "" or re.fullmatch(r"\d+(\.\d+)?", score), row
        students.append(entry)
    return students


def result(
    submission: str, student_id: str, status: str = "graded", points=(2, 1, 2), roster: dict | None = None
) -> SubmissionResult:
    questions = [
        QuestionResult(q, p, of, "correct" if p == of else "incorrect", "feedback", answer=p, answered=True)
        for q, p, of in zip(("q1", "q2", "q3"), points, (2, 1, 2))
    ]
    return SubmissionResult(
        submission,
        student_id,
        status=status,
        questions=questions,
        max_score=5,
        roster=roster or {},
        notebook_id=student_id,
        variant_of=student_id,
    )


def test_cells_a_spreadsheet_would_run_are_neutralised_and_numbers_are_kept():
    text = csv_text([['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "-1.5", "0", "plain"]])
    assert next(csv.reader(io.StringIO(text))) == [
        '\'=HYPERLINK("http://x")',
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "-1.5",
        "0",
        "plain",
    ]


ROSTER = (
    'Student,ID,SIS User ID,SIS Login ID,Section,Exercise 1 (4242)\n"Smith, Jane",12345,s1,jsmith,A,\n'
    '"Doe, John",222,s2,jdoe,A,\n"Roe, Richard",444,s3,rroe,B,\n"Poe, Edgar",555,s4,epoe,B,\n'
)


def test_the_canvas_file_follows_canvas_rules_and_leaves_every_unsure_grade_blank(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    roster = read_roster(path)
    results = [
        result("a.ipynb", "s1", roster=roster.by_canvas_id("12345").lms),
        result("b.ipynb", "s2", status="needs-review", roster=roster.by_canvas_id("222").lms),
        result("c1.ipynb", "s3", roster=roster.by_canvas_id("444").lms),
        result("c2.ipynb", "s3", points=(0, 0, 0), roster=roster.by_canvas_id("444").lms),  # two files, one student
        SubmissionResult("", "s4", status="missing", roster=roster.by_canvas_id("555").lms, max_score=5),
    ]
    text = csv_text(canvas_rows(results, KEY, "Exercise 1 (4242)", roster, "SIS User ID"))
    students = check_canvas_import(text, "4242")
    assert [(s["ID"], s["Exercise 1 (4242)"]) for s in students] == [("12345", "5"), ("222", ""), ("444", ""), ("555", "")]


def test_without_a_roster_the_file_names_are_matched_by_the_documented_column():
    results = [
        result("s1.ipynb", "s1"),
        result("smithjane_12345_1_w.ipynb", "", status="needs-review", roster={"ID": "12345"}),
        result("unreadable.ipynb", "s9", status="unreadable", points=()),
    ]
    students = check_canvas_import(csv_text(canvas_rows(results, KEY, KEY["title"], None, "SIS User ID")), None)
    assert [(s["ID"], s["SIS User ID"], s[KEY["title"]]) for s in students] == [
        ("", "s1", "5"),
        ("12345", "", ""),
        ("", "s9", ""),
    ]


def test_the_gradebook_says_which_variant_was_checked_and_what_was_exported():
    rows = gradebook_rows([result("s1.ipynb", "s1"), result("b.ipynb", "s2", status="needs-review")], KEY)
    header = rows[0]
    first, second = (dict(zip(header, row)) for row in rows[1:])
    assert (first["variant_of"], first["score"], first["exported"], first["feedback"]) == ("s1", "5", "yes", "feedback/s1.html")
    assert (second["status"], second["exported"]) == ("needs-review", "no")


@pytest.mark.parametrize("reveal", [False, True])
def test_feedback_shows_each_question_and_the_answer_as_recorded_and_the_expected_answer_only_when_released(reveal):
    row = result("s1.ipynb", "s1", points=(0, 1, 2))
    row.questions[0].answer, row.questions[0].expected = "<script>alert(1)</script>", 4.2
    page = feedback_html(row, KEY, reveal=reveal)
    assert "How many negation markers does your statement have" in page  # the question as the student read it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert ("<strong>Expected:</strong> <code>4.2</code>" in page) is reveal


def test_summary_text_says_where_it_was_cut_and_never_cuts_an_entity():
    """summary.md shows at most 120 characters of a reason or an answer; a cut ends in an ellipsis."""
    short = "RuntimeError: Kernel died"
    assert _md(short) == short
    long = "x" * 118 + " & the rest of a long reason"
    shown = _md(long)
    assert shown.endswith("…") and shown.startswith("x" * 118)
    assert shown == "x" * 118 + " …"  # the cut falls before the ampersand, which is not half-escaped
    assert _md("a & b <i>|`") == "a &amp; b &lt;i&gt;\\|'"
