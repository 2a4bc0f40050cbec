"""Every lesson notebook in a real JupyterLab, in a real headless Chromium: Clear Outputs, Run All, no
errors, tables and figures rendered, and each widget answering real key presses. At 1024 x 768 and
1400 x 900 no table or figure is wider than its output cell and figure text is 10 px or more as
shown; axe-core (tests/accessibility_scan.py) finds nothing serious or critical in the lesson's text
and outputs.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and the Python
``playwright`` package (never ``playwright install``: the browser comes from Debian). Without
them the tests are skipped with a reason, except where CASEWORK_REQUIRE_BROWSER=1 (as .ci/run
sets it): then a missing browser is a failure, and so is any skip of these tests (tests/conftest.py),
so CI cannot pass by skipping them.

The time from each widget interaction to the updated view is measured and reported at the end of
the run, never asserted (the machine is shared and noisy): ``benchmarks/bench_widgets.py`` measures
it properly against the target. Screenshots, for a person to look at, go to browser-screenshots/
(ignored by git), or to $CASEWORK_SCREENSHOTS: NAME.png is the window after the lesson ran at
1024 x 768, and WIDTHxHEIGHT/NAME/output-NN.png each table, figure and widget at that size. How the
notebooks are driven, and why: tests/jupyterlab_browser.py.

A student exercise notebook (coursework/release/) is worked through as a student would: Run All,
the variant shown, every self-check saying "not answered yet"; then an answer typed in and its
self-check run again, which must accept the form and say nothing of the expected answer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers.paths import COURSEWORK_DIR, NOTEBOOKS_DIR, lesson_notebooks
from tests import accessibility_scan
from tests.conftest import PROJECT_DIR
from tests.jupyterlab_browser import (
    CELL,
    LAYOUT,
    PANEL,
    WIDGETS,
    cells,
    chromium,
    close_notebook,
    count_outputs,
    edit_and_run,
    jupyterlab,
    open_notebook,
    rendered,
    run_all,
    summary,
    unavailable,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("CASEWORK_SCREENSHOTS", PROJECT_DIR / "browser-screenshots"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
INTERACTIONS = 5  # per widget
#: Milliseconds from each interaction to the updated view, by widget; reported by tests/conftest.py.
RESPONSE_TIMES: dict[str, list[float]] = {}


def require_browser() -> None:
    """Skip the test when Chromium, playwright or axe-core is missing, or fail it where CASEWORK_REQUIRE_BROWSER=1 (CI)."""
    reason = unavailable() or accessibility_scan.unavailable()
    if reason:
        if os.environ.get("CASEWORK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (CASEWORK_REQUIRE_BROWSER=1) but cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free loopback port, serving a throw-away copy of the notebooks and the coursework."""
    require_browser()
    with jupyterlab(tmp_path_factory.mktemp("lab"), NOTEBOOKS_DIR, also=(COURSEWORK_DIR,)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(lab):
    with chromium() as browser:
        yield browser


def _committed_alt_texts(notebook: Path) -> list[str]:
    """The alt text of each figure in the committed notebook, in order (a figure is an <img> output; its plain text is the alt)."""
    nb = nbformat.read(notebook, as_version=4)
    return [
        output.data["text/plain"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if str(output.get("data", {}).get("text/html", "")).startswith("<img ")
    ]


@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_lesson_in_jupyterlab(lab, browser, notebook):
    page = open_notebook(browser, lab, f"notebooks/{notebook.name}")
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        result = run_all(page)
        cells = result["cells"]
        assert result["cleared"], "Clear Outputs left outputs or execution counts behind"
        problems = [
            output["error"] or output["text"]
            for cell in cells
            for output in cell["outputs"]
            if output["type"] == "error" or output["name"] == "stderr"
        ]
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
        committed_alts = _committed_alt_texts(notebook)
        assert shown["images"] == len(committed_alts) >= (notebook.stem != "05-response-strategies")
        # Each figure reaches a screen reader with its own description (not JupyterLab's stand-in "Image").
        assert shown["alts"] == committed_alts and all(alt.strip() for alt in committed_alts), shown["alts"]
        assert shown["widgets"] == widgets == (1 if notebook.stem in WIDGETS else 0), (
            f"{widgets} widget(s) in {notebook.name}: tests/jupyterlab_browser.py WIDGETS must exercise each one"
        )

        # Made to be read at 1024 x 768 with the file browser open: nothing wider than its output cell
        # (wide data only inside its labelled, focusable scroll region), figure text at 10 px or more as shown.
        _check_layout(page, notebook.stem, len(committed_alts))
        # axe-core finds nothing serious or critical in the lesson's text and outputs (widgets included).
        scanned = accessibility_scan.scan(page, accessibility_scan.LESSON_CONTENT)
        assert scanned["scanned"] >= len(cells), scanned["scanned"]
        assert not scanned["violations"], accessibility_scan.report(scanned["violations"])

        if notebook.stem in WIDGETS:
            label, interact = WIDGETS[notebook.stem]
            responses = interact(page, INTERACTIONS)
            assert len(responses) == INTERACTIONS
            RESPONSE_TIMES[label] = [response.ms for response in responses]
            print(summary(label, RESPONSE_TIMES[label]))
        _screenshot(page, notebook.stem, f"Run All {result['seconds']:.1f} s", page_errors)

        # The same outputs in a larger window: still inside their cells, figure text still 10 px or more.
        for viewport in VIEWPORTS[1:]:
            page.set_viewport_size(viewport)
            page.wait_for_function(
                f"() => document.querySelector('{PANEL}').getBoundingClientRect().right > {VIEWPORTS[0]['width']}"
            )
            _check_layout(page, notebook.stem, len(committed_alts))
    finally:
        close_notebook(page)


#: The window sizes a lesson is read at: a classroom laptop (1024 x 768: with the file browser open JupyterLab
#: leaves about 592 px of output width) and a larger laptop. The first is where lessons run and widgets are driven.
VIEWPORTS = [{"width": 1024, "height": 768}, {"width": 1400, "height": 900}]
#: The widest output cell each window size may have with the file browser open (a larger one means the layout changed).
OUTPUT_WIDTH = {1024: 600, 1400: 980}


def _check_layout(page, name: str, figures: int) -> None:
    """At the page's window size: no output wider than its cell, every figure's text 10 px or more, no squeezed table text;
    then a screenshot of each output, for a person to look at."""
    width = page.viewport_size["width"]
    layout = page.evaluate(LAYOUT, PANEL)
    where = f"{name} at {width} x {page.viewport_size['height']}"
    assert 0 < layout["outputWidth"] <= OUTPUT_WIDTH[width], f"{where}: output cells {layout['outputWidth']} px wide"
    assert not layout["overflowing"], f"{where}: wider than their cell: {layout['overflowing']}"
    assert len(layout["figureText"]) == figures and all(px >= 10 for px in layout["figureText"]), (
        f"{where}: {layout['figureText']}"
    )
    assert not layout["squeezedText"], f"{where}: {layout['squeezedText']}"
    _output_screenshots(page, name)


def _output_screenshots(page, name: str) -> None:
    """Each table, figure and widget output of the notebook at this window size, for a person to look at.

    The notebook scrolls inside its panel, so an output taller than the panel is taken in pieces
    (output-NN.png, output-NN-2.png, ...), each the part of it the panel shows, scrolled on in turn.
    """
    folder = SCREENSHOTS / f"{page.viewport_size['width']}x{page.viewport_size['height']}" / name
    shutil.rmtree(folder, ignore_errors=True)  # no stale pictures of outputs a lesson no longer has
    folder.mkdir(parents=True)
    outputs = page.locator(f"{PANEL} .jp-OutputArea-output:has(table, img, .casework-cards, .casework-widget)")
    for index in range(outputs.count()):
        output = outputs.nth(index)
        for piece in range(1, 40):
            clip = output.evaluate(_NEXT_PIECE, piece == 1)
            if clip is None:
                break
            page.screenshot(path=str(folder / f"output-{index + 1:02d}{'' if piece == 1 else f'-{piece}'}.png"), clip=clip)


# The part of an output its notebook's scroll panel shows, after scrolling the output's top to the panel's
# top (first piece) or scrolling on by what the last piece showed; null once the output's end was shown.
_NEXT_PIECE = """(output, first) => {
  let panel = output.parentElement;
  while (panel && !(panel.scrollHeight > panel.clientHeight && /auto|scroll/.test(getComputedStyle(panel).overflowY))) panel = panel.parentElement;
  const view = panel.getBoundingClientRect();
  if (first) {
    panel.scrollTop += output.getBoundingClientRect().top - view.top;
  } else {
    const before = output.getBoundingClientRect();
    if (before.bottom <= view.bottom + 1) return null;
    const top = panel.scrollTop;
    panel.scrollTop += view.height;
    if (panel.scrollTop === top) return null;
  }
  const box = output.getBoundingClientRect();
  const y = Math.max(box.top, view.top), bottom = Math.min(box.bottom, view.bottom);
  if (bottom - y < 2) return null;
  return {x: box.left, y, width: Math.min(box.width, view.right - box.left), height: bottom - y};
}"""


def _screenshot(page, name: str, summary: str, page_errors: list) -> None:
    """Save the page as SCREENSHOTS/NAME.png (it must hold a rendered notebook) and report it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"{summary}; screenshot: {shot}")
    if page_errors:
        print("uncaught errors in the page:", *page_errors, sep="\n")


def test_the_page_checks_find_what_they_guard(browser):
    """The layout measure and the axe scan, on a page made to break each rule once: each must report it."""
    page = browser.new_page(viewport=VIEWPORTS[0])
    try:
        page.set_content("""<html lang="en"><body><div data-casework-notebook="x">
          <div class="jp-MarkdownCell"><div class="jp-RenderedMarkdown"><p style="color:#bbbbbb">pale text</p></div></div>
          <div class="jp-OutputArea-output" style="width:300px;overflow:visible">
            <table class="casework-table" style="width:600px"><tr><th>a</th><td>wider than its cell</td></tr></table></div>
          <div class="jp-OutputArea-output" style="width:300px"><img src="data:image/png;base64,iVBORw0KGgo=" width="600" height="100" data-text-px="11" style="max-width:100%;height:auto"></div>
          <div class="jp-OutputArea-output"><div class="casework-scroll" style="overflow-x:auto">no label, no tab stop</div></div>
        </div></body></html>""")
        layout = page.evaluate(LAYOUT, PANEL)
        assert layout["overflowing"] == ["a\twider than its cell", "unlabelled scroll region"], layout["overflowing"]
        assert layout["figureText"] == [11 * 300 / 600]  # shrunk with its cell: 5.5 px
        found = accessibility_scan.scan(page, accessibility_scan.LESSON_CONTENT)
        assert {v["id"]: v["impact"] for v in found["violations"]} == {"image-alt": "critical", "color-contrast": "serious"}
    finally:
        page.close()


#: The exercise worked through, the student (the notebook's default id) and the question answered in the page.
EXERCISE, STUDENT, QUESTION = "timing", "demo", "q2"
NOT_ANSWERED = "not answered yet: replace `...` with your answer"
FORM_RIGHT = "the form is right"


def _stdout(outputs: list[dict]) -> str:
    return "".join(output["text"] for output in outputs if output["name"] == "stdout")


def _problems(outputs: list[dict]) -> list[str]:
    return [output["error"] or output["text"] for output in outputs if output["type"] == "error" or output["name"] == "stderr"]


def _cell_text(page, index: int) -> list[str]:
    """What the page shows of cell ``index``'s outputs."""
    return page.locator(f"{CELL.format(index=index)} .jp-OutputArea-output").all_inner_texts()


def _wait_for_text(page, index: int, text: str, source: str | None = None) -> None:
    """Until an output of cell ``index`` shows ``text`` (and, given ``source``, cell ``index - 1``'s editor shows it)."""
    page.wait_for_function(
        """([cell, editor, text, source]) => {
             const outputs = [...document.querySelectorAll(`${cell} .jp-OutputArea-output`)];
             const shown = source === null || (document.querySelector(`${editor} .cm-content`) || {}).innerText === source;
             return shown && outputs.some(o => o.innerText.includes(text));
           }""",
        arg=[CELL.format(index=index), CELL.format(index=index - 1), text, source],
        timeout=10_000,
    )


def test_student_exercise_self_check_in_jupyterlab(lab, browser, hootsuite):
    """coursework/release/timing.ipynb as a student works it: Run All, the variant, the self-checks, one answer."""
    from helpers.coursework.source import compile_checks, load_key
    from helpers.coursework.variants import assign

    variant = assign(EXERCISE, STUDENT, hootsuite)
    spec = next(question for question in load_key(EXERCISE)["questions"] if question["id"] == QUESTION)
    expected = compile_checks({"exercise": EXERCISE, "questions": [spec]})[QUESTION][0](hootsuite, variant)
    assert expected in spec["choices"], f"{QUESTION} is a category question: this test types each of {spec['choices']}"
    page = open_notebook(browser, lab, f"coursework/release/{EXERCISE}.ipynb")
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        result = run_all(page)
        assert result["cleared"], "Clear Outputs left outputs or execution counts behind"
        problems = [problem for cell in result["cells"] for problem in _problems(cell["outputs"])]
        assert not problems, "\n\n".join(problems)
        assert result["ok"], "Run All reports a failed cell"

        # The cells by their role: answer cells by metadata, each one's self-check by the question it checks.
        notebook = cells(page)
        answers = {cell["casework"]["question"]: cell["index"] for cell in notebook if (cell["casework"] or {}).get("question")}
        checks = {
            question: next(
                (
                    cell["index"]
                    for cell in notebook
                    if "self-check" in cell["tags"] and re.search(rf"exercise\.check\(\s*[\"']{question}[\"']", cell["source"])
                ),
                None,
            )
            for question in answers
        }
        assert QUESTION in answers, f"answer cells {answers}"
        assert all(checks[q] is not None and checks[q] > answers[q] for q in answers), (
            f"answer cells {answers}, self-checks {checks}"
        )
        assert checks[QUESTION] == answers[QUESTION] + 1, (
            "the self-check of the question answered here must follow its answer cell"
        )
        by_index = {cell["index"]: cell for cell in notebook}
        code_indices = [cell["index"] for cell in notebook if cell["type"] == "code"]
        run = dict(zip(code_indices, result["cells"], strict=True))
        counts = [cell["count"] for cell in result["cells"]]
        assert all(isinstance(count, int) for count in counts) and counts == sorted(set(counts)), f"execution counts {counts}"

        # The set-up cell shows the student's variant as a table, in the page.
        page.wait_for_selector(f"{PANEL} .jp-OutputArea-output .casework-variant table", timeout=30_000)
        shown = page.evaluate(f"""() => Object.fromEntries([...document.querySelectorAll('{PANEL} .casework-variant tr')]
                                     .map(row => [row.querySelector('th').innerText.trim(), row.querySelector('td').innerText.trim()]))""")
        assert shown == {key: str(value) for key, value in variant.items()}
        assert page.locator(f"{PANEL} .casework-variant").count() == 1

        # Every self-check ran and says that its question is not answered yet, in the kernel's output and on the page.
        for question, index in checks.items():
            assert "= ...  # your answer" in by_index[answers[question]]["source"], f"{question} is answered in the release"
            assert f"{question}: {NOT_ANSWERED}" in _stdout(run[index]["outputs"]), run[index]["outputs"]
            _wait_for_text(page, index, NOT_ANSWERED)

        # Type an answer of the right form into the answer cell, re-run it and its self-check: each choice,
        # the expected answer last. The message accepts the form and is the same for the right and the wrong one.
        last = max(counts)
        messages = {}
        for answer in sorted(spec["choices"], key=lambda choice: choice == expected):
            source = f"{QUESTION} = {json.dumps(answer)}  # your answer"
            edited = edit_and_run(page, answers[QUESTION], source, [answers[QUESTION], checks[QUESTION]])
            assert edited["source"] == source
            answer_run, check_run = edited["ran"]
            assert answer_run["ok"] and check_run["ok"], edited
            assert [answer_run["count"], check_run["count"]] == [last + 1, last + 2], edited
            last = check_run["count"]
            assert not _problems(answer_run["outputs"] + check_run["outputs"]), edited
            messages[answer] = _stdout(check_run["outputs"])
            assert messages[answer].startswith(f"{QUESTION}: {FORM_RIGHT}"), messages[answer]
            # The page shows the new text in the cell's editor and the new message under the self-check.
            _wait_for_text(page, checks[QUESTION], FORM_RIGHT, source)
            assert not any(NOT_ANSWERED in text for text in _cell_text(page, checks[QUESTION]))
        assert len(set(messages.values())) == 1, f"the self-check tells the answers apart: {messages}"
        message = messages[expected]
        assert not re.search(rf"\b{re.escape(expected)}\b", message, re.IGNORECASE), (
            f"the self-check reveals {expected!r}: {message}"
        )
        assert not any(
            re.search(rf"\b{re.escape(expected)}\b", text, re.IGNORECASE) for text in _cell_text(page, checks[QUESTION])
        )
        # The other self-checks were not touched.
        for question in answers.keys() - {QUESTION}:
            assert any(NOT_ANSWERED in text for text in _cell_text(page, checks[question]))

        page.locator(CELL.format(index=answers[QUESTION])).scroll_into_view_if_needed()
        _screenshot(
            page, f"coursework-{EXERCISE}", f"Run All {result['seconds']:.1f} s; {QUESTION} answered in the page", page_errors
        )
    finally:
        close_notebook(page)


def test_every_widget_notebook_is_a_lesson():
    """WIDGETS names lesson notebooks by their file stem: a renamed notebook must not drop out silently."""
    assert set(WIDGETS) <= {path.stem for path in lesson_notebooks()}
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+", stem) for stem in WIDGETS)
