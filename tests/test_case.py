"""The built-in case: known facts, provenance, and the loader's view of it."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime, timedelta

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
    assert list_cases() == ["chef-2019", "hootsuite-ice-2020", "wayfair-2019"]


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
    assert start.start == datetime(2020, 9, 18, 7, tzinfo=UTC)
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
    assert hootsuite.interval("keiser-email").start == datetime(2020, 9, 24, 4, tzinfo=UTC)  # 21:00 PDT
    assert (
        "made the decision to proceed with signing a contract with ICE"
        in hootsuite.statements.loc["keiser-public-proceed", "text"]
    )
    assert hootsuite.statements.loc["keiser-public-closing", "text"].endswith(
        "As a result, we have decided to not proceed with the deal with ICE."
    )


def test_ice_said_it_had_no_formal_notification(hootsuite):
    assert (
        "ICE has not received formal notification from the contract awardee" in hootsuite.statements.loc["ice-houtmann", "text"]
    )


def test_thread_time_is_derived_from_the_tweet_id(hootsuite):
    tweet = hootsuite.statements.loc["anderson-thread-1"]
    assert tweet["time_basis"] == "derived" and tweet["status_id"] == "1308917007438483457"
    assert hootsuite.interval("anderson-thread-1").start == snowflake_time(tweet["status_id"])
    assert hootsuite.interval("thread") == hootsuite.interval("anderson-thread-1")


def test_the_order_of_the_email_and_the_denial_is_not_established(hootsuite):
    """No source times the statement itself; the only estimate (BetaKit's) times BIV's story."""
    from helpers.times import gap

    statement = hootsuite.statements.loc["gaboriault-biv"]
    # the night is reported (Star, Vice); no bound is added to the statement
    assert (statement["time"], statement["time_precision"], statement["time_basis"]) == (
        "2020-09-23 night",
        "part_of_day",
        "reported",
    )
    assert statement["time_earliest"] == "" and statement["time_latest"] == ""
    assert hootsuite.interval("gaboriault-biv").start == datetime(2020, 9, 24, 4, tzinfo=UTC)  # 21:00 PDT
    assert not gap(hootsuite.interval("keiser-email"), hootsuite.interval("gaboriault-biv")).certain_order
    # the bound sits where the sources put the estimate: on the story, as an inference from BetaKit
    story = hootsuite.events.loc["biv-article"]
    assert (story["kind"], story["time_precision"], story["time_basis"]) == ("media-report", "part_of_day", "inferred")
    assert story["time_earliest"] == "2020-09-23T22:00-07:00"
    assert "some two hours" in story["time_as_reported"] and "BetaKit" in story["time_as_reported"]
    assert "betakit-1" in story["source_ids"].split(";")
    assert gap(hootsuite.interval("keiser-email"), hootsuite.interval("biv-article", "events")).certain_order
    # what the statement's own row says the sources give
    assert "BetaKit" in statement["time_as_reported"] and "not timed itself" in statement["time_as_reported"]


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
    assert in_2020["start"].min() < datetime(2020, 7, 1, tzinfo=UTC)
    assert in_2020["end"].max() > datetime(2020, 10, 5, tzinfo=UTC)


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


# ------------------------------------------------------------------ corrections checked against the fact sheet (issue 19)


def _sources(case, statement_id):
    return set(case.statements.loc[statement_id, "source_ids"].split(";"))


def test_each_statement_cites_only_sources_that_print_its_words(hootsuite):
    # BIV's January 2021 recap only paraphrases the statement, and the fact sheet does not show BetaKit printing it
    assert not _sources(hootsuite, "gaboriault-biv") & {"biv-spark", "betakit-1"}
    # Vice and Vancouver Magazine report the tweet; they are not recorded printing its words
    assert not _sources(hootsuite, "hootsuite-tweet") & {"vice", "vanmag"}
    assert {"vice", "vanmag"} <= set(hootsuite.events.loc["hootsuite-tweet", "source_ids"].split(";"))
    # CityNews carries the middle of Keiser's statement, not its closing passage
    assert "citynews" not in _sources(hootsuite, "keiser-public-closing")
    assert "citynews" in _sources(hootsuite, "keiser-public-committee")


def test_every_outlet_that_prints_a_variant_is_a_source_of_the_statement(hootsuite):
    missing = [
        (row["statement_id"], source)
        for _, row in hootsuite.variants.iterrows()
        for source in row["source_ids"].split(";")
        if source not in _sources(hootsuite, row["statement_id"])
    ]
    assert missing == []


def test_the_closing_passage_note_follows_the_corrected_fact_sheet(hootsuite, fact_sheet):
    note = hootsuite.statements.loc["keiser-public-closing", "note"]
    assert "CRN agrees on the last three sentences and the Daily Dot prints only the last two" in note
    assert "the DailyDot prints only the last two" in fact_sheet


def test_the_morning_of_keisers_public_statement_is_inferred(hootsuite):
    pieces = hootsuite.statements[hootsuite.statements.index.str.startswith("keiser-public-")]
    assert len(pieces) == 8
    assert set(pieces["time_basis"]) == {"inferred"} and set(pieces["time_precision"]) == {"part_of_day"}
    assert all("The morning is inferred, not reported" in note for note in pieces["note"])


def test_thread_replies_and_the_betakit_denial_do_not_precede_the_opening_tweet(hootsuite):
    opening = hootsuite.interval("anderson-thread-1", "statements").start
    answering = [sid for sid in hootsuite.statements.index if sid.startswith("anderson-thread-")] + ["hootsuite-betakit"]
    for sid in answering:
        assert hootsuite.interval(sid, "statements").start >= opening, sid
    for sid in (
        "anderson-thread-3",
        "anderson-thread-3-end",
        "anderson-thread-4",
        "anderson-thread-5",
        "anderson-thread-7",
        "hootsuite-betakit",
    ):
        assert hootsuite.statements.loc[sid, "time_earliest"] == "2020-09-23T16:51:47.732-07:00", sid
        assert "inferred" in hootsuite.statements.loc[sid, "note"], sid


def test_notes_are_written_in_the_modules_own_words(hootsuite):
    # the Daily Dot's sentence about the award, and CRN's description of the reseller, are not copied
    assert (
        "recently awarded a contract to a third-party vendor for Hootsuite"
        not in hootsuite.statements.loc["ice-dailydot-awarded", "note"]
    )
    profile = hootsuite.facts.loc["fcn-profile"]
    for phrase in (
        "government-focused solution provider",
        "woman-owned small business",
        "Solution Provider 500",
        "No. 221",
        "packages partners' products",
    ):
        assert phrase not in profile["value"] and phrase not in profile["note"], phrase
    assert "third-party vendor" not in hootsuite.facts.loc["hootsuite-party", "value"]


def test_the_623_signatures_are_the_petitions_close(hootsuite):
    event = hootsuite.events.loc["petition-623"]
    assert "won" in event["title"] and "closes" in event["title"] and "reaches" not in event["title"]
    assert "not a step in its growth" in event["note"]


# ------------------------------------------------------------------ the casebook's other cases (issue 22)

CASEBOOK = SHARED_FACTS.parent / "casebook"


@pytest.fixture(scope="module")
def chef():
    return load_case("chef-2019")


@pytest.fixture(scope="module")
def wayfair():
    return load_case("wayfair-2019")


def _sheet(name: str) -> str:
    path = CASEBOOK / f"{name}.md"
    if not path.is_file():
        pytest.skip(f"the casebook's fact sheet is not at {path} (it sits beside the repository in CI)")
    text = re.sub(r"(?m)^\s*>\s?", " ", path.read_text(encoding="utf-8")).replace("**", "")
    return _normalise(text)


@pytest.mark.parametrize("case_id, sheet", [("chef-2019", "chef-2019"), ("wayfair-2019", "wayfair-2019")])
def test_every_quoted_word_of_a_casebook_case_is_in_its_fact_sheet(case_id, sheet):
    """Nothing invented: every piece of every text is in the case's fact sheet (a line break there is written " / "),
    and every variant too: a variant is the passage as the outlet prints it, never rebuilt from a description."""
    case, text = load_case(case_id), _sheet(sheet)
    missing = []
    for sid, statement in case.statements["text"].items():
        for piece in re.split(r"\s*\[…\]\s*", statement):
            piece = piece.strip()
            if piece and _normalise(piece) not in text and _normalise(piece.replace("\n\n", " / ")) not in text:
                missing.append((sid, piece[:60]))
    for _, row in case.variants.iterrows():
        if _normalise(row["variant"]) not in text:
            missing.append((row["statement_id"], row["variant"]))
    assert missing == []


def test_the_casebook_cases_know_who_speaks_for_whom(chef, wayfair):
    # a former employee's protest and an engineer's commit are not the company speaking (issue 22)
    assert chef.statements.loc["vargo-readme", "speaks_for"] == "employee"
    assert chef.statements.loc["paradise-rename", "speaks_for"] == "employee"
    assert chef.statements.loc["crist-blog", "speaks_for"] == "organisation"
    assert wayfair.statements.loc["employee-letter", "speaks_for"] == "employee"
    assert wayfair.statements.loc["leadership-reply-orders", "speaks_for"] == "organisation"
    assert set(wayfair.statements.loc[wayfair.statements["organisation"] == "BCFS", "speaks_for"]) == {"third-party"}


def test_chefs_first_public_word_is_the_ceos_post_not_a_commit_message(chef):
    from helpers.queries import first_press_statement

    assert chef.first_response == first_press_statement(chef) == "crist-blog"
    # by the times alone, the CTO's Friday interview would certainly have come first: the mark says otherwise
    interval = chef.interval("crist-blog", "statements")
    assert interval.end > chef.interval("scobie-techcrunch", "statements").end
    assert chef.names == ("Chef Software", "Chef")


def test_the_casebook_cases_known_facts(chef, wayfair):
    assert chef.fact("ice-contract-value") == 95500 and chef.fact("decision-date") == date(2019, 9, 23)
    # the README commit, from git: 10:27:13 -04:00 is 07:27:13 in Seattle
    assert chef.interval("vargo-readme", "statements").start == datetime(2019, 9, 19, 14, 27, 13, tzinfo=UTC)
    # the activist's tweet is timed by its id, which the event carries and the loader checks
    assert snowflake_time(chef.events.loc["kane-tweet", "status_id"]) == datetime(2019, 9, 16, 20, 18, 30, 48000, tzinfo=UTC)
    assert wayfair.fact("order-value") == 200000 and wayfair.fact("donation") == 100000
    assert snowflake_time(wayfair.events.loc["letter-photo-tweet", "status_id"]) == datetime(
        2019, 6, 25, 15, 55, 29, 335000, tzinfo=UTC
    )
    assert wayfair.coding.empty  # on purpose: the case without a reference coding
    assert "I apologize for this." in chef.statements.loc["crist-reversal-breitbart", "text"]


def test_one_sided_bounds_are_kept_and_shown(chef):
    from helpers.queries import when

    assert chef.interval("crist-bloomberg", "statements") is None  # "after Sep 23", no upper bound: not placed
    assert when(chef, "crist-bloomberg", "America/Los_Angeles") == "unknown, not before 2019-09-23 00:00 PDT"
    assert when(chef, "service-restored-verge", "America/Los_Angeles", "events") == "unknown, not after 2019-09-19 12:00 PDT"


def test_teaching_text_quotes_only_words_the_case_records():
    """Quotation marks in a case's teaching text hold speakers' words: each quoted passage is in one of its statements."""
    checked = 0
    for case_id in list_cases():
        case = load_case(case_id)
        texts = list(case.statements["text"])
        for note_id, note in case.teaching["text"].items():
            for quoted in re.findall(r'"([^"]+)"', note):
                checked += 1
                assert any(quoted in t for t in texts), (case_id, note_id, quoted)
    assert checked >= 15


def test_casebook_times_cover_every_reading_their_sources_allow(chef, wayfair):
    """A time or bound says no more than the fact sheet does (review of #22, item 4)."""

    def utc(*args):
        return datetime(*args, tzinfo=UTC)

    def covers(interval, *moments):
        return all(interval.start <= m < interval.end for m in moments)

    # the walkout: "shortly after 1 p.m.", "1:00pm", "just before 1:30" and the 1:30 start are all EDT (-04:00)
    walkout = wayfair.interval("walkout", "events")
    assert covers(walkout, utc(2019, 6, 26, 17, 0), utc(2019, 6, 26, 17, 29), utc(2019, 6, 26, 17, 30))
    # "early Friday AM" in a zone the blogger does not give: Friday 00:00 Eastern and Friday 11:00 Pacific alike
    dm = chef.interval("vargo-chrisshort", "statements")
    assert covers(dm, utc(2019, 9, 20, 4, 0), utc(2019, 9, 20, 18, 0))
    # Vargo's "no one responded after 72 hours" before his README commit puts his contact by Sep 16 07:27 Pacific
    contact = chef.interval("vargo-contacts-chef", "events")
    assert covers(contact, utc(2019, 9, 16, 14, 27, 13) - timedelta(seconds=1))
    # a blog post's git commit time is its committer's clock, not a bound on when the post went up
    assert not chef.statements.loc["rubycentral-statement", "time_earliest"]


def test_casebook_statements_cite_only_sources_that_carry_their_words(chef, wayfair):
    """source_ids are the outlets that carry the text; one that only dates or summarises it is the event's (review of #22, item 8)."""

    def sources(case, statement_id):
        return set(case.statements.loc[statement_id, "source_ids"].split(";"))

    # Business Insider reports Chef's reversal in its own words; AP and Patch date the founders' letter without quoting it
    assert "insider-2" not in sources(chef, "crist-reversal-register")
    assert not sources(wayfair, "founders-letter") & {"ap", "patch"}
    assert {"ap", "patch"} <= set(wayfair.events.loc["founders-donate", "source_ids"].split(";"))
    for case in (chef, wayfair):  # an outlet that prints a variant carries the text, with that difference
        for _, row in case.variants.iterrows():
            assert set(row["source_ids"].split(";")) <= sources(case, row["statement_id"]), (case.case_id, row["statement_id"])


def test_casebook_narrative_does_not_keep_reporters_phrases(chef, wayfair):
    """Phrases the fact sheets quote from journalists are not our narrative (review of #22, item 10)."""
    rows = [
        (wayfair.facts, "buyer", "value", "formerly called"),
        (wayfair.facts, "destination", "value", "oilfield-worker compound"),
        (wayfair.claims, "buyer-was-ice", "record_note", "runs shelters for unaccompanied"),
        (chef.statements, "scobie-techcrunch", "note", "sat down with"),
        (chef.facts, "reseller", "value", "approved contractor"),
    ]
    for frame, row, column, phrase in rows:
        assert phrase not in frame.loc[row, column], (row, phrase)
