"""The built-in case: known facts, provenance, and the loader's view of it."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta, timezone

import pytest

from helpers import list_cases, load_case, snowflake_time
from helpers.paths import CASES_DIR
from tests.conftest import FICTIONAL_CASE, SHARED_FACTS

SPOKESPERSON = (
    "As a business, we do not discuss specific customer deals, however, because of the sensitivity in this "
    "particular case, I can confirm that Hootsuite is not entering into a deal with U.S. Immigration and "
    "Customs Enforcement."
)


def test_built_in_cases():
    assert list_cases() == ["hootsuite-ice-2020"]


def test_no_fictional_case_under_data():
    for folder in CASES_DIR.iterdir():
        metadata = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
        assert metadata["fictional"] is False, f"{folder.name} is fictional and must live under tests/"


def test_the_fictional_case_says_so(fictional):
    assert fictional.fictional is True
    assert "fictional" in fictional.title.lower()
    assert not FICTIONAL_CASE.is_relative_to(CASES_DIR)


def test_metadata(hootsuite):
    assert hootsuite.timezone == "America/Vancouver"
    assert hootsuite.organisation == "Hootsuite"
    assert hootsuite.fictional is False


def test_contract_start_date(hootsuite):
    assert hootsuite.fact("contract-start-date") == date(2020, 9, 18)
    start = hootsuite.interval("contract-start")
    # a day-precision time covers that calendar day in Vancouver (PDT, UTC-7)
    assert start.start == datetime(2020, 9, 18, 7, tzinfo=timezone.utc)
    assert start.width == timedelta(days=1)


def test_contract_value(hootsuite):
    assert hootsuite.fact("contract-value") == 508832
    assert hootsuite.facts.loc["contract-value", "unit"] == "USD"


def test_spokesperson_sentence_word_for_word(hootsuite):
    row = hootsuite.statements.loc["gaboriault-biv"]
    assert row["text"] == SPOKESPERSON
    assert (row["speaker"], row["audience"], row["text_status"]) == ("Melanie Gaboriault", "press", "verbatim")


def test_ceo_internal_email_and_public_reversal(hootsuite):
    email = hootsuite.statements.loc["keiser-email"]
    assert "we will be pulling out of the ICE deal" in email["text"]
    assert email["audience"] == "internal"
    assert hootsuite.interval("keiser-email").start == datetime(2020, 9, 24, 4, tzinfo=timezone.utc)  # 21:00 PDT
    assert "made the decision to proceed with signing a contract with ICE" in hootsuite.statements.loc["keiser-public-proceed", "text"]
    assert hootsuite.statements.loc["keiser-public-closing", "text"].endswith("As a result, we have decided to not proceed with the deal with ICE.")


def test_ice_said_it_had_no_formal_notification(hootsuite):
    assert "ICE has not received formal notification from the contract awardee" in hootsuite.statements.loc["ice-houtmann", "text"]


def test_thread_time_is_derived_from_the_tweet_id(hootsuite):
    tweet = hootsuite.statements.loc["anderson-thread-1"]
    assert tweet["time_basis"] == "derived" and tweet["status_id"] == "1308917007438483457"
    assert hootsuite.interval("anderson-thread-1").start == snowflake_time(tweet["status_id"])
    assert hootsuite.interval("thread") == hootsuite.interval("anderson-thread-1")


def test_denial_came_after_the_internal_decision(hootsuite):
    email, denial = hootsuite.interval("keiser-email"), hootsuite.interval("gaboriault-biv")
    assert denial.start >= email.start


def test_every_statement_and_event_names_a_source(hootsuite):
    for frame in (hootsuite.statements, hootsuite.events, hootsuite.claims, hootsuite.facts):
        assert (frame["source_ids"].str.len() > 0).all()


def test_every_fact_sheet_statement_section_is_covered(hootsuite):
    speakers = set(hootsuite.statements["speaker"])
    for name in ("Sam Anderson", "Melanie Gaboriault", "Tom Keiser", "Mary Houtmann"):
        assert name in speakers
    assert len(hootsuite.statements) >= 30
    assert set(hootsuite.statements["text_status"]) == {"verbatim", "fragment", "paraphrase"}


def test_timeline_covers_june_to_october_2020(hootsuite):
    placed = hootsuite.events.dropna(subset=["start"])
    in_2020 = placed[(placed["start"] >= "2020-06-01") & (placed["start"] < "2020-11-01")]
    assert len(in_2020) >= 29
    assert in_2020["start"].min() < datetime(2020, 7, 1, tzinfo=timezone.utc)
    assert in_2020["end"].max() > datetime(2020, 10, 5, tzinfo=timezone.utc)


def test_petition_milestones_rise(hootsuite):
    petition = hootsuite.events[hootsuite.events["quantity_unit"] == "signatures"].sort_values("start")
    assert list(petition["quantity"]) == [10, 25, 50, 100, 500, 623]


# ------------------------------------------------------------------ provenance against the fact sheet

def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def fact_sheet():
    if not SHARED_FACTS.is_file():
        pytest.skip(f"the project's fact sheet is not at {SHARED_FACTS} (it sits beside the repository in CI)")
    return _normalise(SHARED_FACTS.read_text(encoding="utf-8"))


def test_every_quoted_word_is_in_the_fact_sheet(hootsuite, fact_sheet):
    """Nothing invented: each piece of every text, evidence and variant occurs in FACTS.md."""
    missing = []
    for sid, text in hootsuite.statements["text"].items():
        for piece in text.split(" […] "):
            if _normalise(piece) not in fact_sheet:
                missing.append((sid, piece))
    for _, row in hootsuite.variants.iterrows():
        if _normalise(row["variant"]) not in fact_sheet:
            missing.append((row["statement_id"], row["variant"]))
    assert missing == []


def test_a_statement_and_an_event_may_share_an_id(hootsuite):
    # The departure tweet (Oct 6) and the end of employment it reports (Oct 5) share the id.
    tweet = hootsuite.interval("anderson-departure", "statements")
    departure = hootsuite.interval("anderson-departure", "events")
    assert tweet.start.date().isoformat() == "2020-10-06"
    assert departure.end <= tweet.start + (tweet.end - tweet.start)
    assert hootsuite.statements.loc["anderson-departure", "start"] == tweet.start
    with pytest.raises(KeyError, match="both a statement and an event"):
        hootsuite.interval("anderson-departure")
