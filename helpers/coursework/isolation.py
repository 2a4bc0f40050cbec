"""Which protections a grading run can give, and the sandbox each worker runs in.

Three modes, chosen at the start of a run and reported in its output, ``environment.json`` and
every gradebook row:

- ``root``: bubblewrap (``bwrap``, Debian's package ``bubblewrap``) builds each worker's sandbox,
  and each submission also gets its own user id (unique across concurrent batches), and
  control groups that cap memory, processes and CPU for the submission as a whole;
- ``userns``: the same sandbox without root, inside a user namespace: the submission cannot see
  other processes, files, the network or the host, but runs under the instructor's own user id
  and without control groups (a fork bomb stops at a process limit, memory at a per-process
  limit);
- ``off``: no bubblewrap, or user namespaces disabled: only resource limits, a scrubbed
  environment and time limits. A submission can then read and write whatever the instructor can;
  ``--require-isolation`` refuses to grade in this mode, and nothing is cached.

The sandbox of a worker (one per ``--workers``) holds only what a kernel needs, read-only:
the system's programs and libraries, ``/etc``, the Python installation and its packages, and of
this project ``helpers/``, ``data/``, the rubrics and the model answers of written questions (both
also in every student's copy of the repository), plus the case being graded. The project's
checkout and its ``.git``, every other checkout, the grading keys, the exercise sources, the
submissions, the outputs and every host socket are absent; the network is unshared.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import CASES_DIR, COURSEWORK_DIR, DATA_DIR, PACKAGE_DIR

#: Every protection, and the modes in which it holds (coursework/README.md has this table).
# fmt: off
PROTECTIONS = {
    "scrubbed environment, no standard input, time limits per cell and per notebook": ("root", "userns", "off"),
    "memory, CPU time and file size limits per process": ("root", "userns", "off"),
    "kernel output capped (messages and widget data included)": ("root", "userns", "off"),
    "no network, no host sockets": ("root", "userns"),
    "files: only the working copy is writable; checkout, .git, keys, sources, other submissions and outputs are absent": ("root", "userns"),
    "processes: no other submission's or host process is visible (own PID, IPC and mount namespaces)": ("root", "userns"),
    "disk: a working copy of fixed size": ("root", "userns"),
    "nothing survives the submission (its PID namespace ends with it)": ("root", "userns"),
    "results cache safe from submissions": ("root", "userns"),
    "own user id per submission, unique across concurrent batches": ("root",),
    "memory, processes and CPU capped for the submission as a whole (control groups)": ("root",),
}
# fmt: on

BWRAP = shutil.which("bwrap")
UID_RANGE = range(61000, 64000)  # user ids no account uses; one per running submission
UID_LOCKS = Path(tempfile.gettempdir()) / "casework-uids"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")  # cgroup v1 hierarchies; on v2 these are files in one tree


def mode() -> str:
    """``root``, ``userns`` or ``off``: what this machine and user allow (see the module docstring)."""
    if BWRAP is None:
        return "off"
    probe = [BWRAP, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    if os.geteuid() != 0:
        probe[1:1] = ["--unshare-user"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return "off"
    return "root" if os.geteuid() == 0 else "userns"


def held(current: str) -> dict[str, bool]:
    return {name: current in modes for name, modes in PROTECTIONS.items()}


def summary(current: str) -> str:
    """One line for a gradebook row and the start of a run: the mode and what does not hold in it."""
    missing = [name.split(":")[0] for name, ok in held(current).items() if not ok]
    return f"isolation {current}" + (f" (not held: {'; '.join(missing)})" if missing else "")


# --------------------------------------------------------------------------- the worker's sandbox


def _system_binds() -> list[str]:
    args = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _python_paths() -> list[str]:
    """The interpreter, the standard library and the installed packages, wherever they are."""
    project = str(PACKAGE_DIR.parent)
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    # the project's own folder is on sys.path for an editable install: only its parts listed in Sandbox go in
    paths |= {p for p in sys.path if p and os.path.isdir(p) and p != project and not p.startswith(project + os.sep)}
    return sorted(p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths))


@dataclass
class Sandbox:
    """How to start one worker: in bubblewrap (``root``, ``userns``) or as a plain process (``off``)."""

    mode: str
    staging: str  # the worker's scratch folder: a tmpfs of ``staging_bytes`` inside the sandbox
    staging_bytes: int
    readable: list[str] = field(default_factory=list)  # extra read-only folders (a case outside data/)
    hidden: list[str] = field(default_factory=list)  # folders inside readable ones that must look empty
    writable: list[str] = field(default_factory=list)  # this worker's control groups

    def command(self, argv: list[str]) -> list[str]:
        if self.mode == "off":
            return argv
        # /dev, /proc and /tmp first: a later mount on /tmp would hide a checkout that lives under /tmp
        args = [BWRAP, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", *_system_binds()]
        made: set[str] = set()

        def bind(path: str, how: str = "--ro-bind") -> None:
            # bubblewrap makes a missing parent folder 0700: make each one 0755 first, or the
            # kernel, under another user id, could not reach what is bound below it
            for parent in reversed(Path(path).parents):
                if str(parent) != "/" and str(parent) not in made:
                    made.add(str(parent))
                    args.extend(["--perms", "0755", "--dir", str(parent)])
            args.extend([how, path, path])

        for path in _python_paths():
            bind(path)
        project = PACKAGE_DIR.parent
        # The rubrics and the model answers of written questions are what every student's copy of the
        # repository holds too (self-checks read them); the grading keys and exercise sources are not.
        for path in [
            PACKAGE_DIR,
            DATA_DIR,
            CASES_DIR,
            COURSEWORK_DIR / "rubrics",
            COURSEWORK_DIR / "model-answers.csv",
            *map(Path, self.readable),
        ]:
            if path.exists():
                bind(str(path))
        for path in [COURSEWORK_DIR / "keys", COURSEWORK_DIR / "source", project / ".git", *map(Path, self.hidden)]:
            if path.exists() and any(path.is_relative_to(p) for p in [PACKAGE_DIR, DATA_DIR, *map(Path, _python_paths())]):
                args += ["--tmpfs", str(path)]  # inside something bound: cover it
        for path in self.writable:
            bind(path, "--bind")
        args += [
            "--size",
            str(self.staging_bytes),
            "--tmpfs",
            self.staging,
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-pid",
            "--die-with-parent",
            "--new-session",
            "--chdir",
            self.staging,
        ]
        if self.mode == "root":
            args += [
                arg
                for cap in ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_KILL", "CAP_DAC_OVERRIDE")
                for arg in ("--cap-add", cap)
            ]
        else:
            args += ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-add", "CAP_SYS_ADMIN"]
        return args + ["--", *argv]


# --------------------------------------------------------------------------- user ids and control groups


class UidPool:
    """Unique user ids for running submissions, shared by every grader on the machine (root only).

    A lock file per id, held while a submission runs: two concurrent batches never hand one id
    to two kernels, and an id whose holder died is free again (the lock goes with the process).
    """

    def __init__(self):
        UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
        self.held: dict[int, int] = {}

    def acquire(self) -> int:
        busy = _uids_running()  # an id some process already runs as (another tool's, an older grader's) is not free
        for uid in UID_RANGE:
            if uid in busy:
                continue
            fd = os.open(UID_LOCKS / str(uid), os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.held[uid] = fd
            return uid
        raise RuntimeError(f"every user id in {UID_RANGE.start}-{UID_RANGE.stop - 1} is in use")

    def release(self, uid: int) -> None:
        fd = self.held.pop(uid, None)
        if fd is not None:
            os.close(fd)


def _uids_running() -> set[int]:
    uids = set()
    for entry in os.listdir("/proc"):
        try:
            uids.add(os.stat(f"/proc/{entry}").st_uid) if entry.isdigit() else None
        except OSError:
            pass
    return uids


def cgroup_version() -> int | None:
    if os.geteuid() != 0:
        return None
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return 2
    return 1 if all((CGROUP_ROOT / c / "cgroup.procs").exists() for c in CONTROLLERS) else None


def slot_cgroups(name: str) -> list[str]:
    """Create this worker's control-group folders (one per controller on v1); [] when unavailable."""
    version = cgroup_version()
    if version is None:
        return []
    folders = [CGROUP_ROOT / c / name for c in CONTROLLERS] if version == 1 else [CGROUP_ROOT / name]
    try:
        for folder in folders:
            folder.mkdir(exist_ok=True)
        if version == 2:
            (folders[0] / "cgroup.subtree_control").write_text("+memory +pids +cpu")
    except OSError as error:  # never grade on without the limits the protections table promises
        raise RuntimeError(f"cannot make the control groups {name} ({error}); the grader needs them as root") from None
    return [str(f) for f in folders]


def job_cgroups(slots: list[str], name: str, limits: dict) -> list[str]:
    """One submission's control groups inside its worker's: memory, processes and one CPU at most."""
    made = []
    for slot in slots:
        folder = os.path.join(slot, name)
        os.makedirs(folder, exist_ok=True)
        files = set(os.listdir(folder))
        settings = {
            "memory.limit_in_bytes": limits["memory_bytes"],
            "memory.memsw.limit_in_bytes": limits["memory_bytes"],
            "memory.max": limits["memory_bytes"],
            "memory.swap.max": 0,
            "pids.max": limits["processes"],
            "cpu.cfs_period_us": 100_000,
            "cpu.cfs_quota_us": 100_000,
            "cpu.max": "100000 100000",
        }
        for setting, value in settings.items():
            if setting in files:
                with open(os.path.join(folder, setting), "w", encoding="ascii") as handle:
                    handle.write(str(value))
        made.append(folder)
    return made


def kill_cgroups(folders: list[str], patience: float = 10.0) -> None:
    """Kill every process left in these control groups (and their children's), then remove them.

    A killed process leaves its group only once the kernel has finished tearing it down, which
    takes a moment for a fork bomb or a kernel holding much memory; until then the folder cannot
    be removed (EBUSY). So each folder is retried, deepest first, for up to ``patience`` seconds.
    """
    for folder in folders:
        for depth in sorted(Path(folder).rglob("cgroup.procs"), key=lambda p: -len(p.parts)):
            deadline = time.monotonic() + patience
            while True:
                try:
                    pids = [int(line) for line in depth.read_text().split()]
                except OSError:
                    break  # removed meanwhile (by a grader cleaning up the same leftovers)
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    depth.parent.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break  # left for clean_stale, which the next grader runs first
                    time.sleep(0.02)


def clean_stale() -> list[str]:
    """Remove what a grader that was killed left behind: its control groups and scratch folders."""
    removed = []
    for pattern_root in [CGROUP_ROOT / c for c in CONTROLLERS] + [CGROUP_ROOT, Path(tempfile.gettempdir())]:
        if not pattern_root.is_dir():
            continue
        for folder in pattern_root.glob("casework-grade-*"):
            owner = folder.name.split("-")[2]
            if owner.isdigit() and not _alive(int(owner)):
                if folder.is_relative_to(CGROUP_ROOT):
                    kill_cgroups([str(folder)])
                else:
                    shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
