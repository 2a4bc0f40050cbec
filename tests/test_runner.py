"""``casework run``'s preparation: -p values typed as declared and checked, the output folder checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import ParameterError
from helpers.errors import OutputFolderError
from helpers.files import output_folder
from helpers.runner import parse_value, prepare_parameters


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("UTC", "str", "UTC"),
        ("2020", "str", "2020"),  # a str parameter keeps its text, digits included
        ("true", "bool", True),
        ("False", "bool", False),
        ('["gaboriault-biv", "keiser-email"]', "list", ["gaboriault-biv", "keiser-email"]),
        ("[]", "list", []),
        ("3", "", 3),
    ],
)
def test_values_are_typed_as_declared(text, kind, value):
    assert parse_value("name", text, kind) == value


@pytest.mark.parametrize(
    "name, text, kind, message",
    [
        (
            "compare_ids",
            '["s01","s02"',
            "list",
            r"""parameter 'compare_ids': '\["s01","s02"' is not a JSON list .*write it as JSON, e\.g\. -p compare_ids '\["s01", "s02"\]'""",
        ),
        ("compare_ids", "s01", "list", r"""parameter 'compare_ids': 's01' is not a JSON list .*-p compare_ids '\["s01"\]'"""),
        ("compare_ids", '"s01"', "list", r"parameter 'compare_ids': '\"s01\"' is not a JSON list"),
        ("include_implied", "yes", "bool", r"parameter 'include_implied': 'yes' is not a boolean; write true or false"),
    ],
)
def test_a_malformed_value_names_the_parameter(name, text, kind, message):
    with pytest.raises(ParameterError, match=message):
        parse_value(name, text, kind)


def test_prepare_parameters_types_checks_and_makes_paths_absolute(hootsuite, tmp_path, monkeypatch):
    from helpers.wording import DEFAULT_LEXICON

    (tmp_path / "my-lexicon.csv").write_text(DEFAULT_LEXICON.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    values = prepare_parameters(
        [
            ("display_timezone", "UTC"),
            ("include_implied", "false"),
            ("compare_ids", '["gaboriault-biv"]'),
            ("lexicon", "my-lexicon.csv"),
        ],
        hootsuite,
    )
    assert values == {
        "display_timezone": "UTC",
        "include_implied": False,
        "compare_ids": ["gaboriault-biv"],
        "lexicon": str(tmp_path.resolve() / "my-lexicon.csv"),
    }


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([("display_timezon", "UTC")], r"unknown parameter 'display_timezon' \(did you mean 'display_timezone'\?\)"),
        ([("case_id", "x")], "give the case with --case"),
        ([("display_timezone", "utc")], r"parameter 'display_timezone': unknown time zone 'utc' \(did you mean 'UTC'\?\)"),
        (
            [("compare_ids", '["keiser-mail"]')],
            r"parameter 'compare_ids': unknown statement id 'keiser-mail' \(did you mean 'keiser-email'",
        ),
    ],
)
def test_prepare_parameters_refuses_before_anything_runs(hootsuite, pairs, message):
    with pytest.raises(ParameterError, match=message):
        prepare_parameters(pairs, hootsuite)


def test_output_folder_is_created(tmp_path):
    assert output_folder(tmp_path / "out" / "case") == (tmp_path / "out" / "case").resolve()
    assert (tmp_path / "out" / "case").is_dir()


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputFolderError, match=f"cannot write the output folder {blocker / 'case'}"):
        output_folder(blocker / "case")


@pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix", reason="needs Linux /proc")
def test_an_output_folder_under_proc_is_named():
    with pytest.raises(OutputFolderError, match="cannot write the output folder /proc/nope/case"):
        output_folder(Path("/proc/nope/case"))


@pytest.mark.slow
def test_a_notebook_over_the_time_limit_fails_alone_and_leaves_no_kernel(tmp_path):
    """The lesson kernels' shutdown skips jupyter_client's interrupt (``unix_socket_kernels``): a
    kernel still busy at shutdown must be stopped all the same, and the next notebook must run."""
    import io

    import nbformat
    import psutil

    from helpers.runner import run_lessons

    stuck, quick = tmp_path / "stuck.ipynb", tmp_path / "quick.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)")]), stuck
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), quick)
    progress = io.StringIO()
    results = run_lessons("hootsuite-ice-2020", tmp_path / "out", notebooks=[stuck, quick], progress=progress, timeout=3)
    assert [r.ok for r in results] == [False, True], progress.getvalue()
    assert "42" in (tmp_path / "out" / "notebooks" / "quick.ipynb").read_text(encoding="utf-8")
    kernels = [p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels == []
