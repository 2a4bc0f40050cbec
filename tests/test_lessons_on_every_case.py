"""Every lesson on every case: each built-in case and the fictional one, and what the rendered
handouts say. A lesson run on one case must name nothing that belongs to another (issue 22)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from helpers import list_cases, load_case
from helpers.casebook import case_names, foreign_names
from helpers.paths import lesson_notebooks
from helpers.runner import run_lessons
from tests.conftest import FICTIONAL_CASE

LESSONS = lesson_notebooks()
DEFAULT_CASE = "hootsuite-ice-2020"  # the case the committed notebooks ran on
RUN_CASES = [c for c in list_cases() if c != DEFAULT_CASE] + [str(FICTIONAL_CASE)]
ALL_CASES = [*list_cases(), str(FICTIONAL_CASE)]


def _label(case: str) -> str:
    return Path(case).name


@pytest.fixture(scope="module")
def cases():
    return {_label(c): load_case(c) for c in ALL_CASES}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``casework run`` for every case but the default, 06 showing the case alone: executed notebooks and HTML handouts."""
    results = {}
    for case in RUN_CASES:
        out = tmp_path_factory.mktemp(f"run-{_label(case)}")
        with open(out / "progress.txt", "w", encoding="utf-8") as progress:
            results[_label(case)] = {r.notebook: r for r in run_lessons(case, out, {"compare_with": [case]}, progress=progress)}
    return results


def handout_text(path: Path) -> str:
    """What a reader of the HTML handout sees: its text, without tags, scripts, styles or embedded images."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def committed_text(notebook: Path) -> str:
    """The committed notebook's prose and outputs (the default run), as a reader sees them."""
    parts = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        parts.append(cell.source if cell.cell_type == "markdown" else "")
        for output in cell.get("outputs", []):
            for kind in ("text/plain", "text/html", "text/markdown"):
                parts.append(output.get("data", {}).get(kind, ""))
            parts.append(output.get("text", ""))
    text = "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)
    text = re.sub(r'src="data:[^"]*"', "", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def named(text: str, names: set[str]) -> list[str]:
    return sorted(name for name in names if re.search(rf"(?<![\w@-]){re.escape(name)}(?![\w-])", text))


def test_each_case_has_names_the_others_do_not(cases):
    for label, case in cases.items():
        others = [c for other, c in cases.items() if other != label]
        assert case.organisation in case_names(case)
        assert foreign_names(case, others), label
    assert "Hootsuite" in foreign_names(cases["chef-2019"], [cases["hootsuite-ice-2020"]])
    assert "Seth Vargo" in foreign_names(cases["wayfair-2019"], [cases["chef-2019"]])


@pytest.mark.parametrize("case", [_label(c) for c in RUN_CASES])
def test_every_lesson_runs_on_the_case_and_renders_a_handout(runs, case):
    results = runs[case]
    assert sorted(results) == [nb.name for nb in LESSONS]
    for name, result in results.items():
        assert result.ok, f"{name} on {case}: {result.error}"
        assert result.html and result.html.stat().st_size > 10_000


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
@pytest.mark.parametrize("case", [_label(c) for c in RUN_CASES])
def test_a_lesson_on_one_case_names_nothing_from_another(runs, cases, case, notebook):
    result = runs[case][notebook.name]
    assert result.ok, result.error
    text = handout_text(result.html)
    assert "Traceback" not in text and "Error" not in re.findall(r"\b\w*Error\b", text)
    own = cases[case]
    assert own.organisation in text, f"{notebook.stem} on {case} never names its own organisation"
    if notebook.stem.startswith("01") and own.fictional:
        assert "This case is fictional" in text
    leaked = named(text, foreign_names(own, [c for label, c in cases.items() if label != case]))
    assert not leaked, f"{notebook.stem} on {case} names another case's {leaked}"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_the_committed_lessons_name_nothing_from_a_case_they_do_not_show(cases, notebook):
    text = committed_text(notebook)
    shown = {DEFAULT_CASE} | (set(list_cases()) if notebook.stem.startswith("06") else set())
    others = [c for label, c in cases.items() if label not in shown]
    for label in shown:
        assert cases[label].organisation in text, (notebook.stem, label)
        leaked = named(text, foreign_names(cases[label], others))
        assert not leaked, f"{notebook.stem} (committed) names {leaked}, which belong to a case it does not show"


def test_the_names_check_can_fail(cases, tmp_path):
    """A handout that mentions another case's organisation or people is caught."""
    page = tmp_path / "handout.html"
    page.write_text("<p>Chef Software said it, and so did <b>Tom Keiser</b>.</p>", encoding="utf-8")
    leaked = named(handout_text(page), foreign_names(cases["wayfair-2019"], [cases["chef-2019"], cases["hootsuite-ice-2020"]]))
    assert leaked == ["Chef", "Chef Software", "Tom Keiser"]
