"""Cases that lack something the lessons look for: each lesson says what is missing instead of
raising, or of putting another row in its place (review of #22, items 2 and 6)."""

from __future__ import annotations

import re

import pytest

from helpers import load_case
from helpers.casebook import case_overview, compared_cases, first_public_latency, response_latency
from helpers.paths import lesson_notebooks
from helpers.queries import NO_PUBLIC_STATEMENT, close_reading_statement, first_press_statement, trigger_event
from helpers.selfcheck import questions
from helpers.timeline import against_norms, default_as_of, response_times
from helpers.widgets import public_view_html
from tests.conftest import read_rows, write_rows
from tests.test_notebooks import run

LESSONS = {nb.stem[:2]: nb for nb in lesson_notebooks()}


def _edit(folder, file, change):
    header, rows = read_rows(folder / file)
    for row in rows:
        change(row)
    write_rows(folder / file, header, rows)


def internal_only(folder):
    """The organisation speaks only to its staff: its press and public statements become internal."""

    def inward(row):
        if row.get("speaks_for", "organisation") == "organisation" and row["audience"] in ("press", "public"):
            row["audience"] = "internal"

    own = {r["statement_id"] for r in read_rows(folder / "statements.csv")[1] if r["speaks_for"] == "organisation"}
    _edit(folder, "statements.csv", inward)
    _edit(folder, "events.csv", lambda row: row.update(audience="internal") if row["statement_id"] in own else None)


def nobody_official(folder):
    """Nobody speaks for the organisation: its spokespeople and executives speak for themselves."""
    _edit(
        folder, "statements.csv", lambda row: row.update(speaks_for="employee") if row["speaks_for"] == "organisation" else None
    )


SILENT = {"internal-only": internal_only, "nobody-official": nobody_official}


@pytest.fixture(params=sorted(SILENT))
def silent(request, case_copy):
    SILENT[request.param](case_copy)
    return request.param, load_case(case_copy)


def test_a_case_with_no_public_word_has_no_first_press_statement(silent):
    kind, case = silent
    assert first_press_statement(case) is None
    times = response_times(case, trigger_event(case))
    assert list(times.columns) == ["first statement", "gap", "shortest (h)", "longest (h)", "not placed, may be earlier"]
    assert list(times.index) == (["internal"] if kind == "internal-only" else [])
    norms = against_norms(case, trigger_event(case))
    assert "verdict" in norms and set(norms["audience"]) <= {"internal"}
    # what is read closely is still a statement of the case, and the lesson names it
    assert close_reading_statement(case, "02") in case.statements.index
    assert default_as_of(case) == case.statements["end"].max()
    assert f"The organisation made {NO_PUBLIC_STATEMENT}" in public_view_html(case, default_as_of(case))


def test_the_comparison_says_a_case_has_no_public_word(silent, hootsuite):
    kind, case = silent
    cases = compared_cases(case.path, [case.path, hootsuite.path])
    assert case_overview(cases).loc[case.case_id, "first public response"] == NO_PUBLIC_STATEMENT
    latency = first_public_latency(cases)
    assert list(latency.index) == [case.case_id, hootsuite.case_id]
    assert latency.loc[case.case_id, "gap"] == NO_PUBLIC_STATEMENT and latency.loc[case.case_id, "first statement"] == ""
    assert latency.loc[case.case_id, ["shortest (h)", "longest (h)"]].isna().all()
    per_audience = response_latency(cases)
    assert (per_audience[per_audience.index == case.case_id]["first public response"] == "").all()
    assert len(per_audience[per_audience.index == case.case_id]) == (1 if kind == "internal-only" else 0)
    asked = {q.key: expected for q, expected in questions("06", case, cases=cases)}
    assert asked["longest-wait"] is None  # one wait only: nothing to compare
    assert asked["certainly-after"] == 1  # the built-in case's
    asked = {q.key: expected for q, expected in questions("03", case, anchor=trigger_event(case))}
    assert asked["public-verdict"] is None and asked["order"] is None


def _run(notebook, tmp_path, **parameters):
    """What the executed notebook prints and shows, as one text (outputs' text, plain and HTML)."""
    text = []
    for cell in run(notebook, tmp_path, **parameters).cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", ""))
            text += [out.get("data", {}).get(k, "") for k in ("text/plain", "text/html")]
    return "\n".join(t if isinstance(t, str) else "".join(t) for t in text)


@pytest.mark.parametrize("lesson", ["03", "06"])
def test_lessons_03_and_06_run_on_a_case_with_no_public_word_and_say_so(silent, lesson, tmp_path):
    kind, case = silent
    extra = {"compare_with": [str(case.path), "hootsuite-ice-2020"]} if lesson == "06" else {}
    text = _run(LESSONS[lesson], tmp_path, case_id=str(case.path), **extra)
    assert NO_PUBLIC_STATEMENT in text
    assert not re.findall(r"\b\w+Error\b", text)
