"""Tokens and sentences: how the wording analysis cuts a text into the pieces it counts.

Three definitions, each one regular expression or one loop a reader can check by hand:

* a **sentence** ends at ``.``, ``!``, ``?`` or ``…`` followed by white space and a capital letter
  or a digit, unless the full stop closes an abbreviation ("U.S.", "Inc.") or a single letter;
* a **token** is a run of letters (with one apostrophe inside: "don't"), a number ("1,000"), a dash,
  or one other character that is not white space; words joined by hyphens or underscores with no
  space ("three-year", "northsound-app") and a handle ("@northsound") are one token each; tokens are
  lower-cased, and contractions are split into the words they stand for ("won't" -> "will",
  "not"; "cannot" -> "can", "not");
* a **word**, for rates per 100 words, is a run of letters and digits (with one apostrophe inside),
  or a dotted abbreviation: "U.S." is one word, "don't" is one word.

Tokens feed the grammar (``helpers.grammar``); words are what rates are divided by. They differ on
purpose: the grammar needs "don't" as two words, a reader counting words sees one.
"""

from __future__ import annotations

import re

# fmt: off
ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "mr", "mrs", "ms", "dr", "st",
    "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "md", "d.c", "a.m", "p.m", "prof", "gen", "gov", "sen", "rep",
}
# fmt: on

# The end of a sentence: its closing marks and quotes or brackets, where white space and a
# capital letter or a digit (perhaps after an opening quote or bracket) follow.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")  # the word a full stop closes ("U.S", "Inc")

_TOKEN = re.compile(r"@\w+|[A-Za-z]+(?:[-_][A-Za-z0-9]+)+|[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*|[—–]|--|[^\sA-Za-z\d]")
_WORD = re.compile(r"[A-Za-z](?:\.[A-Za-z])+\.?|[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# Tokens that stand for two words (apostrophes made straight first; "cannot" has none). Any other "...n't" is split
# as verb + "not" ("isn't", "didn't").
# fmt: off
SPLIT_WORDS = {
    "i'm": ("i", "am"), "we're": ("we", "are"), "you're": ("you", "are"), "they're": ("they", "are"),
    "it's": ("it", "is"), "that's": ("that", "is"), "he's": ("he", "is"), "she's": ("she", "is"),
    "i've": ("i", "have"), "we've": ("we", "have"), "they've": ("they", "have"), "you've": ("you", "have"),
    "i'll": ("i", "will"), "we'll": ("we", "will"), "it'll": ("it", "will"), "they'll": ("they", "will"),
    "i'd": ("i", "would"), "we'd": ("we", "would"), "won't": ("will", "not"), "can't": ("can", "not"),
    "shan't": ("shall", "not"), "cannot": ("can", "not"),
}
# fmt: on


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; abbreviations such as "U.S." do not end one."""
    spans, start = [], 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group(0)[0] == ".":
            before = _WORD_BEFORE.search(text, max(0, boundary.start() - 12), boundary.start() + 1)
            word = before.group(1).rstrip(".").lower() if before else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        end = boundary.end()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased tokens with their character spans; a split token's words share its span."""
    out = []
    for token in _TOKEN.finditer(text):
        for word in split_token(token.group(0).lower()):
            out.append((word, token.start(), token.end()))
    return out


def split_token(token: str) -> tuple[str, ...]:
    """The words a lower-cased token stands for: ``"won't"`` -> ``("will", "not")``, most -> itself."""
    token = token.replace("’", "'")
    if token in SPLIT_WORDS:
        return SPLIT_WORDS[token]
    if token.endswith("n't") and len(token) > 3:
        return (token[:-3], "not")
    return (token,)


def count_words(text: str) -> int:
    """How many words ``text`` has, as a reader would count them ("U.S." and "don't" are one each)."""
    return len(_WORD.findall(text))
