"""Every lesson notebook in a real JupyterLab, in a real headless Chromium: Clear Outputs, Run All, no
errors, tables and figures rendered, and each widget answering real interactions.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and the Python
``playwright`` package (never ``playwright install``: the browser comes from Debian). Without
them the tests are skipped with a reason, except where CASEWORK_REQUIRE_BROWSER=1 (as .ci/run
sets it): then a missing browser is a failure, and so is any skip of these tests (tests/conftest.py),
so CI cannot pass by skipping them.

The time from each widget interaction to the updated view is measured and reported at the end of
the run, never asserted (the machine is shared and noisy): ``benchmarks/bench_widgets.py`` measures
it properly against the target. Screenshots go to browser-screenshots/ (ignored by git), or to
$CASEWORK_SCREENSHOTS. How the notebooks are driven, and why: tests/jupyterlab_browser.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR, lesson_notebooks
from tests.conftest import PROJECT_DIR
from tests.jupyterlab_browser import (WIDGETS, chromium, close_notebook, count_outputs, jupyterlab, open_notebook, rendered,
                                      run_all, summary, unavailable)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("CASEWORK_SCREENSHOTS", PROJECT_DIR / "browser-screenshots"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
INTERACTIONS = 5  # per widget
#: Milliseconds from each interaction to the updated view, by widget; reported by tests/conftest.py.
RESPONSE_TIMES: dict[str, list[float]] = {}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free loopback port, serving a throw-away copy of the notebooks."""
    reason = unavailable()
    if reason:
        if os.environ.get("CASEWORK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (CASEWORK_REQUIRE_BROWSER=1) but cannot run: {reason}")
        pytest.skip(reason)
    with jupyterlab(tmp_path_factory.mktemp("lab"), NOTEBOOKS_DIR) as url:
        yield url


@pytest.fixture(scope="module")
def browser(lab):
    with chromium() as browser:
        yield browser


def _committed_figures(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum("image/png" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))


@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_lesson_in_jupyterlab(lab, browser, notebook):
    page = open_notebook(browser, lab, f"notebooks/{notebook.name}")
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        result = run_all(page)
        cells = result["cells"]
        assert result["cleared"], "Clear Outputs left outputs or execution counts behind"
        problems = [output["error"] or output["text"] for cell in cells for output in cell["outputs"]
                    if output["type"] == "error" or output["name"] == "stderr"]
        assert not problems, "\n\n".join(problems)
        assert result["ok"], "Run All reports a failed cell"
        counts = [cell["count"] for cell in cells]
        assert all(isinstance(count, int) for count in counts) and counts == sorted(set(counts)), f"execution counts {counts}"

        widgets = count_outputs(cells, WIDGET_MIME)
        shown = rendered(page, widgets)
        assert shown["prompts"] == [f"[{count}]:" for count in counts]
        assert not shown["stderr"], shown["stderr"][0]
        kernel_tables = sum(output["tables"] for cell in cells for output in cell["outputs"])
        assert kernel_tables >= 1 and shown["tables"] >= kernel_tables, f"{shown['tables']} tables shown of {kernel_tables} sent"
        assert shown["images"] == count_outputs(cells, "image/png") == _committed_figures(notebook)
        assert shown["widgets"] == widgets == (1 if notebook.stem in WIDGETS else 0), (
            f"{widgets} widget(s) in {notebook.name}: tests/jupyterlab_browser.py WIDGETS must exercise each one")

        if notebook.stem in WIDGETS:
            label, interact = WIDGETS[notebook.stem]
            responses = interact(page, INTERACTIONS)
            assert len(responses) == INTERACTIONS
            RESPONSE_TIMES[label] = [response.ms for response in responses]
            print(summary(label, RESPONSE_TIMES[label]))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{notebook.stem}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        print(f"Run All {result['seconds']:.1f} s; screenshot: {shot}")
        if page_errors:
            print("uncaught errors in the page:", *page_errors, sep="\n")
    finally:
        close_notebook(page)


def test_every_widget_notebook_is_a_lesson():
    """WIDGETS names lesson notebooks by their file stem: a renamed notebook must not drop out silently."""
    assert set(WIDGETS) <= {path.stem for path in lesson_notebooks()}
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+", stem) for stem in WIDGETS)
