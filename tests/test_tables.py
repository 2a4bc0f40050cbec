"""Tables for the lessons: the statements table's order and its times at their own precision."""

from __future__ import annotations

from helpers import statements_table


def test_statements_are_ordered_by_earliest_then_latest_possible_time(hootsuite):
    table = statements_table(hootsuite)
    placed = hootsuite.statements.loc[table.index].dropna(subset=["start"])
    keys = list(zip(placed["start"], placed["end"]))
    assert keys == sorted(keys)
    assert list(table.index[-len(hootsuite.statements) + len(placed):]) == list(
        hootsuite.statements.index[hootsuite.statements["start"].isna()].sort_values()
    )
    # A statement known only to lie within a wide interval sits above statements it may well have
    # followed: the BetaKit denial, bounded below by the thread it answers, sits above the CEO's email.
    order = list(table.index)
    assert order.index("hootsuite-betakit") < order.index("keiser-email")
    # ... but never above the thread's opening tweet: replies and answers are bounded by it
    later = [sid for sid in order if sid.startswith("anderson-thread-") and sid != "anderson-thread-1"] + ["hootsuite-betakit"]
    assert all(order.index("anderson-thread-1") < order.index(sid) for sid in later)


def test_when_column_keeps_each_statements_precision(hootsuite):
    when = statements_table(hootsuite)["when (America/Vancouver)"]
    assert when["anderson-thread-1"] == "2020-09-23 16:51:47 PDT"
    assert when["anderson-no-media"] == "2020-09-24 (day) PDT"
    # precision unknown, bounded to Sep 24 by other facts: shown as its bounds, not as a day
    assert when["hootsuite-techcrunch-a"] == "2020-09-24 00:00–24:00 PDT"
    # the night of Sep 23 runs to the midnight that ends that day
    assert when["gaboriault-biv"] == "2020-09-23 21:00–24:00 PDT"
    assert when["fcn-self"] == "unknown"


def test_no_time_is_labelled_with_a_precision_it_does_not_have(hootsuite):
    table = statements_table(hootsuite, "America/Vancouver")
    shown, precision = table["when (America/Vancouver)"], table["precision"]
    assert all(precision[sid] == "day" for sid in shown.index if "(day)" in shown[sid])
    assert all(precision[sid] == "month" for sid in shown.index if "(month)" in shown[sid])
    assert not shown.str.contains("–00:00").any()


def test_the_organisations_voice_leaves_paraphrases_out_and_shows_each_status(hootsuite, fictional):
    from helpers import organisation_voice

    for case in (hootsuite, fictional):
        voice = organisation_voice(case)
        statuses = case.statements.loc[voice.index, "text_status"]
        assert "status" in voice.columns and list(voice["status"]) == list(statuses)
        assert "paraphrase" not in set(voice["status"])
        assert set(case.statements.loc[voice.index, "organisation"]) == {case.organisation}
    with_paraphrases = organisation_voice(hootsuite, include_paraphrases=True)
    assert {"hootsuite-cp", "keiser-public-techtimes"} <= set(with_paraphrases.index) - set(organisation_voice(hootsuite).index)
