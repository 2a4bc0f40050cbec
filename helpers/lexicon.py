"""The lexicon: a CSV file of patterns students can read and edit, and where its rows match a text.

Each row of ``data/lexicons/wording.csv`` names a category (hedge, booster, negation, ...), a
pattern (a literal phrase or a regular expression, matched without regard to case), the source it
follows, and an example it must match and one it must not. A match reports the row that fired and
its character span, so every count can be traced back to the words that made it.

How a category is matched: its rows become one regular expression, an alternation with one named
group per row, in file order. Python's ``re`` scans the text left to right; at each position the
first row (in file order) that matches there wins, and the scan goes on after that match. So the
matches of one category never overlap, while different categories may mark the same words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from .csvfile import read_rows
from .errors import CsvFileError, Problem
from .grammar import NEGATIVE_WORDS
from .paths import DATA_DIR
from .text import split_sentences

DEFAULT_LEXICON = DATA_DIR / "lexicons" / "wording.csv"
LEXICON_COLUMNS = (
    "row_id",
    "category",
    "subcategory",
    "pattern",
    "pattern_type",
    "source",
    "example_match",
    "example_nonmatch",
    "note",
)
ORGANISATION_PLACEHOLDER = "{organisation}"
# A negator near a match: a word that negates in the grammar's terms, "cannot", or a word ending in "n't".
_NEGATOR_WORDS = re.compile(r"\b(?:" + "|".join(sorted(NEGATIVE_WORDS | {"cannot"})) + r")\b|n't\b", re.IGNORECASE)


class LexiconError(CsvFileError):
    """A lexicon file that cannot be used; ``problems`` names file, line and column."""

    what = "lexicon"


@dataclass(frozen=True)
class CategoryPattern:
    """All rows of one category as one alternation: the named group that matched is the row that fired."""

    category: str
    row_ids: tuple[str, ...]  # in file order; group ``r{i}`` is row ``row_ids[i]``
    pattern: re.Pattern

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, row id) of every match in ``text``, left to right."""
        return [(m.start(), m.end(), self.row_ids[int(m.lastgroup[1:])]) for m in self.pattern.finditer(text)]


@dataclass(frozen=True)
class Lexicon:
    """Lexicon rows (a DataFrame indexed by ``row_id``) and where they came from."""

    rows: pd.DataFrame
    path: Path
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)  # category patterns by organisation

    @cached_property
    def categories(self) -> list[str]:
        """The categories, in the order they first appear in the file."""
        return list(dict.fromkeys(self.rows["category"]))

    @cached_property
    def subcategories(self) -> dict[str, str]:
        """Each row's subcategory, by row id."""
        return dict(self.rows["subcategory"])

    def pattern(self, row_id: str, organisation: str | tuple[str, ...] = "") -> re.Pattern:
        """The compiled pattern of one row, with the organisation's name filled in."""
        row = self.rows.loc[row_id]
        return re.compile(regex_source(row["pattern"], row["pattern_type"], organisation), re.IGNORECASE)

    def category_patterns(self, organisation: str | tuple[str, ...] = "") -> list[CategoryPattern]:
        """One alternation per category, for this organisation's name or names (compiled once, then kept)."""
        if organisation not in self._compiled:
            patterns = []
            for category in self.categories:
                rows = self.rows[self.rows["category"] == category]
                sources = [regex_source(p, t, organisation) for p, t in zip(rows["pattern"], rows["pattern_type"])]
                alternation = "|".join(f"(?P<r{i}>{source})" for i, source in enumerate(sources))
                patterns.append(CategoryPattern(category, tuple(rows.index), re.compile(alternation, re.IGNORECASE)))
            self._compiled[organisation] = patterns
        return self._compiled[organisation]

    def with_row(self, **values: str) -> Lexicon:
        """A copy with one more row (for "Try it" cells); the row is validated like a file row."""
        row = {column: values.get(column, "") for column in LEXICON_COLUMNS}
        row["pattern_type"] = row["pattern_type"] or "literal"
        problems = _check_row(row, "added row", 0)
        if row["row_id"] in self.rows.index:
            problems.append(Problem("added row", f"duplicate row_id {row['row_id']!r}", column="row_id"))
        if problems:
            raise LexiconError(self.path, problems)
        extra = pd.DataFrame([row]).set_index("row_id")
        return Lexicon(pd.concat([self.rows, extra]), self.path)


def organisation_source(organisation: str | tuple[str, ...]) -> str:
    """A regular expression for the organisation's names, each as a word of its own.

    ``organisation`` is one name or several (a case's name and aliases), tried longest first. A
    name joined to other letters or digits by a hyphen, an @, a dot or a slash is part of another
    word ("northsound-app", "@northsound", "northsound.example"), not the name.
    """
    names = [organisation] if isinstance(organisation, str) else list(organisation)
    names = sorted({n for n in names if n}, key=lambda n: (-len(n), n))
    if not names:
        return r"(?!x)x"  # no organisation: never matches
    return r"(?<![\w@./-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w@/-]|\.\w)"


def regex_source(pattern: str, pattern_type: str, organisation: str | tuple[str, ...]) -> str:
    """A row's pattern as a regular expression: a literal phrase matches whole words, any white space between them."""
    name = organisation_source(organisation)
    if pattern_type == "literal":
        words = [re.escape(w) for w in pattern.split()]
        source = r"\b" + r"\s+".join(words) + r"\b"
        return source.replace(re.escape(ORGANISATION_PLACEHOLDER), name)
    return pattern.replace(ORGANISATION_PLACEHOLDER, name)


# --------------------------------------------------------------------------- reading the file


def _check_row(row: dict[str, str], file: str, line: int) -> list[Problem]:
    problems = []
    label = f"row_id={row.get('row_id')}" if row.get("row_id") else None
    for column in ("row_id", "category", "pattern", "pattern_type", "source", "example_match", "example_nonmatch"):
        if not (row.get(column) or "").strip():
            problems.append(Problem(file, "must not be blank", line=line, column=column, row_id=label))
    if row.get("pattern_type") not in ("literal", "regex"):
        problems.append(
            Problem(
                file,
                f"{row.get('pattern_type')!r} is not allowed (allowed: literal, regex)",
                line=line,
                column="pattern_type",
                row_id=label,
            )
        )
    elif row.get("pattern"):
        try:
            re.compile(regex_source(row["pattern"], row["pattern_type"], "Acme"))
        except re.error as exc:
            problems.append(Problem(file, f"not a valid regular expression: {exc}", line=line, column="pattern", row_id=label))
    return problems


@lru_cache(maxsize=16)
def _load_lexicon_cached(path: Path, mtime: float) -> Lexicon:
    try:
        _, records = read_rows(path, LEXICON_COLUMNS)
    except CsvFileError as exc:
        raise LexiconError(path, exc.problems) from None
    problems: list[Problem] = []
    name = path.name
    rows, seen = [], {}
    for row in records:
        line, record = row.line, {c: row.values[c] for c in LEXICON_COLUMNS}
        problems += _check_row(record, name, line)
        if record["row_id"] in seen:
            problems.append(
                Problem(
                    name,
                    f"duplicate row_id {record['row_id']!r} (first at line {seen[record['row_id']]})",
                    line=line,
                    column="row_id",
                )
            )
        seen.setdefault(record["row_id"], line)
        rows.append(record)
    if problems:
        raise LexiconError(path, problems)
    return Lexicon(pd.DataFrame(rows, columns=list(LEXICON_COLUMNS)).set_index("row_id"), path)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check a lexicon CSV (the default one when ``path`` is None); a file is read again once it changes."""
    path = Path(path) if path else DEFAULT_LEXICON
    if not path.is_file():
        raise FileNotFoundError(f"lexicon file not found: {path} (the default is {DEFAULT_LEXICON})")
    path = path.resolve()
    return _load_lexicon_cached(path, path.stat().st_mtime)


# --------------------------------------------------------------------------- matches in a text


@dataclass(frozen=True)
class Match:
    """One lexicon hit: where it is, what it matched, and which row fired."""

    start: int
    end: int
    text: str
    category: str
    subcategory: str
    row_id: str
    sentence: int
    negated: bool  # a negative word stands within three words before the hit (for non-negation rows)


def find_matches(
    text: str, lexicon: Lexicon, organisation: str | tuple[str, ...] = "", sentences: list[tuple[int, int]] | None = None
) -> list[Match]:
    """Every lexicon hit in ``text``, ordered by position then category."""
    sentences = sentences if sentences is not None else split_sentences(text)
    starts = [start for start, _ in sentences]
    subcategories = lexicon.subcategories
    hits = []
    for category in lexicon.category_patterns(organisation):
        for start, end, row_id in category.spans(text):
            sentence = max(bisect_right(starts, start) - 1, 0)  # the last sentence starting at or before the hit
            negated = category.category != "negation" and negated_before(text, starts[sentence] if starts else 0, start)
            hits.append(Match(start, end, text[start:end], category.category, subcategories[row_id], row_id, sentence, negated))
    hits.sort(key=lambda m: (m.start, m.end, m.category))
    return hits


def negated_before(text: str, sentence_start: int, position: int) -> bool:
    """Whether one of the three words before ``position`` (in its sentence) negates: one of the
    grammar's ``NEGATIVE_WORDS`` ("not", "no", "never", "nothing", ...), "cannot", or a word in "n't"."""
    window = text[sentence_start:position].split()[-3:]
    return bool(_NEGATOR_WORDS.search(" ".join(window)))
