"""``casework grade``: grade a folder (or LMS zip) of submissions, one row per submission.

For each submission, in a thread of its own (``--workers``):

1. read it with size limits; anything that is not a valid nbformat-4 notebook gets a row with
   status ``unreadable`` or ``rejected`` and a reason;
2. find the answer cells by their ``casework.question`` metadata (reordering is fine; a deleted,
   duplicated or retyped answer cell is reported for that question only);
3. build the notebook to run: the student's cells, outputs cleared, with a recording cell after
   each answer cell; papermill injects ``student_id``;
4. run it in a sandbox (see ``sandbox.py`` and ``kernel.py``): a throw-away working copy, stdin
   off, a scrubbed environment, time limits per cell and per notebook, resource limits, and as
   root no network and a read-only view of everything else;
5. grade the recorded answers here, against expected values recomputed from the case data for
   the student's variant; nothing computed in the student's kernel is trusted but the answers.

Results are written atomically per submission (a re-run reuses them, so it resumes and gives the
same grades), then the gradebook, the LMS import file, per-student feedback, a class summary and
the environment record are written from them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

from ..case import load_case
from ..paths import CASES_DIR, PACKAGE_DIR
from .answers import ANSWER_FILE, read_answers
from .checks import grade_answer
from .sandbox import kill_cgroup, make_cgroup
from .source import KEYS_DIR, SOURCE_DIR, compile_checks, load_key
from .variants import STUDENT_ID, VariantError, assign

GRADER_VERSION = "1"
CANVAS_NAME = re.compile(r"^(?P<name>[a-z]+)_(?:late_)?(?P<uid>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I)
RESULT_FIELDS = ("submission", "student_id", "name", "score", "max_score", "status", "reason")


class GradingError(ValueError):
    """A problem with the grading run itself (not with one submission)."""


@dataclass
class Options:
    workers: int = 1
    timeout: float = 300.0  # whole notebook, seconds
    cell_timeout: float = 60.0
    memory_mb: int = 2048
    processes: int = 128
    file_mb: int = 16
    max_notebook_mb: float = 10.0
    cell_output_bytes: int = 1_000_000
    notebook_output_bytes: int = 5_000_000
    progress: bool = True
    executor: str = "threads"  # or "dask", or "dask:ADDRESS"

    def __post_init__(self):
        if self.executor != "threads" and not self.executor.startswith("dask"):
            raise GradingError(f"executor {self.executor!r}: use threads, dask, or dask:SCHEDULER-ADDRESS")

    def fingerprint(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("workers", "progress", "executor")}


@dataclass
class Submission:
    name: str  # file name as submitted (unique within the batch)
    data: bytes | None
    student_id: str | None
    display_name: str = ""
    problem: str | None = None  # why it cannot be graded before running anything
    digest: str = field(init=False)

    def __post_init__(self):
        self.digest = hashlib.sha256(self.data or b"").hexdigest()


# --------------------------------------------------------------------------- collecting submissions


def _student_id_from_file(stem: str) -> tuple[str | None, str]:
    match = CANVAS_NAME.match(stem)
    if match:
        return match["uid"], match["name"]
    return (stem, "") if STUDENT_ID.match(stem) else (None, "")


def collect(path: Path, options: Options) -> list[Submission]:
    """Submissions from a folder of notebooks or an LMS zip; file names mapped to student ids."""
    limit = int(options.max_notebook_mb * 1024 * 1024)
    found: list[Submission] = []
    if path.is_dir():
        entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        for entry in entries:
            size = entry.stat().st_size
            data = entry.read_bytes() if size <= limit else None
            found.append(_submission(entry.name, data, size, limit))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                base = info.filename.rsplit("/", 1)[-1]
                if info.is_dir() or not base or base.startswith(".") or info.filename.startswith("__MACOSX/"):
                    continue
                data = archive.read(info) if info.file_size <= limit else None
                found.append(_submission(base, data, info.file_size, limit))
    elif path.exists():
        raise GradingError(f"{path}: neither a folder of notebooks nor a zip file")
    else:
        raise GradingError(f"{path}: no such folder or zip file")
    names = [s.name for s in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise GradingError(f"{path}: file name(s) {sorted(duplicates)} appear more than once; one row per submission needs unique names")
    return found


def _submission(name: str, data: bytes | None, size: int, limit: int) -> Submission:
    stem = name[:-6] if name.endswith(".ipynb") else name.rsplit(".", 1)[0]
    student_id, display = _student_id_from_file(stem)
    submission = Submission(name, data, student_id, display)
    if data is None:
        submission.problem = f"rejected: the file is {size / 1024 / 1024:.1f} MB, over the {limit / 1024 / 1024:.0f} MB limit"
    elif student_id is None:
        submission.problem = (f"rejected: no student id in the file name {name!r} (use ID.ipynb with letters, digits, '.', '_' "
                              "or '-', or an LMS export name)")
    return submission


# --------------------------------------------------------------------------- preparing one notebook


def parse_notebook(data: bytes) -> nbformat.NotebookNode:
    """The submission as a notebook, or ValueError saying why it is not one."""
    if not data.strip():
        raise ValueError("unreadable: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"unreadable: not UTF-8 text (byte {error.start})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"unreadable: not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise ValueError("unreadable: the JSON is nested too deeply") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise ValueError(f"unreadable: not an nbformat 4 notebook (nbformat is {version!r})")
    try:
        notebook = nbformat.from_dict(raw)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat's ValidationError and friends
        raise ValueError(f"unreadable: not a valid notebook ({str(error).splitlines()[0][:200]})") from None
    return notebook


def prepare(notebook, questions: list[str]) -> tuple[nbformat.NotebookNode, dict]:
    """The notebook to run, with a recording cell after each answer cell; problems per question."""
    problems: dict[str, str] = {}
    places: dict[str, list[int]] = {q: [] for q in questions}
    for index, cell in enumerate(notebook.cells):
        question = cell.get("metadata", {}).get("casework", {}).get("question")
        if question in places:
            places[question].append(index)
    record_after: dict[int, str] = {}
    for question, indexes in places.items():
        if not indexes:
            problems[question] = "the answer cell was deleted"
        elif len(indexes) > 1:
            problems[question] = f"the answer cell appears {len(indexes)} times; keep exactly one"
        elif notebook.cells[indexes[0]].cell_type != "code":
            problems[question] = f"the answer cell was changed to a {notebook.cells[indexes[0]].cell_type} cell"
        else:
            record_after[indexes[0]] = question
    run = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                             "language_info": {"name": "python"}})
    run.cells.append(nbformat.v4.new_code_cell("from helpers.coursework.answers import record as __casework_record__"))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            copy = nbformat.v4.new_code_cell(cell.source)
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags:
                copy.metadata["tags"] = ["parameters"]
            run.cells.append(copy)
            if index in record_after:
                run.cells.append(nbformat.v4.new_code_cell(f"__casework_record__({record_after[index]!r}, globals())"))
        else:
            run.cells.append(nbformat.v4.new_markdown_cell(""))  # keeps cell numbers close to the student's
    return run, problems


# --------------------------------------------------------------------------- one submission


class Grader:
    def __init__(self, exercise: str, out: Path, options: Options, submissions_path: Path, first_uid: int = 0, start_workers: bool = True):
        self.exercise, self.out, self.options = exercise, out, options
        self.key = load_key(exercise)
        self.checks = compile_checks(self.key)
        self.questions = [q["id"] for q in self.key["questions"]]
        self.specs = {q["id"]: q for q in self.key["questions"]}
        self.case = load_case()
        self.submissions_path = submissions_path.resolve()
        self.staging = Path(tempfile.mkdtemp(prefix="casework-grade-"))
        os.chmod(self.staging, 0o700)
        self.results_dir = out / "results"
        # As root every file system is read-only inside the sandbox, so a submission cannot change
        # the grader's files and there is nothing to guard; restoring would only undo an
        # instructor's own edit made while a batch runs, and blame a submission for it.
        self.guarded = {} if namespaces_isolate() else _snapshot([PACKAGE_DIR, CASES_DIR, KEYS_DIR, SOURCE_DIR])
        self.guard_lock = threading.Lock()
        self.workers: queue.Queue[SandboxWorker] = queue.Queue()
        if start_workers:
            self._prime_matplotlib()
            for slot in range(max(1, options.workers)):
                self.workers.put(SandboxWorker(self.staging, (first_uid or FIRST_UID) + slot))

    # a fresh HOME would make matplotlib rebuild its font cache in every kernel: build it once
    def _prime_matplotlib(self) -> None:
        self.mpl_cache = self.staging / "matplotlib-cache"
        self.mpl_cache.mkdir()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLCONFIGDIR": str(self.mpl_cache), "HOME": str(self.staging)}
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=False, capture_output=True, timeout=120)

    def fingerprint(self, submission: Submission) -> str:
        parts = [GRADER_VERSION, submission.digest, submission.student_id or "", self.key["source_sha256"], json.dumps(self.options.fingerprint(), sort_keys=True)]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def result_path(self, submission: Submission) -> Path:
        return self.results_dir / (hashlib.sha256(submission.name.encode()).hexdigest()[:20] + ".json")

    def cached(self, submission: Submission) -> dict | None:
        path = self.result_path(submission)
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return result if result.get("fingerprint") == self.fingerprint(submission) else None

    def grade(self, submission: Submission) -> dict:
        result = self.cached(submission)
        if result is None:
            result = self._grade(submission)
            result["fingerprint"] = self.fingerprint(submission)
            _atomic_write(self.result_path(submission), json.dumps(result, indent=1, sort_keys=True))
        return result

    def _empty(self, submission: Submission, status: str, reason: str) -> dict:
        return {
            "submission": submission.name, "student_id": submission.student_id or "", "name": submission.display_name,
            "status": status, "reason": reason, "questions": {}, "answers": {},
        }

    def _grade(self, submission: Submission) -> dict:
        if submission.problem:
            return self._finish(self._empty(submission, submission.problem.split(":")[0], submission.problem))
        try:
            notebook = parse_notebook(submission.data)
        except ValueError as error:
            return self._finish(self._empty(submission, "unreadable", str(error)))
        try:
            variant = assign(self.exercise, submission.student_id, self.case)
        except VariantError as error:
            return self._finish(self._empty(submission, "rejected", str(error)))
        run, cell_problems = prepare(notebook, self.questions)
        report, answers, notes = self._execute(submission, run)
        result = self._empty(submission, "graded", "")
        for question in self.questions:
            spec = self.specs[question]
            if question in cell_problems:
                graded = {"points": 0, "of": spec["points"], "status": "missing", "feedback": cell_problems[question]}
            else:
                expected_fn = self.checks[question][0]
                graded = grade_answer(spec, answers.get(question), expected_fn(self.case, variant), self.case)
            result["questions"][question] = graded
            if question in answers and "value" in answers[question]:
                result["answers"][question] = answers[question]["value"]
        status, reasons = _overall(report, self.options)
        tampered = self._check_guard()
        if tampered:
            status, reasons = "tampered", [f"the submission changed grader files ({', '.join(tampered)}); they were restored"] + reasons
            for graded in result["questions"].values():
                graded.update(points=0, status="voided")
        reasons += [f"{q}: {cell_problems[q]}" for q in self.questions if q in cell_problems]
        unanswered = [q for q, g in result["questions"].items() if g["status"] == "unanswered"]
        if unanswered:
            reasons.append(f"unanswered: {', '.join(unanswered)}")
        reasons += notes
        result["status"], result["reason"] = status, "; ".join(reasons)
        return self._finish(result)

    def _finish(self, result: dict) -> dict:
        result["max_score"] = sum(self.specs[q]["points"] for q in self.questions)
        result["score"] = round(sum(g["points"] for g in result["questions"].values()), 3)
        return result

    def _execute(self, submission: Submission, run) -> tuple[dict, dict, list[str]]:
        slug = hashlib.sha256(submission.name.encode()).hexdigest()[:16]
        workdir = self.staging / slug
        if workdir.exists():
            shutil.rmtree(workdir)
        (workdir / "tmp").mkdir(parents=True)
        shutil.copytree(self.mpl_cache, workdir / ".matplotlib")
        nbformat.write(run, workdir / "submission.ipynb")
        report_path = self.staging / f"{slug}.report.json"
        cgroup = make_cgroup(f"casework-{os.getpid()}-{slug}", self.options.processes)
        worker = self.workers.get()
        worker_uid = worker.uid if os.geteuid() == 0 else None
        job = {
            "notebook_timeout": self.options.timeout,
            "workdir": str(workdir), "notebook": str(workdir / "submission.ipynb"), "report": str(report_path),
            "parameters": {"student_id": submission.student_id},
            "cell_timeout": self.options.cell_timeout,
            "cell_output_limit": self.options.cell_output_bytes, "notebook_output_limit": self.options.notebook_output_bytes,
            "sandbox": {
                "workdir": str(workdir), "staging": str(self.staging), "cgroup_procs": cgroup, "uid": worker_uid,
                "reachable": sorted({sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)), str(PACKAGE_DIR.parent)}),
                "hidden": sorted({str(self.out.resolve()), str(self.submissions_path), str(KEYS_DIR), str(SOURCE_DIR)}),
                "limits": {"memory_bytes": self.options.memory_mb * 1024 * 1024, "cpu_seconds": int(self.options.timeout) + 5,
                           "file_bytes": self.options.file_mb * 1024 * 1024, "processes": self.options.processes},
            },
        }
        job_path = self.staging / f"{slug}.job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        try:
            timed_out = not worker.run(job_path, self.options.timeout + GRACE_SECONDS)
        finally:
            kill_cgroup(cgroup)
            self.workers.put(worker)
        stderr = worker.last_error
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = (stderr or "").strip().splitlines()[-1:] or ["no report"]
            report = {"dead_kernel": False, "errors": {}, "executed": [], "failure": None if timed_out else f"the runner failed: {tail[0][:200]}"}
        report["timed_out"] = timed_out or report.get("deadline_reached", False)
        answers, notes = read_answers(workdir / ANSWER_FILE, self.questions)
        shutil.rmtree(workdir, ignore_errors=True)
        return report, answers, notes

    def _check_guard(self) -> list[str]:
        with self.guard_lock:
            changed = _restore(self.guarded)
        return changed

    def close(self) -> None:
        while not self.workers.empty():
            self.workers.get().stop()
        shutil.rmtree(self.staging, ignore_errors=True)


FIRST_UID = 61000  # kernels run as FIRST_UID + worker slot when the grader is root: ids no account uses
GRACE_SECONDS = 30  # kernel start and shutdown, on top of the notebook's own time limit


class SandboxWorker:
    """A long-lived ``sandbox --serve`` process (papermill imported once), replaced when it hangs.

    It runs in a session of its own with a scrubbed environment; when a job overruns, the whole
    session is killed (the kernel's own cgroup is killed by the caller) and a new worker starts.
    """

    def __init__(self, staging: Path, uid: int):
        self.staging, self.uid = staging, uid
        self.process: subprocess.Popen | None = None
        self.last_error = ""

    def _start(self) -> subprocess.Popen:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(self.staging),
               "PYTHONPATH": str(PACKAGE_DIR.parent), "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_RUNTIME_DIR": str(self.staging / "runtime")}
        self.errors = tempfile.TemporaryFile(dir=self.staging)
        return subprocess.Popen([sys.executable, "-m", "helpers.coursework.sandbox", "--serve"], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=self.errors, start_new_session=True, cwd=str(self.staging), text=True)

    def run(self, job_path: Path, timeout: float) -> bool:
        """Run one job; False when it overran ``timeout`` (the worker is then replaced)."""
        import selectors

        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        self.last_error = ""
        self.process.stdin.write(f"{job_path}\n")
        self.process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout)
        line = self.process.stdout.readline() if ready else ""
        if line.strip() == "done":
            return True
        if not ready:
            self.stop()
            return False
        self.errors.seek(0)
        self.last_error = self.errors.read().decode("utf-8", "replace")[-2000:]
        self.stop()  # it died: start afresh next time
        return True

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.errors):
                try:
                    stream.close()
                except OSError:
                    pass  # a pipe to a killed worker may refuse its last flush
            self.process = None


def _overall(report: dict, options: Options) -> tuple[str, list[str]]:
    errors = [f"cell {int(i)}: {e}" for i, e in sorted(report.get("errors", {}).items(), key=lambda kv: int(kv[0]))]
    if report.get("timed_out"):
        return "timed-out", [f"the notebook ran longer than {options.timeout:g} s and was stopped; answers recorded before then were graded"] + errors[:3]
    if report.get("dead_kernel"):
        return "kernel-died", ["the kernel died (os._exit, a crash or out of memory); answers recorded before then were graded"] + errors[:3]
    if report.get("failure"):
        return "failed", [report["failure"]] + errors[:3]
    if errors:
        timeouts = [e for e in errors if "KeyboardInterrupt" in e or "CellTimeout" in e]
        note = [f"{len(timeouts)} cell(s) stopped at the {options.cell_timeout:g} s cell limit"] if timeouts else []
        return "graded-with-errors", note + errors[:5]
    return "graded", []


# --------------------------------------------------------------------------- integrity of the grader's own files


def _snapshot(folders: list[Path]) -> dict[Path, bytes]:
    files = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path] = path.read_bytes()
    return files


def _restore(snapshot: dict[Path, bytes]) -> list[str]:
    """Put back any guarded file a submission changed or deleted; name what changed."""
    changed = []
    for path, data in snapshot.items():
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(str(path))
    return changed


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- the batch


def environment_record(key: dict, options: Options) -> dict:
    def tree_hash(folder: Path) -> str:
        digest = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\x00" + path.read_bytes())
        return digest.hexdigest()

    packages = {}
    for name in ("crisis-casework", "papermill", "nbclient", "nbformat", "ipykernel", "jupyter_client", "pandas", "numpy", "matplotlib", "pyzmq"):
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
        "case_data_sha256": tree_hash(CASES_DIR),
        "helpers_sha256": tree_hash(PACKAGE_DIR),
        "options": options.fingerprint(),
        "isolation": isolation_summary(),
    }


def namespaces_isolate() -> bool:
    """Whether kernels run in their own mount and network namespaces (see kernel.apply)."""
    return os.geteuid() == 0


def isolation_summary() -> dict:
    root = namespaces_isolate()
    return {
        "namespaces (no network, read-only files)": "on" if root else "off: needs root",
        "process-count cgroup": "on" if root and any(os.path.exists(os.path.join(r, "cgroup.procs")) for r in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")) else "off",
        "resource limits (memory, CPU, file size)": "on",
        "scrubbed environment, stdin off, time limits": "on",
    }


_REMOTE_GRADERS: dict[tuple, "Grader"] = {}


def _grade_remote(exercise: str, out: str, options: dict, submissions_path: str, submission: Submission) -> dict:
    """Grade one submission inside a Dask worker process, with a grader kept per worker."""
    import atexit

    from distributed import get_worker

    key = (exercise, out, json.dumps(options, sort_keys=True), submissions_path)
    grader = _REMOTE_GRADERS.get(key)
    if grader is None:
        worker_options = Options(**{**options, "workers": 1})
        name = get_worker().name
        slot = name if isinstance(name, int) else int(hashlib.sha256(str(name).encode()).hexdigest()[:4], 16) % 900
        grader = Grader(exercise, Path(out), worker_options, Path(submissions_path), first_uid=FIRST_UID + 100 + slot)
        _REMOTE_GRADERS[key] = grader
        atexit.register(grader.close)
    return grader.grade(submission)


def _run_dask(grader: "Grader", submissions: list[Submission], options: Options, bar, results: dict, submissions_path: Path) -> None:
    from distributed import Client, LocalCluster, as_completed

    address = options.executor.split("dask", 1)[1].lstrip(":") if options.executor != "dask" else ""
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(n_workers=max(1, options.workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        settings = {k: v for k, v in options.__dict__.items() if k not in ("progress", "executor")}
        futures = {client.submit(_grade_remote, grader.exercise, str(grader.out), settings, str(submissions_path), s, pure=False): s for s in submissions}
        for future in as_completed(futures):
            results[futures[future].name] = future.result()
            bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def grade_batch(submissions_path: Path, exercise: str, out: Path, options: Options | None = None) -> list[dict]:
    """Grade everything in ``submissions_path``; write the outputs to ``out``; return the rows.

    ``options.executor`` is ``threads`` (this machine, ``workers`` at once) or ``dask`` (a local
    Dask cluster of ``workers`` processes) or ``dask:ADDRESS`` (an existing Dask scheduler whose
    workers have this package and the case data installed). The grades are the same either way.
    """
    from .report import write_outputs

    options = options or Options()
    submissions = collect(Path(submissions_path), options)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    local = options.executor == "threads"
    grader = Grader(exercise, out, options, Path(submissions_path), start_workers=local)
    results: dict[str, dict] = {}
    try:
        from tqdm import tqdm

        with tqdm(total=len(submissions), desc=f"grading {exercise}", unit="submission", disable=not options.progress, file=sys.stderr) as bar:
            if local:
                with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
                    for submission, result in zip(submissions, pool.map(grader.grade, submissions)):
                        results[submission.name] = result
                        bar.update(1)
            else:
                _run_dask(grader, submissions, options, bar, results, Path(submissions_path).resolve())
    finally:
        grader.close()
    rows = [results[s.name] for s in submissions]
    write_outputs(rows, grader.key, out, environment_record(grader.key, options))
    return rows
