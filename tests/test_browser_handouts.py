"""Every lesson's HTML handout, as ``casework run`` writes it, opened in a real headless Chromium.

A handout is what a student without JupyterLab reads (from a shared web folder, say), so it must
show everything the lesson shows: each widget's static view in its place, the parameters the run
used as one line (not papermill's injected code cell), the lesson's title as the page's title; it
must be readable by everyone who can reach its folder (0644); and at 1024 x 768 and 1400 x 900
nothing is wider than its output cell, figure text is 10 px or more as shown, and axe-core
(tests/accessibility_scan.py) finds nothing serious or critical in the page. Screenshots of each
handout go to browser-screenshots/handouts/WIDTHxHEIGHT/ (or $CASEWORK_SCREENSHOTS/handouts/).

Needs what tests/test_browser.py needs (Debian's Chromium, playwright, axe-core installed by
``npm ci --prefix tests/axe``); the same skip rules apply.
"""

from __future__ import annotations

import io
import re
import stat

import nbformat
import pytest

from helpers.paths import lesson_notebooks
from helpers.runner import notebook_parameters, run_lessons
from tests import accessibility_scan
from tests.jupyterlab_browser import LAYOUT, WIDGETS, chromium
from tests.test_browser import OUTPUT_WIDTH, SCREENSHOTS, VIEWPORTS, require_browser

pytestmark = pytest.mark.browser

CASE = "hootsuite-ice-2020"
#: A run with a parameter, so each handout has papermill's injected cell to show as a line.
PARAMETERS = {"display_timezone": "UTC"}
#: The class of each widget's view in its static twin (helpers.widgets), by lesson.
# fmt: off
WIDGET_VIEWS = {"02-statement-wording": "statement-view", "03-timing-of-the-response": "public-view",
                "04-contradictions": "claim-view", "05-response-strategies": "draft-report"}
# fmt: on


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """The handouts of one ``casework run`` of every lesson, by lesson stem."""
    require_browser()
    results = run_lessons(CASE, tmp_path_factory.mktemp("run"), PARAMETERS, progress=io.StringIO())
    failed = [f"{r.notebook}: {r.error}" for r in results if not r.ok]
    assert not failed, failed
    return {r.html.stem: r.html for r in results}


@pytest.fixture(scope="module")
def browser(handouts):
    with chromium() as browser:
        yield browser


def _title(notebook) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    return next(
        re.search(r"^# (.+)$", c.source, re.MULTILINE).group(1).strip()
        for c in cells
        if c.cell_type == "markdown" and re.search(r"^# ", c.source, re.MULTILINE)
    )


def test_widget_views_name_the_widget_lessons():
    assert set(WIDGET_VIEWS) == set(WIDGETS)


@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_handout_in_chromium(handouts, browser, notebook):
    path = handouts[notebook.stem]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644, f"{path.name} is {oct(stat.S_IMODE(path.stat().st_mode))}, not 0644"
    page = browser.new_page(viewport=VIEWPORTS[0])
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("() => [...document.images].every(image => image.complete)")
        assert page.title() == _title(notebook)

        # papermill's injected cell is one "Parameters used" line, not code
        shown = page.evaluate("""() => ({
            parameters: [...document.querySelectorAll('.jp-MarkdownCell')].map(c => c.innerText.trim()).filter(t => t.startsWith('Parameters used')),
            code: [...document.querySelectorAll('.jp-CodeCell .jp-InputArea')].map(c => c.innerText),
            emptyOutputs: [...document.querySelectorAll('.jp-OutputArea-output')]
                .filter(o => !o.innerText.trim() && !o.querySelector('img')).length,
        })""")
        used = f"case_id = '{CASE}'" + (
            "; display_timezone = 'UTC'" if "display_timezone" in notebook_parameters(notebook) else ""
        )
        assert shown["parameters"] == [f"Parameters used: {used}"], shown["parameters"]
        assert not [code for code in shown["code"] if "# Parameters" in code or 'display_timezone = "UTC"' in code]
        assert shown["emptyOutputs"] == 0, "an output shows nothing (a widget without its static view?)"
        if notebook.stem in WIDGET_VIEWS:
            static = page.locator(f".jp-OutputArea-output .casework-static .{WIDGET_VIEWS[notebook.stem]}")
            assert static.count() == 1 and static.inner_text().strip(), f"the widget's static view is not in {path.name}"

        figures = page.locator(".jp-OutputArea-output img[data-text-px]").count()
        assert figures == len(
            [
                o
                for c in nbformat.read(notebook, as_version=4).cells
                for o in c.get("outputs", [])
                if str(o.get("data", {}).get("text/html", "")).startswith("<img ")
            ]
        )
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            layout = page.evaluate(LAYOUT, "body")
            where = f"{path.name} at {viewport['width']} x {viewport['height']}"
            assert 0 < layout["outputWidth"] <= max(OUTPUT_WIDTH[viewport["width"]], viewport["width"] - 80), where
            assert not layout["overflowing"], f"{where}: wider than their cell: {layout['overflowing']}"
            assert len(layout["figureText"]) == figures and all(px >= 10 for px in layout["figureText"]), (
                f"{where}: {layout['figureText']}"
            )
            assert not layout["squeezedText"], f"{where}: {layout['squeezedText']}"
            folder = SCREENSHOTS / "handouts" / f"{viewport['width']}x{viewport['height']}"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{notebook.stem}.png"), full_page=True)

        scanned = accessibility_scan.scan(page, ["html"])
        assert not scanned["violations"], accessibility_scan.report(scanned["violations"])
    finally:
        page.close()
