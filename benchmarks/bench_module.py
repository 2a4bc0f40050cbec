"""Notebook cost, kernel memory and grading throughput, measured side by side in one run.

Run: python benchmarks/bench_module.py [--repeats 3] [--batch 40] [--out benchmarks/results]

This machine is shared and noisy, so every figure that counts is a ratio of two medians taken
in the same run, interleaved:

1. notebook cost: each lesson notebook's papermill run against a floor notebook that only
   imports the same libraries (target: at most 1.5x the floor);
2. memory: the kernel's peak resident memory after each lesson against the floor's (target:
   at most 1.25x);
3. grading: a generated batch (correct, wrong and hostile submissions mixed) graded with 1 and
   2 workers: submissions per minute, the per-submission cost against a bare papermill run of
   the same notebook (target: at most 1.3x), and the speed-up from 2 workers (target: 1.7x).

Writes RESULTS.md and results.csv (with the machine's description) and a figure to --out.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "benchmarks"))

from bench_wording import PASSES, measure_rates, ours, spread, tweet_corpus, vader  # noqa: E402

from helpers.coursework.grade import Options, grade_batch  # noqa: E402
from helpers.coursework.source import build, with_ids  # noqa: E402
from helpers.paths import lesson_notebooks  # noqa: E402

FLOOR_SOURCE = "import pandas, matplotlib.pyplot, ipywidgets, helpers\n"
# The kernel's own peak (VmHWM of its memory map). Not getrusage's ru_maxrss: Linux carries that
# over fork and exec, so every kernel reported the benchmark process's size (154 MiB each, floor
# included, in the first runs).
RSS_CELL = "print('peak-rss-kib', next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:')))"
HOSTILE = PROJECT / "tests" / "submissions" / "wording"
# fmt: off
QUICK_HOSTILE = ["graded.patches-checking-machinery", "graded.forged-answer-outputs", "kernel-died.os-exit", "graded-with-errors.input",
                 "unreadable.not-json", "graded.duplicated-answer-cell", "graded-with-errors.error-in-every-cell", "graded.network-attempt"]
# fmt: on


def with_rss(notebook_path: Path, target: Path) -> Path:
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(RSS_CELL))
    nbformat.write(notebook, target)
    return target


def run_notebook(path: Path, workdir: Path) -> tuple[float, int]:
    """Seconds for one papermill run, and the kernel's peak RSS in KiB (from the appended cell).

    The kernel talks over Unix sockets, as in ``casework run`` (floor and lessons alike).
    """
    from helpers.runner import unix_socket_kernels

    started = time.perf_counter()
    result = papermill.execute_notebook(
        str(path),
        str(workdir / "out.ipynb"),
        cwd=str(path.parent),
        progress_bar=False,
        kernel_name="python3",
        kernel_manager_class=unix_socket_kernels(str(workdir)),
    )
    seconds = time.perf_counter() - started
    text = "".join(o.get("text", "") for o in result.cells[-1].outputs)
    return seconds, int(text.split("peak-rss-kib")[1].split()[0])


def notebook_costs(repeats: int, workdir: Path) -> list[dict]:
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    floor_path = workdir / "floor.ipynb"
    nbformat.write(floor_nb, floor_path)
    floor_path = with_rss(floor_path, floor_path)
    lessons = {nb.stem: with_rss(nb, nb.parent / f".bench-{nb.name}") for nb in lesson_notebooks()}
    times: dict[str, list[float]] = {name: [] for name in ["floor", *lessons]}
    memory: dict[str, list[int]] = {name: [] for name in times}
    try:
        for _ in range(repeats):
            for name, path in [("floor", floor_path), *lessons.items()]:  # interleaved, so drift hits all alike
                seconds, rss = run_notebook(path, workdir)
                times[name].append(seconds)
                memory[name].append(rss)
    finally:
        for path in lessons.values():
            path.unlink(missing_ok=True)
    floor_time, floor_rss = statistics.median(times["floor"]), statistics.median(memory["floor"])
    rows = []
    for name in lessons:
        rows.append(
            {
                "measure": f"notebook cost: {name}",
                "value": f"{statistics.median(times[name]):.2f} s",
                "ratio": statistics.median(times[name]) / floor_time,
                "target": "<= 1.5x floor",
            }
        )
        rows.append(
            {
                "measure": f"kernel peak memory: {name}",
                "value": f"{statistics.median(memory[name]) / 1024:.1f} MiB",
                "ratio": statistics.median(memory[name]) / floor_rss,
                "target": "<= 1.25x floor",
            }
        )
    rows.append(
        {
            "measure": "floor notebook (imports only)",
            "value": f"{floor_time:.2f} s, {floor_rss / 1024:.1f} MiB",
            "ratio": 1.0,
            "target": "",
        }
    )
    return rows


def make_batch(size: int, folder: Path) -> None:
    """A mixed batch: half reference solutions, a quarter blank, the rest quick hostile ones."""
    for number in range(size):
        if number % 4 in (0, 1):
            solution = with_ids(build("wording", keep_solutions=True)[0], f"correct-{number:03d}")
            nbformat.write(solution, folder / f"correct-{number:03d}.ipynb")
        elif number % 4 == 2:
            nbformat.write(with_ids(build("wording")[0], f"blank-{number:03d}"), folder / f"blank-{number:03d}.ipynb")
        else:
            stem = QUICK_HOSTILE[(number // 4) % len(QUICK_HOSTILE)]
            shutil.copy(HOSTILE / f"{stem}.ipynb", folder / f"hostile-{number:03d}.ipynb")


GRADING_PASSES = 2


def grading(size: int, workdir: Path) -> list[dict]:
    folder = workdir / "batch"
    folder.mkdir()
    make_batch(size, folder)
    solution = workdir / "solution.ipynb"
    solution.write_bytes((nbformat.writes(build("wording", keep_solutions=True)[0]) + "\n").encode())
    from helpers.runner import unix_socket_kernels  # nbformat's import tax only for the grading rows

    bare = []
    for _ in range(3):
        started = time.perf_counter()
        papermill.execute_notebook(
            str(solution),
            str(workdir / "bare-out.ipynb"),
            parameters={"student_id": "bench"},
            progress_bar=False,
            kernel_name="python3",
            cwd=str(workdir),
            kernel_manager_class=unix_socket_kernels(str(workdir)),
        )  # Unix sockets, as the grader's kernels
        bare.append(time.perf_counter() - started)
    # 1 and 2 workers in turn, GRADING_PASSES times each: one pass of either is about a minute on a
    # shared two-CPU machine, and single pairs measured 1.6x to 2.0x; each count is the faster pass
    # (another tenant's load only ever slows one down), and every pass is printed
    passes: dict[tuple[int, str], list[float]] = {}
    books: dict[tuple[int, str, int], str] = {}
    runs = [(1, "threads"), (2, "threads")] * GRADING_PASSES + ([(2, "dask")] if dask_installed() else [])
    for number, (workers, executor) in enumerate(runs):
        out = workdir / f"grades-{workers}-{executor}-{number}"
        started = time.perf_counter()
        grade_batch(
            folder, "wording", out, Options(workers=workers, progress=False, cell_timeout=20, timeout=120, executor=executor)
        )
        passes.setdefault((workers, executor), []).append(time.perf_counter() - started)
        books[workers, executor, number] = (out / "gradebook.csv").read_text(encoding="utf-8")
    print(
        "grading passes, seconds: "
        + "; ".join(f"{w} worker(s), {e}: {', '.join(f'{t:.1f}' for t in ts)}" for (w, e), ts in passes.items())
    )
    seconds = {key: min(ts) for key, ts in passes.items()}
    seconds[1], seconds[2] = seconds[1, "threads"], seconds[2, "threads"]
    per_submission = seconds[1] / size
    scale_out = [
        {
            "measure": "scale-out: Dask local cluster, 2 workers",
            "value": "distributed not installed (pip install -e '.[scale]')",
            "ratio": "",
            "target": "same grades",
        }
    ]
    if (2, "dask") in seconds:
        same = len(set(books.values())) == 1  # every threads pass and the Dask one
        scale_out = [
            {
                "measure": "scale-out: Dask local cluster, 2 workers",
                "value": f"{60 * size / seconds[2, 'dask']:.1f} per minute; gradebook {'identical to' if same else 'DIFFERS from'} the threads runs",
                "ratio": "",
                "target": "same grades",
            }
        ]
    return [
        {
            "measure": f"grading {size} mixed submissions, 1 worker",
            "value": f"{60 * size / seconds[1]:.1f} per minute",
            "ratio": "",
            "target": "",
        },
        {
            "measure": f"grading {size} mixed submissions, 2 workers",
            "value": f"{60 * size / seconds[2]:.1f} per minute",
            "ratio": "",
            "target": "",
        },
        {
            "measure": "per-submission cost against a bare papermill run (fastest passes)",
            "value": f"{per_submission:.2f} s vs {min(bare):.2f} s",
            "ratio": per_submission / min(bare),
            "target": "<= 1.3x",
        },
        {
            "measure": f"speed-up from 2 workers (best of {GRADING_PASSES} passes each)",
            "value": f"{seconds[1]:.1f} s -> {seconds[2]:.1f} s",
            "ratio": seconds[1] / seconds[2],
            "target": ">= 1.7x",
        },
    ] + scale_out


def dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


@functools.cache
def machine() -> str:
    """The machine's description, with the load average the first time it is asked for (call it
    when the measuring starts: the tables written at the end repeat that first answer)."""
    return f"{platform.platform(terse=True)}, Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"


def write_table(rows: list[dict], out: Path, markdown: str, table: str, title: str, notes: list[str] = ()) -> None:
    """One benchmark's rows as Markdown and CSV (measure, value, ratio, target), with the machine's description.

    Every Markdown file written here besides RESULTS.md is listed at the end of RESULTS.md, so a
    benchmark writes its own files and never clobbers another's rows.
    """
    out.mkdir(parents=True, exist_ok=True)
    with open(out / table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["measure", "value", "ratio", "target"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "ratio": f"{r['ratio']:.2f}" if isinstance(r["ratio"], float) else r["ratio"]} for r in rows)
    lines = [f"# {title}", "", f"Machine: {machine()}.", "", "| measure | value | ratio | target |", "|---|---|---|---|"]
    lines += [
        f"| {r['measure']} | {r['value']} | {r['ratio']:.2f} | {r['target']} |"
        if isinstance(r["ratio"], float)
        else f"| {r['measure']} | {r['value']} | {r['ratio']} | {r['target']} |"
        for r in rows
    ]
    (out / markdown).write_text("\n".join([*lines, "", *notes]).rstrip("\n") + "\n", encoding="utf-8")
    link_companions(out)


MORE_RESULTS = "## More results"


def link_companions(out: Path) -> None:
    """List the other benchmarks' result pages at the end of RESULTS.md (rewritten each time)."""
    index = out / "RESULTS.md"
    if not index.exists():
        return
    text = index.read_text(encoding="utf-8").split(f"\n{MORE_RESULTS}\n")[0].rstrip("\n")
    pages = sorted(p for p in out.glob("*.md") if p.name != "RESULTS.md")
    if pages:
        links = [f"- [{p.read_text(encoding='utf-8').splitlines()[0].lstrip('# ')}]({p.name})" for p in pages]
        text += f"\n\n{MORE_RESULTS}\n\n" + "\n".join(links)
    index.write_text(text + "\n", encoding="utf-8")


#: Why a target is missed, from the profiles in profiles.md (keyed by the start of the measure).
WHY_MISSED = {
    "notebook cost": "the floor only imports; a lesson also renders one or two figures (0.45-0.65 s each, "
    "mostly glyph rasterisation in matplotlib 3.11) and runs about ten cells. The wasted draws are "
    "gone; what is left is profiled in [profiles.md](profiles.md#notebook-cost).",
}


def target(row: dict) -> tuple[str, float] | None:
    """A target like '<= 1.5x floor' or '>= 1.7x' as ('<=', 1.5); None for a row without one."""
    if not isinstance(row["ratio"], float) or row["target"][:2] not in ("<=", ">="):
        return None
    side, limit = row["target"].split()[:2]
    return side, float(limit.rstrip("x"))


def missed(row: dict) -> bool:
    """Whether a row with a numeric ratio misses its target."""
    if (goal := target(row)) is None:
        return False
    side, limit = goal
    return row["ratio"] > limit if side == "<=" else row["ratio"] < limit


def write(rows: list[dict], out: Path) -> None:
    notes = ["![ratios](ratios.png)"]
    misses = [r for r in rows if missed(r)]
    if misses:
        notes += ["", "## Targets missed in this run", ""]
        grouped: dict[str, list[dict]] = {}
        for r in misses:
            grouped.setdefault(next((start for start in WHY_MISSED if r["measure"].startswith(start)), r["measure"]), []).append(
                r
            )
        for start, group in grouped.items():
            figures = ", ".join(
                f"{r['measure'].removeprefix(start).strip(': ,') or r['measure']} {r['ratio']:.2f}x" for r in group
            )
            notes.append(f"- {start} ({figures}; target {group[0]['target']}): {WHY_MISSED.get(start, 'not yet explained')}")
    write_table(rows, out, "RESULTS.md", "results.csv", "Benchmark results", notes=notes)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(r, goal) for r in rows if (goal := target(r)) is not None]
    figure, axes = plt.subplots(figsize=(10, 0.4 * len(shown) + 1.5), layout="constrained")
    # the label says which side of the line meets the target: at most (<=) or at least (>=)
    labels = [f"{r['measure']}  ({' '.join(r['target'].split()[:2])})" for r, _ in shown]
    axes.barh(labels, [r["ratio"] for r, _ in shown], color=["#D55E00" if missed(r) else "#0072B2" for r, _ in shown])
    for y, (_, (_, limit)) in enumerate(shown):
        axes.plot([limit, limit], [y - 0.4, y + 0.4], color="black", linewidth=2)
    axes.set_title("Ratio measured (bar; orange = target missed) against its target (black line)", loc="right")
    axes.set_xlabel("ratio")
    axes.invert_yaxis()
    figure.savefig(out / "ratios.png", dpi=100, metadata={"Software": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results")
    parser.add_argument("--skip-grading", action="store_true")
    parser.add_argument("--texts", type=int, default=100_000, help="corpus size for the wording analysis rate")
    args = parser.parse_args()
    vader()  # VADER, the wording rate's peer, must be installed: say so now, not after the grading runs
    machine()  # the load average as the run starts
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += notebook_costs(args.repeats, Path(tmp))
        if not args.skip_grading:
            rows += grading(args.batch, Path(tmp))
    rows += wording_rate(args.texts)
    print(f"Machine: {machine()}")
    show(rows)
    write(rows, args.out)
    print(f"written: {args.out / 'RESULTS.md'}, {args.out / 'results.csv'}, {args.out / 'ratios.png'}")
    for table, how in (
        ("anchors.csv", "benchmarks/.anchors-venv/bin/python benchmarks/bench_anchors.py (an environment of its own)"),
        ("suite.csv", "python benchmarks/bench_suite.py"),
    ):
        path = args.out / table
        if path.exists():  # measured by their own scripts (an environment of their own, or the whole suite): shown, not re-run
            with open(path, newline="", encoding="utf-8") as handle:
                measured = list(csv.DictReader(handle))
            print(f"\nREAD FROM THE COMMITTED FILE {path.relative_to(PROJECT)}, not measured in this run (re-measure: {how}):")
            show(measured)


def show(rows: list[dict]) -> None:
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if isinstance(r["ratio"], float) else (f"{r['ratio']}x" if r["ratio"] else "")
        print(f"{r['measure']:<55} {r['value']:>28} {ratio:>8}  {r['target']}")


def wording_rate(texts: int) -> list[dict]:
    """Our wording analysis's rate beside VADER's on the same tweet-length texts (as benchmarks/bench_wording.py measures it).

    No target: the ratio says what our plain analysis costs beside a widely used rule-based one.
    """
    results = measure_rates({"ours": ours(), "VADER": vader()}, tweet_corpus(texts, seed=2020))
    for name, result in results.items():
        print(f"wording analysis, {name}, every pass, texts/s: {spread(result, texts)}")
    rate, peer = results["ours"]["rate"], results["VADER"]["rate"]
    return [
        {
            "measure": f"wording analysis beside VADER, {texts:,} tweet-length texts, one core (best of {PASSES} passes each)",
            "value": f"{rate:,.0f} vs {peer:,.0f} texts/s",
            "ratio": rate / peer,
            "target": "",
        }
    ]


if __name__ == "__main__":
    main()
