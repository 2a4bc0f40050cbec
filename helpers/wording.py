"""Close reading at scale: lexicon matches with evidence spans, and the grammar of each claim.

Everything here is transparent on purpose. The lexicon is a CSV file students can read and edit
(``data/lexicons/wording.csv``); every match reports the row that fired and its character span;
the grammar is a small set of rules (no trained model) that finds finite verb groups and says
their tense and aspect, whether they are negated, active or passive, and who the grammatical
subject is (I / we / the organisation by name / other).
"""

from __future__ import annotations

import csv
import re
import re._constants as re_constants  # the parsed form of a pattern, to read its literal starts (MatchIndex)
import re._parser as re_parser
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Iterable

import pandas as pd

from .errors import Problem
from .paths import DATA_DIR

DEFAULT_LEXICON = DATA_DIR / "lexicons" / "wording.csv"
LEXICON_COLUMNS = ("row_id", "category", "subcategory", "pattern", "pattern_type", "source", "example_match", "example_nonmatch", "note")
ORGANISATION_PLACEHOLDER = "{organisation}"
TENSES = (
    "present progressive", "past progressive", "present perfect", "past perfect",
    "simple present", "simple past", "future", "modal",
)
SUBJECTS = ("I", "we", "organisation", "other")


class LexiconError(ValueError):
    """A lexicon file that cannot be used; ``problems`` names file, line and column."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path, self.problems = path, problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"lexicon {path}: {problems[0]}{more}")


# --------------------------------------------------------------------------- the lexicon


@dataclass(frozen=True)
class Lexicon:
    """Lexicon rows (a DataFrame indexed by ``row_id``) and where they came from."""

    rows: pd.DataFrame
    path: Path
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def categories(self) -> list[str]:
        if "categories" not in self._compiled:
            self._compiled["categories"] = list(dict.fromkeys(self.rows["category"]))
        return self._compiled["categories"]

    @property
    def subcategories(self) -> dict[str, str]:
        if "subcategories" not in self._compiled:
            self._compiled["subcategories"] = dict(self.rows["subcategory"])
        return self._compiled["subcategories"]

    def pattern(self, row_id: str, organisation: str = "") -> re.Pattern:
        """The compiled pattern of one row, with the organisation's name filled in."""
        row = self.rows.loc[row_id]
        return re.compile(_regex_source(row["pattern"], row["pattern_type"], organisation), re.IGNORECASE)

    def matchers(self, organisation: str) -> list["CategoryMatcher"]:
        """One matcher per category for this organisation's name (built once, then cached)."""
        key = ("matchers", organisation)
        if key not in self._compiled:
            self._compiled[key] = [
                CategoryMatcher.build(category, self.rows[self.rows["category"] == category], organisation)
                for category in self.categories
            ]
        return self._compiled[key]

    def match_index(self, organisation: str) -> "MatchIndex":
        """Where each row can start, for this organisation's name (built once, then cached)."""
        key = ("index", organisation)
        if key not in self._compiled:
            self._compiled[key] = MatchIndex(self.matchers(organisation))
        return self._compiled[key]

    def with_row(self, **values: str) -> "Lexicon":
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


@dataclass(frozen=True)
class CategoryMatcher:
    """All rows of one category, compiled two ways that find the same matches.

    ``exact`` is the reference: one case-insensitive alternation with a named group per row, so
    the row that fired is the group that matched (rows starting at a word boundary come first,
    under one shared ``\\b``). ``row_patterns`` are the same rows lower-cased, without IGNORECASE,
    in the same order, for the lower-cased text; :class:`MatchIndex` uses them.
    """

    category: str
    row_ids: tuple[str, ...]  # in the order the alternation tries them
    exact: re.Pattern
    row_patterns: tuple[re.Pattern, ...]  # lower-cased, same order as row_ids

    @classmethod
    def build(cls, category: str, rows: pd.DataFrame, organisation: str) -> "CategoryMatcher":
        sources = {row_id: _regex_source(p, t, organisation) for row_id, p, t in zip(rows.index, rows["pattern"], rows["pattern_type"])}
        anchored = [r for r, source in sources.items() if source.startswith(r"\b")]
        order = anchored + [r for r in sources if r not in anchored]
        named = [f"(?P<r{i}>{sources[r]})" for i, r in enumerate(order)]
        parts_exact = ([r"\b(?:" + "|".join(named[: len(anchored)]) + ")"] if anchored else []) + named[len(anchored):]
        return cls(
            category=category,
            row_ids=tuple(order),
            exact=re.compile("|".join(parts_exact), re.IGNORECASE),
            row_patterns=tuple(re.compile(_lower_pattern(sources[r])) for r in order),
        )

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, row id) of every match: the reference the fast path must agree with."""
        return [(m.start(), m.end(), self.row_ids[int(m.lastgroup[1:])]) for m in self.exact.finditer(text)]


class _Fallback(Exception):
    """The fast path met a case it does not handle (an empty match); use the reference."""


_WORD_RUN = re.compile(r"\w+")
_PIECE = re.compile(r"\S+")  # what ``str.split`` cuts a text into


def _gaps(text: str) -> list[int]:
    """How many white-space characters stand before each piece of ``text.split()``."""
    gaps, end = [], 0
    for piece in _PIECE.finditer(text):
        gaps.append(piece.start() - end)
        end = piece.end()
    return gaps


try:  # characters that IGNORECASE matches to letters other than their lower-case form (s and "ſ", ...)
    from re._casefix import _EXTRA_CASES

    _FOLD_SPECIAL: frozenset[str] | None = frozenset(chr(c) for key, more in _EXTRA_CASES.items() for c in (key, *more) if c > 127)
except ImportError:  # pragma: no cover - another Python: non-ASCII texts take the reference path
    _FOLD_SPECIAL = None


def _lowered_is_equivalent(text: str, lowered: str) -> bool:
    """Whether lower-cased patterns on ``lowered`` find what IGNORECASE patterns find on ``text``."""
    if len(lowered) != len(text):
        return False  # lower-casing some characters (e.g. "İ") changes the length, and spans with it
    return text.isascii() or (_FOLD_SPECIAL is not None and _FOLD_SPECIAL.isdisjoint(lowered))


class MatchIndex:
    """Where each lexicon row can start, so most rows are never run on most texts.

    A category's alternation scans every position of the text and tries every row there; on
    tweet-length texts that is most of the analysis's time. Instead, each row's literal starts are
    read from its parsed pattern (``\\b(?:I|we)\\s+think`` starts with the whole word "i" or "we"):

    * a row anchored at a word boundary whose starts begin with a word character can only match
      where a word begins, so each word of the text is looked up in a table (built once per
      distinct word) of the rows whose starts fit it;
    * any other row with known starts is tried where ``str.find`` finds one of them;
    * a row whose starts are unknown is tried wherever it matches at all (``search`` from each
      match's start onwards), when the literal text it requires (if any) occurs.

    The candidates of a category are then tried in text order, and at one position in the
    alternation's row order; the first row that matches wins and the scan goes on after it. That
    is what the category's alternation does, so the result is the same (tests check this on the
    case, the labelled set and generated texts), only faster.
    """

    MAX_WORDS = 200_000  # the word table is cleared when it grows past this (memory stays bounded)

    def __init__(self, matchers: list[CategoryMatcher]):
        self.matchers = matchers
        self.whole_words: dict[str, dict[tuple[int, int], list[str]]] = {}  # word -> (category, row) -> starts
        self.certain: set[tuple[int, int]] = set()  # rows that are lists of single words (_is_word_list)
        self.word_prefixes: dict[str, list[tuple[str, int, int]]] = {}  # first character -> (prefix, category, row)
        self.found: list[tuple[str, int, int]] = []
        self.searched: list[tuple[re.Pattern, str, int, int]] = []
        for c, matcher in enumerate(matchers):
            for o, pattern in enumerate(matcher.row_patterns):
                parsed = _pattern_starts(pattern.pattern)
                if parsed is None:
                    self.searched.append((pattern, _required_literal(pattern.pattern), c, o))
                    continue
                if _is_word_list(pattern.pattern):
                    self.certain.add((c, o))
                starts, anchored = parsed
                for start, whole in starts:
                    word = _WORD_RUN.match(start)
                    if not (anchored and word):
                        self.found.append((start, c, o))
                    elif whole or word.end() < len(start):  # the word at the match's start is exactly this
                        self.whole_words.setdefault(word.group(), {}).setdefault((c, o), []).append(start)
                    else:
                        self.word_prefixes.setdefault(start[0], []).append((start, c, o))
        # word -> (category, row, certain, starts to check with str.startswith or None)
        self._words: dict[str, tuple[tuple[int, int, bool, tuple[str, ...] | None], ...]] = {}

    def _rows_for(self, word: str) -> tuple[tuple[int, int, bool, tuple[str, ...] | None], ...]:
        if len(self._words) >= self.MAX_WORDS:
            self._words.clear()
        fits: dict[tuple[int, int], tuple[bool, tuple[str, ...] | None]] = {}
        for (c, o), starts in self.whole_words.get(word, {}).items():
            whole = word in starts  # the start is the word itself: nothing more to check before the pattern
            fits[c, o] = ((c, o) in self.certain and whole, None if whole else tuple(starts))
        for start, c, o in self.word_prefixes.get(word[0], ()):
            if word.startswith(start):
                fits[c, o] = (False, None)  # a prefix the word has: the row must be run to know
        rows = self._words[word] = tuple((c, o, certain, starts) for (c, o), (certain, starts) in sorted(fits.items()))
        return rows

    def _word_starts(self, lowered: str, buckets: list[list[tuple[int, int, int]]]) -> int:
        """Put the rows that can start at each ``\\w+`` run into ``buckets``; return how many runs there are.

        The text is cut at white space (``str.split``; no run spans white space). Most pieces are
        one run ("deal") or one run and a last character that is not a word character ("deal."),
        which ``str`` methods tell far more quickly than the expression's scan of the whole text;
        only the other pieces ("u.s.", "i—and") are scanned. A piece's position is the sum of the
        lengths and gaps before it; the gaps are one character each in most texts, and are
        measured with ``_PIECE`` in the others.
        """
        table, rows_for = self._words, self._rows_for
        pieces = lowered.split()
        if sum(map(len, pieces)) + len(pieces) - 1 == len(lowered):
            gaps: Iterable[int] = chain((0,), repeat(1))  # the white space before each piece
        else:
            gaps = _gaps(lowered)
        runs = end = 0
        for piece, gap in zip(pieces, gaps):
            at = end + gap
            end = at + len(piece)
            if piece.isalnum():
                word = piece
            elif not ((word := piece[:-1]).isalnum() and piece[-1] != "_"):
                for run in _WORD_RUN.finditer(piece):
                    runs += 1
                    word = run[0]
                    rows = table.get(word)
                    if rows is None:
                        rows = rows_for(word)
                    if rows:
                        self._add(buckets, rows, lowered, word, at + run.start())
                continue
            runs += 1
            rows = table.get(word)
            if rows is None:
                rows = rows_for(word)
            if rows:  # what ``_add`` does, written out: this is the loop's common case
                for c, o, certain, starts in rows:
                    if certain:
                        buckets[c].append((at, o, at + len(word)))
                    elif starts is None or lowered.startswith(starts, at):
                        buckets[c].append((at, o, -1))
        return runs

    @staticmethod
    def _add(buckets: list[list[tuple[int, int, int]]], rows, lowered: str, word: str, position: int) -> None:
        """Add the ``rows`` that can start at the word at ``position``: with the match's end when
        the row is certain to match exactly the word, else -1 (the row is run there later)."""
        for c, o, certain, starts in rows:
            if certain:
                buckets[c].append((position, o, position + len(word)))
            elif starts is None or lowered.startswith(starts, position):
                buckets[c].append((position, o, -1))

    def spans(self, lowered: str) -> tuple[list[list[tuple[int, int, str]]], int]:
        """Per category, (start, end, row id) of every match in the lower-cased text; and how many
        ``\\w+`` runs the text has, counted on the way (a word count, see :func:`_word_count`)."""
        buckets: list[list[tuple[int, int, int]]] = [[] for _ in self.matchers]  # (position, row, end if certain else -1)
        runs = self._word_starts(lowered, buckets)
        unsorted = set()
        for start, c, o in self.found:
            position = lowered.find(start)
            while position >= 0:
                buckets[c].append((position, o, -1))
                unsorted.add(c)
                position = lowered.find(start, position + 1)
        for pattern, required, c, o in self.searched:
            hit = pattern.search(lowered) if required in lowered else None
            while hit is not None:
                buckets[c].append((hit.start(), o, -1))
                unsorted.add(c)
                hit = pattern.search(lowered, hit.start() + 1)
        found: list[list[tuple[int, int, str]]] = []
        for c, bucket in enumerate(buckets):
            spans: list[tuple[int, int, str]] = []
            found.append(spans)
            if not bucket:
                continue
            if c in unsorted:
                bucket.sort()
            matcher = self.matchers[c]
            reached = 0
            for position, o, end in bucket:
                if position < reached:
                    continue
                if end < 0:
                    hit = matcher.row_patterns[o].match(lowered, position)
                    if hit is None:
                        continue
                    end = hit.end()
                    if end == position:
                        raise _Fallback  # an empty match: the alternation's rule for those is not copied here
                spans.append((position, end, matcher.row_ids[o]))
                reached = end
        return found, runs


def _is_word_list(source: str) -> bool:
    """Whether ``source`` is ``\\b(?:one|two|...)\\b`` of single literal words: then a word of the list,
    standing alone, is certainly a match of exactly that word and the pattern need not be run."""
    try:
        items = list(re_parser.parse(source))
    except Exception:  # noqa: BLE001
        return False
    boundary = (re_constants.AT, re_constants.AT_BOUNDARY)
    if len(items) < 3 or items[0] != boundary or items[-1] != boundary:
        return False
    middle = items[1:-1]
    alternatives = middle[0][1][1] if len(middle) == 1 and middle[0][0] is re_constants.BRANCH else [middle]
    return all(alternative and all(op is re_constants.LITERAL and _WORD_RUN.match(chr(v)) for op, v in alternative) for alternative in alternatives)


def _required_literal(source: str) -> str:
    """The longest run of literal characters at the top level of a pattern ('' if none or unreadable)."""
    try:
        items = list(re_parser.parse(source))
    except Exception:  # noqa: BLE001
        return ""
    best, run = "", ""
    for op, value in items:
        if op is re_constants.LITERAL:
            run += chr(value)
            best = max(best, run, key=len)
        elif op is not re_constants.AT:
            run = ""
    return best


def _pattern_starts(source: str) -> tuple[tuple[tuple[str, bool], ...], bool] | None:
    """The literal starts every match of ``source`` begins with, and whether it is anchored at ``\\b``.

    Each start is (text, whole): ``whole`` says the word-character run at the match's start is
    exactly the start's leading word characters (``\\bwe\\s+think`` starts with the whole word
    "we"), not just begins with them (``\\bapolog`` fits "apology" and "apologise"). None when
    some match could begin otherwise (a character class, ``\\w``, an optional first part, inline
    flags) or the pattern cannot be read: that row is then searched everywhere.
    """
    try:
        parsed = re_parser.parse(source)
    except Exception:  # noqa: BLE001 - anything unreadable is searched everywhere, never dropped
        return None
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE | re.VERBOSE):
        return None
    items = list(parsed)
    anchored = bool(items) and items[0] == (re_constants.AT, re_constants.AT_BOUNDARY)
    starts = _sequence_starts(items)
    return (tuple(sorted(starts)), anchored) if starts else None


_LIMIT = 64  # more starts than this for one row: keep the shorter, common start


def _is_space_class(op, value) -> bool:
    return op is re_constants.IN and value == [(re_constants.CATEGORY, re_constants.CATEGORY_SPACE)]


def _sequence_starts(items: list, prefix: str = "") -> set[tuple[str, bool]] | None:
    """Starts of a parsed sequence after ``prefix`` (None: a match may start with no known text)."""
    done = {(prefix, False)} if prefix else None
    for index, (op, value) in enumerate(items):
        ends_word = bool(prefix) and _WORD_RUN.match(prefix[-1]) is not None
        if op is re_constants.AT:
            if value is re_constants.AT_BOUNDARY and ends_word:
                return {(prefix, True)}
            continue  # takes no characters
        if op is re_constants.LITERAL:
            prefix += chr(value)
            done = {(prefix, False)}
            continue
        rest = items[index + 1:]
        if ends_word and (_is_space_class(op, value) or (op is re_constants.MAX_REPEAT and value[0] >= 1 and len(value[2]) == 1
                                                          and _is_space_class(*list(value[2])[0]))):
            return {(prefix, True)}  # white space must follow: the word ends here
        alternatives = None
        if op is re_constants.BRANCH:
            alternatives = [list(a) + rest for a in value[1]]
        elif op is re_constants.SUBPATTERN and not value[1] and not value[2]:  # a group without inline flags
            alternatives = [list(value[3]) + rest]
        elif op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT) and value[0] >= 1:
            alternatives = [list(value[2])]  # at least once: its start, and stop there
        if alternatives:
            found: set[tuple[str, bool]] = set()
            for alternative in alternatives:
                more = _sequence_starts(alternative, prefix)
                if more is None or len(found) + len(more) > _LIMIT:
                    return done
                found |= more
            return found
        return done
    return done


def _lower_pattern(source: str) -> str:
    """``source`` for lower-cased text: letters lower-cased except right after a backslash (``\\S``, ``\\B``)."""
    out, escaped = [], False
    for char in source:
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return "".join(out)


def _regex_source(pattern: str, pattern_type: str, organisation: str) -> str:
    name = re.escape(organisation) if organisation else r"(?!x)x"  # no organisation: never matches
    if pattern_type == "literal":
        words = [re.escape(w) for w in pattern.split()]
        source = r"\b" + r"\s+".join(words) + r"\b"
        return source.replace(re.escape(ORGANISATION_PLACEHOLDER), name)
    return pattern.replace(ORGANISATION_PLACEHOLDER, name)


def _check_row(row: dict[str, str], file: str, line: int) -> list[Problem]:
    problems = []
    label = f"row_id={row.get('row_id')}" if row.get("row_id") else None
    for column in ("row_id", "category", "pattern", "pattern_type", "source", "example_match", "example_nonmatch"):
        if not (row.get(column) or "").strip():
            problems.append(Problem(file, "must not be blank", line=line, column=column, row_id=label))
    if row.get("pattern_type") not in ("literal", "regex"):
        problems.append(Problem(file, f"{row.get('pattern_type')!r} is not allowed (allowed: literal, regex)", line=line, column="pattern_type", row_id=label))
    elif row.get("pattern"):
        try:
            re.compile(_regex_source(row["pattern"], row["pattern_type"], "Acme"))
        except re.error as exc:
            problems.append(Problem(file, f"not a valid regular expression: {exc}", line=line, column="pattern", row_id=label))
    return problems


@lru_cache(maxsize=16)
def _load_lexicon_cached(path: Path, mtime: float) -> Lexicon:
    problems: list[Problem] = []
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(path, [Problem(name, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in LEXICON_COLUMNS if c not in header]
    if missing:
        raise LexiconError(path, [Problem(name, "missing column", line=1, column=c) for c in missing])
    rows, seen = [], {}
    for record in reader:
        line = reader.line_num
        record = {k: (v or "").strip() for k, v in record.items() if k in LEXICON_COLUMNS}
        problems += _check_row(record, name, line)
        if record["row_id"] in seen:
            problems.append(Problem(name, f"duplicate row_id {record['row_id']!r} (first at line {seen[record['row_id']]})", line=line, column="row_id"))
        seen.setdefault(record["row_id"], line)
        rows.append(record)
    if problems:
        raise LexiconError(path, problems)
    return Lexicon(pd.DataFrame(rows, columns=list(LEXICON_COLUMNS)).set_index("row_id"), path)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check a lexicon CSV (the default one when ``path`` is None)."""
    path = Path(path) if path else DEFAULT_LEXICON
    if not path.is_file():
        raise FileNotFoundError(f"lexicon file not found: {path} (the default is {DEFAULT_LEXICON})")
    path = path.resolve()
    return _load_lexicon_cached(path, path.stat().st_mtime)


# --------------------------------------------------------------------------- sentences and tokens

ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "mr", "mrs", "ms", "dr", "st",
    "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "md", "d.c", "a.m", "p.m", "prof", "gen", "gov", "sen", "rep",
}
# ``[.!?…][.!?…]*`` rather than ``[.!?…]+``: a pattern that starts with a class (not a repeat) lets
# Python's regular-expression engine skip to the next character of the class instead of trying
# the whole pattern at every position
_BOUNDARY = re.compile(r"[.!?…][.!?…]*[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; abbreviations such as "U.S." do not end one."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0)[0] == ".":
            before = _WORD_BEFORE.search(text, max(0, match.start() - 12), match.start() + 1)
            word = before.group(1).rstrip(".").lower() if before else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        end = match.end()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*|[—–]|--|[^\sA-Za-z\d]")
# A word for counting: "U.S." is one word, "don't" is one word.
_WORD = re.compile(r"[A-Za-z](?:\.[A-Za-z])+\.?|[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

_CONTRACTIONS = {
    "i'm": ("i", "am"), "we're": ("we", "are"), "you're": ("you", "are"), "they're": ("they", "are"),
    "it's": ("it", "is"), "that's": ("that", "is"), "he's": ("he", "is"), "she's": ("she", "is"),
    "i've": ("i", "have"), "we've": ("we", "have"), "they've": ("they", "have"), "you've": ("you", "have"),
    "i'll": ("i", "will"), "we'll": ("we", "will"), "it'll": ("it", "will"), "they'll": ("they", "will"),
    "i'd": ("i", "would"), "we'd": ("we", "would"), "won't": ("will", "not"), "can't": ("can", "not"),
    "shan't": ("shall", "not"),
}

BE_PRESENT = {"am", "is", "are"}
BE_PAST = {"was", "were"}
HAVE_PRESENT = {"have", "has"}
HAVE_PAST = {"had"}
DO_PRESENT = {"do", "does"}
DO_PAST = {"did"}
FUTURE = {"will", "shall"}
MODALS = {"can", "could", "may", "might", "must", "should", "would"}
NEGATORS = {"not", "never", "n't"}
SKIPPABLE = {"also", "still", "just", "now", "then", "already", "always", "even", "ever", "yet", "only", "really", "all", "both", "therefore", "however", "indeed"}
DASHES = {"—", "–", "--", "-", ")"}
SUBJECT_PRONOUNS = {"i", "we", "you", "they", "he", "she", "it"}
FUNCTION_WORDS = {
    "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "their", "his", "her", "its",
    "to", "of", "in", "on", "at", "by", "for", "with", "from", "into", "about", "as", "and", "or", "but",
    "if", "than", "so", "very", "more", "most", "not", "no", "be", "been", "being", ",", "(", "—", "–", "-",
}
IRREGULAR_PAST = {
    "made", "did", "took", "gave", "saw", "knew", "told", "said", "went", "heard", "found", "got", "brought",
    "bought", "thought", "sent", "spent", "built", "held", "kept", "left", "lost", "meant", "met", "paid",
    "ran", "sold", "stood", "understood", "won", "wrote", "chose", "began", "broke", "drove", "fell", "forgot",
    "rose", "spoke", "stole", "came", "became", "felt", "led", "let", "cut", "spread", "put", "set", "read", "hurt",
}
IRREGULAR_PARTICIPLES = {
    "made", "done", "taken", "given", "seen", "known", "shown", "told", "said", "gone", "had", "heard", "found",
    "got", "gotten", "brought", "bought", "thought", "sent", "spent", "built", "held", "kept", "left", "lost",
    "meant", "met", "paid", "put", "read", "run", "set", "sold", "stood", "understood", "won", "written", "chosen",
    "begun", "broken", "driven", "fallen", "forgotten", "hidden", "spoken", "stolen", "come", "become", "felt",
    "led", "let", "cut", "hit", "hurt", "shut", "spread", "struck",
}
NOT_ING_VERBS = {"thing", "nothing", "something", "anything", "everything", "morning", "evening", "during", "king",
                 "ring", "bring", "sing", "spring", "string", "wing", "swing", "sting", "ceiling", "bring", "interesting"}
NOT_ED_VERBS = {"need", "speed", "seed", "feed", "bed", "red", "shed", "hundred", "indeed", "bled", "sled", "wed"}


ING_ADJECTIVES = {
    "disappointing", "devastating", "heartbreaking", "interesting", "concerning", "exciting", "surprising",
    "disturbing", "troubling", "amazing", "outstanding", "misleading", "ongoing", "upcoming", "pending",
    "existing", "following", "remaining", "leading", "growing", "damning", "shocking", "worrying",
}
LINKING_VERBS = {"get", "gets", "got", "getting", "become", "becomes", "became", "seem", "seems", "seemed", "look", "looks", "feel", "feels"}


@lru_cache(maxsize=65536)
def _is_verb_like(word: str) -> bool:
    """Could be a finite verb: a word, not a function word, not an -ly adverb, not an -ing form."""
    return (word.isalpha() and word not in FUNCTION_WORDS and word not in SKIPPABLE and word not in NEGATORS
            and not (word.endswith("ly") and len(word) > 4) and not _is_ing(word))


@lru_cache(maxsize=65536)
def _is_ing(word: str) -> bool:
    return len(word) > 4 and word.endswith("ing") and word not in NOT_ING_VERBS


@lru_cache(maxsize=65536)
def _is_participle(word: str) -> bool:
    return word in IRREGULAR_PARTICIPLES or (len(word) > 3 and word.endswith("ed") and word not in NOT_ED_VERBS)


@lru_cache(maxsize=65536)
def _is_past(word: str) -> bool:
    return word in IRREGULAR_PAST or (len(word) > 3 and word.endswith("ed") and word not in NOT_ED_VERBS)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased tokens with character spans; contractions split (``won't`` -> will, not)."""
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group(0).lower()
        if "'" not in word and "’" not in word:
            out.append((word, match.start(), match.end()))
        else:
            out.extend((part, match.start(), match.end()) for part in _split_contraction(word))
    return out


def _split_contraction(word: str) -> tuple[str, ...]:
    """A lower-cased token with an apostrophe, as the words it stands for."""
    word = word.replace("’", "'")
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word.endswith("n't") and len(word) > 3:
        return (word[:-3], "not")
    return (word,)


# --------------------------------------------------------------------------- verb groups


@dataclass(frozen=True)
class VerbGroup:
    """A finite verb group: its words, tense and aspect, negation, voice and subject."""

    start: int
    end: int
    text: str
    tense: str
    negated: bool
    voice: str
    subject: str
    subject_text: str


def _skip(words: list[str], i: int) -> tuple[int, bool]:
    """Index of the next word that is not an adverb or negator, and whether a negator was passed."""
    negated = False
    while i < len(words) and (words[i] in NEGATORS or words[i] in SKIPPABLE or (words[i].endswith("ly") and len(words[i]) > 4)):
        negated = negated or words[i] in NEGATORS
        i += 1
    return i, negated


def _subject(words: list[str], kinds: list[int], i: int, org_words: tuple[str, ...]) -> tuple[str, str]:
    """Kind and text of the subject just before word ``i`` (skipping adverbs and a dash aside).

    ``kinds`` (from :func:`_kind`) lets the common case, a subject right before the verb, skip the walk.
    """
    j = i - 1
    while j >= 0 and kinds[j] & _PASSED:
        word = words[j]
        if word in SKIPPABLE or word in NEGATORS or (word.endswith("ly") and len(word) > 4) or word == ",":
            j -= 1
            continue
        if word in ("—", "–", "--", "-", ")"):
            # skip a parenthetical aside back to its opening dash or bracket
            k = j - 1
            while k >= 0 and words[k] not in ("—", "–", "--", "-", "("):
                k -= 1
            j = k - 1 if k >= 0 else j - 1
            continue
        break
    if j < 0:
        return "other", ""
    word = words[j]
    if org_words and word == org_words[-1] and tuple(words[max(0, j - len(org_words) + 1): j + 1]) == org_words:
        return "organisation", " ".join(org_words)
    if word == "i":
        return "I", "I"
    if word == "we":
        return "we", "we"
    return "other", word


@lru_cache(maxsize=64)
def _organisation_words(organisation: str) -> tuple[str, ...]:
    return tuple(w for w, _, _ in tokens(organisation)) if organisation else ()


def verb_groups(sentence: str, organisation: str = "", offset: int = 0) -> list[VerbGroup]:
    """The finite verb groups of one sentence, left to right."""
    return [VerbGroup(start, end, sentence[start - offset:end - offset], *rest) for start, end, *rest in _groups(sentence, organisation, offset)]


# Lower-casing these changes a text's length or depends on context ("İ", the Kelvin sign turning
# into an ASCII "k", a final sigma): tokens are then lower-cased one by one.
_LOWER_UNSAFE = ("\u0130", "\u212a", "\u03a3")


# ``_TOKEN`` on lower-cased text with no apostrophe: no upper case, no contraction, and what is
# neither a letter nor a digit is one character either way (a test checks they agree).
_LOWER_TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*|--|\S")


def _words(sentence: str) -> list[str]:
    """The words of :func:`tokens`, without their spans (faster: no object per token).

    No token spans white space, so the text is cut at white space first (``str.split`` is far
    quicker than the regular expression) and most pieces need no expression at all: a run of
    ASCII letters is one token, and so is one character; letters then one character that is
    neither a letter nor a digit ("deal.", "statement,") are two. The rest go through ``_TOKEN``
    piece by piece, which gives what it gives on the whole text. A test compares the two.
    """
    if not (sentence.isascii() or not any(c in sentence for c in _LOWER_UNSAFE)):
        return [t[0] for t in tokens(sentence)]
    lowered = sentence.lower()
    if "’" in lowered:  # the words of :func:`tokens` have straight apostrophes (``_split_contraction``)
        lowered = lowered.replace("’", "'")
    words: list[str] = []
    append = words.append
    for piece in lowered.split():
        if piece.isalpha() and piece.isascii() or len(piece) == 1:
            append(piece)
        elif (head := piece[:-1]).isalpha() and head.isascii() and not piece[-1].isalnum():
            words += (head, piece[-1])
        elif "'" not in piece:
            words += _LOWER_TOKEN.findall(piece)
        else:
            for word in _TOKEN.findall(piece):
                if "'" in word:
                    words += _split_contraction(word)
                else:
                    append(word)
    return words


_AUXILIARIES = FUTURE | MODALS | BE_PRESENT | BE_PAST | HAVE_PRESENT | HAVE_PAST | DO_PRESENT | DO_PAST
_KINDS: dict[str, int] = {}  # word -> its kind, as bits (a bounded cache)
_AUXILIARY, _VERB_LIKE, _PASSED = 1, 2, 4  # _PASSED: the subject search walks over it (adverbs, negators, asides)
_TO, _FUNCTION = 8, 16  # "to" (no finite group right after it); a function word that is not a dash (no bare verb after it)
_SUBJECT, _PAST = 32, 64  # a subject pronoun; a verb-like word that reads as a past form (see ``_starts``)


def _kind(word: str) -> int:
    kind = _KINDS.get(word)
    if kind is None:
        if len(_KINDS) > 200_000:
            _KINDS.clear()
        kind = _AUXILIARY if word in _AUXILIARIES else _VERB_LIKE if _is_verb_like(word) else 0
        if word in SKIPPABLE or word in NEGATORS or (word.endswith("ly") and len(word) > 4) or word in (",", "—", "–", "--", "-", ")"):
            kind |= _PASSED
        if word in FUNCTION_WORDS and word not in DASHES:
            kind |= _FUNCTION | (_TO if word == "to" else 0)
        if word in SUBJECT_PRONOUNS:
            kind |= _SUBJECT
        if kind & _VERB_LIKE and _is_past(word):
            kind |= _PAST
        _KINDS[word] = kind
    return kind


def _starts(kinds: list[int], narrow: bool = True) -> list[int]:
    """Where a group can start: an auxiliary not after "to", or a verb-like word after something that
    is not a function word (a verb with no auxiliary needs a word before it, so the first word
    starts a group only as an auxiliary).

    ``narrow`` leaves out the verb-like words that cannot give a group. A verb with no auxiliary
    gives one only when it reads as a past form, or when its subject is a pronoun or the
    organisation's name: the word right before it is one (``_SUBJECT``), or is a word the subject
    search walks over (``_PASSED``: an adverb, a dash), so the subject is further back. Every other
    verb-like word is passed over by :func:`_groups`; most nouns after an adjective ("specific
    *customer* deals") are, so this leaves far fewer words to visit. Without ``narrow`` every
    verb-like word qualifies (its own ``_VERB_LIKE`` bit), as a test's reference.
    """
    own, before_bits = (_PAST, _SUBJECT | _PASSED) if narrow else (_VERB_LIKE, 0)
    starts = [i for i, k, before in zip(range(1, len(kinds)), islice(kinds, 1, None), kinds)
              if (k & _AUXILIARY and not before & _TO)
              or (k & _VERB_LIKE and not before & _FUNCTION and (k & own or before & before_bits))]
    if kinds and kinds[0] & _AUXILIARY:
        starts.insert(0, 0)
    return starts


def _groups(sentence: str, organisation: str = "", offset: int = 0, with_spans: bool = True, narrow: bool = True) -> list[tuple]:
    """(start, end, tense, negated, voice, subject, subject text) of each finite verb group.

    Without ``with_spans`` start, end and the subject are None (a corpus count does not need them).

    Only words that can start a group are visited: an auxiliary, or a word that could be a finite
    verb right after something that could be its subject (not after "to", which makes an
    infinitive). Every other word gives no group, so skipping them changes nothing. ``narrow``
    also skips the verb-like words the no-auxiliary branch is certain to pass over (see
    :func:`_starts`); a test checks that it never changes the groups.
    """
    words = _words(sentence)
    spans = None
    org_words = _organisation_words(organisation)
    groups: list[tuple] = []
    n = len(words)
    kinds = list(map(_KINDS.get, words, repeat(-1, n)))
    if -1 in kinds:
        kinds = [k if k >= 0 else _kind(w) for k, w in zip(kinds, words)]
    if org_words and org_words[-1] in words:  # the organisation's name is a subject, like a pronoun
        kinds = [k | _SUBJECT if w == org_words[-1] else k for k, w in zip(kinds, words)]
    starts = _starts(kinds, narrow)
    i = 0
    for i_start in starts:
        if i_start < i:
            continue
        i = i_start
        word = words[i]
        result = None  # (last index, tense, negated, voice)
        subject = None  # (kind, text), when a branch needed it
        if word in FUTURE or word in MODALS:
            j, negated = _skip(words, i + 1)
            voice, last = "active", (j if j < n and _is_verb_like(words[j]) else i)
            if j < n and words[j] in ("be", "have"):
                k, neg2 = _skip(words, j + 1)
                negated = negated or neg2
                if words[j] == "have" and k < n and words[k] == "been":
                    k += 1
                if k < n and (_is_ing(words[k]) or _is_participle(words[k])):
                    voice = "passive" if words[k - 1] in ("be", "been") and _is_participle(words[k]) else "active"
                    last = k
                else:
                    last = j
            result = (last, "future" if word in FUTURE else "modal", negated, voice)
        elif word in BE_PRESENT or word in BE_PAST:
            present = word in BE_PRESENT
            j, negated = _skip(words, i + 1)
            if j + 1 < n and words[j] == "going" and words[j + 1] == "to":
                result = (j + 1, "future", negated, "active")
            elif j < n and words[j] == "being" and j + 1 < n and _is_participle(words[j + 1]):
                result = (j + 1, "present progressive" if present else "past progressive", negated, "passive")
            elif j < n and _is_ing(words[j]) and words[j] not in ING_ADJECTIVES:
                result = (j, "present progressive" if present else "past progressive", negated, "active")
            elif j < n and _is_participle(words[j]):
                result = (j, "simple present" if present else "simple past", negated, "passive")
            else:
                result = (i if j == i + 1 else j - 1, "simple present" if present else "simple past", negated, "active")
        elif word in HAVE_PRESENT or word in HAVE_PAST:
            present = word in HAVE_PRESENT
            j, negated = _skip(words, i + 1)
            if j < n and words[j] == "to":
                result = (j, "modal", negated, "active")
            elif j < n and words[j] == "been":
                k, neg2 = _skip(words, j + 1)
                voice = "passive" if k < n and _is_participle(words[k]) and not _is_ing(words[k]) else "active"
                last = k if k < n and (_is_ing(words[k]) or _is_participle(words[k])) else j
                result = (last, "present perfect" if present else "past perfect", negated or neg2, voice)
            elif j < n and _is_participle(words[j]):
                result = (j, "present perfect" if present else "past perfect", negated, "active")
            elif (subject := _subject(words, kinds, i, org_words))[1] or i == 0:
                result = (i, "simple present" if present else "simple past", negated, "active")
        elif word in DO_PRESENT or word in DO_PAST:
            j, negated = _skip(words, i + 1)
            last = j if j < n and words[j] not in FUNCTION_WORDS else i
            result = (last, "simple present" if word in DO_PRESENT else "simple past", negated, "active")
        else:
            # a verb with no auxiliary, right after something that can be its subject (see ``starts``)
            subject = subject_kind, before = _subject(words, kinds, i, org_words)
            negated = not NEGATORS.isdisjoint(words[i - 2:i] if i >= 2 else words[:i])
            if not before or before in FUNCTION_WORDS or before in LINKING_VERBS or words[i - 1] in ("a", "an", "the"):
                pass
            elif _is_past(word) and not (i + 1 < n and words[i + 1] == "by"):
                result = (i, "simple past", negated, "active")
            elif subject_kind in ("I", "we", "organisation") or before in SUBJECT_PRONOUNS:
                result = (i, "simple present", negated, "active")
        if result is None:
            i += 1
            continue
        last, tense, negated, voice = result
        if not with_spans:  # a corpus count: no spans, and no subject unless a branch found it anyway
            groups.append((None, None, tense, negated, voice, None, None))
        else:
            subject_kind, subject_word = subject or _subject(words, kinds, i, org_words)
            if spans is None:
                spans = [(start, end) for _, start, end in tokens(sentence)]
            groups.append((offset + spans[i][0], offset + spans[last][1], tense, negated, voice, subject_kind, subject_word))
        i = last + 1
    return groups


# --------------------------------------------------------------------------- lexicon matches


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
    negated: bool  # a negator stands within three words before the hit (for non-negation rows)


def find_matches(text: str, lexicon: Lexicon, organisation: str = "", sentences: list[tuple[int, int]] | None = None,
                 fast: bool = True) -> list[Match]:
    """Every lexicon hit in ``text``, ordered by position then category.

    ``fast`` tries each row only where its literal starts occur (:class:`MatchIndex`); it never
    changes the result (tests check this against the alternations), only the time.
    """
    sentences = sentences if sentences is not None else split_sentences(text)
    starts = [s for s, _ in sentences]
    subcategories = lexicon.subcategories
    matchers = lexicon.matchers(organisation)
    hits = []
    for matcher, spans in zip(matchers, _category_spans(text, lexicon, organisation, fast)[0]):
        for start, end, row_id in spans:
            sentence = _sentence_index(starts, start)
            negated = matcher.category != "negation" and _negated_before(text, sentences[sentence][0] if sentences else 0, start)
            hits.append(Match(start, end, text[start:end], matcher.category, subcategories[row_id], row_id, sentence, negated))
    hits.sort(key=lambda m: (m.start, m.end, m.category))
    return hits


def _category_spans(text: str, lexicon: Lexicon, organisation: str, fast: bool = True
                    ) -> tuple[list[list[tuple[int, int, str]]], tuple[str, int] | None]:
    """Per category (in ``lexicon.categories`` order), (start, end, row id) of every match; and, when
    the fast path ran, the lower-cased text and its ``\\w+`` run count (for :func:`_word_count`).

    The fast path (:class:`MatchIndex` on the lower-cased text) where it finds what the
    alternations find; the alternations themselves otherwise.
    """
    lowered = text.lower()
    if fast and _lowered_is_equivalent(text, lowered):
        try:
            spans, runs = lexicon.match_index(organisation).spans(lowered)
            return spans, (lowered, runs)
        except _Fallback:
            pass
    return [matcher.spans(text) for matcher in lexicon.matchers(organisation)], None


# "u.s": one word for ``_WORD``, two ``\w+`` runs (written to start with the literal ".", which
# the regular-expression engine looks for quickly, instead of testing a class at every character)
_DOTTED = re.compile(r"\.(?<=[a-z]\.)[a-z]")
# "don't": one word for ``_WORD``, two ``\w+`` runs; an apostrophe (curly ones made straight) after
# a letter or digit and before letters that end their run ("a'b9" is two words, "a'b" and "9", as
# it is two runs), written to start with the literal "'" (see ``_DOTTED``)
_JOINED = re.compile(r"'(?<=[a-z0-9]')[a-z]+(?![a-z0-9])")
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")  # a word character outside ASCII ("é", "٣"): a run, not a ``_WORD``


def _word_count(text: str, scanned: tuple[str, int] | None) -> int:
    """``len(_WORD.findall(text))``, from the ``\\w+`` runs the fast path counted on the lower-cased
    text (``scanned``: that text and the count, from :func:`_category_spans`) where the two agree.

    Without underscores, dotted abbreviations and word characters outside ASCII (in ``text``: the
    Kelvin sign lower-cases to an ASCII "k"), every ``_WORD`` is a maximal run of ASCII letters
    and digits, which is exactly a ``\\w+`` run, or two runs joined by an apostrophe ("don't",
    "9's") when the letters after it end their run ("a'b9" is "a'b" and "9": still two). After a
    join the word ends, so an apostrophe right after a join's letters joins nothing: "rock'n'roll"
    is two words, "a'b'c'd" two with two joins. Tests compare the two counts on generated texts;
    otherwise the words are counted again.
    """
    if scanned is None:
        return len(_WORD.findall(text))
    lowered, runs = scanned
    if "_" in lowered or _DOTTED.search(lowered) or not (text.isascii() or _NON_ASCII_WORD.search(text) is None):
        return len(_WORD.findall(text))
    if "’" in lowered:
        lowered = lowered.replace("’", "'")
    if "'" in lowered:
        join_ended = -1  # where the last join's letters end
        for join in _JOINED.finditer(lowered):
            if join.start() != join_ended:
                runs -= 1
                join_ended = join.end()
    return runs


def _sentence_index(starts: list[int], position: int) -> int:
    index = 0
    for i, start in enumerate(starts):
        if start <= position:
            index = i
        else:
            break
    return index


_NEGATOR_WORDS = re.compile(r"\b(?:not|never|no|n't|cannot)\b|n't\b", re.IGNORECASE)


def _negated_before(text: str, sentence_start: int, position: int) -> bool:
    window = text[sentence_start:position].split()[-3:]
    return bool(_NEGATOR_WORDS.search(" ".join(window)))


# --------------------------------------------------------------------------- one text, many texts


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


def analyse_text(text: str, lexicon: Lexicon | None = None, organisation: str = "") -> Analysis:
    """Sentences, lexicon matches and verb groups of one text."""
    lexicon = lexicon or load_lexicon()
    sentences = split_sentences(text)
    groups = [g for start, end in sentences for g in verb_groups(text[start:end], organisation, offset=start)]
    return Analysis(text, sentences, find_matches(text, lexicon, organisation, sentences), groups, len(_WORD.findall(text)))


def analyse_corpus(texts: Iterable[str], lexicon: Lexicon | None = None, organisation: str = "") -> pd.DataFrame:
    """Counts per category, words, and the first verb group's tense for many texts (one row each).

    The same figures as :func:`analyse_text` gives for each text (a test checks this), without
    building the match and verb-group objects a corpus table does not show.
    """
    lexicon = lexicon or load_lexicon()
    categories = lexicon.categories
    counts: list[list[int]] = [[] for _ in categories]
    words, first_tense, negated, passive = [], [], [], []
    for text in texts:
        spans, scanned = _category_spans(text, lexicon, organisation)
        for column, found in zip(counts, spans):
            column.append(len(found))
        groups = [g for start, end in split_sentences(text) for g in _groups(text[start:end], organisation, start, with_spans=False)]
        words.append(_word_count(text, scanned))
        first_tense.append(groups[0][2] if groups else "")
        negated.append(sum(g[3] for g in groups))
        passive.append(sum(g[4] == "passive" for g in groups))
    columns = dict(zip(categories, counts))
    columns.update(words=words, first_tense=first_tense, negated_groups=negated, passive_groups=passive)
    return pd.DataFrame(columns, columns=[*categories, "words", "first_tense", "negated_groups", "passive_groups"])


def select_statements(case, statement_ids: Iterable[str] | None = None, speakers: Iterable[str] | None = None) -> pd.DataFrame:
    """Statements by id and/or speaker (all when both are empty); unknown names are an error."""
    statements = case.statements
    ids, names = list(statement_ids or []), list(speakers or [])
    unknown = [s for s in ids if s not in statements.index]
    if unknown:
        raise KeyError(f"unknown statement id(s) {unknown}; the case has: {', '.join(statements.index)}")
    unknown = [s for s in names if s not in set(statements["speaker"])]
    if unknown:
        raise KeyError(f"unknown speaker(s) {unknown}; the case has: {', '.join(dict.fromkeys(statements['speaker']))}")
    from .tables import timeline_order

    mask = pd.Series(not (ids or names), index=statements.index)
    if ids:
        mask |= statements.index.isin(ids)
    if names:
        mask |= statements["speaker"].isin(names)
    return timeline_order(statements[mask])


def compare_statements(case, statement_ids=None, speakers=None, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """One row per statement: words, matches per 100 words by category, and the grammar profile."""
    lexicon = lexicon or load_lexicon()
    chosen = select_statements(case, statement_ids, speakers)
    rows = []
    for sid, statement in chosen.iterrows():
        analysis = analyse_text(statement["text"], lexicon, case.organisation)
        counts = analysis.counts(lexicon.categories)
        row = {"statement": sid, "speaker": statement["speaker"], "audience": statement["audience"], "status": statement["text_status"], "words": analysis.words}
        row.update({f"{c} per 100 words": round(100 * n / analysis.words, 1) if analysis.words else 0.0 for c, n in counts.items()})
        tenses = [g.tense for g in analysis.groups]
        row["tenses"] = ", ".join(dict.fromkeys(tenses)) or "none found"
        row["negated verbs"] = sum(g.negated for g in analysis.groups)
        row["passive verbs"] = sum(g.voice == "passive" for g in analysis.groups)
        row["subjects"] = ", ".join(f"{k} {v}" for k, v in pd.Series([g.subject for g in analysis.groups], dtype="object").value_counts().items()) or "none found"
        rows.append(row)
    return pd.DataFrame(rows).set_index("statement") if rows else pd.DataFrame()


def count_table(case, statement_ids=None, speakers=None, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Raw match counts per category and statement (rates hide how few words some texts have)."""
    lexicon = lexicon or load_lexicon()
    chosen = select_statements(case, statement_ids, speakers)
    data = {sid: analyse_text(st["text"], lexicon, case.organisation).counts(lexicon.categories) for sid, st in chosen.iterrows()}
    table = pd.DataFrame(data).T
    table.index.name = "statement"
    return table


def organisation_statement_ids(case) -> list[str]:
    """The organisation's own statements in the speakers' words (paraphrases left out), in time order."""
    from .tables import timeline_order

    own = timeline_order(case.statements)
    own = own[(own["organisation"] == case.organisation) & (own["text_status"] != "paraphrase")]
    return list(own.index)


def check_statement_parameters(case, **named) -> None:
    """Statement ids and speakers passed as notebook parameters must exist in the case."""
    from .errors import ParameterError, did_you_mean

    for name, values in named.items():
        values = [values] if isinstance(values, str) else list(values or [])
        known = list(dict.fromkeys(case.statements.index if "speaker" not in name else case.statements["speaker"]))
        unknown = [v for v in values if v and v not in set(known)]
        if unknown:
            kind = "speaker" if "speaker" in name else "statement id"
            hint = did_you_mean(unknown[0], known)
            raise ParameterError(f"parameter {name!r}: unknown {kind} {unknown[0]!r}{hint}; the case has: {', '.join(known)}")


def lexicon_summary(lexicon: Lexicon) -> pd.DataFrame:
    """Rows per category with a few of their patterns, for a first look at the lexicon."""
    rows = lexicon.rows
    table = rows.groupby("category", sort=False).agg(
        rows=("pattern", "size"),
        subcategories=("subcategory", lambda s: ", ".join(dict.fromkeys(s))),
        sources=("source", lambda s: "; ".join(sorted({re.sub(r"\).*", ")", x) for x in s}))),
    )
    return table


def first_press_statement(case) -> str:
    """The organisation's verbatim statement to the press or public that certainly came first.

    "Certainly first" is the earliest *latest possible* time: a statement known only to lie
    somewhere in two days does not count as first because its interval starts early.
    """
    statements = case.statements
    own = statements[(statements["organisation"] == case.organisation) & statements["end"].notna()]
    for statuses in (("verbatim",), ("verbatim", "fragment")):
        chosen = own[own["audience"].isin(("press", "public")) & own["text_status"].isin(statuses)]
        if len(chosen):
            return chosen.assign(_id=chosen.index).sort_values(["end", "start", "_id"]).index[0]
    return organisation_statement_ids(case)[0] if organisation_statement_ids(case) else statements.index[0]
