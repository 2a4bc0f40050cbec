"""The answer channel: how an answer leaves the student's kernel, and how the grader reads it.

In the kernel, the grader's first cell calls :func:`open_channel` with the absolute path of the
answer file in the working copy (absolute, so a notebook that changes directory still records).
A cell the grader inserts after each answer cell calls :func:`record`, which turns the answer
variable into plain JSON (numbers, text, lists; never pickle) and appends one line to that file;
``start(...)`` adds a line saying which exercise, student id and case it used
(:func:`record_identity`). Student code can change what those lines say, but only to give a
different answer or to make its own identity doubtful: every check and every expected value lives
in the grader's process. The grader reads the file with :func:`read_answers`, which trusts
nothing in it: sizes are capped, every line is validated against the schema, unknown questions
are ignored, and a question recorded more than once is reported as a conflict rather than resolved
silently.

:func:`shape_problem` says whether a value has the form a question asks for (a number, a pair,
one of the choices...). Self-checks and the grader share it, and it never needs the answer.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

ANSWER_FILE = ".casework-answers.jsonl"
MAX_TEXT = 20_000
MAX_ITEMS = 1_000
MAX_LINE = 200_000
MAX_FILE = 2_000_000
MAX_ID = 200
MAX_INT = 10**15  # an answer is a count, a number of minutes or a rate: nothing larger is an answer
MAX_IDENTITIES = 20

KINDS = ("number", "interval", "category", "set", "span", "text", "coding")


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
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise NotGradable("the text holds a character that is not valid Unicode (a lone surrogate)") from None
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise NotGradable(f"the number has more than {len(str(MAX_INT))} digits")
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


_channel: str | None = None  # set in the grader's kernel only; a student's own session records nothing


def open_channel(path: str) -> None:
    """Send this kernel's answers to ``path`` (the grader's first cell calls this)."""
    global _channel
    _channel = path


def _append(entry: dict, path: str | None) -> None:
    target = path or _channel
    if target is None:
        return
    with open(target, "a", encoding="ascii") as answers:
        answers.write(json.dumps(entry, ensure_ascii=True) + "\n")


def record(question: str, namespace: dict, path: str | None = None) -> None:
    """Append the answer held in ``namespace[question]`` to the answer file (runs in the kernel)."""
    entry = {"question": question}
    try:
        if question not in namespace:
            raise NotGradable(f"no variable named {question} was defined")
        entry["value"] = to_plain(namespace[question])
    except NotGradable as problem:
        entry = {"question": question, "problem": str(problem)}
    if len(json.dumps(entry, ensure_ascii=True)) > MAX_LINE:
        entry = {"question": question, "problem": "the answer is too large"}
    _append(entry, path)


def record_identity(exercise: str, student_id: str, case_id: str, path: str | None = None) -> None:
    """Say which exercise, student id and case ``start(...)`` used (runs in the kernel)."""
    _append(
        {
            "identity": {
                "exercise": str(exercise)[:MAX_ID],
                "student_id": str(student_id)[:MAX_ID],
                "case_id": str(case_id)[:MAX_ID],
            }
        },
        path,
    )


@dataclass
class Recorded:
    """What an answer file says: answers by question, the identities ``start`` used, and problems."""

    answers: dict = field(default_factory=dict)  # {question: {"value": ...} | {"problem": ...} | {"conflict": n}}
    identities: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_capped(path: Path) -> tuple[bytes | None, str | None]:
    """The answer file's first ``MAX_FILE`` bytes, read only if it is a regular file and not a link.

    A kernel can put anything in its place: a link to a file the grader may read and it may
    not, a directory, a FIFO that would block a plain ``open`` forever.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, "no answers were recorded"
    except OSError as error:
        return None, f"the answer file could not be opened ({error.strerror}); no answers were read"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None, "the answer file is not a regular file; no answers were read"
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_FILE)
    note = f"the answer file is {info.st_size} bytes; only the first {MAX_FILE} were read" if info.st_size > MAX_FILE else None
    return data, note


def _valid_identity(entry) -> bool:
    inner = entry.get("identity")
    return (
        set(entry) == {"identity"}
        and isinstance(inner, dict)
        and set(inner) == {"exercise", "student_id", "case_id"}
        and all(isinstance(v, str) and len(v) <= MAX_ID for v in inner.values())
    )


def _valid_answer(entry) -> bool:
    if set(entry) not in ({"question", "value"}, {"question", "problem"}) or not isinstance(entry["question"], str):
        return False
    if "problem" in entry and not (isinstance(entry["problem"], str) and len(entry["problem"]) < 500):
        return False
    try:  # a line may spell a lone surrogate ("\\ud800"), which no output file could hold
        json.dumps(entry, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_answers(path: Path, questions: list[str]) -> Recorded:
    """What the answer file says, question by question, and what was wrong with the file."""
    recorded = Recorded()
    found: dict[str, list[dict]] = {}
    data, problem = _read_capped(path)
    if problem:
        recorded.notes.append(problem)
        if data is None:
            return recorded
    ignored = 0
    for raw in data.splitlines():
        try:
            entry = json.loads(raw.decode("ascii"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError):
            entry = None
        if isinstance(entry, dict) and _valid_identity(entry):
            if len(recorded.identities) < MAX_IDENTITIES and entry["identity"] not in recorded.identities:
                recorded.identities.append(entry["identity"])
        elif isinstance(entry, dict) and _valid_answer(entry):
            if entry["question"] in questions:
                found.setdefault(entry["question"], []).append(entry)
        elif raw.strip():
            ignored += 1
    if ignored:
        recorded.notes.append(f"{ignored} line(s) of the answer file are not valid answer records and were ignored")
    for question, entries in found.items():
        if len(entries) > 1:
            recorded.answers[question] = {"conflict": len(entries)}
        else:
            recorded.answers[question] = {k: v for k, v in entries[0].items() if k != "question"}
    return recorded


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
    elif kind == "coding":
        return _coding_problem(value, context)
    else:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    return None


def _coding_problem(value, context: dict | None) -> str | None:
    """A coding is a list of ``[statement_id, sentence, scheme, strategy]``, one per sentence and scheme.

    ``context`` (``{"items": [[statement_id, sentence], ...], "schemes": {scheme: [strategy, ...]}}``)
    says which sentences must be coded and with which strategies; it is public (the form shows it).
    """
    if not isinstance(value, list) or not all(
        isinstance(row, list)
        and len(row) == 4
        and isinstance(row[0], str)
        and isinstance(row[1], int)
        and not isinstance(row[1], bool)
        and isinstance(row[2], str)
        and isinstance(row[3], str)
        for row in value
    ):
        return "give the coding as the form writes it: a list of [statement, sentence, scheme, strategy]"
    keys = [(row[0], row[1], row[2]) for row in value]
    if len(set(keys)) < len(keys):
        return "a sentence is coded twice in one scheme"
    if context is None:
        return None
    schemes = context["schemes"]
    unknown = [row for row in value if row[2] not in schemes or row[3] not in schemes[row[2]]]
    if unknown:
        return f"{len(unknown)} code(s) are not strategies of their scheme"
    wanted = {(sid, n, scheme) for sid, n in context["items"] for scheme in schemes}
    missing, extra = len(wanted - set(keys)), len(set(keys) - wanted)
    if missing or extra:
        return f"{missing} sentence(s) not coded and {extra} that are not among the sentences to code"
    return None
