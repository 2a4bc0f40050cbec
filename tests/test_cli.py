"""The casework command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

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
    assert capsys.readouterr().out.startswith("OK hootsuite-ice-2020:")


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
    assert "unknown case 'no-such-case'; available cases: hootsuite-ice-2020" in capsys.readouterr().err


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
    assert "FICTIONAL CASE" in result.stdout and str(out_dir / "handouts") in result.stdout
    html = (out_dir / "handouts" / "01-case-overview.html").read_text(encoding="utf-8")
    assert "Northsound Ferries" in html and "data:image/png;base64" in html
    # opens offline: no script or stylesheet from the network
    assert "<script src=" not in html and "cdnjs" not in html and "unpkg" not in html
