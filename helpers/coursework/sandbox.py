"""The sandbox worker's engine: runs submissions with papermill, one at a time, inside its sandbox.

The grader starts one worker per ``--workers`` slot (``execute.py``), in bubblewrap where the
machine allows it (``isolation.py``), and speaks to it over two pipes that no kernel ever holds:
one JSON object per line, each job and its answer carrying the same random nonce. The worker
(``worker.py``) starts the warm kernel host (``zygote.py``, reached through ``kernelhost.py``)
first, then imports this module, and for each job:

1. makes the submission's folders in its scratch space: ``channel/`` (the kernel's sockets, its
   connection file and the answer file) and ``work/`` (the kernel's working copy; a private
   tmpfs of fixed size inside the submission's namespaces);
2. runs the notebook with papermill; the kernel manager asks the host for a forked kernel
   instead of starting a program (:class:`ForkedKernelProvisioner`), puts it in the job's
   control groups, and reaches it through a pidfd;
3. caps what the kernel sends: outputs per cell and per notebook, widget messages, and the size
   of any single message; stops the whole kernel when a cell ignores the interrupt at its time
   limit, and stops the notebook at its deadline;
4. reads the answer file without following links, only if it is a regular file, size-capped
   (``answers.read_answers``), kills whatever is left of the kernel and answers the grader.

This process is trusted (it is ours); the kernel it asks for is not.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from pathlib import Path
from queue import Empty

import nbformat
import papermill
import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbclient.util import ensure_async
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from traitlets import Float, Int

from . import isolation
from .answers import ANSWER_FILE, read_answers
from .kernelhost import ForkedKernel, KernelHost

ENGINE = "casework-sandbox"
INTERRUPT_GRACE = 3.0  # seconds a cell has to stop after the interrupt at its time limit
KILL_WAIT = 5.0  # seconds to wait for a killed kernel to be gone (jupyter_client's own limit)
STATE: dict = {}  # what the current job's client noticed (one job at a time per worker)


class ForkedKernelProvisioner(LocalProvisioner):
    """Launches a kernel by asking the warm host to fork one, then manages it by pidfd."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        manager = self.parent
        settings = dict(manager.settings, connection_file=manager.connection_file)
        if settings.get("uid"):
            os.chown(manager.connection_file, settings["uid"], settings["uid"])
        pid = manager.host.spawn(settings)
        for folder in settings.get("cgroups", []):
            with open(os.path.join(folder, "cgroup.procs"), "w", encoding="ascii") as procs:
                procs.write(str(pid))
        self.process = ForkedKernel(pid)
        self.pid, self.pgid = pid, None
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and wait on its pidfd until it has gone.

        jupyter_client polls a killed kernel every 0.1 s; a kernel that is already gone when it
        first looks costs no such sleep (0.12 s of every submission's 0.6 s before this).
        """
        if self.process:
            self.process.kill()
            self.process.wait(KILL_WAIT)


class SandboxKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered on both channels."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel has answered ``kernel_info`` and iopub has delivered a message.

        jupyter_client's own version then waits until iopub has been quiet for 0.2 s, a third of
        a submission's time here. What it drains (the kernel's welcome and status messages) nbclient
        ignores anyway: it reads only the messages whose parent is its own request.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while time.monotonic() < deadline:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)  # iopub is connected: the kernel is ready
                    return
                except Empty:
                    pass  # not yet subscribed: ask again
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


class SandboxKernelManager(AsyncKernelManager):
    """A kernel from the warm host, over Unix sockets in the job's channel folder."""

    settings: dict = {}  # the current job's sandbox settings (one job at a time per worker)
    host: KernelHost  # the worker's warm kernel host

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        channel = self.settings["channel"]
        self.transport = "ipc"
        self.ip = os.path.join(channel, ".kernel")
        self.connection_file = os.path.join(channel, ".kernel.json")
        self._kernel_spec = KernelSpec(
            argv=["casework-forked-kernel", "-f", "{connection_file}"], display_name="casework sandbox", language="python", env={}
        )
        self.provisioner = ForkedKernelProvisioner(kernel_id=self.kernel_id or "", kernel_spec=self._kernel_spec, parent=self)
        self.client_factory = SandboxKernelClient

    def client(self, **kwargs):
        # No single message may be larger than this: the whole of it would be in this process's memory.
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.settings["message_limit"])
        return super().client(context=context, **kwargs)


class SandboxClient(PapermillNotebookClient):
    """papermill's client, with output capped before it is stored and limits a cell cannot outlive."""

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

    async def _async_poll_kernel_alive(self) -> None:
        """nbclient's watch over a running cell: end it the moment the kernel dies.

        nbclient's own looks once a second, so every kernel that died cost a second more. This one
        waits on the kernel's pidfd, which becomes readable when the process has ended.
        """
        loop = asyncio.get_running_loop()
        pidfd = os.dup(self.km.provisioner.process.pidfd)
        ended = loop.create_future()
        loop.add_reader(pidfd, lambda: ended.done() or ended.set_result(None))
        try:
            await ended
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        self.task_poll_for_reply.cancel()  # nbclient then raises DeadKernelError for the cell

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt at the time limit, as nbclient does; a cell that goes on anyway stops the kernel."""
        reply = await super()._async_handle_timeout(timeout, cell)
        try:
            await ensure_async(self.kc.shell_channel.get_msg(timeout=INTERRUPT_GRACE))
        except Empty:
            STATE["ignored_interrupt"] = True
            await ensure_async(self.km.kill_kernel())
            raise DeadKernelError("a cell went on after the interrupt at its time limit") from None
        return reply

    def _budget(self, cell_index: int, msg: dict) -> bool:
        """Count a message's size against the cell's and the notebook's budget; False when over."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        cell_total = self._cell_bytes.get(cell_index, 0) + size
        if cell_total > self.cell_output_limit or sum(self._cell_bytes.values()) + size > self.notebook_output_limit:
            return False
        self._cell_bytes[cell_index] = cell_total
        return True

    def output(self, outs, msg, display_id, cell_index):
        if not self._budget(cell_index, msg):
            STATE["output_dropped"] = True
            if cell_index not in self._dropped:
                self._dropped.add(cell_index)
                outs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stderr",
                        text="[casework: further output of this cell was dropped: over the output limit]\n",
                    )
                )
            return None
        return super().output(outs, msg, display_id, cell_index)

    def handle_comm_msg(self, outs, msg, cell_index):
        if not self._budget(cell_index, msg):  # widget state counts against the same budget as outputs
            STATE["output_dropped"] = True
            return None
        return super().handle_comm_msg(outs, msg, cell_index)


class SandboxEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.pop("input_path", None)
        timeout = kwargs.pop("execution_timeout", None)
        start_timeout = kwargs.pop("start_timeout", 60)
        for unused in ("log_output", "stdout_file", "stderr_file"):
            kwargs.pop(unused, None)
        STATE["notebook"] = nb_man.nb  # the executed cells, also when papermill raises for an error in one
        return SandboxClient(nb_man, timeout=timeout, startup_timeout=start_timeout, kernel_name=kernel_name, **kwargs).execute()


papermill_engines.register(ENGINE, SandboxEngine)


# --------------------------------------------------------------------------- one job


def run(job: dict, host: KernelHost) -> dict:
    """Execute one job's notebook with a kernel from ``host``; return what happened and what it recorded."""
    slug = job["slug"]
    root = Path(job["staging"]) / slug
    channel, work = root / "channel", root / "work"
    shutil.rmtree(root, ignore_errors=True)
    for folder in (channel, work):
        folder.mkdir(parents=True)
    uid = job["sandbox"].get("uid")
    if uid:
        for folder in (channel, work):
            os.chown(folder, uid, uid)
    limits = job["sandbox"]["limits"]
    cgroups = isolation.job_cgroups(job["sandbox"].get("cgroups", []), slug, limits)
    SandboxKernelManager.host = host
    SandboxKernelManager.settings = {
        "channel": str(channel),
        "work": str(work),
        "log": str(channel / "kernel.log"),
        "uid": uid,
        "isolate": job["sandbox"]["isolate"],
        "cgroups": cgroups,
        "limits": limits,
        "disk_bytes": job["sandbox"]["disk_bytes"],
        "path": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "message_limit": job["cell_output_limit"] * 2,
    }
    report = {"dead_kernel": False, "errors": {}, "executed": [], "seconds": 0.0}
    started = time.monotonic()
    STATE.clear()
    notebook = nbformat.from_dict(job["notebook"])
    try:
        papermill.execute_notebook(
            notebook,
            None,
            parameters=job["parameters"],
            engine_name=ENGINE,
            kernel_name="python3",
            language="python",
            cwd=str(work),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=job["cell_timeout"],
            start_timeout=job.get("start_timeout", 120),
            kernel_manager_class=SandboxKernelManager,
            allow_errors=True,
            interrupt_on_timeout=True,
            raise_on_iopub_timeout=False,
            # Kill the kernel after the last cell rather than ask it to shut down: its answers are
            # already written and its outputs received (a graceful shutdown took 0.5 s a submission).
            shutdown_kernel="immediate",
            error_on_timeout={"ename": "CellTimeout", "evalue": f"the cell ran longer than {job['cell_timeout']} s"},
            cell_output_limit=job["cell_output_limit"],
            notebook_output_limit=job["notebook_output_limit"],
            notebook_deadline=started + job["notebook_timeout"] if job.get("notebook_timeout") else 0,
        )
    except PapermillExecutionError:
        pass  # a cell raised: its error is in the notebook, read below
    except DeadKernelError:
        report["dead_kernel"] = True
    except Exception as error:  # the kernel could not start, or the notebook could not be run at all
        report["failure"] = f"{type(error).__name__}: {error}"[:500]
    finally:
        isolation.kill_cgroups(cgroups)
        if not job.get("warm_kernels", True):
            host.stop()  # the next job starts a host of its own, from nothing (the benchmark's cold path)
    nb = STATE.pop("notebook", None)
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
    report["ignored_interrupt"] = STATE.pop("ignored_interrupt", False)
    report["output_dropped"] = STATE.pop("output_dropped", False) or STATE.pop("comm_dropped", False)
    if report.get("failure") or report["dead_kernel"]:
        report["kernel_log"] = _tail(channel / "kernel.log")
    recorded = read_answers(channel / ANSWER_FILE, job["questions"])
    shutil.rmtree(root, ignore_errors=True)
    return {
        "report": report,
        "recorded": {"answers": recorded.answers, "identities": recorded.identities, "notes": recorded.notes},
    }


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - 2000))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def serve(requests: int, replies: int, host: KernelHost) -> None:
    """Run jobs read from ``requests`` (one JSON line each) with kernels from ``host``, answering each on ``replies``."""
    with os.fdopen(requests, "rb") as inbox, os.fdopen(replies, "wb") as outbox:
        for line in inbox:
            message = json.loads(line)
            try:
                answer = run(message["job"], host)
            except Exception as error:  # noqa: BLE001 - the grader records it as this submission's failure
                answer = {
                    "report": {
                        "failure": f"the worker failed: {type(error).__name__}: {error}"[:500],
                        "errors": {},
                        "executed": [],
                    },
                    "recorded": {"answers": {}, "identities": [], "notes": []},
                }
            outbox.write(json.dumps({"nonce": message["nonce"], **answer}).encode() + b"\n")
            outbox.flush()
