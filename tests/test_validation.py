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
    edit(
        case_copy,
        "statements.csv",
        lambda h, rows: ([c for c in h if c != "time_basis"], [{k: v for k, v in r.items() if k != "time_basis"} for r in rows]),
    )
    problem, message = first_problem(case_copy)
    assert (problem.file, problem.line, problem.column) == ("statements.csv", 1, "time_basis")
    assert "missing column" in message


def test_misspelt_column_is_reported_as_unknown(case_copy):
    edit(
        case_copy,
        "sources.csv",
        lambda h, rows: (
            ["oulet" if c == "outlet" else c for c in h],
            [{("oulet" if k == "outlet" else k): v for k, v in r.items()} for r in rows],
        ),
    )
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
    assert any(
        p.file == "events.csv" and p.column == "time" and "must be blank when statement_id is set" in p.message for p in problems
    )


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
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('case_id = "harbour-ferry-2023"', 'case_id = "other"'), encoding="utf-8"
    )
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
    with pytest.raises(
        UnknownCaseError, match="unknown case .hootsuite-ice-2021.; available cases: chef-2019, hootsuite-ice-2020, wayfair-2019"
    ):
        load_case("hootsuite-ice-2021")


# ------------------------------------------------------------------ the dictionary and the loader say the same thing (issue 22)

import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers import casefolder, csvfile, schema, validation  # noqa: E402
from helpers.paths import DATA_DIR  # noqa: E402
from helpers.times import BASES, PRECISIONS  # noqa: E402

DICTIONARY = (DATA_DIR / "README.md").read_text(encoding="utf-8")


def _dictionary_rules() -> list[str]:
    return re.findall(r"^- Rule `([a-z0-9-]+)`:", DICTIONARY, re.M)


def _rules_the_loader_reports() -> set[str]:
    """The rule of every problem the loader can report: the second argument of each rule_problem / report call
    in the modules that read and check a case folder."""
    trees = [ast.parse(Path(module.__file__).read_text(encoding="utf-8")) for module in (schema, csvfile, casefolder, validation)]
    found = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        func = node.func
        direct = isinstance(func, ast.Name) and func.id in ("rule_problem", "report")
        through = isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "_reporter"
        if direct or through:
            rule = node.args[1]
            if isinstance(rule, ast.Name) and rule.id == "rule":
                continue  # the reporter passing its caller's rule on
            assert isinstance(rule, ast.Constant) and isinstance(rule.value, str), (
                f"line {node.lineno}: a rule must be written out"
            )
            found.add(rule.value)
    return found


def test_every_rule_of_the_dictionary_is_the_loaders_and_every_loader_rule_is_in_the_dictionary():
    listed = _dictionary_rules()
    assert len(listed) == len(set(listed)), "a rule is listed twice in data/README.md"
    assert set(listed) == set(schema.RULES)
    assert _rules_the_loader_reports() == set(schema.RULES)


def _section(heading: str) -> str:
    start = DICTIONARY.index(heading + "\n")
    following = re.search(r"^## ", DICTIONARY[start + len(heading) :], re.M)
    return DICTIONARY[start : start + len(heading) + following.start()] if following else DICTIONARY[start:]


def _table_rows(section: str) -> list[list[str]]:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")
    ]
    return [row for row in rows[1:] if not set(row[0]) <= {"-"}]  # without the header and the rule line


def _backticked(cell: str) -> set[str]:
    return {token for token in re.findall(r"`([^`]+)`", cell) if "/" not in token and "." not in token}


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_the_dictionary_lists_each_tables_columns_as_the_loader_reads_them(name):
    table = schema.TABLES[name]
    heading = f"## `{table.file}`" + (" (optional)" if table.optional else "")
    assert heading + "\n" in DICTIONARY, heading
    columns = {c.name: c for c in table.columns}
    documented = {}
    for row in _table_rows(_section(heading)):
        if row[0] == "time columns":
            assert row[1].startswith("yes")
            for column in schema.TIME_COLUMNS:
                documented[column] = None
            continue
        (column,) = re.findall(r"^`([a-z_]+)`$", row[0]) or [None]
        assert column, f"{table.file}: a row of the dictionary's table names no column: {row}"
        documented[column] = row
    assert list(documented) == table.names or set(documented) == set(table.names), (
        table.file,
        sorted(set(documented) ^ set(table.names)),
    )
    enum_names = {c.name for c in table.columns if c.kind == "enum"}
    other_values = set().union(*(set(c.allowed) for c in table.columns if c.kind == "enum"))
    for column, row in documented.items():
        if row is None:
            continue
        assert row[1].startswith("yes") == columns[column].required, (
            f"{table.file}, {column}: required is {columns[column].required}"
        )
        if column in enum_names:
            named = _backticked(row[-1])
            assert set(columns[column].allowed) <= named, (
                f"{table.file}, {column}: not documented: {set(columns[column].allowed) - named}"
            )
            stray = named - other_values - set(table.names)
            assert not stray, f"{table.file}, {column}: the dictionary allows {stray}, the loader does not"


def test_the_dictionary_lists_the_times_and_case_toml_as_the_loader_reads_them():
    rows = {
        re.findall(r"`([a-z_]+)`", row[0])[0]: row
        for row in _table_rows(_section("## Times (used by `statements.csv` and `events.csv`)"))
        if row[0].startswith("`")
    }
    assert list(rows)[:6] == list(schema.TIME_COLUMNS)
    assert _backticked(rows["time_precision"][1]) == set(PRECISIONS)
    assert _backticked(rows["time_basis"][1]) == set(BASES)
    keys = {re.findall(r"`([a-z_]+)`", row[0])[0]: row for row in _table_rows(_section("## `case.toml`"))}
    assert set(keys) == set(schema.METADATA_KEYS)
    for key, (kind, required) in schema.METADATA_KEYS.items():
        assert keys[key][1].startswith("yes") == required, key
        assert keys[key][2].startswith({str: "string", bool: "boolean", list: "list"}[kind]), key
    parts = _backticked(next(row for row in _table_rows(_section("## `teaching.csv` (optional)")) if row[0] == "`part`")[-1])
    assert parts == set(schema.TEACHING_PARTS)


# Each rule broken once, in a copy of the fictional case: the loader must report it under that rule.


def _set(file, match, **values):
    def change(folder):
        header, rows = read_rows(folder / file)
        row = next(r for r in rows if all(r[k] == v for k, v in match.items()))
        row.update(values)
        write_rows(folder / file, header, rows)

    return change


def _append(file, **values):
    def change(folder):
        header, rows = read_rows(folder / file)
        rows.append({h: values.get(h, "") for h in header})
        write_rows(folder / file, header, rows)

    return change


def _toml(old, new):
    def change(folder):
        path = folder / "case.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return change


def _teaching(*rows):
    def change(folder):
        header = ["note_id", "lesson", "part", "about", "text", "source_ids"]
        write_rows(folder / "teaching.csv", header, [dict(zip(header, row)) for row in rows])

    return change


def _text(file, text=None, data=None):
    def change(folder):
        if data is not None:
            (folder / file).write_bytes((folder / file).read_bytes() + data)
        else:
            (folder / file).write_text(text, encoding="utf-8")

    return change


def _unlink(file):
    return lambda folder: (folder / file).unlink()


def _header(file, old, new):
    def change(folder):
        header, rows = read_rows(folder / file)
        write_rows(
            folder / file,
            [new if h == old else h for h in header],
            [{(new if k == old else k): v for k, v in r.items()} for r in rows],
        )

    return change


DENIAL = {"statement_id": "spokes-denial"}
PETITION = {"event_id": "petition-count-1"}
ROW = ("n1", "05", "cluster", "", "Where does the crisis sit?", "courier-1")

BREAKS = {
    "file-present": _unlink("facts.csv"),
    "utf8": _text("claims.csv", data=b"\xff\xfe broken\n"),
    "csv-form": _text("open_questions.csv", "question_id,question,what_is_known,source_ids\nq1,one,two\n"),
    "header-row": _text("variants.csv", ""),
    "known-columns": _header("sources.csv", "outlet", "oulet"),
    "required": _set("statements.csv", DENIAL, speaker=""),
    "id-form": _set("statements.csv", DENIAL, statement_id="Spokes_Denial"),
    "id-unique": _set("statements.csv", {"statement_id": "website-notice"}, statement_id="spokes-denial"),
    "allowed-values": _set("statements.csv", DENIAL, audience="everyone"),
    "reference": _set("statements.csv", DENIAL, source_ids="courier-1;no-such-source"),
    "date-form": _set("sources.csv", {"source_id": "courier-1"}, date="2023-02-30"),
    "number-form": _set("events.csv", PETITION, quantity="many"),
    "status-id-form": _set("statements.csv", DENIAL, status_id="abc"),
    "toml-form": _text("case.toml", "case_id = [unclosed\n"),
    "toml-keys": _toml("fictional = true", "fictional = true\nfavourite = 1"),
    "case-id-folder": _toml('case_id = "harbour-ferry-2023"', 'case_id = "other"'),
    "timezone": _toml('"Australia/Sydney"', '"Australia/Sidney"'),
    "aliases": _toml("fictional = true", 'fictional = true\naliases = ["Northsound Ferries"]'),
    "fictional-outside-data": None,  # needs the data folder moved: see the test
    "trigger-event": _toml("fictional = true", 'fictional = true\ntrigger_event = "no-such-event"'),
    "first-response": _toml("fictional = true", 'fictional = true\nfirst_response = "engineer-email"'),
    "time-form": _set("statements.csv", DENIAL, time="2023-13-45T25:00+11:00", time_precision="minute"),
    "bound-form": _set("statements.csv", DENIAL, time_earliest="yesterday"),
    "bounds-leave-time": _set("statements.csv", {"statement_id": "ceo-reversal"}, time_earliest="2099-01-01T00:00+00:00"),
    "derived-time-status-id": _set(
        "statements.csv", {"statement_id": "engineer-email"}, time_basis="derived", status_id="1308917007438483457"
    ),
    "event-time-or-statement": _set(
        "events.csv", {"event_id": "spokes-denial-made"}, time="2023-03-30", time_precision="day", time_basis="reported"
    ),
    "speaks-for-organisation": _set("statements.csv", {"statement_id": "cvsb-statement"}, speaks_for="organisation"),
    "quantity-series": _set("events.csv", PETITION, quantity_series=""),
    "claims-and-stances": _text("stances.csv", "statement_id,claim_id,stance,mode,evidence,rationale\n"),
    "stance-once": _append(
        "stances.csv",
        statement_id="spokes-denial",
        claim_id="wren-passed-feb-survey",
        stance="denies",
        mode="literal",
        evidence="passed",
        rationale="twin",
    ),
    "words-in-text": _set(
        "stances.csv", {"statement_id": "spokes-denial", "claim_id": "no-safety-issue"}, evidence="words nobody said"
    ),
    "fact-value": _set("facts.csv", {"fact_id": "contract-value"}, value="about half a million"),
    "coding-sentence": _set("coding.csv", {"statement_id": "spokes-denial", "sentence": "1", "scheme": "benoit"}, sentence="9"),
    "coding-strategy": _set(
        "coding.csv", {"statement_id": "spokes-denial", "sentence": "1", "scheme": "benoit"}, strategy="apologise"
    ),
    "coding-evidence": _set(
        "coding.csv", {"statement_id": "spokes-denial", "sentence": "1", "scheme": "benoit"}, evidence="simply wrong"
    ),
    "coding-once": _set("coding.csv", {"statement_id": "spokes-denial", "sentence": "2", "scheme": "benoit"}, sentence="1"),
    "teaching-part-lesson": _teaching(("n1", "02", "cluster", "", "Where does the crisis sit?", "courier-1")),
    "teaching-about": _teaching(("n1", "04", "close-reading", "no-safety-issue", "Read it slowly.", "courier-1")),
    "teaching-once": _teaching(ROW, ("n2", *ROW[1:])),
}


def test_every_rule_has_a_break():
    assert set(BREAKS) == set(schema.RULES)


@pytest.mark.parametrize("rule", list(BREAKS))
def test_each_rule_is_enforced(rule, case_copy, monkeypatch):
    if rule == "fictional-outside-data":  # the copy's folder stands in for data/cases
        monkeypatch.setattr(casefolder, "CASES_DIR", case_copy.parent)
    else:
        BREAKS[rule](case_copy)
    problems = validate_case(case_copy)
    assert any(p.message.endswith(f"(rule {rule})") for p in problems), [str(p) for p in problems]
    assert all(p.file and p.message for p in problems)


def test_an_unknown_time_may_have_one_bound_and_the_message_names_the_bound_given(case_copy):
    _set("statements.csv", {"statement_id": "ceo-staff-meeting"}, time_latest="")(case_copy)
    case = load_case(case_copy)  # one bound: accepted, and the statement cannot be placed
    assert case.interval("ceo-staff-meeting", "statements") is None
    from helpers.queries import when

    assert when(case, "ceo-staff-meeting", "Australia/Sydney") == "unknown, not before 2023-04-01 18:00 AEDT"
    _set("statements.csv", {"statement_id": "ceo-staff-meeting"}, time_earliest="", time_latest="sunday")(case_copy)
    (problem,) = validate_case(case_copy)
    assert problem.column == "time_latest" and "'sunday' is not a time with offset" in problem.message


def test_events_with_a_status_id_have_their_derived_time_checked(case_copy):
    _set("events.csv", {"event_id": "petition-count-3"}, time_basis="derived", status_id="1308917007438483457")(case_copy)
    (problem,) = validate_case(case_copy)
    assert (problem.file, problem.column) == ("events.csv", "time") and "decodes to 2020-09-23" in problem.message


def test_a_third_party_cannot_be_the_organisation_and_an_employee_must_belong_to_it(case_copy):
    _set("statements.csv", DENIAL, speaks_for="third-party")(case_copy)
    _set("statements.csv", {"statement_id": "engineer-email"}, organisation="Dana Okafor (personal)")(case_copy)
    problems = {(p.line, p.column): p.message for p in validate_case(case_copy)}
    assert "organisation 'Northsound Ferries' is the case's own" in problems[(2, "speaks_for")]
    assert "must be the case's organisation 'Northsound Ferries', got 'Dana Okafor (personal)'" in problems[(4, "organisation")]


def test_a_try_phrase_must_be_words_of_its_statement(case_copy):
    _teaching(("t1", "02", "try-phrase", "spokes-denial", "no such words", "courier-1"))(case_copy)
    (problem,) = validate_case(case_copy)
    assert (problem.file, problem.column) == (
        "teaching.csv",
        "text",
    ) and "'no such words' does not occur in the text of statement 'spokes-denial'" in problem.message
    _teaching(("t1", "02", "try-phrase", "spokes-denial", "simply wrong", "courier-1"))(case_copy)
    assert validate_case(case_copy) == []


def test_a_case_without_claims_or_stances_is_refused_naming_the_file(case_copy):
    """Lesson 04 has nothing to read without them: the loader says so before any lesson runs (review of #22, item 6)."""
    (case_copy / "stances.csv").write_text("statement_id,claim_id,stance,mode,evidence,rationale\n", encoding="utf-8")
    (problem,) = validate_case(case_copy)
    assert problem.file == "stances.csv" and "has no rows" in problem.message and "(04)" in problem.message
    (case_copy / "claims.csv").write_text(
        "claim_id,proposition,record,record_note,record_event_ids,source_ids\n", encoding="utf-8"
    )
    assert sorted(p.file for p in validate_case(case_copy)) == ["claims.csv", "stances.csv"]
