"""Notebook parameters: unknown names, wrong types and bad values are errors that say which."""

from __future__ import annotations

import re

import pytest

from helpers import ParameterError, check_parameters
from helpers.params import CASE_CHECKS, VALUE_CHECKS, check_values, injected_names
from tests.conftest import FICTIONAL_CASE


def namespace(injected: str = "", **values):
    base = {"case_id": "hootsuite-ice-2020", "display_timezone": ""}
    base.update(values)
    return {
        "__annotations__": {"case_id": str, "display_timezone": str},
        "In": ["", 'case_id: str = "hootsuite-ice-2020"\ndisplay_timezone: str = ""', injected],
        **base,
    }


def test_defaults_pass():
    params = check_parameters(namespace())
    assert (params.case_id, params.display_timezone) == ("hootsuite-ice-2020", "")


def test_injected_known_parameter_passes():
    params = check_parameters(namespace('# Parameters\ndisplay_timezone = "UTC"\n', display_timezone="UTC"))
    assert params.display_timezone == "UTC"


def test_a_case_folder_path_is_a_valid_case_id():
    assert check_parameters(namespace(case_id=str(FICTIONAL_CASE))).case_id == str(FICTIONAL_CASE)


def test_mistyped_parameter_name_is_an_error():
    with pytest.raises(
        ParameterError,
        match=r"unknown parameter 'display_timezon' \(did you mean 'display_timezone'\?\); this notebook's parameters are: case_id, display_timezone",
    ):
        check_parameters(namespace('# Parameters\ndisplay_timezon = "UTC"\n', display_timezon="UTC"))


def test_wrong_type_is_an_error():
    with pytest.raises(ParameterError, match=r"parameter 'case_id' must be of type str, got int 2020"):
        check_parameters(namespace(case_id=2020))


def test_unknown_case_lists_the_cases():
    with pytest.raises(
        ParameterError,
        match=r"parameter 'case_id': unknown case 'hootsuite'; available cases: chef-2019, hootsuite-ice-2020, wayfair-2019",
    ):
        check_parameters(namespace(case_id="hootsuite"))


def test_unknown_zone_is_an_error():
    with pytest.raises(ParameterError, match=r"parameter 'display_timezone': unknown time zone 'CDT'"):
        check_parameters(namespace(display_timezone="CDT"))


def test_injected_names_reads_only_papermill_cells():
    history = ["x = 1", "# Parameters\na = 1\nb: int = 2\n", "# not parameters\nc = 3"]
    assert injected_names(history) == {"a": 1, "b": 1}


def test_no_declared_parameters_is_an_error():
    with pytest.raises(ParameterError, match="declares no parameters"):
        check_parameters({"In": []})


# ---------------------------------------------------------------- the same checks outside a notebook


@pytest.mark.parametrize(
    "values, message",
    [
        ({"display_timezone": "utc"}, r"parameter 'display_timezone': unknown time zone 'utc' \(did you mean 'UTC'\?\)"),
        (
            {"display_timezone": "Europe/Londn"},
            r"parameter 'display_timezone': unknown time zone 'Europe/Londn' \(did you mean 'Europe/London'",
        ),
        ({"scheme": "SCCT"}, r"parameter 'scheme': unknown scheme 'SCCT' \(did you mean 'scct'\?\)"),
        ({"lexicon": "no-such-lexicon.csv"}, r"parameter 'lexicon': lexicon file not found: no-such-lexicon.csv"),
        ({"student_coding": "no-such-coding.csv"}, r"parameter 'student_coding': file not found: no-such-coding.csv"),
        (
            {"compare_ids": ["gaboriault-bvi"]},
            r"parameter 'compare_ids': unknown statement id 'gaboriault-bvi' \(did you mean 'gaboriault-biv'",
        ),
        (
            {"focus_statement": "keiser-mail"},
            r"parameter 'focus_statement': unknown statement id 'keiser-mail' \(did you mean 'keiser-email'",
        ),
        (
            {"compare_speakers": ["mary houtmann"]},
            r"parameter 'compare_speakers': unknown speaker 'mary houtmann' \(did you mean 'Mary Houtmann'\?\)",
        ),
        (
            {"anchor_event": "keiser-mail"},
            r"parameter 'anchor_event': 'keiser-mail' is not an event of this case \(did you mean 'keiser-email'",
        ),
        (
            {"claim": "formally-terminate"},
            r"parameter 'claim': unknown claim 'formally-terminate' \(did you mean 'formally-terminated'\?\)",
        ),
        ({"as_of": "2031-01-01 00:00"}, r"parameter 'as_of': '2031-01-01 00:00' is outside the case"),
    ],
)
def test_check_values_names_the_parameter_and_the_value(hootsuite, values, message):
    with pytest.raises(ParameterError, match=message):
        check_values(values, hootsuite)


def test_check_values_reads_as_of_in_the_given_zone(hootsuite):
    # The case starts at 2020-06-01 00:00 Vancouver time: 05:00 that day is inside it when read in
    # Vancouver, but before it when read in Tokyo (the evening of May 31 in Vancouver).
    check_values({"display_timezone": "UTC", "as_of": "2020-09-24 10:00"}, hootsuite)
    with pytest.raises(ParameterError, match="parameter 'as_of'"):
        check_values({"display_timezone": "Asia/Tokyo", "as_of": "2020-06-01 05:00"}, hootsuite)
    check_values({"as_of": "2020-06-01 05:00"}, hootsuite)


def test_check_values_accepts_the_defaults_and_good_values(hootsuite):
    check_values(
        {
            "display_timezone": "",
            "lexicon": "",
            "scheme": "benoit",
            "student_coding": "",
            "compare_ids": [],
            "compare_speakers": ["Mary Houtmann"],
            "focus_statement": "",
            "anchor_event": "keiser-email",
            "claim": "formally-terminated",
            "as_of": "",
            "include_implied": False,
        },
        hootsuite,
    )


def test_every_lesson_parameter_with_a_restricted_value_is_checked():
    """A parameter added to a lesson must get a check here, or be listed as free."""
    import papermill

    from helpers.paths import lesson_notebooks

    free = {"include_implied", "try_phrase"}  # any bool, any words will do; their types are checked
    declared = {name for nb in lesson_notebooks() for name in papermill.inspect_notebook(str(nb))}
    assert declared - free <= set(VALUE_CHECKS) | set(CASE_CHECKS)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("compare_with", ["chef-2019", "no-such-case"], "parameter 'compare_with': unknown case 'no-such-case'"),
        ("compare_with", [3], "parameter 'compare_with': 3 is not a case id or folder"),
        ("hours_before", -1, "parameter 'hours_before': -1 is not a number of hours from 0 to 720"),
        ("hours_after", 0, "parameter 'hours_after': 0 is not a number of hours from 1 to 720"),
    ],
)
def test_comparison_parameters_are_checked(name, value, message):
    from helpers.params import check_values

    with pytest.raises(ParameterError, match=re.escape(message)):
        check_values({name: value})


@pytest.mark.parametrize(
    "name, value, message",
    [
        (
            "decision_event",
            "keiser-emial",
            "parameter 'decision_event': 'keiser-emial' is not an event of this case (did you mean 'keiser-email'",
        ),
        ("response_event", "gaboriault-biv", "parameter 'response_event': 'gaboriault-biv' is not an event of this case"),
        ("quantity_series", "signatures", "parameter 'quantity_series': the case has no counted series 'signatures'"),
    ],
)
def test_timing_picks_are_checked_against_the_case(hootsuite, name, value, message):
    from helpers.params import check_values

    with pytest.raises(ParameterError, match=re.escape(message)):
        check_values({name: value}, hootsuite)
