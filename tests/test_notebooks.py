"""Every lesson notebook, executed by papermill with non-default parameters, says the right things."""

from __future__ import annotations

import json

import nbformat
import papermill
import pytest

from helpers.paths import lesson_notebooks
from tests.conftest import FICTIONAL_CASE

LESSONS = lesson_notebooks()


def run(notebook, tmp_path, **parameters):
    output = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path), execution_timeout=300)
    return nbformat.read(output, as_version=4)


def outputs_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for kind in ("text/plain", "text/html", "text/markdown"):
                parts.append(output.get("data", {}).get(kind, ""))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def test_there_are_lesson_notebooks():
    assert [nb.name for nb in LESSONS][:1] == ["01-case-overview.ipynb"]


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_in_utc(notebook, tmp_path):
    executed = run(notebook, tmp_path, display_timezone="UTC")
    text = outputs_text(executed)
    assert "Traceback" not in text
    if notebook.stem == "01-case-overview":
        # The thread's opening tweet, derived from its id, shown in UTC to the second.
        assert "2020-09-23 23:51:47 UTC" in text
        # The CEO's email "shortly after 9 pm" Pacific is the hour 04:00-05:00 UTC the next day.
        assert "2020-09-24 04:00–05:00 UTC" in text
        assert "times shown in UTC" in text


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_unchanged_on_a_second_case(notebook, tmp_path):
    executed = run(notebook, tmp_path, case_id=str(FICTIONAL_CASE), display_timezone="Europe/London")
    text = outputs_text(executed)
    assert "This case is fictional" in text or notebook.stem != "01-case-overview"
    assert "Northsound Ferries" in text
    assert "Hootsuite" not in text


def test_mistyped_parameter_stops_the_run(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(LESSONS[0], tmp_path, display_timezon="UTC")
    assert caught.value.ename == "ParameterError"
    assert "unknown parameter 'display_timezon'" in caught.value.evalue


def test_bad_zone_stops_the_run(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(LESSONS[0], tmp_path, display_timezone="Pacific")
    assert "unknown time zone 'Pacific'" in caught.value.evalue


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean(notebook):
    """Committed with outputs, a parameters cell written name: type = default, clean metadata."""
    raw = notebook.read_text(encoding="utf-8")
    nb = json.loads(raw)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("outputs") is not None for c in code) and any(c["outputs"] for c in code)
    parameters = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(parameters) == 1
    assert all(":" in line.split("=")[0] and "#" in line for line in "".join(parameters[0]["source"]).splitlines() if line.strip())
    assert "injected-parameters" not in raw and "/home/" not in raw and "/root/" not in raw and "../data" not in raw
    headings = [line for c in nb["cells"] if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines() if line.startswith("# ")]
    assert len(headings) == 1
    declared = papermill.inspect_notebook(str(notebook))
    assert "case_id" in declared and all(p["help"] for p in declared.values())
