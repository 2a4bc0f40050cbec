"""The tree is clean under ruff, lint and format, as configured in pyproject.toml (CONTRIBUTING.md, "Style")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "command", [["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]], ids=["check", "format"]
)
def test_ruff_passes(command):
    result = _ruff(*command)
    assert result.returncode == 0, (
        f"ruff {' '.join(command)} found problems (run `ruff {command[0]} .`):\n{result.stdout}{result.stderr}"
    )


def test_ruff_finds_a_problem_it_is_configured_for(tmp_path):
    """The configuration really selects rules: an unused import and a badly formatted line are caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = {  'a':1 }\n", encoding="utf-8")
    config = ["--config", str(PROJECT_DIR / "pyproject.toml")]
    assert "F401" in _ruff("check", "--no-cache", *config, str(bad)).stdout
    assert _ruff("format", "--no-cache", "--check", *config, str(bad)).returncode == 1
