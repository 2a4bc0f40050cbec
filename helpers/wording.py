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
from dataclasses import dataclass, field
from functools import lru_cache
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
    under one shared ``\\b``). ``fast`` is the same alternation lower-cased, without capturing
    groups and without IGNORECASE, run on the lower-cased text; the row that fired is then found
    by trying the rows, in the same order, at the match's start. Capturing groups and
    case-folding cost the regex engine about two thirds of its time on tweet-length texts.
    """

    category: str
    row_ids: tuple[str, ...]  # in the order the alternation tries them
    exact: re.Pattern
    fast: re.Pattern
    row_patterns: tuple[re.Pattern, ...]  # lower-cased, same order as row_ids
    triggers: tuple[str, ...] | None  # literal starts; None: some row has no known start

    @classmethod
    def build(cls, category: str, rows: pd.DataFrame, organisation: str) -> "CategoryMatcher":
        sources = {row_id: _regex_source(p, t, organisation) for row_id, p, t in zip(rows.index, rows["pattern"], rows["pattern_type"])}
        anchored = [r for r, source in sources.items() if source.startswith(r"\b")]
        order = anchored + [r for r in sources if r not in anchored]
        named = [f"(?P<r{i}>{sources[r]})" for i, r in enumerate(order)]
        lowered = [_lower_pattern(sources[r]) for r in order]
        parts_exact = ([r"\b(?:" + "|".join(named[: len(anchored)]) + ")"] if anchored else []) + named[len(anchored):]
        parts_fast = ([r"\b(?:" + "|".join(x[2:] for x in lowered[: len(anchored)]) + ")"] if anchored else []) + lowered[len(anchored):]
        prefixes = [_literal_prefixes(sources[r]) for r in order]
        return cls(
            category=category,
            row_ids=tuple(order),
            exact=re.compile("|".join(parts_exact), re.IGNORECASE),
            fast=re.compile("|".join(parts_fast)),
            row_patterns=tuple(re.compile(x) for x in lowered),
            triggers=None if any(p is None for p in prefixes) else tuple(x for p in prefixes for x in p),
        )

    def spans(self, text: str, lowered: str | None) -> list[tuple[int, int, str]]:
        """(start, end, row id) of every match, as the exact pattern finds them."""
        if lowered is None:
            return [(m.start(), m.end(), self.row_ids[int(m.lastgroup[1:])]) for m in self.exact.finditer(text)]
        found = []
        for match in self.fast.finditer(lowered):
            start, end = match.span()
            for row_id, pattern in zip(self.row_ids, self.row_patterns):
                hit = pattern.match(lowered, start)
                if hit is not None and hit.end() == end:
                    found.append((start, end, row_id))
                    break
            else:  # pragma: no cover - the alternation and its rows always agree
                return self.spans(text, None)
        return found


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


_META = set("\\()[]{}?*+.^$|")


def _literal_prefixes(source: str) -> tuple[str, ...] | None:
    """Lower-case literal starts that every match of ``source`` begins with, or None if unknown.

    Handles the shapes lexicon rows take (``\\bword...`` and ``\\b(?:one|two ...)...``); anything
    else returns None and the row is always searched. Used only to skip hopeless regex scans.
    """
    body = source[2:] if source.startswith(r"\b") else source
    if body.startswith("(?:"):
        depth, end = 0, None
        for index, char in enumerate(body):
            if char == "\\":
                continue
            if char == "(" and (index == 0 or body[index - 1] != "\\"):
                depth += 1
            elif char == ")" and body[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    end = index
                    break
        if end is None or any(c in body[3:end] for c in "()") or body[end + 1: end + 2] in ("?", "*", "{") or "|" in body[end:]:
            return None
        alternatives = body[3:end].split("|")
    elif "|" in body:
        return None
    else:
        alternatives = [body]
    prefixes = []
    for alternative in alternatives:
        prefix = ""
        for index, char in enumerate(alternative):
            if char in _META or char.isspace():
                break
            if index + 1 < len(alternative) and alternative[index + 1] in "?*{":
                break  # an optional last character is not part of every match
            prefix += char
        if not prefix:
            return None
        prefixes.append(prefix.lower())
    return tuple(prefixes)


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
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
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
            continue
        word = word.replace("’", "'")
        if word in _CONTRACTIONS:
            first, second = _CONTRACTIONS[word]
            out.append((first, match.start(), match.end()))
            out.append((second, match.start(), match.end()))
        elif word.endswith("n't") and len(word) > 3:
            out.append((word[:-3], match.start(), match.end()))
            out.append(("not", match.start(), match.end()))
        else:
            out.append((word, match.start(), match.end()))
    return out


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


def _subject(words: list[str], spans, i: int, org_words: tuple[str, ...]) -> tuple[str, str]:
    """Kind and text of the subject just before word ``i`` (skipping adverbs and a dash aside)."""
    j = i - 1
    while j >= 0:
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
    if org_words and tuple(words[max(0, j - len(org_words) + 1): j + 1]) == org_words:
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
    toks = tokens(sentence)
    words = [t[0] for t in toks]
    org_words = _organisation_words(organisation)
    groups: list[VerbGroup] = []
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        result = None  # (last index, tense, negated, voice)
        if i > 0 and words[i - 1] == "to":
            pass  # an infinitive ("to do business") is not a finite verb
        elif word in FUTURE or word in MODALS:
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
            elif _subject(words, toks, i, org_words)[1] or i == 0:
                result = (i, "simple present" if present else "simple past", negated, "active")
        elif word in DO_PRESENT or word in DO_PAST:
            j, negated = _skip(words, i + 1)
            last = j if j < n and words[j] not in FUNCTION_WORDS else i
            result = (last, "simple present" if word in DO_PRESENT else "simple past", negated, "active")
        elif i > 0 and (words[i - 1] not in FUNCTION_WORDS or words[i - 1] in DASHES) and _is_verb_like(word):
            # a verb with no auxiliary: only right after something that can be its subject
            subject_kind, before = _subject(words, toks, i, org_words)
            negated = any(w in NEGATORS for w in words[max(0, i - 2):i])
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
        subject_kind, subject_word = _subject(words, toks, i, org_words)
        start, end = toks[i][1], toks[last][2]
        groups.append(VerbGroup(offset + start, offset + end, sentence[start:end], tense, negated, voice, subject_kind, subject_word))
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

    ``fast`` skips a category when none of its rows' literal starts occurs in the text and runs
    the lower-cased patterns; it never changes the result (a test checks this), only the time.
    """
    sentences = sentences if sentences is not None else split_sentences(text)
    starts = [s for s, _ in sentences]
    subcategories = lexicon.subcategories
    hits = []
    lowered = text.lower()
    # lower-casing some characters (e.g. "İ") changes the text's length, and spans with it
    fast_text = lowered if fast and len(lowered) == len(text) else None
    for matcher in lexicon.matchers(organisation):
        if fast and matcher.triggers is not None and not any(t in lowered for t in matcher.triggers):
            continue  # no row of this category can match: skip the regex scan
        for start, end, row_id in matcher.spans(text, fast_text):
            sentence = _sentence_index(starts, start)
            negated = matcher.category != "negation" and _negated_before(text, sentences[sentence][0] if sentences else 0, start)
            hits.append(Match(start, end, text[start:end], matcher.category, subcategories[row_id], row_id, sentence, negated))
    hits.sort(key=lambda m: (m.start, m.end, m.category))
    return hits


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
    """Counts per category, words, and the first verb group's tense for many texts (one row each)."""
    lexicon = lexicon or load_lexicon()
    categories = lexicon.categories
    rows = []
    for text in texts:
        analysis = analyse_text(text, lexicon, organisation)
        row = analysis.counts(categories)
        first = analysis.groups[0] if analysis.groups else None
        row.update(words=analysis.words, first_tense=first.tense if first else "", negated_groups=sum(g.negated for g in analysis.groups),
                   passive_groups=sum(g.voice == "passive" for g in analysis.groups))
        rows.append(row)
    return pd.DataFrame(rows, columns=[*categories, "words", "first_tense", "negated_groups", "passive_groups"])


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
