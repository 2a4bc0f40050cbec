"""Shared fixtures: the built-in case, the fictional test case, and editable copies of it."""

from __future__ import annotations

import csv
import shutil
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
