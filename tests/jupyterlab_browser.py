"""Drive the lesson notebooks in a real JupyterLab through a real headless Chromium.

Shared by ``tests/test_browser.py`` (the classroom check) and ``benchmarks/bench_widgets.py`` (widget
response times). Debian's Chromium (``/usr/bin/chromium``, or the browser that $CASEWORK_CHROMIUM names)
and the Python ``playwright`` package are used; ``playwright install`` (which downloads a browser) is
never needed.

Why the waits are on JupyterLab's own objects and not on what the page shows (seen with JupyterLab
4.6): while a notebook opens, its execution indicator says "idle" before any kernel
exists, and the first code cell is in the page while the rest of the notebook is still loading. Waits
on those pass at once; Clear Outputs and Run All then come too early. A Run All before the session
has its kernel opens the "Select Kernel" dialog and runs nothing (the prompts stay ``[ ]``: the
timeout), and a Clear Outputs before the notebook has loaded clears nothing, so the saved prompts
``[1]``... come back and satisfy a wait for numeric prompts (a pass without a run). Besides, a new
page restores the notebooks that earlier pages opened (JupyterLab's workspace), so page-wide
selectors mixed two notebooks, and the lessons show static copies of each widget's view, with the
same CSS classes, above the widget.

So: every notebook opens in a fresh workspace (``?reset``); the waits are for the notebook's context
and kernel session to be ready and its kernel idle, through ``window.jupyterapp`` (which
``--LabApp.expose_app_in_browser`` provides); Clear Outputs and Run All are the commands behind the
Edit and Run menus, and the test awaits Run All's own end; cells are never windowed out of the page;
and every DOM query is limited to the notebook under test and to the widget's own view.

A student exercise is worked the same way, and then one cell at a time: ``cells`` finds cells by
their metadata and marks each in the page with its index; ``edit_and_run`` sets a cell's text in
its editor's shared model (what typing changes; keystrokes into CodeMirror would also get
auto-closed brackets and quotes) and runs cells with the Run menu's command, awaiting each run
as ``run_all`` awaits Run All.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

CHROMIUM = Path(os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium"))  # Debian's; another Chromium or Chrome by path
# fmt: off
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
# fmt: on
VIEWPORT = {"width": 1024, "height": 768}  # a classroom laptop; JupyterLab leaves 592 px of output with the file browser open
#: The notebook under test carries this attribute (set by ``open_notebook``); every DOM query is limited to it.
PANEL = "[data-casework-notebook]"
#: The cell ``index`` of the notebook under test, once ``cells`` has marked them: ``CELL.format(index=3)``.
CELL = PANEL + ' [data-casework-cell="{index}"]'
RESPONSE_TARGET_MS = 100

# JupyterLab user settings for the throw-away server: every cell stays in the page (no windowing, so
# off-screen cells are neither missing nor stale), the kernel starts without asking, no news or
# update checks (there is no network).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}


def unavailable() -> str | None:
    """Why the browser checks cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` (Debian) to enable the browser tests"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: `pip install -e '.[test]'` installs it"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(url: str, method: str = "GET", timeout: float = 2) -> int:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


@contextmanager
def jupyterlab(root: Path, notebooks: Path, timeout: float = 60, also: tuple[Path, ...] = ()) -> Iterator[str]:
    """A JupyterLab server on a free loopback port serving a copy of ``notebooks`` in ``root``.

    ``notebooks`` is served as ``notebooks/``; each folder in ``also`` (the coursework, say) is
    copied beside it under its own name. Yields the base URL. The server has its own config, data,
    runtime and settings folders in ``root`` and stops (with its kernels) when the block ends,
    whatever happened inside it.
    """
    for source, name in [(notebooks, "notebooks"), *((folder, folder.name) for folder in also)]:
        shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    config = root / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(PAGE_CONFIG), encoding="utf-8")
    settings_dir = root / "lab-user-settings"
    for name, values in SETTINGS.items():
        (settings_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (settings_dir / name).write_text(json.dumps(values), encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_DATA_DIR=str(root / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(root / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(root / "lab-workspaces"),
    )
    log_path = root / "server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--allow-root",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port_retries=0",
                "--IdentityProvider.token=",
                "--ServerApp.password=",
                "--ServerApp.disable_check_xsrf=True",
                f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=root,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if _request(f"{url}/api/status") == 200:
                        break
                except (OSError, urllib.error.URLError):
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start; the end of its log:\n{log_path.read_text(encoding='utf-8')[-3000:]}"
                    )
                time.sleep(0.2)
            yield url
        finally:
            _stop(server, url)


def _stop(server: subprocess.Popen, url: str) -> None:
    """Ask the server to shut down (it shuts its kernels down first); terminate, then kill, if it does not."""
    if server.poll() is None:
        try:
            _request(f"{url}/api/shutdown", method="POST", timeout=5)
        except (OSError, urllib.error.URLError):
            pass
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


@contextmanager
def chromium():
    """Debian's Chromium, headless, through Playwright; closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- one notebook -------------------------------------------------------------------------------

# The scripts below run in the page and give up after their deadline instead of hanging the test run.
_WITH_DEADLINE = """const withDeadline = (promise, ms, what) => Promise.race([promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms))]);"""

_READY = (
    """async ([path, timeoutMs]) => {
  %s
  const app = window.jupyterapp;
  const pause = () => new Promise(resolve => setTimeout(resolve, 50));
  return await withDeadline((async () => {
    await app.restored;
    let panel = null;
    while (!(panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path))) await pause();
    await panel.context.ready;
    await panel.sessionContext.ready;
    let kernel = null;
    while (!(kernel = panel.sessionContext.session && panel.sessionContext.session.kernel) || kernel.status !== 'idle') await pause();
    await kernel.info;
    app.shell.activateById(panel.id);
    panel.node.setAttribute('data-casework-notebook', path);
    return {kernel: kernel.name, cells: panel.content.widgets.length};
  })(), timeoutMs, `opening ${path} with an idle kernel`);
}"""
    % _WITH_DEADLINE
)

# The notebook under test (``open_notebook`` made it the current widget and marked it).
_CURRENT = """const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  if (!panel || !panel.node.hasAttribute('data-casework-notebook')) throw new Error('the notebook under test is not the current widget');"""

# A code cell's outputs, summarised: type, stream name, mime types, error, stream text, number of HTML tables.
_OUTPUTS = """const outputs = cell => cell.model.outputs.toJSON().map(o => ({
    type: o.output_type, name: o.name || null, mimes: Object.keys(o.data || {}),
    error: o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : null,
    text: o.output_type === 'stream' ? String(o.text).slice(0, 2000) : null,
    tables: String((o.data || {})['text/html'] || '').split('<table').length - 1,
  }));"""

_RUN_ALL = """async (timeoutMs) => {
  %s
  %s
  %s
  const code = () => panel.content.widgets.filter(cell => cell.model.type === 'code');
  await app.commands.execute('notebook:clear-all-cell-outputs');
  const cleared = code().every(cell => cell.model.outputs.length === 0 && cell.model.executionCount === null);
  const started = performance.now();
  const ok = await withDeadline(app.commands.execute('notebook:run-all-cells'), timeoutMs, 'Run All');
  const seconds = (performance.now() - started) / 1000;
  return {cleared, ok, seconds, cells: code().map(cell => ({count: cell.model.executionCount, outputs: outputs(cell)}))};
}""" % (_WITH_DEADLINE, _CURRENT, _OUTPUTS)

# Every cell of the notebook under test, in order: what a test needs to find a cell by its role. Each
# cell's node is marked with its index (``data-casework-cell``) for DOM queries (see ``CELL``).
_CELLS = (
    """() => {
  %s
  return panel.content.widgets.map((cell, index) => (cell.node.setAttribute('data-casework-cell', String(index)), {
    index, type: cell.model.type, source: cell.model.sharedModel.getSource(),
    tags: cell.model.getMetadata('tags') || [], casework: cell.model.getMetadata('casework') || null,
  }));
}"""
    % _CURRENT
)

# Replace one cell's text in its editor's shared model (what typing into the cell changes), then run
# the given cells one at a time, as Shift+Enter would: each is made the active, only selected cell
# and the Run menu's "Run Selected Cell" command runs it; its promise ends with the cell's execution.
_EDIT_AND_RUN = """async ([index, source, run, timeoutMs]) => {
  %s
  %s
  %s
  const notebook = panel.content;
  const edited = notebook.widgets[index];
  if (!edited) throw new Error(`the notebook has no cell ${index}`);
  edited.editor.model.sharedModel.setSource(source);
  const ran = [];
  for (const i of run) {
    const cell = notebook.widgets[i];
    if (!cell || cell.model.type !== 'code') throw new Error(`cell ${i} is not a code cell`);
    notebook.activeCellIndex = i;
    notebook.deselectAll();
    const ok = await withDeadline(app.commands.execute('notebook:run-cell'), timeoutMs, `running cell ${i}`);
    ran.push({index: i, ok, count: cell.model.executionCount, outputs: outputs(cell)});
  }
  return {source: edited.model.sharedModel.getSource(), ran};
}""" % (_WITH_DEADLINE, _CURRENT, _OUTPUTS)

_SHUTDOWN = (
    """async () => {
  %s
  const panel = window.jupyterapp.shell.currentWidget;
  if (panel && panel.node.hasAttribute('data-casework-notebook') && panel.sessionContext)
    await withDeadline(panel.sessionContext.shutdown(), 10000, 'kernel shutdown');
}"""
    % _WITH_DEADLINE
)

# Counted in the notebook under test once the outputs are in the page.
_RENDERED = """(panel) => {
  const root = document.querySelector(panel);
  const outputs = [...root.querySelectorAll('.jp-OutputArea-output')];
  return {
    prompts: [...root.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim()),
    stderr: [...root.querySelectorAll(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")].map(e => e.innerText.slice(0, 2000)),
    tables: root.querySelectorAll('.jp-OutputArea-output table').length,
    images: [...root.querySelectorAll('.jp-OutputArea-output img')].filter(img => img.complete && img.naturalWidth > 0).length,
    alts: [...root.querySelectorAll('.jp-OutputArea-output img')].map(img => img.getAttribute('alt')),
    widgets: root.querySelectorAll('.jp-OutputArea-output .casework-widget').length,
    widgetProblems: outputs.map(o => o.innerText).filter(t => /Error displaying widget|Loading widget/i.test(t)).map(t => t.slice(0, 500)),
  };
}"""


def open_notebook(browser, url: str, path: str, timeout: float = 60):
    """A new page with ``path`` (relative to the server root) open in a fresh workspace, its kernel idle."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{url}/lab/tree/{path}?reset", wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.restored", timeout=timeout * 1000)
        page.evaluate(_READY, [path, timeout * 1000])
    except BaseException:
        page.close()
        raise
    return page


def run_all(page, timeout: float = 120) -> dict:
    """Clear every output, Run All (the Edit and Run menus' commands) and wait for the run to finish.

    Returns ``cleared`` (whether Clear Outputs emptied every code cell), ``ok`` (Run All's own verdict:
    false when a cell failed), ``seconds`` and, for every code cell, its execution count and outputs
    (type, stream name, mime types, error, stream text, number of HTML tables).
    """
    return page.evaluate(_RUN_ALL, timeout * 1000)


def cells(page) -> list[dict]:
    """Every cell of the notebook under test: ``index``, ``type``, ``source``, ``tags`` and ``casework`` metadata.

    Marks each cell in the page with its index, so that ``CELL`` finds it (the cells opened with the
    notebook; a cell added later is not marked).
    """
    return page.evaluate(_CELLS)


def edit_and_run(page, index: int, source: str, run: list[int], timeout: float = 60) -> dict:
    """Give cell ``index`` the text ``source`` through its editor, then run the cells ``run`` in turn.

    Returns the edited cell's ``source`` as the notebook now holds it and, for each cell run, ``ok``
    (the run command's verdict), its execution ``count`` and its ``outputs`` (as in ``run_all``).
    """
    return page.evaluate(_EDIT_AND_RUN, [index, source, run, timeout * 1000])


def close_notebook(page) -> None:
    """Shut the notebook's kernel down and close the page (each step best-effort: this runs in ``finally``)."""
    try:
        page.evaluate(_SHUTDOWN)
    except Exception:  # noqa: BLE001 - the page may be broken already; the server shuts the kernel down at the end anyway
        pass
    finally:
        page.close()


def rendered(page, widgets: int, timeout: float = 30) -> dict:
    """What the page shows of the notebook under test, once its ``widgets`` widgets are drawn and every image is loaded."""
    page.wait_for_function(
        f"""() => {{ const r = ({_RENDERED})({json.dumps(PANEL)});
                                        return r.widgets >= {int(widgets)} && r.widgetProblems.length === 0; }}""",
        timeout=timeout * 1000,
    )
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{PANEL} .jp-OutputArea-output img')].every(i => i.complete)",
        timeout=timeout * 1000,
    )
    return page.evaluate(_RENDERED, PANEL)


def count_outputs(cells: list[dict], mime: str) -> int:
    """How many outputs of ``run_all``'s cells carry ``mime``."""
    return sum(mime in output["mimes"] for cell in cells for output in cell["outputs"])


# Measured in a page, inside the element the selector names (the notebook under test, or a handout's body): outputs
# wider than their cell (outside a scroll region), the displayed size of
# each figure's smallest text, and long table cells squeezed narrower than 15 em.
LAYOUT = """(panel) => {
  const root = document.querySelector(panel);
  const outputs = [...root.querySelectorAll('.jp-OutputArea-output')];
  const inScroll = e => e.closest('.casework-scroll') !== null;
  const overflowing = outputs.filter(o => o.scrollWidth > o.clientWidth + 1)
    .filter(o => [...o.querySelectorAll('*')].some(e => !inScroll(e) && e.getBoundingClientRect().right > o.getBoundingClientRect().right + 1))
    .map(o => o.innerText.slice(0, 80));
  const regions = [...root.querySelectorAll('.casework-scroll')].filter(r => !(r.tabIndex === 0 && r.getAttribute('aria-label')));
  const figureText = [...root.querySelectorAll('.jp-OutputArea-output img[data-text-px]')]
    .map(img => Number(img.dataset.textPx) * img.getBoundingClientRect().width / Number(img.getAttribute('width')));
  const em = parseFloat(getComputedStyle(root).fontSize);
  const squeezedText = [...root.querySelectorAll('.casework-table td')]
    .filter(td => td.innerText.length > 80 && td.getBoundingClientRect().width < 15 * em).map(td => td.innerText.slice(0, 60));
  return {outputWidth: outputs.length ? Math.max(...outputs.map(o => o.clientWidth)) : 0,
          overflowing: [...overflowing, ...regions.map(r => 'unlabelled scroll region')], figureText, squeezedText};
}"""


# --- widget interactions, timed in the browser ------------------------------------------------------

# Armed before an interaction: records when the first trigger event of the interaction fires and
# when ``attr`` of ``selector`` (inside the notebook) first differs from its value now.
_ARM = """([panel, selector, attr, triggers]) => {
  const root = document.querySelector(panel);
  const current = () => { const e = root.querySelector(selector); return e ? e.getAttribute(attr) : null; };
  const probe = {old: current(), armed: performance.now(), start: null, end: null, value: null};
  const onTrigger = event => { if (probe.start === null) probe.start = event.timeStamp; };
  const done = () => { observer.disconnect(); triggers.forEach(t => root.removeEventListener(t, onTrigger, true)); };
  const observer = new MutationObserver(() => {
    const value = current();
    if (value !== null && value !== probe.old) { probe.end = performance.now(); probe.value = value; done(); }
  });
  triggers.forEach(t => root.addEventListener(t, onTrigger, true));
  observer.observe(root, {subtree: true, childList: true, attributes: true});
  window.__caseworkProbe = probe;
  return probe.old;
}"""


@dataclass(frozen=True)
class Response:
    before: str | None
    after: str
    ms: float  # from the interaction's first event to the changed view in the page


def timed_change(
    page, selector: str, attribute: str, triggers: list[str], act: Callable[[], None], timeout: float = 30
) -> Response:
    """Do ``act`` and wait until ``selector``'s ``attribute`` changes in the notebook; the time it took, in the page."""
    before = page.evaluate(_ARM, [PANEL, selector, attribute, triggers])
    act()
    page.wait_for_function("() => window.__caseworkProbe.end !== null", timeout=timeout * 1000)
    probe = page.evaluate("() => window.__caseworkProbe")
    start = probe["start"] if probe["start"] is not None else probe["armed"]
    return Response(before, probe["value"], probe["end"] - start)


def _option_id(label: str) -> str:
    """A dropdown label starts with the id (``keiser-public-closing — Speaker``, ``claim-id: proposition``)."""
    return re.split(r"[\s:]", label.replace("\xa0", " "), maxsplit=1)[0]


_ACTIVE_CELL = """() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"""


def _choose(page, view: str, attribute: str, count: int) -> list[Response]:
    """Step the widget's select through ``count`` other entries with the arrow keys, as a keyboard user does.

    Each key must change the view to its entry, and must not reach the notebook: the active cell stays.
    """
    select = page.locator(f"{PANEL} .casework-widget:has({view}) select").first
    select.scroll_into_view_if_needed()
    labels = select.locator("option").all_inner_texts()
    assert len(labels) > 1, f"the select beside {view} has {len(labels)} entries"
    select.focus()
    cell = page.evaluate(_ACTIVE_CELL)
    responses = []
    for _ in range(count):
        current = select.evaluate("s => s.selectedIndex")
        key, index = ("ArrowDown", current + 1) if current + 1 < len(labels) else ("ArrowUp", current - 1)
        expected = _option_id(labels[index])
        response = timed_change(page, f".casework-view {view}", attribute, ["keydown"], lambda key=key: select.press(key))
        assert response.after == expected, f"{key} chose {expected!r}, the view shows {response.after!r}"
        assert page.evaluate(_ACTIVE_CELL) == cell, f"{key} on the select moved the notebook to another cell"
        responses.append(response)
    return responses


def statement_explorer(page, count: int) -> list[Response]:
    """Notebook 02: choose a statement with the arrow keys; the highlighted text shows that statement."""
    return _choose(page, ".statement-view", "data-statement", count)


def claim_explorer(page, count: int) -> list[Response]:
    """Notebook 04: choose a claim with the arrow keys; the stance table shows that claim."""
    return _choose(page, ".claim-view", "data-claim", count)


def public_knowledge_explorer(page, count: int) -> list[Response]:
    """Notebook 03: move the time slider with the keyboard; "public at this time" moves with it, and the slider says the time."""
    handle = page.locator(f"{PANEL} .casework-widget:has(.public-view) input[type=range]").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    assert page.evaluate("(e) => e.labels[0].textContent", handle.element_handle()) == "As of"
    responses = []
    for _ in range(count):
        now, top = (float(handle.get_attribute(a) if a == "max" else handle.input_value()) for a in ("value", "max"))
        key = "ArrowLeft" if now >= top else "ArrowRight"
        response = timed_change(
            page, ".casework-view .public-view h3", "data-as-of", ["keydown"], lambda key=key: handle.press(key)
        )
        earlier, later = (datetime.fromisoformat(v) for v in (response.before, response.after))
        assert (later > earlier) == (key == "ArrowRight"), f"{key} moved the view from {response.before} to {response.after}"
        valuetext = handle.get_attribute("aria-valuetext")
        assert re.search(r"\d\d:\d\d", valuetext), f"the slider announces {valuetext!r}, not a time"
        responses.append(response)
    return responses


# fmt: off
DRAFT_SENTENCES = [
    "We are sorry.",
    "We have ended the order and we will report back to staff tomorrow.",
    "We made this decision too quickly and without asking the people it affects.",
    "Our chief executive will answer questions from staff on Friday.",
    "We will publish what we have learned.",
]
# fmt: on


def drafting_lab(page, count: int) -> list[Response]:
    """Notebook 05: type a draft into the drafting lab; the analysis below counts its words."""
    from helpers import load_case
    from helpers.coding import analyse_draft

    case = load_case("hootsuite-ice-2020")
    area = page.locator(f"{PANEL} .casework-widget:has(.draft-report) textarea").first
    area.scroll_into_view_if_needed()
    responses = []
    for step in range(count):
        draft = " ".join(DRAFT_SENTENCES[: 1 + step % len(DRAFT_SENTENCES)])
        if step % len(DRAFT_SENTENCES) == 0 and step:
            draft += " Thank you."  # never the same word count twice in a row

        def type_draft(text=draft):
            area.fill(text)
            area.press("Tab")  # the lab updates when the text area loses focus (continuous_update=False)

        response = timed_change(page, ".casework-view .draft-report", "data-words", ["change"], type_draft)
        expected = analyse_draft(case, draft).words
        assert response.after == str(expected), f"typed a {expected}-word draft, the analysis counts {response.after}"
        responses.append(response)
    return responses


#: Each lesson notebook's widget and how to exercise it (notebook 01 has none).
WIDGETS: dict[str, tuple[str, Callable]] = {
    "02-statement-wording": ("statement explorer", statement_explorer),
    "03-timing-of-the-response": ("public-knowledge slider", public_knowledge_explorer),
    "04-contradictions": ("claim explorer", claim_explorer),
    "05-response-strategies": ("drafting lab", drafting_lab),
}


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank, so p95 of 20 values is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)] if ordered else float("nan")


def summary(name: str, ms: list[float]) -> str:
    p95 = percentile(ms, 0.95)
    return (
        f"{name}: {len(ms)} interactions, median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {max(ms):.0f} ms "
        f"(target p95 <= {RESPONSE_TARGET_MS} ms: {'met' if p95 <= RESPONSE_TARGET_MS else 'NOT met'})"
    )
