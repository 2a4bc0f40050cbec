"""The checks, run in the grader's process only, on plain data taken out of the student's kernel.

Each question in a grading key has a kind, points and options (a tolerance, choices...). The
expected value comes from the key's ``expected(case, variant)`` function, computed here from the
case data and ``helpers``, per student. Feedback names what is wrong with an answer in general
terms (the form, the direction of an error, how many items are missing), never the answer itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd

from ..coding import accept_suggestions, cohen_kappa, load_strategies, suggest_codes
from ..paths import COURSEWORK_DIR
from .answers import shape_problem
from .forms import form_items, strategies_by_scheme
from .results import QuestionResult
from .rubric import apply_rubric, load_rubric, manual_rows
from .variants import CODED_SCHEMES


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
    accepted = expected if isinstance(expected, list) else [expected]  # several choices where experts accept either
    if value.strip().casefold() in {str(e).strip().casefold() for e in accepted}:
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


def coding_kappa(value, expected) -> tuple[float, int, int]:
    """Cohen's kappa between a coding and the reference, with the number of codes that agree and of codes in all.

    The codes of both schemes are pooled (each labelled with its scheme, so they never agree across
    schemes); a code agrees when it is the reference code or one of the documented alternatives.
    """

    given = {(sid, n, scheme): strategy for sid, n, scheme, strategy in value}
    ours, theirs = [], []
    for sid, n, scheme, reference, alternatives in expected["items"]:
        code = given[(sid, n, scheme)]
        ours.append(f"{scheme}: {reference}")
        theirs.append(f"{scheme}: {reference if code in alternatives else code}")
    return cohen_kappa(ours, theirs), sum(a == b for a, b in zip(ours, theirs)), len(ours)


def _coding(value, expected, spec):
    """Full points from a kappa of ``kappa_full``, half from ``kappa_partial``, none below."""
    kappa, agreed, total = coding_kappa(value, expected)
    full, partial = spec.get("kappa_full", 0.6), spec.get("kappa_partial", 0.4)
    share = 1 if kappa >= full else 0.5 if kappa >= partial else 0
    return (
        share,
        f"kappa {kappa:.2f} against the reference coding over {total} codes ({agreed} agree); full points from {full:g}, half from {partial:g}",
    )


COMPARE = {"number": _number, "interval": _interval, "category": _category, "set": _set, "span": _span, "coding": _coding}


def answer_context(kind: str, expected):
    """What a shape check of this kind needs to know that is not the answer (the text for a span, the items for a coding)."""
    if kind == "span":
        return expected["text"]
    if kind == "coding":
        return coding_context(expected)
    return None


def coding_context(expected: dict) -> dict:

    schemes = sorted({scheme for _, _, scheme, _, _ in expected["items"]})
    items = sorted({(sid, n) for sid, n, _, _, _ in expected["items"]})
    return {"items": [list(item) for item in items], "schemes": strategies_by_scheme(schemes)}


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
        return _result(
            0, points, "conflict", f"the answer was recorded {entry['conflict']} times; only one answer per question counts"
        )
    if "problem" in entry:
        status = "unanswered" if entry["problem"].startswith(("not answered", "no variable")) else "wrong form"
        return _result(0, points, status, entry["problem"])
    value = entry["value"]
    kind = spec["kind"]
    if kind == "text":
        return grade_text(spec, value, case)
    problem = shape_problem(
        kind, value, spec.get("choices"), spec.get("minimum"), spec.get("maximum"), answer_context(kind, expected)
    )
    if problem:
        return _result(0, points, "wrong form", problem)
    share, feedback = COMPARE[kind](value, expected, spec)
    status = "correct" if share == 1 else "partly correct" if share else "incorrect"
    return _result(points * share, points, status, feedback)


def grade_text(spec: dict, value, case) -> QuestionResult:
    """The rubric's automatic pre-checks now; its manual rows stay open for the instructor."""
    points = spec["points"]
    rubric = load_rubric(spec["rubric"])
    problem = shape_problem("text", value)
    if problem:
        result = _result(0, points, "wrong form", problem)
        result.criteria = [replace(c, points=0, passed=False, evidence=[problem]) for c in apply_rubric("", rubric, case)]
        result.criteria += [replace(c, points=0, comment="no text to grade") for c in manual_rows(rubric)]
        return result
    result = _result(0, points, "pre-checked", "")
    result.criteria = apply_rubric(value, rubric, case) + manual_rows(rubric)
    result.total_criteria()
    result.feedback = text_feedback(result)
    return result


def text_feedback(result: QuestionResult) -> str:
    met = "; ".join(f"{'met' if c.passed else 'not met'}: {c.criterion}" for c in result.criteria if c.automatic)
    if result.manual_of:
        return f"automatic pre-checks: {met}; the instructor adds up to {result.manual_of:g} point(s)"
    return f"automatic pre-checks: {met}; graded by the instructor"


# --------------------------------------------------------------------------- the coding question's key

ALTERNATIVES_FILE = COURSEWORK_DIR / "coding-alternatives.csv"


def coding_alternatives(case) -> dict[tuple[str, int, str], list[str]]:
    """Codes accepted besides the reference, sentence by sentence, where coders reading carefully disagree.

    ``coursework/coding-alternatives.csv``: one row per (case, statement, sentence, scheme) with the
    strategies also accepted (``;``-separated), why, and the source of that reading. A row that
    names no sentence of the case's reference coding, or no strategy of the scheme, is an error.
    """

    table = pd.read_csv(ALTERNATIVES_FILE, dtype=str, keep_default_na=False)
    strategies = load_strategies()
    coded = {
        (sid, int(n), scheme)
        for sid, n, scheme in zip(case.coding["statement_id"], case.coding["sentence"], case.coding["scheme"])
    }
    found: dict[tuple[str, int, str], list[str]] = {}
    for row, entry in table[table["case_id"] == case.case_id].iterrows():
        where = f"{ALTERNATIVES_FILE} row {row + 2}"
        key = (entry["statement_id"], int(entry["sentence"]) if entry["sentence"].isdigit() else -1, entry["scheme"])
        if key not in coded:
            raise ValueError(f"{where}: {key} is not a sentence the reference coding of {case.case_id!r} codes")
        allowed = set(strategies.loc[strategies["scheme"] == entry["scheme"], "strategy"])
        accepted = [a.strip() for a in entry["also_accepted"].split(";") if a.strip()]
        unknown = [a for a in accepted if a not in allowed]
        if unknown or not accepted or not entry["rationale"].strip() or not entry["source"].strip():
            raise ValueError(
                f"{where}: also_accepted must name {entry['scheme']} strategies (not {unknown}), with a rationale and a source"
            )
        found[key] = accepted
    return found


def coding_expected(case, statements) -> dict:
    """The coding question's expected value: each (sentence, scheme) with its reference code and accepted alternatives."""

    reference = case.coding.assign(sentence=case.coding["sentence"].astype(int)).set_index(
        ["statement_id", "sentence", "scheme"]
    )["strategy"]
    alternatives = coding_alternatives(case)
    items = [
        [sid, n, scheme, reference[(sid, n, scheme)], alternatives.get((sid, n, scheme), [])]
        for sid, n in form_items(case, statements)
        for scheme in CODED_SCHEMES
    ]
    return {"items": items}


def coding_mistakes(case, statements, below: float) -> list[list[list]]:
    """Codings students really hand in, kept where their kappa is below ``below``: no strategy anywhere, the cue
    suggestions taken unread, every sentence given its scheme's most frequent reference strategy, and the codes
    put against the wrong sentences (each moved one row down)."""

    expected = coding_expected(case, statements)
    items = expected["items"]
    keys = [(sid, n, scheme) for sid, n, scheme, _, _ in items]
    nothing = [[*key, "none"] for key in keys]
    cues = {}
    for scheme in {scheme for _, _, scheme in keys}:
        accepted = accept_suggestions(suggest_codes(case, scheme))
        cues.update(
            {
                (sid, int(n), scheme): code
                for sid, n, code in zip(accepted["statement_id"], accepted["sentence"], accepted["strategy"])
            }
        )
    unread = [[*key, cues.get(key, "none")] for key in keys]
    common = {scheme: Counter(r for _, _, s, r, _ in items if s == scheme).most_common(1)[0][0] for _, _, scheme in keys}
    same = [[*key, common[key[2]]] for key in keys]
    by_scheme: dict[str, list] = {}
    for sid, n, scheme, reference, _ in items:
        by_scheme.setdefault(scheme, []).append(((sid, n, scheme), reference))
    shifted = [[*rows[i][0], rows[i - 1][1]] for rows in by_scheme.values() for i in range(len(rows))]
    mistakes = []
    for coding in (nothing, unread, same, shifted):
        if coding not in mistakes and coding_kappa(coding, expected)[0] < below:
            mistakes.append(coding)
    return mistakes
