"""The full test suite's wall time, and where it goes (the slowest tests).

Run: python benchmarks/bench_suite.py [--out benchmarks/results] [--durations 15]

Runs ``python -m pytest -q --durations=N`` from the project folder with this interpreter: run it
with the environment you want to measure (CI's is a fresh ``.venv`` with ``pip install -e
".[test]"``; with the ``anchors`` extra installed too, tests/test_anchors.py also runs nbgrader).
Records the wall time, the test counts and the N slowest tests in suite.md and suite.csv
(linked from RESULTS.md). The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

from bench_module import machine, write_table  # noqa: E402

SLOW_LINE = re.compile(r"^(?P<seconds>\d+(?:\.\d+)?)s (?P<phase>setup|call|teardown)\s+(?P<test>\S.*)$")
COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)")


def run_suite(durations: int) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--durations={durations}"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, result.returncode, result.stdout + result.stderr


def parse(output: str) -> tuple[dict[str, int], list[dict]]:
    """The counts of pytest's closing line, and the slowest-durations list."""
    closing = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line) and " in " in line]
    counts = (
        {kind.rstrip("s") if kind.startswith(("error", "warning")) else kind: int(n) for n, kind in COUNTS.findall(closing[-1])}
        if closing
        else {}
    )
    slowest = []
    for line in output.splitlines():
        match = SLOW_LINE.match(line.strip())
        if match:
            slowest.append({"seconds": float(match["seconds"]), "phase": match["phase"], "test": match["test"]})
    return counts, slowest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results")
    parser.add_argument("--durations", type=int, default=15, help="how many of the slowest tests to list (default 15)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    machine()  # described as the run starts (the table written at the end repeats it)
    seconds, status, output = run_suite(args.durations)
    counts, slowest = parse(output)
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no closing line (see pytest's output)"
    in_slowest = sum(s["seconds"] for s in slowest)
    rows = [
        {
            "measure": "full test suite (python -m pytest), wall time",
            "value": f"{seconds:.0f} s ({seconds / 60:.1f} min)",
            "ratio": "",
            "target": "",
        },
        {
            "measure": "tests",
            "value": summary + ("" if status == 0 else f"; pytest exit status {status}"),
            "ratio": "",
            "target": "",
        },
        {
            "measure": f"the {len(slowest)} slowest test phases together",
            "value": f"{in_slowest:.0f} s ({in_slowest / seconds:.0%} of the wall time)",
            "ratio": "",
            "target": "",
        },
    ]
    notes = [
        f"How: `{Path(sys.executable).name} benchmarks/bench_suite.py`, which runs `python -m pytest -q --durations={args.durations}` "
        f"with `{_shown(sys.executable)}` ({'with' if _installed('nbgrader') else 'without'} the anchors extra); load average {load:.2f} at the start.",
        "",
        f"## The {len(slowest)} slowest test phases",
        "",
        "| seconds | phase | test |",
        "|---|---|---|",
        *[f"| {s['seconds']:.1f} | {s['phase']} | `{s['test']}` |" for s in slowest],
    ]
    write_table(rows, args.out, "suite.md", "suite.csv", "Test suite wall time", notes)
    for row in rows:
        print(f"{row['measure']:<50} {row['value']}")
    for s in slowest:
        print(f"  {s['seconds']:7.1f} s {s['phase']:<8} {s['test']}")
    print(f"written: {args.out / 'suite.md'}, {args.out / 'suite.csv'}")
    return status


def _shown(path: str) -> str:
    """A path inside the project as relative to it (no personal folders in committed results)."""
    return os.path.relpath(path, PROJECT) if path.startswith(str(PROJECT) + os.sep) else path


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


if __name__ == "__main__":
    sys.exit(main())
