"""Where a lesson notebook's time goes, inside its kernel: cProfile around every cell.

Run: python benchmarks/profile_notebook.py 01-case-overview [--top 30] [--filter helpers]

Runs a copy of ``notebooks/NAME.ipynb`` under papermill with a first cell that starts cProfile
and a last cell that stops it and writes the statistics (``--stats`` file, default in the temporary
folder), then prints papermill's wall time, the kernel-side time and the functions with the most
cumulative time. cProfile slows Python-heavy code more than C-heavy code (figure rendering), so
read the shares, not the seconds. The notebook in ``notebooks/`` is not modified.
"""

from __future__ import annotations

import argparse
import pstats
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

PROJECT = Path(__file__).resolve().parents[1]


def profile(name: str, stats_path: Path) -> tuple[float, str]:
    """papermill's wall time, and what the last cell printed (the kernel-side time)."""
    source = PROJECT / "notebooks" / (name if name.endswith(".ipynb") else f"{name}.ipynb")
    if not source.is_file():
        raise SystemExit(f"no lesson notebook {source.name} in notebooks/")
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "import cProfile as _cProfile, time as _time\n_profile = _cProfile.Profile()\n_began = _time.perf_counter()\n_profile.enable()"
        ),
    )
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            f"_profile.disable()\nprint(f'kernel-side {{_time.perf_counter() - _began:.2f}} s')\n_profile.dump_stats({str(stats_path)!r})"
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / source.name
        nbformat.write(notebook, copy)
        began = time.perf_counter()
        result = papermill.execute_notebook(
            str(copy), str(Path(tmp) / "out.ipynb"), cwd=str(source.parent), progress_bar=False, kernel_name="python3"
        )
        seconds = time.perf_counter() - began
    return seconds, "".join(output.get("text", "") for output in result.cells[-1].outputs).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="a lesson notebook's name, e.g. 01-case-overview")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--filter", default="", help="only functions whose file or name contains this (a regular expression)")
    parser.add_argument("--stats", type=Path, help="where to keep the cProfile statistics (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = args.stats or Path(tmp) / "notebook.prof"
        seconds, kernel = profile(args.notebook, stats_path.resolve())
        print(f"papermill wall time {seconds:.2f} s; {kernel}")
        stats = pstats.Stats(str(stats_path))
        restrictions = [args.filter, args.top] if args.filter else [args.top]
        stats.sort_stats("cumulative").print_stats(*restrictions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
