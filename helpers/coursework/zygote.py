"""The warm kernel host: imports what every exercise needs once, then forks one kernel per submission.

A fresh kernel spends most of its start importing pandas, matplotlib, IPython and ``helpers``
(anchors-profile.md measured about a second of a 1.6 s submission). The sandbox worker starts
this process once, inside its sandbox, and asks it for each submission's kernel over a pipe
(its standard input and output; one JSON object per line):

- worker to host: ``{"work": ..., "connection_file": ..., "uid": ..., "limits": {...}, ...}``;
- host to worker: ``{"pid": N}`` (the kernel, as the worker's PID namespace numbers it, sent
  once the kernel's sockets are bound) or ``{"error": "..."}``.

For each request the host forks a *warden* that enters new namespaces (``confine.py``) and forks
the kernel itself, which confines itself and starts ``ipykernel`` in process. The host never runs
a thread (a fork copies only the thread that calls it) and changes no state of its own after it
has warmed up, so no submission can leave anything behind for the next: each kernel starts from
the same untouched copy. Neither warden nor kernel keeps a descriptor of the host's pipes.
"""

from __future__ import annotations

import json
import os
import select
import sys
import threading

# What every exercise imports, loaded once here, before the first fork (the point of this process),
# and what IPKernelApp.initialize would otherwise import in every kernel (debugpy's pydevd above all).
import ipykernel.debugger  # noqa: F401
import ipykernel.ipkernel  # noqa: F401
import ipywidgets  # noqa: F401
import matplotlib.font_manager  # noqa: F401  (builds or reads the font cache once)
import matplotlib.pyplot  # noqa: F401
import pandas  # noqa: F401
from ipykernel.kernelapp import IPKernelApp

import helpers.claims  # noqa: F401
import helpers.coding  # noqa: F401
import helpers.coursework  # noqa: F401
import helpers.coursework.answers  # noqa: F401
import helpers.plots  # noqa: F401
import helpers.timeline  # noqa: F401
import helpers.wording  # noqa: F401

from . import confine

REPORT_TIMEOUT = 30  # seconds for a warden to report its kernel's pid
BIND_TIMEOUT = 20  # seconds a warden waits for its kernel's sockets before it reports the pid anyway
KERNEL_ARGUMENTS = ["--matplotlib=inline", "--HistoryManager.enabled=False"]


def _warden(settings: dict, report: int) -> None:
    """In the forked child: enter the submission's namespaces, fork its kernel, report, wait."""
    confine.die_with_parent()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)  # the host's pipes to the worker are fds 0 and 1: never in a submission's reach
    os.dup2(null, 1)
    os.close(null)
    os.closerange(3, report)
    os.closerange(report + 1, os.sysconf("SC_OPEN_MAX"))
    settings["processes_before"] = confine.processes_of(os.getuid())  # RLIMIT_NPROC counts these too
    if settings["isolate"]:
        confine.enter_namespaces(settings)
    bound_read, bound_write = os.pipe()
    kernel = os.fork()
    if kernel == 0:
        os.close(report)
        os.close(bound_read)
        _kernel(settings, bound_write)
    os.close(bound_write)
    # The pid is reported once the kernel's sockets are bound (or it has died), so the worker's
    # client connects at once: connecting first costs a reconnect and a second kernel_info round.
    select.select([bound_read], [], [], BIND_TIMEOUT)
    os.close(bound_read)
    os.write(report, json.dumps({"pid": kernel}).encode())
    os.close(report)
    _, status = os.waitpid(kernel, 0)
    os._exit(os.waitstatus_to_exitcode(status) % 256)


def _kernel(settings: dict, bound: int) -> None:
    """The kernel's own process: confine it, then run ipykernel here, without a new interpreter.

    ``bound`` is closed once the kernel's sockets are bound, which tells the warden to report it.
    """
    try:
        confine.die_with_parent()
        env = confine.become_kernel(settings)
        os.environ.clear()
        os.environ.update(env)
        app = IPKernelApp.instance()
        app.initialize(["-f", settings["connection_file"], *KERNEL_ARGUMENTS])
        os.close(bound)
        app.start()
    except BaseException as error:  # noqa: BLE001 - the last word of a kernel that could not start
        print(f"casework kernel: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        os._exit(71)
    os._exit(0)


def spawn(settings: dict) -> dict:
    """Fork one submission's kernel; ``{"pid": N}`` or ``{"error": ...}``."""
    read_end, write_end = os.pipe()
    warden = os.fork()
    if warden == 0:
        os.close(read_end)
        try:
            _warden(settings, write_end)
        except BaseException as error:  # noqa: BLE001 - reported to the worker, which records the row
            try:
                os.write(write_end, json.dumps({"error": f"{type(error).__name__}: {error}"[:500]}).encode())
            finally:
                os._exit(70)
    os.close(write_end)
    chunks = []
    while True:
        ready, _, _ = select.select([read_end], [], [], REPORT_TIMEOUT)
        chunk = os.read(read_end, 65536) if ready else b""
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    try:
        return json.loads(b"".join(chunks) or b"{}") or {"error": "the warden reported nothing"}
    except ValueError:
        return {"error": "the warden's report was not JSON"}


def _reap() -> None:
    """Collect wardens that have ended (a host that never waited would fill with zombies)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(requests=sys.stdin.buffer, replies=sys.stdout.buffer) -> None:
    if threading.active_count() != 1:  # a fork would copy a process whose other threads are gone
        raise RuntimeError(f"the kernel host must not run threads; it runs {threading.active_count()}")
    confine.die_with_parent()
    for line in requests:
        reply = spawn(json.loads(line))
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
        _reap()


if __name__ == "__main__":
    serve()
