"""Run a command as the unprivileged user ``nobody``, from a root test run (tests only).

The test suite runs as root in CI, wherever the checkout is; its Python may live under a folder
only root may enter (``/root/.pyenv``). In a mount namespace of its own, this script makes the
folders on the way to ``--reach`` paths enterable (each closed ancestor is replaced by an empty
tmpfs holding binds of just the subfolders on the way), then drops to ``nobody`` and runs the
command. Nothing outside that namespace changes.

    python tests/support/as_nobody.py --reach PATH [--reach PATH ...] -- COMMAND ...
"""

from __future__ import annotations

import ctypes
import os
import sys

NOBODY = 65534
CLONE_NEWNS, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 2, 4, 4096, 16384, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda value: value.encode() if value is not None else None  # noqa: E731
    if _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")


def make_reachable(targets: list[str]) -> None:
    done: set[str] = set()
    for depth in range(1, max(len(os.path.abspath(t).split("/")) for t in targets)):
        needed: dict[str, set[str]] = {}
        for target in targets:
            parts = os.path.abspath(target).split("/")
            if depth >= len(parts) - 1:
                continue
            ancestor = "/".join(parts[: depth + 1]) or "/"
            if ancestor not in done and ancestor != "/" and not os.stat(ancestor).st_mode & 0o001:
                needed.setdefault(ancestor, set()).add(parts[depth + 1])
        for ancestor, children in needed.items():
            keep = {child: os.open(os.path.join(ancestor, child), os.O_RDONLY | os.O_DIRECTORY) for child in children}
            _mount("tmpfs", ancestor, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,mode=0755")
            for child, fd in keep.items():
                os.mkdir(os.path.join(ancestor, child))
                _mount(f"/proc/self/fd/{fd}", os.path.join(ancestor, child), None, MS_BIND | MS_REC)
                os.close(fd)
            done.add(ancestor)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    reach = [argv[i + 1] for i, arg in enumerate(argv[:split]) if arg == "--reach"]
    if _libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    make_reachable(reach)
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    os.execvp(argv[split + 1], argv[split + 1 :])


if __name__ == "__main__":
    main(sys.argv[1:])
