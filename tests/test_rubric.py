"""The holding-statement rubric measures the writing: a probe set of drafts must come out in a fixed order, a
draft that contradicts the record loses accuracy and is flagged with its sentence, and every lexicon row does
what its examples say."""

from __future__ import annotations

import csv
import re

import pytest

from helpers.case import load_case
from helpers.coursework.accuracy import draft_stances
from helpers.coursework.checks import grade_answer
from helpers.coursework.rubric import RubricError, apply_rubric, gamed_drafts, load_rubric
from helpers.coursework.source import MODEL_ANSWERS, load_key, model_answer
from helpers.wording import analyse_text
from tests.conftest import FICTIONAL_CASE, TESTS_DIR

PROBES = TESTS_DIR / "data" / "holding-statement-probes.csv"
CASES = {"hootsuite-ice-2020": "hootsuite-ice-2020", "harbour-ferry-2023": FICTIONAL_CASE}
#: Cases with a model answer of the written question (wayfair-2019 has no coding.csv, so no strategies exercise).
MODEL_ANSWER_CASES = {**CASES, "chef-2019": "chef-2019"}
SPEC = next(q for q in load_key("strategies")["questions"] if q["kind"] == "text")

with open(PROBES, encoding="utf-8", newline="") as _handle:
    PROBE_ROWS = list(csv.DictReader(_handle))


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(SPEC["rubric"])


def _case(case_id):
    return load_case(CASES[case_id])


@pytest.mark.parametrize("case_id", CASES)
def test_probe_drafts_score_in_the_required_order_and_the_false_denial_is_flagged(case_id, rubric):
    case = _case(case_id)
    probes = sorted((row for row in PROBE_ROWS if row["case_id"] == case_id), key=lambda row: int(row["rank"]))
    assert [p["probe"] for p in probes] == [
        "good-plain-writing",
        "keyword-stuffing-false-denial",
        "off-topic-essay",
        "no-comment",
        "empty",
    ]
    graded = {p["probe"]: grade_answer(SPEC, {"value": p["text"]}, None, case) for p in probes}
    scores = [graded[p["probe"]].points for p in probes]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores), dict(zip(graded, scores))
    assert graded["good-plain-writing"].points == rubric.automatic_points  # every pre-check met
    assert graded["empty"].points == 0 and graded["empty"].status == "wrong form"
    stuffed = {c.criterion: c for c in graded["keyword-stuffing-false-denial"].criteria}
    assert not stuffed["accurate"].passed and stuffed["accurate"].points == 0
    false_sentence = next(
        s
        for s in re.split(r"(?<=\.) ", next(p["text"] for p in probes if p["probe"] == "keyword-stuffing-false-denial"))
        if "never had" in s or "passed its annual survey" in s
    )
    assert any(false_sentence in flag for flag in stuffed["accurate"].evidence), stuffed["accurate"].evidence
    # the keywords themselves still earn what keywords can: the instructor's rows carry the rest
    assert stuffed["responsibility"].passed and stuffed["action"].passed
    assert not {c.criterion: c for c in graded["off-topic-essay"].criteria}["accurate"].passed


@pytest.mark.parametrize("case_id", CASES)
def test_the_instructor_carries_most_of_the_points(case_id, rubric):
    assert rubric.manual_points > rubric.automatic_points
    assert SPEC["points"] == rubric.points
    result = grade_answer(SPEC, {"value": model_answer(_case(case_id), "strategies", SPEC["id"])}, None, _case(case_id))
    assert (result.points, result.manual_of, result.status) == (rubric.automatic_points, rubric.manual_points, "pre-checked")


def test_no_apology_is_demanded_of_a_holding_statement(rubric):
    """A holding statement comes before the facts are settled: no criterion asks for regret or an offer of repair."""
    assert not any("apology" in c.value or "repair" in c.value or "regret" in c.value for c in rubric.criteria)


def test_every_lexicon_row_matches_its_example_and_not_its_counterexample(rubric):
    rows = rubric.lexicon.rows
    assert len(rows) >= 10 and set(rows["category"]) >= {"responsibility", "action", "update", "when", "overpromise"}
    for row_id, row in rows.iterrows():
        assert row["source"].strip(), row_id
        hit = [m for m in analyse_text(row["example_match"], rubric.lexicon).matches if m.row_id == row_id]
        miss = [m for m in analyse_text(row["example_nonmatch"], rubric.lexicon).matches if m.row_id == row_id]
        assert hit and not miss, (row_id, hit, miss)


@pytest.mark.parametrize(
    "case_id, draft, claim, verdict",
    [
        ("hootsuite-ice-2020", "Our company never had any contract with ICE.", "contract-existed", "against"),
        ("hootsuite-ice-2020", "Hootsuite was a direct party to the contract with ICE.", "hootsuite-direct-party", "against"),
        ("hootsuite-ice-2020", "We were never a direct party to the contract with ICE.", "hootsuite-direct-party", "agrees"),
        ("hootsuite-ice-2020", "Hootsuite has cancelled the contract with ICE.", "formally-terminated", "beyond"),
        ("hootsuite-ice-2020", "We will end the order formally once the steps are complete.", "formally-terminated", "agrees"),
        ("harbour-ferry-2023", "The Harbour Wren passed its annual survey.", "wren-passed-feb-survey", "against"),
        ("harbour-ferry-2023", "The two deficiencies have not been repaired yet.", "defects-unfixed", "agrees"),
        (
            "harbour-ferry-2023",
            "On 20 March our spokesperson said that the Harbour Wren had passed its survey.",
            "wren-passed-feb-survey",
            "silent",
        ),
    ],
)
def test_a_draft_is_read_against_the_record(case_id, draft, claim, verdict):
    stances = {s.claim: s for s in draft_stances(_case(case_id), draft)}
    if verdict == "silent":  # reported speech: the draft says what was said, not that it is so
        assert claim not in stances
        return
    assert claim in stances, stances
    read = stances[claim]
    assert (read.against_record, read.beyond_record) == (verdict == "against", verdict == "beyond"), read


@pytest.mark.parametrize("case_id", CASES)
def test_gamed_drafts_each_fail_a_pre_check_and_together_fail_them_all(case_id, rubric):
    case = _case(case_id)
    failures = [{r.criterion for r in apply_rubric(draft, rubric, case) if not r.passed} for draft in gamed_drafts(case)]
    assert all(failures) and set().union(*failures) == {c.criterion for c in rubric.automatic}


def test_every_model_answer_names_rows_its_case_has():
    with open(MODEL_ANSWERS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["case_id"] for r in rows} == set(MODEL_ANSWER_CASES)
    for row in rows:
        case = load_case(MODEL_ANSWER_CASES[row["case_id"]])
        tags = re.findall(r"\[(event|statement|claim): ([a-z0-9, -]+)\]", row["note"])
        assert tags, row["case_id"]
        tables = {"event": case.events.index, "statement": case.statements.index, "claim": case.claims.index}
        for kind, ids in tags:
            for item in ids.split(", "):
                assert item in tables[kind], (row["case_id"], kind, item)


@pytest.mark.parametrize(
    "content, phrase",
    [
        ("criterion,kind,value,points,description\nx,essay,,1,d\n", "kind 'essay' is not one of"),
        ("criterion,kind,value,points,description\nx,manual,,two,d\n", "points 'two' is not a whole number"),
        ("criterion,kind,value,points,description\nx,length,sixty,1,d\n", "MIN-MAX"),
        ("criterion,kind,value,points,description\nx,cue,nothing-like-it,1,d\n", "not a category"),
        ("criterion,kind,value,points\nx,manual,,1\n", "missing column"),
    ],
)
def test_a_broken_rubric_is_refused_with_its_row(tmp_path, content, phrase):
    path = tmp_path / "broken.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RubricError, match=phrase):
        load_rubric(path)
