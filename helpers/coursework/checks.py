"""The checks, run in the grader's process only, on plain data taken out of the student's kernel.

Each question in a grading key has a kind, points and options (a tolerance, choices...). The
expected value comes from the key's ``expected(case, variant)`` function, computed here from the
case data and ``helpers``, per student. Feedback names what is wrong with an answer in general
terms (the form, the direction of an error, how many items are missing), never the answer itself.
"""

from __future__ import annotations

from .answers import shape_problem
from .results import QuestionResult
from .rubric import apply_rubric, load_rubric, manual_points


def _result(points: float, of: float, status: str, feedback: str) -> QuestionResult:
    return QuestionResult("", round(points, 3), of, status, feedback)


def _number(value, expected, spec):
    tolerance = spec.get("tolerance", 0)
    if abs(value - expected) <= tolerance:
        return True, "correct"
    return False, f"not within {tolerance} of the expected value: it is {'too high' if value > expected else 'too low'}"


def _interval(value, expected, spec):
    tolerance = spec.get("tolerance", 0)
    ends = [abs(v - e) <= tolerance for v, e in zip(value, expected)]
    if all(ends):
        return True, "correct"
    wrong = " and ".join(name for name, ok in zip(("shortest", "longest"), ends) if not ok)
    return False, f"the {wrong} end is not within {tolerance} of the expected value"


def _category(value, expected, spec):
    if value.strip().casefold() == str(expected).strip().casefold():
        return True, "correct"
    return False, "not the expected choice"


def _set(value, expected, spec):
    given, wanted = {v.strip() for v in value}, set(expected)
    if given == wanted:
        return True, "correct"
    missing, extra = len(wanted - given), len(given - wanted)
    return False, f"{missing} item(s) missing and {extra} item(s) that do not belong"


def _span(value, expected, spec):
    text, accepted = expected["text"], expected["accept"]
    quote = value.strip()
    start = text.find(quote)
    if start < 0:
        return False, "those words do not occur in the statement exactly as written"
    end = start + len(quote)
    if len(quote.split()) > spec.get("max_words", 12):
        return False, f"quote at most {spec.get('max_words', 12)} words"
    if any(start < b and a < end for a, b in accepted):
        return True, "correct"
    return False, "those words are in the statement but do not carry what the question asks for"


COMPARE = {"number": _number, "interval": _interval, "category": _category, "set": _set, "span": _span}


def grade_answer(spec: dict, entry: dict | None, expected, case=None) -> QuestionResult:
    """Points, status and feedback for one question. ``entry`` is what the answer file said."""
    result = _check(spec, entry, expected, case)
    result.question, result.expected = spec["id"] if "id" in spec else "", expected
    if entry is not None and "value" in entry:
        result.answer, result.answered = entry["value"], True
    return result


def _check(spec: dict, entry: dict | None, expected, case) -> QuestionResult:
    points = spec["points"]
    if entry is None:
        return _result(0, points, "unanswered", "no answer was recorded for this question")
    if "conflict" in entry:
        return _result(0, points, "conflict", f"the answer was recorded {entry['conflict']} times; only one answer per question counts")
    if "problem" in entry:
        status = "unanswered" if entry["problem"].startswith(("not answered", "no variable")) else "wrong form"
        return _result(0, points, status, entry["problem"])
    value = entry["value"]
    kind = spec["kind"]
    if kind == "text":
        return grade_text(spec, value, case)
    context = expected["text"] if kind == "span" else None
    problem = shape_problem(kind, value, spec.get("choices"), spec.get("minimum"), spec.get("maximum"), context)
    if problem:
        return _result(0, points, "wrong form", problem)
    correct, feedback = COMPARE[kind](value, expected, spec)
    return _result(points if correct else 0, points, "correct" if correct else "incorrect", feedback)


def grade_text(spec: dict, value, case) -> QuestionResult:
    """Automatic rubric points now; the manual part stays open for the instructor."""
    points = spec["points"]
    rubric = load_rubric(spec["rubric"])
    problem = shape_problem("text", value)
    if problem:
        return _result(0, points, "wrong form", problem)
    results = apply_rubric(value, rubric, case)
    earned = sum(r["points"] for r in results)
    lines = "; ".join(f"{'met' if r['passed'] else 'not met'}: {r['criterion']}" for r in results)
    result = _result(earned, points, "pre-checked", f"automatic pre-checks: {lines}; the instructor adds up to {manual_points(rubric)} point(s)")
    result.manual_of, result.criteria = manual_points(rubric), results
    return result
