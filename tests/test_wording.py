"""Wording analysis: the lexicon's own examples, sentence splitting, spans, grammar on the labelled set, rates."""

from __future__ import annotations

import csv
import re
import shutil
import sys

import pandas as pd
import pytest

from helpers.lexicon import Lexicon
from helpers.text import count_words, split_sentences, tokens
from helpers.wording import (
    DEFAULT_LEXICON,
    LexiconError,
    analyse_corpus,
    analyse_text,
    compare_statements,
    count_table,
    find_matches,
    load_lexicon,
    rate_column,
    rated_categories,
    verb_groups,
)
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


@pytest.mark.parametrize("row_id", list(LEXICON.rows.index))
def test_the_analysis_counts_each_rows_example_in_its_category(row_id):
    """The whole analysis, not just the row's own pattern: its category marks the words the row's
    example is about (another row of the category may be the one that fires first there), and the
    row itself never fires on its counterexample."""
    row = LEXICON.rows.loc[row_id]
    example = row["example_match"].replace("{organisation}", "Acme")
    own = LEXICON.pattern(row_id, organisation="Acme").search(example)
    marked = [m for m in analyse_text(example, LEXICON, "Acme").matches if m.category == row["category"]]
    assert any(m.start < own.end() and own.start() < m.end for m in marked), (
        f"{row_id}: its example is not counted as {row['category']}"
    )
    counterexample = row["example_nonmatch"].replace("{organisation}", "Acme")
    assert row_id not in {m.row_id for m in analyse_text(counterexample, LEXICON, "Acme").matches}


def test_at_one_position_the_first_row_in_file_order_wins():
    """A category's rows are one alternation: where two rows match at the same place, the earlier row fires."""
    text = "Hootsuite is not entering into a deal."
    negation = [(m.text, m.row_id) for m in find_matches(text, LEXICON, "Hootsuite") if m.category == "negation"]
    assert negation == [("is not entering", "neg-progressive")]  # neg-not would match "not", but the scan reached "is" first
    first = LEXICON.with_row(
        row_id="neg-is-not",
        category="negation",
        subcategory="test",
        pattern="is not",
        source="a row added for this test",
        example_match="is not",
        example_nonmatch="is",
    )
    reordered = Lexicon(pd.concat([first.rows.loc[["neg-is-not"]], first.rows.drop(index="neg-is-not")]), first.path)
    assert [m.row_id for m in find_matches(text, reordered, "Hootsuite") if m.category == "negation"] == ["neg-is-not"]
    assert [m.row_id for m in find_matches(text, first, "Hootsuite") if m.category == "negation"] == ["neg-progressive"]


def test_every_lexicon_row_cites_a_source_and_every_category_is_used():
    assert (LEXICON.rows["source"].str.len() > 10).all()
    assert set(LEXICON.categories) >= {
        "hedge",
        "booster",
        "negation",
        "commitment",
        "self_mention",
        "responsibility",
        "attitude",
        "apology",
    }
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
    with pytest.raises(
        LexiconError, match=r"lexicon.csv, line 4 \(row_id=.*\), column 'pattern': not a valid regular expression"
    ):
        load_lexicon(path)


def test_missing_column_and_duplicate_row(tmp_path):
    path = _write_lexicon(
        tmp_path / "a.csv",
        lambda h, rows: ([c for c in h if c != "source"], [{k: v for k, v in r.items() if k != "source"} for r in rows]),
    )
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
    extended = LEXICON.with_row(
        row_id="att-dialogue",
        category="attitude",
        subcategory="openness",
        pattern="open to a dialogue",
        source="student row",
        example_match="open to a dialogue",
        example_nonmatch="closed",
    )
    after = analyse_text(text, extended).counts(extended.categories)["attitude"]
    assert after == before + 1
    with pytest.raises(LexiconError, match="column 'source': must not be blank"):
        LEXICON.with_row(row_id="x", category="hedge", pattern="maybe", example_match="maybe", example_nonmatch="no")


def test_sentence_splitting_keeps_abbreviations():
    text = "Hootsuite is not entering into a deal with U.S. Immigration and Customs Enforcement. FCN Inc. holds it. Really? Yes."
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "Hootsuite is not entering into a deal with U.S. Immigration and Customs Enforcement.",
        "FCN Inc. holds it.",
        "Really?",
        "Yes.",
    ]


def test_match_spans_point_at_the_matched_words(hootsuite):
    text = hootsuite.statements.loc["gaboriault-biv", "text"]
    matches = find_matches(text, LEXICON, hootsuite.organisation)
    assert all(text[m.start : m.end] == m.text for m in matches)
    fired = {(m.text, m.row_id) for m in matches}
    assert ("is not entering", "neg-progressive") in fired
    assert ("Hootsuite", "self-name") in fired and ("can confirm", "commit-confirm") in fired
    assert ("As a business", "evade-frame") in fired


@pytest.mark.parametrize(
    "text, negated",
    [
        ("We are not certainly going to renew.", True),
        ("We cannot certainly say.", True),
        ("Nobody certainly knew.", True),
        ("We don't clearly see it.", True),
        ("We certainly will.", False),
        ("Not here. We certainly will.", False),  # another sentence
    ],
)
def test_negation_aware_flag(text, negated):
    booster = [m for m in find_matches(text, LEXICON) if m.category == "booster"]
    assert booster and booster[0].negated is negated


@pytest.mark.parametrize(
    "sentence",
    [
        "We cannot confirm the order.",
        "No contract has been signed.",
        "Nothing has changed.",
        "Nobody was told.",
        "I am no longer employed by Hootsuite.",
        "There is no contract.",
        "We will never sign it.",
        "We don't comment.",
    ],
)
def test_grammar_and_lexicon_agree_on_what_negates(sentence):
    """What the grammar reads as a negated verb group, the lexicon's negation category counts too."""
    analysis = analyse_text(sentence, LEXICON, "Hootsuite")
    assert [g.negated for g in analysis.groups] == [True]
    assert any(m.category == "negation" for m in analysis.matches)


def test_a_determiner_negates_only_its_own_clause():
    groups = verb_groups("We know that no contract was signed, and the board has a contract.")
    assert [(g.text, g.negated) for g in groups] == [("know", False), ("was signed", True), ("has", False)]


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


def _first_group(sentence: str) -> tuple[str, bool, str] | None:
    """Tense, negated and subject of the first verb group the grammar finds (None: it finds none)."""
    groups = verb_groups(sentence, "Hootsuite")
    return (groups[0].tense, groups[0].negated, groups[0].subject) if groups else None


def _label(row: dict) -> tuple[str, bool, str]:
    return row["tense"], row["negated"] == "true", row["subject"]


def labelled_scores() -> dict[str, float]:
    """The share of labelled sentences whose first verb group has the labelled tense, negation and subject."""
    rows = _labelled()
    hits = dict.fromkeys(FLOORS, 0)
    for row in rows:
        found = _first_group(row["sentence"])
        for measure, got, want in zip(FLOORS, found or (None, None, None), _label(row)):
            hits[measure] += got == want
    return {k: v / len(rows) for k, v in hits.items()}


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            row,
            id=row["sentence"][:60],
            marks=[pytest.mark.xfail(strict=True, reason=row["known_miss"])] if row["known_miss"] else [],
        )
        for row in _labelled()
    ],
)
def test_grammar_reads_each_labelled_sentence(row):
    """Each labelled sentence: the first verb group's tense, negation and subject as labelled.

    Sentences the rules are known to get wrong say why in the ``known_miss`` column; they are
    strict xfails, so a rule that starts getting one right fails here until the column is cleared.
    """
    assert _first_group(row["sentence"]) == _label(row)


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


def test_rate_columns_are_named_and_read_back_in_one_place(hootsuite):
    table = compare_statements(hootsuite, ["gaboriault-biv"])
    assert rated_categories(table) == LEXICON.categories
    assert rate_column("hedge") == "hedge per 100 words" and rate_column("hedge") in table.columns
    assert rated_categories(table[["words", "speaker"]]) == []


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


def test_tokens_split_contractions_and_keep_their_spans():
    text = "We won't comment; Hootsuite’s CEO didn't. It cannot."
    assert [(word, text[start:end]) for word, start, end in tokens(text)] == [
        ("we", "We"),
        ("will", "won't"),
        ("not", "won't"),
        ("comment", "comment"),
        (";", ";"),
        ("hootsuite's", "Hootsuite’s"),
        ("ceo", "CEO"),
        ("did", "didn't"),
        ("not", "didn't"),
        (".", "."),
        ("it", "It"),
        ("can", "cannot"),
        ("not", "cannot"),
        (".", "."),
    ]


@pytest.mark.parametrize(
    "text, words",
    [
        ("U.S. Immigration", 2),
        ("don't", 1),
        ("Hootsuite’s plan", 2),
        ("1,000 deals", 3),
        ("  two\n\nlines  ", 2),
        ("rock'n'roll", 2),
        ("a.m. on Friday", 3),
        ("—", 0),
    ],
)
def test_word_count(text, words):
    assert count_words(text) == words


def test_corpus_table_holds_each_texts_analysis(hootsuite):
    """``analyse_corpus`` gives, per text, the figures a reader can check against ``analyse_text``."""
    texts = [hootsuite.statements.loc["gaboriault-biv", "text"], "No comment.", ""]
    table = analyse_corpus(texts, LEXICON, "Hootsuite")
    assert list(table.columns) == [*LEXICON.categories, "words", "first_tense", "negated_groups", "passive_groups"]
    biv = table.iloc[0]
    assert (biv["words"], biv["self_mention"], biv["negated_groups"], biv["passive_groups"], biv["first_tense"]) == (
        36,
        3,
        2,
        0,
        "simple present",
    )
    assert table.iloc[1]["evasion"] == 1 and table.iloc[1]["first_tense"] == ""
    assert table.iloc[2][[*LEXICON.categories, "words", "negated_groups"]].sum() == 0
    for text, row in zip(texts, table.to_dict("records")):
        analysis = analyse_text(text, LEXICON, "Hootsuite")
        assert {c: row[c] for c in LEXICON.categories} == analysis.counts(LEXICON.categories)


@pytest.fixture
def bench_wording(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS_DIR.parent / "benchmarks"))
    import bench_wording

    yield bench_wording
    sys.modules.pop("bench_wording", None)


def test_the_rate_benchmark_takes_passes_in_turn_and_keeps_the_best(bench_wording):
    """benchmarks/bench_wording.py: each analyser's rate is its fastest pass, and every pass is kept."""
    corpus = bench_wording.tweet_corpus(300, seed=1)
    assert len(corpus) == 300 and max(map(len, corpus)) <= 280
    ours = bench_wording.ours()
    results = bench_wording.measure_rates({"ours": ours, "ours again": ours}, corpus, passes=3)
    for result in results.values():
        walls = [wall for wall, _ in result["passes"]]
        assert len(walls) == 3 and result["rate"] == pytest.approx(300 / min(walls))
        assert result["output"]["words"].gt(0).all()
    assert bench_wording.spread(results["ours"], 300).count(" CPU)") == 3


def test_the_rate_benchmark_says_how_to_install_its_peer(bench_wording, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "vaderSentiment", None)  # as if the benchmark-only extra were not installed
    assert bench_wording.main(["--texts", "300"]) == 2
    assert 'pip install -e ".[vader]"' in capsys.readouterr().err


def test_the_rate_benchmark_prints_ours_beside_vader(bench_wording, capsys):
    pytest.importorskip("vaderSentiment", reason='VADER is a benchmark-only extra: pip install -e ".[vader]"')
    assert bench_wording.main(["--texts", "300", "--passes", "2"]) == 0
    printed = capsys.readouterr().out
    assert "ours / VADER:" in printed and printed.count(" CPU)") == 4
    assert "labelled set, negated:" in printed


# ------------------------------------------------------------------ an organisation's names, as whole words (issue 22)


def test_an_organisations_names_are_whole_words_and_never_verbs():
    names = ("Chef Software", "Chef")
    analysis = analyse_text("Rename the gem to chef-sugar-ng. The namespace and cookbook remain the same.", None, names)
    assert analysis.groups == [] and not [m for m in analysis.matches if m.subcategory == "organisation name"]
    analysis = analyse_text("Silence from @chef again. Chef has decided. Chef Software will act; see chef.io.", None, names)
    found = [m.text for m in analysis.matches if m.subcategory == "organisation name"]
    assert found == ["Chef", "Chef Software"]  # not the handle, not the domain; the longer name whole
    subjects = {g.text: (g.subject, g.subject_text) for g in analysis.groups}
    assert subjects == {"has decided": ("organisation", "chef"), "will act": ("organisation", "chef software")}
    # one name, as before, still works
    assert [g.subject for g in analyse_text("Hootsuite has decided.", None, "Hootsuite").groups] == ["organisation"]
