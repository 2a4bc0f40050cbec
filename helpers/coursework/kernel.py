"""Launch an IPython kernel for an untrusted submission, with the sandbox applied first.

The grader's kernel manager starts ``python -I .../helpers/coursework/kernel.py -f CONNECTION_FILE``
(by path, so nothing but this file and the standard library is imported: keep it that way).
Before handing over to ``ipykernel`` this wrapper, in this order:

1. reads its settings from ``CASEWORK_SANDBOX`` (JSON, written by the grader);
2. when running as root (the usual case on a grading server or in a container):
   - joins a process-count cgroup (a fork bomb stops at ``pids.max``, and the grader can kill
     every process the kernel started, however it detached);
   - moves into new mount and network namespaces: no network interfaces at all; every file
     system read-only except its own working copy; the grader's staging area (other
     submissions), output folder (gradebook, results), the submissions folder and the grading
     keys hidden behind empty read-only mounts; a private ``/dev/shm``;
   - drops to an unprivileged user id of its own, so it has no capabilities (it cannot undo
     those mounts, read other processes' memory or environment, or signal the grader). Folders
     on the way to Python and the project that only root may enter (``/root`` for a pyenv
     Python) are opened up inside the namespace only, by binding just the needed subfolders;
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


def isolate_files(workdir: str, staging: str, hidden: list[str], reachable: list[str]) -> None:
    """Private mount namespace: everything read-only but the working copy; ``hidden`` emptied."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    make_reachable(reachable)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
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


def _traversable(path: str) -> bool:
    return bool(os.stat(path).st_mode & 0o001)


def make_reachable(targets: list[str]) -> None:
    """Let an unprivileged user reach ``targets``: inside this mount namespace only, replace each
    closed ancestor folder by an empty tmpfs holding binds of just the subfolders on the way."""
    done: set[str] = set()
    for depth in range(1, max(len(os.path.abspath(t).split("/")) for t in targets)):
        needed: dict[str, set[str]] = {}
        for target in targets:
            parts = os.path.abspath(target).split("/")
            if depth >= len(parts) - 1:
                continue
            ancestor = "/".join(parts[: depth + 1]) or "/"
            if ancestor not in done and ancestor != "/" and not _traversable(ancestor):
                needed.setdefault(ancestor, set()).add(parts[depth + 1])
        for ancestor, children in needed.items():
            keep = {child: os.open(os.path.join(ancestor, child), os.O_RDONLY | os.O_DIRECTORY) for child in children}
            _mount("tmpfs", ancestor, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,mode=0755")
            for child, fd in keep.items():
                os.mkdir(os.path.join(ancestor, child))
                _mount(f"/proc/self/fd/{fd}", os.path.join(ancestor, child), None, MS_BIND | MS_REC)
                os.close(fd)
            done.add(ancestor)


def drop_privileges(uid: int, workdir: str, connection_file: str) -> None:
    """Hand the working copy and connection file to ``uid`` and become it (no capabilities left)."""
    for folder, dirs, files in os.walk(workdir):
        os.chown(folder, uid, uid)
        for name in files:
            os.chown(os.path.join(folder, name), uid, uid)
    os.chown(connection_file, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def apply(settings: dict, connection_file: str) -> dict:
    """Apply the sandbox to this process; return the scrubbed environment for the kernel."""
    workdir = settings["workdir"]
    limits = settings["limits"]
    if os.geteuid() == 0 and settings.get("isolate", True):
        if settings.get("cgroup_procs"):
            with open(settings["cgroup_procs"], "w", encoding="ascii") as procs:
                procs.write(str(os.getpid()))
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
        isolate_files(workdir, settings["staging"], settings.get("hidden", []), settings.get("reachable", []))
        if settings.get("uid"):
            drop_privileges(settings["uid"], workdir, connection_file)
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
    env = apply(settings, argv[argv.index("-f") + 1])
    os.chdir(settings["workdir"])
    os.execve(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv], env)


if __name__ == "__main__":
    main(sys.argv[1:])
