"""The casework command as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import main
from tests.conftest import FICTIONAL_CASE, read_rows, write_rows


def casework(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=900)


def test_help_explains_the_commands():
    result = casework("--help")
    assert result.returncode == 0
    for word in ("list", "validate", "run", "casework run --case"):
        assert word in result.stdout


def test_list(capsys):
    assert main(["list"]) == 0
    assert "hootsuite-ice-2020" in capsys.readouterr().out


def test_validate_built_in_cases(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("OK ")] == ["OK chef-2019", "OK hootsuite-ice-2020", "OK wayfair-2019"]


def test_validate_a_broken_copy(case_copy, capsys):
    header, rows = read_rows(case_copy / "statements.csv")
    rows[2]["time_precision"] = "week"
    write_rows(case_copy / "statements.csv", header, rows)
    assert main(["validate", str(case_copy)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert "statements.csv, line 4" in out and "column 'time_precision': 'week' is not allowed" in out


def test_validate_unknown_case(capsys):
    assert main(["validate", "no-such-case"]) == 2
    assert "unknown case 'no-such-case'; available cases: chef-2019, hootsuite-ice-2020, wayfair-2019" in capsys.readouterr().err


def test_run_rejects_a_mistyped_parameter(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path), "-p", "display_timezon", "UTC"]) == 2
    assert "unknown parameter 'display_timezon' (did you mean 'display_timezone'?)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_run_a_case_folder_written_from_the_data_dictionary(tmp_path):
    result = casework("run", "--case", str(FICTIONAL_CASE), "--out", "results", "-p", "display_timezone", "UTC", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out_dir = tmp_path / "results" / "harbour-ferry-2023"
    executed = sorted(p.name for p in (out_dir / "notebooks").glob("*.ipynb"))
    handouts = sorted(p.name for p in (out_dir / "handouts").glob("*.html"))
    assert executed and [h.removesuffix(".html") for h in handouts] == [e.removesuffix(".ipynb") for e in executed]
    assert "[1/" in result.stderr and "ok" in result.stderr
    # each progress line whole: nothing from the kernels (such as ipykernel's warning about TCP) in the middle
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress and all(re.fullmatch(r"\[\d+/\d+\] \S+\.ipynb \.\.\. ok \(\d+\.\d s\)", line) for line in progress), result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
    assert "FICTIONAL CASE" in result.stdout and str(out_dir / "handouts") in result.stdout
    html = (out_dir / "handouts" / "01-case-overview.html").read_text(encoding="utf-8")
    assert "Northsound Ferries" in html and "data:image/png;base64" in html
    # opens offline: no script or stylesheet from the network
    assert "<script src=" not in html and "cdnjs" not in html and "unpkg" not in html


@pytest.mark.parametrize("parameter, messages", [
    (["display_timezone", "utc"], ["parameter 'display_timezone'", "unknown time zone 'utc'", "did you mean 'UTC'?"]),
    (["display_timezone", "Europe/Londn"], ["parameter 'display_timezone'", "'Europe/Londn'", "did you mean 'Europe/London'"]),
    (["compare_ids", '["s01","s02"'], ["parameter 'compare_ids'", "is not a JSON list", """-p compare_ids '["s01", "s02"]'"""]),
    (["compare_ids", '["gaboriault-bvi"]'], ["parameter 'compare_ids'", "unknown statement id 'gaboriault-bvi'", "did you mean 'gaboriault-biv'"]),
    (["compare_speakers", '["mary houtmann"]'], ["parameter 'compare_speakers'", "did you mean 'Mary Houtmann'?"]),
    (["include_implied", "yes"], ["parameter 'include_implied'", "'yes' is not a boolean; write true or false"]),
    (["lexicon", "no-such-lexicon.csv"], ["parameter 'lexicon'", "no-such-lexicon.csv"]),
    (["scheme", "SCCT"], ["parameter 'scheme'", "did you mean 'scct'?"]),
    (["anchor_event", "keiser-mail"], ["parameter 'anchor_event'", "did you mean 'keiser-email'"]),
    (["as_of", "2031-01-01 00:00"], ["parameter 'as_of'", "is outside the case"]),
    (["claim", "no-such-claim"], ["parameter 'claim'", "unknown claim 'no-such-claim'"]),
])
def test_run_checks_every_value_before_any_notebook_runs(tmp_path, capsys, parameter, messages):
    assert main(["run", "--out", str(tmp_path), "-p", *parameter]) == 2
    captured = capsys.readouterr()
    for message in messages:
        assert message in captured.err
    assert "[1/" not in captured.err  # no notebook started
    assert list(tmp_path.iterdir()) == []


def test_a_bad_zone_is_one_line_and_no_traceback(tmp_path):
    result = casework("run", "--out", str(tmp_path), "-p", "display_timezone", "Europe/Londn")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.startswith("casework: error: parameter 'display_timezone': unknown time zone 'Europe/Londn'")
    assert list(tmp_path.iterdir()) == []


def test_run_names_an_output_folder_it_cannot_write(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["run", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert f"--out {blocker}: cannot write the output folder {blocker / 'hootsuite-ice-2020'}" in err


def test_run_under_proc_is_an_error_not_a_traceback(tmp_path):
    if not Path("/proc").is_dir():
        pytest.skip("needs Linux /proc")
    result = casework("run", "--out", "/proc/nope")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "casework: error: --out /proc/nope: cannot write the output folder /proc/nope/hootsuite-ice-2020" in result.stderr


def test_version():
    from importlib.metadata import version

    result = casework("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"casework {version('crisis-casework')}"


def test_run_help_says_how_to_write_values_and_what_the_exit_status_means():
    out = casework("run", "--help").stdout
    assert """-p compare_ids '["gaboriault-biv","keiser-email"]'""" in out
    assert "JSON" in out and "true or false" in out
    assert "exit status" in out and "2 nothing ran" in out


def test_the_value_examples_in_the_help_are_valid(hootsuite):
    """Every -p example in `casework run --help` passes the checks."""
    import re
    import shlex

    from helpers.cli import RUN_EPILOG
    from helpers.runner import prepare_parameters

    examples = [shlex.split(match)[1:] for match in re.findall(r"-p \w+ (?:'[^']*'|\"[^\"]*\"|\S+)", RUN_EPILOG)]
    examples = [pair for pair in examples if pair[0] not in ("NAME", "lexicon")]  # the syntax line; a file of the user's own
    assert len(examples) >= 4
    prepare_parameters([tuple(pair) for pair in examples], hootsuite)
