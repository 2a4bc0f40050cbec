"""A drafted statement against the case record: which claims it speaks to, and where it goes against the record.

The holding-statement rubric's accuracy pre-check. It reads a draft with the case's own reading of
the real statements: each claim (``claims.csv``) comes with *templates*, the claim's proposition
(which affirms it) and the words that carried each stance on it (``stances.csv``, evidence). The
method is plain enough to state, and to get wrong in known ways:

1. Words are compared as crude stems ("signed", "signing" -> "sign"), after the equivalents in
   ``coursework/rubrics/equivalents.csv`` ("deal", "order" -> "contract"; "had any" -> "exist";
   "cancelled", "terminated" -> "end"). A word ``un...ed`` counts as a negation of the rest
   ("unrepaired": not repaired). The organisation's own name is not counted: it stands in nearly
   every sentence of the case.
2. A draft sentence **speaks to** a claim through a template when the two share at least two
   words, one of them a *key* word: distinctive of the claim (a word of its proposition that no
   other claim's proposition has, or of a literal stance on it that no template of another claim
   has) and carrying what the template asserts (a main verb, or the words after a copula or after
   "decided to"): "existed" for a claim that a contract existed, "terminated" for one that it was
   terminated. Numbers, months and days are never key words.
3. Its **stance** is the template's when both or neither are negated (a negator such as "not",
   "never", "no", "nothing" in the clause before the last key word) and the opposite when one
   is; the mode is the template's (a proposition or a literal stance: literal; an implied one:
   implied, and only with the template's own polarity). The template sharing most words decides.
4. A stance goes **against the record** when it denies a claim the record supports or affirms
   one it contradicts. It goes **beyond the record** when it settles, literally, a claim the record
   leaves open, in a sentence with no hedge, no future or modal verb and no word that says the
   matter is still under way ("until", "yet", "still", "steps").

A claim after a verb of saying ("we said that it had passed") is taken as reported, not asserted,
and skipped. What it cannot see: a claim put in words none of its templates use, irony, a negation
that scopes over something other than the claim, an assertion made through a report. It points
the instructor to sentences; the instructor's rows decide, and the review step can overrule it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from ..case import Case
from ..paths import COURSEWORK_DIR
from ..wording import analyse_text, load_lexicon, split_sentences

EQUIVALENTS_FILE = COURSEWORK_DIR / "rubrics" / "equivalents.csv"
STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are as at be because been before being between both but by can
could did do does doing down during each few for from further had has have having he her here hers him his how i if in into
is it its itself just me more most my of off on once only or other our ours out over own same she should so some such than
that the their theirs them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yet still ourselves us one
""".split()
)
NEGATORS = frozenset({"not", "never", "no", "n't", "nothing", "none", "neither", "nor", "cannot", "without", "nobody"})
#: Words that say a matter is still under way: a sentence holding one does not settle an open claim.
UNDER_WAY = frozenset({"until", "yet", "still", "steps", "step", "pending", "process", "working", "reviewing", "whether"})
#: A verb that reports what someone said: a claim after it in the sentence is reported, not asserted ("we said that it had passed").
_REPORTED = re.compile(
    r"\b(?:said|says|told|tells|claimed|claims|stated|states|wrote|announced|suggested|implied)\b", re.IGNORECASE
)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+")
_CLAUSE = re.compile(r"[;:—–]|\bbut\b|,\s+(?:and|or)\b|\band\s+(?=there\b)| - ", re.IGNORECASE)
_ENDINGS = ("ations", "ation", "ings", "ing", "ed", "ies", "es", "s", "ly")


@lru_cache(maxsize=1)
def equivalents() -> dict[str, str]:
    """``coursework/rubrics/equivalents.csv``: word -> the word it counts as."""
    with EQUIVALENTS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["word"].strip().lower(): row["stands_for"].strip().lower() for row in csv.DictReader(handle)}


def stem(word: str) -> str:
    """A crude stem after the equivalents: lower case, possessive and common endings off."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s$", "", word)
    if word in equivalents():
        return equivalents()[word]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4 and not (ending == "s" and word.endswith("ss")):
            word = word[: -len(ending)] + ("y" if ending == "ies" else "")
            break
    return equivalents().get(word, word)


@dataclass(frozen=True)
class Token:
    stem: str
    position: int
    negation: bool  # a negator, or an un...ed word (which is also a content word)


#: "had" stands for "exist" only as a main verb of possession: before one of these ("never had any contract").
DETERMINERS = frozenset(
    {"a", "an", "any", "no", "the", "this", "that", "these", "those", "our", "its", "their", "one", "some", "such"}
)
POSSESSION = frozenset({"had", "has", "have", "having"})


def tokens(text: str) -> list[Token]:
    """Content words and negators of ``text``, in order."""
    found = []
    matches = list(_TOKEN.finditer(text))
    for index, match in enumerate(matches):
        word = match.group().lower().replace("’", "'")
        following = matches[index + 1].group().lower() if index + 1 < len(matches) else ""
        if word in POSSESSION:
            if following in DETERMINERS:
                found.append(Token(equivalents().get(word, word), match.start(), False))
        elif word in NEGATORS or word.endswith("n't"):
            found.append(Token("", match.start(), True))
        elif word in equivalents():
            found.append(Token(equivalents()[word], match.start(), False))
        elif word.startswith("un") and word.endswith("ed") and len(word) >= 7:
            found.append(Token(stem(word[2:]), match.start(), True))
        elif word not in STOPWORDS and len(word) > 1:
            found.append(Token(stem(word), match.start(), False))
    return found


def _negated(text: str, found: list[Token], last: int) -> bool:
    """A negation in the clause of ``text`` that holds position ``last``, at or before it."""
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, last)), default=0)
    return any(t.negation and clause_start <= t.position <= last for t in found)


@dataclass(frozen=True)
class Template:
    """Words that take a known stance on a claim: its proposition, or a stance's evidence."""

    claim: str
    stance: str  # affirms | denies
    mode: str  # literal | implied
    text: str
    words: frozenset[str]
    predicates: frozenset[str]
    tokens: tuple[Token, ...]

    def negated_at(self, keys: set[str]) -> bool:
        last = max(t.position for t in self.tokens if t.stem in keys)
        return _negated(self.text, list(self.tokens), last)


AUXILIARIES = frozenset(
    {
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "to",
    }
)


def _predicates(text: str, lexicon) -> set[str]:
    """The words that carry what ``text`` says: main verbs, and what follows a copula or "decided to"."""
    groups = analyse_text(text, lexicon).groups
    if not groups:  # a verbless fragment ("its only pending contract"): every word carries it
        return {t.stem for t in tokens(text) if t.stem}
    found = set()
    for group in groups:
        main = [w for w in _TOKEN.findall(group.text) if w.lower() not in AUXILIARIES and w.lower() not in NEGATORS]
        found.update(t.stem for t in tokens(" ".join(main)) if t.stem)
        rest = text[group.end :]
        following = [t.stem for t in tokens(rest) if t.stem]
        if not main:  # a copula or an auxiliary alone ("was a direct party"): the next words carry the claim
            found.update(following[:3])
        elif re.match(r"\s+(?:not\s+)?to\s+\w", rest):  # "decided to withdraw": the verb after "to"
            found.update(following[:1])
    return found


def _template(claim: str, stance: str, mode: str, text: str, drop: frozenset[str], lexicon) -> Template:
    found = tuple(t for t in tokens(text) if t.stem not in drop)
    words = frozenset(t.stem for t in found if t.stem)
    return Template(claim, stance, mode, text, words, frozenset(_predicates(text, lexicon) & words), found)


@dataclass(frozen=True)
class Reading:
    """The templates of every claim, and each claim's distinctive words (step 2)."""

    templates: tuple[Template, ...]
    distinctive: dict[str, frozenset[str]]


@lru_cache(maxsize=8)
def _reading_cached(key: tuple) -> Reading:
    organisation, claims, stances = key
    drop = frozenset(stem(w) for w in _TOKEN.findall(organisation))  # in nearly every sentence of the case
    lexicon = load_lexicon()
    every = [_template(claim, "affirms", "literal", proposition, drop, lexicon) for claim, proposition in claims]
    every += [_template(claim, stance, mode, evidence, drop, lexicon) for claim, stance, mode, evidence in stances]
    distinctive = {}
    for claim, _ in claims:
        propositions_elsewhere = set().union(*(t.words for t in every[: len(claims)] if t.claim != claim))
        templates_elsewhere = set().union(*(t.words for t in every if t.claim != claim))
        own = next(t for t in every[: len(claims)] if t.claim == claim).words - propositions_elsewhere
        literal = (
            set().union(*(t.words for t in every[len(claims) :] if t.claim == claim and t.mode == "literal"))
            - templates_elsewhere
        )
        distinctive[claim] = frozenset(w for w in own | literal if not _is_date_or_number(w))
    return Reading(tuple(every), distinctive)


NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand".split())
CALENDAR = frozenset(
    stem(w)
    for w in """january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday day week month year today yesterday tomorrow""".split()
)


def _is_date_or_number(word: str) -> bool:
    """Numbers, number words, months and days: shared by any two statements about the same week, so never distinctive."""
    return word[:1].isdigit() or word in NUMBER_WORDS or word in CALENDAR


def reading(case: Case) -> Reading:
    """Every claim's templates and distinctive words, cached on the case data they are built from."""
    claims = tuple(zip(case.claims.index, case.claims["proposition"]))
    stances = tuple(zip(case.stances["claim_id"], case.stances["stance"], case.stances["mode"], case.stances["evidence"]))
    return _reading_cached((case.organisation, claims, stances))


@dataclass(frozen=True)
class DraftStance:
    """One sentence of a draft speaking to one claim, as the method reads it."""

    claim: str
    stance: str  # affirms | denies
    mode: str  # literal | implied
    sentence: str
    words: tuple[str, ...]  # the words it shares with the template that decided
    template: str  # that template's text
    record: str  # supported | contradicted | unknown
    settles: bool  # no hedge, future or modal verb, or word saying the matter is under way

    @property
    def against_record(self) -> bool:
        return (self.record == "supported" and self.stance == "denies") or (
            self.record == "contradicted" and self.stance == "affirms"
        )

    @property
    def beyond_record(self) -> bool:
        return self.record == "unknown" and self.mode == "literal" and self.settles

    def describe(self) -> str:
        said = (
            {"affirms": "says", "denies": "denies"}[self.stance]
            if self.mode == "literal"
            else {"affirms": "implies", "denies": "implies the opposite of"}[self.stance]
        )
        return f'"{self.sentence}" {said} the claim {self.claim!r} (record: {self.record})'


def _settles(sentence: str, lexicon, organisation: str) -> bool:
    analysis = analyse_text(sentence, lexicon, organisation)
    if any(m.category == "hedge" for m in analysis.matches) or any(g.tense in ("future", "modal") for g in analysis.groups):
        return False
    return not ({w.lower() for w in _TOKEN.findall(sentence)} & UNDER_WAY)


def draft_stances(case: Case, text: str) -> list[DraftStance]:
    """Every (sentence, claim) the draft speaks to, with the stance the method reads (steps 2-4)."""
    lexicon = load_lexicon()
    read = reading(case)
    found_stances = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        found = tokens(sentence)
        best: dict[str, tuple[int, Template, list[Token], bool]] = {}
        for template in read.templates:
            shared = [t for t in found if t.stem in template.words]
            distinct = {t.stem for t in shared}
            keys = distinct & read.distinctive[template.claim] & template.predicates
            if len(distinct) < 2 or not keys:
                continue
            key_position = max(t.position for t in shared if t.stem in keys)
            if _REPORTED.search(sentence, 0, key_position):
                continue  # reported speech: the draft says what was said, not that it is so
            negated = _negated(sentence, found, key_position)
            if template.mode == "implied" and negated != template.negated_at(keys):
                continue  # an implicature rides on the wording itself: the opposite polarity does not carry it
            if template.claim not in best or len(distinct) > best[template.claim][0]:
                best[template.claim] = (len(distinct), template, shared, negated != template.negated_at(keys))
        for claim, (_, template, shared, flipped) in best.items():
            stance = ("denies" if template.stance == "affirms" else "affirms") if flipped else template.stance
            found_stances.append(
                DraftStance(
                    claim,
                    stance,
                    template.mode,
                    sentence.strip(),
                    tuple(sorted({t.stem for t in shared})),
                    template.text,
                    case.claims.loc[claim, "record"],
                    _settles(sentence, lexicon, case.organisation),
                )
            )
    return found_stances
