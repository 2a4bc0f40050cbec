"""``casework release`` and ``casework grade``: the coursework commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

GRADE_HELP = """\
Grade a folder of submitted notebooks (ID.ipynb, the file name giving the student id) or the zip
an LMS such as Canvas exports (its names map to the LMS user id). Each submission runs in a
sandbox with time and resource limits; answers are checked in this process, per student variant.

Writes to OUT: gradebook.csv (one row per submission), canvas-import.csv, feedback/*.html,
summary.md with score-distribution.png, environment.json, and results/ (a re-run reuses these,
so an interrupted run resumes and a repeated run gives the same grades). OUT is never committed.
"""


def add_commands(commands) -> None:
    release = commands.add_parser(
        "release", help="build student notebooks and grading keys from coursework/source/",
        description="Build coursework/release/ID.ipynb (no solutions, checks or outputs) and coursework/keys/ID.json "
        "from each master notebook coursework/source/ID.ipynb.",
    )
    release.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    release.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file differs from a fresh build")

    grade = commands.add_parser("grade", help="grade a folder or LMS zip of submissions", description=GRADE_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("submissions", type=Path, help="folder of .ipynb files, or an LMS zip")
    grade.add_argument("--exercise", required=True, help="exercise id (see coursework/source/)")
    grade.add_argument("--out", type=Path, default=Path("grading-output"), help="output folder (default: ./grading-output)")
    grade.add_argument("--workers", type=_positive_int, default=1, help="submissions graded at once (default: 1)")
    grade.add_argument("--timeout", type=_positive_float, default=300.0, help="seconds allowed per notebook (default: 300)")
    grade.add_argument("--cell-timeout", type=_positive_float, default=60.0, help="seconds allowed per cell (default: 60)")
    grade.add_argument("--memory-mb", type=_positive_int, default=2048, help="address-space limit of each kernel, MiB (default: 2048)")
    grade.add_argument("--executor", default="threads", help="threads (default: this machine), dask (a local Dask cluster of --workers "
                       "processes), or dask:ADDRESS (an existing Dask scheduler; its workers need this package and access to OUT)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def release(args) -> int:
    from .source import SourceError, release as build

    try:
        stale = build(args.exercises or None, check=args.check)
    except SourceError as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run `casework release`)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path}")
    print("student notebooks and keys are up to date" if not stale else f"{len(stale)} file(s) written")
    return 0


def grade(args) -> int:
    from .grade import GradingError, Options, grade_batch
    from .source import SourceError, exercise_ids

    if args.exercise not in exercise_ids():
        print(f"casework: error: unknown exercise {args.exercise!r}; known: {', '.join(exercise_ids())}", file=sys.stderr)
        return 2
    try:
        options = Options(workers=args.workers, timeout=args.timeout, cell_timeout=args.cell_timeout, memory_mb=args.memory_mb,
                          progress=not args.no_progress, executor=args.executor)
    except GradingError as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    try:
        rows = grade_batch(args.submissions, args.exercise, args.out, options)
    except (GradingError, SourceError) as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"graded {len(rows)} submission(s): " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    print(f"gradebook: {args.out / 'gradebook.csv'}; feedback: {args.out / 'feedback'}; summary: {args.out / 'summary.md'}")
    return 0


COMMANDS = {"release": release, "grade": grade}
