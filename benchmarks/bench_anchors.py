"""Our grader against the anchors: one exercise graded by casework, nbgrader and otter-grader, side by side.

Run, in an environment of its own with the ``anchors`` extra (nbgrader and otter-grader are
never dependencies of the module), as root so that our grader's namespace isolation is on:

    python3 -m venv benchmarks/.anchors-venv && benchmarks/.anchors-venv/bin/pip install -e ".[anchors]" \\
        && benchmarks/.anchors-venv/bin/python benchmarks/bench_anchors.py

The exercise (``--exercise``, default ``wording``) is converted by ``benchmarks/anchors.py``: an
nbgrader course (source, release by ``nbgrader generate_assignment``, submitted) whose hidden
autograder tests assert what our key checks, and an otter-grader autograder zip with the same
checks as exception-based tests. One batch of submissions (correct, partly right, wrong, blank,
erroring, and two hostile kinds) is written in all three forms with the same answer cells, then
graded with one worker each, interleaved, ``--repeats`` times:

- ours: ``casework grade FOLDER --exercise ID --workers 1`` (a sandboxed kernel per submission);
- nbgrader: ``nbgrader autograde ID`` on a fresh copy of the course (one process, a kernel each);
- otter: ``otter run -a autograder.zip SUBMISSION`` once per submission (its non-container mode).

Each figure is a median over the repeats of the batch's wall time divided by the batch size,
process start included. Targets: ours at least 2x faster than nbgrader and 5x faster than otter
per submission. The scores of the non-hostile submissions must agree; every disagreement is
printed. Writes anchors.md, anchors.csv and anchors.png to --out (linked from RESULTS.md).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench_module import machine, write_table  # noqa: E402

from benchmarks import anchors  # noqa: E402
from helpers import load_case  # noqa: E402
from helpers.coursework.isolation import mode as isolation_mode, summary as isolation_text  # noqa: E402
from helpers.coursework.source import RELEASE_DIR, build, compile_checks, load_key  # noqa: E402
from helpers.coursework.variants import assign  # noqa: E402

GRADERS = ("casework", "nbgrader", "otter")
TARGETS = {"nbgrader": 2.0, "otter": 5.0}  # ours at least this many times faster per submission
#: One class's mix, repeated to fill the batch. Hostile kinds are expected to score differently.
CYCLE = ("correct", "partly-right", "wrong", "correct", "blank", "partly-wrong", "correct", "error-in-every-cell", "wrong",
         "forged-answer-objects", "correct", "kernel-dies")
HOSTILE = {"forged-answer-objects", "kernel-dies"}
PROFILE_NOTE = "anchors-profile.md"  # written by hand from a profile when a target is missed
FORGED = {
    "number": "class Forged{n}(float):\n    def __sub__(self, other):\n        return 0.0\n\n\n{q} = Forged{n}({value!r})",
    "category": ("class Forged{n}(str):\n    __hash__ = str.__hash__\n\n    def strip(self, *chars):\n        return self\n\n"
                 "    def casefold(self):\n        return self\n\n    def __eq__(self, other):\n        return True\n\n\n{q} = Forged{n}({value!r})"),
    "span": ("class Forged{n}(str):\n    def strip(self, *chars):\n        return self\n\n    def split(self, *args):\n        return [self]\n\n"
             "    def __len__(self):\n        return 10**6\n\n\n{q} = Forged{n}({value!r})"),
}


# --------------------------------------------------------------------------- the batch


def _literal(spec: dict, value) -> str:
    if spec["kind"] == "span":  # the expected value of a span question is the text and the accepted spans
        start, end = value["accept"][0]
        value = value["text"][start:end]
    return f"{spec['id']} = {value!r}"


def student_answers(exercise: str, kind: str, student_id: str, case, key: dict, checks: dict, reference: dict[str, str]) -> dict[str, str]:
    """The answer cells of one submission of ``kind``, as source text (the same in all three forms)."""
    variant = assign(exercise, student_id, case)
    specs = key["questions"]

    def right(spec):
        return _literal(spec, checks[spec["id"]][0](case, variant))

    def wrong(spec):
        answers = checks[spec["id"]][1](case, variant)
        return f"{spec['id']} = {answers[0]!r}" if answers else f"{spec['id']} = ...  # your answer"

    if kind == "correct":
        return dict(reference)
    if kind == "blank":
        return {s["id"]: f"{s['id']} = ...  # your answer" for s in specs}
    if kind == "wrong":
        return {s["id"]: wrong(s) for s in specs}
    if kind == "partly-right":
        return {s["id"]: wrong(s) if i == 1 else right(s) for i, s in enumerate(specs)}
    if kind == "partly-wrong":
        return {s["id"]: right(s) if i == 1 else wrong(s) for i, s in enumerate(specs)}
    if kind == "error-in-every-cell":
        return {q: "1 / 0\n" + source for q, source in reference.items()}
    if kind == "forged-answer-objects":  # wrong values in objects that pass any in-kernel comparison
        forged = {}
        for n, spec in enumerate(specs, start=1):
            values = checks[spec["id"]][1](case, variant)
            if spec["kind"] in FORGED and values:
                forged[spec["id"]] = FORGED[spec["kind"]].format(n=n, q=spec["id"], value=values[0])
            else:
                forged[spec["id"]] = wrong(spec)
        return forged
    if kind == "kernel-dies":  # first answer right, then the kernel exits
        first, *rest = specs
        return {first["id"]: reference[first["id"]], **{s["id"]: "import os\nos._exit(3)" for s in rest}}
    raise ValueError(f"unknown kind of submission {kind!r}")


def make_batch(exercise: str, size: int, workdir: Path) -> list[dict]:
    """Write the batch in our form, nbgrader's (in a course folder) and otter's; return who is who."""
    key = load_key(exercise)
    checks = compile_checks(key)
    case = load_case()
    solution, _ = build(exercise, keep_solutions=True)
    reference = {c.metadata["casework"]["question"]: c.source for c in solution.cells if "question" in c.metadata.get("casework", {})}
    ours_release = nbformat.read(RELEASE_DIR / f"{exercise}.ipynb", as_version=4)
    course = workdir / "nbgrader-course"
    nbgrader_release = nbformat.read(anchors.nbgrader_course(exercise, course), as_version=4)
    anchors.otter_autograder(exercise, workdir / "otter" / "autograder.zip")
    students = []
    for number in range(size):
        kind = CYCLE[number % len(CYCLE)]
        student_id = f"s{number + 1:03d}"
        answers = student_answers(exercise, kind, student_id, case, key, checks, reference)
        for folder, release in ((workdir / "casework" / "submissions", ours_release), (workdir / "otter" / "submissions", ours_release),
                                (course / "submitted" / student_id / exercise, nbgrader_release)):
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{exercise}.ipynb" if folder.name == exercise else f"{student_id}.ipynb"
            nbformat.write(anchors.fill(release, student_id, answers), folder / name)
        students.append({"student_id": student_id, "kind": kind})
    return students


# --------------------------------------------------------------------------- the three graders


def _command(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def grade_casework(exercise: str, workdir: Path, run: int, students: list[dict]) -> tuple[float, dict]:
    out = workdir / "casework" / f"grades-{run}"
    command = [_command("casework"), "grade", str(workdir / "casework" / "submissions"), "--exercise", exercise, "--out", str(out),
               "--workers", "1", "--no-progress"]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: graded, but some rows need the instructor (the hostile ones)
        raise RuntimeError(f"casework grade failed:\n{result.stderr[-2000:]}")
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    return seconds, scores


def grade_nbgrader(exercise: str, workdir: Path, run: int, students: list[dict]) -> tuple[float, dict]:
    course = workdir / f"nbgrader-course-{run}"
    shutil.copytree(workdir / "nbgrader-course", course)
    started = time.perf_counter()
    anchors.nbgrader(["autograde", exercise], course, check=False)  # non-zero when a notebook failed; the rest are graded
    seconds = time.perf_counter() - started
    return seconds, anchors.nbgrader_scores(course, exercise, [s["student_id"] for s in students])


def grade_otter(exercise: str, workdir: Path, run: int, students: list[dict]) -> tuple[float, dict]:
    scores = {}
    seconds = 0.0
    for student in students:
        out = workdir / "otter" / f"results-{run}" / student["student_id"]
        out.mkdir(parents=True)
        command = [_command("otter"), "run", "-a", str(workdir / "otter" / "autograder.zip"), "-o", str(out), "--no-logo",
                   str(workdir / "otter" / "submissions" / f"{student['student_id']}.ipynb")]
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, cwd=out, check=False)  # non-zero when the kernel died: no results
        seconds += time.perf_counter() - started
        scores[student["student_id"]] = anchors.otter_score(out / "results.json")
    return seconds, scores


RUNNERS = {"casework": grade_casework, "nbgrader": grade_nbgrader, "otter": grade_otter}


# --------------------------------------------------------------------------- measuring and reporting


def measure(exercise: str, size: int, repeats: int, workdir: Path) -> tuple[list[dict], dict, list[dict]]:
    students = make_batch(exercise, size, workdir)
    seconds: dict[str, list[float]] = {name: [] for name in GRADERS}
    scores: dict[str, list[dict]] = {name: [] for name in GRADERS}
    for run in range(repeats):
        order = GRADERS[run % 3:] + GRADERS[:run % 3]  # interleaved, rotated: drift hits all three alike
        for name in order:
            took, found = RUNNERS[name](exercise, workdir, run, students)
            seconds[name].append(took)
            scores[name].append(found)
            print(f"run {run + 1}/{repeats} {name:<9} {took:7.1f} s for {size} = {took / size:5.2f} s per submission", flush=True)
    return students, seconds, scores


def agreement(students: list[dict], scores: dict[str, list[dict]]) -> tuple[list[dict], list[str]]:
    """Per-student scores of the first run, and every disagreement (and score that changed between runs)."""
    table, problems = [], []
    for student in students:
        sid = student["student_id"]
        row = {"student_id": sid, "kind": student["kind"], **{name: scores[name][0].get(sid) for name in GRADERS}}
        table.append(row)
        for name in GRADERS:
            if len({runs.get(sid) for runs in scores[name]}) > 1:
                problems.append(f"{sid}: {name} gave different scores in different runs: {[runs.get(sid) for runs in scores[name]]}")
        if student["kind"] not in HOSTILE and len({row[name] for name in GRADERS}) > 1:
            problems.append(f"{sid} ({student['kind']}): " + ", ".join(f"{name} {row[name]}" for name in GRADERS))
    return table, problems


def _score(value) -> str:
    return "no grade" if value is None else f"{value:g}"


def report(exercise: str, students, seconds, scores, out: Path, started_load: float) -> None:
    size = len(students)
    per = {name: statistics.median(seconds[name]) / size for name in GRADERS}
    table, problems = agreement(students, scores)
    honest = [row for row in table if row["kind"] not in HOSTILE]
    agreeing = sum(len({row[name] for name in GRADERS}) == 1 for row in honest)
    isolation = isolation_text(isolation_mode())
    versions = {name: importlib.metadata.version(name) for name in ("nbgrader", "otter-grader", "papermill", "nbclient")}
    rows = [
        {"measure": f"casework grade, per submission ({exercise}, {size} mixed, 1 worker, isolation on)"
                    if os.geteuid() == 0 else f"casework grade, per submission ({exercise}, {size} mixed, 1 worker, ISOLATION OFF: not root)",
         "value": f"{per['casework']:.2f} s", "ratio": "", "target": ""},
        {"measure": f"nbgrader {versions['nbgrader']} autograde, per submission", "value": f"{per['nbgrader']:.2f} s", "ratio": "", "target": ""},
        {"measure": f"otter-grader {versions['otter-grader']} otter run, per submission", "value": f"{per['otter']:.2f} s", "ratio": "", "target": ""},
        {"measure": "speed-up over nbgrader (its time / ours)", "value": f"{per['nbgrader']:.2f} s / {per['casework']:.2f} s",
         "ratio": per["nbgrader"] / per["casework"], "target": f">= {TARGETS['nbgrader']:g}x"},
        {"measure": "speed-up over otter-grader (its time / ours)", "value": f"{per['otter']:.2f} s / {per['casework']:.2f} s",
         "ratio": per["otter"] / per["casework"], "target": f">= {TARGETS['otter']:g}x"},
        {"measure": "same score from all three, non-hostile submissions", "value": f"{agreeing} of {len(honest)}", "ratio": "", "target": "all"},
    ]
    notes = [
        "![seconds per submission and speed-ups](anchors.png)",
        "",
        f"How: `benchmarks/bench_anchors.py --exercise {exercise} --submissions {size} --repeats {len(seconds['casework'])}`; "
        "each figure is the median over the repeats (run interleaved, order rotated) of one batch's wall time over its size, "
        "process start included. nbgrader grades the batch in one `nbgrader autograde` process; otter-grader's `otter run` "
        "grades one submission per process (its mode without containers). Load average "
        f"{started_load:.2f} at the start and {os.getloadavg()[0]:.2f} at the end. Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        f"Our isolation in this run: {isolation}.",
        "",
        "Seconds per run (whole batch): " + "; ".join(f"{name} " + ", ".join(f"{s:.1f}" for s in seconds[name]) for name in GRADERS) + ".",
        "",
        "## Scores, submission by submission (first run)",
        "",
        "| student | kind | casework | nbgrader | otter |",
        "|---|---|---|---|---|",
        *[f"| {r['student_id']} | {r['kind']}{' (hostile)' if r['kind'] in HOSTILE else ''} | {_score(r['casework'])} | "
          f"{_score(r['nbgrader'])} | {_score(r['otter'])} |" for r in table],
        "",
        ("Hostile kinds are expected to differ: `forged-answer-objects` gives wrong answers as objects that compare equal to "
         "anything (the anchors' tests run in the student's kernel and accept them; ours reads the plain values out of the "
         "kernel); `kernel-dies` exits the kernel after answering the first question (ours grades what was recorded)."),
    ]
    if problems:
        notes += ["", "Disagreements:", "", *[f"- {p}" for p in problems]]
    if any(per[name] / per["casework"] < TARGETS[name] for name in TARGETS) and (out / PROFILE_NOTE).exists():
        notes += ["", f"Below a target: where our time goes is profiled in [{PROFILE_NOTE}]({PROFILE_NOTE})."]
    write_table(rows, out, "anchors.md", "anchors.csv", "Against the anchors: nbgrader and otter-grader", notes)
    figure(per, seconds, size, out / "anchors.png")
    print(f"Machine: {machine()}")
    for row in rows:
        ratio = f"{row['ratio']:.2f}x" if isinstance(row["ratio"], float) else ""
        print(f"{row['measure']:<95} {row['value']:>22} {ratio:>7}  {row['target']}")
    for row in table:
        print(f"  {row['student_id']} {row['kind']:<22} " + "  ".join(f"{name} {_score(row[name]):>8}" for name in GRADERS))
    for problem in problems:
        print(f"DISAGREEMENT: {problem}")
    print(f"written: {out / 'anchors.md'}, {out / 'anchors.csv'}, {out / 'anchors.png'}")


def figure(per: dict, seconds: dict, size: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"casework": "#0072B2", "nbgrader": "#E69F00", "otter": "#009E73"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [3, 2]})
    left.barh(list(GRADERS), [per[name] for name in GRADERS], color=[colours[name] for name in GRADERS])
    for y, name in enumerate(GRADERS):
        left.plot([s / size for s in seconds[name]], [y] * len(seconds[name]), "k|", markersize=14)
    left.set_title(f"Seconds per submission ({size} submissions)\nbar: median; ticks: each run", fontsize=10)
    left.set_xlabel("seconds per submission")
    left.invert_yaxis()
    speed = [per[name] / per["casework"] for name in TARGETS]
    right.barh(list(TARGETS), speed, color=[colours[name] for name in TARGETS])
    for y, name in enumerate(TARGETS):
        right.plot([TARGETS[name]] * 2, [y - 0.4, y + 0.4], color="#D55E00", linewidth=2)
    right.axvline(1, color="grey", linestyle="--", linewidth=1)  # left of it, ours is slower
    right.set_title("How many times faster ours is\nbar: measured; orange line: target", fontsize=10)
    right.set_xlabel("their time / ours")
    right.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="wording", help="an exercise whose questions are all number, interval, category, set or span")
    parser.add_argument("--submissions", type=int, default=24, help="batch size (default 24: two classes of the 12-kind mix)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results")
    parser.add_argument("--keep", type=Path, help="build and grade in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    for module in ("nbgrader", "otter"):
        try:
            __import__(module)
        except ImportError:
            print(f"bench_anchors: {module} is not installed here; run it in the anchors environment:\n  python3 -m venv "
                  "benchmarks/.anchors-venv && benchmarks/.anchors-venv/bin/pip install -e \".[anchors]\" && "
                  "benchmarks/.anchors-venv/bin/python benchmarks/bench_anchors.py", file=sys.stderr)
            return 2
    if os.geteuid() != 0:
        print("bench_anchors: not root, so casework grade runs without namespace isolation (the result says so)", file=sys.stderr)
    started_load = os.getloadavg()[0]
    machine()  # described as the run starts (the tables written at the end repeat it)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        students, seconds, scores = measure(args.exercise, args.submissions, args.repeats, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-anchors-") as tmp:
            students, seconds, scores = measure(args.exercise, args.submissions, args.repeats, Path(tmp))
    report(args.exercise, students, seconds, scores, args.out, started_load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
