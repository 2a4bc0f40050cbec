"""Running one submission in the sandbox, and collecting what its kernel recorded.

:func:`prepare` builds the notebook to run: the student's code cells with their outputs cleared,
a first cell that opens the answer channel, and a recording cell after each answer cell.
:class:`Executor` runs it through a long-lived ``sandbox --serve`` worker (see ``sandbox.py``
and ``kernel.py``): a throw-away working copy, stdin off, a scrubbed environment, time limits per
cell and per notebook, resource limits, and as root no network and a read-only view of
everything else. What comes back is plain data: the execution report and the answer file's
lines, read with every size capped (``answers.read_answers``).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..paths import CASES_DIR, PACKAGE_DIR
from .answers import Recorded, read_answers
from .sandbox import kill_cgroup, make_cgroup
from .source import KEYS_DIR, SOURCE_DIR

ANSWER_FILE = ".casework-answers.jsonl"
FIRST_UID = 61000  # kernels run as FIRST_UID + worker slot when the grader is root: ids no account uses
GRACE_SECONDS = 30  # kernel start and shutdown, on top of the notebook's own time limit


@dataclass
class Limits:
    """How a submission may run: time, memory, processes, files and output."""

    timeout: float = 300.0  # whole notebook, seconds
    cell_timeout: float = 60.0
    memory_mb: int = 2048
    processes: int = 128
    file_mb: int = 16
    max_notebook_mb: float = 10.0
    cell_output_bytes: int = 1_000_000
    notebook_output_bytes: int = 5_000_000


@dataclass
class Execution:
    """What running one submission gave: the sandbox's report and what the kernel recorded."""

    report: dict
    recorded: Recorded
    tampered: list[str] = field(default_factory=list)  # grader files the run changed (restored)


def prepare(notebook, questions: list[str], answer_path: str) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    """The notebook to run, with a recording cell after each answer cell; problems per question."""
    problems: dict[str, str] = {}
    places: dict[str, list[int]] = {q: [] for q in questions}
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("casework", {})
        question = meta.get("question") if isinstance(meta, dict) else None
        if isinstance(question, str) and question in places:
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
    run.cells.append(nbformat.v4.new_code_cell(
        f"import helpers.coursework.answers as __casework_answers__\n__casework_answers__.open_channel({answer_path!r})"))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            copy = nbformat.v4.new_code_cell(cell.source)
            tags = cell.get("metadata", {}).get("tags", [])
            if isinstance(tags, list) and "parameters" in tags:
                copy.metadata["tags"] = ["parameters"]
            run.cells.append(copy)
            if index in record_after:
                run.cells.append(nbformat.v4.new_code_cell(f"__casework_answers__.record({record_after[index]!r}, globals())"))
        else:
            run.cells.append(nbformat.v4.new_markdown_cell(""))  # keeps cell numbers close to the student's
    return run, problems


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


class Executor:
    """Runs prepared submissions, ``workers`` at a time, each in a sandbox of its own."""

    def __init__(self, limits: Limits, hidden: list[Path], guarded: list[Path] = (), workers: int = 1, first_uid: int = 0,
                 start_workers: bool = True):
        self.limits = limits
        self.hidden = sorted({str(Path(p).resolve()) for p in hidden} | {str(KEYS_DIR), str(SOURCE_DIR)})
        self.staging = Path(tempfile.mkdtemp(prefix="casework-grade-"))
        os.chmod(self.staging, 0o700)
        # As root every file system is read-only inside the sandbox, so a submission cannot change
        # the grader's files and there is nothing to guard; restoring would only undo an
        # instructor's own edit made while a batch runs, and blame a submission for it.
        self.guarded = {} if namespaces_isolate() else _snapshot(sorted({PACKAGE_DIR, CASES_DIR, KEYS_DIR, SOURCE_DIR, *map(Path, guarded)}))
        self.guard_lock = threading.Lock()
        self.workers: queue.Queue[SandboxWorker] = queue.Queue()
        if start_workers:
            self._prime_matplotlib()
            for slot in range(max(1, workers)):
                self.workers.put(SandboxWorker(self.staging, (first_uid or FIRST_UID) + slot))

    # a fresh HOME would make matplotlib rebuild its font cache in every kernel: build it once
    def _prime_matplotlib(self) -> None:
        self.mpl_cache = self.staging / "matplotlib-cache"
        self.mpl_cache.mkdir()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLCONFIGDIR": str(self.mpl_cache), "HOME": str(self.staging)}
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=False, capture_output=True, timeout=120)

    def run(self, name: str, notebook, questions: list[str], parameters: dict) -> tuple[Execution, dict[str, str]]:
        """Run one submission's notebook; return what happened and the per-question cell problems."""
        slug = hashlib.sha256(name.encode()).hexdigest()[:16]
        workdir = self.staging / slug
        if workdir.exists():
            shutil.rmtree(workdir)
        (workdir / "tmp").mkdir(parents=True)
        shutil.copytree(self.mpl_cache, workdir / ".matplotlib")
        run, cell_problems = prepare(notebook, questions, str(workdir / ANSWER_FILE))
        nbformat.write(run, workdir / "submission.ipynb")
        report_path = self.staging / f"{slug}.report.json"
        limits = self.limits
        cgroup = make_cgroup(f"casework-{os.getpid()}-{slug}", limits.processes)
        worker = self.workers.get()
        job = {
            "notebook_timeout": limits.timeout,
            "workdir": str(workdir), "notebook": str(workdir / "submission.ipynb"), "report": str(report_path),
            "parameters": parameters,
            "cell_timeout": limits.cell_timeout,
            "cell_output_limit": limits.cell_output_bytes, "notebook_output_limit": limits.notebook_output_bytes,
            "sandbox": {
                "workdir": str(workdir), "staging": str(self.staging), "cgroup_procs": cgroup,
                "uid": worker.uid if os.geteuid() == 0 else None,
                "reachable": sorted({sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)), str(PACKAGE_DIR.parent)}),
                "hidden": self.hidden,
                "limits": {"memory_bytes": limits.memory_mb * 1024 * 1024, "cpu_seconds": int(limits.timeout) + 5,
                           "file_bytes": limits.file_mb * 1024 * 1024, "processes": limits.processes},
            },
        }
        job_path = self.staging / f"{slug}.job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        try:
            timed_out = not worker.run(job_path, limits.timeout + GRACE_SECONDS)
        finally:
            kill_cgroup(cgroup)
            self.workers.put(worker)
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = (worker.last_error or "").strip().splitlines()[-1:] or ["no report"]
            report = {"dead_kernel": False, "errors": {}, "executed": [], "failure": None if timed_out else f"the runner failed: {tail[0][:200]}"}
        report["timed_out"] = timed_out or report.get("deadline_reached", False)
        recorded = read_answers(workdir / ANSWER_FILE, questions)
        shutil.rmtree(workdir, ignore_errors=True)
        return Execution(report, recorded, self.check_guard()), cell_problems

    def check_guard(self) -> list[str]:
        """Put back any grader file a submission changed; name what was changed."""
        with self.guard_lock:
            return _restore(self.guarded)

    def close(self) -> None:
        while not self.workers.empty():
            self.workers.get().stop()
        shutil.rmtree(self.staging, ignore_errors=True)


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


def execution_status(report: dict, limits: Limits) -> tuple[str, list[str]]:
    """The row's status as far as running the notebook goes, with the reasons."""
    errors = [f"cell {int(i)}: {e}" for i, e in sorted(report.get("errors", {}).items(), key=lambda kv: int(kv[0]))]
    if report.get("timed_out"):
        return "timed-out", [f"the notebook ran longer than {limits.timeout:g} s and was stopped; answers recorded before then were graded"] + errors[:3]
    if report.get("dead_kernel"):
        return "kernel-died", ["the kernel died (os._exit, a crash or out of memory); answers recorded before then were graded"] + errors[:3]
    if report.get("failure"):
        return "failed", [report["failure"]] + errors[:3]
    if errors:
        timeouts = [e for e in errors if "KeyboardInterrupt" in e or "CellTimeout" in e]
        note = [f"{len(timeouts)} cell(s) stopped at the {limits.cell_timeout:g} s cell limit"] if timeouts else []
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
