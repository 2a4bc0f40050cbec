"""Whose work a submission is: the file, the notebook and the kernel must agree, or the row says so."""

from __future__ import annotations

import nbformat
import pytest

from helpers.coursework.identity import Owner, decide, owner_of, written_ids
from helpers.coursework.intake import Submission, read_roster

PARAMETERS = 'student_id: str = "s1234567"  # your id\ncase_id: str = "hootsuite-ice-2020"'


def notebook(*sources: str, parameters: str = PARAMETERS):
    cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.v4.new_notebook(cells=cells)


def test_the_ids_a_notebook_sets_are_read_from_its_source_without_running_it():
    written = written_ids(notebook("!ls\n%matplotlib inline\nx = 1", "student_id = 'S1234567'"))
    assert written.student_ids == ("s1234567", "S1234567") and written.case_ids == ("hootsuite-ice-2020",)
    assert written.problems == ()
    computed = written_ids(notebook("import os\nstudent_id = os.environ['USER']"))
    assert computed.problems == ("cell 1 sets student_id from an expression, not from plain text",)
    broken = written_ids(notebook(parameters="student_id = 'x"))
    assert broken.problems == ("the parameters cell (cell 0) is not valid Python",)


USED = [{"exercise": "wording", "student_id": "s1234567", "case_id": "hootsuite-ice-2020"}]


def test_agreeing_witnesses_give_a_sure_identity_whatever_the_case_of_the_letters():
    identity = decide(Owner("S1234567"), written_ids(notebook()), USED, "wording", "hootsuite-ice-2020")
    assert identity.reasons == [] and identity.variant_of == "s1234567" and identity.notebook_id == "s1234567"


@pytest.mark.parametrize(
    "owner, sources, used, exercise, case, phrase",
    [
        (
            "s7654321",
            (),
            USED,
            "wording",
            "hootsuite-ice-2020",
            "worked with student id 's1234567', but the file belongs to 's7654321'",
        ),
        (
            "s1234567",
            (),
            [{**USED[0], "student_id": "demo"}],
            "wording",
            "hootsuite-ice-2020",
            "more than one student id ('s1234567', 'demo')",
        ),
        ("s1234567", (), USED, "timing", "hootsuite-ice-2020", "starts exercise 'wording', not 'timing'"),
        (
            "s1234567",
            (),
            USED,
            "wording",
            "harbour-ferry-2023",
            "works on case hootsuite-ice-2020, but this run grades case harbour-ferry-2023",
        ),
    ],
)
def test_any_disagreement_is_a_reason_naming_both_sides(owner, sources, used, exercise, case, phrase):
    identity = decide(Owner(owner), written_ids(notebook(*sources)), used, exercise, case)
    assert any(phrase in reason for reason in identity.reasons), identity.reasons


def test_the_placeholder_or_no_id_at_all_is_never_taken_for_the_student():
    placeholder = decide(
        Owner("s1"), written_ids(notebook(parameters='student_id = "demo"')), [], "wording", "hootsuite-ice-2020"
    )
    assert placeholder.reasons == ["the notebook still holds the placeholder id 'demo': the student id was never typed in"]
    assert placeholder.variant_of == "demo"  # the variant the student really worked on
    nothing = decide(Owner("s1"), written_ids(notebook(parameters="x = 1")), [], "wording", "hootsuite-ice-2020")
    assert nothing.reasons == ["the notebook never sets student_id (its parameters cell was removed or changed)"]
    assert nothing.variant_of == "s1"


ROSTER = 'Student,ID,SIS User ID,SIS Login ID,Section\n"Smith, Jane",12345,s1234567,jsmith,A\n"Doe, John",222,,jdoe,A\n'


def test_the_owner_comes_from_the_file_name_through_the_roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    roster = read_roster(path)
    canvas = Submission("smithjane_12345_67890_wording.ipynb", b"", "12345", "12345", "smithjane")
    assert "--roster" in owner_of(canvas, None).problem and owner_of(canvas, None).roster == {"ID": "12345"}
    owner = owner_of(canvas, roster)
    assert (owner.student_id, owner.student, owner.problem) == ("s1234567", "Smith, Jane", "")
    stranger = Submission("lee_777_1_wording.ipynb", b"", "777", "777", "lee")
    assert owner_of(stranger, roster).problem == "the Canvas user id 777 in the file name is not in the roster"
    no_id = Submission("doejohn_222_1_wording.ipynb", b"", "222", "222", "doejohn")
    assert owner_of(no_id, roster).problem == "the roster's line 3 (Doe, John) has no SIS User ID"
    by_name = Submission("S1234567.ipynb", b"", "S1234567")
    assert owner_of(by_name, roster).student_id == "s1234567"
    assert owner_of(Submission("zoe.ipynb", b"", "zoe"), roster).problem == "no roster row has SIS User ID 'zoe'"
