"""The ``casework`` command: list, validate and run the case module."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .case import list_cases, load_case, resolve_case, validate_case
from .coursework.cli import COMMANDS as COURSEWORK_COMMANDS
from .coursework.cli import add_commands as add_coursework_commands
from .errors import CaseDataError, OutputFolderError, ParameterError, UnknownCaseError
from .files import output_folder
from .runner import clean_notebook_files, prepare_parameters, refresh_lessons, run_lessons
from .tables import case_summary

DEFAULT_CASE = "hootsuite-ice-2020"

# Exit statuses: 0 success; 1 the case data is invalid or a notebook failed; 2 the command cannot
# start (unknown case, bad parameter, unusable output folder), as argparse's own usage errors.
USAGE_ERROR = 2

RUN_EPILOG = """\
parameter values (-p NAME VALUE) are checked against the case before any notebook runs:
  text        as written, e.g. -p display_timezone UTC
              quoted if it has spaces, e.g. -p as_of "2020-09-24 10:00"
  lists       as JSON, quoted for the shell, e.g. -p compare_ids '["gaboriault-biv","keiser-email"]'
  booleans    true or false, e.g. -p include_implied false
  file paths  relative to the current folder, e.g. -p lexicon my-lexicon.csv

exit status: 0 every notebook ran; 1 the case data is invalid or a notebook failed;
2 nothing ran (unknown case, unknown parameter or bad value, output folder not writable).
"""

DESCRIPTION = """\
Teaching module for crisis communication (a Jupyter course case).

Typical use:
  casework list                          the built-in cases
  casework validate                      check every built-in case against data/README.md
  casework validate path/to/my-case      check a case folder you wrote
  casework run                           run every lesson notebook on the built-in case
  casework run --case path/to/my-case -p display_timezone UTC --out results
  casework release                       build student exercise notebooks and grading keys
  casework grade SUBMISSIONS --exercise wording --out grades --workers 2

`casework run` writes executed notebooks and HTML handouts under OUT/<case id>/.
Open the lessons themselves with `jupyter lab notebooks/`.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casework", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser("list", help="list the built-in cases")

    validate = commands.add_parser("validate", help="check a case folder against data/README.md (exit 0 valid, 1 not, 2 no such case)")
    validate.add_argument("case", nargs="?", help="case id or folder (default: every built-in case)")

    run = commands.add_parser(
        "run", help="execute every lesson notebook for a case and render HTML handouts",
        description="Execute every lesson notebook with papermill for one case, render each as an HTML handout,\n"
        "and print where the results are and a summary of the case.",
        epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--case", default=DEFAULT_CASE, help=f"case id or case folder (default: {DEFAULT_CASE})")
    run.add_argument("--out", default="casework-output", type=Path, help="output folder (default: ./casework-output)")
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter, e.g. -p display_timezone UTC (repeatable); lists as JSON, booleans true/false (see below)",
    )
    run.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell (default: 600)")

    refresh = commands.add_parser(
        "refresh", help="re-execute the lesson notebooks in place and rewrite their committed outputs (see CONTRIBUTING.md)")
    refresh.add_argument("notebooks", nargs="*", type=Path, help="lesson notebooks (default: every lesson)")
    refresh.add_argument("--clean-only", action="store_true",
                         help="only strip timings, widget state and other volatile metadata (the pre-commit hook)")
    add_coursework_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"list": _list, "validate": _validate, "run": _run, "refresh": _refresh, **COURSEWORK_COMMANDS}[args.command](args)
    except (UnknownCaseError, ParameterError, OutputFolderError) as exc:
        print(f"casework: error: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _version() -> str:
    try:
        return version("crisis-casework")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "(not installed)"


def _list(args) -> int:
    for case_id in list_cases():
        case = load_case(case_id)
        print(f"{case_id:<28} {case.title}")
    return 0


def _validate(args) -> int:
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
            print(f"OK {target}: {len(case.sources)} sources, {len(case.statements)} statements, "
                  f"{len(case.events)} events, {len(case.claims)} claims, {len(case.stances)} stances")
    return 1 if failed else 0


def _refresh(args) -> int:
    if args.clean_only:
        for path in clean_notebook_files(args.notebooks):
            print(f"cleaned {path}")
        return 0
    refresh_lessons([path.resolve() for path in args.notebooks] or None)
    return 0


def _run(args) -> int:
    folder = resolve_case(args.case)
    try:
        case = load_case(args.case)
    except CaseDataError as exc:
        print(f"casework: error: {exc}", file=sys.stderr)
        return 1
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
    results = run_lessons(case_arg, out_dir, parameters, timeout=args.timeout)
    print()
    print(case_summary(case, parameters.get("display_timezone")))
    print()
    print(f"Executed notebooks: {out_dir / 'notebooks'}")
    print(f"HTML handouts:      {out_dir / 'handouts'}")
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(f"FAILED {result.notebook}: {result.error}")
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran")
    return 1 if failed or not results else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
