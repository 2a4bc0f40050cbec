"""The ``casework`` command: list, validate and run the case module; the coursework commands.

Conventions every subcommand follows (tests/test_cli.py checks them):

* ``--help`` lists what each option accepts: the built-in case ids, the exercise ids, the lesson
  parameters with their types; and ends with the command's exit statuses.
* An option means the same in every command that has it (``--case``, ``--out``,
  ``--cell-timeout`` in seconds per cell, ``--timeout`` in seconds per notebook).
* Exit status 0: done; 1: done, but something failed or needs you; 2: nothing was done (a usage
  error, named on stderr); 130: interrupted (Ctrl-C).
* Results go to stdout; progress and errors to stderr; a progress bar only on a terminal.

Building the parser imports no command's module: each is imported when its command runs, so that
``casework --help`` answers at once (#23). Only ``run --help`` reads the lesson notebooks (their
parameter cells, as JSON), and only when it is shown.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .coursework.cli import COMMANDS as COURSEWORK_COMMANDS
from .coursework.cli import add_commands as add_coursework_commands
from .coursework.cli import positive_number
from .errors import OutputFolderError, ParameterError, UnknownCaseError
from .paths import lesson_notebooks, list_cases

DEFAULT_CASE = "hootsuite-ice-2020"

# Exit statuses (see the module docstring); argparse's own usage errors exit 2 as well.
OK, FAILED, USAGE_ERROR, INTERRUPTED = 0, 1, 2, 130

HELP_WIDTH = 100  # help and the run summary are laid out for a terminal 100 columns wide

DESCRIPTION = """\
Teaching module for crisis communication (a Jupyter course case).

Typical use:
  casework list                          the built-in cases
  casework validate                      check every built-in case against data/README.md
  casework validate path/to/my-case      check a case folder you wrote
  casework run                           run every lesson notebook on the built-in case
  casework run --case path/to/my-case -p display_timezone UTC --out results
  casework generate                      make the student notebooks and grading keys
  casework grade SUBMISSIONS --exercise wording --roster gradebook.csv --out grades
  casework review grades                 grade the written answers by hand

`casework COMMAND --help` lists what each option accepts and the command's exit statuses.
`casework run` writes executed notebooks and HTML handouts under OUT/<case id>/.
Open the lessons themselves with `jupyter lab notebooks/`.

exit status: 0 done; 1 done, but something failed or needs you; 2 nothing was done (a usage error,
named on stderr); 130 interrupted.
"""

VALIDATE_EPILOG = """\
exit status: 0 every case checked is valid; 1 a case has problems (each named by file, line and
column); 2 no such case.
"""

REFRESH_EPILOG = """\
exit status: 0 every notebook was refreshed (or cleaned); 1 a notebook failed to run; 2 a path is
not a notebook file.
"""

LIST_EPILOG = "exit status: 0 the cases are listed.\n"

RUN_VALUES = """\
parameter values (-p NAME VALUE) are checked against the case before any notebook runs:
  text        as written, e.g. -p display_timezone UTC
              quoted if it has spaces, e.g. -p as_of "2020-09-24 10:00"
  lists       as JSON, quoted for the shell, e.g. -p compare_ids '["gaboriault-biv","keiser-email"]'
  booleans    true or false, e.g. -p include_implied false
  numbers     as digits, e.g. -p hours_after 72
  file paths  relative to the current folder, e.g. -p lexicon my-lexicon.csv
"""

RUN_EPILOG_END = """\
exit status: 0 every notebook ran; 1 the case data is invalid or a notebook failed; 2 nothing ran
(unknown case, unknown parameter or bad value, output folder not writable).
"""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose epilog may be a function, called only when the help is shown."""

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, HELP_WIDTH columns wide like the epilogs; descriptions and epilogs kept as written."""

    def __init__(self, prog: str, **kwargs):
        super().__init__(prog, width=HELP_WIDTH, max_help_position=32, **kwargs)


def case_choice(default: str | None = DEFAULT_CASE) -> str:
    """The help of every case argument: the same words in every command (built-in ids listed)."""
    text = f"a built-in case ({', '.join(list_cases())}) or the path of a case folder laid out as data/README.md says"
    return text + (f" (default: {default})" if default else "")


def lesson_parameters(notebooks: list[Path] | None = None) -> dict[str, dict[str, object]]:
    """The parameters the lesson notebooks declare, as ``run --help`` lists them.

    Read from each notebook's ``parameters`` cell as written (``name: type = default  # what it
    is``), without papermill, so the help answers at once; tests/test_cli.py checks that the names
    and types are papermill's (``runner.declared_types``, which ``-p`` values are typed by).
    """
    found: dict[str, dict[str, object]] = {}
    for notebook in notebooks if notebooks is not None else lesson_notebooks():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if "parameters" not in cell.get("metadata", {}).get("tags", []):
                continue
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            lines = source.splitlines()
            for node in ast.parse(source).body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    rest = lines[node.end_lineno - 1][node.end_col_offset :].strip()
                    entry = found.setdefault(
                        node.target.id,
                        {"type": ast.unparse(node.annotation), "help": rest.removeprefix("#").strip(), "lessons": []},
                    )
                    entry["lessons"].append(notebook.name[:2])
            break
    return found


def run_epilog() -> str:
    """The end of ``casework run --help``: every lesson parameter with its type, then how to write values."""
    rows = {name: spec for name, spec in lesson_parameters().items() if name != "case_id"}  # case_id is --case
    name_width = max(map(len, rows), default=4) + 2
    lessons_width = max((len(" ".join(spec["lessons"])) for spec in rows.values()), default=2) + 2
    indent = " " * (2 + name_width + 6 + lessons_width)
    lines = ["lesson parameters (-p NAME VALUE), with their type and the lessons that take them:"]
    for name, spec in rows.items():
        head = f"  {name:<{name_width}}{spec['type']:<6}{' '.join(spec['lessons']):<{lessons_width}}"
        lines += textwrap.wrap(spec["help"], HELP_WIDTH, initial_indent=head, subsequent_indent=indent) or [head.rstrip()]
    return "\n".join(lines) + "\n\n" + RUN_VALUES + "\n" + RUN_EPILOG_END


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="casework", description=DESCRIPTION, formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser(
        "list",
        help="list the built-in cases",
        description="List the built-in cases: id and title.",
        epilog=LIST_EPILOG,
        formatter_class=HelpFormatter,
    )

    validate = commands.add_parser(
        "validate",
        help="check a case against data/README.md (exit 0 valid, 1 not, 2 no such case)",
        description="Check a case against every rule of the data dictionary (data/README.md); each problem is named by\n"
        "file, line and column.",
        epilog=VALIDATE_EPILOG,
        formatter_class=HelpFormatter,
    )
    validate.add_argument("case", nargs="?", metavar="CASE", help=case_choice(default=None) + " (default: every built-in case)")

    run = commands.add_parser(
        "run",
        help="execute every lesson notebook for a case and render HTML handouts",
        description="Execute every lesson notebook with papermill for one case, render each as an HTML handout,\n"
        "and print a summary of the case and where the results are (OUT/<case id>/notebooks/ and handouts/).",
        epilog=run_epilog,
        formatter_class=HelpFormatter,
    )
    run.add_argument("--case", default=DEFAULT_CASE, metavar="CASE", help=case_choice())
    run.add_argument(
        "--out",
        default=Path("casework-output"),
        type=Path,
        metavar="DIR",
        help="output folder, created if missing (default: casework-output)",
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a lesson parameter for every notebook that takes it (repeatable); the names are listed below",
    )
    run.add_argument(
        "--cell-timeout",
        type=positive_number,
        default=600.0,
        metavar="SECONDS",
        help="seconds allowed per notebook cell (default: 600)",
    )
    # `run --timeout` once meant seconds per cell; --timeout means per notebook wherever it is accepted
    run.add_argument("--timeout", dest="renamed_timeout", help=argparse.SUPPRESS)

    add_coursework_commands(commands, case_help=case_choice, formatter=HelpFormatter)

    refresh = commands.add_parser(
        "refresh",
        help="re-execute the lesson notebooks in place and rewrite their committed outputs (see CONTRIBUTING.md)",
        description="Re-execute lesson notebooks in place with their default parameters and write back their outputs,\n"
        "cleaned of timings and widget state, for nbval to compare against (a contributor's command).",
        epilog=REFRESH_EPILOG,
        formatter_class=HelpFormatter,
    )
    refresh.add_argument(
        "notebooks", nargs="*", type=Path, metavar="NOTEBOOK", help="paths of lesson notebooks (default: every lesson)"
    )
    refresh.add_argument(
        "--clean-only",
        action="store_true",
        help="only strip timings, widget state and other volatile metadata (the pre-commit hook)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = {"list": _list, "validate": _validate, "run": _run, "refresh": _refresh, **COURSEWORK_COMMANDS}[args.command]
    try:
        return command(args)
    except (UnknownCaseError, ParameterError, OutputFolderError) as exc:
        print(f"casework: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("\ncasework: interrupted", file=sys.stderr)
        return INTERRUPTED


def _version() -> str:
    try:
        return version("crisis-casework")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "(not installed)"


def _list(args) -> int:
    # the command's own imports, when it runs (see the module docstring); checking a case needs no pandas
    from .validation import check_case

    for case_id in list_cases():
        print(f"{case_id:<28} {check_case(case_id).metadata['title']}")
    return OK


def _validate(args) -> int:
    from .case import load_case, resolve_case, validate_case  # the command's own imports, when it runs

    targets = [args.case] if args.case else list_cases()
    failed = 0
    for target in targets:
        resolve_case(target)
        problems = validate_case(target)
        if problems:
            failed += 1
            print(f"INVALID {target}: {len(problems)} problem(s)")
            for problem in problems:
                print(f"  {problem}")
        else:
            case = load_case(target)
            print(
                f"OK {target}: {len(case.sources)} sources, {len(case.statements)} statements, "
                f"{len(case.events)} events, {len(case.claims)} claims, {len(case.stances)} stances"
            )
    return FAILED if failed else OK


def _refresh(args) -> int:
    from .runner import clean_notebook_files, refresh_lessons  # the command's own imports, when it runs

    for path in args.notebooks:
        if not path.is_file():
            raise ParameterError(f"no notebook file {path} (give paths, such as notebooks/02-statement-wording.ipynb)")
        if path.suffix != ".ipynb":
            raise ParameterError(f"{path} is not a notebook (.ipynb)")
    if args.clean_only:
        for path in clean_notebook_files(args.notebooks):
            print(f"cleaned {path}")
        return 0
    refresh_lessons([path.resolve() for path in args.notebooks] or None)
    return 0


def _run(args) -> int:
    # the command's own imports, when it runs (see the module docstring)
    from .case import load_case, resolve_case
    from .errors import CaseDataError
    from .files import output_folder
    from .runner import prepare_parameters, run_lessons
    from .tables import case_summary

    if args.renamed_timeout is not None:
        raise ParameterError(
            "casework run takes --cell-timeout SECONDS (per cell); --timeout means seconds per notebook, "
            "which only casework grade limits"
        )
    folder = resolve_case(args.case)
    try:
        case = load_case(args.case)
    except CaseDataError as exc:
        print(f"casework: error: {exc}", file=sys.stderr)
        return FAILED
    # Everything that can be checked is checked before the first notebook runs.
    parameters = prepare_parameters(args.parameter, case)
    # A built-in case travels by id; any other case folder by its absolute path (the kernel's
    # working directory is a temporary folder, so a relative path would not resolve there).
    case_arg = args.case if args.case in list_cases() else str(folder)
    try:
        out_dir = output_folder(args.out / case.case_id)
    except OutputFolderError as exc:
        raise OutputFolderError(f"--out {args.out}: {exc}") from None
    print(f"Running the lesson notebooks for {case.case_id} into {out_dir}", file=sys.stderr)
    results = run_lessons(case_arg, out_dir, parameters, timeout=args.cell_timeout)
    print()
    print(case_summary(case, parameters.get("display_timezone"), width=HELP_WIDTH))
    print()
    print(f"Executed notebooks: {out_dir / 'notebooks'}")
    print(f"HTML handouts:      {out_dir / 'handouts'}")
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(f"FAILED {result.notebook}: {result.error}")
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran")
    return FAILED if failed or not results else OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
