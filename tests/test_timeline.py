"""The timeline: gaps as ranges, what was public when, norms, tweet-id decoding feedback."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from helpers import ParameterError
from helpers.timeline import (
    against_norms,
    check_event,
    claims_at,
    decision_and_first_press_event,
    decoding_feedback,
    default_anchor,
    default_as_of,
    gap_row,
    gap_table,
    gaps_from,
    parse_as_of,
    public_at,
    response_times,
    said_before,
    statement_status,
    timeline,
)


def test_email_to_denial_may_overlap_and_the_table_says_what_each_end_rests_on(hootsuite):
    row = gap_row(hootsuite, "keiser-email", "spokesperson-biv")
    # the email in the 21:00 hour; the statement somewhere in the night (21:00-24:00): either may have come first
    assert (row["shortest"], row["longest"]) == (timedelta(hours=-1), timedelta(hours=3))
    assert row["certain order"] == "no: may overlap"
    assert row["from basis"] == "hour, reported" and row["to basis"] == "part_of_day, reported"
    table = gap_table(hootsuite, [decision_and_first_press_event(hootsuite)])
    assert list(table[["from", "to"]].iloc[0]) == ["keiser-email", "spokesperson-biv"]
    # beside the modelled range, the sources' own estimate, with whose it is and what it times
    assert "shortly after 9 pm" in table.loc[0, "from as reported"]
    assert "BetaKit" in table.loc[0, "to as reported"] and "some two hours" in table.loc[0, "to as reported"]
    # the story carries the bound, so under the data it did follow the email
    story = gap_row(hootsuite, "keiser-email", "biv-article")
    assert story["certain order"] == "yes" and story["to basis"] == "part_of_day, inferred"


def test_what_came_before_a_statement(hootsuite, fictional):
    before = said_before(hootsuite, "gaboriault-biv")
    assert before.loc["anderson-thread-1", "before it?"] == "certainly before"
    assert before.loc["keiser-email", "before it?"] == "maybe before"
    assert "hootsuite-tweet" not in before.index and "gaboriault-biv" not in before.index
    assert set(before["before it?"]) == {"certainly before", "maybe before"}
    # the fictional case's first press statement comes before anything else in the record
    assert said_before(fictional, "spokes-denial").empty
    with pytest.raises(ParameterError, match="unknown statement 'gaboriault-bvi'"):
        said_before(hootsuite, "gaboriault-bvi")


def test_thread_to_email_is_about_four_to_five_hours(hootsuite):
    row = gap_row(hootsuite, "thread", "keiser-email")
    # the thread's first tweet at 16:51:47.732 PDT (derived); the email in the 21:00 hour (reported)
    assert row["shortest"] == timedelta(hours=4, minutes=8, seconds=12, milliseconds=267)
    assert row["longest"] == timedelta(hours=5, minutes=8, seconds=12, milliseconds=268)


def test_default_anchor_is_the_thread(hootsuite):
    assert default_anchor(hootsuite) == "thread"


def test_gaps_from_lists_the_chain_in_order(hootsuite):
    table = gaps_from(hootsuite, "thread", "UTC")
    chain = [
        e
        for e in table.index
        if e in ("thread", "keiser-email", "spokesperson-biv", "hootsuite-tweet", "keiser-public", "ice-statement")
    ]
    assert chain == ["thread", "keiser-email", "spokesperson-biv", "hootsuite-tweet", "keiser-public", "ice-statement"]
    assert table.loc["keiser-email", "from anchor"] == "[4 h 08 min 12 s, 5 h 08 min 12 s]"
    assert table.loc["thread", "when (UTC)"] == "2020-09-23 23:51:47 UTC"


def test_timeline_has_every_event_and_each_unlinked_statement_once(hootsuite):
    table = timeline(hootsuite)
    linked = set(hootsuite.events["statement_id"]) - {""}
    assert len(table) == len(hootsuite.events) + len(set(hootsuite.statements.index) - linked)
    placed = table.dropna(subset=["start"])
    assert placed["start"].is_monotonic_increasing


def test_what_was_public_when_the_denial_was_certainly_made(hootsuite):
    moment = default_as_of(hootsuite)
    assert moment == pd.Timestamp("2020-09-24T07:00:00Z")  # midnight PDT, the end of "Wednesday night"
    table = public_at(hootsuite, moment)
    assert table.loc["gaboriault-biv", "by then"] == "made" and table.loc["gaboriault-biv", "reach"] == "to the press"
    assert table.loc["keiser-email", "reach"] == "internal only"
    assert "hootsuite-tweet" not in table.index
    claims = claims_at(hootsuite, moment)
    assert "gaboriault-biv (literal)" in claims.loc["future-business", "denied publicly"]
    assert "keiser-email (literal) affirms" in claims.loc["leadership-decided-to-withdraw", "said internally"]


def test_status_at_the_edges_of_an_interval(hootsuite):
    email = hootsuite.interval("keiser-email", "statements")
    assert statement_status(hootsuite, pd.Timestamp(email.start))["keiser-email"] == "maybe made"
    assert statement_status(hootsuite, pd.Timestamp(email.end))["keiser-email"] == "made"
    assert statement_status(hootsuite, pd.Timestamp(email.start) - pd.Timedelta(seconds=1))["keiser-email"] == "not yet"


def test_as_of_is_read_in_the_display_zone(hootsuite):
    assert parse_as_of(hootsuite, "2020-09-24 10:00", "America/Chicago") == pd.Timestamp("2020-09-24T15:00Z")
    assert parse_as_of(hootsuite, "2020-09-24T10:00-07:00", "UTC") == pd.Timestamp("2020-09-24T17:00Z")


def test_as_of_on_a_daylight_saving_change(fictional):
    # Sydney left daylight saving at 03:00 on 2 April 2023, so 02:30 happened twice; the first one (+11:00) is used.
    assert parse_as_of(fictional, "2023-04-02 02:30", "Australia/Sydney") == pd.Timestamp("2023-04-01T15:30Z")


@pytest.mark.parametrize(
    "as_of, message",
    [
        ("2019-01-01 00:00", "is outside the case, which runs from 2020-06-01 00:00"),
        ("tomorrow", "is not a time written 'YYYY-MM-DD HH:MM'"),
        ("2020-09-31 10:00", "is not a valid time"),
    ],
)
def test_bad_as_of(hootsuite, as_of, message):
    with pytest.raises(ParameterError, match=f"parameter 'as_of': .*{message}"):
        parse_as_of(hootsuite, as_of)


def test_unknown_anchor_lists_valid_events(hootsuite):
    with pytest.raises(
        ParameterError,
        match=r"parameter 'anchor_event': 'treadh' is not an event of this case \(did you mean 'thread'\?\); events with a known time: .*thread",
    ):
        check_event(hootsuite, "treadh")


def test_response_times_against_the_one_hour_norm(hootsuite):
    times = response_times(hootsuite, "thread")
    assert times.loc["press", "first statement"] == "gaboriault-biv"
    assert (times.loc["press", "shortest (h)"], times.loc["press", "longest (h)"]) == (4.14, 7.14)
    verdicts = against_norms(hootsuite, "thread").set_index("audience")["verdict"]
    assert verdicts["press"] == "beyond the norm"


def test_decoding_feedback_guides_without_giving_the_answer():
    status_id = "1308917007438483457"
    right = pd.Timestamp("2020-09-23T23:51:47.732Z")
    assert decoding_feedback(right, status_id).startswith("Correct")
    assert "UTC" in decoding_feedback(right.tz_convert("America/Vancouver").tz_localize(None), status_id)
    assert "is your answer in UTC" in decoding_feedback(right + pd.Timedelta(hours=7), status_id)
    assert "fractional part" in decoding_feedback(right.floor("s"), status_id)
    assert "not a time yet" in decoding_feedback(None, status_id)
    for wrong in (None, right + pd.Timedelta(days=3), pd.Timestamp("1970-01-01", tz="UTC")):
        message = decoding_feedback(wrong, status_id)
        assert "23:51" not in message and "2020-09-23" not in message


# ------------------------------------------------------------------ issue 22: order labels, the discussion's pair, ids on events, series


def test_a_gap_wholly_below_zero_says_the_second_came_first(fictional):
    from helpers.timeline import gap_row

    # the chief executive's weekend staff meeting came after the spokeswoman's denial of 20 March: measured the other way round
    row = gap_row(fictional, "ceo-staff-meeting-held", "spokes-denial-made")
    assert row["certain order"] == "no: the second came first" and row["gap"].startswith("[-")
    assert gap_row(fictional, "spokes-denial-made", "ceo-staff-meeting-held")["certain order"] == "yes"
    assert gap_row(fictional, "wren-withdrawn", "ceo-staff-meeting-held")["certain order"] == "no: may overlap"


def test_the_discussion_pair_follows_the_cases_notes_and_the_parameters(hootsuite):
    from helpers import load_case
    from helpers.timeline import decision_and_first_press_event

    assert decision_and_first_press_event(hootsuite) == ("keiser-email", "spokesperson-biv")
    chef = load_case("chef-2019")
    # the first timed company-decision is the VP of Legal's letter (known only to the day); the notes name the fork
    assert decision_and_first_press_event(chef) == ("fork-renamed", "crist-blog-posted")
    assert decision_and_first_press_event(chef, "legal-letter", "reversal-posted") == ("legal-letter", "reversal-posted")
    with pytest.raises(ParameterError, match="parameter 'decision_event': 'no-such-event' is not an event"):
        decision_and_first_press_event(chef, "no-such-event")


def test_tweet_ids_on_events_can_be_decoded(hootsuite):
    from helpers import load_case
    from helpers.timeline import status_ids

    assert list(status_ids(hootsuite)["item"]) == ["anderson-thread-1", "anderson-thread-6"]
    ids = status_ids(load_case("chef-2019"))
    assert ids.values.tolist() == [["kane-tweet", "events", "1173692656192385024"]]


def test_the_counted_series_is_one_series(hootsuite, fictional, case_copy):
    from helpers import load_case
    from helpers.plots import plot_milestones, quantity_series
    from tests.conftest import read_rows, write_rows

    assert quantity_series(hootsuite) == ["petition signatures"]
    assert quantity_series(load_case("wayfair-2019")) == []  # one number is not a series
    assert plot_milestones(load_case("wayfair-2019")) is None
    # two series in one case: each is drawn alone, with its own rates
    header, rows = read_rows(case_copy / "events.csv")
    for row in rows:
        if row["event_id"] in ("petition-count-1", "petition-count-2"):
            row.update(quantity_series="crowd estimate", quantity_unit="people", quantity=row["quantity"])
    write_rows(case_copy / "events.csv", header, rows)
    case = load_case(case_copy)
    assert quantity_series(case) == ["crowd estimate"]  # petition signatures keeps one reading only
    fig = plot_milestones(case, series="crowd estimate")
    assert "series 'crowd estimate' at 2 reported readings" in fig.alt_text and "people" in fig.alt_text
    with pytest.raises(ValueError, match="no counted series 'petition signatures' with two placed readings"):
        plot_milestones(case, series="petition signatures")


def test_a_first_statement_table_names_one_sided_statements_that_may_have_come_earlier(hootsuite):
    """A statement bounded on one side cannot be picked as first, but the table says it may have been (review of #22, item 11)."""
    from helpers import load_case
    from helpers.casebook import first_public_latency
    from helpers.queries import trigger_event
    from helpers.timeline import UNPLACED

    chef = load_case("chef-2019")
    times = response_times(chef, trigger_event(chef))
    # the CTO's remarks to Business Insider and Wired are bounded only by the README commit: they may predate TechCrunch's
    assert times.loc["press", "first statement"] == "scobie-techcrunch"
    assert times.loc["press", UNPLACED] == "scobie-bi, scobie-wired"
    # the CEO's Bloomberg interview is "not before Sep 23", after TechCrunch's latest possible time: not named
    assert "crist-bloomberg" not in times.loc["press", UNPLACED]
    # an unbounded paraphrase says nothing of when it was made, and the case marks Chef's first response: nothing named
    assert set(response_times(hootsuite, "thread")[UNPLACED]) == {""}
    assert first_public_latency([chef]).loc["chef-2019", UNPLACED] == ""
