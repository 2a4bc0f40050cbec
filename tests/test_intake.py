"""Taking submissions in: only notebooks are submissions, zips are read member by member, rosters."""

from __future__ import annotations

import zipfile

import pytest

from helpers.coursework.intake import IntakeError, collect, read_roster

LIMIT = 1024 * 1024


def test_only_notebooks_are_submissions_and_everything_else_is_listed_as_skipped(tmp_path):
    for name in [
        "alice.ipynb",
        "expected.csv",
        "notes.txt",
        "section-b/bob.IPYNB",
        ".hidden.ipynb",
        ".ipynb_checkpoints/alice.ipynb",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    intake = collect(tmp_path, LIMIT)
    assert [s.name for s in intake.submissions] == ["alice.ipynb", "section-b/bob.IPYNB"]
    assert intake.skipped == [("expected.csv", "not a notebook (.ipynb)"), ("notes.txt", "not a notebook (.ipynb)")]


def test_file_names_give_student_ids_or_canvas_user_ids(tmp_path):
    for name in ["alice.ipynb", "smithjane_12345_67890_wording.ipynb", "doejohn_late_222_333_wording-1.ipynb", "bad name.ipynb"]:
        (tmp_path / name).write_text("{}")
    found = {s.name: (s.file_id, s.canvas_user_id, s.display_name) for s in collect(tmp_path, LIMIT).submissions}
    assert found["alice.ipynb"] == ("alice", None, "")
    assert found["smithjane_12345_67890_wording.ipynb"] == ("12345", "12345", "smithjane")
    assert found["doejohn_late_222_333_wording-1.ipynb"] == ("222", "222", "doejohn")
    assert found["bad name.ipynb"] == (None, None, "")


def test_a_folder_or_zip_with_no_notebook_is_an_error_that_names_what_was_there(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(IntakeError, match=r"empty: no notebook \(\.ipynb\) to grade$"):
        collect(tmp_path / "empty", LIMIT)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("expected.csv", "x")
    with pytest.raises(IntakeError, match=r"no notebook \(\.ipynb\) to grade \(1 other file\(s\) skipped: expected.csv\)"):
        collect(archive, LIMIT)


def _corrupt(archive, payload: bytes) -> None:
    data = archive.read_bytes()
    at = data.index(payload)
    archive.write_bytes(data[:at] + b"X" + data[at + 1 :])


def test_zip_members_are_read_one_by_one_and_a_bad_member_is_a_row_of_its_own(tmp_path):
    archive = tmp_path / "export.zip"
    good = b'{"cells": []}'
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../escape.ipynb", good)
        bundle.writestr("/etc/absolute.ipynb", good)
        bundle.writestr("section-a/x.ipynb", good)
        bundle.writestr("section-b/x.ipynb", good)
        bundle.writestr("crc.ipynb", b"CORRUPT-ME" * 10)
        bundle.writestr("big.ipynb", b"y" * (LIMIT + 1), compress_type=zipfile.ZIP_DEFLATED)
        bundle.writestr("__MACOSX/._x.ipynb", b"junk")
    _corrupt(archive, b"CORRUPT-ME")
    found = {s.name: s for s in collect(archive, LIMIT).submissions}
    assert sorted(found) == [
        "../escape.ipynb",
        "/etc/absolute.ipynb",
        "big.ipynb",
        "crc.ipynb",
        "section-a/x.ipynb",
        "section-b/x.ipynb",
    ]
    assert "leaves the archive's folder" in found["../escape.ipynb"].problem and found["../escape.ipynb"].data is None
    assert "leaves the archive's folder" in found["/etc/absolute.ipynb"].problem
    assert "cannot be read" in found["crc.ipynb"].problem and "CRC" in found["crc.ipynb"].problem
    assert "over the 1 MB limit" in found["big.ipynb"].problem
    assert found["section-a/x.ipynb"].data == good and found["section-b/x.ipynb"].problem is None
    assert not (tmp_path.parent / "escape.ipynb").exists()  # nothing is ever extracted


def test_a_member_named_twice_in_one_zip_gives_two_rows(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle, pytest.warns(UserWarning, match="Duplicate name"):
        bundle.writestr("alice.ipynb", b"first")
        bundle.writestr("alice.ipynb", b"second")
    found = collect(archive, LIMIT).submissions
    assert [(s.name, s.file_id, s.data) for s in found] == [
        ("alice.ipynb", "alice", b"first"),
        ("alice.ipynb#2", "alice", b"second"),
    ]


CANVAS_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Exercise 1: the wording of one statement (98765),Current Score\n"
    ",,,,,Manual Posting,\n"
    "    Points Possible,,,,,5.00,(read only)\n"
    '"Smith, Jane",12345,s1234567,jsmith,Section A,,\n'
    '"Student, Test",999,,,Section A,,\n'
)


def test_a_canvas_gradebook_export_is_a_roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(CANVAS_EXPORT, encoding="utf-8")
    roster = read_roster(path)
    assert [(e.student, e.canvas_id, e.student_id, e.line) for e in roster.entries] == [
        ("Smith, Jane", "12345", "s1234567", 4),
        ("Student, Test", "999", "", 5),
    ]
    assert roster.by_canvas_id("12345").lms == {
        "Student": "Smith, Jane",
        "ID": "12345",
        "SIS User ID": "s1234567",
        "SIS Login ID": "jsmith",
        "Section": "Section A",
    }
    assert roster.by_student_id(" S1234567 ").student == "Smith, Jane"  # ids compare without case or space
    header = "Exercise 1: the wording of one statement (98765)"
    assert roster.assignments == {header: "98765"} and roster.points_possible[header] == "5.00"
    for wanted in (header, "98765", "exercise 1: the wording of one statement"):
        assert roster.assignment(wanted) == header
    assert read_roster(path, "SIS Login ID").by_canvas_id("12345").student_id == "jsmith"


def test_a_roster_that_cannot_be_used_is_an_error_naming_file_line_and_column(tmp_path):
    path = tmp_path / "roster.csv"
    with pytest.raises(IntakeError, match="no such file"):
        read_roster(path)
    path.write_text("Student,ID,SIS Login,Section\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"no column 'SIS User ID'.*--roster-id-column"):
        read_roster(path)
    path.write_text(CANVAS_EXPORT + '"Smith, J.",12345,s7,js,Section B,,\n', encoding="utf-8")
    with pytest.raises(IntakeError, match=r"lines 4 and 6: the same ID '12345'"):
        read_roster(path)
