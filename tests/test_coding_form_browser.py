"""The coding form in a real JupyterLab and Chromium: choices made in the page are written into the answer
cell, saved with the notebook, and graded with Cohen's kappa when the grader runs the saved notebook afresh.

Runs with the other browser tests, on fixtures of its own from tests/test_browser.py (Debian's Chromium, the
playwright package)."""

from __future__ import annotations

import json
import urllib.request

import nbformat
import pytest

from helpers.case import load_case
from helpers.coursework.checks import coding_expected
from helpers.coursework.grade import Options, grade_batch
from helpers.coursework.variants import assign
from tests.jupyterlab_browser import PANEL, cells, close_notebook, edit_and_run, open_notebook, run_all
from tests.test_browser import browser, lab  # noqa: F401 - the served notebooks and Chromium, as for the other browser tests

pytestmark = pytest.mark.browser
RELEASE = "coursework/release/strategies.ipynb"


def _saved(url: str, path: str) -> nbformat.NotebookNode:
    """The notebook as the server has it on disk (the contents API), after the page saved it."""
    with urllib.request.urlopen(f"{url}/api/contents/{path}?content=1", timeout=10) as response:
        return nbformat.from_dict(json.loads(response.read())["content"])


def test_choices_in_the_form_are_saved_in_the_answer_cell_and_graded_with_kappa(lab, browser, tmp_path):
    case = load_case()
    expected = coding_expected(case, assign("strategies", "demo", case)["coding_statements"])
    page = open_notebook(browser, lab, RELEASE)
    try:
        assert run_all(page)["ok"]
        notebook = cells(page)
        answer = next(c["index"] for c in notebook if (c["casework"] or {}).get("question") == "q5")
        # one drop-down per sentence and scheme, in the form's order: choose the reference code in each
        selects = page.locator(f"{PANEL} .widget-dropdown select")
        assert selects.count() == len(expected["items"])
        for position, (_, _, _, reference, _) in enumerate(expected["items"]):
            selects.nth(position).select_option(label=reference)
        ran = edit_and_run(page, answer, "q5 = form.answer()  # your answer", [answer, answer + 1])
        assert all(r["ok"] for r in ran["ran"]), ran
        assert "written into this cell" in ran["ran"][0]["outputs"][0]["text"]
        assert "the form is right" in ran["ran"][1]["outputs"][0]["text"]
        page.wait_for_function(
            f"""() => window.jupyterapp.shell.currentWidget.content.widgets[{answer}]
                                          .model.sharedModel.getSource().startsWith('q5 = form.answer([')""",
            timeout=10_000,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=10_000)
    finally:
        close_notebook(page)
    saved = _saved(lab, RELEASE)
    source = next(c.source for c in saved.cells if c.metadata.get("casework", {}).get("question") == "q5")
    assert (
        source.startswith("q5 = form.answer([")
        and source.count("], [") == 0
        and source.count("\n    [") == len(expected["items"])
    )
    # the grader runs the saved notebook afresh, where no one touched the form: the choices come from the cell. The
    # notebook still holds the placeholder id, so the row is needs-review, checked against the demo variant it answers.
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "demo.ipynb").write_text(nbformat.writes(saved), encoding="utf-8")
    row = grade_batch(folder, "strategies", tmp_path / "out", Options(progress=False))[0]
    coding = row.question("q5")
    assert (row.status, row.variant_of) == ("needs-review", "demo") and "placeholder" in row.reason
    assert (coding.status, coding.points, coding.answer) == (
        "correct",
        3,
        [[sid, n, scheme, ref] for sid, n, scheme, ref, _ in expected["items"]],
    )
    assert coding.feedback.startswith("kappa 1.00 against the reference coding")
