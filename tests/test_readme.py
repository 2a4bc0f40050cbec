"""The README's two set-up commands are the ones CI runs and they work on a fresh copy."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import PROJECT_DIR


def readme_command(marker: str) -> str:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```bash\n(.+?)\n```", readme, re.S)
    assert match, f"README.md has no fenced bash block after <!-- {marker} -->"
    return match.group(1).strip()


def test_readme_gives_the_two_commands():
    assert readme_command("main-command").endswith("casework run")
    assert "pytest" in readme_command("test-command")


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_command("test-command") in ci.splitlines()


def _fresh_copy(target):
    """The files a clone would have: tracked plus untracked-but-not-ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_DIR,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = PROJECT_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.mark.slow
def test_readme_main_command_on_a_fresh_copy(tmp_path):
    if shutil.which("git") is None or not (PROJECT_DIR / ".git").exists():
        pytest.skip("needs a git checkout to know which files a fresh clone has")
    _fresh_copy(tmp_path)
    result = subprocess.run(["bash", "-c", readme_command("main-command")], cwd=tmp_path, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out_dir = tmp_path / "casework-output" / "hootsuite-ice-2020"
    assert (out_dir / "notebooks" / "01-case-overview.ipynb").is_file()
    assert (out_dir / "handouts" / "01-case-overview.html").is_file()
    assert "notebooks ran" in result.stdout and "Hootsuite" in result.stdout
