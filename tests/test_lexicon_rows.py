"""What the lexicon's rows claim about meaning: the corrections of issue 19, checked on the data file."""

from __future__ import annotations

import pytest

from helpers import analyse_text, load_lexicon
from helpers.coding import analyse_draft

LEXICON = load_lexicon()


def _rows(category: str | None = None, subcategory: str | None = None):
    rows = LEXICON.rows
    if category:
        rows = rows[rows["category"] == category]
    if subcategory:
        rows = rows[rows["subcategory"] == subcategory]
    return rows


def _fires(row_ids, text: str) -> bool:
    return any(LEXICON.pattern(row_id, organisation="Acme").search(text) for row_id in row_ids)


@pytest.mark.parametrize(
    "reason",
    [
        "Because of the sensitivity in this case, I can confirm the decision.",
        "Due to the attention around this case we can confirm our decision.",
        "As a result, we have decided not to proceed.",
        "We have spoken to staff since the news broke.",
        "The reason we are speaking now is the attention.",
    ],
)
def test_a_reason_for_speaking_is_not_an_explanation(reason):
    """Lewicki et al.'s explanation is an account of what went wrong, not any causal word."""
    assert not _fires(_rows("apology", "explanation").index, reason)


@pytest.mark.parametrize(
    "account",
    [
        "What went wrong is that our spokesperson was not told.",
        "Our mistake was to approve the order without asking our staff.",
        "It happened because we did not check the reseller's contracts.",
    ],
)
def test_an_account_of_what_went_wrong_is_an_explanation(account):
    assert _fires(_rows("apology", "explanation").index, account)


def test_owning_and_hiding_are_never_one_score():
    """No responsibility row matches an agentless passive; the passive row sits outside the category."""
    responsibility = _rows("responsibility")
    passives = _rows(subcategory="agentless passive")
    assert len(passives) == 1 and set(passives["category"]) == {"evasion"}
    for hidden in ("It was decided to not proceed.", "The order was signed on Friday.", "It was not one that was made lightly."):
        assert not _fires(responsibility.index, hidden), hidden
        assert _fires(passives.index, hidden), hidden
    assert _fires(responsibility.index, "We have decided to not proceed.")


@pytest.mark.parametrize(
    "text, owned, hidden",
    [
        ("We have decided to not proceed.", 1, 0),
        ("It was decided to not proceed.", 0, 1),
        ("We have decided to stop. The order was signed without us.", 1, 1),
    ],
)
def test_the_drafting_lab_reports_owning_and_hiding_apart(hootsuite, text, owned, hidden):
    report = analyse_draft(hootsuite, text)
    assert (report.responsibility_markers, report.agentless_passives) == (owned, hidden)


def test_the_noun_decision_is_not_a_commitment():
    commitment = _rows("commitment").index
    for named in ("The decision has created a divided company.", "This is a significant decision for us."):
        assert not _fires(commitment, named), named
    for made in (
        "We have decided not to renew.",
        "The board made the decision to withdraw.",
        "We have determined that we will leave.",
    ):
        assert _fires(commitment, made), made


def test_urgency_is_a_commitment_not_a_booster():
    urgent = "The action will be completed swiftly and without delay."
    assert not _fires(_rows("booster").index, urgent)
    urgency = _rows("commitment", "urgency")
    assert len(urgency) == 1 and _fires(urgency.index, urgent)
    counts = analyse_text(urgent, LEXICON).counts(LEXICON.categories)
    assert counts["booster"] == 0 and counts["commitment"] >= 2
    # the boosters that stay mark certainty
    assert set(_rows("booster")["subcategory"]) <= {"certainty", "intensifier"}


def test_every_row_keeps_its_notes_honest():
    """Each corrected row says in its note what it does and does not count."""
    notes = LEXICON.rows["note"]
    assert "what went wrong" in notes["apol-explanation"]
    assert "the noun 'decision'" in notes["commit-decision"]
    assert "not certainty" in notes["commit-urgency"]
    assert "never add up to one score" in notes["evade-agentless-passive"]
