"""Coding schemes, kappa, student coding files, cue suggestions and the drafting lab."""

from __future__ import annotations

import pytest

from helpers import ParameterError
from helpers.case import validate_case
from helpers.coding import (
    CodingError,
    agreement,
    analyse_draft,
    check_scheme,
    cohen_kappa,
    load_clusters,
    load_cues,
    load_scct_guidelines,
    load_strategies,
    load_student_coding,
    reference_coding,
    suggest_codes,
)
from tests.conftest import read_rows, write_rows


def test_benoit_has_five_categories_and_fourteen_strategies():
    benoit = load_strategies().query("scheme == 'benoit' and strategy != 'none'")
    assert benoit["group"].nunique() == 5 and len(benoit) == 14
    apology = load_strategies().query("scheme == 'apology' and strategy != 'none'")
    assert len(apology) == 6
    assert (load_strategies()["citation"].str.len() > 10).all()


def test_kappa_worked_example():
    # Two raters, 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    # Observed agreement 35/50 = 0.7; chance = (25/50)(30/50) + (25/50)(20/50) = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_edge_cases():
    assert cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == 1.0
    assert cohen_kappa(["a", "a"], ["a", "a"]) == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same, non-empty list"):
        cohen_kappa(["a"], ["a", "b"])


def write_coding(path, rows):
    path.write_text("statement_id,sentence,strategy\n" + "".join(f"{s},{n},{x}\n" for s, n, x in rows), encoding="utf-8")
    return path


def reference_rows(case, scheme):
    return [(s, n, x) for s, n, x in zip(*(reference_coding(case, scheme)[c] for c in ("statement_id", "sentence", "strategy")))]


def test_a_copy_of_the_reference_agrees_fully(hootsuite, tmp_path):
    path = write_coding(tmp_path / "me.csv", reference_rows(hootsuite, "benoit"))
    report = agreement(hootsuite, "benoit", load_student_coding(path, hootsuite, "benoit"))
    assert (report["percent agreement"], report["kappa"], len(report["differences"])) == (100.0, 1.0, 0)


def test_two_changes_show_in_the_report(hootsuite, tmp_path):
    rows = reference_rows(hootsuite, "benoit")
    rows[0] = (rows[0][0], rows[0][1], "defeasibility")
    rows[1] = (rows[1][0], rows[1][1], "transcendence")
    report = agreement(hootsuite, "benoit", load_student_coding(write_coding(tmp_path / "me.csv", rows), hootsuite, "benoit"))
    assert report["percent agreement"] == round(100 * 14 / 16, 1)
    assert list(report["differences"]["strategy (student)"]) == ["defeasibility", "transcendence"]
    assert report["confusion"].loc["simple denial", "defeasibility"] == 1


def test_unknown_strategy_names_the_line_and_suggests(hootsuite, tmp_path):
    rows = reference_rows(hootsuite, "benoit")
    rows[2] = (rows[2][0], rows[2][1], "bolsterng")
    with pytest.raises(
        CodingError,
        match=r"me.csv, line 4 \(statement_id=keiser-email\), column 'strategy': unknown benoit strategy 'bolsterng'; did you mean 'bolstering'\?",
    ):
        load_student_coding(write_coding(tmp_path / "me.csv", rows), hootsuite, "benoit")


def test_missing_sentences_are_listed(hootsuite, tmp_path):
    rows = reference_rows(hootsuite, "benoit")[:-2]
    with pytest.raises(CodingError) as caught:
        load_student_coding(write_coding(tmp_path / "me.csv", rows), hootsuite, "benoit")
    messages = [str(p) for p in caught.value.problems]
    assert any("'keiser-globe' sentence 1 is not coded" in m for m in messages) and len(messages) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ("statement_id,strategy\nx,none\n", "column 'sentence': missing column"),
        (
            "statement_id,sentence,strategy\ngaboriault-biv,one,simple denial\n",
            "line 2 (statement_id=gaboriault-biv), column 'sentence': sentence must be a whole number",
        ),
        (
            "statement_id,sentence,strategy\ngaboriault-biv,9,simple denial\n",
            "'gaboriault-biv' sentence 9 is not one of the sentences to code",
        ),
        (
            "statement_id,sentence,strategy\ngaboriault-biv,1,simple denial\ngaboriault-biv,1,none\n",
            "line 3 (statement_id=gaboriault-biv), column 'sentence': sentence coded twice (first at line 2)",
        ),
    ],
)
def test_malformed_coding_files(hootsuite, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodingError) as caught:
        load_student_coding(path, hootsuite, "benoit")
    assert any(message in str(p) for p in caught.value.problems)


def test_missing_file_and_unknown_scheme(hootsuite, tmp_path):
    with pytest.raises(ParameterError, match="parameter 'student_coding': file not found"):
        load_student_coding(tmp_path / "nope.csv", hootsuite, "benoit")
    with pytest.raises(ParameterError, match="parameter 'scheme': unknown scheme 'benot'"):
        check_scheme("benot")


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("sentence", "7", "is not a sentence number of statement 'spokes-denial' (it has 2)"),
        ("strategy", "apology", "'apology' is not a benoit strategy"),
        ("evidence", "words never said", "does not occur in sentence 1 of statement 'spokes-denial'"),
    ],
)
def test_reference_coding_is_validated(case_copy, column, value, message):
    header, rows = read_rows(case_copy / "coding.csv")
    rows[0][column] = value
    write_rows(case_copy / "coding.csv", header, rows)
    problems = validate_case(case_copy)
    assert any(p.file == "coding.csv" and p.line == 2 and p.column == column and message in p.message for p in problems)


def test_a_case_without_coding_loads(case_copy):
    (case_copy / "coding.csv").unlink()
    assert validate_case(case_copy) == []


def test_cue_suggestions_carry_their_evidence(hootsuite):
    suggestions = suggest_codes(hootsuite, "benoit").set_index(["statement_id", "sentence"])
    assert suggestions.loc[("gaboriault-biv", 1), "suggestion"] == "simple denial"
    assert suggestions.loc[("gaboriault-biv", 1), "evidence"] == "is not entering"
    assert suggestions.loc[("keiser-public-closing", 5), "suggestion"] == "corrective action"


def test_draft_analysis_finds_components_and_refusals(hootsuite):
    report = analyse_draft(
        hootsuite, "We are sorry. We take full responsibility and we will make this right. No comment on the contract."
    )
    assert report.apology_present == ("expression of regret", "acknowledgment of responsibility", "offer of repair")
    assert "request for forgiveness" in report.apology_missing
    assert report.refusal_phrasing == "no comment"
    assert report.words == 18
    rows = dict(report.rows())
    assert rows["apology components present"] == "expression of regret, acknowledgment of responsibility, offer of repair"
    assert (rows["words"], rows["refusal phrasing"]) == (18, "no comment")


# ------------------------------------------------------------------ SCCT and the apology scheme, as their authors mean them (issue 19)


def test_instructing_information_is_about_protecting_oneself(hootsuite):
    glosses = load_strategies().set_index("strategy")["gloss"]
    assert "protect themselves physically" in glosses["instructing information"]
    assert "cope" in glosses["adjusting information"] and "correct the problem" in glosses["adjusting information"]
    # announcing a decision or steps taken is word of corrective action, never instructing information
    cues = load_cues()
    assert "instructing information" not in set(cues["strategy"])
    assert set(cues[(cues["scheme"] == "scct") & cues["lexicon_row"].isin(["neg-decision", "commit-steps"])]["strategy"]) == {
        "adjusting information"
    }
    # no sentence of this case tells anyone how to keep themselves safe
    assert "instructing information" not in set(reference_coding(hootsuite, "scct")["strategy"])


def test_coombs_guidance_on_denial_is_in_the_data():
    guidelines = load_scct_guidelines()
    deny, mixing = guidelines.loc["deny-only-rumor-or-challenge"], guidelines.loc["do-not-mix-denial"]
    assert "rumours" in deny["guideline"] and "challenges" in deny["guideline"]
    assert "diminish or rebuild" in mixing["guideline"] and "weakens" in mixing["guideline"]
    assert all("Coombs (2007)" in citation for citation in guidelines["citation"])
    assert all(note.startswith("the module's paraphrase") for note in guidelines["note"])
    postures = load_clusters()["posture_that_follows"]
    assert "challenge" in postures["accidental"] and "deny" in postures["accidental"]
    assert "deny strategies do not fit" in postures["preventable"]


def test_the_reference_explanation_is_an_account_of_what_went_wrong(hootsuite):
    apology = reference_coding(hootsuite, "apology").set_index(["statement_id", "sentence"])
    explanations = apology[apology["strategy"] == "explanation"]
    assert len(explanations) >= 1 and all("went wrong" in r for r in explanations["rationale"])
    # a sentence that weighs a decision or describes a reaction is not one
    assert apology.loc[("keiser-email", 2), "strategy"] == "none"
    assert apology.loc[("keiser-public-closing", 1), "strategy"] == "none"
