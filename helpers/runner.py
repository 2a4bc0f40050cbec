"""Execute the lesson notebooks for a case with papermill and render them as HTML handouts."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import nbformat

from .errors import ParameterError
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
    import papermill

    return papermill.inspect_notebook(str(path))


def parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value as papermill's command line types it."""
    lowered = text.lower()
    if text.startswith("[") and text.endswith("]"):
        import json

        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ParameterError(f"{text!r} is not a list: write it as JSON, e.g. '[\"a\", \"b\"]'") from None
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def plan_parameters(notebooks: list[Path], given: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Which of the given parameters each notebook receives; an unknown name is an error."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = sorted({name for params in declared.values() for name in params})
    for name in given:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(f"unknown parameter {name!r}{hint}; the lesson notebooks take: {', '.join(known)}")
    return {nb: {k: v for k, v in given.items() if k in declared[nb]} for nb in notebooks}


def render_html(notebook_path: Path, html_path: Path) -> None:
    """A self-contained HTML handout: images embedded, no script loaded from the network."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="handout", extra_template_basedirs=[str(TEMPLATES_DIR)], embed_images=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
    _atomic_write(html_path, body)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def run_lessons(
    case: str,
    out_dir: Path,
    parameters: dict[str, Any] | None = None,
    notebooks: list[Path] | None = None,
    progress: TextIO = sys.stderr,
    timeout: int = 600,
) -> list[NotebookResult]:
    """Execute each lesson notebook for ``case`` into ``out_dir``; one failure does not stop the rest."""
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
                    str(notebook), str(target), parameters=params, kernel_name="python3",
                    progress_bar=False, cwd=workdir, execution_timeout=timeout,
                )
            html = html_dir / (notebook.stem + ".html")
            render_html(target, html)
            result = NotebookResult(notebook.name, True, time.perf_counter() - began, target, html)
        except Exception as exc:  # report and go on with the next notebook
            message = _short_error(exc)
            result = NotebookResult(notebook.name, False, time.perf_counter() - began, target if target.exists() else None, error=message)
        print(f"{'ok' if result.ok else 'FAILED'} ({result.seconds:.1f} s)", file=progress, flush=True)
        if not result.ok:
            print(f"    {result.error}", file=progress)
        results.append(result)
    return results


def _short_error(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        return f"{ename}: {evalue}" + (f" (cell [{cell}])" if cell else "")
    return f"{type(exc).__name__}: {exc}"
