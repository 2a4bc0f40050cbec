"""``casework grade``: grade a folder (or LMS zip) of submissions, one row per submission.

The steps, each in a module of its own:

1. **intake** (``intake.py``): the notebooks of a folder or zip, the ids their file names give,
   the roster; anything else is listed as skipped;
2. **execution** (``execute.py``, ``worker.py``, ``sandbox.py``, ``zygote.py``): each notebook runs in a
   sandbox as the student wrote it (nothing is injected but the location of the case), with a
   recording cell after each answer cell;
3. **identity** (``identity.py``): whose work it is and which variant it answers, from the file,
   the notebook's own ``student_id`` and what its kernel used; any doubt is ``needs-review``;
4. **checking** (``checks.py``): the recorded answers against expected values recomputed here
   from the case data for that variant; nothing computed in the student's kernel is trusted but
   the answers;
5. **outputs** (``outputs.py``): gradebook, Canvas import file, feedback, summary, environment.

Executions are cached per submission in ``OUT/results/`` (``cache.py``: signed, written atomically), so a re-run resumes
an interrupted batch and gives the same grades; identity and checks are recomputed every run, so
a corrected roster or ``--case`` takes effect without running anything again.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import platform
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path, PurePath

from tqdm import tqdm

from ..case import Case, load_case
from ..errors import CaseDataError, OutputFolderError, UnknownCaseError
from ..files import output_folder
from ..paths import CASES_DIR, PACKAGE_DIR
from . import isolation
from .answers import Recorded
from .cache import ResultCache
from .checks import grade_answer
from .execute import Execution, Executor, Limits, execution_status
from .identity import Owner, decide, owner_of, written_ids
from .intake import DEFAULT_ID_COLUMN, Intake, IntakeError, Roster, Submission, collect, parse_notebook, read_roster
from .outputs import write_outputs
from .results import QuestionResult, SubmissionResult
from .source import compile_checks, load_key
from .variants import VariantError, assign, canonical, check_case

GRADER_VERSION = "2"
#: When several things are wrong, the row shows the most serious: the first of these that applies.
PRECEDENCE = ("tampered", "failed", "needs-review", "timed-out", "kernel-died", "graded-with-errors", "graded")


class GradingError(ValueError):
    """A problem with the grading run itself (not with one submission): nothing is graded."""


@dataclass
class Options(Limits):
    """How the batch runs: the sandbox's limits, how many at once, and where."""

    workers: int = 1
    progress: bool = True
    executor: str = "threads"  # or "dask", or "dask:ADDRESS"
    require_isolation: bool = False  # refuse to grade without a sandbox (isolation mode "off")

    def __post_init__(self):
        if self.executor != "threads" and not self.executor.startswith("dask"):
            raise GradingError(f"executor {self.executor!r}: use threads, dask, or dask:SCHEDULER-ADDRESS")
        if self.executor.startswith("dask") and importlib.util.find_spec("distributed") is None:
            raise GradingError(
                f"--executor {self.executor} needs Dask's distributed package, the module's 'scale' extra: "
                'pip install -e ".[scale]"'
            )

    def limits(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(Limits)}


@dataclass
class Course:
    """Who the students are and where their grades go."""

    roster: Path | None = None  # the gradebook CSV Canvas exports
    id_column: str = DEFAULT_ID_COLUMN  # the roster column holding the id students type
    canvas_assignment: str | None = None  # "Name (12345)", a name, or an id; default: the roster column titled like the exercise


class Grader:
    """Grades one submission at a time (thread-safe), against one exercise key and one case."""

    def __init__(self, exercise: str, case: Case, out: Path, options: Options, start_workers: bool = True):
        self.exercise, self.case, self.options = exercise, case, options
        self.key = load_key(exercise)
        self.checks = compile_checks(self.key)
        self.specs = {q["id"]: q for q in self.key["questions"]}
        self.questions = list(self.specs)
        self.max_score = sum(q["points"] for q in self.key["questions"])
        self.case_sha256 = tree_digest(case.path)
        # a built-in case travels by id, any other by its folder (the kernel then loads the same files)
        self.case_location = case.case_id if case.path == (CASES_DIR / case.case_id).resolve() else str(case.path)
        self.executor = Executor(options, readable=[case.path], workers=options.workers, start_workers=start_workers)
        self.isolation = isolation.summary(self.executor.mode)
        self.cache = ResultCache(out / "results") if self.executor.mode != "off" else None

    # ------------------------------------------------------------------ executions, cached

    def _fingerprint(self, submission: Submission, parameters: dict) -> str:
        parts = [
            GRADER_VERSION,
            submission.digest,
            self.case.case_id,
            self.case_sha256,
            self.key["source_sha256"],
            json.dumps(self.options.limits(), sort_keys=True),
            json.dumps(parameters, sort_keys=True),
            self.executor.mode,
        ]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def execution(self, submission: Submission, notebook, parameters: dict) -> tuple[Execution, dict[str, str]]:
        fingerprint = self._fingerprint(submission, parameters)
        cached = self.cache.get(submission.name, fingerprint) if self.cache else None
        if cached is not None:
            return Execution(cached["report"], Recorded(**cached["recorded"]), cached["tampered"]), cached["cell_problems"]
        execution, cell_problems = self.executor.run(submission.name, notebook, self.questions, parameters)
        if self.cache and not execution.report.get("failure", "").startswith(("the worker failed", "the kernel host")):
            self.cache.put(
                submission.name,
                fingerprint,
                {
                    "report": execution.report,
                    "tampered": execution.tampered,
                    "cell_problems": cell_problems,
                    "recorded": {
                        "answers": execution.recorded.answers,
                        "identities": execution.recorded.identities,
                        "notes": execution.recorded.notes,
                    },
                },
            )
        return execution, cell_problems

    # ------------------------------------------------------------------ one submission

    def grade(self, submission: Submission, owner: Owner) -> SubmissionResult:
        """The row of one submission; whatever goes wrong becomes the row's status, never a crash."""
        result = SubmissionResult(
            submission.name,
            owner.student_id,
            owner.student or submission.display_name,
            case_id=self.case.case_id,
            max_score=self.max_score,
            roster=owner.roster,
            isolation=self.isolation,
        )
        try:
            self._grade(submission, owner, result)
        except Exception as error:  # one submission must never stop the batch
            where = traceback.extract_tb(error.__traceback__)[-1]
            result.status, result.questions = "failed", []
            result.reasons = [
                f"the grader failed on this submission ({type(error).__name__}: {str(error)[:200]} at "
                f"{PurePath(where.filename).name}:{where.lineno}); please report it"
            ]
        return result

    def _grade(self, submission: Submission, owner: Owner, result: SubmissionResult) -> None:
        if submission.problem:
            result.status, result.reasons = "rejected", [submission.problem, *filter(None, [owner.problem])]
            return
        try:
            notebook = parse_notebook(submission.data)
        except ValueError as error:
            result.status, result.reasons = "unreadable", [str(error), *filter(None, [owner.problem])]
            return
        written = written_ids(notebook)
        # The kernel loads the case from where this grader has it, if the notebook works on that case.
        same_case = not written.case_ids or any(PurePath(c).name == self.case.case_id for c in written.case_ids)
        parameters = {"case_id": self.case_location} if same_case else {}
        execution, cell_problems = self.execution(submission, notebook, parameters)
        identity = decide(owner, written, execution.recorded.identities, self.exercise, self.case.case_id)
        result.notebook_id = identity.notebook_id
        reasons = list(identity.reasons)
        try:
            result.variant = assign(self.exercise, identity.variant_of, self.case)
            result.variant_of = identity.variant_of
        except VariantError as error:
            reasons.append(f"no variant to check the answers against: {error}")
        if result.variant_of:
            result.questions = self._check(execution.recorded.answers, cell_problems, result.variant)
        status, run_reasons = execution_status(execution.report, self.options)
        if execution.tampered:
            status = "tampered"
            run_reasons.insert(0, f"the submission changed grader files ({', '.join(execution.tampered)}); they were restored")
            for question in result.questions:
                question.points, question.status = 0, "voided"
        if reasons:
            status = min(status, "needs-review", key=PRECEDENCE.index)
        result.status = status
        result.reasons = reasons + run_reasons + [f"{q}: {cell_problems[q]}" for q in self.questions if q in cell_problems]
        unanswered = [q.question for q in result.questions if q.status == "unanswered"]
        if unanswered:
            result.reasons.append(f"unanswered: {', '.join(unanswered)}")
        result.reasons += execution.recorded.notes

    def _check(self, answers: dict, cell_problems: dict[str, str], variant: dict) -> list[QuestionResult]:
        checked = []
        for question in self.questions:
            spec = self.specs[question]
            expected = self.checks[question][0](self.case, variant)
            if question in cell_problems:
                checked.append(QuestionResult(question, 0, spec["points"], "missing", cell_problems[question], expected=expected))
            else:
                checked.append(grade_answer(spec, answers.get(question), expected, self.case))
        return checked

    def close(self) -> None:
        self.executor.close()


# --------------------------------------------------------------------------- the batch


def tree_digest(folder: Path) -> str:
    """A hash of a folder's files (names and contents), so a regrade can show it used the same ones."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


def _load_case(case: str | Path) -> Case:
    try:
        return load_case(case)
    except (UnknownCaseError, CaseDataError) as error:
        raise GradingError(f"--case {case}: {error}") from None


def _owners(intake: Intake, roster: Roster | None) -> list[Owner]:
    return [owner_of(submission, roster) for submission in intake.submissions]


def _flag_shared_owners(rows: list[SubmissionResult]) -> None:
    """Two files for one student: neither is that student's grade until the instructor decides."""
    by_student: dict[str, list[SubmissionResult]] = {}
    for row in rows:
        if row.student_id:
            by_student.setdefault(canonical(row.student_id), []).append(row)
    for group in by_student.values():
        if len(group) > 1:
            names = ", ".join(r.submission for r in group)
            for row in group:
                row.reasons.insert(
                    0,
                    f"{len(group)} files belong to student {row.student_id!r} ({names}); grade one by hand or remove the others",
                )
                row.status = min(row.status, "needs-review", key=PRECEDENCE.index) if row.status in PRECEDENCE else row.status


def _missing(roster: Roster, rows: list[SubmissionResult], case: Case, max_score: float) -> list[SubmissionResult]:
    submitted = {canonical(r.student_id) for r in rows if r.student_id} | {r.roster.get("ID") for r in rows if r.roster.get("ID")}
    missing = []
    for entry in roster.entries:
        if entry.key not in submitted and entry.canvas_id not in submitted:
            missing.append(
                SubmissionResult(
                    "",
                    entry.student_id,
                    entry.student,
                    case_id=case.case_id,
                    status="missing",
                    reasons=["no submission from this roster student"],
                    max_score=max_score,
                    roster=entry.lms,
                )
            )
    return missing


def _grade_remote(exercise: str, case: str, out: str, options: dict, submission: Submission, owner: Owner):
    """Grade one submission inside a Dask worker process, with a grader kept per worker."""
    key = (exercise, case, out, json.dumps(options, sort_keys=True))
    grader = _REMOTE_GRADERS.get(key)
    if grader is None:
        grader = Grader(exercise, load_case(case), Path(out), Options(**{**options, "workers": 1}))
        _REMOTE_GRADERS[key] = grader
        atexit.register(grader.close)
    return grader.grade(submission, owner)


_REMOTE_GRADERS: dict[tuple, Grader] = {}


def _run_dask(grader: Grader, jobs: list[tuple[Submission, Owner]], options: Options, out: Path, bar) -> list[SubmissionResult]:
    from distributed import Client, LocalCluster  # the optional 'scale' extra: only --executor dask needs it

    address = options.executor.split("dask", 1)[1].lstrip(":") if options.executor != "dask" else ""
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(n_workers=max(1, options.workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        settings = {f.name: getattr(options, f.name) for f in fields(Options) if f.name not in ("progress", "executor")}
        futures = [
            client.submit(_grade_remote, grader.exercise, grader.case_location, str(out), settings, submission, owner, pure=False)
            for submission, owner in jobs
        ]
        rows = []
        for future in futures:
            rows.append(future.result())
            bar.update(1)
        return rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def grade_batch(
    submissions_path: Path,
    exercise: str,
    out: Path,
    options: Options | None = None,
    case: str | Path = "hootsuite-ice-2020",
    course: Course | None = None,
    reveal: bool = False,
    on_start=None,
) -> list[SubmissionResult]:
    """Grade everything in ``submissions_path`` against ``case``; write the outputs to ``out``; return the rows.

    ``options.executor`` is ``threads`` (this machine, ``workers`` at once) or ``dask`` (a local
    Dask cluster of ``workers`` processes) or ``dask:ADDRESS`` (an existing Dask scheduler whose
    workers have this package and the case data installed). The grades are the same either way.
    Everything that can be checked (the case, the roster, the output folder, the submissions) is
    checked before the first submission runs; ``GradingError`` names what is wrong. Then
    ``on_start`` (if given) is called with the line that says which protections hold.
    """
    options = options or Options()
    course = course or Course()
    loaded = _load_case(case)
    key = load_key(exercise)
    try:
        check_case(exercise, loaded, key.get("requires", []))
    except VariantError as error:
        raise GradingError(str(error)) from None
    try:
        intake = collect(Path(submissions_path), int(options.max_notebook_mb * 1024 * 1024))
        roster = read_roster(course.roster, course.id_column) if course.roster else None
    except IntakeError as error:
        raise GradingError(str(error)) from None
    try:
        out = output_folder(Path(out))
    except OutputFolderError as error:
        raise OutputFolderError(f"--out {out}: {error}") from None
    assignment = _assignment(course, roster, key)
    local = options.executor == "threads"
    grader = Grader(exercise, loaded, out, options, start_workers=local)
    if options.require_isolation and grader.executor.mode == "off":
        grader.close()
        raise GradingError(
            "--require-isolation: this machine gives no sandbox (bubblewrap is missing, or user namespaces are "
            "disabled); install Debian's bubblewrap, or grade as root (see coursework/README.md)"
        )
    if on_start:
        on_start(grader.isolation)
    jobs = list(zip(intake.submissions, _owners(intake, roster)))
    try:
        with tqdm(
            total=len(jobs), desc=f"grading {exercise}", unit="submission", disable=not options.progress, file=sys.stderr
        ) as bar:
            if local:
                rows = []
                with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
                    for row in pool.map(lambda job: grader.grade(*job), jobs):
                        rows.append(row)
                        bar.update(1)
            else:
                rows = _run_dask(grader, jobs, options, out, bar)
    finally:
        grader.close()
    _flag_shared_owners(rows)
    if roster is not None:
        rows += _missing(roster, rows, loaded, grader.max_score)
    record = environment_record(key, options, loaded, course, roster, assignment, reveal, grader.executor.mode)
    write_outputs(
        rows,
        key,
        out,
        record,
        skipped=intake.skipped,
        assignment=assignment,
        roster=roster,
        id_column=course.id_column,
        reveal=reveal,
    )
    return rows


def _assignment(course: Course, roster: Roster | None, key: dict) -> str:
    """The Canvas import file's assignment column: an existing assignment's "Name (id)" where known."""
    wanted = course.canvas_assignment
    if wanted and roster is not None:
        header = roster.assignment(wanted)
        if header:
            return header
    if wanted:
        if not wanted.rstrip().endswith(")") or "(" not in wanted:
            raise GradingError(
                f"--canvas-assignment {wanted!r}: give the assignment as Canvas names it in its gradebook export, "
                'with its id in brackets ("Exercise 1 (12345)"), or pass --roster with that column'
            )
        return wanted.strip()
    if roster is not None:
        return roster.assignment(key["title"]) or key["title"]
    return key["title"]


def environment_record(
    key: dict, options: Options, case: Case, course: Course, roster: Roster | None, assignment: str, reveal: bool, mode: str
) -> dict:
    """Versions, hashes and settings of this run, to show that a regrade matches."""
    packages = {}
    for name in (
        "crisis-casework",
        "papermill",
        "nbclient",
        "nbformat",
        "ipykernel",
        "jupyter_client",
        "pandas",
        "numpy",
        "matplotlib",
        "pyzmq",
    ):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {
        "grader_version": GRADER_VERSION,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "packages": packages,
        "exercise": key["exercise"],
        "exercise_source_sha256": key["source_sha256"],
        "case_id": case.case_id,
        "case_path": str(case.path),
        "case_data_sha256": tree_digest(case.path),
        "helpers_sha256": tree_digest(PACKAGE_DIR),
        "roster": {
            "path": str(roster.path),
            "sha256": hashlib.sha256(roster.path.read_bytes()).hexdigest(),
            "id_column": course.id_column,
            "students": len(roster.entries),
        }
        if roster
        else None,
        "canvas_assignment": assignment,
        "reveal": reveal,
        "options": options.limits(),
        "isolation": {"mode": mode, "summary": isolation.summary(mode), "protections": isolation.held(mode)},
    }
