"""One of our exercises in the anchors' forms: an nbgrader course and an otter-grader autograder.

``benchmarks/bench_anchors.py`` grades the same submissions with ``casework grade``, nbgrader
0.9's ``autograde`` and otter-grader 7's ``otter run``; ``tests/test_anchors.py`` checks the
conversion. Each check of the grading key becomes one test function of plain assertions, the
same comparison as ``helpers/coursework/checks.py`` (form first, then the value), with the
expected value computed, as our grader does, by the key's ``expected(case, variant)`` for the
student's variant. The difference the benchmark is about is where that runs: in the anchors the
test runs in the student's kernel, after the student's code; in ours, in the grader's process.

Neither nbgrader nor otter-grader is needed to build the files; running them needs the
``anchors`` extra (``pip install -e ".[anchors]"``), never a dependency of the module itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat

from helpers.coursework.source import SOURCE_DIR, load_key, with_ids

#: The kinds a plain assertion can check; ``text`` needs a rubric and an instructor.
ASSERTED_KINDS = ("number", "interval", "category", "set", "span")


def _form_and_value(spec: dict) -> str:
    """The assertions of one question (``answer`` and ``expected(case, variant)`` are in scope)."""
    kind, name = spec["kind"], spec["id"]
    tolerance = spec.get("tolerance", 0)
    if kind == "number":
        lines = [
            f"assert isinstance(answer, numbers.Real) and not isinstance(answer, (bool, numpy.bool_)), '{name}: give a number'"
        ]
        if spec.get("minimum") is not None:
            lines.append(f"assert answer >= {spec['minimum']!r}, '{name}: out of range'")
        if spec.get("maximum") is not None:
            lines.append(f"assert answer <= {spec['maximum']!r}, '{name}: out of range'")
        lines.append(f"assert abs(answer - expected(case, variant)) <= {tolerance!r}, '{name}: not the expected value'")
    elif kind == "interval":
        lines = [
            f"assert isinstance(answer, (list, tuple)) and len(answer) == 2, '{name}: give [shortest, longest]'",
            f"assert all(isinstance(v, numbers.Real) and not isinstance(v, (bool, numpy.bool_)) for v in answer), '{name}: give two numbers'",
            f"assert answer[0] <= answer[1], '{name}: shortest is larger than longest'",
            f"assert all(abs(v - e) <= {tolerance!r} for v, e in zip(answer, expected(case, variant))), '{name}: not the expected interval'",
        ]
    elif kind == "category":
        lines = [f"assert isinstance(answer, str), '{name}: give one of the choices, as text'"]
        if spec.get("choices"):
            lines.append(
                f"assert answer.strip().casefold() in {sorted(c.casefold() for c in spec['choices'])!r}, '{name}: not one of the choices'"
            )
        lines.append(
            f"assert answer.strip().casefold() == str(expected(case, variant)).strip().casefold(), '{name}: not the expected choice'"
        )
    elif kind == "set":
        lines = [
            f"assert isinstance(answer, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in answer), '{name}: give a list of ids'",
            f"assert {{v.strip() for v in answer}} == set(expected(case, variant)), '{name}: not the expected ids'",
        ]
    elif kind == "span":
        lines = [
            f"assert isinstance(answer, str) and answer.strip(), '{name}: give the words, as text'",
            "found = expected(case, variant)",
            "quote = answer.strip()",
            "start = found['text'].find(quote)",
            f"assert start >= 0, '{name}: those words are not in the statement'",
            f"assert len(quote.split()) <= {spec.get('max_words', 12)!r}, '{name}: too many words'",
            f"assert any(start < b and a < start + len(quote) for a, b in found['accept']), '{name}: not what the question asks for'",
        ]
    else:
        raise ValueError(
            f"question {name}: a {kind!r} question is not checked by assertions (the anchors can grade {', '.join(ASSERTED_KINDS)})"
        )
    return "\n".join(lines)


def test_function(exercise: str, spec: dict) -> str:
    """``def test_qN(qN, student_id)``: the key's check for one question as assertions."""
    name = spec["id"]
    body = "\n".join(
        [
            "import numbers",
            "import numpy",
            "from helpers import load_case",
            "from helpers.coursework.variants import assign",
            "",
            spec["code"].strip(),
            "",
            "case = load_case()",
            f"variant = assign({exercise!r}, student_id, case)",
            f"answer = {name}",
            _form_and_value(spec),
        ]
    )
    doc = f'"""{name} ({spec["kind"]}, {spec["points"]} point(s)): the check of coursework/keys/{exercise}.json as assertions."""'
    return f"def test_{name}({name}, student_id):\n" + textwrap.indent(doc + "\n" + body, "    ") + "\n"


# --------------------------------------------------------------------------- nbgrader


def _nbgrader_meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: float | None = None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def nbgrader_source(exercise: str) -> nbformat.NotebookNode:
    """The master as an nbgrader source notebook: solution cells, and hidden autograder tests."""
    key = load_key(exercise)
    specs = {q["id"]: q for q in key["questions"]}
    master = nbformat.read(SOURCE_DIR / f"{exercise}.ipynb", as_version=4)
    notebook = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    for index, cell in enumerate(master.cells):
        casework = cell.metadata.get("casework", {})
        tags = cell.metadata.get("tags", [])
        if "checks" in tags:
            spec = specs[casework["question"]]
            source = f"### BEGIN HIDDEN TESTS\n{test_function(exercise, spec)}\ntest_{spec['id']}({spec['id']}, student_id)\n### END HIDDEN TESTS"
            new = nbformat.v4.new_code_cell(
                source, metadata={"nbgrader": _nbgrader_meta(f"test_{spec['id']}", grade=True, points=spec["points"])}
            )
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata={"tags": list(tags)} if tags else {})
            if "question" in casework:
                new.metadata["nbgrader"] = _nbgrader_meta(casework["question"], solution=True)
        else:
            new = nbformat.v4.new_markdown_cell(cell.source)
        new.id = cell.get("id") or f"cell-{index}"
        notebook.cells.append(new)
    return notebook


def nbgrader_course(exercise: str, root: Path) -> Path:
    """An nbgrader course folder with the exercise generated for release; returns the release notebook."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "casework-anchors"\n', encoding="utf-8"
    )
    source = root / "source" / exercise / f"{exercise}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbgrader_source(exercise), source)
    nbgrader(["generate_assignment", exercise], root)
    return root / "release" / exercise / f"{exercise}.ipynb"


def nbgrader(arguments: list[str], root: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGUMENTS`` in the course folder ``root`` (from this interpreter's environment)."""
    command = [sys.executable, "-m", "nbgrader", *arguments, "--log-level=WARN"]
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}  # it runs `alembic`
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=check)


def nbgrader_scores(root: Path, exercise: str, student_ids: list[str]) -> dict[str, float | None]:
    """Each student's total from the course's gradebook (None: nbgrader recorded no grade)."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, float | None] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in student_ids:
            try:
                scores[student] = float(gradebook.find_submission(exercise, student).score)
            except MissingEntry:
                scores[student] = None
    return scores


# --------------------------------------------------------------------------- otter-grader


def otter_test_file(exercise: str, spec: dict) -> str:
    """An otter-grader exception-based test file for one question (hidden, like all of ours)."""
    return (
        f'OK_FORMAT = False\n\nfrom otter.test_files import test_case\n\nname = "{spec["id"]}"\npoints = {spec["points"]!r}\n\n\n'
        f"@test_case(points={spec['points']!r}, hidden=True)\n{test_function(exercise, spec)}"
    )


def otter_autograder(exercise: str, target: Path) -> Path:
    """The autograder zip ``otter run -a`` takes: a config and one test file per question."""
    key = load_key(exercise)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("otter_config.json", json.dumps({"lang": "python"}))
        for spec in key["questions"]:
            archive.writestr(f"tests/{spec['id']}.py", otter_test_file(exercise, spec))
    return target


def otter_score(results_json: Path) -> float | None:
    """The total ``otter run`` wrote (None: it wrote no results)."""
    try:
        results = json.loads(results_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tests = [t for t in results.get("tests", []) if "score" in t]
    return float(results["score"]) if "score" in results else float(sum(t["score"] for t in tests)) if tests else None


# --------------------------------------------------------------------------- submissions, the same in every form


def fill(notebook: nbformat.NotebookNode, student_id: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of a student notebook (ours, nbgrader's or otter's) with the student's id and answer cells.

    Answer cells are found by our metadata (``casework.question``) or nbgrader's (``grade_id``).
    """
    filled = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in filled.cells:
        if cell.cell_type != "code":
            continue
        question = cell.metadata.get("casework", {}).get("question")
        nbgrader_meta = cell.metadata.get("nbgrader", {})
        if question is None and nbgrader_meta.get("solution"):
            question = nbgrader_meta.get("grade_id")
        if question in answers:
            cell.source = answers[question]
    return with_ids(filled, student_id)
