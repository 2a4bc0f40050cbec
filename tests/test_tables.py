"""Tables for the lessons: the statements table's order and its times at their own precision."""

from __future__ import annotations

from helpers import statements_table


def test_statements_are_ordered_by_earliest_then_latest_possible_time(hootsuite):
    table = statements_table(hootsuite)
    placed = hootsuite.statements.loc[table.index].dropna(subset=["start"])
    keys = list(zip(placed["start"], placed["end"]))
    assert keys == sorted(keys)
    assert list(table.index[-len(hootsuite.statements) + len(placed) :]) == list(
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


# ------------------------------------------------------------------ table_html: every table a lesson, widget or handout shows


def _cells(html_text: str, tag: str) -> list[tuple[str, str]]:
    """(style, text) of each ``tag`` cell of a table_html table."""
    import re

    return [
        (style, re.sub(r"<[^>]+>", "", text))
        for style, text in re.findall(rf'<{tag}[^>]*style="([^"]*)"[^>]*>(.*?)</{tag}>', html_text)
    ]


def test_a_table_reads_text_from_the_left_numbers_from_the_right_and_names_every_header():
    import pandas as pd

    from helpers.tables import MISSING, table_html

    frame = pd.DataFrame(
        {"speaker": ["a spokeswoman", "the chief executive"], "words": [12, 40], "share": [0.25, float("nan")], "": ["x", "y"]},
        index=pd.Index(["s1", "s2"]),
    )
    shown = table_html(frame)
    heads = _cells(shown, "th")
    assert [text for _, text in heads[:5]] == ["row", "speaker", "words", "share", "value"]  # no header cell is empty
    assert all(text.strip() for _, text in heads)
    body = _cells(shown, "td")
    by_text = {text: style for style, text in body}
    assert "text-align:left" in by_text["the chief executive"] and "text-align:right" in by_text["40"]
    assert MISSING in by_text and "NaN" not in shown and "nan" not in shown.lower().replace("nanos", "")
    assert "text-align:right" in next(style for style, text in heads if text == "words")


def test_intervals_times_and_ids_stay_on_one_line_and_prose_may_wrap():
    import pandas as pd

    from helpers.tables import table_html

    frame = pd.DataFrame(
        {
            "gap": ["[4 d 2 h 10 min 12 s, 4 d 3 h 11 min 47 s]"],
            "when": ["2020-09-24 00:00–24:00 PDT"],
            "id": ["keiser-public-closing"],
            "kind": ["first person plural"],
        }
    )
    styles = {text: style for style, text in _cells(table_html(frame), "td")}
    assert all(
        "nowrap" in styles[text]
        for text in ("[4 d 2 h 10 min 12 s, 4 d 3 h 11 min 47 s]", "2020-09-24 00:00–24:00 PDT", "keiser-public-closing")
    )
    assert "nowrap" not in styles["first person plural"]


def test_web_addresses_are_links():
    import pandas as pd

    from helpers.tables import table_html

    shown = table_html(pd.DataFrame({"url": ["https://example.org/a?b=1"], "outlet": ["Example"]}))
    assert '<a href="https://example.org/a?b=1"' in shown


def test_a_wide_table_scrolls_in_a_labelled_region_a_keyboard_reaches():
    import pandas as pd

    from helpers.tables import table_html

    frame = pd.DataFrame({f"measure number {i}": [f"value-{i}-{'x' * 12}"] for i in range(8)})
    frame.attrs["caption"] = "Eight measures"
    shown = table_html(frame)
    assert shown.startswith(
        '<div class="casework-scroll" role="region" tabindex="0" aria-label="Eight measures (scrolls sideways)"'
    )
    assert "<caption" in shown
    narrow = table_html(frame.iloc[:, :2])
    assert "casework-scroll" not in narrow and narrow.startswith("<table")


def test_long_text_beside_many_columns_becomes_one_card_per_row_text_first():
    import pandas as pd

    from helpers.tables import table_html

    quote = "We have heard the lived experiences from our people and the hurt they are feeling, and we will not proceed."
    frame = pd.DataFrame(
        {
            "when": ["2020-09-24 05:00–11:03 PDT"],
            "speaker": ["the chief executive"],
            "audience": ["public"],
            "status": ["verbatim"],
            "text": [quote],
        },
        index=pd.Index(["s1"], name="statement"),
    )
    shown = table_html(frame, caption="Who said what")
    assert shown.startswith('<div class="casework-cards">') and "<table" not in shown
    assert (
        shown.index(quote) < shown.index("<b>statement</b>") < shown.index("<b>speaker</b>")
    )  # the words first, then who and when
    assert '<ul aria-label="Who said what"' in shown
    # the same text beside one short column is a table, its text column given room
    two = table_html(frame[["speaker", "text"]])
    assert two.startswith("<table") and "min-width:18em" in two


def test_lesson_tables_carry_their_caption(hootsuite):
    from helpers.tables import sources_table, statements_table, table_html

    assert "<caption" in table_html(sources_table(hootsuite)) or "casework-cards" in table_html(sources_table(hootsuite))
    assert "Who said what, when, to whom" in table_html(statements_table(hootsuite))


def test_a_wide_table_of_measures_scrolls_with_its_row_names_in_view_rather_than_becoming_cards():
    import pandas as pd

    from helpers.tables import table_html

    frame = pd.DataFrame(
        {
            "tenses": ["present perfect, future, simple present, simple past, modal, present progressive"],
            **{f"category {i} per 100 words": [1.5 * i] for i in range(8)},
        },
        index=pd.Index(["s1"], name="statement"),
    )
    shown = table_html(frame)
    assert shown.startswith('<div class="casework-scroll"') and "casework-cards" not in shown
    import re

    assert re.search(r'<th scope="row" style="[^"]*position:sticky;left:0', shown)  # the row's name stays in view
    assert not re.search(r'<th scope="col" style="[^"]*position:sticky', shown)


def test_prose_in_a_scrolling_table_keeps_room_to_be_read():
    import pandas as pd

    from helpers.tables import table_html

    frame = pd.DataFrame({f"column {i}": ["yesterday Hootsuite signed a three-year deal with ICE"] for i in range(6)})
    shown = table_html(frame)
    assert shown.startswith('<div class="casework-scroll"')
    styles = [style for style, text in _cells(shown, "td")]
    assert styles and all("min-width:12em" in style for style in styles)
    assert "min-width:12em" not in table_html(frame.iloc[:, :1])  # a table that fits leaves the width to the browser
