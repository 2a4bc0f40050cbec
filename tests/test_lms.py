"""The instructor's round trip: a Canvas export in, grades for every student (or a stated doubt) out.

Real batches, graded with papermill in the sandbox: reference solutions built with the students'
own ids, in a zip named the way Canvas names downloaded submissions, with and without the roster
(the gradebook CSV Canvas exports).
"""

from __future__ import annotations

import csv
import re
import shutil
import stat
import zipfile

import pytest

from helpers.case import list_cases, load_case
from helpers.cli import main
from helpers.coursework.grade import GradingError, Options, grade_batch
from helpers.coursework.source import RELEASE_DIR, exercise_ids
from tests.conftest import FICTIONAL_CASE
from tests.test_grading import _blank, _solution
from tests.test_outputs import check_canvas_import

ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Exercise 1: the wording of one statement (98765),Current Score\n"
    "    Points Possible,,,,,5.00,\n"
    '"Smith, Jane",12345,s1234567,jsmith,Section A,,\n'
    '"Doe, John",222,S7654321,jdoe,Section A,,\n'
    '"Roe, Richard",444,s1111111,rroe,Section B,,\n'
)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """Jane and John submit the reference solution with their own ids; Richard submits nothing."""
    folder = tmp_path_factory.mktemp("canvas")
    archive = folder / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("smithjane_12345_67890_wording.ipynb", _solution("wording", "s1234567"))
        bundle.writestr("doejohn_late_222_333_wording.ipynb", _solution("wording", "s7654321"))
        bundle.writestr("__MACOSX/._smithjane_12345_67890_wording.ipynb", b"junk")
        bundle.writestr("expected.csv", b"not a submission")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def with_roster(export):
    out = export / "with-roster"
    code = main(
        [
            "grade",
            str(export / "submissions.zip"),
            "--exercise",
            "wording",
            "--roster",
            str(export / "roster.csv"),
            "--out",
            str(out),
            "--no-progress",
            "--workers",
            "2",
        ]
    )
    return code, out


def _rows(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_canvas_export_graded_with_the_roster_gives_every_student_full_marks(with_roster):
    code, out = with_roster
    book = {r["name"]: r for r in _rows(out / "gradebook.csv")}
    assert set(book) == {"Smith, Jane", "Doe, John", "Roe, Richard"}  # the skipped csv and the resource fork are not students
    for name, sis in (("Smith, Jane", "s1234567"), ("Doe, John", "S7654321")):
        assert (book[name]["status"], book[name]["score"], book[name]["variant_of"], book[name]["exported"]) == (
            "graded",
            "5",
            sis.lower(),
            "yes",
        )
        assert book[name]["student_id"] == sis
    assert (book["Roe, Richard"]["status"], book["Roe, Richard"]["score"]) == ("missing", "")
    assert code == 1  # Richard's row needs the instructor


def test_the_import_file_updates_the_named_assignment_and_leaves_the_missing_student_blank(with_roster):
    _, out = with_roster
    students = check_canvas_import((out / "canvas-import.csv").read_text(encoding="utf-8"), "98765")
    column = "Exercise 1: the wording of one statement (98765)"
    assert [(s["Student"], s["ID"], s["SIS Login ID"], s[column]) for s in students] == [
        ("Smith, Jane", "12345", "jsmith", "5"),
        ("Doe, John", "222", "jdoe", "5"),
        ("Roe, Richard", "444", "rroe", ""),
    ]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "updates the existing assignment **Exercise 1: the wording of one statement (98765)**" in summary
    assert "- `expected.csv`: not a notebook (.ipynb)" in summary


def test_without_the_roster_the_same_export_is_flagged_never_misgraded(export, tmp_path):
    rows = grade_batch(export / "submissions.zip", "wording", tmp_path / "out", Options(progress=False, workers=2))
    assert [(r.status, r.score) for r in rows] == [("needs-review", 5), ("needs-review", 5)]
    for row in rows:
        assert "Canvas user id" in row.reason and "--roster" in row.reason and not row.final
    students = check_canvas_import((tmp_path / "out" / "canvas-import.csv").read_text(encoding="utf-8"), None)
    assert [s["Exercise 1: the wording of one statement"] for s in students] == ["", ""]


def test_feedback_shows_the_question_and_the_answer_and_reveals_only_when_asked(export, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "s1234567.ipynb").write_bytes(_solution("wording", "s1234567"))
    for reveal in (False, True):
        out = tmp_path / f"out-{reveal}"
        rows = grade_batch(folder, "wording", out, Options(progress=False), reveal=reveal)
        page = (out / "feedback" / "s1234567.html").read_text(encoding="utf-8")
        assert "How many negation markers does your statement have" in page
        q1 = rows[0].question("q1")
        assert f'<pre class="answer">{q1.answer:g}</pre>' in page or f'<pre class="answer">{q1.answer}</pre>' in page
        assert ("<strong>Expected:</strong>" in page) is reveal


def test_two_files_for_one_student_are_both_flagged_and_neither_is_exported(tmp_path):
    folder = tmp_path / "subs"
    (folder / "resubmitted").mkdir(parents=True)
    (folder / "alice.ipynb").write_bytes(_solution("timing", "alice"))
    (folder / "resubmitted" / "alice.ipynb").write_bytes(_blank("timing", "alice"))
    rows = grade_batch(folder, "timing", tmp_path / "out", Options(progress=False, workers=2))
    assert {r.submission: r.status for r in rows} == {"alice.ipynb": "needs-review", "resubmitted/alice.ipynb": "needs-review"}
    assert all("2 files belong to student 'alice'" in r.reason for r in rows)
    canvas = list(csv.reader((tmp_path / "out" / "canvas-import.csv").read_text(encoding="utf-8").splitlines()))
    assert canvas[2:] == [["", "", "alice", "", "", ""]]  # one row for the student, score blank
    assert len(list((tmp_path / "out" / "feedback").iterdir())) == 2  # one page per file, neither overwriting the other


def test_grading_on_another_case_checks_against_that_case_and_refuses_what_it_lacks(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    case_id = load_case(FICTIONAL_CASE).case_id
    (folder / "ann.ipynb").write_bytes(_solution("contradictions", "ann", case_id))
    (folder / "bob.ipynb").write_bytes(_solution("contradictions", "bob"))  # still set on the built-in case
    rows = {
        r.student_id: r
        for r in grade_batch(folder, "contradictions", tmp_path / "out", Options(progress=False), case=FICTIONAL_CASE)
    }
    assert (rows["ann"].status, rows["ann"].score, rows["ann"].case_id) == ("graded", rows["ann"].max_score, case_id)
    assert rows["bob"].status == "needs-review"
    assert f"works on case hootsuite-ice-2020, but this run grades case {case_id}" in rows["bob"].reason
    lacking = tmp_path / case_id
    shutil.copytree(FICTIONAL_CASE, lacking)
    (lacking / "coding.csv").unlink()
    with pytest.raises(
        GradingError, match=r"exercise 'strategies' needs coding.csv, which case 'harbour-ferry-2023' does not have"
    ):
        grade_batch(folder, "strategies", tmp_path / "out2", Options(progress=False), case=lacking)
    assert not (tmp_path / "out2").exists()  # refused before anything was written


def test_exit_statuses_and_one_line_errors(tmp_path, capsys):
    folder = tmp_path / "subs"
    folder.mkdir()
    assert main(["grade", str(folder), "--exercise", "wording", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert capsys.readouterr().err.strip() == f"casework: error: {folder}: no notebook (.ipynb) to grade"
    assert main(["grade", str(folder), "--exercise", "nope"]) == 2
    assert "unknown exercise 'nope'" in capsys.readouterr().err
    (folder / "s1.ipynb").write_bytes(_solution("timing", "s1"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["grade", str(folder), "--exercise", "timing", "--out", str(blocker / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"casework: error: --out {blocker / 'out'}: cannot write the output folder") and err.count("\n") == 1
    assert (
        main(
            [
                "grade",
                str(folder),
                "--exercise",
                "timing",
                "--canvas-assignment",
                "Exercise 2",
                "--no-progress",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "with its id in brackets" in capsys.readouterr().err
    assert main(["grade", str(folder), "--exercise", "timing", "--out", str(tmp_path / "ok"), "--no-progress"]) == 0
    assert "graded 1 row(s): 1 graded" in capsys.readouterr().out
    (folder / "s2.ipynb").write_bytes(_solution("timing", "someone-else"))
    assert main(["grade", str(folder), "--exercise", "timing", "--out", str(tmp_path / "ok"), "--no-progress"]) == 1
    assert "1 row(s) need you" in capsys.readouterr().out


def test_an_existing_output_folder_keeps_its_permissions_and_people_outputs_are_group_readable(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "s1.ipynb").write_bytes(_solution("timing", "s1"))
    out = tmp_path / "course"
    out.mkdir()
    out.chmod(0o2775)  # a shared course folder, setgid for the instructors' group
    (out / "notes.md").write_text("the instructor's own file")
    grade_batch(folder, "timing", out, Options(progress=False))
    assert stat.S_IMODE(out.stat().st_mode) == 0o2775
    assert (out / "notes.md").read_text() == "the instructor's own file"
    for name in ("gradebook.csv", "canvas-import.csv", "summary.md", "environment.json", "feedback/s1.html"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o640, name
    assert stat.S_IMODE((out / "results").stat().st_mode) & 0o777 == 0o700  # the setgid bit is inherited, as it should be
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (out / "results").iterdir())


def _names_in(case) -> set[str]:
    speakers = {re.sub(r"\s*\(.*\)", "", s).strip() for s in case.statements["speaker"]}
    return {case.organisation} | {s for s in speakers if s[:1].isupper() and s.lower() != "unnamed spokesperson"}


@pytest.mark.parametrize("exercise", exercise_ids())
def test_exercise_text_names_no_organisation_or_person_of_any_case(exercise):
    text = (RELEASE_DIR / f"{exercise}.ipynb").read_text(encoding="utf-8")
    cases = [load_case(c) for c in list_cases()] + [load_case(FICTIONAL_CASE)]
    for case in cases:
        for name in _names_in(case):
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{exercise} names {name!r} of {case.case_id}"
