"""Launch an IPython kernel for an untrusted submission, with the sandbox applied first.

The grader's kernel manager starts ``python -m helpers.coursework.kernel -f CONNECTION_FILE``.
Before handing over to ``ipykernel`` this wrapper, in this order:

1. reads its settings from ``CASEWORK_SANDBOX`` (JSON, written by the grader);
2. when running as root (the usual case on a grading server or in a container):
   - joins a process-count cgroup (a fork bomb stops at ``pids.max``, and the grader can kill
     every process the kernel started, however it detached);
   - moves into new mount and network namespaces: no network interfaces at all; every file
     system read-only except its own working copy; the grader's staging area (other
     submissions), output folder (gradebook, results), the submissions folder and the grading
     keys hidden behind empty read-only mounts;
3. sets resource limits: address space, CPU time, file size, no core dumps (and a process
   count when not root, relative to what the user already runs, since that limit is per user);
4. replaces the environment with a scrubbed one (no secrets, HOME inside the working copy);
5. ``exec``s the kernel, so all of this holds for everything the kernel runs.

The kernel talks to the grader over Unix sockets (the IPC transport), which work from inside
the empty network namespace and avoid the TCP port races of parallel kernels.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
#: Mount points left writable and untouched: the kernel needs them as they are.
SYSTEM_MOUNTS = ("/proc", "/sys", "/dev")

#: Environment variables a kernel may keep; everything else (tokens, keys, paths) is dropped.
KEPT = ("LANG", "LC_ALL", "TZ")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"casework sandbox: {what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda value: value.encode() if value is not None else None  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            point = line.split()[4].encode().decode("unicode_escape")
            points.append(point)
    return points


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def isolate_files(workdir: str, staging: str, hidden: list[str]) -> None:
    """Private mount namespace: everything read-only but the working copy; ``hidden`` emptied."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    keep = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    _mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    own = os.path.join(staging, os.path.basename(workdir))
    os.mkdir(own)
    _mount(f"/proc/self/fd/{keep}", own, None, MS_BIND)
    os.close(keep)
    for path in hidden:
        if _inside(path, staging) or _inside(staging, path):
            continue
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0555")
        elif os.path.isfile(path):
            _mount("/dev/null", path, None, MS_BIND)
    for point in _mount_points():
        if _inside(point, staging) or any(_inside(point, system) for system in SYSTEM_MOUNTS) or point in hidden:
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        except OSError:
            pass  # mounts the kernel cannot reach anyway (e.g. stacked under a hidden folder)
    _mount(None, staging, None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_RDONLY, "size=64k,mode=0755")


def _owned(path: str) -> bool:
    try:
        return os.stat(path).st_uid == os.getuid()
    except OSError:
        return False


def apply(settings: dict) -> dict:
    """Apply the sandbox to this process; return the scrubbed environment for the kernel."""
    workdir = settings["workdir"]
    limits = settings["limits"]
    if os.geteuid() == 0 and settings.get("isolate", True):
        if settings.get("cgroup_procs"):
            with open(settings["cgroup_procs"], "w", encoding="ascii") as procs:
                procs.write(str(os.getpid()))
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
        isolate_files(workdir, settings["staging"], settings.get("hidden", []))
    elif limits.get("processes"):
        running = sum(1 for entry in os.listdir("/proc") if entry.isdigit() and _owned(f"/proc/{entry}"))
        total = running + limits["processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (total, total))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, key in (("RLIMIT_AS", "memory_bytes"), ("RLIMIT_CPU", "cpu_seconds"), ("RLIMIT_FSIZE", "file_bytes")):
        if limits.get(key):
            resource.setrlimit(getattr(resource, name), (limits[key], limits[key]))
    env = {key: os.environ[key] for key in KEPT if key in os.environ}
    env.update(
        PATH=os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        HOME=workdir,
        TMPDIR=os.path.join(workdir, "tmp"),
        MPLCONFIGDIR=os.path.join(workdir, ".matplotlib"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        JPY_PARENT_PID=os.environ.get("JPY_PARENT_PID", ""),
    )
    env.setdefault("LANG", "C.UTF-8")
    return env


def main(argv: list[str]) -> None:
    settings = json.loads(os.environ["CASEWORK_SANDBOX"])
    env = apply(settings)
    os.chdir(settings["workdir"])
    os.execve(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv], env)


if __name__ == "__main__":
    main(sys.argv[1:])
