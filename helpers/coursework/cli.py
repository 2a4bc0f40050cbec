"""``casework generate``, ``casework grade`` and ``casework review``: the coursework commands.

``generate`` makes the student version of each exercise, as nbgrader's ``generate_assignment``
does; ``release`` is its old name, still accepted with a warning: in nbgrader's vocabulary to
release is to hand the student version out, which this module leaves to the LMS.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..paths import exercise_ids

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

GENERATE_HELP = """\
Make coursework/release/ID.ipynb, the student version (no solutions, checks or outputs), and
coursework/keys/ID.json, its grading key, from each master notebook coursework/source/ID.ipynb:
what nbgrader's generate_assignment does. Handing the student version out is the LMS's part (see
README.md). `casework release` is the old name of this command, still accepted for now.
"""

GENERATE_EPILOG = """\
exit status: 0 the files are written (with --check: they are up to date); 1 with --check, a
committed file differs from a fresh build (each is named); 2 an unknown exercise, or a master
notebook that breaks the conventions of coursework/README.md (the error names the cell).
"""

REVIEW_HELP = """\
Show each written answer in OUT beside its automatic pre-checks and rubric rows, ask for the points
and a comment of each row the instructor grades, and write them back: OUT/manual-grades.csv, and
the gradebook, feedback and Canvas import file, which then include them (a later `casework grade`
into OUT keeps them). With --apply, ask nothing: apply manual-grades.csv as it is (after editing it
in a spreadsheet) and write the outputs again.
"""

REVIEW_EPILOG = """\
exit status: 0 every row is final; 1 some rows still need the instructor (or the review was
stopped: what was entered before is kept); 2 the folder has no grading run.
"""

DEPRECATED_NAMES = {"release": "generate"}


def add_commands(commands, case_help, formatter=argparse.RawDescriptionHelpFormatter) -> None:
    """Add the coursework commands to ``casework``'s subparsers.

    ``case_help(default)`` is the help of a case option, the same words in every command;
    ``formatter`` is the command's help layout.
    """
    exercises = ", ".join(exercise_ids())
    generate = commands.add_parser(
        "generate",
        aliases=list(DEPRECATED_NAMES),
        formatter_class=formatter,
        epilog=GENERATE_EPILOG,
        help="make the student notebooks and grading keys from coursework/source/ ('release' is its old name)",
        description=GENERATE_HELP,
    )
    generate.add_argument("exercises", nargs="*", metavar="EXERCISE", help=f"exercise ids: {exercises} (default: all)")
    generate.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a committed file differs from a fresh build"
    )

    grade = commands.add_parser(
        "grade",
        help="grade a folder or Canvas zip of submissions",
        description=GRADE_HELP,
        epilog=GRADE_EPILOG,
        formatter_class=formatter,
    )
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS", help="folder of .ipynb files, or the zip Canvas exports")
    grade.add_argument("--exercise", required=True, metavar="EXERCISE", help=f"the exercise graded: {exercises}")
    grade.add_argument(
        "--case",
        default="hootsuite-ice-2020",
        metavar="CASE",
        help=case_help("hootsuite-ice-2020") + "; the case the exercise is set on",
    )
    grade.add_argument(
        "--out",
        type=Path,
        default=Path("grading-output"),
        metavar="DIR",
        help="output folder, created if missing (default: grading-output)",
    )
    grade.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="the gradebook CSV exported from Canvas: maps Canvas user ids to "
        "student ids, lists students with no submission, and fills the import file's columns",
    )
    grade.add_argument(
        "--roster-id-column",
        default="SIS User ID",
        metavar="COLUMN",
        help="the roster column holding the id students type in their notebook (default: 'SIS User ID')",
    )
    grade.add_argument(
        "--canvas-assignment",
        metavar="NAME (ID)",
        help="the Canvas assignment to update, as its gradebook column is "
        'headed, e.g. "Exercise 1 (12345)" (with --roster, its name or id is enough; default: the roster column '
        "named like the exercise, else a new assignment)",
    )
    grade.add_argument("--reveal", action="store_true", help="also write the expected answers into the feedback pages")
    grade.add_argument(
        "--workers", type=positive_whole_number, default=1, metavar="N", help="submissions graded at once (default: 1)"
    )
    grade.add_argument(
        "--timeout", type=positive_number, default=300.0, metavar="SECONDS", help="seconds allowed per notebook (default: 300)"
    )
    grade.add_argument(
        "--cell-timeout",
        type=positive_number,
        default=60.0,
        metavar="SECONDS",
        help="seconds allowed per notebook cell (default: 60)",
    )
    grade.add_argument(
        "--memory-mb",
        type=positive_whole_number,
        default=2048,
        metavar="MIB",
        help="memory limit of each submission, MiB (default: 2048)",
    )
    grade.add_argument(
        "--disk-mb",
        type=positive_whole_number,
        default=64,
        metavar="MB",
        help="size of each submission's working copy, MB (default: 64)",
    )
    grade.add_argument(
        "--require-isolation",
        action="store_true",
        help="refuse to grade without a sandbox (isolation mode 'off': "
        "no bubblewrap, or user namespaces disabled); see coursework/README.md",
    )
    grade.add_argument(
        "--executor",
        default="threads",
        metavar="EXECUTOR",
        help="threads (default: this machine), dask (a local "
        "Dask cluster of --workers processes), or dask:ADDRESS (an existing Dask scheduler; its workers need this "
        "package and access to OUT)",
    )
    grade.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: only when stderr is a terminal)",
    )

    review = commands.add_parser(
        "review",
        help="grade the written answers of a graded folder by hand (the rubric's instructor rows)",
        formatter_class=formatter,
        epilog=REVIEW_EPILOG,
        description=REVIEW_HELP,
    )
    review.add_argument("out", type=Path, metavar="OUT", help="the output folder of `casework grade`")
    review.add_argument("--submission", action="append", default=[], metavar="NAME", help="only this submission (repeatable)")
    review.add_argument("--all", action="store_true", help="ask again for rows already graded")
    review.add_argument("--apply", action="store_true", help="ask nothing; apply manual-grades.csv and write the outputs again")


def positive_whole_number(text: str) -> int:
    """An argparse type: a whole number above zero (workers, MiB, MB)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def positive_number(text: str) -> float:
    """An argparse type: a number above zero (seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def generate(args) -> int:
    # imported when the command runs, so that `casework --help` stays quick (#23)
    from .source import SourceError
    from .source import release as build

    if args.command in DEPRECATED_NAMES:
        print(
            f"casework: `casework {args.command}` is now `casework {DEPRECATED_NAMES[args.command]}`; "
            "the old name will go in a later version",
            file=sys.stderr,
        )
    try:
        stale = build(args.exercises or None, check=args.check)
    except SourceError as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run `casework generate`)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path}")
    print("student notebooks and keys are up to date" if not stale else f"{len(stale)} file(s) written")
    return 0


def grade(args) -> int:
    # imported when the command runs, so that `casework --help` stays quick (#23)
    from .grade import Course, GradingError, Options, grade_batch
    from .results import STATUSES
    from .source import SourceError

    if args.exercise not in exercise_ids():
        print(f"casework: error: unknown exercise {args.exercise!r}; known: {', '.join(exercise_ids())}", file=sys.stderr)
        return 2
    try:
        progress = sys.stderr.isatty() if args.progress is None else args.progress  # a bar only on a terminal, unless asked
        options = Options(
            workers=args.workers,
            timeout=args.timeout,
            cell_timeout=args.cell_timeout,
            memory_mb=args.memory_mb,
            disk_mb=args.disk_mb,
            progress=progress,
            executor=args.executor,
            require_isolation=args.require_isolation,
        )
        course = Course(args.roster, args.roster_id_column, args.canvas_assignment)
        rows = grade_batch(
            args.submissions,
            args.exercise,
            args.out,
            options,
            case=args.case,
            course=course,
            reveal=args.reveal,
            on_start=lambda protections: print(f"casework grade: {protections}", file=sys.stderr),
        )
    except (GradingError, SourceError) as error:
        print(f"casework: error: {error}", file=sys.stderr)
        return 2
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    waiting = sum(1 for row in rows if not row.final)
    print(
        f"graded {len(rows)} row(s): "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items(), key=lambda kv: list(STATUSES).index(kv[0])))
    )
    print(
        f"gradebook: {args.out / 'gradebook.csv'}; Canvas import: {args.out / 'canvas-import.csv'}; "
        f"feedback: {args.out / 'feedback'}; summary: {args.out / 'summary.md'}"
    )
    if waiting:
        print(f"{waiting} row(s) need you before their grades count (see summary.md); their Canvas scores are left blank")
    return 1 if waiting else 0


def review(args) -> int:
    # imported when the command runs, so that `casework --help` stays quick (#23)
    from .review import ReviewError, rewrite_outputs
    from .review import review as ask
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
        print(
            f"{waiting} row(s) are not final yet (rubric rows to grade, or another reason: see summary.md); their Canvas scores are left blank"
        )
    return 1 if waiting else 0


COMMANDS = {"generate": generate, **{old: generate for old in DEPRECATED_NAMES}, "grade": grade, "review": review}
