"""The grammar of a claim: finite verb groups, their tense and aspect, negation, voice and subject.

A small set of rules, no trained model, so every answer can be traced to a rule below. The
sentence is cut into tokens (``helpers.text.tokens``) and read left to right. A verb group starts

* at an auxiliary (a form of *be*, *have* or *do*, *will* / *shall*, or a modal such as *can*),
  unless "to" stands before it ("to be" is an infinitive, not a finite verb), or
* at a word that could be a verb with no auxiliary ("We **regret**", "Northsound **made**"), when
  a word stands before it that could be its subject (not "the", "of", a comma, ...).

From its first word, the rules read on over adverbs and negators ("is **not** entering") to the
main verb, and say:

* **tense and aspect**: simple present / past, present / past progressive, present / past perfect,
  future (*will*, *shall*, *going to*), or modal;
* **negated**: a negator ("not", "n't", "never", "no longer"; "cannot" is read as "can not")
  stands inside the group or before a verb that has no auxiliary ("we **never** signed"), or a
  negative determiner or pronoun carries the negation: it opens the subject ("**No** contract has
  been signed", "**Nothing** has changed") or stands right after the group ("There is **no**
  contract", "We said **nothing**");
* **voice**: passive when a form of *be* is followed by a past participle ("was **made**");
* **subject**: the word before the group (over adverbs and a dash or bracketed aside), read as
  "I", "we", the organisation (its name), or "other".

The rules miss what they cannot see: a verb with no auxiliary after a noun ("The reseller holds
the contract"), adjectives ending in *-ing* that are not listed, a subject far from its verb,
negation by "neither ... nor" or inside a longer subject ("None of the staff knew"). The
labelled set in ``tests/data/wording-labelled.csv`` measures how often they are right.

"Negated" here is the grammar's: the lexicon's *negation* category (``helpers.lexicon``) also
counts what negates without negating a finite verb: a denial verb ("We deny the report") and a
negated infinitive ("decided **not** to proceed", whose finite verb "decided" is not negated).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .text import tokens

# fmt: off
TENSES = (
    "present progressive", "past progressive", "present perfect", "past perfect",
    "simple present", "simple past", "future", "modal",
)
# fmt: on
SUBJECTS = ("I", "we", "organisation", "other")

BE_PRESENT = {"am", "is", "are"}
BE_PAST = {"was", "were"}
HAVE_PRESENT = {"have", "has"}
HAVE_PAST = {"had"}
DO_PRESENT = {"do", "does"}
DO_PAST = {"did"}
FUTURE = {"will", "shall"}
MODALS = {"can", "could", "may", "might", "must", "should", "would"}
AUXILIARIES = BE_PRESENT | BE_PAST | HAVE_PRESENT | HAVE_PAST | DO_PRESENT | DO_PAST | FUTURE | MODALS
NEGATORS = {"not", "never", "n't"}  # and "no longer", two words (see _no_longer)
NEGATIVE_PRONOUNS = {"nothing", "nobody", "none", "neither"}
# Every word that negates, for a lexicon match's "negated" flag (helpers.lexicon): the negators,
# the determiner "no", the negative pronouns.
NEGATIVE_WORDS = NEGATORS | {"no"} | NEGATIVE_PRONOUNS
SKIPPABLE = {
    "also",
    "still",
    "just",
    "now",
    "then",
    "already",
    "always",
    "even",
    "ever",
    "yet",
    "only",
    "really",
    "all",
    "both",
    "therefore",
    "however",
    "indeed",
}
ASIDE_CLOSERS = {"—", "–", "--", "-", ")"}  # a dash or bracket that may close an aside between subject and verb
ASIDE_OPENERS = {"—", "–", "--", "-", "("}
SUBJECT_PRONOUNS = {"i", "we", "you", "they", "he", "she", "it"}
# fmt: off
FUNCTION_WORDS = {
    "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "their", "his", "her", "its",
    "to", "of", "in", "on", "at", "by", "for", "with", "from", "into", "about", "as", "and", "or", "but",
    "if", "than", "so", "very", "more", "most", "not", "no", "be", "been", "being", ",", "(", "—", "–", "-",
}
# fmt: on
# fmt: off
IRREGULAR_PAST = {
    "made", "did", "took", "gave", "saw", "knew", "told", "said", "went", "heard", "found", "got", "brought",
    "bought", "thought", "sent", "spent", "built", "held", "kept", "left", "lost", "meant", "met", "paid",
    "ran", "sold", "stood", "understood", "won", "wrote", "chose", "began", "broke", "drove", "fell", "forgot",
    "rose", "spoke", "stole", "came", "became", "felt", "led", "let", "cut", "spread", "put", "set", "read", "hurt",
}
# fmt: on
# fmt: off
IRREGULAR_PARTICIPLES = {
    "made", "done", "taken", "given", "seen", "known", "shown", "told", "said", "gone", "had", "heard", "found",
    "got", "gotten", "brought", "bought", "thought", "sent", "spent", "built", "held", "kept", "left", "lost",
    "meant", "met", "paid", "put", "read", "run", "set", "sold", "stood", "understood", "won", "written", "chosen",
    "begun", "broken", "driven", "fallen", "forgotten", "hidden", "spoken", "stolen", "come", "become", "felt",
    "led", "let", "cut", "hit", "hurt", "shut", "spread", "struck",
}
# fmt: on
# fmt: off
NOT_ING_VERBS = {"thing", "nothing", "something", "anything", "everything", "morning", "evening", "during", "king",
                 "ring", "bring", "sing", "spring", "string", "wing", "swing", "sting", "ceiling", "interesting"}
# fmt: on
NOT_ED_VERBS = {"need", "speed", "seed", "feed", "bed", "red", "shed", "hundred", "indeed", "bled", "sled", "wed"}
# fmt: off
ING_ADJECTIVES = {
    "disappointing", "devastating", "heartbreaking", "interesting", "concerning", "exciting", "surprising",
    "disturbing", "troubling", "amazing", "outstanding", "misleading", "ongoing", "upcoming", "pending",
    "existing", "following", "remaining", "leading", "growing", "damning", "shocking", "worrying",
}
# fmt: on
LINKING_VERBS = {
    "get",
    "gets",
    "got",
    "getting",
    "become",
    "becomes",
    "became",
    "seem",
    "seems",
    "seemed",
    "look",
    "looks",
    "feel",
    "feels",
}


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


# --------------------------------------------------------------------------- what a word can be


def _is_adverb(word: str) -> bool:
    """An adverb or negator the rules read over ("also", "not", "clearly")."""
    return word in SKIPPABLE or word in NEGATORS or (word.endswith("ly") and len(word) > 4)


def _is_ing(word: str) -> bool:
    return len(word) > 4 and word.endswith("ing") and word not in NOT_ING_VERBS


def _is_participle(word: str) -> bool:
    return word in IRREGULAR_PARTICIPLES or (len(word) > 3 and word.endswith("ed") and word not in NOT_ED_VERBS)


def _is_past(word: str) -> bool:
    return word in IRREGULAR_PAST or (len(word) > 3 and word.endswith("ed") and word not in NOT_ED_VERBS)


def _is_verb_like(word: str) -> bool:
    """Could be a finite verb: a word, not a function word, not an adverb, not an -ing form."""
    return word.isalpha() and word not in FUNCTION_WORDS and not _is_adverb(word) and not _is_ing(word)


def _no_longer(words: list[str], i: int) -> bool:
    """Whether words ``i`` and ``i + 1`` are "no longer", a negator like "not" ("I am no longer employed")."""
    return words[i] == "no" and i + 1 < len(words) and words[i + 1] == "longer"


def _can_start(words: list[str], i: int) -> bool:
    """Whether a verb group can start at word ``i`` (see the module's docstring)."""
    word = words[i]
    if word in AUXILIARIES:
        return i == 0 or words[i - 1] != "to"
    before = words[i - 1] if i > 0 else None
    return before is not None and _is_verb_like(word) and not (before in FUNCTION_WORDS and before not in ASIDE_CLOSERS)


# --------------------------------------------------------------------------- reading a group


def _skip(words: list[str], i: int) -> tuple[int, bool]:
    """Index of the next word that is not an adverb or negator, and whether a negator was passed."""
    negated = False
    while i < len(words):
        if _is_adverb(words[i]):
            negated = negated or words[i] in NEGATORS
            i += 1
        elif _no_longer(words, i):
            negated, i = True, i + 2
        else:
            break
    return i, negated


def _subject_index(words: list[str], i: int) -> int:
    """Where the subject of a verb at word ``i`` ends: the word before it, over adverbs, negators,
    commas and a dash or bracketed aside (-1: nothing stands before it)."""
    j = i - 1
    while j >= 0:
        if _is_adverb(words[j]) or words[j] == ",":
            j -= 1
        elif j >= 1 and _no_longer(words, j - 1):
            j -= 2
        elif words[j] in ASIDE_CLOSERS:
            k = j - 1  # back to the aside's opening dash or bracket, and on before it
            while k >= 0 and words[k] not in ASIDE_OPENERS:
                k -= 1
            j = k - 1 if k >= 0 else j - 1
        else:
            break
    return j


def _subject(words: list[str], i: int, organisation_words: tuple[tuple[str, ...], ...]) -> tuple[str, str]:
    """Kind and text of the subject just before word ``i`` (see :func:`_subject_index`)."""
    j = _subject_index(words, i)
    if j < 0:
        return "other", ""
    word = words[j]
    for name in organisation_words:  # longest first
        if tuple(words[max(0, j - len(name) + 1) : j + 1]) == name:
            return "organisation", " ".join(name)
    if word == "i":
        return "I", "I"
    if word == "we":
        return "we", "we"
    return "other", word


def _read_group(words: list[str], i: int, organisation_words: tuple[tuple[str, ...], ...]) -> tuple[int, str, bool, str] | None:
    """(index of the group's last word, tense, negated, voice) for a group starting at ``i``; None if there is none."""
    n, word = len(words), words[i]
    if word in FUTURE or word in MODALS:
        j, negated = _skip(words, i + 1)
        voice, last = "active", (j if j < n and _is_verb_like(words[j]) else i)
        if j < n and words[j] in ("be", "have"):
            k, negated_later = _skip(words, j + 1)
            negated = negated or negated_later
            if words[j] == "have" and k < n and words[k] == "been":
                k += 1
            if k < n and (_is_ing(words[k]) or _is_participle(words[k])):
                voice = "passive" if words[k - 1] in ("be", "been") and _is_participle(words[k]) else "active"
                last = k
            else:
                last = j
        return last, "future" if word in FUTURE else "modal", negated, voice
    if word in BE_PRESENT or word in BE_PAST:
        simple, progressive = (
            ("simple present", "present progressive") if word in BE_PRESENT else ("simple past", "past progressive")
        )
        j, negated = _skip(words, i + 1)
        if j + 1 < n and words[j] == "going" and words[j + 1] == "to":
            return j + 1, "future", negated, "active"
        if j + 1 < n and words[j] == "being" and _is_participle(words[j + 1]):
            return j + 1, progressive, negated, "passive"
        if j < n and _is_ing(words[j]) and words[j] not in ING_ADJECTIVES:
            return j, progressive, negated, "active"
        if j < n and _is_participle(words[j]):
            return j, simple, negated, "passive"
        return (i if j == i + 1 else j - 1), simple, negated, "active"
    if word in HAVE_PRESENT or word in HAVE_PAST:
        simple, perfect = ("simple present", "present perfect") if word in HAVE_PRESENT else ("simple past", "past perfect")
        j, negated = _skip(words, i + 1)
        if j < n and words[j] == "to":
            return j, "modal", negated, "active"
        if j < n and words[j] == "been":
            k, negated_later = _skip(words, j + 1)
            voice = "passive" if k < n and _is_participle(words[k]) and not _is_ing(words[k]) else "active"
            last = k if k < n and (_is_ing(words[k]) or _is_participle(words[k])) else j
            return last, perfect, negated or negated_later, voice
        if j < n and _is_participle(words[j]):
            return j, perfect, negated, "active"
        if i == 0 or _subject(words, i, organisation_words)[1]:  # "have" as the main verb, after its subject
            return i, simple, negated, "active"
        return None
    if word in DO_PRESENT or word in DO_PAST:
        j, negated = _skip(words, i + 1)
        last = j if j < n and words[j] not in FUNCTION_WORDS else i
        return last, "simple present" if word in DO_PRESENT else "simple past", negated, "active"
    # a verb with no auxiliary: it needs a subject before it, and not one such as "the" or "gets"
    kind, before = _subject(words, i, organisation_words)
    negated = not NEGATORS.isdisjoint(words[max(0, i - 2) : i]) or (i >= 2 and _no_longer(words, i - 2))
    if not before or before in FUNCTION_WORDS or before in LINKING_VERBS or words[i - 1] in ("a", "an", "the"):
        return None
    if _is_past(word) and not (i + 1 < n and words[i + 1] == "by"):
        return i, "simple past", negated, "active"
    if kind in ("I", "we", "organisation") or before in SUBJECT_PRONOUNS:
        return i, "simple present", negated, "active"
    return None


def _negated_by_determiner(words: list[str], i: int, last: int) -> bool:
    """Whether a negative determiner or pronoun carries the negation of the group from ``i`` to ``last``.

    Either it opens the subject: a negative pronoun is the subject ("Nothing has changed"), or "no"
    stands before the subject's last word with at most two other words between ("No contract has
    been signed", "No formal notice was given"); or it stands right after the group ("There is no
    contract", "We have nothing to add").
    """
    j = _subject_index(words, i)
    if j >= 0 and words[j] in NEGATIVE_PRONOUNS:
        return True
    k = j
    while k >= 0 and k > j - 3 and words[k].isalpha() and words[k] not in FUNCTION_WORDS:
        k -= 1  # back over the words of the subject's noun phrase ("no" is a function word: it stops here)
    if 0 <= k < j and words[k] == "no":
        return True
    after = last + 1
    return after < len(words) and (words[after] in NEGATIVE_PRONOUNS or (words[after] == "no" and not _no_longer(words, after)))


@lru_cache(maxsize=64)
def _organisation_words(organisation: str | tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The words of each of the organisation's names (one name or several), the longest name first."""
    names = [organisation] if isinstance(organisation, str) else list(organisation)
    split = {tuple(word for word, _, _ in tokens(name)) for name in names if name}
    return tuple(sorted(split, key=lambda words: (-len(words), words)))


def _name_positions(words: list[str], organisation_words: tuple[tuple[str, ...], ...]) -> set[int]:
    """Indices of words inside one of the organisation's names: no verb starts there ("Northsound Ferries")."""
    positions: set[int] = set()
    for name in organisation_words:
        for start in range(len(words) - len(name) + 1):
            if tuple(words[start : start + len(name)]) == name:
                positions.update(range(start, start + len(name)))
    return positions


def verb_groups(sentence: str, organisation: str | tuple[str, ...] = "", offset: int = 0) -> list[VerbGroup]:
    """The finite verb groups of one sentence, left to right; spans are shifted by ``offset``.

    ``organisation`` is the organisation's name, or its names (a case's name and aliases).
    """
    found = tokens(sentence)
    words = [word for word, _, _ in found]
    organisation_words = _organisation_words(organisation)
    named = _name_positions(words, organisation_words)
    groups = []
    i = 0
    while i < len(words):
        group = _read_group(words, i, organisation_words) if _can_start(words, i) and i not in named else None
        if group is None:
            i += 1
            continue
        last, tense, negated, voice = group
        negated = negated or _negated_by_determiner(words, i, last)
        subject, subject_text = _subject(words, i, organisation_words)
        start, end = found[i][1], found[last][2]
        groups.append(VerbGroup(offset + start, offset + end, sentence[start:end], tense, negated, voice, subject, subject_text))
        i = last + 1
    return groups
