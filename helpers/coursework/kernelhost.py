"""The worker's end of the warm kernel host: starting ``zygote.py`` and holding the kernels it forks.

The sandbox worker (``worker.py`` starts it, ``sandbox.py`` runs the jobs) keeps one
:class:`KernelHost`; the host forks each submission's kernel and answers with its pid, which
:class:`ForkedKernel` wraps in a pidfd so that jupyter_client can signal, poll and wait for a
process that is not the worker's child. Only the standard library is used: the worker starts the
host before it imports papermill, so both import at once.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys


class KernelHost:
    """The ``zygote`` process, started once per worker and again if it ever dies."""

    def __init__(self, log):
        self.log = log
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = {key: os.environ[key] for key in ("PATH", "LANG", "HOME", "PYTHONPATH") if key in os.environ}
        env.update(
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",  # threads would make a fork unsafe
            MPLBACKEND="module://matplotlib_inline.backend_inline",
            MPLCONFIGDIR=os.path.join(os.getcwd(), ".matplotlib"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return subprocess.Popen(
            [sys.executable, "-m", "helpers.coursework.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            close_fds=True,
        )

    def start(self) -> None:
        """Start the host (it warms up meanwhile) unless it runs."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()

    def spawn(self, settings: dict) -> int:
        """A forked, confined kernel for one submission; its pid."""
        self.start()
        self.process.stdin.write(json.dumps(settings).encode() + b"\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 120)  # the first request waits for the imports
        reply = json.loads(self.process.stdout.readline() or b"{}") if ready else {}
        if "pid" not in reply:
            raise RuntimeError(f"the kernel host could not start a kernel: {reply.get('error', 'no answer')}")
        return reply["pid"]

    def stop(self) -> None:
        """End the host (its kernels die with it: each warden dies with its parent)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
            self.process = None


class ForkedKernel:
    """What jupyter_client expects of a kernel's ``Popen``, for a kernel forked by the host."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = -signal.SIGKILL  # ended; not our child, so its own status is the host's to collect
            os.close(self.pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            select.select([self.pidfd], [], [], timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                signal.pidfd_send_signal(self.pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    terminate = kill  # the kernel is its namespace's first process: it would ignore SIGTERM
