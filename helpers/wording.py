"""Close reading at scale: the wording analysis of one text, of many, and of a case's statements.

Everything here is transparent on purpose, and each part has a module of its own:

* ``helpers.text``: sentences, tokens and the word count;
* ``helpers.lexicon``: the lexicon (``data/lexicons/wording.csv``, a file students can read and
  edit) and where its rows match, each match reporting the row that fired and its span;
* ``helpers.grammar``: a small set of rules (no trained model) that finds finite verb groups and
  says their tense and aspect, whether they are negated, active or passive, and who the subject is.

This module puts them together: :func:`analyse_text` for one text, :func:`analyse_corpus` for
many, and the tables the lessons show. What a notebook needs from the parts can be imported from
here (``from helpers.wording import load_lexicon, TENSES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .case import Case
from .grammar import SUBJECTS, TENSES, VerbGroup, verb_groups
from .lexicon import DEFAULT_LEXICON, Lexicon, LexiconError, Match, find_matches, load_lexicon
from .queries import select_statements
from .text import count_words, split_sentences

# fmt: off
__all__ = [
    "DEFAULT_LEXICON", "SUBJECTS", "TENSES", "Analysis", "Lexicon", "LexiconError", "Match", "VerbGroup",
    "analyse_corpus", "analyse_text", "compare_statements", "count_table", "find_matches", "lexicon_summary",
    "load_lexicon", "rate_column", "rated_categories", "split_sentences", "verb_groups",
]
# fmt: on


@dataclass
class Analysis:
    """The wording analysis of one text."""

    text: str
    sentences: list[tuple[int, int]]
    matches: list[Match]
    groups: list[VerbGroup]
    words: int

    def counts(self, categories: Iterable[str]) -> dict[str, int]:
        """Matches per category (every category listed, zeros included)."""
        counts = dict.fromkeys(categories, 0)
        for match in self.matches:
            counts[match.category] = counts.get(match.category, 0) + 1
        return counts

    def matches_frame(self) -> pd.DataFrame:
        columns = ["start", "end", "text", "category", "subcategory", "row_id", "sentence", "negated"]
        return pd.DataFrame([m.__dict__ for m in self.matches], columns=columns)

    def groups_frame(self) -> pd.DataFrame:
        columns = ["start", "end", "text", "tense", "negated", "voice", "subject", "subject_text"]
        return pd.DataFrame([g.__dict__ for g in self.groups], columns=columns)


def analyse_text(text: str, lexicon: Lexicon | None = None, organisation: str | tuple[str, ...] = "") -> Analysis:
    """Sentences, lexicon matches and verb groups of one text.

    ``organisation`` is the organisation's name, or its names (``case.names``: a case's name and aliases).
    """
    lexicon = lexicon or load_lexicon()
    sentences = split_sentences(text)
    groups = [group for start, end in sentences for group in verb_groups(text[start:end], organisation, offset=start)]
    return Analysis(text, sentences, find_matches(text, lexicon, organisation, sentences), groups, count_words(text))


def analyse_corpus(
    texts: Iterable[str], lexicon: Lexicon | None = None, organisation: str | tuple[str, ...] = ""
) -> pd.DataFrame:
    """One row per text: matches per category, words, the first verb group's tense, negated and passive groups."""
    lexicon = lexicon or load_lexicon()
    categories = lexicon.categories
    rows = []
    for text in texts:
        analysis = analyse_text(text, lexicon, organisation)
        groups = analysis.groups
        rows.append(
            [
                *analysis.counts(categories).values(),
                analysis.words,
                groups[0].tense if groups else "",
                sum(g.negated for g in groups),
                sum(g.voice == "passive" for g in groups),
            ]
        )
    return pd.DataFrame(rows, columns=[*categories, "words", "first_tense", "negated_groups", "passive_groups"])


#: How ``compare_statements`` names the column of a category's rate: ``rate_column("hedge")`` is "hedge per 100 words".
RATE_SUFFIX = " per 100 words"


def rate_column(category: str) -> str:
    """The column of ``compare_statements`` that holds ``category``'s matches per 100 words."""
    return f"{category}{RATE_SUFFIX}"


def rated_categories(comparison: pd.DataFrame) -> list[str]:
    """The categories whose rates ``comparison`` (from ``compare_statements``) holds, in its column order."""
    return [str(c).removesuffix(RATE_SUFFIX) for c in comparison.columns if str(c).endswith(RATE_SUFFIX)]


def compare_statements(case: Case, statement_ids=None, speakers=None, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """One row per statement: words, matches per 100 words by category, and the grammar profile."""
    lexicon = lexicon or load_lexicon()
    chosen = select_statements(case, statement_ids, speakers)
    rows = []
    for sid, statement in chosen.iterrows():
        analysis = analyse_text(statement["text"], lexicon, case.names)
        counts = analysis.counts(lexicon.categories)
        row = {
            "statement": sid,
            "speaker": statement["speaker"],
            "audience": statement["audience"],
            "status": statement["text_status"],
            "words": analysis.words,
        }
        row.update({rate_column(c): round(100 * n / analysis.words, 1) if analysis.words else 0.0 for c, n in counts.items()})
        tenses = [g.tense for g in analysis.groups]
        row["tenses"] = ", ".join(dict.fromkeys(tenses)) or "none found"
        row["negated verbs"] = sum(g.negated for g in analysis.groups)
        row["passive verbs"] = sum(g.voice == "passive" for g in analysis.groups)
        row["subjects"] = (
            ", ".join(
                f"{k} {v}" for k, v in pd.Series([g.subject for g in analysis.groups], dtype="object").value_counts().items()
            )
            or "none found"
        )
        rows.append(row)
    return pd.DataFrame(rows).set_index("statement") if rows else pd.DataFrame()


def count_table(case: Case, statement_ids=None, speakers=None, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Raw match counts per category and statement (rates hide how few words some texts have)."""
    lexicon = lexicon or load_lexicon()
    chosen = select_statements(case, statement_ids, speakers)
    data = {sid: analyse_text(st["text"], lexicon, case.names).counts(lexicon.categories) for sid, st in chosen.iterrows()}
    table = pd.DataFrame(data).T
    table.index.name = "statement"
    return table


def lexicon_summary(lexicon: Lexicon) -> pd.DataFrame:
    """Rows per category with a few of their patterns, for a first look at the lexicon."""
    rows = lexicon.rows
    table = rows.groupby("category", sort=False).agg(
        rows=("pattern", "size"),
        subcategories=("subcategory", lambda s: ", ".join(dict.fromkeys(s))),
        sources=("source", lambda s: "; ".join(sorted({re.sub(r"\).*", ")", x) for x in s}))),
    )
    return table
