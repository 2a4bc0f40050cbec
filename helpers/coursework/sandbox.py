"""Execute one prepared submission with papermill inside the sandbox, in a process of its own.

The grader starts ``python -m helpers.coursework.sandbox JOB.json`` once per submission, in a
new session, with a scrubbed environment, and kills the whole session when the notebook's time
limit passes. This process is trusted (it is ours); the kernel it starts is not: see
:mod:`helpers.coursework.kernel`. It writes a small JSON report (which cells ran, which raised
what, whether the kernel died) to a path outside the submission's working copy. The answers
themselves travel separately, through the answer file the kernel writes (see ``answers.py``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from nbclient.exceptions import CellExecutionError
from traitlets import Float, Int

ENGINE = "casework-sandbox"
#: The wrapper runs by path, in isolated mode: as ``-m helpers.coursework.kernel`` it would import
#: the whole ``helpers`` package (pandas, matplotlib: about a second per submission) for nothing,
#: since it needs only the standard library before it execs the kernel.
KERNEL_WRAPPER = str(Path(__file__).with_name("kernel.py"))
STATE: dict = {}  # what the client of the current job noticed (one job at a time per process)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel started through the sandbox wrapper, over Unix sockets in the working copy."""

    workdir: str = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(self.workdir, ".kernel")
        self.connection_file = os.path.join(self.workdir, ".kernel.json")
        self._kernel_spec = KernelSpec(
            argv=[sys.executable, "-I", KERNEL_WRAPPER, "-f", "{connection_file}"],
            display_name="casework sandbox", language="python", env={},
        )


class SandboxClient(PapermillNotebookClient):
    """papermill's client, with output capped per cell and per notebook before it is stored."""

    cell_output_limit = Int(1_000_000).tag(config=True)
    notebook_deadline = Float(0).tag(config=True)  # time.monotonic() by which the last cell must end
    notebook_output_limit = Int(5_000_000).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cell_bytes: dict[int, int] = {}
        self._dropped: set[int] = set()

    def papermill_execute_cells(self):
        """papermill's loop, with a deadline for the whole notebook on top of the per-cell limit."""
        deadline = self.notebook_deadline or None
        cell_limit = self.timeout
        for index, cell in enumerate(self.nb.cells):
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    STATE["stopped_at"] = index
                    break
                self.timeout = max(1, int(min(cell_limit or remaining, remaining)))
            try:
                self.nb_man.cell_start(cell, index)
                self.execute_cell(cell, index)
            except CellExecutionError as ex:
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                break
            finally:
                self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
        self.timeout = cell_limit

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        cell_total = self._cell_bytes.get(cell_index, 0) + size
        if cell_total > self.cell_output_limit or sum(self._cell_bytes.values()) + size > self.notebook_output_limit:
            if cell_index not in self._dropped:
                self._dropped.add(cell_index)
                outs.append(nbformat.v4.new_output("stream", name="stderr", text="[casework: further output of this cell was dropped: over the output limit]\n"))
            return None
        self._cell_bytes[cell_index] = cell_total
        return super().output(outs, msg, display_id, cell_index)


class SandboxEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.pop("input_path", None)
        timeout = kwargs.pop("execution_timeout", None)
        start_timeout = kwargs.pop("start_timeout", 60)
        for unused in ("log_output", "stdout_file", "stderr_file"):
            kwargs.pop(unused, None)
        return SandboxClient(nb_man, timeout=timeout, startup_timeout=start_timeout, kernel_name=kernel_name, **kwargs).execute()


papermill_engines.register(ENGINE, SandboxEngine)


CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")  # cgroup v1 pids controller, then v2


def make_cgroup(name: str, processes: int) -> str | None:
    """A process-count cgroup for one kernel (root only); its ``cgroup.procs`` path, or None."""
    if os.geteuid() != 0:
        return None
    for root in CGROUP_ROOTS:
        if os.path.exists(os.path.join(root, "pids.max")) or os.path.exists(os.path.join(root, "cgroup.procs")):
            path = os.path.join(root, name)
            try:
                os.makedirs(path, exist_ok=True)
                with open(os.path.join(path, "pids.max"), "w", encoding="ascii") as limit:
                    limit.write(str(processes))
                return os.path.join(path, "cgroup.procs")
            except OSError:
                continue
    return None


def kill_cgroup(procs: str | None) -> None:
    """Kill every process in the kernel's cgroup (forks included, however detached), then remove it."""
    if not procs or not os.path.exists(procs):
        return
    for _ in range(200):
        with open(procs, encoding="ascii") as listing:
            pids = [int(line) for line in listing if line.strip()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)
    try:
        os.rmdir(os.path.dirname(procs))
    except OSError:
        pass


def run(job: dict) -> dict:
    """Execute ``job['notebook']`` in ``job['workdir']``; return what happened, cell by cell."""
    import papermill

    workdir = job["workdir"]
    SandboxKernelManager.workdir = workdir
    os.environ["CASEWORK_SANDBOX"] = json.dumps(job["sandbox"])
    report = {"dead_kernel": False, "errors": {}, "executed": [], "seconds": 0.0}
    started = time.monotonic()
    STATE.clear()
    output_path = Path(job["report"]).with_suffix(".ipynb")
    output_path.unlink(missing_ok=True)
    nb = None
    try:
        nb = papermill.execute_notebook(
            job["notebook"], str(output_path), parameters=job["parameters"], engine_name=ENGINE,
            kernel_name="python3", language="python", cwd=workdir, progress_bar=False, request_save_on_cell_execute=False,
            execution_timeout=job["cell_timeout"], start_timeout=job.get("start_timeout", 60),
            kernel_manager_class=SandboxKernelManager, allow_errors=True, interrupt_on_timeout=True,
            raise_on_iopub_timeout=False,
            # Kill the kernel after the last cell rather than ask it to shut down: its answers are
            # already written and its outputs received, and its cgroup is killed next anyway. The
            # graceful shutdown took 0.5 s per submission (benchmarks/results/anchors-profile.md).
            shutdown_kernel="immediate",
            error_on_timeout={"ename": "CellTimeout", "evalue": f"the cell ran longer than {job['cell_timeout']} s"},
            cell_output_limit=job["cell_output_limit"], notebook_output_limit=job["notebook_output_limit"],
            notebook_deadline=started + job["notebook_timeout"] if job.get("notebook_timeout") else 0,
        )
    except PapermillExecutionError:
        nb = nbformat.read(output_path, as_version=4)
    except DeadKernelError:
        report["dead_kernel"] = True
    except Exception as error:  # the kernel could not start, or the notebook could not be run at all
        report["failure"] = f"{type(error).__name__}: {error}"[:500]
    finally:
        kill_cgroup(job["sandbox"].get("cgroup_procs"))
    if nb is None and output_path.exists():
        nb = nbformat.read(output_path, as_version=4)
    if nb is not None:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if cell.get("execution_count") is not None:
                report["executed"].append(index)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    report["errors"][str(index)] = f"{output.get('ename', '')}: {output.get('evalue', '')}"[:300]
    report["seconds"] = round(time.monotonic() - started, 3)
    report["deadline_reached"] = STATE.pop("stopped_at", None) is not None
    return report


def run_job(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    report = run(job)
    target = Path(job["report"])
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(report), encoding="utf-8")
    os.replace(tmp, target)


def main(argv: list[str]) -> int:
    """``JOB.json``: run one job. ``--serve``: run jobs named one per line on stdin, answering ``done``."""
    if argv[:1] != ["--serve"]:
        run_job(argv[0])
        return 0
    for line in sys.stdin:
        run_job(line.strip())
        sys.stdout.write("done\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
