"""The casework command as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import main
from tests.conftest import FICTIONAL_CASE, PROJECT_DIR, read_rows, write_rows


def casework(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=900)


def help_of(*command: str) -> str:
    """What `casework COMMAND --help` prints (in this process: exit status 0 and the text)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    return out.getvalue()


def options_in(help_text: str) -> dict[str, str]:
    """Each --option of a help text with its help, lines joined (argparse's layout: help from column 32).

    An option with two names (``--progress, --no-progress``) is listed under both.
    """
    options, current = {}, []
    for line in help_text.splitlines():
        match = re.match(r"  (-\w(?: [A-Z]+)*, )?(--[\w-]+)(?:,? (--[\w-]+))?(?: [A-Z][^ ]*(?: [A-Z(][^ ]*)*)? *(.*)", line)
        if match:
            current = [name for name in match.group(2, 3) if name]
            for name in current:
                options[name] = match.group(4).strip()
        elif current and line.startswith(" " * 32) and line.strip():
            for name in current:
                options[name] = (options[name] + " " + line.strip()).strip()
        else:
            current = []
    return options


def commands_in_the_help() -> list[str]:
    """The subcommands `casework --help` lists (an old name in brackets left out): every one is held to the conventions."""
    listing = help_of().split("COMMAND\n", 2)[-1].split("\n\n")[0]
    return re.findall(r"^    ([a-z]+)", listing, re.M)


COMMANDS = commands_in_the_help()


def test_help_explains_the_commands():
    result = casework("--help")
    assert result.returncode == 0
    assert {"list", "validate", "run", "generate", "grade", "review"} <= set(COMMANDS)
    for word in [*COMMANDS, "casework run --case", "casework grade SUBMISSIONS", "exit status"]:
        assert word in result.stdout


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]], ids=lambda c: " ".join(c) or "casework")
def test_every_help_fits_100_columns_and_gives_the_exit_statuses(command):
    text = help_of(*command)
    assert max(map(len, text.splitlines())) <= 100, [line for line in text.splitlines() if len(line) > 100]
    assert re.search(r"^exit status: 0 ", text, re.M), "the help must end with the command's exit statuses"


def test_help_lists_the_case_ids_and_exercise_ids():
    from helpers.paths import exercise_ids, list_cases

    assert len(list_cases()) >= 3 and len(exercise_ids()) >= 5
    for command, option in [("run", "--case"), ("grade", "--case"), ("validate", "CASE")]:
        text = help_of(command)
        accepted = options_in(text).get(option) or " ".join(text.split("CASE", 2)[-1].split())
        for case_id in list_cases():
            assert case_id in accepted, f"casework {command} --help does not list {case_id} for {option}"
    grade_exercise = options_in(help_of("grade"))["--exercise"]
    generate = " ".join(help_of("generate").split())
    for exercise in exercise_ids():
        assert exercise in grade_exercise and exercise in generate


def test_run_help_lists_every_lesson_parameter_with_its_type():
    from helpers.paths import lesson_notebooks
    from helpers.runner import declared_types

    text = help_of("run")
    listed = dict(re.findall(r"^  (\w+) +(str|list|bool|int|float) +(?:\d\d )*\d\d ", text, re.M))
    papermill = declared_types(lesson_notebooks())  # what -p values are typed by
    assert listed == {name: kind for name, kind in papermill.items() if name != "case_id"}
    assert "display_timezone  str   01 03" in text


def test_the_help_reads_the_parameters_cell_as_papermill_does(tmp_path):
    """The help's reader of a parameters cell (no papermill, so --help is quick) agrees with papermill on a cell of every form."""
    import nbformat

    from helpers.cli import lesson_parameters
    from helpers.runner import declared_types

    cell = nbformat.v4.new_code_cell(
        'a: str = "x#y"  # text, with a # in its default\nb: list = [1,\n  2]  # a list\nc: bool = True\nd: int = 3  # hours',
        metadata={"tags": ["parameters"]},
    )
    path = tmp_path / "07-test.ipynb"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x"), cell], metadata=kernel), path)
    read = lesson_parameters([path])
    assert {name: spec["type"] for name, spec in read.items()} == declared_types([path])
    assert read["a"]["help"] == "text, with a # in its default" and read["b"]["help"] == "a list" and read["c"]["help"] == ""
    assert read["d"]["lessons"] == ["07"]


def test_an_option_means_the_same_in_every_command():
    """--case, --out, --cell-timeout (per cell), --timeout (per notebook): one meaning wherever they are accepted."""
    seen: dict[str, dict[str, str]] = {}
    for command in COMMANDS:
        for option, text in options_in(help_of(command)).items():
            seen.setdefault(option, {})[command] = re.sub(r" ?\(default: [^)]*\)", "", text).split(";")[0]
    shared = {option: by_command for option, by_command in seen.items() if len(by_command) > 1 and option != "--help"}
    assert {"--case", "--out", "--cell-timeout"} <= set(shared)
    for option, by_command in shared.items():
        assert len(set(by_command.values())) == 1, f"{option} is described differently: {by_command}"
    assert seen["--cell-timeout"]["run"] == "seconds allowed per notebook cell"
    assert seen["--timeout"] == {"grade": "seconds allowed per notebook"}


def test_run_refuses_the_old_timeout_option_naming_the_new_one(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path), "--timeout", "30"]) == 2
    assert "casework run takes --cell-timeout SECONDS (per cell)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_list(capsys):
    assert main(["list"]) == 0
    assert "hootsuite-ice-2020" in capsys.readouterr().out


def test_validate_built_in_cases(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("OK ")] == [
        "OK chef-2019",
        "OK hootsuite-ice-2020",
        "OK wayfair-2019",
    ]


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
    assert progress and all(re.fullmatch(r"\[\d+/\d+\] \S+\.ipynb \.\.\. ok \(\d+\.\d s\)", line) for line in progress), (
        result.stderr
    )
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
    assert "FICTIONAL CASE" in result.stdout and str(out_dir / "handouts") in result.stdout
    summary = result.stdout.split("Executed notebooks:")[0]  # the paths after it are as long as the folder's name
    assert summary.strip() and max(map(len, summary.splitlines())) <= 100
    html = (out_dir / "handouts" / "01-case-overview.html").read_text(encoding="utf-8")
    assert "Northsound Ferries" in html and "data:image/png;base64" in html
    # opens offline: no script or stylesheet from the network
    assert "<script src=" not in html and "cdnjs" not in html and "unpkg" not in html


@pytest.mark.parametrize(
    "parameter, messages",
    [
        (["display_timezone", "utc"], ["parameter 'display_timezone'", "unknown time zone 'utc'", "did you mean 'UTC'?"]),
        (
            ["display_timezone", "Europe/Londn"],
            ["parameter 'display_timezone'", "'Europe/Londn'", "did you mean 'Europe/London'"],
        ),
        (
            ["compare_ids", '["s01","s02"'],
            ["parameter 'compare_ids'", "is not a JSON list", """-p compare_ids '["s01", "s02"]'"""],
        ),
        (
            ["compare_ids", '["gaboriault-bvi"]'],
            ["parameter 'compare_ids'", "unknown statement id 'gaboriault-bvi'", "did you mean 'gaboriault-biv'"],
        ),
        (["compare_speakers", '["mary houtmann"]'], ["parameter 'compare_speakers'", "did you mean 'Mary Houtmann'?"]),
        (["include_implied", "yes"], ["parameter 'include_implied'", "'yes' is not a boolean; write true or false"]),
        (["lexicon", "no-such-lexicon.csv"], ["parameter 'lexicon'", "no-such-lexicon.csv"]),
        (["scheme", "SCCT"], ["parameter 'scheme'", "did you mean 'scct'?"]),
        (["anchor_event", "keiser-mail"], ["parameter 'anchor_event'", "did you mean 'keiser-email'"]),
        (["as_of", "2031-01-01 00:00"], ["parameter 'as_of'", "is outside the case"]),
        (["claim", "no-such-claim"], ["parameter 'claim'", "unknown claim 'no-such-claim'"]),
    ],
)
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
    assert "-p hours_after 72" in out


def test_the_value_examples_in_the_help_are_valid(hootsuite):
    """Every -p example in `casework run --help` passes the checks."""
    import re
    import shlex

    from helpers.cli import RUN_VALUES
    from helpers.runner import prepare_parameters

    examples = [shlex.split(match)[1:] for match in re.findall(r"-p \w+ (?:'[^']*'|\"[^\"]*\"|\S+)", RUN_VALUES)]
    examples = [pair for pair in examples if pair[0] not in ("NAME", "lexicon")]  # the syntax line; a file of the user's own
    assert len(examples) >= 4
    prepare_parameters([tuple(pair) for pair in examples], hootsuite)


def test_generate_is_nbgraders_generate_assignment_and_release_its_old_name(capsys):
    assert main(["generate", "--check"]) == 0  # the committed student notebooks and keys are up to date
    assert "casework" not in capsys.readouterr().err
    assert main(["generate", "no-such-exercise"]) == 2
    assert "no exercise 'no-such-exercise'" in capsys.readouterr().err
    assert main(["release", "--check", "no-such-exercise"]) == 2
    err = capsys.readouterr().err
    assert "`casework release` is now `casework generate`" in err and "no exercise 'no-such-exercise'" in err
    assert "generate (release)" in help_of() and "what nbgrader's generate_assignment does" in " ".join(
        help_of("generate").split()
    )


def test_run_exits_1_on_invalid_case_data_before_any_notebook(case_copy, tmp_path, capsys):
    header, rows = read_rows(case_copy / "statements.csv")
    rows[0]["time_precision"] = "week"
    write_rows(case_copy / "statements.csv", header, rows)
    assert main(["run", "--case", str(case_copy), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "column 'time_precision': 'week' is not allowed" in err and "[1/" not in err
    assert not (tmp_path / "out").exists()


def test_review_exits_2_on_a_folder_without_a_grading_run(tmp_path, capsys):
    assert main(["review", str(tmp_path), "--apply"]) == 2
    assert capsys.readouterr().err.startswith("casework: error: ")


def test_list_exits_0(capsys):
    assert main(["list"]) == 0


def test_an_interrupted_command_exits_130_without_a_traceback(monkeypatch, capsys):
    import helpers.validation

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(helpers.validation, "check_case", interrupted)
    assert main(["list"]) == 130
    assert capsys.readouterr().err.strip() == "casework: interrupted"


class _Terminal:
    """A stand-in for stderr that is a terminal."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


@pytest.mark.parametrize(
    "terminal, flags, progress",
    [
        (False, [], False),
        (True, [], True),
        (True, ["--no-progress"], False),
        (False, ["--progress"], True),
    ],
)
def test_grade_shows_a_progress_bar_only_on_a_terminal(monkeypatch, tmp_path, terminal, flags, progress):
    import sys as sys_module

    import helpers.coursework.grade

    seen = {}

    def grade_batch(submissions, exercise, out, options, **kwargs):
        seen["progress"] = options.progress
        return []

    monkeypatch.setattr(helpers.coursework.grade, "grade_batch", grade_batch)
    if terminal:
        monkeypatch.setattr(sys_module, "stderr", _Terminal())
    assert main(["grade", str(tmp_path), "--exercise", "wording", "--out", str(tmp_path / "out"), *flags]) == 0
    assert seen == {"progress": progress}


SUMMARY_CASES = sorted(p.name for p in (PROJECT_DIR / "data" / "cases").iterdir() if (p / "case.toml").is_file()) + [
    str(FICTIONAL_CASE)
]


@pytest.mark.parametrize("case_id", SUMMARY_CASES, ids=lambda c: Path(c).name)
def test_the_run_summary_fits_100_columns_without_cutting_a_name(case_id):
    from helpers import load_case
    from helpers.tables import case_summary, statements_table

    case = load_case(case_id)
    summary = case_summary(case)
    lines = summary.splitlines()
    assert max(map(len, lines)) <= 100, [line for line in lines if len(line) > 100]
    assert len(lines) <= 40, "one screen"
    shown = statements_table(case, audiences=("press", "public"))
    listed = shown.head(12)
    headings = [line for line in lines if re.match(r"  \d{4}-\d\d-\d\d", line)]
    text_lines = [line for line in lines if line.startswith("      ") and line.split()[0] in shown.index]
    assert [line.split()[0] for line in text_lines] == list(listed.index), "every listed statement, by its whole id"
    # the speakers start in one column: the times before them are padded to the widest
    time_width = max(len(w) for w in listed.iloc[:, 0])
    for line in headings:
        assert line[2 + time_width : 2 + time_width + 2] == "  " and line[2 + time_width + 2] != " "
    # no speaker is cut: each heading (with any continuation lines) holds the speaker's whole name
    joined = " ".join(" ".join(summary.split("\n  ... and")[0].split()).split())
    for when_text, speaker in zip(listed.iloc[:, 0], listed["speaker"]):
        assert f"{' '.join(when_text.split())} {' '.join(speaker.split())}" in joined
    # a shortened text is the start of the real one, words whole
    for line, (_, row) in zip(text_lines, listed.iterrows()):
        shown_text = line.split(None, 1)[1].removesuffix(" …")
        assert " ".join(row["text"].split()).startswith(shown_text)
    if len(shown) > 12:
        assert f"  ... and {len(shown) - 12} more" in lines
