"""The README's two set-up commands are the ones CI runs and they work on a fresh copy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT_DIR,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
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
    result = subprocess.run(
        ["bash", "-c", readme_command("main-command")], cwd=tmp_path, capture_output=True, text=True, timeout=1500
    )
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
    assert "a list is written as JSON" in _one_line(readme) and "a boolean is `true` or `false`" in _one_line(readme)


def test_readme_parameter_examples_pass_the_checks(hootsuite):
    import shlex

    from helpers.runner import prepare_parameters

    examples = [shlex.split(text)[1:] for text in re.findall(r"`(-p \w+ [^`]+)`", _readme())]
    examples = [pair for pair in examples if pair[0] not in ("NAME", "lexicon")]  # the syntax; a file of the user's own
    assert {"display_timezone", "compare_ids", "include_implied", "as_of"} <= {name for name, _ in examples}
    for name, value in examples:
        prepare_parameters([(name, value)], hootsuite)


def _section(command: str) -> str:
    """The README's section on ``casework COMMAND``, up to the next heading."""
    match = re.search(rf"^### `casework {command}`\n(.*?)(?=^#)", _readme(), re.S | re.M)
    assert match, f"README.md has no section headed ### `casework {command}`"
    return match.group(1)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_readme_lists_every_command_of_the_help_and_no_other():
    from tests.test_cli import commands_in_the_help

    commands = commands_in_the_help()
    overview = _readme().split("## The commands", 1)[1].split("### `casework list`", 1)[0]
    table = re.findall(r"^\| `casework (\S+?)[ `]", overview, re.M)
    assert table == [*commands, "--version"]


def test_readme_gives_every_option_and_the_exit_statuses_of_every_command():
    """Each command's section names every option its --help lists, no other, and the same exit statuses."""
    from tests.test_cli import commands_in_the_help, help_of, options_in

    for command in commands_in_the_help():
        text, section = help_of(command), _section(command)
        options = set(options_in(text)) - {"--help"}
        for option in options:
            assert f"`{option}" in section or f"`--{option.lstrip('-')}" in section, (
                f"README's `casework {command}` lacks {option}"
            )
        named = set(re.findall(r"`(--[a-z][\w-]*)", section))
        assert named <= options | {"--timeout"} if command == "run" else named <= options, f"{command}: {named - options}"
        positionals = re.findall(r"^  ([A-Z]+) {2,}", text.split("positional arguments:")[-1].split("options:")[0], re.M)
        for positional in positionals:
            assert f"`{positional}`" in section, f"README's `casework {command}` does not explain {positional}"
        help_statuses = _one_line(text.split("exit status: ", 1)[1])
        readme_statuses = _one_line(section.split("Exit status: ", 1)[1].split("\n\n")[0])
        assert readme_statuses == help_statuses, command


def _casework_lines() -> list[str]:
    """Every casework command line the README shows: in bash blocks and in inline code (placeholders left out)."""
    readme = _readme()
    lines = [line.strip() for block in re.findall(r"```bash\n(.*?)```", readme, re.S) for line in block.splitlines()]
    lines += re.findall(r"`((?:\.venv/bin/)?casework [^`]+)`", readme)
    found = []
    for line in lines:
        for part in re.split(r"&&", line):
            part = part.strip()
            if re.match(r"(\.venv/bin/)?casework ", part) and not re.search(r"[\[\]<>]|\.\.\.|COMMAND|NAME VALUE", part):
                found.append(part)
    return found


def test_every_casework_command_in_the_readme_is_one_the_cli_accepts():
    import shlex

    from helpers.cli import build_parser

    lines = _casework_lines()
    assert len(lines) >= 8
    for line in lines:
        words = shlex.split(line)[1:]
        if len(words) == 1 and words[0] != "list" or "--help" in words:  # a command named in the prose, not a command line
            continue
        if words[0] == "run" and "--timeout" in words:
            continue
        try:
            build_parser().parse_args(words)
        except SystemExit as exc:
            pytest.fail(f"README.md shows `{line}`, which casework refuses (exit {exc.code})")


def test_readme_durations_are_filled_in():
    assert "DUR_" not in _readme()
    rows = [line for line in _readme().split("| step | time |", 1)[1].split("\n\n")[0].splitlines()[2:]]
    assert len(rows) >= 5 and all(re.search(r"\d+ (s|min)", row.rsplit("|", 2)[1]) for row in rows), rows


def test_readme_says_how_to_start_jupyterlab_as_root():
    readme = _readme()
    assert "\n.venv/bin/jupyter lab notebooks/ --allow-root\n" in readme and "Running as root is not recommended" in _one_line(
        readme
    )
    assert "A JupyterHub, Binder or a Docker image from the Jupyter project never needs the flag" in _one_line(readme)
    jupyter = Path(sys.executable).parent / "jupyter"  # the environment the tests run in has the README's install
    flags = subprocess.run([str(jupyter), "lab", "--help-all"], capture_output=True, text=True, timeout=120).stdout
    assert "--allow-root" in flags and "--no-browser" in flags


def test_readme_installs_the_browser_as_ci_does():
    match = re.search(r"<!-- browser-install -->\s*```bash\n(.+?)\n```", _readme(), re.S)
    assert match, "README.md has no browser-install block"
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines()]
    for line in match.group(1).strip().splitlines():
        assert line.strip() in ci_lines, f"README's browser install has a line .ci/run does not run: {line}"
    assert "chromium" in match.group(1) and "npm ci --prefix tests/axe" in match.group(1) and "/usr/bin/chromium" in _readme()


def test_readme_exit_statuses_are_the_commands(case_copy, capsys):
    from helpers.cli import main
    from tests.conftest import read_rows, write_rows

    assert "0 every case checked is valid; 1 a case has problems" in _one_line(_section("validate"))
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
