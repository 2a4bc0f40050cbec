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
    raise RuntimeError(f"could read {len(found)} file(s) outside the working copy: {found[:3]}")''', after="q3"), isolation="root")

fixture("graded.writes-outside-working-copy", "graded", 5, "", with_cell('''\
import os
from pathlib import Path
import helpers
written = []
for target in [Path(helpers.__file__).parent / "coursework" / "checks.py", Path("/tmp/casework-escape-test.txt"),
               Path("@OUT@") / "gradebook.csv", Path("@SUBMISSIONS@") / "graded.reference-solution.ipynb"]:
    try:
        with open(target, "a") as handle:
            handle.write("# tampered\\n")
        written.append(str(target))
    except OSError:
        pass
if written:
    raise RuntimeError(f"could write outside the working copy: {written}")''', after="q3"), isolation="root")

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
for host, port in [("1.1.1.1", 53), ("pypi.org", 443), ("127.0.0.1", 22)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        reached.append(f"{host}:{port}")
    except OSError:
        pass
if reached:
    raise RuntimeError(f"network reachable: {reached}")''', after="q1"), isolation="root")

fixture("graded.reads-environment-secrets", "graded", 5, "", with_cell('''\
import os
leaked = {k for k in os.environ if any(word in k.upper() for word in ("SECRET", "TOKEN", "KEY", "PASSWORD", "CASEWORK_TEST"))}
if leaked:
    raise RuntimeError(f"secrets in the environment: {sorted(leaked)}")''', after="q2"))

blank = build("wording")[0]
fixture("graded.blank-student-version", "graded", 0, "unanswered: q1, q2, q3", blank)

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
