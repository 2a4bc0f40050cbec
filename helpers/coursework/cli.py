"""``casework release`` and ``casework grade``: the coursework commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

GRADE_HELP = """\
Grade a folder of submitted notebooks (ID.ipynb, the file name giving the student id) or the zip
Canvas exports (its file names give the Canvas user id; --roster maps it to the student id).
Each submission runs in a sandbox with time and resource limits, as the student wrote it; its
answers are checked in this process against the variant of the student id the notebook holds.
When the grader cannot be sure whose work a file is, or which variant it answers, the row is
needs-review and its score is not exported.

Writes to OUT: gradebook.csv (one row per submission, and per roster student without one),
canvas-import.csv, feedback/*.html, summary.md with score-distribution.png, environment.json,
and results/ (private: a re-run reuses it, so an interrupted run resumes and a repeated run
gives the same grades). OUT is never committed.
"""

GRADE_EPILOG = """\
exit status: 0 every row is a final grade; 1 the outputs are written, but some rows need the
instructor (needs-review, missing, failed, unreadable, ...: see summary.md); 2 nothing was graded
(unknown exercise or case, a case that lacks what the exercise needs, a bad roster, no notebooks,
an output folder that cannot be written).
"""


def add_commands(commands) -> None:
    release = commands.add_parser(
        "release", help="build student notebooks and grading keys from coursework/source/",
        description="Build coursework/release/ID.ipynb (no solutions, checks or outputs) and coursework/keys/ID.json "
        "from each master notebook coursework/source/ID.ipynb.",
    )
    release.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    release.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file differs from a fresh build")

    grade = commands.add_parser("grade", help="grade a folder or LMS zip of submissions", description=GRADE_HELP, epilog=GRADE_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("submissions", type=Path, help="folder of .ipynb files, or the zip Canvas exports")
    grade.add_argument("--exercise", required=True, help="exercise id (see coursework/source/)")
    grade.add_argument("--case", default="hootsuite-ice-2020", help="case id or case folder the exercise is set on (default: hootsuite-ice-2020)")
    grade.add_argument("--out", type=Path, default=Path("grading-output"), help="output folder (default: ./grading-output)")
    grade.add_argument("--roster", type=Path, help="the gradebook CSV exported from Canvas: maps Canvas user ids to student ids, "
                       "lists students with no submission, and fills the import file's columns")
    grade.add_argument("--roster-id-column", default="SIS User ID", metavar="COLUMN",
                       help="the roster column holding the id students type in their notebook (default: 'SIS User ID')")
    grade.add_argument("--canvas-assignment", metavar="NAME (ID)", help="the Canvas assignment to update, as its gradebook column is "
                       "headed, e.g. \"Exercise 1 (12345)\" (with --roster, its name or id is enough; default: the roster column "
                       "named like the exercise, else a new assignment)")
    grade.add_argument("--reveal", action="store_true", help="also write the expected answers into the feedback pages")
    grade.add_argument("--workers", type=_positive_int, default=1, help="submissions graded at once (default: 1)")
    grade.add_argument("--timeout", type=_positive_float, default=300.0, help="seconds allowed per notebook (default: 300)")
    grade.add_argument("--cell-timeout", type=_positive_float, default=60.0, help="seconds allowed per cell (default: 60)")
    grade.add_argument("--memory-mb", type=_positive_int, default=2048, help="memory limit of each submission, MiB (default: 2048)")
    grade.add_argument("--disk-mb", type=_positive_int, default=64, help="size of each submission's working copy, MB (default: 64)")
    grade.add_argument("--require-isolation", action="store_true", help="refuse to grade without a sandbox (isolation mode 'off': "
                       "no bubblewrap, or user namespaces disabled); see coursework/README.md")
    grade.add_argument("--executor", default="threads", help="threads (default: this machine), dask (a local Dask cluster of --workers "
                       "processes), or dask:ADDRESS (an existing Dask scheduler; its workers need this package and access to OUT)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")

    review = commands.add_parser(
        "review", help="grade the written answers of a graded folder by hand (the rubric's instructor rows)",
        description="Show each written answer in OUT beside its automatic pre-checks and rubric rows, ask for the points and a "
        "comment of each row the instructor grades, and write them back: OUT/manual-grades.csv, and the gradebook, feedback "
        "and Canvas import file, which then include them (a later `casework grade` into OUT keeps them). With --apply, ask "
        "nothing: apply manual-grades.csv as it is (after editing it in a spreadsheet) and write the outputs again.")
    review.add_argument("out", type=Path, help="the output folder of `casework grade`")
    review.add_argument("--submission", action="append", default=[], metavar="NAME", help="only this submission (repeatable)")
    review.add_argument("--all", action="store_true", help="ask again for rows already graded")
    review.add_argument("--apply", action="store_true", help="ask nothing; apply manual-grades.csv and write the outputs again")


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
    # imported when the command runs, so that `casework --help` stays quick (#23)
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
    # imported when the command runs, so that `casework --help` stays quick (#23)
    from .grade import Course, GradingError, Options, grade_batch
    from .results import STATUSES
    from .source import SourceError, exercise_ids

    if args.exercise not in exercise_ids():
        print(f"casework: error: unknown exercise {args.exercise!r}; known: {', '.join(exercise_ids())}", file=sys.stderr)
        return 2
    try:
        options = Options(workers=args.workers, timeout=args.timeout, cell_timeout=args.cell_timeout, memory_mb=args.memory_mb,
                          disk_mb=args.disk_mb, progress=not args.no_progress, executor=args.executor,
                          require_isolation=args.require_isolation)
        course = Course(args.roster, args.roster_id_column, args.canvas_assignment)
        rows = grade_batch(args.submissions, args.exercise, args.out, options, case=args.case, course=course, reveal=args.reveal,
                           on_start=lambda protections: print(f"casework grade: {protections}", file=sys.stderr))
    except (GradingError, SourceError) as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    waiting = sum(1 for row in rows if not row.final)
    print(f"graded {len(rows)} row(s): " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items(), key=lambda kv: list(STATUSES).index(kv[0]))))
    print(f"gradebook: {args.out / 'gradebook.csv'}; Canvas import: {args.out / 'canvas-import.csv'}; "
          f"feedback: {args.out / 'feedback'}; summary: {args.out / 'summary.md'}")
    if waiting:
        print(f"{waiting} row(s) need you before their grades count (see summary.md); their Canvas scores are left blank")
    return 1 if waiting else 0


def review(args) -> int:
    # imported when the command runs, so that `casework --help` stays quick (#23)
    from .review import ReviewError, review as ask, rewrite_outputs
    from .source import SourceError

    try:
        rows = rewrite_outputs(args.out) if args.apply else ask(args.out, submissions=args.submission, everything=args.all)
    except (ReviewError, SourceError) as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\ncasework: review stopped; what was entered before is kept in manual-grades.csv", file=sys.stderr)
        return 1
    waiting = sum(1 for row in rows if not row.final)
    if waiting:
        print(f"{waiting} row(s) are not final yet (rubric rows to grade, or another reason: see summary.md); their Canvas scores are left blank")
    return 1 if waiting else 0


COMMANDS = {"release": release, "grade": grade, "review": review}
