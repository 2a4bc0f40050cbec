"""Execute the lesson notebooks for a case with papermill and render them as HTML handouts."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import nbformat

from .errors import ParameterError, did_you_mean
from .files import SHARED, atomic_write
from .params import PATH_PARAMETERS, check_values
from .paths import PACKAGE_DIR, lesson_notebooks

TEMPLATES_DIR = PACKAGE_DIR / "templates"


@dataclass
class NotebookResult:
    notebook: str
    ok: bool
    seconds: float
    executed: Path | None = None
    html: Path | None = None
    error: str = ""


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares (name -> papermill's description)."""
    # papermill takes about 2 s to import: loaded only when lessons are inspected or run, not for every casework command
    import papermill

    return papermill.inspect_notebook(str(path))


def declared_types(notebooks: list[Path]) -> dict[str, str]:
    """Every parameter the notebooks declare, with its type as written (``str``, ``list``, ``bool`` ...)."""
    types: dict[str, str] = {}
    for notebook in notebooks:
        for name, spec in notebook_parameters(notebook).items():
            types.setdefault(name, spec.get("inferred_type_name") or "")
    return types


def parse_value(name: str, text: str, kind: str = "") -> Any:
    """The value of ``-p NAME TEXT`` for a parameter declared as ``kind``; errors name the parameter.

    Text stays text; a ``list`` is written as JSON (``'["a", "b"]'``); a ``bool`` as true or false.
    Without a declared type the text is typed as papermill's own ``-p`` would type it.
    """
    lowered = text.strip().lower()
    if kind == "str":
        return text
    if kind == "bool":
        if lowered not in ("true", "false"):
            raise ParameterError(f"parameter {name!r}: {text!r} is not a boolean; write true or false")
        return lowered == "true"
    if kind == "list":
        example = f"write it as JSON, e.g. -p {name} '{_json_list_example(text)}'"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParameterError(
                f"parameter {name!r}: {text!r} is not a JSON list ({exc.msg} at character {exc.pos}); {example}"
            ) from None
        if not isinstance(value, list):
            raise ParameterError(f"parameter {name!r}: {text!r} is not a JSON list; {example}")
        return value
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise ParameterError(f"parameter {name!r}: {text!r} is not a number ({kind})") from None
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


def _json_list_example(text: str) -> str:
    """``text`` read as a comma-separated list and written as JSON, if it looks like one."""
    items = [item.strip().strip("'\"") for item in text.strip().strip("[]").split(",")]
    items = [item for item in items if item]
    return json.dumps(items if items and all(re.fullmatch(r"[\w .@/:-]+", item) for item in items) else ["a", "b"])


def prepare_parameters(
    pairs: list[tuple[str, str]] | list[list[str]], case, notebooks: list[Path] | None = None
) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs as checked notebook parameters, before any notebook runs.

    Each name must be declared by a lesson notebook (``case_id`` is given with ``--case``), each
    value is typed as its declaration says and checked as the notebooks check it
    (``params.check_values``), and a file path is made absolute. Raises ``ParameterError``.
    """
    types = declared_types(notebooks if notebooks is not None else lesson_notebooks())
    values: dict[str, Any] = {}
    for name, text in pairs:
        if name == "case_id":
            raise ParameterError("give the case with --case, not -p case_id")
        if name not in types:
            takes = sorted(set(types) - {"case_id"})
            raise ParameterError(
                f"unknown parameter {name!r}{did_you_mean(name, takes, n=1)}; the lesson notebooks take: {', '.join(takes)}"
            )
        values[name] = parse_value(name, text, types[name])
    check_values(values, case)
    for name in PATH_PARAMETERS:
        if values.get(name):
            values[name] = str(Path(values[name]).expanduser().resolve())
    return values


def plan_parameters(notebooks: list[Path], given: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Which of the given parameters each notebook receives; an unknown name is an error."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({name for params in declared.values() for name in params})
    for name in given:
        if name not in known:
            raise ParameterError(
                f"unknown parameter {name!r}{did_you_mean(name, known, n=1)}; the lesson notebooks take: {', '.join(known)}"
            )
    return {nb: {k: v for k, v in given.items() if k in declared[nb]} for nb in notebooks}


def render_html(notebook_path: Path, html_path: Path) -> None:
    """A self-contained HTML handout, readable by everyone who can reach its folder (0644).

    Images are embedded and no script is loaded from the network; each widget shows its static
    view; the page is titled with the lesson's title; papermill's injected cell becomes one
    "Parameters used" line.
    """
    from nbconvert import HTMLExporter  # about 2 s to import: loaded only when a handout is rendered

    notebook = handout_notebook(nbformat.read(notebook_path, as_version=4))
    exporter = HTMLExporter(template_name="handout", extra_template_basedirs=[str(TEMPLATES_DIR)], embed_images=True)
    body, _ = exporter.from_notebook_node(notebook)
    atomic_write(html_path, body, SHARED)


def handout_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` as a handout shows it: titled with its first level-1 heading, the injected parameters as one line."""
    notebook = nbformat.reads(nbformat.writes(notebook), as_version=4)  # a copy: the executed notebook is kept as run
    for cell in notebook.cells:
        heading = re.search(r"^# (.+)$", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
        if heading:
            notebook.metadata["title"] = heading.group(1).strip()
            break
    for index, cell in enumerate(notebook.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            used = notebook.metadata.get("papermill", {}).get("parameters") or _assigned(cell.source)
            line = "; ".join(f"`{name} = {value!r}`" for name, value in used.items())
            notebook.cells[index] = nbformat.v4.new_markdown_cell(
                f"**Parameters used:** {line}", metadata={"tags": ["casework-parameters"]}
            )
    return notebook


def _assigned(source: str) -> dict[str, str]:
    """``name = value`` lines of a cell, as written."""
    return dict(match.groups() for match in re.finditer(r"^(\w+) = (.+)$", source, re.MULTILINE))


#: What changes from run to run without changing what a lesson shows, and is kept out of committed notebooks.
VOLATILE_CELL_METADATA = ("execution", "papermill", "ExecuteTime", "collapsed", "scrolled")
VOLATILE_NOTEBOOK_METADATA = ("widgets", "papermill")
#: A widget's output names a model that exists only while its kernel runs (a new random id each run);
#: without the kernel the output shows its text/html, the widget's static view.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean_notebook(notebook: nbformat.NotebookNode) -> bool:
    """Strip what varies between runs (timings, widget state and model ids, the Python version); True if anything changed."""
    before = nbformat.writes(notebook)
    for key in VOLATILE_NOTEBOOK_METADATA:
        notebook.metadata.pop(key, None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}) and "text/html" in output["data"]:
                del output["data"][WIDGET_VIEW]
    return nbformat.writes(notebook) != before


def clean_notebook_files(paths: list[Path]) -> list[Path]:
    """Clean each notebook file in place (see ``clean_notebook``); the files that changed."""
    changed = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if clean_notebook(notebook):
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def refresh_lessons(notebooks: list[Path] | None = None, progress: TextIO = sys.stderr, timeout: int = 600) -> list[Path]:
    """Re-execute each lesson notebook in place with its default parameters and write back its cleaned outputs.

    The kernel runs in a throw-away folder, as papermill runs the lessons for ``casework run``; the
    outputs are what nbval then compares against. Returns the notebooks refreshed.
    """
    from nbclient import NotebookClient  # installed with papermill; needed only by this command

    done = []
    for path in notebooks if notebooks is not None else lesson_notebooks():
        print(f"refreshing {path.name} ...", end=" ", file=progress, flush=True)
        began = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory(prefix="casework-") as workdir:
            NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": workdir}},
                record_timing=False,
                store_widget_state=False,
                kernel_manager_class=unix_socket_kernels(workdir),
            ).execute()
        clean_notebook(notebook)
        nbformat.write(notebook, path)
        done.append(path)
        print(f"ok ({time.perf_counter() - began:.1f} s)", file=progress, flush=True)
    return done


def run_lessons(
    case: str,
    out_dir: Path,
    parameters: dict[str, Any] | None = None,
    notebooks: list[Path] | None = None,
    progress: TextIO = sys.stderr,
    timeout: int = 600,
) -> list[NotebookResult]:
    """Execute each lesson notebook for ``case`` into ``out_dir``; one failure does not stop the rest."""
    # papermill takes about 2 s to import: loaded only when lessons are inspected or run, not for every casework command
    import papermill

    notebooks = notebooks if notebooks is not None else lesson_notebooks()
    plan = plan_parameters(notebooks, dict(parameters or {}))
    executed_dir, html_dir = out_dir / "notebooks", out_dir / "handouts"
    executed_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for number, notebook in enumerate(notebooks, start=1):
        print(f"[{number}/{len(notebooks)}] {notebook.name} ...", end=" ", file=progress, flush=True)
        began = time.perf_counter()
        target = executed_dir / notebook.name
        params = {"case_id": case, **plan[notebook]} if "case_id" in notebook_parameters(notebook) else plan[notebook]
        try:
            with tempfile.TemporaryDirectory(prefix="casework-") as workdir:
                papermill.execute_notebook(
                    str(notebook),
                    str(target),
                    parameters=params,
                    kernel_name="python3",
                    progress_bar=False,
                    cwd=workdir,
                    execution_timeout=timeout,
                    kernel_manager_class=unix_socket_kernels(workdir),
                )
            html = html_dir / (notebook.stem + ".html")
            render_html(target, html)
            result = NotebookResult(notebook.name, True, time.perf_counter() - began, target, html)
        except Exception as exc:  # report and go on with the next notebook
            message = _short_error(exc)
            result = NotebookResult(
                notebook.name, False, time.perf_counter() - began, target if target.exists() else None, error=message
            )
        print(f"{'ok' if result.ok else 'FAILED'} ({result.seconds:.1f} s)", file=progress, flush=True)
        if not result.ok:
            print(f"    {result.error}", file=progress)
        results.append(result)
    return results


def unix_socket_kernels(workdir: str) -> type:
    """A kernel manager whose kernels talk over Unix sockets in ``workdir`` instead of TCP ports.

    Nothing outside this user can connect to them, and ipykernel no longer prints its "running
    over TCP without encryption" warning into the middle of the progress lines (the grader's
    kernels use the same transport, see ``coursework/sandbox.py``).

    jupyter_client also interrupts a kernel before asking it to shut down. Papermill shuts a
    kernel down after its last cell, when there is nothing to interrupt: the signal only raced
    with the kernel's last messages and sometimes printed "ERROR | KeyboardInterrupt caught in
    kernel" among the progress lines, so it is not sent while shutting down. A kernel still busy
    then (a cell over the time limit) is terminated by jupyter_client after its shutdown wait,
    about two seconds later than an interrupt would have stopped it.
    """
    from jupyter_client.manager import AsyncKernelManager  # needed only when lessons run, like papermill

    class UnixSocketKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(workdir, ".kernel")

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return UnixSocketKernelManager


def _short_error(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        return f"{ename}: {evalue}" + (f" (cell [{cell}])" if cell else "")
    return f"{type(exc).__name__}: {exc}"
