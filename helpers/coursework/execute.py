"""Running one submission in a sandbox, and collecting what its kernel recorded.

:func:`prepare` builds the notebook to run: the student's code cells with their outputs cleared,
a first cell that opens the answer channel, and a recording cell after each answer cell.
:class:`Executor` keeps one sandbox worker per slot (``worker.py``; started in bubblewrap
where the machine allows, see ``isolation.py``) and sends it one job at a time over a pipe of
its own, with a fresh nonce. What comes back is plain data: the execution report and the answer
file's lines, read by the worker with every size capped. A worker that overruns a job's time,
dies, or answers out of turn is killed with everything it started, and replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import CASES_DIR, PACKAGE_DIR
from . import isolation
from .answers import ANSWER_FILE, Recorded
from .source import KEYS_DIR, SOURCE_DIR

GRACE_SECONDS = 30  # kernel start and shutdown, on top of the notebook's own time limit
SANDBOX_STAGING = "/casework"  # the worker's scratch space inside bubblewrap (a tmpfs of its own)
WORKER_OVERHEAD_BYTES = 1536 * 1024 * 1024  # the worker and its kernel host, besides a submission's memory


@dataclass
class Limits:
    """How a submission may run: time, memory, processes, files and output."""

    timeout: float = 300.0  # whole notebook, seconds
    cell_timeout: float = 60.0
    memory_mb: int = 2048
    processes: int = 128
    file_mb: int = 16
    disk_mb: int = 64  # the whole working copy
    max_notebook_mb: float = 10.0
    cell_output_bytes: int = 1_000_000
    notebook_output_bytes: int = 5_000_000
    # False: a fresh kernel host per submission, which imports everything again before its
    # kernel runs: the cold start the warm host replaced, kept so the benchmark can measure it
    warm_kernels: bool = True


@dataclass
class Execution:
    """What running one submission gave: the sandbox's report and what the kernel recorded."""

    report: dict
    recorded: Recorded
    tampered: list[str] = field(default_factory=list)  # grader files the run changed (restored)


def prepare(notebook: dict, questions: list[str], answer_path: str) -> tuple[dict, dict[str, str]]:
    """The notebook to run (as JSON data), with a recording cell after each answer cell; problems per question."""
    problems: dict[str, str] = {}
    places: dict[str, list[int]] = {q: [] for q in questions}
    cells = notebook["cells"]
    for index, cell in enumerate(cells):
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
        elif cells[indexes[0]]["cell_type"] != "code":
            problems[question] = f"the answer cell was changed to a {cells[indexes[0]]['cell_type']} cell"
        else:
            record_after[indexes[0]] = question
    run = [
        _code(f"import helpers.coursework.answers as __casework_answers__\n__casework_answers__.open_channel({answer_path!r})")
    ]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            run.append(_code(cell["source"], parameters=isinstance(tags, list) and "parameters" in tags))
            if index in record_after:
                run.append(_code(f"__casework_answers__.record({record_after[index]!r}, globals())"))
        else:
            run.append({"cell_type": "markdown", "metadata": {}, "source": ""})  # keeps cell numbers close to the student's
    for number, cell in enumerate(run):
        cell["id"] = f"casework-{number}"
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": run}, problems


def _code(source: str, parameters: bool = False) -> dict:
    """A code cell of nbformat 4 as JSON data: the worker reads the notebook with nbformat."""
    metadata = {"tags": ["parameters"]} if parameters else {}
    return {"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [], "source": source}


class Executor:
    """Runs prepared submissions, ``workers`` at a time, each in a sandbox of its own."""

    def __init__(self, limits: Limits, readable: list[Path] = (), workers: int = 1, start_workers: bool = True):
        self.limits = limits
        self.mode = isolation.mode()
        self.staging = Path(tempfile.mkdtemp(prefix=f"casework-grade-{os.getpid()}-"))
        os.chmod(self.staging, 0o700)
        self.uids = isolation.UidPool() if self.mode == "root" else None
        # Without a sandbox a submission could change the grader's own files: they are watched and
        # put back, and the submission is marked tampered. In a sandbox they are read-only.
        self.guarded = _snapshot(sorted({PACKAGE_DIR, CASES_DIR, KEYS_DIR, SOURCE_DIR, *readable})) if self.mode == "off" else {}
        self.guard_lock = threading.Lock()
        self.readable = [str(Path(p).resolve()) for p in readable]
        self.workers: queue.Queue[SandboxWorker] = queue.Queue()
        if start_workers:
            isolation.clean_stale()
            for slot in range(max(1, workers)):
                worker = self._worker(slot)
                try:
                    worker.ready()  # started now, so its imports overlap with the grader's own preparation
                except (OSError, RuntimeError):
                    pass  # the first job tries again and records what went wrong in its row
                self.workers.put(worker)

    def _worker(self, slot: int) -> SandboxWorker:
        staging = SANDBOX_STAGING if self.mode != "off" else str(self.staging / f"w{slot}")
        sandbox = isolation.Sandbox(self.mode, staging, (self.limits.disk_mb + 32) * 1024 * 1024, readable=self.readable)
        return SandboxWorker(sandbox, self.staging / f"worker-{slot}.log", f"{self.staging.name}-w{slot}", self.limits)

    def run(self, name: str, notebook, questions: list[str], parameters: dict) -> tuple[Execution, dict[str, str]]:
        """Run one submission's notebook; return what happened and the per-question cell problems."""
        slug = hashlib.sha256(name.encode()).hexdigest()[:16]
        worker = self.workers.get()
        uid = self.uids.acquire() if self.uids else None
        try:
            worker.ready()  # started (or restarted) first: the job names the worker's control groups
            answer_path = f"{worker.sandbox.staging}/{slug}/channel/{ANSWER_FILE}"
            run, cell_problems = prepare(notebook, questions, answer_path)
            limits = self.limits
            job = {
                "slug": slug,
                "staging": worker.sandbox.staging,
                "notebook": run,
                "questions": questions,
                "parameters": parameters,
                "notebook_timeout": limits.timeout,
                "cell_timeout": limits.cell_timeout,
                "warm_kernels": limits.warm_kernels,
                "cell_output_limit": limits.cell_output_bytes,
                "notebook_output_limit": limits.notebook_output_bytes,
                "sandbox": {
                    "uid": uid,
                    "isolate": self.mode != "off",
                    "cgroups": worker.cgroups,
                    "disk_bytes": limits.disk_mb * 1024 * 1024,
                    "limits": {
                        "memory_bytes": limits.memory_mb * 1024 * 1024,
                        "cpu_seconds": int(limits.timeout) + 5,
                        "file_bytes": limits.file_mb * 1024 * 1024,
                        "processes": limits.processes,
                    },
                },
            }
            answer = worker.run(job, limits.timeout + GRACE_SECONDS)
        finally:
            if uid is not None:
                self.uids.release(uid)
            self.workers.put(worker)
        if answer is None:
            report = {"dead_kernel": False, "errors": {}, "executed": [], "timed_out": True}
            recorded = Recorded(notes=["the sandbox worker did not answer in time; it was stopped with everything it ran"])
        else:
            report = answer["report"]
            report["timed_out"] = report.get("deadline_reached", False)
            recorded = Recorded(**answer["recorded"])
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
    """One sandbox worker process, spoken to over two pipes of its own, replaced when it fails."""

    def __init__(self, sandbox: isolation.Sandbox, log: Path, name: str, limits: Limits):
        self.sandbox, self.log_path, self.name, self.limits = sandbox, log, name, limits
        self.process: subprocess.Popen | None = None
        self.cgroups: list[str] = []

    def _start(self) -> None:
        # control groups of its own (root only), for the worker, its kernel host and every kernel
        self.cgroups = isolation.slot_cgroups(self.name)
        self.sandbox.writable = self.cgroups
        jobs_read, jobs_write = os.pipe()
        answers_read, answers_write = os.pipe()
        argv = [
            sys.executable,
            "-I",
            "-m",
            "helpers.coursework.worker",
            "--requests",
            str(jobs_read),
            "--replies",
            str(answers_write),
        ]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": self.sandbox.staging,
            "JUPYTER_PLATFORM_DIRS": "1",
            "JUPYTER_RUNTIME_DIR": f"{self.sandbox.staging}/.jupyter",
        }
        if self.sandbox.mode == "off":
            Path(self.sandbox.staging).mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.sandbox.command(argv),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(jobs_read, answers_write),
                start_new_session=True,
                cwd=self.sandbox.staging if self.sandbox.mode == "off" else "/",
            )
        os.close(jobs_read)
        os.close(answers_write)
        self.jobs, self.answers = os.fdopen(jobs_write, "wb"), os.fdopen(answers_read, "rb")
        for folder in self.cgroups:
            _limit_slot(folder, self.limits.memory_mb * 1024 * 1024 + WORKER_OVERHEAD_BYTES)
            with open(os.path.join(folder, "cgroup.procs"), "w", encoding="ascii") as procs:
                procs.write(str(self.process.pid))

    def ready(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self._start()

    def run(self, job: dict, timeout: float) -> dict | None:
        """Run one job; its answer, or None when the worker overran ``timeout`` or failed (it is then replaced)."""
        self.ready()
        nonce = secrets.token_hex(16)
        try:
            self.jobs.write(json.dumps({"nonce": nonce, "job": job}).encode() + b"\n")
            self.jobs.flush()
            ready, _, _ = select.select([self.answers], [], [], timeout)
            line = self.answers.readline() if ready else b""
            answer = json.loads(line) if line else None
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict) or answer.get("nonce") != nonce:
            self.stop()  # overran, died or answered out of turn: start afresh next time
            return None
        return answer

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                pass
            self.process.wait()
            for stream in (self.jobs, self.answers):
                try:
                    stream.close()
                except OSError:
                    pass  # a pipe to a killed worker may refuse its last flush
            self.process = None
        isolation.kill_cgroups(self.cgroups)  # whatever the worker or a kernel left, however it detached
        self.cgroups = []


def _limit_slot(folder: str, memory_bytes: int) -> None:
    for name in ("memory.limit_in_bytes", "memory.max"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path, "w", encoding="ascii") as handle:
                handle.write(str(memory_bytes))


def execution_status(report: dict, limits: Limits) -> tuple[str, list[str]]:
    """The row's status as far as running the notebook goes, with the reasons."""
    errors = [f"cell {int(i)}: {e}" for i, e in sorted(report.get("errors", {}).items(), key=lambda kv: int(kv[0]))]
    if report.get("timed_out"):
        return "timed-out", [
            f"the notebook ran longer than {limits.timeout:g} s and was stopped; answers recorded before then were graded"
        ] + errors[:3]
    if report.get("ignored_interrupt"):
        return "kernel-died", [
            f"a cell went on after the interrupt at the {limits.cell_timeout:g} s cell limit, so the kernel was stopped; "
            "answers recorded before then were graded"
        ] + errors[:3]
    if report.get("dead_kernel"):
        return "kernel-died", [
            "the kernel died (os._exit, a crash or out of memory); answers recorded before then were graded"
        ] + errors[:3]
    if report.get("failure"):
        return "failed", [report["failure"]] + errors[:3]
    dropped = ["output over the limit was dropped (outputs and widget data are capped)"] if report.get("output_dropped") else []
    if errors:
        timeouts = [e for e in errors if "KeyboardInterrupt" in e or "CellTimeout" in e]
        note = [f"{len(timeouts)} cell(s) stopped at the {limits.cell_timeout:g} s cell limit"] if timeouts else []
        return "graded-with-errors", note + errors[:5] + dropped
    return "graded", dropped


# --------------------------------------------------------------------------- integrity of the grader's own files


def _snapshot(folders: list[Path]) -> dict[Path, bytes]:
    files = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
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
