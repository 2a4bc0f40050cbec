"""The data dictionary of data/README.md, as code: the files of a case folder, their columns and
what each may hold, the keys of case.toml, and the name of every rule the loader checks.

This module only declares: ``casefolder`` reads a folder's files by it and ``validation`` checks
their rows by it. Each problem they find is made by ``rule_problem``, which names its rule, so an
author can look the rule up. ``tests/test_validation.py`` holds data/README.md and this module to
the same tables, columns and rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problem
from .times import BASES, PRECISIONS

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONFIDENCE = ("high", "medium", "low")
AUDIENCES = ("internal", "press", "public")
SPEAKS_FOR = ("organisation", "employee", "third-party")
# fmt: off
EVENT_KINDS = (
    "context", "contract", "employee-activism", "petition", "company-decision",
    "company-statement", "agency-statement", "media-report", "aftermath",
)
# fmt: on
TIME_COLUMNS = ("time", "time_precision", "time_basis", "time_earliest", "time_latest", "time_as_reported")

#: The parts of a lesson a case may write its own teaching text for, and the lessons that show each.
# fmt: off
TEACHING_PARTS = {
    "close-reading": ("02", "04"),
    "discussion": ("03", "04", "06"),
    "cluster": ("05",),
    "drafting-scenario": ("05",),
    "example-draft": ("05",),
    "decision-point": ("06",),
    "try-phrase": ("02",),
}
# fmt: on
#: Parts a lesson shows one of: a second row for the same lesson is an error.
SINGLE_PARTS = ("close-reading", "cluster", "drafting-scenario", "example-draft", "decision-point", "try-phrase")

#: Every rule the loader checks, by the name data/README.md gives it ("- Rule `name`: ...").
# fmt: off
RULES = (
    # files and columns
    "file-present", "utf8", "csv-form", "header-row", "known-columns", "required", "id-form", "id-unique",
    "allowed-values", "reference", "date-form", "number-form", "status-id-form",
    # case.toml
    "toml-form", "toml-keys", "case-id-folder", "timezone", "aliases", "fictional-outside-data", "trigger-event",
    "first-response",
    # times
    "time-form", "bound-form", "bounds-leave-time", "derived-time-status-id", "event-time-or-statement",
    # statements, events, stances, variants, facts, coding, teaching
    "speaks-for-organisation", "quantity-series", "claims-and-stances", "stance-once", "words-in-text", "fact-value",
    "coding-sentence", "coding-strategy", "coding-evidence", "coding-once",
    "teaching-part-lesson", "teaching-about", "teaching-once",
)
# fmt: on


def rule_problem(file: str, rule: str, message: str, **where) -> Problem:
    """A problem found by one rule of the dictionary; the message names the rule."""
    if rule not in RULES:  # a check with no rule in the dictionary is a bug of the loader
        raise AssertionError(f"unknown rule {rule!r}")
    return Problem(file, f"{message} (rule {rule})", **where)


@dataclass(frozen=True)
class Column:
    """One column of a case table: whether it must be filled and what it may hold."""

    name: str
    required: bool = True
    kind: str = "text"  # text | id | enum | ids | ref | item | date | number | status_id
    allowed: tuple[str, ...] = ()
    refers_to: str | None = None  # table whose ids a ref / ids column names


@dataclass(frozen=True)
class Table:
    file: str
    key: str | None
    columns: tuple[Column, ...]
    optional: bool = False  # a case may leave the file out; it then loads as an empty table

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _time_columns(required: bool) -> tuple[Column, ...]:
    return (
        Column("time", required=False),
        Column("time_precision", required, "enum", PRECISIONS),
        Column("time_basis", required, "enum", BASES),
        Column("time_earliest", required=False),
        Column("time_latest", required=False),
        Column("time_as_reported", required=False),
    )


_SOURCES = Column("source_ids", kind="ids", refers_to="sources")
_CONFIDENCE = Column("confidence", kind="enum", allowed=CONFIDENCE)
_NOTE = Column("note", required=False)

TABLES: dict[str, Table] = {
    "sources": Table(
        "sources.csv",
        "source_id",
        (
            Column("source_id", kind="id"),
            Column("outlet"),
            Column("title", required=False),
            Column("url", required=False),
            Column("date", required=False, kind="date"),
            Column("date_note", required=False),
            Column("access_note", required=False),
        ),
    ),
    "statements": Table(
        "statements.csv",
        "statement_id",
        (
            Column("statement_id", kind="id"),
            Column("speaker"),
            Column("role", required=False),
            Column("organisation"),
            Column("speaks_for", kind="enum", allowed=SPEAKS_FOR),
            Column("channel"),
            Column("audience", kind="enum", allowed=AUDIENCES),
            *_time_columns(required=True),
            Column("text"),
            Column("text_status", kind="enum", allowed=("verbatim", "fragment", "paraphrase")),
            _SOURCES,
            Column("status_id", required=False, kind="status_id"),
            _CONFIDENCE,
            _NOTE,
        ),
    ),
    "events": Table(
        "events.csv",
        "event_id",
        (
            Column("event_id", kind="id"),
            Column("title"),
            Column("kind", kind="enum", allowed=EVENT_KINDS),
            Column("actor"),
            Column("channel", required=False),
            Column("audience", required=False, kind="enum", allowed=AUDIENCES),
            Column("statement_id", required=False, kind="ref", refers_to="statements"),
            *_time_columns(required=False),
            Column("status_id", required=False, kind="status_id"),
            Column("quantity", required=False, kind="number"),
            Column("quantity_unit", required=False),
            Column("quantity_series", required=False),
            _SOURCES,
            _CONFIDENCE,
            _NOTE,
        ),
    ),
    "claims": Table(
        "claims.csv",
        "claim_id",
        (
            Column("claim_id", kind="id"),
            Column("proposition"),
            Column("record", kind="enum", allowed=("supported", "contradicted", "unknown")),
            Column("record_note"),
            Column("record_event_ids", required=False, kind="ids", refers_to="events"),
            _SOURCES,
        ),
    ),
    "stances": Table(
        "stances.csv",
        None,
        (
            Column("statement_id", kind="ref", refers_to="statements"),
            Column("claim_id", kind="ref", refers_to="claims"),
            Column("stance", kind="enum", allowed=("affirms", "denies")),
            Column("mode", kind="enum", allowed=("literal", "implied")),
            Column("evidence"),
            Column("rationale"),
        ),
    ),
    "variants": Table(
        "variants.csv",
        None,
        (
            Column("statement_id", kind="ref", refers_to="statements"),
            Column("words"),
            Column("variant"),
            _SOURCES,
            _NOTE,
        ),
    ),
    "facts": Table(
        "facts.csv",
        "fact_id",
        (
            Column("fact_id", kind="id"),
            Column("label"),
            Column("value"),
            Column("value_type", kind="enum", allowed=("text", "number", "money", "date")),
            Column("unit", required=False),
            _SOURCES,
            _CONFIDENCE,
            _NOTE,
        ),
    ),
    "open_questions": Table(
        "open_questions.csv",
        "question_id",
        (
            Column("question_id", kind="id"),
            Column("question"),
            Column("what_is_known"),
            Column("source_ids", required=False, kind="ids", refers_to="sources"),
        ),
    ),
    "coding": Table(
        "coding.csv",
        None,
        (
            Column("statement_id", kind="ref", refers_to="statements"),
            Column("sentence", kind="number"),
            Column("scheme", kind="enum", allowed=("benoit", "scct", "apology")),
            Column("strategy"),
            Column("evidence"),
            Column("rationale"),
        ),
        optional=True,
    ),
    "teaching": Table(
        "teaching.csv",
        "note_id",
        (
            Column("note_id", kind="id"),
            Column(
                "lesson",
                kind="enum",
                allowed=tuple(sorted({lesson for lessons in TEACHING_PARTS.values() for lesson in lessons})),
            ),
            Column("part", kind="enum", allowed=tuple(TEACHING_PARTS)),
            Column("about", required=False, kind="item"),
            Column("text"),
            _SOURCES,
        ),
        optional=True,
    ),
}

#: case.toml keys: (type, required)
METADATA_KEYS = {
    "case_id": (str, True),
    "title": (str, True),
    "organisation": (str, True),
    "timezone": (str, True),
    "synopsis": (str, True),
    "fictional": (bool, True),
    "aliases": (list, False),
    "trigger_event": (str, False),
    "first_response": (str, False),
}
