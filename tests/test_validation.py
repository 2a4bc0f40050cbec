"""Every kind of bad case data gets an error naming the file, the line and the column."""

from __future__ import annotations

import pytest

from helpers import CaseDataError, UnknownCaseError, load_case, validate_case
from tests.conftest import read_rows, write_rows


def edit(folder, file, change):
    """Apply ``change(header, rows)`` to one CSV of a case copy."""
    header, rows = read_rows(folder / file)
    result = change(header, rows)
    if result is not None:
        header, rows = result
    write_rows(folder / file, header, rows)


def first_problem(folder):
    with pytest.raises(CaseDataError) as caught:
        load_case(folder)
    return caught.value.problems[0], str(caught.value)


def test_the_fictional_case_is_valid(case_copy):
    assert validate_case(case_copy) == []


def test_missing_column(case_copy):
    edit(case_copy, "statements.csv", lambda h, rows: ([c for c in h if c != "time_basis"], [{k: v for k, v in r.items() if k != "time_basis"} for r in rows]))
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("statements.csv", 1, "time_basis")
    assert "missing column" in message


def test_misspelt_column_is_reported_as_unknown(case_copy):
    edit(case_copy, "sources.csv", lambda h, rows: (["oulet" if c == "outlet" else c for c in h], [{("oulet" if k == "outlet" else k): v for k, v in r.items()} for r in rows]))
    problems = validate_case(case_copy)
    assert {(p.column, p.message.split(" (")[0]) for p in problems} >= {("outlet", "missing column"), ("oulet", "unknown column")}


def test_unknown_source_id(case_copy):
    def change(header, rows):
        rows[1]["source_ids"] = rows[1]["source_ids"] + ";no-such-source"
    edit(case_copy, "statements.csv", change)
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("statements.csv", 3, "source_ids")
    assert "unknown source id 'no-such-source'" in message


def test_evidence_not_in_statement_text(case_copy):
    def change(header, rows):
        rows[0]["evidence"] = "words nobody said"
    edit(case_copy, "stances.csv", change)
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("stances.csv", 2, "evidence")
    assert "'words nobody said' does not occur in the text of statement" in message


def test_unparseable_time(case_copy):
    def change(header, rows):
        rows[0]["time"], rows[0]["time_precision"] = "2023-13-45T25:00+11:00", "minute"
    edit(case_copy, "statements.csv", change)
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("statements.csv", 2, "time")
    assert "is not a valid minute time" in message


def test_time_without_offset(case_copy):
    def change(header, rows):
        rows[0]["time"], rows[0]["time_precision"] = "2023-03-30T09:15", "minute"
    edit(case_copy, "statements.csv", change)
    problem, _ = first_problem(case_copy)
    assert problem.column == "time" and "does not fit precision 'minute'" in problem.message


def test_unknown_time_zone(case_copy):
    toml = case_copy / "case.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"Australia/Sydney"', '"Australia/Sidney"'), encoding="utf-8")
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.column) == ("case.toml", "timezone")
    assert "unknown time zone 'Australia/Sidney'" in message and "Australia/Sydney" in message


def test_unknown_precision(case_copy):
    def change(header, rows):
        rows[2]["time_precision"] = "fortnight"
    edit(case_copy, "events.csv", change)
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("events.csv", 4, "time_precision")
    assert "'fortnight' is not allowed" in message


def test_duplicate_id(case_copy):
    def change(header, rows):
        rows[3]["statement_id"] = rows[0]["statement_id"]
    edit(case_copy, "statements.csv", change)
    problems = validate_case(case_copy)
    duplicate = [p for p in problems if "duplicate id" in p.message]
    assert duplicate and (duplicate[0].line, duplicate[0].column) == (5, "statement_id")
    assert "first at line 2" in duplicate[0].message


def test_unknown_claim_in_stances(case_copy):
    def change(header, rows):
        rows[0]["claim_id"] = "no-such-claim"
    edit(case_copy, "stances.csv", change)
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("stances.csv", 2, "claim_id")
    assert "unknown claim id 'no-such-claim'" in message


def test_contradictory_duplicate_stance(case_copy):
    def change(header, rows):
        twin = dict(rows[0])
        twin["stance"] = "denies" if twin["stance"] == "affirms" else "affirms"
        rows.append(twin)
    edit(case_copy, "stances.csv", change)
    problems = validate_case(case_copy)
    assert any("contradicts the row at line 2" in p.message for p in problems)


def test_event_linked_to_a_statement_must_not_carry_its_own_time(case_copy):
    def change(header, rows):
        linked = next(r for r in rows if r["statement_id"])
        linked["time"], linked["time_precision"], linked["time_basis"] = "2023-03-30", "day", "reported"
    edit(case_copy, "events.csv", change)
    problems = validate_case(case_copy)
    assert any(p.file == "events.csv" and p.column == "time" and "must be blank when statement_id is set" in p.message for p in problems)


def test_bounds_outside_the_time(case_copy):
    def change(header, rows):
        row = next(r for r in rows if r["time_precision"] == "day")
        row["time_earliest"] = "2099-01-01T00:00+00:00"
    edit(case_copy, "statements.csv", change)
    problems = validate_case(case_copy)
    assert any(p.column == "time_earliest" and "leave nothing" in p.message for p in problems)


def test_derived_time_must_match_its_status_id(case_copy):
    def change(header, rows):
        row = next(r for r in rows if r["time_precision"] == "second")
        row["time_basis"], row["status_id"] = "derived", "1308917007438483457"
    edit(case_copy, "statements.csv", change)
    problems = validate_case(case_copy)
    assert any("decodes to 2020-09-23T23:51:47.732000+00:00" in p.message for p in problems)


def test_not_utf8(case_copy):
    (case_copy / "claims.csv").write_bytes((case_copy / "claims.csv").read_bytes() + b"\xff\xfe broken\n")
    problem, _ = first_problem(case_copy)
    assert problem.file == "claims.csv" and "not valid UTF-8" in problem.message


def test_empty_file(case_copy):
    (case_copy / "variants.csv").write_text("", encoding="utf-8")
    problem, _ = first_problem(case_copy)
    assert problem.file == "variants.csv" and "needs a header row" in problem.message


def test_missing_file(case_copy):
    (case_copy / "facts.csv").unlink()
    problem, _ = first_problem(case_copy)
    assert problem.file == "facts.csv" and "missing" in problem.message


def test_bad_fact_value(case_copy):
    def change(header, rows):
        row = next(r for r in rows if r["value_type"] == "money")
        row["value"] = "about half a million"
    edit(case_copy, "facts.csv", change)
    problem, _ = first_problem(case_copy)
    assert problem.column == "value" and "not a valid money" in problem.message


def test_case_id_must_match_folder(case_copy):
    toml = case_copy / "case.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('case_id = "harbour-ferry-2023"', 'case_id = "other"'), encoding="utf-8")
    problem, _ = first_problem(case_copy)
    assert problem.column == "case_id" and "differs from the folder name" in problem.message


def test_every_problem_is_listed_not_only_the_first(case_copy):
    def change(header, rows):
        rows[0]["audience"] = "everyone"
        rows[1]["text_status"] = "quote"
    edit(case_copy, "statements.csv", change)
    problems = validate_case(case_copy)
    assert {(p.line, p.column) for p in problems} >= {(2, "audience"), (3, "text_status")}


def test_unknown_case_lists_the_available_ones():
    with pytest.raises(UnknownCaseError, match="unknown case 'hootsuite-ice-2021'; available cases: hootsuite-ice-2020"):
        load_case("hootsuite-ice-2021")
