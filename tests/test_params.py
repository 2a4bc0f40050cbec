"""Notebook parameters: unknown names, wrong types and bad values are errors that say which."""

from __future__ import annotations

import pytest

from helpers import ParameterError, check_parameters
from helpers.params import injected_names
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
    with pytest.raises(ParameterError, match=r"unknown parameter 'display_timezon' \(did you mean 'display_timezone'\?\); this notebook's parameters are: case_id, display_timezone"):
        check_parameters(namespace('# Parameters\ndisplay_timezon = "UTC"\n', display_timezon="UTC"))


def test_wrong_type_is_an_error():
    with pytest.raises(ParameterError, match=r"parameter 'case_id' must be of type str, got int 2020"):
        check_parameters(namespace(case_id=2020))


def test_unknown_case_lists_the_cases():
    with pytest.raises(ParameterError, match=r"parameter 'case_id': unknown case 'hootsuite'; available cases: hootsuite-ice-2020"):
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
