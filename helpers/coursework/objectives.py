"""The learning objectives and the assessment map: which graded questions assess each objective.

``coursework/objectives.csv`` lists the objectives as what a student can do, with the lesson
notebooks that teach each. Every check cell of a master notebook names the objectives its
question assesses (``objectives`` in its ``casework`` metadata) and whether it asks for a
judgement (``judgement``: the answer is a decision about the case, not a lookup or a
calculation); ``casework generate`` copies both into the grading key. The map is built from the
keys, so it cannot drift from the exercises: ``coursework/README.md`` shows it, and a test checks
that the README's table is this one, that every objective has a question asking for a judgement,
and that every question names an objective.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..csvfile import read_rows
from ..paths import COURSEWORK_DIR

OBJECTIVES_FILE = COURSEWORK_DIR / "objectives.csv"


@dataclass(frozen=True)
class Objective:
    objective_id: str
    notebooks: tuple[str, ...]
    objective: str


@dataclass(frozen=True)
class Assessed:
    """One graded question, as the map lists it."""

    exercise: str
    question: str
    kind: str
    points: float
    judgement: bool

    @property
    def label(self) -> str:
        return f"`{self.exercise}` {self.question}" + (" (judgement)" if self.judgement else "")


def load_objectives() -> list[Objective]:
    _, rows = read_rows(OBJECTIVES_FILE, ("objective_id", "notebooks", "objective"))
    return [Objective(r.values["objective_id"], tuple(r.values["notebooks"].split(";")), r.values["objective"]) for r in rows]


def assessment_map(keys: list[dict]) -> dict[str, list[Assessed]]:
    """Objective id -> the questions of ``keys`` that assess it, in exercise and question order."""
    found: dict[str, list[Assessed]] = {o.objective_id: [] for o in load_objectives()}
    for key in keys:
        for question in key["questions"]:
            for objective in question.get("objectives", []):
                found.setdefault(objective, []).append(
                    Assessed(
                        key["exercise"], question["id"], question["kind"], question["points"], bool(question.get("judgement"))
                    )
                )
    return found


def gaps(keys: list[dict]) -> list[str]:
    """What the map lacks: objectives no question assesses with a judgement, and questions that name no known objective."""
    known = {o.objective_id for o in load_objectives()}
    mapping = assessment_map(keys)
    found = [
        f"objective {o!r} has no graded question that asks for a judgement"
        for o in sorted(known)
        if not any(a.judgement for a in mapping[o])
    ]
    for key in keys:
        for question in key["questions"]:
            named = question.get("objectives") or []
            if not named or not set(named) <= known:
                found.append(
                    f"question {key['exercise']} {question['id']} names no objective of {OBJECTIVES_FILE.name} ({named!r})"
                )
    return found


def map_markdown(keys: list[dict]) -> str:
    """The assessment map as the Markdown table coursework/README.md shows (exercises in the order of their titles)."""
    mapping = assessment_map(sorted(keys, key=lambda k: k["title"]))
    lines = ["| objective: by the end, a student can ... | notebooks | graded questions |", "|---|---|---|"]
    for objective in load_objectives():
        questions = ", ".join(a.label for a in mapping[objective.objective_id]) or "none"
        lines.append(f"| **{objective.objective_id}**: {objective.objective} | {', '.join(objective.notebooks)} | {questions} |")
    return "\n".join(lines)
