"""The widgets' caches (helpers/cache.py): cached views are identical to views computed afresh, and
to the views as computed before there was a cache, whatever happens to the case in between."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from helpers.cache import ContentCache, caching, frame_content
from helpers.claims import recode
from helpers.queries import timeline_order, when
from helpers.timeline import _PUBLIC_TABLES, default_as_of, public_view_html
from helpers.times import to_zone
from helpers.widgets import _REAL_STATEMENTS, draft_report_html, public_knowledge_explorer
from helpers.wording import Lexicon, load_lexicon
from tests.jupyterlab_browser import DRAFT_SENTENCES

DRAFTS = ["", "   ", *DRAFT_SENTENCES, " ".join(DRAFT_SENTENCES), "No comment. We don't comment on <contracts> & \"deals\"."]
ZONES = [None, "Australia/Sydney"]  # the case's own zone, and one far from it


# --- the views as computed before the caches (the code of public_view_html and draft_report_html then) ---

def _reference_status(case, as_of):
    statements = case.statements
    status = pd.Series("unknown", index=statements.index, dtype="object")
    placed = statements["start"].notna()
    status[placed & (statements["end"] <= as_of)] = "made"
    status[placed & (statements["start"] <= as_of) & (statements["end"] > as_of)] = "maybe made"
    status[placed & (statements["start"] > as_of)] = "not yet"
    return status


def _reference_public_view_html(case, as_of, display_timezone=None):
    zone = display_timezone or case.timezone
    status = _reference_status(case, as_of)
    counts = {k: int((status == k).sum()) for k in ("made", "maybe made", "not yet", "unknown")}
    made_internal = int(((case.statements["audience"] == "internal") & (status == "made")).sum())
    heading = (
        f'<h3 data-as-of="{as_of.isoformat()}">As of {to_zone(as_of.to_pydatetime(), zone):%Y-%m-%d %H:%M %Z}</h3>'
        f"<p>{counts['made']} statements certainly made ({made_internal} of them internal only), {counts['maybe made']} maybe made, "
        f"{counts['not yet']} not yet made, {counts['unknown']} that cannot be placed in time.</p>"
    )
    shown = timeline_order(case.statements[status.isin(["made", "maybe made"])])
    statements = pd.DataFrame({
        "by then": status[shown.index],
        "reach": ["internal only" if a == "internal" else "public" if a == "public" else "to the press" for a in shown["audience"]],
        f"when ({zone})": [when(case, sid, zone) for sid in shown.index],
        "speaker": shown["speaker"],
        "text": shown["text"],
    }, index=shown.index)
    statements.index.name = "statement"
    external = case.statements["audience"].isin(["press", "public"])
    rows = []
    for claim_id, claim in case.claims.iterrows():
        cells = {"affirmed publicly": [], "denied publicly": [], "said internally": [], "maybe, not certain by then": []}
        for _, stance in case.stances[case.stances["claim_id"] == claim_id].iterrows():
            sid = stance["statement_id"]
            label = f"{sid} ({'implied' if stance['mode'] == 'implied' else 'literal'})"
            if status[sid] == "maybe made":
                cells["maybe, not certain by then"].append(f"{label} {stance['stance']}")
            elif status[sid] != "made":
                continue
            elif not external[sid]:
                cells["said internally"].append(f"{label} {stance['stance']}")
            else:
                cells["affirmed publicly" if stance["stance"] == "affirms" else "denied publicly"].append(label)
        rows.append({"claim": claim_id, "proposition": claim["proposition"], **{k: "; ".join(v) for k, v in cells.items()}, "record": claim["record"]})
    claims = pd.DataFrame(rows).set_index("claim")
    return (
        f'<div class="public-view">{heading}<h4>Statements made by then</h4>'
        f"{statements.to_html(escape=True, border=0) if len(statements) else '<p>None yet.</p>'}"
        f"<h4>Where the claims stood</h4>{claims.to_html(escape=True, border=0)}</div>"
    )


def _reference_draft_report_html(case, text, lexicon=None):
    from helpers.coding import analyse_draft
    from helpers.widgets import highlight_html, legend_html
    from helpers.queries import organisation_statement_ids
    from helpers.wording import compare_statements

    lexicon = lexicon or load_lexicon()
    report = analyse_draft(case, text, lexicon)
    profile = pd.DataFrame({"measure": [k for k in report if k != "analysis"],
                            "your draft": [", ".join(v) if isinstance(v, list) else v for k, v in report.items() if k != "analysis"]})
    real = compare_statements(case, organisation_statement_ids(case), lexicon=lexicon)
    columns = ["speaker", "words", "hedge per 100 words", "negation per 100 words", "apology per 100 words", "tenses"]
    real = real[[c for c in columns if c in real.columns]]
    body = highlight_html(text, report["analysis"].matches) if text.strip() else "<i>(empty draft)</i>"
    return (
        f'<div class="draft-report" data-words="{report["words"]}"><blockquote>{body}</blockquote>{legend_html(lexicon.categories)}'
        f"{profile.to_html(index=False, escape=True, border=0)}<h3>The real statements</h3>{real.to_html(escape=True, border=0)}</div>"
    )


# --- helpers ---

def _moments(case) -> list[pd.Timestamp]:
    """Two positions of the notebook's time slider for each state of the statements it can show (the
    same tables under two headings), and moments before and after the whole case."""
    slider = public_knowledge_explorer(case).slider
    by_state: dict[tuple, list] = {}
    for _, value in slider.options:
        by_state.setdefault(tuple(_reference_status(case, value)), []).append(value)
    first, last = case.statements["start"].min(), case.statements["end"].max()
    return [first - pd.Timedelta(days=1), *(value for values in by_state.values() for value in values[:2]), last + pd.Timedelta(days=1)]


def _public(case, as_of, zone=None) -> str:
    """The view from the cache (computed and stored first if need be), checked against a fresh computation."""
    cached = public_view_html(case, as_of, zone)
    with caching(False):
        fresh = public_view_html(case, as_of, zone)
    assert cached == fresh
    return cached


def _draft(case, text, lexicon=None) -> str:
    cached = draft_report_html(case, text, lexicon)
    with caching(False):
        fresh = draft_report_html(case, text, lexicon)
    assert cached == fresh
    return cached


@pytest.fixture(autouse=True)
def empty_caches():
    _PUBLIC_TABLES.clear()
    _REAL_STATEMENTS.clear()


@pytest.fixture(params=["hootsuite", "fictional"])
def case(request):
    return request.getfixturevalue(request.param)


# --- the tests ---

def test_public_view_from_the_cache_is_the_view_computed_afresh_and_as_before(case):
    moments = _moments(case)
    for zone in ZONES:
        for as_of in moments:
            first = public_view_html(case, as_of, zone)
            again = public_view_html(case, as_of, zone)  # from the cache
            with caching(False):
                fresh = public_view_html(case, as_of, zone)
            assert first == again == fresh == _reference_public_view_html(case, as_of, zone), (zone, as_of)
    assert _PUBLIC_TABLES.hits >= 2 * len(moments) * len(ZONES) - _PUBLIC_TABLES.misses
    assert _PUBLIC_TABLES.misses < len(moments) * len(ZONES)  # neighbouring moments share their tables


def test_draft_report_from_the_cache_is_the_report_computed_afresh_and_as_before(case):
    for text in DRAFTS:
        assert _draft(case, text) == _reference_draft_report_html(case, text), text
    assert _REAL_STATEMENTS.misses == 1 and _REAL_STATEMENTS.hits == len(DRAFTS) - 1


def test_a_recoded_case_gets_its_own_views_and_the_original_keeps_its_own(hootsuite):
    as_of = hootsuite.statements["end"].max()
    original = _public(hootsuite, as_of)
    stance = hootsuite.stances.iloc[0]
    # Many short-lived copies, as a notebook recoding in a loop makes them: a copy's id is reused
    # once it is garbage-collected, which must never bring back another copy's view.
    for statement_id, claim_id in hootsuite.stances[["statement_id", "claim_id"]].head(8).itertuples(index=False):
        recoded = recode(hootsuite, statement_id, claim_id, None)
        assert recoded.statements is hootsuite.statements and recoded.stances is not hootsuite.stances
        assert _public(recoded, as_of) == _reference_public_view_html(recoded, as_of)
        assert _draft(recoded, DRAFTS[2]) == _reference_draft_report_html(recoded, DRAFTS[2])
    silent = recode(hootsuite, stance["statement_id"], stance["claim_id"], None)
    assert _public(silent, as_of) != original
    assert _public(hootsuite, as_of) == original == _reference_public_view_html(hootsuite, as_of)


def test_views_follow_case_tables_edited_in_place(fictional):
    case = dataclasses.replace(fictional, statements=fictional.statements.copy(), claims=fictional.claims.copy())
    as_of, text = case.statements["end"].max(), DRAFT_SENTENCES[1]
    before_view, before_draft = _public(case, as_of), _draft(case, text)
    sid = next(sid for sid in case.statements.index if sid in _reference_draft_report_html(case, text))
    case.statements.loc[sid, "text"] = case.statements.loc[sid, "text"] + " We are sorry, we regret it and we apologise."
    case.claims.loc[case.claims.index[0], "record"] = "edited <record>"
    after_view, after_draft = _public(case, as_of), _draft(case, text)
    assert after_view != before_view and "edited &lt;record&gt;" in after_view
    assert after_draft != before_draft
    assert after_view == _reference_public_view_html(case, as_of) and after_draft == _reference_draft_report_html(case, text)


def test_another_lexicon_or_pandas_display_options_give_another_table(hootsuite):
    lexicon = load_lexicon()
    default = _draft(hootsuite, DRAFTS[1], lexicon)
    fewer = Lexicon(lexicon.rows[lexicon.rows["category"] != "hedge"], lexicon.path)
    without_hedges = _draft(hootsuite, DRAFTS[1], fewer)
    assert "hedge per 100 words" in default and "hedge per 100 words" not in without_hedges
    assert without_hedges == _reference_draft_report_html(hootsuite, DRAFTS[1], fewer)
    as_of = default_as_of(hootsuite)
    with pd.option_context("display.float_format", "{:.3f}".format):
        assert _draft(hootsuite, DRAFTS[1], lexicon) == _reference_draft_report_html(hootsuite, DRAFTS[1], lexicon) != default
        assert _public(hootsuite, as_of) == _reference_public_view_html(hootsuite, as_of)
    assert _draft(hootsuite, DRAFTS[1], lexicon) == default


def test_content_cache_keeps_the_most_recent_entries_and_computes_what_it_cannot_key():
    cache, calls = ContentCache("test", size=2), []

    def compute(value):
        calls.append(value)
        return value

    assert [cache.get(key, lambda k=key: compute(k)) for key in ("a", "b", "a", "c", "b")] == ["a", "b", "a", "c", "b"]
    assert calls == ["a", "b", "c", "b"] and len(cache) == 2  # "b" was the least recently used when "c" came
    assert cache.get(["unhashable"], lambda: compute("x")) == "x" and len(cache) == 2
    with caching(False):
        assert cache.get("c", lambda: compute("fresh")) == "fresh"


def test_frame_content_sees_values_not_objects(fictional):
    columns = ["start", "end", "text"]
    key = frame_content(fictional.statements, columns)
    assert key == frame_content(fictional.statements.copy(), columns)
    assert hash(key) == hash(frame_content(fictional.statements.copy(), columns))
    with_nan = pd.DataFrame({"x": [1.0, float("nan")]})
    assert frame_content(with_nan, ["x"]) == frame_content(with_nan.copy(), ["x"])  # NaN != NaN, but the keys match
    edited = fictional.statements.copy()
    edited.iloc[0, edited.columns.get_loc("start")] += pd.Timedelta(seconds=1)
    assert frame_content(edited, columns) != key
