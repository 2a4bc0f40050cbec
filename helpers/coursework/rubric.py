"""Rubrics as data for the writing questions: automatic pre-checks, and the rows the instructor grades.

A rubric is a CSV in ``coursework/rubrics/`` (``NAME.csv``) with one row per criterion and the
columns ``criterion``, ``kind``, ``value``, ``points``, ``description``. The kinds:

- ``record``: the draft speaks to the case's claims and contradicts nothing the record
  establishes (:mod:`.accuracy`, against ``claims.csv`` and the stances' own words);
- ``open`` (value: a category of the rubric's lexicon): the draft settles no claim the record
  leaves open, and no match of that category (absolute promises) occurs;
- ``cue`` (value: a category): at least one match of the category, not negated;
- ``cue_with`` (value: ``a+b``): one sentence holds a match of both categories;
- ``no_cue`` (value: a category, or ``wording:CATEGORY`` for the module's wording lexicon): no match;
- ``length`` (value: ``MIN-MAX``): the draft's word count;
- ``manual``: points the instructor awards (``casework review``, or the ``manual-grades.csv``
  beside the gradebook).

The categories come from the rubric's own lexicon, ``NAME-lexicon.csv`` beside it, in the wording
lexicon's layout: every row a pattern in natural wording, with its source and an example it
matches and one it does not (a test checks both). Students see in their self-check which automatic
pre-checks their draft meets, as the grader applies them; the sentences that made one fail are
named only after grading, in the feedback and on the instructor's review page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..case import Case
from ..paths import COURSEWORK_DIR
from ..wording import Lexicon, analyse_text, load_lexicon, split_sentences
from .accuracy import draft_stances
from .results import CriterionResult

RUBRICS_DIR = COURSEWORK_DIR / "rubrics"
KINDS = ("record", "open", "cue", "cue_with", "no_cue", "length", "manual")
COLUMNS = ("criterion", "kind", "value", "points", "description")


class RubricError(ValueError):
    """A rubric file that cannot be used; the message names the file, row and column."""


@dataclass(frozen=True)
class Criterion:
    criterion: str
    kind: str
    value: str
    points: int
    description: str

    @property
    def automatic(self) -> bool:
        return self.kind != "manual"


@dataclass(frozen=True)
class Rubric:
    """A rubric's rows and the lexicon its cue rows name."""

    name: str
    path: Path
    criteria: tuple[Criterion, ...]
    lexicon: Lexicon | None

    @property
    def automatic(self) -> list[Criterion]:
        return [c for c in self.criteria if c.automatic]

    @property
    def manual(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.automatic]

    @property
    def automatic_points(self) -> int:
        return sum(c.points for c in self.automatic)

    @property
    def manual_points(self) -> int:
        return sum(c.points for c in self.manual)

    @property
    def points(self) -> int:
        return self.automatic_points + self.manual_points


def _categories(value: str, kind: str) -> list[str]:
    return value.split("+") if kind == "cue_with" else [value]


def load_rubric(name: str | Path) -> Rubric:
    """Read and check a rubric (and its lexicon); every problem names the file and row."""
    path = Path(name) if str(name).endswith(".csv") else RUBRICS_DIR / f"{name}.csv"
    if not path.exists():
        raise RubricError(f"no rubric {path}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(COLUMNS) - set(table.columns)
    if missing:
        raise RubricError(f"{path}: missing column(s) {sorted(missing)}")
    lexicon_path = path.with_name(f"{path.stem}-lexicon.csv")
    lexicon = load_lexicon(lexicon_path) if lexicon_path.exists() else None
    criteria, seen = [], set()
    for row, entry in table.iterrows():
        where = f"{path} row {row + 2}"
        kind, value = entry["kind"].strip(), entry["value"].strip()
        if kind not in KINDS:
            raise RubricError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if not entry["points"].strip().isdigit():
            raise RubricError(f"{where}: points {entry['points']!r} is not a whole number")
        if entry["criterion"] in seen or not entry["criterion"].strip():
            raise RubricError(f"{where}: criterion {entry['criterion']!r} is blank or used twice")
        seen.add(entry["criterion"])
        if kind == "length" and not re.fullmatch(r"\d+-\d+", value):
            raise RubricError(f"{where}: a length criterion's value is MIN-MAX words, got {value!r}")
        if kind in ("open", "cue", "cue_with", "no_cue"):
            for category in _categories(value, kind):
                known = load_lexicon().categories if category.startswith("wording:") else (lexicon.categories if lexicon else [])
                if category.removeprefix("wording:") not in known:
                    raise RubricError(
                        f"{where}: {category!r} is not a category of {'the wording lexicon' if category.startswith('wording:') else lexicon_path}"
                    )
        criteria.append(Criterion(entry["criterion"].strip(), kind, value, int(entry["points"]), entry["description"].strip()))
    return Rubric(path.stem, path, tuple(criteria), lexicon)


def _matches(text: str, category: str, rubric: Rubric, case: Case):
    if category.startswith("wording:"):
        lexicon, category = load_lexicon(), category.removeprefix("wording:")
    else:
        lexicon = rubric.lexicon
    return [m for m in analyse_text(text, lexicon, case.organisation).matches if m.category == category and not m.negated]


def _sentence_of(text: str, position: int) -> str:
    for start, end in split_sentences(text):
        if start <= position < end:
            return text[start:end].strip()
    return text.strip()


def apply_rubric(text: str, rubric: Rubric, case: Case) -> list[CriterionResult]:
    """Each automatic criterion: met or not, its points, and what made it fail (for the instructor)."""
    stances = draft_stances(case, text)
    results = []
    for criterion in rubric.automatic:
        kind, value, evidence = criterion.kind, criterion.value, []
        if kind == "record":
            against = [s for s in stances if s.against_record]
            evidence = [s.describe() for s in against] or ([] if stances else ["speaks to none of the case's claims"])
        elif kind == "open":
            evidence = [s.describe() + ", which the record leaves open" for s in stances if s.beyond_record]
            evidence += [
                f'"{_sentence_of(text, m.start)}": {m.text!r} ({m.subcategory})' for m in _matches(text, value, rubric, case)
            ]
        elif kind == "cue":
            evidence = [] if _matches(text, value, rubric, case) else [f"no {value} in the draft"]
        elif kind == "cue_with":
            first, second = _categories(value, kind)
            sentences = split_sentences(text)
            first_in, second_in = (
                {i for i, (a, b) in enumerate(sentences) for m in _matches(text, category, rubric, case) if a <= m.start < b}
                for category in (first, second)
            )
            evidence = [] if first_in & second_in else [f"no sentence has both {first} and {second}"]
        elif kind == "no_cue":
            evidence = [f'"{_sentence_of(text, m.start)}": {m.text!r}' for m in _matches(text, value, rubric, case)]
        elif kind == "length":
            low, high = (int(v) for v in value.split("-"))
            words = analyse_text(text).words
            evidence = [] if low <= words <= high else [f"{words} words"]
        passed = not evidence
        results.append(
            CriterionResult(
                criterion.criterion,
                criterion.description,
                criterion.points,
                True,
                points=criterion.points if passed else 0,
                passed=passed,
                evidence=evidence,
            )
        )
    return results


def manual_rows(rubric: Rubric) -> list[CriterionResult]:
    """The rows the instructor grades, not graded yet."""
    return [CriterionResult(c.criterion, c.description, c.points, False) for c in rubric.manual]


def gamed_drafts(case: Case) -> list[str]:
    """Drafts that game a keyword rubric, built from the case so they fit any case: a refusal; words of
    responsibility, action and an update wrapped round a denial of what the record establishes; a promise the
    record may break; and a long text that owns nothing and does nothing. Each fails some automatic criterion."""
    claims = case.claims
    false = [
        f"It is not true that {p[0].lower() + p[1:]}" for p in claims.loc[claims["record"] == "supported", "proposition"][:1]
    ]
    false += list(claims.loc[claims["record"] == "contradicted", "proposition"][:1])
    stuffed = (
        f"We take full responsibility and we will make amends to everyone. {' '.join(false)} We are taking the necessary "
        "steps, we will review how we work, and we will update you tomorrow morning. We take responsibility, we made a "
        "mistake and we are sorry; we will do better and we will put it right, and we will tell you more by Friday."
    )
    promise = (
        f"Rest assured: {case.organisation} has fully resolved this matter and it will never happen again. We take "
        "full responsibility and we have made the decision to change. Everything has been fixed, the arrangement has "
        "been terminated, and we guarantee our customers and our staff that there is no risk of any kind. We will "
        "update everyone tomorrow morning with the full story of what we did."
    )
    filler = f"{case.organisation} values its customers and its employees and the conversations they have every day. " * 14
    return ["No comment.", stuffed, promise, filler]
