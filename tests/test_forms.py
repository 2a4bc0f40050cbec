"""The coding form: its choices become the recorded answer (and are written into their own cell), its static
twin shows the same table, and a coding from it is graded with Cohen's kappa against the reference."""

from __future__ import annotations

import ast

import pytest

from helpers.case import load_case
from helpers.coursework import forms
from helpers.coursework.answers import shape_problem
from helpers.coursework.checks import coding_alternatives, coding_expected, coding_kappa, grade_answer
from helpers.coursework.forms import coding_form, coding_form_html
from helpers.coursework.source import load_key
from tests.conftest import FICTIONAL_CASE

SPEC = next(q for q in load_key("strategies")["questions"] if q["kind"] == "coding")
STATEMENTS = ["keiser-email", "keiser-public-closing", "gaboriault-biv"]


@pytest.fixture(scope="module")
def case():
    return load_case()


def _reference(expected):
    return [[sid, n, scheme, reference] for sid, n, scheme, reference, _ in expected["items"]]


class FakeShell:
    """What ``form.answer()`` sees of IPython in JupyterLab: the running cell's text, and where a rewrite goes."""

    def __init__(self, source, namespace):
        self.user_ns = {**namespace, "_ih": ["", source]}
        self.next_input = None

    def set_next_input(self, text, replace=False):
        self.next_input = (text, replace)


def test_a_fresh_form_shows_the_saved_codes_and_returns_them(case):
    form = coding_form(case, STATEMENTS)
    saved = _reference(coding_expected(case, STATEMENTS))
    assert form.answer(saved) == saved
    assert form.codes == saved and all(menu.value for menu in form.menus.values())
    assert coding_form(case, STATEMENTS).answer() is ...  # nothing chosen and nothing saved: not answered yet


def test_choices_made_in_the_page_are_written_into_the_answer_cell(case, monkeypatch):
    form = coding_form(case, STATEMENTS)
    for menu in form.menus.values():
        menu.value = "none"  # as a student choosing in the page
    first = next(iter(form.menus))
    form.menus[first].value = "corrective action"
    shell = FakeShell("q5 = form.answer()  # your answer\n", {"form": form})
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    recorded = form.answer()
    text, replace = shell.next_input
    assert replace and text.startswith("q5 = form.answer([") and text.rstrip().endswith("# your answer")
    # the rewritten cell, run again on a fresh form (Restart and Run All, or the grader), gives the same answer
    fresh = coding_form(case, STATEMENTS)
    namespace = {"form": fresh}
    exec(compile(ast.parse(text), "<answer cell>", "exec"), namespace)  # noqa: S102 - the cell the form wrote
    assert namespace["q5"] == recorded == fresh.codes
    assert shape_problem("coding", recorded, context=form.context) is None


def test_the_static_twin_shows_every_sentence_and_what_was_chosen(case):
    form = coding_form(case, STATEMENTS)
    form.set_codes([["keiser-email", 1, "benoit", "corrective action"]])
    page = coding_form_html(case, form.items, form.schemes, form.codes)
    assert page.count("<tr>") == len(form.items) + 1
    assert "<td>corrective action</td>" in page and page.count(f"<td>{forms.UNCHOSEN}</td>") == 2 * len(form.items) - 1
    assert form._repr_mimebundle_()["text/html"] == page


@pytest.mark.parametrize(
    "case_arg, statements", [("hootsuite-ice-2020", STATEMENTS), (FICTIONAL_CASE, ["spokes-denial", "ceo-reversal"])]
)
def test_a_coding_is_graded_by_kappa_with_full_half_and_no_points(case_arg, statements):
    case = load_case(case_arg)
    expected = coding_expected(case, statements)
    reference = _reference(expected)
    assert grade_answer(SPEC, {"value": reference}, expected).points == SPEC["points"]
    # change codes one by one until the kappa falls below each threshold
    changed, seen = [list(row) for row in reference], {}
    for row in changed:
        row[3] = "none" if row[3] != "none" else ("bolstering" if row[2] == "benoit" else "explanation")
        kappa = coding_kappa(changed, expected)[0]
        seen[grade_answer(SPEC, {"value": changed}, expected).points] = kappa
    assert set(seen) == {SPEC["points"], SPEC["points"] / 2, 0} or set(seen) == {SPEC["points"] / 2, 0}, seen
    result = grade_answer(SPEC, {"value": changed}, expected)
    assert result.points == 0 and "kappa" in result.feedback and "agree" in result.feedback


def test_a_documented_alternative_counts_as_agreeing(case):
    alternatives = coding_alternatives(case)
    (sid, n, scheme), accepted = next(iter(alternatives.items()))
    expected = coding_expected(case, [sid])
    reference = _reference(expected)
    with_alternative = [[s, k, c, accepted[0] if (s, k, c) == (sid, n, scheme) else r] for s, k, c, r in reference]
    assert with_alternative != reference
    assert coding_kappa(with_alternative, expected) == coding_kappa(reference, expected)
    without = dict(alternatives)
    without.pop((sid, n, scheme))
    stripped = {"items": [[s, k, c, r, without.get((s, k, c), [])] for s, k, c, r, _ in expected["items"]]}
    assert coding_kappa(with_alternative, stripped)[1] == coding_kappa(reference, stripped)[1] - 1


@pytest.mark.parametrize(
    "mutate, phrase",
    [
        (lambda rows: rows[1:], "not coded"),
        (lambda rows: rows + rows[:1], "coded twice"),
        (lambda rows: [[*rows[0][:3], "denial"], *rows[1:]], "not strategies of their scheme"),
        (lambda rows: [{"sentence": 1}], "a list of [statement, sentence, scheme, strategy]"),
    ],
)
def test_a_coding_of_the_wrong_form_earns_nothing_and_says_why(case, mutate, phrase):
    expected = coding_expected(case, STATEMENTS)
    result = grade_answer(SPEC, {"value": mutate(_reference(expected))}, expected)
    assert (result.points, result.status) == (0, "wrong form") and phrase in result.feedback


def test_an_alternative_the_reference_cannot_hold_is_refused(case, tmp_path, monkeypatch):
    bad = tmp_path / "alternatives.csv"
    bad.write_text(
        "case_id,statement_id,sentence,scheme,also_accepted,rationale,source\n"
        "hootsuite-ice-2020,keiser-email,9,apology,none,why,where\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("helpers.coursework.checks.ALTERNATIVES_FILE", bad)
    with pytest.raises(ValueError, match="row 2: .* is not a sentence the reference coding"):
        coding_alternatives(case)
