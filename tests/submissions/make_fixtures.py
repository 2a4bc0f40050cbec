"""Write the hostile and broken submissions for the ``wording`` exercise (run from the project root).

Each file is named ``EXPECTED-STATUS.what-it-does.ipynb``; ``expected.csv`` gives the score it
must get and a phrase its reason must contain. The base is the reference solution (full marks),
with the file's own name typed in as its student id (``ID.ipynb`` is student ID's file), so any
other score or status is the effect of what the submission does. Regenerate with
``python tests/submissions/make_fixtures.py`` after changing the wording exercise.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import nbformat

from helpers.coursework.source import build, with_ids

HERE = Path(__file__).parent / "wording"


def base():
    notebook, _ = build("wording", keep_solutions=True)
    return notebook


def answer_index(notebook, question):
    return next(i for i, c in enumerate(notebook.cells) if c.metadata.get("casework", {}).get("question") == question)


def with_cell(source, after=None, notebook=None):
    """The solution with one code cell added after the answer cell of ``after`` ("start": after the
    set-up cell; None: at the end)."""
    notebook = notebook or base()
    if after == "start":  # right after the set-up cell, before any answer is recorded
        where = next(i for i, c in enumerate(notebook.cells) if "start(" in c.source) + 1
    else:
        where = answer_index(notebook, after) + 1 if after else len(notebook.cells)
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"hostile-{where}"
    notebook.cells.insert(where, cell)
    return notebook


def wrong_answers(notebook):
    """Replace each answer with a wrong one (so only tampering could earn points)."""
    values = {"q1": "999.0", "q2": '"future"', "q3": '"not in the statement at all"'}
    for question, value in values.items():
        cell = notebook.cells[answer_index(notebook, question)]
        cell.source = f"{question} = {value}"
    return notebook


# (file stem, expected statuses separated by |, expected score, phrase in the reason, notebook or bytes, needs root isolation)
FIXTURES = []


def fixture(stem, status, score, reason, content, isolation="", own_id=True):
    """One submission; a notebook gets its file stem as student id unless ``own_id`` is False."""
    if own_id and not isinstance(content, bytes):
        content = with_ids(copy.deepcopy(content), stem)
    FIXTURES.append((stem, status, score, reason, content, isolation))


fixture("graded.reference-solution", "graded", 5, "", base())
fixture("graded-with-errors.infinite-loop", "graded-with-errors", 5, "cell limit", with_cell("while True:\n    pass", after="q1"))
fixture("graded-with-errors.sleep", "graded-with-errors", 5, "cell limit", with_cell("import time\ntime.sleep(10_000)", after="q2"))
fixture("graded-with-errors.input", "graded-with-errors", 5, "StdinNotImplementedError", with_cell('name = input("Your name? ")', after="q1"))
fixture("kernel-died.os-exit", "kernel-died", 2, "kernel died", with_cell("import os\nos._exit(3)", after="q1"))
fixture("kernel-died.segfault", "kernel-died", 3, "kernel died", with_cell("import ctypes\nctypes.string_at(0)", after="q2"))
fixture("graded-with-errors.memory-bomb", "graded-with-errors", 5, "MemoryError",
        with_cell("hoard = []\nwhile True:\n    hoard.append(bytearray(50_000_000))", after="q3"))
fixture("contained.fork-bomb", "graded|graded-with-errors|failed|kernel-died", 5, "",
        with_cell("import os\nwhile True:\n    os.fork()", after="q3"))
slow = base()
for number in range(6):
    cell = nbformat.v4.new_code_cell("import time\ntime.sleep(7.5)")
    cell.id = f"slow-{number}"
    slow.cells.insert(answer_index(slow, "q1") + 1, cell)
fixture("timed-out.slow-cells", "timed-out", 2, "ran longer than", slow)
fixture("graded.output-flood", "graded", 5, "",
        with_cell('print("x" * 30_000_000)\nfor _ in range(300):\n    print("y" * 100_000)', after="q1"))

broken = base()
for cell in broken.cells:
    if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
        cell.source = "1 / 0\n" + cell.source
fixture("graded-with-errors.error-in-every-cell", "graded-with-errors", 0, "ZeroDivisionError", broken)

deleted = base()
del deleted.cells[answer_index(deleted, "q3")]
fixture("graded-with-errors.deleted-answer-cell", "graded-with-errors", 3, "q3: the answer cell was deleted", deleted)

duplicated = base()
index = answer_index(duplicated, "q1")
twin = copy.deepcopy(duplicated.cells[index])
twin.id = "duplicate-of-q1"
duplicated.cells.insert(index + 1, twin)
fixture("graded.duplicated-answer-cell", "graded", 3, "q1: the answer cell appears 2 times", duplicated)

reordered = base()
first = answer_index(reordered, "q1")
block = reordered.cells[first - 1:first + 2]  # prompt, answer, self-check
del reordered.cells[first - 1:first + 2]
at = answer_index(reordered, "q3") + 2
reordered.cells[at:at] = block
fixture("graded.reordered-cells", "graded", 5, "", reordered)

retyped = base()
index = answer_index(retyped, "q3")
old = retyped.cells[index]
new = nbformat.v4.new_markdown_cell(old.source, metadata=old.metadata)
new.id = old.id
retyped.cells[index] = new
fixture("graded-with-errors.retyped-answer-cell", "graded-with-errors", 3, "q3: the answer cell was changed to a markdown cell", retyped)

v3 = nbformat.writes(base())
fixture("unreadable.wrong-nbformat", "unreadable", 0, "not an nbformat 4 notebook", v3.replace('"nbformat": 4', '"nbformat": 3').encode())
fixture("unreadable.not-json", "unreadable", 0, "not JSON", b"print('this is a Python script, not a notebook')\n")
fixture("unreadable.truncated-json", "unreadable", 0, "not JSON", v3.encode()[: len(v3) // 2])
fixture("unreadable.empty-file", "unreadable", 0, "empty", b"")
fixture("unreadable.binary-file", "unreadable", 0, "not UTF-8", bytes(range(256)) * 8)
fixture("unreadable.invalid-utf8", "unreadable", 0, "not UTF-8", v3.encode().replace(b"Exercise 1", b"Exercise \xff\xfe1", 1))

fixture("graded.reads-key-submissions-gradebook", "graded", 5, "", with_cell('''\
import glob, os
import helpers
project = os.path.dirname(os.path.dirname(helpers.__file__))
found = []
for pattern in [project + "/coursework/keys/*", project + "/coursework/source/*", "@SUBMISSIONS@/*",
                "@OUT@/*", "../*/*.ipynb"]:
    for path in glob.glob(pattern):
        if os.path.realpath(path).startswith(os.getcwd() + os.sep):
            continue  # its own working copy
        try:
            with open(path, "rb") as handle:
                handle.read(10)
            found.append(path)
        except OSError:
            pass
if found:
    raise RuntimeError(f"could read {len(found)} file(s) outside the working copy: {found[:3]}")''', after="q3"), isolation="sandbox")

fixture("graded.writes-outside-working-copy", "graded", 5, "", with_cell('''\
import os
from pathlib import Path
import helpers
written = []
for target in [Path(helpers.__file__).parent / "coursework" / "checks.py", Path("@CANARY_FILE@"),
               Path("@OUT@") / "gradebook.csv", Path("@SUBMISSIONS@") / "graded.reference-solution.ipynb"]:
    try:
        with open(target, "a") as handle:
            handle.write("# tampered\\n")
        written.append(str(target))
    except OSError:
        pass
Path("/tmp/casework-escape-test.txt").write_text("inside the sandbox this is the submission's own /tmp")
if written:
    raise RuntimeError(f"could write outside the working copy: {written}")''', after="q3"), isolation="sandbox")

fixture("graded.patches-checking-machinery", "graded", 0, "", with_cell('''\
import helpers.coursework.checks as checks
import helpers.coursework.answers as answers
full = lambda spec, *args, **kwargs: {"points": spec["points"], "of": spec["points"], "status": "correct", "feedback": "correct"}
checks.grade_answer = full
answers.shape_problem = lambda *args, **kwargs: None
for name in list(checks.COMPARE):
    checks.COMPARE[name] = lambda *args, **kwargs: (True, "correct")
try:
    with open(checks.__file__, "a") as handle:
        handle.write("\\ngrade_answer = lambda spec, *a, **k: {'points': spec['points'], 'of': spec['points'], 'status': 'correct', 'feedback': ''}\\n")
except OSError:
    pass''', notebook=wrong_answers(base()), after="q1"))

fixture("graded.patches-answer-channel", "graded", 0, "", with_cell('''\
import json
import helpers.coursework.answers as answers
def forged(question, namespace, path=None):
    with open(answers._channel, "a") as handle:
        handle.write(json.dumps({"question": question, "value": 2, "points": 2, "status": "correct"}) + "\\n")
        handle.write(json.dumps({"question": question, "value": "correct"}) + "\\n")
        handle.write("{not json\\n")
answers.record = forged''', notebook=wrong_answers(base()), after="start"))

fixture("graded.forged-answer-outputs", "graded", 0, "", with_cell('''\
from IPython.display import display, JSON
print("q1: 2 / 2 correct\\nq2: 1 / 1 correct\\nq3: 2 / 2 correct")
display(JSON({"casework": {"score": 5, "q1": 2, "q2": 1, "q3": 2}}))
with open(".casework-answers.jsonl", "a") as handle:
    handle.write('{"question": "q1", "value": 0.0}\\n')''', notebook=wrong_answers(base()), after="q3"))

fixture("graded.network-attempt", "graded", 5, "", with_cell('''\
import socket
reached = []
for host, port in [("1.1.1.1", 53), ("pypi.org", 443), ("127.0.0.1", 22), ("127.0.0.1", @CANARY_PORT@)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        reached.append(f"{host}:{port}")
    except OSError:
        pass
if reached:
    raise RuntimeError(f"network reachable: {reached}")''', after="q1"), isolation="sandbox")

fixture("graded.reads-environment-secrets", "graded", 5, "", with_cell('''\
import os
leaked = {k for k in os.environ if any(word in k.upper() for word in ("SECRET", "TOKEN", "KEY", "PASSWORD", "CASEWORK_TEST"))}
if leaked:
    raise RuntimeError(f"secrets in the environment: {sorted(leaked)}")''', after="q2"))

blank = build("wording")[0]
fixture("graded.blank-student-version", "graded", 0, "unanswered: q1, q2, q3", blank)

# --------------------------------------------------------------------------- #17: the sandbox holds
# Each asserts a class of attack or accident (the leak, the channel, the limit, the row, the batch),
# not one payload: the cell tries every way it knows and raises if any got through, so a named
# status of "graded" with full marks means the protection held. "sandbox": needs isolation root or
# userns; "root": needs root (own user ids, control groups).

# Rows: odd notebooks and answer files get a row of their own and never stop the batch.
odd = base()
odd.cells[1].metadata["casework"] = "q1"  # the set-up cell, with casework metadata that is a string
fixture("graded.casework-metadata-is-a-string", "graded", 5, "", odd)
listed = base()
listed.cells[answer_index(listed, "q1")].metadata["casework"] = {"question": ["q1"]}
fixture("graded.answer-cell-question-is-a-list", "graded", 3, "q1: the answer cell was deleted", listed)
# JSON can spell a lone surrogate ("\\ud800"), which no UTF-8 output file could hold
surrogate = nbformat.writes(with_ids(with_cell("x = 'LONE-SURROGATE'", after="q1"), "unreadable.lone-surrogate"))
fixture("unreadable.lone-surrogate", "unreadable", 0, "not valid Unicode", surrogate.replace("LONE-SURROGATE", "\\ud800").encode())
huge = with_cell('''\
import helpers.coursework.answers as answers
with open(answers._channel, "a") as handle:
    handle.write('{"question": "q2", "value": ' + "9" * 5001 + '}\\n')''', after="q2")
huge.cells[answer_index(huge, "q1")].source = "q1 = 10 ** 5000"
fixture("graded.huge-integer-answers", "graded", 3, "not valid answer records", huge)
fixture("graded.answer-file-becomes-a-directory", "graded", 0, "not a regular file", with_cell('''\
import os
import helpers.coursework.answers as answers
os.remove(answers._channel)
os.mkdir(answers._channel)'''))
fixture("graded.answer-file-becomes-a-fifo", "graded", 0, "not a regular file", with_cell('''\
import os
import helpers.coursework.answers as answers
os.remove(answers._channel)
os.mkfifo(answers._channel)'''))
fixture("graded.answer-file-links-elsewhere", "graded", 0, "could not be opened", with_cell('''\
import os
import helpers.coursework.answers as answers
os.remove(answers._channel)
os.symlink("@CANARY_FILE@", answers._channel)'''))
fixture("graded.answer-file-flood", "graded", 5, "only the first", with_cell('''\
import helpers.coursework.answers as answers
with open(answers._channel, "a") as handle:
    handle.write("\\n" * 2_000_000 + "not an answer\\n" * 1000)'''))

# Channels: nothing a kernel prints reaches the grader's pipes; nothing of one submission reaches another.
fixture("graded.prints-to-the-grader-pipes", "graded", 5, "", with_cell('''\
import os, subprocess, sys
for fd in (1, 2):
    os.write(fd, b"done\\n" * 100)
subprocess.run(["sh", "-c", "echo done; echo done >&2"])
print("done")''', after="start"))
fixture("graded.shell-commands-that-print", "graded", 5, "", with_cell('''\
import subprocess
!echo an honest student looking around
!ls
print(subprocess.run(["echo", "from a subprocess"], capture_output=True, text=True).stdout)
subprocess.run(["ls", "-la"])''', after="q1"))
fixture("graded.changes-directory", "graded", 5, "", with_cell('''\
import os, tempfile
os.chdir(tempfile.gettempdir())''', after="start"))
numpy_answers = base()
cell = numpy_answers.cells[answer_index(numpy_answers, "q1")]
cell.source = cell.source.replace("q1 = float(", "import numpy as np\nq1 = np.float64(")
fixture("graded.numpy-scalar-answers", "graded", 5, "", numpy_answers)
twins = with_ids(base(), "graded.duplicate-cell-ids")
twins.cells[2].id = twins.cells[1].id  # two cells with one id, as copying cells in some editors gives
fixture("graded.duplicate-cell-ids", "graded", 5, "", (json.dumps(twins, indent=1) + "\n").encode())  # nbformat would fix the ids
other_kernel = base()
other_kernel.metadata["kernelspec"] = {"name": "python3.13", "display_name": "Python 3.13 (course)", "language": "python"}
fixture("graded.another-kernelspec", "graded", 5, "", other_kernel)
newer = base()
newer.nbformat_minor = 9
fixture("graded.newer-nbformat-minor", "graded", 5, "", newer)
fixture("graded.sysv-ipc-left-behind", "graded", 5, "", with_cell('''\
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
for key in (0xCA5E01, 0xCA5E02):
    if libc.shmget(key, 4096, IPC_CREAT | 0o666) < 0 or libc.msgget(key, IPC_CREAT | 0o666) < 0:
        raise RuntimeError("could not create the objects this fixture leaves behind")''', after="q1"), isolation="sandbox")
fixture("graded.sysv-ipc-of-others", "graded", 5, "", with_cell('''\
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
found = [hex(key) for key in (0xCA5E01, 0xCA5E02, 0xCA5E09) if libc.shmget(key, 0, 0) >= 0 or libc.msgget(key, 0) >= 0]
if found:
    raise RuntimeError(f"reached System V IPC objects of someone else: {found}")''', after="q2"), isolation="sandbox")
fixture("graded.host-sockets", "graded", 5, "", with_cell('''\
import glob, socket
reached = []
for path in ["@CANARY_SOCKET@", *glob.glob("/run/*.sock"), *glob.glob("/var/run/*.sock"), *glob.glob("/tmp/.X11-unix/*"),
             *glob.glob("/run/user/*/bus")]:
    try:
        client = socket.socket(socket.AF_UNIX)
        client.settimeout(2)
        client.connect(path)
        client.close()
        reached.append(path)
    except OSError:
        pass
if reached:
    raise RuntimeError(f"reached host sockets: {reached}")''', after="q2"), isolation="sandbox")
fixture("graded.other-processes", "graded", 5, "", with_cell('''\
import os, signal
mine = {os.getpid()}
seen = []
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) in mine:
        continue
    try:
        with open(f"/proc/{entry}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError:
        continue
    if any(word in command for word in ("casework", "pytest", "zygote", "sandbox", "ipykernel", "bwrap")):
        seen.append(command[:80])
        try:
            os.kill(int(entry), signal.SIGSTOP)  # what a hostile kernel would do to a classmate's
        except OSError:
            pass
if seen:
    raise RuntimeError(f"could see other processes: {seen[:3]}")''', after="q1"), isolation="sandbox")
fixture("graded.new-privileges", "graded", 5, "", with_cell('''\
import subprocess
status = open("/proc/self/status").read()
if "NoNewPrivs:\\t1" not in status:
    raise RuntimeError("NoNewPrivs is 0: a setuid program would run with its owner's rights")
escalated = subprocess.run(["sh", "-c", "command -v su >/dev/null && su -c id root"], capture_output=True, text=True)
if escalated.returncode == 0 and "uid=0" in escalated.stdout and __import__("os").getuid() != 0:
    raise RuntimeError("su gave root")''', after="q1"), isolation="sandbox")
fixture("graded.key-from-git-and-other-checkouts", "graded", 5, "", with_cell('''\
import glob, os, subprocess
import helpers
project = os.path.dirname(os.path.dirname(helpers.__file__))
leaks = []
for repo in {project, *glob.glob(os.path.dirname(project) + "/*")}:
    shown = subprocess.run(["git", "-C", repo, "show", "HEAD:coursework/keys/wording.json"], capture_output=True, text=True)
    if "def expected(" in shown.stdout:
        leaks.append(f"git show in {repo}")
    for path in glob.glob(repo + "/coursework/keys/*.json") + glob.glob(repo + "/helpers/_bundled/coursework/keys/*.json"):
        try:
            if "def expected(" in open(path).read():
                leaks.append(path)
        except OSError:
            pass
if leaks:
    raise RuntimeError(f"the grading key was readable: {leaks[:3]}")''', after="q3"), isolation="sandbox")

# Limits that hold for the submission as a whole, and for a cell that will not stop.
fixture("kernel-died.ignores-the-interrupt", "kernel-died", 2, "went on after the interrupt", with_cell('''\
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass''', after="q1"))
fixture("graded.disk-beyond-the-working-copy", "graded", 5, "", with_cell('''\
import os
written = 0
try:
    for number in range(40):
        with open(f"filler-{number}", "wb") as handle:
            handle.write(b"x" * 10_000_000)
        written += 10_000_000
except OSError:
    pass
if written > 100_000_000:
    raise RuntimeError(f"wrote {written // 1_000_000} MB: no limit for the working copy as a whole")''', after="q3"), isolation="sandbox")
fixture("graded.memory-across-processes", "graded", 5, "", with_cell('''\
import os, time
release_read, release_write = os.pipe()  # each child holds its memory until every one has reported
children = []
for _ in range(3):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        hoard = bytearray(750_000_000)
        hoard[::4096] = b"\\1" * len(range(0, len(hoard), 4096))
        os.write(write_end, b"1")
        os.read(release_read, 1)
        os._exit(0)
    os.close(write_end)
    children.append((pid, read_end))
reported = sum(len(os.read(fd, 1)) for _, fd in children)
time.sleep(0.5)
alive = sum(os.waitpid(pid, os.WNOHANG) == (0, 0) for pid, _ in children)  # one may be killed after it reported
os.close(release_write)
if reported == 3 and alive == 3:
    raise RuntimeError("three processes held 2.25 GB at once: no memory limit for the submission as a whole")''', after="q3"), isolation="root")
fixture("graded.cpu-in-children", "graded", 5, "", with_cell('''\
import os, resource, time
began = time.monotonic()
pids = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        end = time.monotonic() + 3
        while time.monotonic() < end:
            pass
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
used = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
if used > 1.5 * (time.monotonic() - began):
    raise RuntimeError(f"children used {used:.1f} s of CPU in {time.monotonic() - began:.1f} s: more than one CPU")''', after="q3"), isolation="root")
fixture("graded.widget-flood", "graded", 5, "dropped", with_cell('''\
import ipywidgets
from IPython.display import display
for _ in range(100):
    display(ipywidgets.Textarea(value="y" * 500_000))  # 50 MB in messages the grader accepts, ten times the limit
display(ipywidgets.Textarea(value="x" * 8_000_000))  # and one larger than any it accepts''', after="q3"))
fixture("graded.own-user-id", "graded", 5, "", with_cell('''\
import os
if os.getuid() in (0, @GRADER_UID@):
    raise RuntimeError(f"the kernel runs as user id {os.getuid()}, the grader's own or root's")''', after="q2"), isolation="root")

# Identity: the grader never picks one of two ids (or cases, or exercises) silently.
fixture("needs-review.placeholder-id", "needs-review", 5, "still holds the placeholder id 'demo'", base(), own_id=False)
fixture("needs-review.classmates-id", "needs-review", 5, "worked with student id 'someone-else'", with_ids(base(), "someone-else"), own_id=False)
fixture("needs-review.id-set-by-code", "needs-review", 5, "sets student_id from an expression",
        with_cell('student_id = "needs-review.id-set-by-code".strip()', after="start"))
fixture("needs-review.other-case", "needs-review", 0, "works on case no-such-case",
        with_ids(base(), "needs-review.other-case", case_id="no-such-case"), own_id=False)
timing = build("timing", keep_solutions=True)[0]
fixture("needs-review.other-exercise", "needs-review", 0, "starts exercise 'timing', not 'wording'", timing)


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for old in HERE.glob("*.ipynb"):
        old.unlink()
    rows = []
    for stem, status, score, reason, content, isolation in FIXTURES:
        data = content if isinstance(content, bytes) else (nbformat.writes(content) + "\n").encode()
        (HERE / f"{stem}.ipynb").write_bytes(data)
        rows.append({"submission": f"{stem}.ipynb", "status": status, "score": score, "reason": reason, "isolation": isolation})
    with open(HERE / "expected.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["submission", "status", "score", "reason", "isolation"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} submissions to {HERE}")


if __name__ == "__main__":
    main()
