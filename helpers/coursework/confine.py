"""Confining one submission's kernel: the part of the sandbox that is made per submission.

The worker's sandbox (built once per worker with bubblewrap, see ``isolation.py``) already has no
network, a minimal read-only file system and no way back to the host. A warm kernel host forks
one process per submission (``zygote.py``); these functions, run in that child and in its own
child, give the submission what it must not share with the next one:

1. :func:`enter_namespaces` (in the forked child, still privileged inside the sandbox): new
   mount, PID, IPC, network and UTS namespaces, so the submission sees no other process, no
   System V or POSIX IPC object, no socket and no host name of anyone else; a private tmpfs of
   a fixed size as its working copy (``disk_bytes``), also mounted at ``/tmp`` and ``/dev/shm``.
2. :func:`become_kernel` (in the first process of the new PID namespace, which becomes the
   kernel): a fresh ``/proc``, the submission's own user id (as root: a unique id per
   submission, so no two submissions, even of two concurrent batches, share one), every
   capability dropped, resource limits, a scrubbed environment, and standard output discarded
   and standard error sent to a log file (``settings["log"]``, capped like every file), never
   to a pipe of the grader.

Only the standard library is used. Each step raises ``OSError`` naming what failed.
"""

from __future__ import annotations

import ctypes
import os
import resource

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x04000000, 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE = 1, 38, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

#: Environment variables a kernel may keep; everything else (tokens, keys, paths) is dropped.
KEPT = ("LANG", "LC_ALL", "TZ")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"casework sandbox: {what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def encode(value):
        return value.encode() if value is not None else None

    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def die_with_parent(signal_number: int = 9) -> None:
    """Be killed when the parent dies, so nothing outlives the process that started it."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def processes_of(uid: int) -> int:
    """How many processes this user id runs, as far as this PID namespace shows."""
    count = 0
    for entry in os.listdir("/proc"):
        try:
            count += entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            pass  # ended meanwhile
    return count


def enter_namespaces(settings: dict) -> None:
    """New namespaces and a private working copy for one submission (see the module docstring)."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    work, owner = settings["work"], settings.get("uid") or 0
    _mount("tmpfs", work, "tmpfs", MS_NOSUID | MS_NODEV, f"size={settings['disk_bytes']},mode=0700,uid={owner},gid={owner}")
    below_tmp = _mounts_below("/tmp")  # what the sandbox bound there (a checkout in /tmp, as CI makes one)
    kept = {point: os.open(point, os.O_PATH) for point in below_tmp}
    for name, target in (("tmp", "/tmp"), ("shm", "/dev/shm")):
        path = os.path.join(work, name)
        os.mkdir(path, 0o700)
        os.chown(path, owner, owner)
        if os.path.isdir(target):
            _mount(path, target, None, MS_BIND)
    for point, fd in kept.items():  # bound again, read-only, inside the submission's own /tmp
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(point, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(point), exist_ok=True)
            open(point, "a").close()
        _mount(f"/proc/self/fd/{fd}", point, None, MS_BIND | MS_REC)
        _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)


def _mounts_below(folder: str) -> list[str]:
    """The outermost mount points inside ``folder`` (each brings the ones inside it along)."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            point = line.split()[4].encode().decode("unicode_escape")
            if point.startswith(folder.rstrip("/") + "/"):
                points.append(point)
    return [p for p in points if not any(p != q and p.startswith(q + "/") for q in points)]


def _drop_capabilities() -> None:
    """Clear every capability of this process (a user namespace's root keeps them otherwise)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(_LINUX_CAPABILITY_VERSION_3, 0), (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def become_kernel(settings: dict) -> dict:
    """Confine this process, the submission's kernel; return its environment.

    With ``settings["isolate"]`` it is the first process of a new PID namespace (see
    :func:`enter_namespaces`); without, only the limits, the environment and the redirected
    output apply (the mode without root or user namespaces: see coursework/README.md).
    """
    if settings["isolate"]:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    work, limits = settings["work"], settings["limits"]
    log = os.open(settings["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(log, 2)
    os.close(null)
    os.close(log)
    uid = settings.get("uid")
    if uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from root to a user id of its own: every capability goes with it
    elif settings["isolate"]:
        _drop_capabilities()  # root of a user namespace: the same user id as the sandbox, so drop its powers
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, key in (
        ("RLIMIT_AS", "memory_bytes"),
        ("RLIMIT_CPU", "cpu_seconds"),
        ("RLIMIT_FSIZE", "file_bytes"),
        ("RLIMIT_NPROC", "processes"),
    ):
        if limits.get(key):
            value = limits[key]
            if key == "processes" and not uid:  # the limit counts every process of this user id, the sandbox's own included
                value += settings.get("processes_before", 0)
            resource.setrlimit(getattr(resource, name), (value, value))
    os.chdir(work)
    env = {key: os.environ[key] for key in KEPT if key in os.environ}
    env.update(
        PATH=settings["path"],
        HOME=work,
        TMPDIR=os.path.join(work, "tmp"),
        IPYTHONDIR=os.path.join(work, ".ipython"),
        MPLCONFIGDIR=os.path.join(work, ".matplotlib"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    env.setdefault("LANG", "C.UTF-8")
    return env
