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


def _readme() -> str:
    return (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def test_readme_says_how_to_write_parameter_values():
    readme = _readme()
    assert """`-p compare_ids '["gaboriault-biv","keiser-email"]'`""" in readme
    assert "a list is written as JSON" in readme and "a boolean is `true` or `false`" in readme


def test_readme_parameter_examples_pass_the_checks(hootsuite):
    import shlex

    from helpers.runner import prepare_parameters

    examples = [shlex.split(text)[1:] for text in re.findall(r"`(-p \w+ [^`]+)`", _readme())]
    examples = [pair for pair in examples if pair[0] not in ("NAME", "lexicon")]  # the syntax; a file of the user's own
    assert {"display_timezone", "compare_ids", "include_implied", "as_of"} <= {name for name, _ in examples}
    for name, value in examples:
        prepare_parameters([(name, value)], hootsuite)


def test_readme_exit_statuses_are_the_commands(case_copy, capsys):
    from helpers.cli import main
    from tests.conftest import read_rows, write_rows

    row = next(line for line in _readme().splitlines() if line.startswith("| `casework validate"))
    assert "exit status 0 if valid, 1 if not, 2 if no such case exists" in row
    assert main(["validate", str(case_copy)]) == 0
    header, rows = read_rows(case_copy / "statements.csv")
    rows[0]["time_precision"] = "week"
    write_rows(case_copy / "statements.csv", header, rows)
    assert main(["validate", str(case_copy)]) == 1
    assert main(["validate", "no-such-case"]) == 2
    capsys.readouterr()


def test_readme_opening_says_what_is_known_and_what_is_inferred_about_the_email_and_the_denial(hootsuite):
    """The opening must not turn BetaKit's estimate for the story into a recorded order of the two messages."""
    from helpers.times import gap

    opening = " ".join(_readme().split("\n\n")[1].split())
    # the data cannot order the email and the statement: the README must not either
    assert not gap(hootsuite.interval("keiser-email"), hootsuite.interval("gaboriault-biv")).certain_order
    assert "No source times the spokesperson's statement itself" in opening
    assert "that order is inferred, not recorded" in opening
    # the estimate it does give is BetaKit's, for the story, and the case data carries it there
    story = hootsuite.events.loc["biv-article"]
    assert "about two hours after the email" in opening and "BetaKit" in opening
    assert "some two hours" in story["time_as_reported"] and "betakit-1" in story["source_ids"].split(";")
    for overclaim in ("at most about", "perhaps only minutes", "Earlier that evening"):
        assert overclaim not in opening
