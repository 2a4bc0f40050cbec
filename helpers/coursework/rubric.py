"""Rubrics as data for the writing questions: automatic pre-checks and the instructor's part.

A rubric is a CSV in ``coursework/rubrics/`` with one row per criterion: ``min_words`` and
``max_words`` (length), ``component`` (an apology component the wording lexicon must find, such
as acknowledgment of responsibility or an offer of repair), ``banned`` (a phrase that must not
appear) and ``manual`` (points the instructor awards by hand; the gradebook leaves a column for
them). Students see the same pre-checks in their self-check as the grader applies.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..paths import COURSEWORK_DIR

RUBRICS_DIR = COURSEWORK_DIR / "rubrics"
KINDS = ("min_words", "max_words", "component", "banned", "manual")


class RubricError(ValueError):
    """A rubric file that cannot be used."""


def load_rubric(name: str | Path) -> pd.DataFrame:
    path = Path(name) if str(name).endswith(".csv") else RUBRICS_DIR / f"{name}.csv"
    if not path.exists():
        raise RubricError(f"no rubric {path}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"criterion", "kind", "value", "points", "description"} - set(table.columns)
    if missing:
        raise RubricError(f"{path}: missing column(s) {sorted(missing)}")
    for row, entry in table.iterrows():
        if entry["kind"] not in KINDS:
            raise RubricError(f"{path} row {row + 2}: kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
        if not entry["points"].isdigit():
            raise RubricError(f"{path} row {row + 2}: points {entry['points']!r} is not a whole number")
    table["points"] = table["points"].astype(int)
    return table


def apply_rubric(text: str, rubric: pd.DataFrame, case) -> list[dict]:
    """Each automatic criterion: passed or not, its points, and a message naming the criterion."""
    from ..coding import analyse_draft

    report = analyse_draft(case, text)
    words = report["words"]
    results = []
    for _, criterion in rubric.iterrows():
        kind, value = criterion["kind"], criterion["value"]
        if kind == "manual":
            continue
        if kind == "min_words":
            passed = words >= int(value)
        elif kind == "max_words":
            passed = words <= int(value)
        elif kind == "component":
            passed = value in report["apology components present"]
        else:
            passed = value.casefold() not in text.casefold()
        results.append({"criterion": criterion["criterion"], "passed": passed, "points": criterion["points"] if passed else 0,
                        "of": criterion["points"], "description": criterion["description"]})
    return results


def manual_points(rubric: pd.DataFrame) -> int:
    return int(rubric.loc[rubric["kind"] == "manual", "points"].sum())
