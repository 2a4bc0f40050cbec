"""The sandbox worker's entry point: start the warm kernel host first, then the engine.

``execute.py`` starts ``python -I -m helpers.coursework.worker --requests FD --replies FD`` in
the worker's sandbox. The kernel host (``zygote.py``) spends its first seconds importing pandas,
matplotlib, IPython and ``helpers``; the engine (``sandbox.py``) spends as long importing
papermill and nbformat. Started in this order, the two import side by side, and the first
submission waits for the slower of them instead of both in turn.
"""

from __future__ import annotations

import argparse
import sys

from .kernelhost import KernelHost


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="helpers.coursework.worker")
    parser.add_argument("--requests", type=int, required=True, help="file descriptor the jobs arrive on")
    parser.add_argument("--replies", type=int, required=True, help="file descriptor the answers go to")
    args = parser.parse_args(argv)
    host = KernelHost(sys.stderr)
    host.start()
    from .sandbox import serve  # only now: papermill's imports run while the host warms up

    serve(args.requests, args.replies, host)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
