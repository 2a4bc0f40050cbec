"""Our grader against the anchors: one exercise graded by casework, nbgrader and otter-grader, side by side.

Run, in an environment of its own with the ``anchors`` extra (nbgrader and otter-grader are
never dependencies of the module), as root so that our grader's namespace isolation is on:

    python3 -m venv benchmarks/.anchors-venv && benchmarks/.anchors-venv/bin/pip install -e ".[anchors,scale]" \\
        && benchmarks/.anchors-venv/bin/python benchmarks/bench_anchors.py

The exercise (``--exercise``, default ``wording``) is converted by ``benchmarks/anchors.py``: an
nbgrader course (source, release by ``nbgrader generate_assignment``, submitted) whose hidden
autograder tests assert what our key checks, and an otter-grader autograder zip with the same
checks as exception-based tests. One batch of submissions (correct, partly right, wrong, blank,
erroring, and two hostile kinds) is written in all three forms with the same answer cells, then
graded with one worker each, interleaved, ``--repeats`` times:

- ours: ``casework grade FOLDER --exercise ID --workers 1``, the command itself, with the warm
  kernel pool (``zygote.py``: one host per worker forks each kernel);
- ours with cold kernels: ``grade_batch`` as the command calls it, in a process of its own that
  imports only the grader, with ``warm_kernels=False``: a fresh kernel host (a fresh interpreter
  importing pandas, matplotlib, ipykernel and helpers) per submission, which is what a fresh
  kernel process per submission cost before the pool;
- nbgrader: ``nbgrader autograde ID`` on a fresh copy of the course (one process, a kernel each);
- otter: ``otter run -a autograder.zip SUBMISSION`` once per submission (its non-container mode).

Then, once each: the same batch with two workers; a class of ``--class-size`` (honest kinds mixed
with the hostile fixtures of tests/submissions/wording/ that end on their own) graded with
``--class-workers`` threads and then on a local Dask cluster of as many workers, whose gradebooks
must be identical; the grader's peak memory per worker (PSS and RSS summed over its whole process
tree, sampled every 0.2 s) with 1 and 2 workers, on threads and on Dask, in runs of their own:
sampling reads every process's page tables, which slows the processes it reads, so no timed run
is sampled; and what importing nbformat costs a process. The graders' own output
goes to a log file named at the end, never into this one's (no kernel here talks over TCP).

Each figure is a median over the repeats of the batch's wall time divided by the batch size,
process start included. Targets: ours at least 2x faster than nbgrader and 5x faster than otter
per submission. The scores of the non-hostile submissions must agree; every disagreement is
printed. Writes anchors.md, anchors.csv and anchors.png to --out (linked from RESULTS.md).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import os
import re
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
from helpers.coursework.isolation import mode as isolation_mode  # noqa: E402
from helpers.coursework.isolation import summary as isolation_text  # noqa: E402
from helpers.coursework.source import RELEASE_DIR, build, compile_checks, load_key  # noqa: E402
from helpers.coursework.variants import assign  # noqa: E402

GRADERS = ("casework", "casework-cold", "nbgrader", "otter")
ANCHORS = ("nbgrader", "otter")
TARGETS = {"nbgrader": 2.0, "otter": 5.0}  # ours at least this many times faster per submission
CLASS_TARGET_SECONDS = 60  # a class of CLASS_SIZE, isolation on, on this machine's cores
MEMORY_TARGET_MIB = 300  # the grader's peak memory per worker
#: Hostile fixtures a class is mixed with: all of tests/submissions/wording/ but those that wait for
#: a time limit by design (they cost the instructor's --cell-timeout, not the grader's speed) and
#: those whose placeholders only the sandbox test fills in.
# fmt: off
WAITS_FOR_A_LIMIT = {"graded-with-errors.infinite-loop", "graded-with-errors.sleep", "timed-out.slow-cells",
                     "kernel-died.ignores-the-interrupt"}
# fmt: on
#: One class's mix, repeated to fill the batch. Hostile kinds are expected to score differently.
# fmt: off
CYCLE = ("correct", "partly-right", "wrong", "correct", "blank", "partly-wrong", "correct", "error-in-every-cell", "wrong",
         "forged-answer-objects", "correct", "kernel-dies")
# fmt: on
HOSTILE = {"forged-answer-objects", "kernel-dies"}
HOSTILE_FIXTURES = PROJECT / "tests" / "submissions" / "wording"
PROFILE_NOTE = "anchors-profile.md"  # written by hand from a profile when a target is missed
FORGED = {
    "number": "class Forged{n}(float):\n    def __sub__(self, other):\n        return 0.0\n\n\n{q} = Forged{n}({value!r})",
    "category": (
        "class Forged{n}(str):\n    __hash__ = str.__hash__\n\n    def strip(self, *chars):\n        return self\n\n"
        "    def casefold(self):\n        return self\n\n    def __eq__(self, other):\n        return True\n\n\n{q} = Forged{n}({value!r})"
    ),
    "span": (
        "class Forged{n}(str):\n    def strip(self, *chars):\n        return self\n\n    def split(self, *args):\n        return [self]\n\n"
        "    def __len__(self):\n        return 10**6\n\n\n{q} = Forged{n}({value!r})"
    ),
}


# --------------------------------------------------------------------------- the batch


def _literal(spec: dict, value) -> str:
    if spec["kind"] == "span":  # the expected value of a span question is the text and the accepted spans
        start, end = value["accept"][0]
        value = value["text"][start:end]
    return f"{spec['id']} = {value!r}"


def student_answers(
    exercise: str, kind: str, student_id: str, case, key: dict, checks: dict, reference: dict[str, str]
) -> dict[str, str]:
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


def material(exercise: str) -> tuple[dict, dict, object, dict[str, str]]:
    """The exercise's key, its compiled checks, the built-in case, and the reference solution's answer cells."""
    key = load_key(exercise)
    solution, _ = build(exercise, keep_solutions=True)
    reference = {
        c.metadata["casework"]["question"]: c.source for c in solution.cells if "question" in c.metadata.get("casework", {})
    }
    return key, compile_checks(key), load_case(), reference


def make_batch(exercise: str, size: int, workdir: Path) -> list[dict]:
    """Write the batch in our form, nbgrader's (in a course folder) and otter's; return who is who."""
    key, checks, case, reference = material(exercise)
    ours_release = nbformat.read(RELEASE_DIR / f"{exercise}.ipynb", as_version=4)
    course = workdir / "nbgrader-course"
    nbgrader_release = nbformat.read(anchors.nbgrader_course(exercise, course), as_version=4)
    anchors.otter_autograder(exercise, workdir / "otter" / "autograder.zip")
    students = []
    for number in range(size):
        kind = CYCLE[number % len(CYCLE)]
        student_id = f"s{number + 1:03d}"
        answers = student_answers(exercise, kind, student_id, case, key, checks, reference)
        for folder, release in (
            (workdir / "casework" / "submissions", ours_release),
            (workdir / "otter" / "submissions", ours_release),
            (course / "submitted" / student_id / exercise, nbgrader_release),
        ):
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{exercise}.ipynb" if folder.name == exercise else f"{student_id}.ipynb"
            nbformat.write(anchors.fill(release, student_id, answers), folder / name)
        students.append({"student_id": student_id, "kind": kind})
    return students


# --------------------------------------------------------------------------- the three graders


def _command(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def grade_casework(exercise: str, workdir: Path, run: int, students: list[dict], cold: bool = False) -> tuple[float, dict]:
    out = workdir / "casework" / f"grades-{'cold' if cold else 'pool'}-{run}"
    seconds, _ = run_grader(workdir / "casework" / "submissions", exercise, out, workers=1, cold=cold)
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    return seconds, scores


MEMORY_RUNS = ((1, "threads"), (2, "threads"), (2, "dask"))  # (workers, executor): a sampled run of the batch each
LOG = sys.stderr  # where the graders' own output goes (a log file named at the end; set in main)


#: The cold path, in a process of its own that imports only the grader: ``grade_batch`` with the
#: options ``casework grade`` gives it and ``warm_kernels=False`` (the command has no such option).
COLD_GRADE = """\
import os, sys
from pathlib import Path
from helpers.coursework.grade import Options, grade_batch
folder, exercise, out, workers = sys.argv[1:5]
options = Options(workers=int(workers), progress=False, warm_kernels=False, require_isolation=os.geteuid() == 0)
rows = grade_batch(Path(folder), exercise, Path(out), options)
sys.exit(0 if all(row.final for row in rows) else 1)
"""


def run_grader(
    folder: Path, exercise: str, out: Path, workers: int, cold: bool = False, executor: str = "threads", sample: bool = False
) -> tuple[float, dict]:
    """Grade ``folder`` in a process of its own; its wall time, and with ``sample`` its peak memory.

    The warm path runs ``casework grade`` (``--require-isolation`` as root, as a grading server
    would); the cold path runs :data:`COLD_GRADE`. With ``sample``, memory is read every 0.2 s over
    the whole process tree (grader, sandbox workers, kernel hosts, kernels, Dask's processes): the
    sum of PSS (each shared page split among the processes that share it, so a forked kernel is
    not charged for the host's pages) and of RSS. Reading it slows the processes read, so a run
    whose time counts is never sampled.
    """
    if cold:
        command = [sys.executable, "-c", COLD_GRADE, str(folder), exercise, str(out), str(workers)]
    else:
        command = [_command("casework"), "grade", str(folder), "--exercise", exercise, "--out", str(out)]
        command += ["--workers", str(workers), "--executor", executor] + (["--require-isolation"] if os.geteuid() == 0 else [])
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"pss": 0, "rss": 0}
    while sample and process.poll() is None:
        tree = memory_of_tree(process.pid)
        peak = {key: max(peak[key], tree[key]) for key in peak}
        time.sleep(0.2)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    # 1: graded, but some rows need the instructor (the hostile ones); an uncaught exception exits 1
    # too, so a run counts only if it wrote its gradebook
    if process.returncode not in (0, 1) or not (out / "gradebook.csv").is_file():
        raise RuntimeError(f"grading {folder} failed (exit {process.returncode}, no gradebook):\n{stderr[-3000:]}")
    LOG.write(f"--- {' '.join(command)}\n{stdout}{stderr}")
    return seconds, peak


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    return children


def memory_of_tree(pid: int) -> dict[str, int]:
    """PSS and RSS in bytes, summed over ``pid`` and every process below it."""
    children, todo, total = _children(), [pid], {"pss": 0, "rss": 0}
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Pss:", "Rss:")):
                    total[line[:3].lower()] += int(line.split()[1]) * 1024
        except OSError:
            pass  # ended meanwhile, or a kernel thread
    return total


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
        command = [
            _command("otter"),
            "run",
            "-a",
            str(workdir / "otter" / "autograder.zip"),
            "-o",
            str(out),
            "--no-logo",
            str(workdir / "otter" / "submissions" / f"{student['student_id']}.ipynb"),
        ]
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, cwd=out, check=False)  # non-zero when the kernel died: no results
        seconds += time.perf_counter() - started
        scores[student["student_id"]] = anchors.otter_score(out / "results.json")
    return seconds, scores


RUNNERS = {
    "casework": grade_casework,
    "casework-cold": lambda *args: grade_casework(*args, cold=True),
    "nbgrader": grade_nbgrader,
    "otter": grade_otter,
}


# --------------------------------------------------------------------------- a class of 200


def make_class(exercise: str, size: int, folder: Path) -> dict[str, str]:
    """A class of ``size``: honest submissions of every kind in CYCLE, and one in four a hostile fixture."""
    key, checks, case, reference = material(exercise)
    release = nbformat.read(RELEASE_DIR / f"{exercise}.ipynb", as_version=4)
    fixtures = sorted(p for p in HOSTILE_FIXTURES.glob("*.ipynb") if p.stem not in WAITS_FOR_A_LIMIT and not _has_placeholder(p))
    folder.mkdir(parents=True)
    kinds = {}
    for number in range(size):
        student_id = f"c{number + 1:03d}"
        if number % 4 == 3:
            fixture = fixtures[(number // 4) % len(fixtures)]
            (folder / f"{student_id}.ipynb").write_bytes(fixture.read_bytes())  # as the fixture is: its own id, so needs-review
            kinds[student_id] = fixture.stem
        else:
            kind = CYCLE[number % len(CYCLE)]
            answers = student_answers(exercise, kind, student_id, case, key, checks, reference)
            nbformat.write(anchors.fill(release, student_id, answers), folder / f"{student_id}.ipynb")
            kinds[student_id] = kind
    return kinds


def _has_placeholder(path: Path) -> bool:
    """Whether the fixture holds a placeholder only the sandbox test fills in (``@CANARY_FILE@``...)."""
    return re.search(rb"@[A-Z_]+@", path.read_bytes()) is not None


def grade_class(exercise: str, size: int, workers: int, workdir: Path) -> list[dict]:
    """The class graded with ``workers`` threads, then on a local Dask cluster of ``workers``; the rows to print."""
    folder = workdir / "class" / "submissions"
    kinds = make_class(exercise, size, folder)
    times, books = {}, {}
    for executor in ("threads", "dask"):
        out = workdir / "class" / f"grades-{executor}"
        times[executor], _ = run_grader(folder, exercise, out, workers=workers, executor=executor)
        books[executor] = (out / "gradebook.csv").read_text(encoding="utf-8")
        print(f"class of {size}, {workers} workers, {executor}: {times[executor]:.1f} s", flush=True)
    with open(workdir / "class" / "grades-threads" / "gradebook.csv", encoding="utf-8", newline="") as handle:
        statuses: dict[str, int] = {}
        for row in csv.DictReader(handle):
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    hostile = sum(1 for kind in kinds.values() if kind not in CYCLE)
    same = compare_books(books["threads"], books["dask"], kinds)
    mix = f"{size - hostile} honest, {hostile} hostile fixtures"
    return [
        {
            "measure": f"class of {size} ({mix}), {workers} workers, threads, isolation {isolation_mode()}",
            "value": f"{times['threads']:.1f} s",
            "ratio": times["threads"] / CLASS_TARGET_SECONDS,
            "target": f"<= 1x ({CLASS_TARGET_SECONDS} s)",
        },
        {
            "measure": f"the same class, {workers} workers, Dask local cluster",
            "value": f"{times['dask']:.1f} s",
            "ratio": times["dask"] / times["threads"],
            "target": "",
        },
        {
            "measure": "Dask gradebook against the threads gradebook",
            "value": same,
            "ratio": "",
            "target": "identical",
        },
        {
            "measure": "the class's statuses",
            "value": ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())),
            "ratio": "",
            "target": "",
        },
    ]


#: Columns a fixture whose outcome varies by design may differ in between two runs (its score may not).
VARYING_COLUMNS = ("status", "exported", "reason")


def compare_books(first: str, second: str, kinds: dict[str, str]) -> str:
    """Whether two gradebooks of one class are the same, row by row, said in words.

    A ``contained.`` fixture (tests/submissions/make_fixtures.py) accepts several statuses: a fork
    bomb, for one, ends as an error in its cell or as a dead kernel depending on which of its
    processes the limits stop first. Its status and reason may differ between runs; its score not.
    """
    rows = [{row["submission"]: row for row in csv.DictReader(io.StringIO(book))} for book in (first, second)]
    if rows[0].keys() != rows[1].keys():
        return "DIFFERENT: not the same submissions"
    varying, different = [], []
    for name, row in rows[0].items():
        other = rows[1][name]
        if row == other:
            continue
        kind = kinds.get(Path(name).stem, "")
        if kind.startswith("contained.") and all(row[c] == other[c] for c in row if c not in VARYING_COLUMNS):
            varying.append(f"{name} ({kind})")
        else:
            different.append(name)
    if different:
        return f"DIFFERENT: {', '.join(different[:5])}"
    if varying:
        return "identical but for the status or reason of " + ", ".join(varying) + ", whose outcome varies by design"
    return "identical"


def import_tax() -> list[dict]:
    """What importing nbformat costs a fresh process, and rfc3987_syntax's share (jsonschema loads it when installed)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import nbformat"], capture_output=True, text=True, check=True
    )
    cumulative = {
        line.split("|")[2].strip(): int(line.split("|")[1])
        for line in done.stderr.splitlines()
        if line.count("|") == 2 and line.split("|")[1].strip().isdigit()
    }
    nbformat_us, syntax_us = cumulative.get("nbformat", 0), cumulative.get("rfc3987_syntax", 0)
    return [
        {
            "measure": "import nbformat in a fresh process (grader and each sandbox worker; never a kernel)",
            "value": f"{nbformat_us / 1e6:.2f} s, of which rfc3987_syntax {syntax_us / 1e6:.2f} s",
            "ratio": "",
            "target": "",
        }
    ]


def memory_rows(exercise: str, workdir: Path) -> list[dict]:
    """The grader's peak memory per worker on the batch, one sampled run for each of MEMORY_RUNS."""
    rows = []
    for workers, executor in MEMORY_RUNS:
        out = workdir / "casework" / f"grades-memory-{workers}-{executor}"
        _, peak = run_grader(workdir / "casework" / "submissions", exercise, out, workers=workers, executor=executor, sample=True)
        pss, rss = peak["pss"] / 2**20, peak["rss"] / 2**20
        rows.append(
            {
                "measure": f"grader's peak memory, {workers} worker(s), {executor} "
                "(whole process tree; PSS, and RSS which counts shared pages once per process)",
                "value": f"{pss / workers:.0f} MiB per worker (PSS; RSS {rss / workers:.0f})",
                "ratio": pss / workers / MEMORY_TARGET_MIB,
                "target": f"<= 1x ({MEMORY_TARGET_MIB} MiB)",
            }
        )
    return rows


# --------------------------------------------------------------------------- measuring and reporting


def measure(exercise: str, size: int, repeats: int, workdir: Path) -> tuple[list[dict], dict, list[dict]]:
    students = make_batch(exercise, size, workdir)
    seconds: dict[str, list[float]] = {name: [] for name in GRADERS}
    scores: dict[str, list[dict]] = {name: [] for name in GRADERS}
    for run in range(repeats):
        order = GRADERS[run % len(GRADERS) :] + GRADERS[: run % len(GRADERS)]  # interleaved, rotated: drift hits all alike
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
                problems.append(
                    f"{sid}: {name} gave different scores in different runs: {[runs.get(sid) for runs in scores[name]]}"
                )
        if student["kind"] not in HOSTILE and len({row[name] for name in GRADERS}) > 1:
            problems.append(f"{sid} ({student['kind']}): " + ", ".join(f"{name} {row[name]}" for name in GRADERS))
    return table, problems


def _score(value) -> str:
    return "no grade" if value is None else f"{value:g}"


def report(exercise: str, students, seconds, scores, out: Path, started_load: float, extra: list[dict]) -> None:
    size = len(students)
    per = {name: statistics.median(seconds[name]) / size for name in GRADERS}
    table, problems = agreement(students, scores)
    honest = [row for row in table if row["kind"] not in HOSTILE]
    agreeing = sum(len({row[name] for name in GRADERS}) == 1 for row in honest)
    isolation = isolation_text(isolation_mode())
    versions = {name: importlib.metadata.version(name) for name in ("nbgrader", "otter-grader", "papermill", "nbclient")}
    on = "isolation on" if os.geteuid() == 0 else "ISOLATION OFF: not root"
    rows = [
        {
            "measure": f"casework grade, warm kernel pool, per submission ({exercise}, {size} mixed, 1 worker, {on})",
            "value": f"{per['casework']:.2f} s",
            "ratio": "",
            "target": "",
        },
        {
            "measure": "casework grade, cold kernels (a fresh kernel host per submission), per submission",
            "value": f"{per['casework-cold']:.2f} s",
            "ratio": "",
            "target": "",
        },
        {
            "measure": f"nbgrader {versions['nbgrader']} autograde, per submission",
            "value": f"{per['nbgrader']:.2f} s",
            "ratio": "",
            "target": "",
        },
        {
            "measure": f"otter-grader {versions['otter-grader']} otter run, per submission",
            "value": f"{per['otter']:.2f} s",
            "ratio": "",
            "target": "",
        },
        {
            "measure": "speed-up from the pool (cold / pool)",
            "value": f"{per['casework-cold']:.2f} s / {per['casework']:.2f} s",
            "ratio": per["casework-cold"] / per["casework"],
            "target": "",
        },
        {
            "measure": "speed-up over nbgrader (its time / ours)",
            "value": f"{per['nbgrader']:.2f} s / {per['casework']:.2f} s",
            "ratio": per["nbgrader"] / per["casework"],
            "target": f">= {TARGETS['nbgrader']:g}x",
        },
        {
            "measure": "speed-up over otter-grader (its time / ours)",
            "value": f"{per['otter']:.2f} s / {per['casework']:.2f} s",
            "ratio": per["otter"] / per["casework"],
            "target": f">= {TARGETS['otter']:g}x",
        },
        {
            "measure": "cold kernels against nbgrader (its time / cold)",
            "value": f"{per['nbgrader']:.2f} s / {per['casework-cold']:.2f} s",
            "ratio": per["nbgrader"] / per["casework-cold"],
            "target": "",
        },
        {
            "measure": "same score from all four, non-hostile submissions",
            "value": f"{agreeing} of {len(honest)}",
            "ratio": "",
            "target": "all",
        },
        *extra,
    ]
    notes = [
        "![seconds per submission and speed-ups](anchors.png)",
        "",
        f"How: `benchmarks/bench_anchors.py --exercise {exercise} --submissions {size} --repeats {len(seconds['casework'])}`; "
        "each figure is the median over the repeats (run interleaved, order rotated) of one batch's wall time over its size, "
        "process start included. nbgrader grades the batch in one `nbgrader autograde` process; otter-grader's `otter run` "
        "grades one submission per process (its mode without containers). Ours is the `casework grade` command; cold "
        "kernels are `grade_batch` with the command's options and `warm_kernels=False`, in a process that imports only "
        "the grader. The class, the Dask rows and memory: see the rows above (memory is sampled every 0.2 s over the "
        "grader's whole process tree, in runs of its own: sampling slows what it reads, so no timed run is sampled). "
        "Load average "
        f"{started_load:.2f} at the start and {os.getloadavg()[0]:.2f} at the end. Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".",
        "",
        f"Our isolation in this run: {isolation}.",
        "",
        "Seconds per run (whole batch): "
        + "; ".join(f"{name} " + ", ".join(f"{s:.1f}" for s in seconds[name]) for name in GRADERS)
        + ".",
        "",
        "## Scores, submission by submission (first run)",
        "",
        "| student | kind | casework | casework, cold | nbgrader | otter |",
        "|---|---|---|---|---|---|",
        *[
            f"| {r['student_id']} | {r['kind']}{' (hostile)' if r['kind'] in HOSTILE else ''} | {_score(r['casework'])} | "
            f"{_score(r['casework-cold'])} | {_score(r['nbgrader'])} | {_score(r['otter'])} |"
            for r in table
        ],
        "",
        (
            "Hostile kinds are expected to differ: `forged-answer-objects` gives wrong answers as objects that compare equal to "
            "anything (the anchors' tests run in the student's kernel and accept them; ours reads the plain values out of the "
            "kernel); `kernel-dies` exits the kernel after answering the first question (ours grades what was recorded)."
        ),
    ]
    if problems:
        notes += ["", "Disagreements:", "", *[f"- {p}" for p in problems]]
    if any(per[name] / per["casework"] < TARGETS[name] for name in ANCHORS) and (out / PROFILE_NOTE).exists():
        notes += ["", f"Below a target: where our time goes is profiled in [{PROFILE_NOTE}]({PROFILE_NOTE})."]
    write_table(rows, out, "anchors.md", "anchors.csv", "Against the anchors: nbgrader and otter-grader", notes)
    figure(per, seconds, size, out / "anchors.png")
    print(f"Machine: {machine()}")
    for row in rows:
        ratio = f"{row['ratio']:.2f}x" if isinstance(row["ratio"], float) else ""
        print(f"{row['measure']:<110} {row['value']:>34} {ratio:>7}  {row['target']}")
    for row in table:
        print(f"  {row['student_id']} {row['kind']:<22} " + "  ".join(f"{name} {_score(row[name]):>8}" for name in GRADERS))
    for problem in problems:
        print(f"DISAGREEMENT: {problem}")
    print(f"written: {out / 'anchors.md'}, {out / 'anchors.csv'}, {out / 'anchors.png'}")
    print(f"the graders' own output (warnings included): {LOG.name}")


def figure(per: dict, seconds: dict, size: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"casework": "#0072B2", "casework-cold": "#56B4E9", "nbgrader": "#E69F00", "otter": "#009E73"}
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
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--exercise", default="wording", help="an exercise whose questions are all number, interval, category, set or span"
    )
    parser.add_argument("--submissions", type=int, default=24, help="batch size (default 24: two classes of the 12-kind mix)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--class-size", type=int, default=200, help="the class graded with --class-workers, threads and Dask (0: none)"
    )
    parser.add_argument("--class-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results")
    parser.add_argument("--keep", type=Path, help="build and grade in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    for module in ("nbgrader", "otter"):
        try:
            __import__(module)
        except ImportError:
            print(
                f"bench_anchors: {module} is not installed here; run it in the anchors environment:\n  python3 -m venv "
                'benchmarks/.anchors-venv && benchmarks/.anchors-venv/bin/pip install -e ".[anchors,scale]" && '
                "benchmarks/.anchors-venv/bin/python benchmarks/bench_anchors.py",
                file=sys.stderr,
            )
            return 2
    if os.geteuid() != 0:
        print("bench_anchors: not root, so casework grade runs without namespace isolation (the result says so)", file=sys.stderr)
    started_load = os.getloadavg()[0]
    print(f"Machine: {machine()}", flush=True)  # described as the run starts (the tables written at the end repeat it)
    LOG = open(Path(tempfile.gettempdir()) / f"bench-anchors-{os.getpid()}.log", "w", encoding="utf-8")  # noqa: SIM115 - open for the run
    with tempfile.TemporaryDirectory(prefix="bench-anchors-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        students, seconds, scores = measure(args.exercise, args.submissions, args.repeats, workdir)
        extra = []
        took, _ = run_grader(
            workdir / "casework" / "submissions", args.exercise, workdir / "casework" / "grades-2-workers", workers=2
        )  # the same batch with two workers: the speed-up
        one = statistics.median(seconds["casework"])
        extra.append(
            {
                "measure": "the same batch, pool, 2 workers (one run; speed-up over 1 worker's median)",
                "value": f"{took:.1f} s",
                "ratio": one / took,
                "target": "",
            }
        )
        if args.class_size:
            extra += grade_class(args.exercise, args.class_size, args.class_workers, workdir)
        extra += memory_rows(args.exercise, workdir) + import_tax()
    report(args.exercise, students, seconds, scores, args.out, started_load, extra)
    LOG.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
