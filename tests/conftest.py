"""Shared fixtures: the built-in case, the fictional test case, and editable copies of it."""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parent
FICTIONAL_CASE = TESTS_DIR / "cases" / "harbour-ferry-2023"
SHARED_FACTS = PROJECT_DIR.parent / "shared" / "case" / "FACTS.md"


@pytest.fixture(scope="session")
def hootsuite():
    from helpers import load_case

    return load_case("hootsuite-ice-2020")


@pytest.fixture(scope="session")
def fictional():
    from helpers import load_case

    return load_case(FICTIONAL_CASE)


@pytest.fixture
def case_copy(tmp_path) -> Path:
    """A writable copy of the fictional case (folder name kept, so case_id still matches)."""
    target = tmp_path / FICTIONAL_CASE.name
    shutil.copytree(FICTIONAL_CASE, target)
    return target


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# The hostile and broken submissions are inputs of tests/test_grading.py, run only inside its
# sandbox: nbval must never collect (let alone execute) them as notebooks of their own.
collect_ignore_glob = ["submissions/*"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Where CASEWORK_REQUIRE_BROWSER=1 (CI), a skipped browser test is a failed one."""
    report = yield
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("CASEWORK_REQUIRE_BROWSER") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser tests are required here (CASEWORK_REQUIRE_BROWSER=1) but this one was skipped: {reason}"
    return report


def pytest_terminal_summary(terminalreporter):
    """The widget response times that tests/test_browser.py measured (reported, never asserted)."""
    browser_tests = sys.modules.get("tests.test_browser")
    measured = getattr(browser_tests, "RESPONSE_TIMES", None)
    if measured:
        from tests.jupyterlab_browser import summary

        terminalreporter.section("widget response in JupyterLab (measured, not asserted; see benchmarks/bench_widgets.py)")
        for label, ms in measured.items():
            terminalreporter.write_line(summary(label, ms))
