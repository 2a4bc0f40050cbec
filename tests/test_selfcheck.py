"""The lessons' self-checks: right answers fit, wrong ones get a hint that never gives the answer away."""

from __future__ import annotations

import pytest

from helpers import ParameterError, load_lexicon
from helpers.casebook import compared_cases
from helpers.queries import first_press_statement
from helpers.selfcheck import FITS, NOT_ANSWERED, QUESTIONS, SKIPPED, questions, self_check
from helpers.timeline import default_anchor

DRAFT = "We are sorry. We take full responsibility, and we will make this right."


def context(lesson, case):
    if lesson == "06":
        return {"cases": compared_cases(case.path), "include_implied": True}
    return {
        "02": {"focus": first_press_statement(case), "lexicon": load_lexicon()},
        "03": {"anchor": default_anchor(case)},
        "04": {"include_implied": True},
        "05": {"scheme": "benoit", "draft": DRAFT},
    }.get(lesson, {})


def right_answer(expected):
    return sorted(expected)[0] if isinstance(expected, set) else expected


def wrong_answers(question, expected):
    if question.kind == "number":
        return [float(expected) + 1, float(expected) + 7]
    if question.kind == "choice":
        return ["certainly not this", "nor this"]
    return ["no-such-statement", "another-made-up-id"]


@pytest.mark.parametrize("case_name", ["hootsuite", "fictional"])
@pytest.mark.parametrize("lesson", sorted(QUESTIONS))
def test_right_answers_fit_and_wrong_ones_get_the_same_hint(lesson, case_name, request):
    case = request.getfixturevalue(case_name)
    asked = questions(lesson, case, **context(lesson, case))
    assert [q.key for q, _ in asked] == [q.key for q in QUESTIONS[lesson]]
    for question, expected in asked:
        if expected is None:
            assert (
                self_check(lesson, case, {question.key: "anything"}, **context(lesson, case))
                .items[[q.key for q, _ in asked].index(question.key)]
                .status
                == SKIPPED
            )
            continue
        fits = self_check(lesson, case, {question.key: right_answer(expected)}, **context(lesson, case))
        assert {f.key: f.status for f in fits.items}[question.key] == FITS
        messages = set()
        for wrong in wrong_answers(question, expected):
            (feedback,) = [
                f for f in self_check(lesson, case, {question.key: wrong}, **context(lesson, case)).items if f.key == question.key
            ]
            assert feedback.status == "not yet"
            shown = feedback.message + feedback.prompt
            for value in expected if isinstance(expected, set) else {expected}:
                assert f" {value} " not in f" {shown} " and f"`{value}`" not in shown, (lesson, question.key)
            messages.add(feedback.message)
        assert len(messages) == 1  # the hint does not depend on how far off the answer is


def test_unanswered_questions_and_the_notebook_view(hootsuite):
    result = self_check("01", hootsuite, {"paraphrases": None, "derived": "", "unplaced": None})
    assert {f.status for f in result.items} == {NOT_ANSWERED}
    assert "0 of 3 answers fit the data" in result._repr_html_() and 'data-lesson="01"' in result._repr_html_()
    assert repr(result).splitlines()[0] == "paraphrases: not answered yet"


def test_a_case_that_cannot_answer_a_question_says_to_skip_it(fictional):
    result = self_check("01", fictional, {"unplaced": "spokes-denial"})
    assert {f.key: f.status for f in result.items}["unplaced"] == SKIPPED
    assert "of 2 answers" in result._repr_html_()


def test_a_mistyped_question_or_lesson_is_named(hootsuite):
    with pytest.raises(ParameterError, match=r"self-check 01: unknown question 'paraphrase' \(did you mean 'paraphrases'\?\)"):
        self_check("01", hootsuite, {"paraphrase": 3})
    with pytest.raises(ParameterError, match=r"unknown lesson '1'"):
        self_check("1", hootsuite, {})


def test_a_number_question_wants_a_number(hootsuite):
    (feedback, *_) = self_check("01", hootsuite, {"paraphrases": "five"}).items
    assert feedback.status == "not yet" and feedback.message == "not yet: give a number"


def test_no_self_check_asks_what_a_graded_exercise_asks():
    """A self-check that confirmed a graded answer would leak it: the prompts stay off the graded questions."""
    graded = (
        "negation",
        "tense",
        "per 100 words",
        "affirm",
        "deny",
        "contradicting pairs does your claim",
        "kappa",
        "which group",
    )
    for lesson, asked in QUESTIONS.items():
        for question in asked:
            assert not any(word in question.prompt.lower() for word in graded), (lesson, question.key)


def test_the_comparison_self_check_asks_of_the_cases_compared(hootsuite):
    """With one case there is nothing to compare: the questions that need two cases are skipped."""
    alone = compared_cases(hootsuite.path, [hootsuite.path])
    asked = dict((q.key, expected) for q, expected in questions("06", hootsuite, cases=alone))
    assert asked["longest-wait"] is None and asked["most-inside"] is None
    assert asked["certainly-after"] == 1  # the thread came before the spokeswoman's statement


def test_the_longest_wait_is_a_case_only_when_its_range_lies_above_the_others(hootsuite):
    """A larger shortest wait is not a longer wait when the ranges overlap (review of #22, item 1)."""
    three = compared_cases(hootsuite.path)
    asked = dict((q.key, expected) for q, expected in questions("06", hootsuite, cases=three))
    assert asked["longest-wait"] == {"wayfair-2019"}  # [96, 144] h lies above both other ranges
    # Chef [4.55, 40.55] h has the larger shortest end, but it overlaps Hootsuite's [4.14, 7.14] h
    two = compared_cases(hootsuite.path, ["chef-2019"])
    asked = dict((q.key, expected) for q, expected in questions("06", hootsuite, cases=two))
    assert asked["longest-wait"] == {"none"}
    feedback = {f.key: f.status for f in self_check("06", hootsuite, {"longest-wait": "chef-2019"}, cases=two).items}
    assert feedback["longest-wait"] == "not yet"
    feedback = {f.key: f.status for f in self_check("06", hootsuite, {"longest-wait": "none"}, cases=two).items}
    assert feedback["longest-wait"] == FITS
