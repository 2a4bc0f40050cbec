"""The sandbox holds: one student can neither sink the batch, nor fail classmates, nor read the key.

One batch grades every fixture in tests/submissions/wording/ (each named by the status it must
get; see make_fixtures.py) with canaries around it: a file outside every working copy, a
listener on loopback and one on a Unix socket, and a second batch graded at the same time with
an honest student in it. Afterwards no canary may have changed, no listener may have been
reached, no process, control group, scratch folder or System V IPC object of the batch may
survive, and every honest row must be exactly what it is alone. As root the same batch is graded
a second time as an unprivileged user (isolation "userns"), and the protections table
(``isolation.PROTECTIONS``, repeated in coursework/README.md) is checked against both runs.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from helpers.coursework import isolation
from helpers.coursework.cache import ResultCache
from helpers.coursework.grade import Options, grade_batch
from helpers.coursework.source import build, load_key, with_ids

HOSTILE = Path(__file__).parent / "submissions" / "wording"
MODE = isolation.mode()
SECRET = "canary: the grader's own file, outside every working copy"
with open(HOSTILE / "expected.csv", encoding="utf-8") as _handle:
    EXPECTED = list(csv.DictReader(_handle))
SYSV_KEYS = (0xCA5E01, 0xCA5E02)


def holds(requirement: str, mode: str) -> bool:
    """Whether a fixture's ``isolation`` requirement ('', 'sandbox' or 'root') is met in ``mode``."""
    return {"": True, "sandbox": mode in ("root", "userns"), "root": mode == "root"}[requirement]


def _solution(student_id: str) -> bytes:
    return (nbformat.writes(with_ids(build("wording", keep_solutions=True)[0], student_id)) + "\n").encode()


class Listener:
    """A server that counts the connections it gets (none may come from a kernel)."""

    def __init__(self, family: int, address):
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(address)
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.address = self.server.getsockname()
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            client.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


def _sysv_objects() -> set[int]:
    keys = set()
    for table in ("/proc/sysvipc/shm", "/proc/sysvipc/msg"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        keys |= {int(row.split()[0]) for row in rows if row.split()}
    return keys


def _kernels_left(uids: range) -> list[str]:
    """Processes still running as a submission's user id that came from this grader's kernel host.

    Another grader on the machine (a second checkout's tests) leases user ids from the same range;
    its kernels sit in control groups named after its own process, so they are not counted. A
    process in no grader's control group is counted: nothing of ours should be there.
    """
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid in uids:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                groups = Path(f"/proc/{entry}/cgroup").read_text()
                another = "casework-grade-" in groups and f"casework-grade-{os.getpid()}-" not in groups
                if "helpers.coursework" in command and not another:
                    found.append(command[:100])
        except OSError:
            pass
    return found


def _leftovers(pid: int) -> list[str]:
    names = [f"casework-grade-{pid}-"]
    roots = [Path("/tmp"), *(isolation.CGROUP_ROOT / c for c in isolation.CONTROLLERS), isolation.CGROUP_ROOT]
    return [str(p) for root in roots if root.is_dir() for p in root.iterdir() if any(p.name.startswith(n) for n in names)]


def _fill(folder: Path, out: Path, canary: Path, port: int, sock: str, rows=EXPECTED) -> None:
    for row in rows:
        data = (HOSTILE / row["submission"]).read_bytes()
        for placeholder, value in (
            ("@SUBMISSIONS@", folder),
            ("@OUT@", out),
            ("@CANARY_FILE@", canary),
            ("@CANARY_PORT@", port),
            ("@CANARY_SOCKET@", sock),
            ("@GRADER_UID@", os.getuid()),
        ):
            data = data.replace(placeholder.encode(), str(value).encode())
        (folder / row["submission"]).write_bytes(data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The whole hostile batch, a concurrent honest batch, and what the canaries saw."""
    folder, out = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("grades")
    canary = tmp_path_factory.mktemp("canary") / "canary.txt"
    canary.write_text(SECRET)
    tcp = Listener(socket.AF_INET, ("127.0.0.1", 0))
    unix = Listener(socket.AF_UNIX, str(canary.parent / "canary.sock"))
    _fill(folder, out, canary, tcp.address[1], unix.address)
    huge = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x" * 1000) for _ in range(1200)])
    (folder / "rejected.huge-notebook.ipynb").write_text(nbformat.writes(huge))
    for student in ("k7", "m.m"):
        (folder / f"graded.reference-{student}.ipynb").write_bytes(_solution(f"graded.reference-{student}"))
    victims = tmp_path_factory.mktemp("other-batch")
    (victims / "victim.ipynb").write_bytes(_solution("victim"))
    options = Options(workers=2, timeout=40, cell_timeout=8, max_notebook_mb=1, progress=False)
    sysv_before = _sysv_objects()
    before = {p: p.read_bytes() for p in Path(__file__).parent.parent.joinpath("helpers").rglob("*.py")}
    os.environ["CASEWORK_TEST_SECRET"] = "must-not-reach-the-kernel"
    other: dict = {}
    concurrent = threading.Thread(
        target=lambda: other.update(rows=grade_batch(victims, "wording", victims / "out", Options(progress=False, timeout=60)))
    )
    try:
        concurrent.start()
        rows = grade_batch(folder, "wording", out, options)
        concurrent.join()
    finally:
        del os.environ["CASEWORK_TEST_SECRET"]
        tcp.close()
        unix.close()
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = grade_batch(folder, "wording", out, options)  # a re-run resumes from the stored results
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return {
        "rows": {r.submission: r for r in rows},
        "again": again,
        "rows_list": rows,
        "out": out,
        "folder": folder,
        "first": first,
        "second": second,
        "helpers_before": before,
        "canary": canary,
        "listeners": (tcp, unix),
        "other": other["rows"],
        "sysv_new": _sysv_objects() - sysv_before,
        "leftovers": _leftovers(os.getpid()),
    }


@pytest.mark.parametrize("row", EXPECTED, ids=[r["submission"] for r in EXPECTED])
def test_hostile_submission_gets_its_named_result(hostile, row):
    if not holds(row["isolation"], MODE):
        pytest.xfail(
            f"needs isolation {row['isolation']!r}; this run has {MODE!r} (see the protections table in coursework/README.md)"
        )
    result = hostile["rows"][row["submission"]]
    assert result.status in row["status"].split("|"), f"{result.status}: {result.reason}"
    assert (result.score or 0) == float(row["score"]), result.questions
    assert row["reason"] in result.reason


def test_batch_finishes_with_one_row_per_submission_and_a_rerun_changes_nothing(hostile):
    rows = hostile["rows_list"]
    submitted = sorted(p.name for p in hostile["folder"].iterdir())
    assert len(rows) >= 60 and sorted(r.submission for r in rows) == submitted
    with open(hostile["out"] / "gradebook.csv", encoding="utf-8") as handle:
        book = list(csv.DictReader(handle))
    assert [r["submission"] for r in book] == submitted
    assert all(len(r["reason"]) <= 2_100 for r in book), "a reason too long to read (a flood landed in the gradebook)"
    if MODE != "off":  # without a sandbox nothing is cached: a re-run runs everything again
        assert hostile["first"] == hostile["second"]
    assert hostile["rows"]["rejected.huge-notebook.ipynb"].status == "rejected"
    assert "over the 1 MB limit" in hostile["rows"]["rejected.huge-notebook.ipynb"].reason


def test_no_score_exceeds_what_the_answer_cells_earn_and_no_classmate_is_touched(hostile):
    for name in (
        "graded.patches-checking-machinery.ipynb",
        "graded.patches-answer-channel.ipynb",
        "graded.forged-answer-outputs.ipynb",
    ):
        assert all(q.points == 0 for q in hostile["rows"][name].questions), name
    for name in ("graded.reference-solution.ipynb", "graded.reference-k7.ipynb", "graded.reference-m.m.ipynb"):
        assert (hostile["rows"][name].status, hostile["rows"][name].score) == ("graded", 5), hostile["rows"][name].reason
    [victim] = hostile["other"]  # graded at the same time, in a batch of its own
    assert (victim.status, victim.score) == ("graded", 5), victim.reason
    after = {p: p.read_bytes() for p in Path(__file__).parent.parent.joinpath("helpers").rglob("*.py")}
    assert after == hostile["helpers_before"]


@pytest.mark.skipif(MODE == "off", reason="without a sandbox a submission can reach the host: the table says what holds")
def test_no_canary_changed_no_listener_reached_and_nothing_survives(hostile):
    assert hostile["canary"].read_text() == SECRET
    assert [listener.connections for listener in hostile["listeners"]] == [0, 0]
    assert not Path("/tmp/casework-escape-test.txt").exists()
    assert not hostile["sysv_new"] & set(SYSV_KEYS), "System V IPC objects of a submission outlived it"
    assert _kernels_left(isolation.UID_RANGE) == []
    assert hostile["leftovers"] == []


def test_outputs_lms_file_feedback_summary_and_environment(hostile):
    out = hostile["out"]
    with open(out / "canvas-import.csv", encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert (
        canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and canvas[1][0].strip() == "Points Possible"
    )
    assert len(canvas) == 2 + len(hostile["rows"])  # one row per student: every file here has a student of its own
    exported = {row[2]: row[5] for row in canvas[2:]}
    for result in hostile["rows"].values():
        assert exported[result.student_id] == (f"{result.score:g}" if result.final else ""), result.submission
    feedback = list((out / "feedback").glob("*.html"))
    assert len(feedback) == len(hostile["rows"])
    for page in feedback:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "Content-Security-Policy" in text
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Most common wrong answers" in summary and "`999.0`" in summary
    assert (out / "score-distribution.png").read_bytes().startswith(b"\x89PNG")
    environment = json.loads((out / "environment.json").read_text(encoding="utf-8"))
    assert environment["isolation"]["mode"] == MODE and environment["isolation"]["protections"] == isolation.held(MODE)
    assert environment["exercise_source_sha256"] == load_key("wording")["source_sha256"]
    assert all(r.isolation == isolation.summary(MODE) for r in hostile["rows"].values())


# --------------------------------------------------------------------------- the same batch without root


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory):
    """As root, grade the whole hostile batch a second time as ``nobody`` (isolation "userns")."""
    if os.geteuid() != 0:
        pytest.skip("this run is already unprivileged: the hostile batch above is the unprivileged run")
    # Not under pytest's own temporary folder: a pytest session closes it to other users when it
    # starts (any other session on the machine, too), which would lock nobody out mid-batch.
    base = Path(tempfile.mkdtemp(prefix="casework-nobody-"))
    base.chmod(0o755)
    folder, out, canary_dir = base / "submissions", base / "grades", base / "canary"
    for made in (folder, out, canary_dir):
        made.mkdir()
    canary = canary_dir / "canary.txt"
    canary.write_text(SECRET)
    tcp = Listener(socket.AF_INET, ("127.0.0.1", 0))
    unix = Listener(socket.AF_UNIX, str(canary_dir / "canary.sock"))
    rows = [r for r in EXPECTED if r["submission"] != "graded.own-user-id.ipynb"]  # its @GRADER_UID@ is root's here
    _fill(folder, out, canary, tcp.address[1], unix.address, rows)
    for made in (folder, out):
        os.chown(made, 65534, 65534)
    project = Path(__file__).resolve().parent.parent
    command = [
        sys.executable,
        str(project / "tests" / "support" / "as_nobody.py"),
        *[a for p in (sys.base_prefix, sys.prefix, str(project), str(base)) for a in ("--reach", p)],
        "--",
        str(Path(sys.executable).parent / "casework"),
        "grade",
        str(folder),
        "--exercise",
        "wording",
        "--out",
        str(out),
        "--workers",
        "2",
        "--timeout",
        "40",
        "--cell-timeout",
        "8",
        "--no-progress",
        "--require-isolation",
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=1200,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(base), "LANG": "C.UTF-8"},
        )
    finally:
        tcp.close()
        unix.close()
    listing = subprocess.run(["ls", "-la", str(out), str(base)], capture_output=True, text=True).stdout
    assert done.returncode in (0, 1) and (out / "gradebook.csv").exists(), done.stderr[-1500:] + listing
    with open(out / "gradebook.csv", encoding="utf-8") as handle:
        book = {r["submission"]: r for r in csv.DictReader(handle)}
    environment = json.loads((out / "environment.json").read_text(encoding="utf-8"))
    canary_after = canary.read_text()
    shutil.rmtree(base, ignore_errors=True)
    return {
        "rows": book,
        "mode": environment["isolation"]["mode"],
        "canary": canary_after,
        "listeners": (tcp, unix),
        "expected": rows,
        "stderr": done.stderr,
    }


@pytest.mark.parametrize("row", EXPECTED, ids=[r["submission"] for r in EXPECTED])
def test_hostile_submission_gets_its_named_result_without_root(unprivileged, row):
    assert unprivileged["mode"] == "userns", unprivileged["stderr"][-500:]
    if row not in unprivileged["expected"]:
        pytest.skip("this fixture compares the kernel's user id with the grader's, which is root's in the root run only")
    if not holds(row["isolation"], "userns"):
        pytest.xfail(
            f"needs isolation {row['isolation']!r}, which needs root (see the protections table in coursework/README.md)"
        )
    result = unprivileged["rows"][row["submission"]]
    assert result["status"] in row["status"].split("|"), f"{result['status']}: {result['reason']}"
    assert float(result["score"] or 0) == float(row["score"]), result
    assert row["reason"] in result["reason"]


def test_without_root_no_canary_changed_and_no_listener_was_reached(unprivileged):
    assert unprivileged["canary"] == SECRET
    assert [listener.connections for listener in unprivileged["listeners"]] == [0, 0]
    assert (
        "casework grade: isolation userns (not held: own user id per submission, unique across concurrent batches; "
        "memory, processes and CPU capped for the submission as a whole (control groups))" in unprivileged["stderr"]
    )


# --------------------------------------------------------------------------- the protections table


#: The fixtures that show each protection (an honest or a hostile one per line of the table).
# fmt: off
SHOWN_BY = {
    "scrubbed environment, no standard input, time limits per cell and per notebook": [
        "graded.reads-environment-secrets", "graded-with-errors.input", "timed-out.slow-cells", "kernel-died.ignores-the-interrupt"],
    "memory, CPU time and file size limits per process": ["graded-with-errors.memory-bomb"],
    "kernel output capped (messages and widget data included)": ["graded.output-flood", "graded.widget-flood", "graded.answer-file-flood"],
    "no network, no host sockets": ["graded.network-attempt", "graded.host-sockets"],
    "files: only the working copy is writable; checkout, .git, keys, sources, other submissions and outputs are absent": [
        "graded.reads-key-submissions-gradebook", "graded.writes-outside-working-copy", "graded.key-from-git-and-other-checkouts"],
    "processes: no other submission's or host process is visible (own PID, IPC and mount namespaces)": [
        "graded.other-processes", "graded.sysv-ipc-of-others", "graded.new-privileges"],
    "disk: a working copy of fixed size": ["graded.disk-beyond-the-working-copy"],
    "nothing survives the submission (its PID namespace ends with it)": ["graded.sysv-ipc-left-behind", "contained.fork-bomb"],
    "results cache safe from submissions": ["graded.writes-outside-working-copy"],
    "own user id per submission, unique across concurrent batches": ["graded.own-user-id"],
    "memory, processes and CPU capped for the submission as a whole (control groups)": [
        "graded.memory-across-processes", "graded.cpu-in-children", "contained.fork-bomb"],
}
# fmt: on


def test_every_protection_is_shown_by_a_fixture_and_the_readme_table_says_the_same():
    assert set(SHOWN_BY) == set(isolation.PROTECTIONS)
    names = {r["submission"][: -len(".ipynb")] for r in EXPECTED}
    assert {f for fixtures in SHOWN_BY.values() for f in fixtures} <= names
    readme = (Path(__file__).parent.parent / "coursework" / "README.md").read_text(encoding="utf-8")
    for protection, modes in isolation.PROTECTIONS.items():
        cells = " | ".join("yes" if mode in modes else "no" for mode in ("root", "userns", "off"))
        assert f"| {protection} | {cells} |" in readme, protection


@pytest.mark.parametrize("protection", list(isolation.PROTECTIONS))
def test_each_protection_holds_in_every_mode_that_claims_it(protection, hostile, request):
    runs = {MODE: {name[: -len(".ipynb")]: (r.status, r.score or 0) for name, r in hostile["rows"].items()}}
    if os.geteuid() == 0:
        nobody = request.getfixturevalue("unprivileged")
        runs["userns"] = {name[: -len(".ipynb")]: (r["status"], float(r["score"] or 0)) for name, r in nobody["rows"].items()}
    expected = {r["submission"][: -len(".ipynb")]: r for r in EXPECTED}
    checked = 0
    for mode, rows in runs.items():
        if mode not in isolation.PROTECTIONS[protection]:
            continue
        for fixture in SHOWN_BY[protection]:
            if fixture not in rows:
                continue
            status, score = rows[fixture]
            assert status in expected[fixture]["status"].split("|") and score == float(expected[fixture]["score"]), (
                mode,
                fixture,
                status,
            )
            checked += 1
    if not any(mode in isolation.PROTECTIONS[protection] for mode in runs):
        pytest.xfail(f"claimed only in {isolation.PROTECTIONS[protection]}; this run has {sorted(runs)}")
    assert checked


def test_a_forged_or_damaged_cache_entry_is_run_again(tmp_path):
    cache = ResultCache(tmp_path / "results")
    record = {
        "report": {"errors": {}},
        "recorded": {"answers": {"q1": {"value": 1}}, "identities": [], "notes": []},
        "tampered": [],
        "cell_problems": {},
    }
    cache.put("alice.ipynb", "fingerprint", record)
    assert cache.get("alice.ipynb", "fingerprint")["recorded"] == record["recorded"]
    assert cache.get("alice.ipynb", "another fingerprint") is None
    path = next(p for p in (tmp_path / "results").iterdir() if p.suffix == ".json")
    stored = json.loads(path.read_text())
    stored["body"] = stored["body"].replace('"value": 1', '"value": 5')
    path.write_text(json.dumps(stored))
    assert cache.get("alice.ipynb", "fingerprint") is None  # signed with a key only the grader reads
    assert oct((tmp_path / "results" / ".key").stat().st_mode & 0o777) == "0o600"


# --------------------------------------------------------------------------- a grader killed mid-batch


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) if entry.isdigit() else None
        except (OSError, IndexError, ValueError):
            continue
        if parent is not None:
            children.setdefault(parent, set()).add(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_grader_leaves_nothing_running_and_the_next_run_cleans_up(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    slow = with_ids(build("wording", keep_solutions=True)[0], "slow")
    slow.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(slow, folder / "slow.ipynb")
    casework = str(Path(sys.executable).parent / "casework")
    grader = subprocess.Popen(
        [casework, "grade", str(folder), "--exercise", "wording", "--out", str(tmp_path / "out"), "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = []
        for _ in range(600):  # until its kernel runs: a process forked by the kernel host, under the grader
            started = [p for p in _descendants(grader.pid) if b"zygote" in Path(f"/proc/{p}/cmdline").read_bytes()]
            if len(started) >= 2:  # the host and a forked kernel (or its warden)
                break
            time.sleep(0.1)
        assert len(started) >= 2, "the kernel never started"
        everything = _descendants(grader.pid)
    finally:
        grader.kill()
        grader.wait()
    for _ in range(100):
        if not any(_alive(p) for p in everything):
            break
        time.sleep(0.1)
    assert [p for p in everything if _alive(p)] == [], "processes of a killed grader live on"
    left = _leftovers(grader.pid)
    assert left, "expected the killed grader's scratch folder (and control groups, as root) to be there for the next run"
    (folder / "slow.ipynb").unlink()
    (folder / "quick.ipynb").write_bytes(_solution("quick"))
    assert (
        subprocess.run(
            [casework, "grade", str(folder), "--exercise", "wording", "--out", str(tmp_path / "out2"), "--no-progress"],
            capture_output=True,
        ).returncode
        == 0
    )
    assert _leftovers(grader.pid) == []


@pytest.mark.skipif(
    os.environ.get("CASEWORK_REQUIRE_ISOLATION") != "1",
    reason="set CASEWORK_REQUIRE_ISOLATION=1 (as .ci/run does) to require a sandbox",
)
def test_ci_grades_in_a_sandbox():
    """In CI a missing bubblewrap must fail the run, not turn every sandbox check into an expected failure."""
    assert MODE == ("root" if os.geteuid() == 0 else "userns"), f"isolation mode {MODE!r}: is Debian's bubblewrap installed?"


# --------------------------------------------------------------------------- nothing of one submission reaches the next

#: A submission that changes what a kernel forked from the same warm host would share, if anything
#: were shared: module globals, sys.modules, matplotlib's rcParams, the case's and the lexicon's
#: DataFrames (the lexicon is cached per process), and files wherever the kernel may write
#: (its working copy, /tmp, /dev/shm, IPython's startup folder, matplotlib's config folder), and
#: the case's files, which the sandbox keeps read-only.
STATE_WRITER = """\
import os, sys, types
import matplotlib
import helpers, helpers.wording
from helpers.lexicon import load_lexicon

helpers.CASEWORK_LEFT_BEHIND = "a module global"
helpers.wording.compare_statements = lambda *args, **kwargs: None
fake = types.ModuleType("helpers.wording")
fake.compare_statements = lambda *args, **kwargs: None
sys.modules["helpers.wording"] = fake
sys.modules["casework_left_behind"] = types.ModuleType("casework_left_behind")
matplotlib.rcParams["figure.dpi"] = 7
matplotlib.rcParams["axes.titlesize"] = 3.0
case.statements["text"] = "left behind"
load_lexicon().rows["pattern"] = "left behind"
startup = os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup")
for folder in (".", "/tmp", "/dev/shm", startup, os.environ["MPLCONFIGDIR"], str(case.path)):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "casework-left-behind.py"), "w") as handle:
            handle.write("import helpers\\nhelpers.CASEWORK_LEFT_BEHIND = 'a startup file'\\n")
    except OSError:
        assert folder == str(case.path), folder  # the case's files are read-only in a sandbox; the rest is the kernel's to write
with open(os.path.join(os.environ["MPLCONFIGDIR"], "matplotlibrc"), "w") as handle:
    handle.write("figure.dpi: 7\\n")
"""

#: An honest student's check, run right after start(): a pristine kernel passes it; each thing
#: STATE_WRITER leaves behind, if a kernel saw it, fails it, named.
STATE_PROBE = """\
import os, sys
import matplotlib
import helpers, helpers.wording
from helpers.lexicon import load_lexicon

left = []
if getattr(helpers, "CASEWORK_LEFT_BEHIND", None) or helpers.wording.compare_statements(case, [statement]) is None:
    left.append("module globals")
if "casework_left_behind" in sys.modules or not hasattr(sys.modules["helpers.wording"], "analyse_text"):
    left.append("sys.modules")
if matplotlib.rcParams["figure.dpi"] == 7 or matplotlib.rcParams["axes.titlesize"] == 3.0:
    left.append("rcParams")
if (case.statements["text"] == "left behind").any() or (load_lexicon().rows["pattern"] == "left behind").any():
    left.append("DataFrames")
startup = os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup")
found = [folder for folder in (".", "/tmp", "/dev/shm", startup, os.environ["MPLCONFIGDIR"], str(case.path))
         if os.path.exists(os.path.join(folder, "casework-left-behind.py"))]
if found:
    left.append("files in " + " ".join(os.path.basename(folder.rstrip("/")) or folder for folder in found))
assert not left, "left by an earlier submission: " + ", ".join(left)
"""


def _with_cells(student_id: str, first: tuple[str, ...] = (), last: tuple[str, ...] = ()) -> bytes:
    """The reference solution with code cells ``first`` right after the set-up cell and ``last`` at the end."""
    notebook = with_ids(build("wording", keep_solutions=True)[0], student_id)
    where = next(i for i, c in enumerate(notebook.cells) if "start(" in c.source) + 1
    for offset, source in enumerate(first):
        notebook.cells.insert(where + offset, nbformat.v4.new_code_cell(source))
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in last)
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"
    return (nbformat.writes(notebook) + "\n").encode()


@pytest.mark.skipif(
    MODE == "off", reason="without a sandbox submissions share /tmp and the grader's files: the table says what holds"
)
def test_nothing_one_submission_changes_reaches_the_next(tmp_path):
    """One worker, so every kernel is forked from the same warm host, one after the other (in name order)."""
    folder = tmp_path / "subs"
    folder.mkdir()
    submissions = {
        "a-probe-first": {"first": (STATE_PROBE,)},  # the probe in a kernel no submission has touched: the baseline
        "b-state-writer": {"last": (STATE_WRITER,)},  # after its answers, so its own grade shows the cell ran to the end
        "c-probe-after": {"first": (STATE_PROBE,)},  # the honest one after the writer: must grade exactly as the baseline
        "d-writer-then-probe": {"first": (STATE_WRITER, STATE_PROBE)},  # one kernel: what a shared kernel would show the probe
        "e-probe-last": {"first": (STATE_PROBE,)},
    }
    for name, cells in submissions.items():
        (folder / f"{name}.ipynb").write_bytes(_with_cells(name, **cells))
    rows = {
        r.student_id: r for r in grade_batch(folder, "wording", tmp_path / "out", Options(workers=1, progress=False, timeout=120))
    }
    # the probe does see each kind of state when it is there (else this test could not fail) ...
    shared = rows["d-writer-then-probe"]
    assert shared.status == "graded-with-errors", shared.reason
    assert (
        "left by an earlier submission: module globals, sys.modules, rcParams, DataFrames, files in . tmp shm startup .matplotlib"
        in shared.reason
    )
    # ... and the writer's cell ran to the end in its own kernel (no error: it changed everything it meant to)
    assert (rows["b-state-writer"].status, rows["b-state-writer"].score) == ("graded", 5), rows["b-state-writer"].reason

    def grade(row):  # each probe has a variant of its own, so its answers differ; its marks may not
        return row.status, row.score, row.reason, [(q.question, q.points, q.status) for q in row.questions]

    baseline = grade(rows["a-probe-first"])
    assert baseline[:2] == ("graded", 5), rows["a-probe-first"].reason
    assert grade(rows["c-probe-after"]) == baseline
    assert grade(rows["e-probe-last"]) == baseline
