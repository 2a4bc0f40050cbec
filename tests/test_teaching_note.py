"""Every fact in the teaching note traces to the case data."""

from __future__ import annotations

import re
from datetime import date

import pytest

from helpers.times import to_zone
from tests.conftest import PROJECT_DIR

NOTE = PROJECT_DIR / "coursework" / "teaching-note.md"
TAG = re.compile(r"\[(event|statement|fact): ([a-z0-9-]+)\]")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
FULL_DATE = re.compile(r"(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})")
MONTH_YEAR = re.compile(r"(?<!\d )(" + "|".join(MONTHS) + r") (\d{4})")


@pytest.fixture(scope="module")
def note():
    return NOTE.read_text(encoding="utf-8")


def test_the_note_has_every_section(note):
    for heading in ("## Synopsis", "## Learning objectives", "## Preparation questions", "## Session plan (75 minutes)",
                    "## Board plan", "## Discussion questions", "## Epilogue", "## Running the module"):
        assert heading in note
    assert "nbgitpuller" in note and "git-pull?repo=" in note and "mybinder.org" in note
    minutes = re.findall(r"^\| (\d+)–(\d+) \|", note, re.M)
    assert minutes[0][0] == "0" and minutes[-1][1] == "75"
    assert all(int(b) == int(c) for (_, b), (c, _) in zip(minutes, minutes[1:]))


def test_every_tag_names_a_row(note, hootsuite):
    tables = {"event": hootsuite.events.index, "statement": hootsuite.statements.index, "fact": hootsuite.facts.index}
    tags = TAG.findall(note)
    assert len(tags) >= 15
    assert [t for t in tags if t[1] not in tables[t[0]]] == []


def test_every_tagged_quotation_is_in_its_statement(note, hootsuite):
    quoted = re.findall(r'"([^"]+)"((?:\s*\[(?:event|statement): [a-z0-9-]+\])+)', note)
    assert len(quoted) >= 3
    for words, tags in quoted:
        statements = [i for kind, i in TAG.findall(tags) if kind == "statement"]
        assert statements, f"quotation {words!r} names no statement"
        words = " ".join(words.split())  # the note wraps lines
        assert any(words in hootsuite.statements.loc[s, "text"] for s in statements), words


def test_every_date_agrees_with_its_event(note, hootsuite):
    """A date written in the same sentence before an event tag must fall within that event's interval."""
    checked = 0
    for sentence in re.split(r"(?<=[a-z0-9\])][.;])\s", note):  # "U.S." does not end a sentence
        events = [i for kind, i in TAG.findall(sentence) if kind == "event"]
        if not events:
            continue
        interval = hootsuite.interval(events[0], "events")
        local_start = to_zone(interval.start, hootsuite.timezone).date()
        local_end = to_zone(interval.end, hootsuite.timezone).date()
        for day, month, year in FULL_DATE.findall(sentence):
            written = date(int(year), MONTHS.index(month) + 1, int(day))
            assert local_start <= written <= local_end, (events[0], written)
            checked += 1
        for month, year in MONTH_YEAR.findall(FULL_DATE.sub("", sentence)):
            assert (local_start.year, local_start.month) <= (int(year), MONTHS.index(month) + 1) <= (local_end.year, local_end.month)
            checked += 1
    assert checked >= 6
