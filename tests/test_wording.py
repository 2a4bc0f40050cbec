"""Wording analysis: the lexicon's own examples, sentence splitting, spans, grammar, rates."""

from __future__ import annotations

import csv
import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.wording import (
    DEFAULT_LEXICON,
    LexiconError,
    analyse_corpus,
    analyse_text,
    compare_statements,
    count_table,
    find_matches,
    load_lexicon,
    split_sentences,
    verb_groups,
)
from helpers.wording import _WORD, _category_spans, _groups, _word_count, _words, tokens
from tests.conftest import TESTS_DIR

LEXICON = load_lexicon()
LABELLED = TESTS_DIR / "data" / "wording-labelled.csv"
# Floors for the rule-based grammar on the labelled set; benchmarks/bench_wording.py prints the figures.
FLOORS = {"tense": 0.85, "negated": 0.9, "subject": 0.85}


@pytest.mark.parametrize("row_id", list(LEXICON.rows.index))
def test_lexicon_row_matches_its_example_and_not_its_counterexample(row_id):
    row = LEXICON.rows.loc[row_id]
    pattern = LEXICON.pattern(row_id, organisation="Acme")
    fill = lambda text: text.replace("{organisation}", "Acme")  # noqa: E731
    assert pattern.search(fill(row["example_match"])), f"{row_id} misses its own example"
    assert not pattern.search(fill(row["example_nonmatch"])), f"{row_id} fires on its counterexample"


def test_every_lexicon_row_cites_a_source_and_every_category_is_used():
    assert (LEXICON.rows["source"].str.len() > 10).all()
    assert set(LEXICON.categories) >= {"hedge", "booster", "negation", "commitment", "self_mention", "responsibility", "attitude", "apology"}
    apology = set(LEXICON.rows.loc[LEXICON.rows["category"] == "apology", "subcategory"])
    assert len(apology) == 6  # Lewicki et al.'s six components


def _write_lexicon(path, change):
    with DEFAULT_LEXICON.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), list(reader)
    header, rows = change(header, rows) or (header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bad_regex_names_line_and_column(tmp_path):
    def change(header, rows):
        rows[2]["pattern"] = r"\b(unclosed"
    path = _write_lexicon(tmp_path / "lexicon.csv", change)
    with pytest.raises(LexiconError, match=r"lexicon.csv, line 4 \(row_id=.*\), column 'pattern': not a valid regular expression"):
        load_lexicon(path)


def test_missing_column_and_duplicate_row(tmp_path):
    path = _write_lexicon(tmp_path / "a.csv", lambda h, rows: ([c for c in h if c != "source"], [{k: v for k, v in r.items() if k != "source"} for r in rows]))
    with pytest.raises(LexiconError, match="column 'source': missing column"):
        load_lexicon(path)

    def duplicate(header, rows):
        rows.append(dict(rows[0]))
    path = _write_lexicon(tmp_path / "b.csv", duplicate)
    with pytest.raises(LexiconError, match=r"duplicate row_id 'hedge-modal' \(first at line 2\)"):
        load_lexicon(path)


def test_a_different_lexicon_file_changes_the_analysis(tmp_path):
    def only_hedges(header, rows):
        return header, [r for r in rows if r["category"] == "hedge"]
    custom = load_lexicon(_write_lexicon(tmp_path / "hedges.csv", only_hedges))
    analysis = analyse_text("Perhaps we will never know.", custom)
    assert {m.category for m in analysis.matches} == {"hedge"}


def test_try_it_row_changes_the_result():
    text = "We remain open to a dialogue with our people."
    before = analyse_text(text, LEXICON).counts(LEXICON.categories)["attitude"]
    extended = LEXICON.with_row(row_id="att-dialogue", category="attitude", subcategory="openness", pattern="open to a dialogue",
                                source="student row", example_match="open to a dialogue", example_nonmatch="closed")
    after = analyse_text(text, extended).counts(extended.categories)["attitude"]
    assert after == before + 1
    with pytest.raises(LexiconError, match="column 'source': must not be blank"):
        LEXICON.with_row(row_id="x", category="hedge", pattern="maybe", example_match="maybe", example_nonmatch="no")


def test_sentence_splitting_keeps_abbreviations():
    text = "Hootsuite is not entering into a deal with U.S. Immigration and Customs Enforcement. FCN Inc. holds it. Really? Yes."
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "Hootsuite is not entering into a deal with U.S. Immigration and Customs Enforcement.",
        "FCN Inc. holds it.", "Really?", "Yes.",
    ]


def test_match_spans_point_at_the_matched_words(hootsuite):
    text = hootsuite.statements.loc["gaboriault-biv", "text"]
    matches = find_matches(text, LEXICON, hootsuite.organisation)
    assert all(text[m.start:m.end] == m.text for m in matches)
    fired = {(m.text, m.row_id) for m in matches}
    assert ("is not entering", "neg-progressive") in fired
    assert ("Hootsuite", "self-name") in fired and ("can confirm", "commit-confirm") in fired
    assert ("As a business", "evade-frame") in fired


def test_negation_aware_flag():
    matches = find_matches("We are not certainly going to renew.", LEXICON)
    booster = [m for m in matches if m.category == "booster"]
    assert booster and booster[0].negated


def test_the_spokesperson_sentence_grammar(hootsuite):
    text = hootsuite.statements.loc["gaboriault-biv", "text"]
    groups = [(g.text, g.tense, g.negated, g.voice, g.subject) for g in verb_groups(text, "Hootsuite")]
    assert groups == [
        ("do not discuss", "simple present", True, "active", "we"),
        ("can confirm", "modal", False, "active", "I"),
        ("is not entering", "present progressive", True, "active", "organisation"),
    ]


def test_passive_without_agent():
    groups = verb_groups("It was not one that was made lightly.")
    assert [(g.text, g.voice) for g in groups] == [("was not", "active"), ("was made", "passive")]


def _labelled():
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def labelled_scores() -> dict[str, float]:
    rows = _labelled()
    hits = dict.fromkeys(FLOORS, 0)
    for row in rows:
        groups = verb_groups(row["sentence"], "Hootsuite")
        first = groups[0] if groups else None
        hits["tense"] += bool(first and first.tense == row["tense"])
        hits["negated"] += bool(first and first.negated == (row["negated"] == "true"))
        hits["subject"] += bool(first and first.subject == row["subject"])
    return {k: v / len(rows) for k, v in hits.items()}


def test_labelled_set_is_large_enough_and_mixed():
    rows = _labelled()
    assert len(rows) >= 60
    assert {r["tense"] for r in rows} >= {"present progressive", "present perfect", "simple past", "future", "modal"}
    assert {r["subject"] for r in rows} == {"I", "we", "organisation", "other"}


@pytest.mark.parametrize("measure", list(FLOORS))
def test_grammar_accuracy_on_the_labelled_set_is_above_the_floor(measure):
    assert labelled_scores()[measure] >= FLOORS[measure]


def test_word_count_and_rate_are_right(hootsuite):
    table = compare_statements(hootsuite, ["gaboriault-biv"])
    row = table.loc["gaboriault-biv"]
    assert row["words"] == 36  # counted by hand; "U.S." is one word
    counts = count_table(hootsuite, ["gaboriault-biv"]).loc["gaboriault-biv"]
    assert row["self_mention per 100 words"] == round(100 * counts["self_mention"] / 36, 1)
    assert counts["self_mention"] == 3  # we, I, Hootsuite
    assert "present progressive" in row["tenses"] and row["negated verbs"] == 2


def test_compare_by_speaker_and_unknown_names(hootsuite):
    table = compare_statements(hootsuite, speakers=["Tom Keiser"])
    assert set(table["speaker"]) == {"Tom Keiser"} and len(table) >= 5
    with pytest.raises(KeyError, match="unknown statement id"):
        compare_statements(hootsuite, ["no-such-statement"])
    with pytest.raises(KeyError, match="unknown speaker"):
        compare_statements(hootsuite, speakers=["Tom Kaiser"])


def test_missing_lexicon_file():
    with pytest.raises(FileNotFoundError, match="lexicon file not found"):
        load_lexicon("no/such/lexicon.csv")


def test_lexicon_copy_is_reusable(tmp_path):
    copy = tmp_path / "mine.csv"
    shutil.copy(DEFAULT_LEXICON, copy)
    assert list(load_lexicon(copy).rows.index) == list(LEXICON.rows.index)
    assert re.search(LEXICON.rows.loc["self-name", "pattern"].replace("{organisation}", "Acme"), "Acme says")


def test_fast_matching_never_changes_the_matches(hootsuite):
    texts = list(hootsuite.statements["text"]) + [row["sentence"] for row in _labelled()]
    texts += ["WE WILL NOT COMMENT. İstanbul office: we are NOT entering.", "Hootsuite's CEO—and the Board—decided not to.",
              "  We  are NOT\n\tentering   into a deal,  as a business.  ", "\nI'm sorry.\n\nWe will not."]  # uneven white space
    for text in texts:
        assert find_matches(text, LEXICON, "Hootsuite") == find_matches(text, LEXICON, "Hootsuite", fast=False)


@pytest.mark.parametrize("source, starts", [
    (r"\b(?:might|may)\b", ((("may", True), ("might", True)), True)),
    (r"\bno\s+\w+", ((("no", True),), True)),             # white space after: the whole word
    (r"\b(?:i|we)\s+think\b", ((("i", True), ("we", True)), True)),
    (r"\bapologi[sz]e", ((("apologi", False),), True)),     # a prefix of the word
    (r"\b(?:a|b)?c", None),                                 # the group is optional
    (r"\bfoo|bar", ((("bar", False), ("foo", False)), False)),  # a top-level alternative: not anchored
    (r"\bseems?\b", ((("seem", False),), True)),           # an optional last letter is not required
    (r"\b\w+n't\b", None),
    (r"(?i)we", None),                                       # inline flags: searched everywhere
    (r"'ll\b", ((("'ll", True),), False)),
])
def test_pattern_starts(source, starts):
    from helpers.wording import _pattern_starts
    assert _pattern_starts(source) == starts


_WORDS = ["we", "We", "WE", "I", "i", "is", "not", "NOT", "never", "will", "won't", "can't", "don’t", "I'm", "made", "the", "board",
          "decision", "to", "proceed", "signing", "a", "contract", "Hootsuite", "Hootsuite's", "U.S.", "ICE", "may", "sorry",
          "apologise", "apologies", "—", "-", ",", ".", "(", ")", "İstanbul", "ſorry", "ΟΔΟΣ", "K", "café", "2020", "1,000",
          "being", "by", "was", "decided", "pulling", "out", "of", "deal", "as", "business", "declined", "comment", "_x", "x_",
          "e.g", "a.m.", "x1", "1.5", "٣", "naïve", "’", "'", "_", "a_b", "rock'n'roll", "x'y'z'w", "9's", "deal.", "(we",
          "proceed", "specific", "customer", "deals", "also", "clearly", "may_", "we_", "café.", "don't2", "x'y9'z", "\u212a", "  ", "\n", "\t "]
_TEXTS = st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), min_size=1, max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS)
def test_fast_matching_agrees_with_the_alternations_on_generated_texts(text):
    """MatchIndex tries rows only where they can start; it must find what the alternations find."""
    assert find_matches(text, LEXICON, "Hootsuite") == find_matches(text, LEXICON, "Hootsuite", fast=False)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS)
def test_quick_tokeniser_gives_what_tokens_gives(text):
    """``_words`` cuts at white space and reads most pieces with ``str`` methods; same words as ``tokens``."""
    assert _words(text) == [word for word, _, _ in tokens(text)]


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS)
def test_skipping_verbs_that_cannot_start_a_group_changes_no_group(text):
    for organisation in ("Hootsuite", ""):
        assert _groups(text, organisation) == _groups(text, organisation, narrow=False)


def test_skipping_verbs_that_cannot_start_a_group_on_the_case(hootsuite):
    sentences = [text[s:e] for text in hootsuite.statements["text"] for s, e in split_sentences(text)]
    sentences += [row["sentence"] for row in _labelled()] + ["Hootsuite proceed with it.", "We also clearly proceed."]
    groups = [_groups(sentence, "Hootsuite") for sentence in sentences]
    assert groups == [_groups(sentence, "Hootsuite", narrow=False) for sentence in sentences]
    assert groups[-2] and groups[-1]  # a present verb after the organisation, and after adverbs, still starts a group


@pytest.mark.parametrize("text", [
    "rock'n'roll", "a'b'c'd", "x'y'z'w'v", "9's", "'tis", "dogs' bone", "don’t", "it''s", "We're here, aren't we?",
    "U.S. policy", "naïve café", "snake_case", "1,000 deals", "  two\n\nlines  ",
    "a'b9", "Don't2 go", "It's5pm and we're2late", "Hootsuite’s2024 plan", "a'bc9'd", "a'b9'c",  # letters then digits
    "a\u212ab", "\u212a'",  # the Kelvin sign lower-cases to an ASCII "k"; ``_WORD`` reads the text itself
])
def test_word_count_from_the_index_equals_counting_words(text):
    _, scanned = _category_spans(text, LEXICON, "Hootsuite")
    assert scanned is not None  # the fast path ran: the count starts from its runs
    assert _word_count(text, scanned) == len(_WORD.findall(text))


def _corpus_row_from_analysis(text: str) -> dict:
    analysis = analyse_text(text, LEXICON, "Hootsuite")
    row = analysis.counts(LEXICON.categories)
    row.update(words=analysis.words, first_tense=analysis.groups[0].tense if analysis.groups else "",
               negated_groups=sum(g.negated for g in analysis.groups), passive_groups=sum(g.voice == "passive" for g in analysis.groups))
    return row


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_TEXTS, min_size=1, max_size=4))
def test_corpus_table_gives_what_each_texts_analysis_gives(texts):
    table = analyse_corpus(texts, LEXICON, "Hootsuite")
    assert table.to_dict("records") == [_corpus_row_from_analysis(text) for text in texts]


def test_corpus_table_on_the_case_and_the_labelled_set(hootsuite):
    texts = list(hootsuite.statements["text"]) + [row["sentence"] for row in _labelled()]
    table = analyse_corpus(texts, LEXICON, "Hootsuite")
    assert table.to_dict("records") == [_corpus_row_from_analysis(text) for text in texts]
    assert table["self_mention"].sum() > 0 and table["negated_groups"].sum() > 0  # the check compares something


def test_the_rate_benchmark_reports_its_best_pass_and_every_pass(monkeypatch, capsys):
    """benchmarks/bench_wording.py: the rate is the fastest pass's, and every pass is printed beside it."""
    import sys

    monkeypatch.syspath_prepend(str(TESTS_DIR.parent / "benchmarks"))
    import bench_wording

    rate, table = bench_wording.measure_rate(300, seed=1, passes=3)
    walls = [wall for wall, _ in table.attrs["passes"]]
    assert len(walls) == 3 and rate == pytest.approx(300 / min(walls))
    assert len(table) == 300 and table["words"].gt(0).all()
    assert bench_wording.main(["--texts", "300"]) == 0
    printed = capsys.readouterr().out
    assert "(best of 3 passes)" in printed and printed.count(" CPU)") == 3
    sys.modules.pop("bench_wording", None)
