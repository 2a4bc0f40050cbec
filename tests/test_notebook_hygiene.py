"""Committed lesson notebooks stay clean in git: each figure stored once, no timings, widget state or
other volatile metadata; the pre-commit hook and `casework refresh --clean-only` strip them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.paths import lesson_notebooks
from helpers.runner import VOLATILE_CELL_METADATA, VOLATILE_NOTEBOOK_METADATA, WIDGET_VIEW, clean_notebook
from tests.conftest import PROJECT_DIR

IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")


def volatile(notebook) -> list[str]:
    """What in ``notebook`` varies from run to run without changing what it shows."""
    found = [f"notebook metadata {key!r}" for key in VOLATILE_NOTEBOOK_METADATA if key in notebook.metadata]
    if "version" in notebook.metadata.get("language_info", {}):
        found.append("the Python version in language_info")
    for index, cell in enumerate(notebook.cells):
        found += [f"cell {index} metadata {key!r}" for key in VOLATILE_CELL_METADATA if key in cell.metadata]
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                found.append(f"cell {index}: a widget model id")
            if any(mime in output.get("data", {}) for mime in IMAGE_MIMES):
                found.append(f"cell {index}: a figure stored as an image output (it is stored once, in its <img>)")
    return found


@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda p: p.stem)
def test_committed_lessons_hold_nothing_volatile(notebook):
    assert volatile(nbformat.read(notebook, as_version=4)) == []


def _dirty(tmp_path: Path) -> Path:
    """A lesson notebook with what an execution in JupyterLab or nbclient leaves in it."""
    notebook = nbformat.read(lesson_notebooks()[2], as_version=4)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    code.metadata["execution"] = {"iopub.status.busy": "2026-12-06T22:16:12.679137Z"}
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            {"text/html": "<p>view</p>", "text/plain": "<view>", WIDGET_VIEW: {"model_id": "3105bdadd4274fd89763ec17e7dc3de3"}},
        )
    ]
    path = tmp_path / "dirty.ipynb"
    nbformat.write(notebook, path)
    return path


def test_cleaning_strips_what_varies_and_keeps_what_is_shown(tmp_path):
    notebook = nbformat.read(_dirty(tmp_path), as_version=4)
    assert len(volatile(notebook)) == 4
    assert clean_notebook(notebook) is True
    assert volatile(notebook) == []
    code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert code.outputs[0]["data"] == {"text/html": "<p>view</p>", "text/plain": "<view>"}
    assert notebook.metadata["language_info"] == {"name": "python"} and notebook.metadata["kernelspec"]["name"] == "python3"
    assert clean_notebook(notebook) is False  # nothing left to strip


def test_the_pre_commit_hook_cleans_a_notebook(tmp_path):
    """The hook in .pre-commit-config.yaml, run as pre-commit runs it: its entry with the staged files appended."""
    config = yaml.safe_load((PROJECT_DIR / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == "clean-notebooks"]
    assert hook["language"] == "system" and hook["files"] == r"\.ipynb$"
    command = hook["entry"].split()
    assert command[0] == "casework"
    executable = shutil.which("casework", path=str(Path(sys.executable).parent))
    path = _dirty(tmp_path)
    result = subprocess.run([executable, *command[1:], str(path)], capture_output=True, text=True, check=True)
    assert f"cleaned {path}" in result.stdout
    assert volatile(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("clean_only", [False, True], ids=["refresh", "clean-only"])
def test_refresh_refuses_a_path_that_is_not_a_notebook_and_touches_nothing(tmp_path, capsys, clean_only):
    from helpers.cli import main

    notebook = tmp_path / "01-lesson.ipynb"
    shutil.copy(lesson_notebooks()[0], notebook)
    before = notebook.read_bytes()
    text = tmp_path / "notes.md"
    text.write_text("not a notebook", encoding="utf-8")
    extra = ["--clean-only"] if clean_only else []
    assert main(["refresh", *extra, str(notebook), str(text)]) == 2
    assert f"{text} is not a notebook (.ipynb)" in capsys.readouterr().err
    assert main(["refresh", *extra, str(notebook), "01-case-overview.ipynb"]) == 2
    assert "no notebook file 01-case-overview.ipynb (give paths" in capsys.readouterr().err
    assert notebook.read_bytes() == before
