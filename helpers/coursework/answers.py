"""The answer channel: how an answer leaves the student's kernel, and how the grader reads it.

In the kernel, a cell the grader inserts after each answer cell calls :func:`record`, which turns
the answer variable into plain JSON (numbers, text, lists; never pickle) and appends one line to
the answer file in the working copy. Student code can change what that line says, but only to
give a different answer: every check and every expected value lives in the grader's process.
The grader reads the file with :func:`read_answers`, which trusts nothing in it: sizes are
capped, every line is validated against the schema, unknown questions are ignored, and a
question recorded more than once is reported as a conflict rather than resolved silently.

:func:`shape_problem` says whether a value has the form a question asks for (a number, a pair,
one of the choices...). Self-checks and the grader share it, and it never needs the answer.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path

ANSWER_FILE = ".casework-answers.jsonl"
MAX_TEXT = 20_000
MAX_ITEMS = 1_000
MAX_LINE = 200_000
MAX_FILE = 2_000_000

KINDS = ("number", "interval", "category", "set", "span", "text")


class NotGradable(ValueError):
    """A value that cannot travel as an answer."""


def to_plain(value, depth: int = 0):
    """``value`` as JSON-ready data: numbers, text, lists, or raise :class:`NotGradable`."""
    if depth > 4:
        raise NotGradable("the answer is nested too deeply")
    if value is Ellipsis:
        raise NotGradable("not answered yet: replace `...` with your answer")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise NotGradable(f"the text is longer than {MAX_TEXT} characters")
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotGradable("the number is not finite")
        return float(value)
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:  # numpy scalars
        return to_plain(value.item(), depth + 1)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple)) or type(value).__name__ in ("Series", "Index", "ndarray"):
        items = list(value)
        if len(items) > MAX_ITEMS:
            raise NotGradable(f"the list has more than {MAX_ITEMS} items")
        return [to_plain(item, depth + 1) for item in items]
    raise NotGradable(f"a {type(value).__name__} cannot be graded: give a number, text or a list")


def record(question: str, namespace: dict, path: str = ANSWER_FILE) -> None:
    """Append the answer held in ``namespace[question]`` to the answer file (runs in the kernel)."""
    entry = {"question": question}
    try:
        if question not in namespace:
            raise NotGradable(f"no variable named {question} was defined")
        entry["value"] = to_plain(namespace[question])
    except NotGradable as problem:
        entry = {"question": question, "problem": str(problem)}
    line = json.dumps(entry, ensure_ascii=True)
    if len(line) > MAX_LINE:
        line = json.dumps({"question": question, "problem": "the answer is too large"})
    with open(path, "a", encoding="ascii") as answers:
        answers.write(line + "\n")


def read_answers(path: Path, questions: list[str]) -> tuple[dict, list[str]]:
    """What the answer file says, question by question, and what was wrong with the file.

    Returns ``({question: {"value": ...} | {"problem": ...} | {"conflict": n}}, notes)``.
    """
    notes: list[str] = []
    found: dict[str, list[dict]] = {}
    if not path.exists():
        return {}, ["no answers were recorded"]
    size = path.stat().st_size
    if size > MAX_FILE:
        notes.append(f"the answer file is {size} bytes; only the first {MAX_FILE} were read")
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE)
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            entry = json.loads(raw.decode("ascii"))
            ok = isinstance(entry, dict) and set(entry) in ({"question", "value"}, {"question", "problem"}) and isinstance(entry["question"], str)
            if ok and "problem" in entry:
                ok = isinstance(entry["problem"], str) and len(entry["problem"]) < 500
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            ok = False
        if not ok:
            notes.append(f"answer file line {number} is not a valid answer record and was ignored")
            continue
        if entry["question"] in questions:
            found.setdefault(entry["question"], []).append(entry)
    answers = {}
    for question, entries in found.items():
        if len(entries) > 1:
            answers[question] = {"conflict": len(entries)}
        else:
            answers[question] = {k: v for k, v in entries[0].items() if k != "question"}
    return answers, notes


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shape_problem(kind: str, value, choices=None, minimum=None, maximum=None, context: str | None = None) -> str | None:
    """What is wrong with the *form* of an answer, or None. Never looks at the right answer."""
    if kind == "number":
        if not _is_number(value):
            return "give a number (int or float)"
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            return f"a number between {minimum} and {maximum} is expected"
    elif kind == "interval":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
            return "give two numbers, [shortest, longest]"
        if value[0] > value[1]:
            return "the first number (shortest) is larger than the second (longest)"
    elif kind == "category":
        if not isinstance(value, str):
            return "give one of the choices, as text"
        if choices is not None and value.strip().casefold() not in {c.casefold() for c in choices}:
            return "that is not one of the choices: " + ", ".join(choices)
    elif kind == "set":
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return "give a list (or set) of ids, as text"
        if choices is not None:
            unknown = [v for v in value if v not in choices]
            if unknown:
                return f"{len(unknown)} item(s) are not ids this question knows"
    elif kind == "span":
        if not isinstance(value, str) or not value.strip():
            return "give the words, as text, copied exactly"
        if context is not None and value.strip() not in context:
            return "those words do not occur in the statement exactly as written"
    elif kind == "text":
        if not isinstance(value, str) or not value.strip():
            return "write your text as a string"
    else:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    return None
