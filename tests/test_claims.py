"""Contradiction analysis on small hand-made stance tables: none, one, many, ties in time."""

from __future__ import annotations

import pytest

from helpers import ParameterError, load_case
from helpers.claims import (
    against_record,
    contradictions,
    default_claim,
    recode,
    stance_matrix,
)
from helpers.widgets import claim_view_html
from tests.conftest import read_rows, write_rows

HEADER = ["statement_id", "claim_id", "stance", "mode", "evidence", "rationale"]


def with_stances(folder, rows):
    """The fictional case with its stances replaced by ``rows`` (statement, claim, stance, mode, evidence)."""
    write_rows(folder / "stances.csv", HEADER, [dict(zip(HEADER, (*row, "test"))) for row in rows])
    return load_case(folder)


DENIAL = (
    "spokes-denial",
    "wren-passed-feb-survey",
    "affirms",
    "literal",
    "The Harbour Wren passed its annual survey in February.",
)
EMAIL = ("engineer-email", "wren-passed-feb-survey", "denies", "literal", "the Wren did not pass in February")
RADIO = ("engineer-radio", "wren-passed-feb-survey", "denies", "implied", 'it says "fail" at the top')
CEO = ("ceo-reversal", "wren-passed-feb-survey", "denies", "literal", "It did not.")


def test_no_contradiction(case_copy):
    case = with_stances(case_copy, [EMAIL, CEO])
    assert contradictions(case).empty
    assert list(contradictions(case).columns)[:3] == ["claim", "earlier", "earlier speaker"]


def test_one_contradiction_is_ordered_and_classified(case_copy):
    case = with_stances(case_copy, [EMAIL, DENIAL])  # file order reversed on purpose
    table = contradictions(case)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["earlier"], row["later"]) == ("spokes-denial", "engineer-email")
    assert (row["earlier says"], row["later says"]) == ("affirms", "denies")
    assert row["kind"] == "literal vs literal, public vs internal"
    # the denial in the minute 14:15 AEDT on 20 March; the email at 03:42:10 UTC = 14:42:10 AEDT on 24 March
    assert row["gap"] == "[4 d 0 h 26 min, 4 d 0 h 27 min]"


def test_many_contradictions_and_implied_switch(case_copy):
    case = with_stances(case_copy, [DENIAL, EMAIL, RADIO, CEO])
    assert len(contradictions(case)) == 3
    literal_only = contradictions(case, include_implied=False)
    assert len(literal_only) == 2 and "engineer-radio" not in set(literal_only["later"])
    kinds = set(contradictions(case)["kind"])
    assert "literal vs implied" in kinds


def test_ties_in_time_are_broken_by_id_not_file_order(case_copy):
    statements_header, statements = read_rows(case_copy / "statements.csv")
    for row in statements:
        if row["statement_id"] in ("engineer-email", "engineer-radio"):
            row.update(
                time="2023-03-24T03:42:10Z", time_precision="second", time_basis="reported", time_earliest="", time_latest=""
            )
    write_rows(case_copy / "statements.csv", statements_header, statements)
    forward = contradictions(with_stances(case_copy, [DENIAL, RADIO, EMAIL]))
    backward = contradictions(with_stances(case_copy, [EMAIL, RADIO, DENIAL]))
    assert forward.equals(backward)
    assert list(forward["later"]) == ["engineer-email", "engineer-radio"]


def test_against_the_record(case_copy):
    case = with_stances(case_copy, [DENIAL, EMAIL])
    table = against_record(case)
    # the record contradicts "passed its February survey", so affirming it goes against the record
    assert list(table["statement_id"]) == ["spokes-denial"]


def test_matrix_marks_silence_and_labels(hootsuite):
    matrix = stance_matrix(hootsuite)
    assert matrix.loc["gaboriault-biv", "future-business"] == "denies"
    assert matrix.loc["gaboriault-biv", "contract-existed"] == "implies the opposite"
    assert matrix.loc["keiser-public-proceed", "leadership-decided-to-proceed"] == "affirms"
    assert matrix.loc["gaboriault-biv", "three-year-term"] == "silent"
    literal = stance_matrix(hootsuite, include_implied=False)
    assert "implies the opposite" not in set(literal.to_numpy().ravel())


def test_the_denial_and_the_decision_to_proceed_contradict(hootsuite):
    table = contradictions(hootsuite, "contract-existed")
    pair = table[(table["earlier"] == "gaboriault-biv") & (table["later"] == "keiser-public-proceed")]
    # the denial in the night of Sep 23 (21:00-24:00 PDT), the CEO's note in the morning of Sep 24 before 11:03
    assert len(pair) == 1 and pair.iloc[0]["gap"] == "[5 h 00 min, 14 h 03 min]"


def test_recode_changes_the_pairs_and_checks_evidence(hootsuite):
    before = len(contradictions(hootsuite, "contract-existed"))
    silent = recode(hootsuite, "gaboriault-biv", "contract-existed", None)
    assert len(contradictions(silent, "contract-existed")) < before
    assert len(hootsuite.stances) == len(silent.stances) + 1  # the original is untouched
    with pytest.raises(ValueError, match="does not occur in the text"):
        recode(hootsuite, "gaboriault-biv", "contract-existed", "affirms", "literal", "words never said")


def test_unknown_claim_is_a_parameter_error(hootsuite):
    with pytest.raises(
        ParameterError,
        match=r"parameter 'claim': unknown claim 'contract-exists' \(did you mean 'contract-existed' or 'contract-in-effect'\?\); the case has: contract-existed, contract-in-effect",
    ):
        contradictions(hootsuite, "contract-exists")


def test_default_claim_has_the_most_pairs(hootsuite):
    counts = contradictions(hootsuite)["claim"].value_counts()
    assert default_claim(hootsuite) == counts.idxmax()


# ------------------------------------------------------------------ stances corrected against the fact sheet (issue 19)


def test_pending_is_coded_against_an_order_that_had_taken_effect(hootsuite):
    """'its only pending contract' admits a contract and denies that it had taken effect, which the record supports."""
    rows = hootsuite.stances[hootsuite.stances["statement_id"] == "hootsuite-techcrunch-a"].set_index("claim_id")
    assert rows.loc["contract-existed", "stance"] == "affirms"
    assert (rows.loc["contract-in-effect", "stance"], rows.loc["contract-in-effect", "mode"]) == ("denies", "literal")
    assert "pending" in rows.loc["contract-in-effect", "evidence"]
    assert hootsuite.claims.loc["contract-in-effect", "record"] == "supported"
    against = against_record(hootsuite)
    assert ((against["claim_id"] == "contract-in-effect") & (against["statement_id"] == "hootsuite-techcrunch-a")).any()
    assert len(contradictions(hootsuite, "contract-in-effect")) >= 1


def test_a_generic_preamble_carries_no_stance(hootsuite):
    """'our customers and our contracts' is a preamble, not a statement that this contract existed."""
    assert not (hootsuite.stances["statement_id"] == "keiser-public-opening").any()
    pairs = contradictions(hootsuite)
    assert "keiser-public-opening" not in set(pairs["earlier"]) | set(pairs["later"])


def test_pairs_that_rest_on_a_paraphrase_say_so(hootsuite):
    pairs = contradictions(hootsuite)
    paraphrased = set(hootsuite.statements.index[hootsuite.statements["text_status"] == "paraphrase"])
    assert {"ice-crn", "gaboriault-workpermit", "hootsuite-cp"} <= paraphrased
    for _, pair in pairs.iterrows():
        sides = [side for side in ("earlier", "later") if pair[side] in paraphrased]
        expected = "no" if not sides else "yes: both statements" if len(sides) == 2 else f"yes: the {sides[0]} statement"
        assert pair["rests on a paraphrase"] == expected, (pair["earlier"], pair["later"])
    assert (pairs["rests on a paraphrase"] != "no").any() and (pairs["rests on a paraphrase"] == "no").any()
    assert "paraphrase" in claim_view_html(hootsuite, "formally-terminated")  # the claim explorer says so too


def test_a_pair_resting_on_a_paraphrase_in_a_small_case(case_copy):
    header, rows = read_rows(case_copy / "statements.csv")
    for row in rows:
        if row["statement_id"] == "engineer-email":
            row["text_status"] = "paraphrase"
    write_rows(case_copy / "statements.csv", header, rows)
    table = contradictions(with_stances(case_copy, [DENIAL, EMAIL]))
    assert list(table["rests on a paraphrase"]) == ["yes: the later statement"]


def test_organisation_only_keeps_the_pairs_inside_the_organisation(hootsuite, case_copy):
    inside = contradictions(hootsuite, organisation_only=True)
    speaks_for = hootsuite.statements["speaks_for"]
    assert len(inside) and all(speaks_for[s] == "organisation" for s in (*inside["earlier"], *inside["later"]))
    assert set(inside["speak for"]) == {"organisation / organisation"}
    everything = contradictions(hootsuite)
    assert len(inside) == int(
        (
            (speaks_for[everything["earlier"]].to_numpy() == "organisation")
            & (speaks_for[everything["later"]].to_numpy() == "organisation")
        ).sum()
    )
    # an employee's tweets belong to the company's people but do not speak for it (issue 22)
    employee_pairs = everything[(everything["speak for"].str.contains("employee")) & (everything["same organisation"] == "yes")]
    pairs = lambda table: set(zip(table["claim"], table["earlier"], table["later"]))  # noqa: E731
    assert len(employee_pairs) and not pairs(employee_pairs) & pairs(inside)
    # in the small case the engineer (an employee) and a passenger petition are not the organisation speaking;
    # a denial and a reversal by its spokeswoman and chief executive are
    case = with_stances(
        case_copy,
        [
            DENIAL,
            EMAIL,
            ("petition-text", "wren-passed-feb-survey", "denies", "implied", "tell us the truth"),
            ("ceo-reversal", "wren-passed-feb-survey", "denies", "literal", "It did not."),
        ],
    )
    assert len(contradictions(case)) == 3 and len(contradictions(case, organisation_only=True)) == 1
