"""The assessment map: every learning objective is assessed by a question that asks for a judgement, every
question assesses an objective, and coursework/README.md shows the map the keys give."""

from __future__ import annotations

import copy
import re

import pytest

from helpers.coursework.objectives import assessment_map, gaps, load_objectives, map_markdown
from helpers.coursework.source import SourceError, _check_assessment, exercise_ids, load_key
from helpers.paths import lesson_notebooks
from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="module")
def keys():
    return [load_key(exercise) for exercise in exercise_ids()]


def test_every_objective_has_a_judgement_question_and_every_question_an_objective(keys):
    assert gaps(keys) == []
    mapping = assessment_map(keys)
    assert all(any(a.judgement for a in mapping[o.objective_id]) for o in load_objectives())
    judged = sum(q.get("judgement", False) for key in keys for q in key["questions"])
    assert judged >= len(load_objectives()), "fewer judgement questions than objectives"


def test_the_map_check_fails_when_an_objective_loses_its_last_judgement_question(keys):
    """Test the test: take away the only judgement question of an objective, or a question's objectives."""
    trimmed = copy.deepcopy(keys)
    for key in trimmed:
        key["questions"] = [q for q in key["questions"] if "advise" not in q.get("objectives", [])]
    assert gaps(trimmed) == ["objective 'advise' has no graded question that asks for a judgement"]
    untagged = copy.deepcopy(keys)
    untagged[0]["questions"][0]["objectives"] = []
    assert any("names no objective" in gap for gap in gaps(untagged))


def test_every_lesson_teaches_an_objective_and_every_objective_names_lessons():
    lessons = {path.name[:2] for path in lesson_notebooks()}
    taught = {n for o in load_objectives() for n in o.notebooks}
    assert taught == lessons, f"objectives name notebooks {sorted(taught)}, the lessons are {sorted(lessons)}"


def test_coursework_readme_shows_the_map_the_keys_give(keys):
    readme = (PROJECT_DIR / "coursework" / "README.md").read_text(encoding="utf-8")
    assert map_markdown(keys) in readme, (
        "update the assessment map in coursework/README.md (helpers.coursework.objectives.map_markdown)"
    )
    shown = re.findall(r"^\| \*\*([a-z]+)\*\*", readme, re.M)
    assert shown == [o.objective_id for o in load_objectives()]


@pytest.mark.parametrize(
    "meta, phrase",
    [
        ({"kind": "set", "points": 1, "judgement": True}, "must list the objectives"),
        ({"kind": "set", "points": 1, "objectives": ["no-such"], "judgement": True}, "must list the objectives"),
        ({"kind": "set", "points": 1, "objectives": ["quote"]}, "whether the question asks for a judgement"),
        (
            {"kind": "text", "points": 7, "rubric": "holding-statement", "objectives": ["advise"], "judgement": True},
            "worth its rubric's points",
        ),
    ],
)
def test_a_check_cell_without_its_assessment_metadata_is_refused_at_release(meta, phrase):
    with pytest.raises(SourceError, match=phrase):
        _check_assessment(meta, "x.ipynb cell 3")
