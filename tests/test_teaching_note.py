"""The instructor's documents: every fact traces to the case data, the plans add up, the model
statement says only what was true and known at its time, and every lesson prompt has an answer."""

from __future__ import annotations

import re
from datetime import date

import nbformat
import pandas as pd
import pytest

from helpers.paths import lesson_notebooks
from helpers.times import to_zone
from tests.conftest import PROJECT_DIR

COURSEWORK = PROJECT_DIR / "coursework"
NOTE = COURSEWORK / "teaching-note.md"
ANSWERS = COURSEWORK / "instructor-notes.md"
GLOSSARY = COURSEWORK / "glossary.md"
TAG = re.compile(r"\[(event|statement|fact|claim): ([a-z0-9-]+)\]")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
FULL_DATE = re.compile(r"(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})")
MONTH_YEAR = re.compile(r"(?<!\d )(" + "|".join(MONTHS) + r") (\d{4})")
LESSONS = {nb.stem[:2]: nb for nb in lesson_notebooks()}


@pytest.fixture(scope="module")
def note():
    return NOTE.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body under a markdown heading, up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n") + len(heading) + 1
    following = re.search(rf"^#{{1,{level}}} ", text[start:], re.M)
    return text[start : start + following.start()] if following else text[start:]


def _lesson_time(notebook) -> tuple[int, int]:
    header = nbformat.read(notebook, as_version=4).cells[0].source
    low, _, high = re.search(r"\*\*Time:\*\* (\d+(?:–\d+)?) minutes", header).group(1).partition("–")
    return int(low), int(high or low)


# ------------------------------------------------------------------ the sections an instructor needs


def test_the_note_has_every_section(note):
    for heading in (
        "## Synopsis",
        "## Learning objectives",
        "## Preparation questions",
        "## The plan",
        "### What the lessons take",
        "### Pre-class work",
        "### Opening question",
        "### Session plan: one class (75 minutes)",
        "### Two-session variant: session 1 (75 minutes)",
        "### Two-session variant: session 2 (75 minutes)",
        "### Anticipated misconceptions",
        "### Closing take-aways",
        "### Board plan",
        "## Case analysis",
        "### Stakeholder map",
        "### Timeline analysis: what could the spokeswoman have known at 22:00?",
        "### Ethics analysis",
        "### Contradictions that matter",
        "### SCCT: cluster and posture",
        "### The decision point: what should the company have said at 21:30 on 23 September 2020?",
        "## Discussion questions",
        "## Sensitivity guidance",
        "## Epilogue",
        "## Readings",
        "## Running the module",
        "## Graded exercises",
    ):
        assert re.search(rf"^{re.escape(heading)}", note, re.M), heading
    assert "nbgitpuller" in note and "git-pull?repo=" in note and "mybinder.org" in note
    assert "PRSA" in _section(note, "### Ethics analysis") and "Page Principles" in _section(note, "### Ethics analysis")
    assert len(re.findall(r"^- \*\*", _section(note, "### Anticipated misconceptions"), re.M)) >= 6
    assert len(re.findall(r"^\d+\. ", _section(note, "### Closing take-aways"), re.M)) >= 3
    assert len(re.findall(r"^- ", _section(note, "## Readings"), re.M)) >= 8
    assert len(re.findall(r"^\| [^-|]", _section(note, "### Stakeholder map"), re.M)) >= 8  # header plus rows


def test_sensitivity_guidance_covers_the_three_people_and_topics(note):
    section = _section(note, "## Sensitivity guidance")
    for topic in ("**The detention allegations.**", "**A named junior spokesperson.**", "**A named employee who lost her job.**"):
        assert topic in section
    assert "allegations" in section and "not established" in section


def _plans(note):
    """Each session plan heading with its stated minutes, its table rows and its block notes."""
    for match in re.finditer(r"^### (.+) \((\d+) minutes\)$", note, re.M):
        body = _section(note, match.group(0))
        rows = re.findall(r"^\| (\d+)–(\d+) \| ([^|]+?) \|", body, re.M)
        yield match.group(1), int(match.group(2)), [(int(a), int(b), block) for a, b, block in rows], body


def test_every_session_plan_adds_up_to_its_stated_minutes(note):
    plans = list(_plans(note))
    assert [name for name, *_ in plans] == [
        "Session plan: one class",
        "Two-session variant: session 1",
        "Two-session variant: session 2",
    ]
    for name, minutes, rows, _ in plans:
        assert rows[0][0] == 0 and rows[-1][1] == minutes, name
        assert all(end == start for (_, end, _), (start, _, _) in zip(rows, rows[1:])), name
        assert sum(b - a for a, b, _ in rows) == minutes


def test_every_block_has_trigger_probe_and_transition_questions(note):
    plans = list(_plans(note))
    first = {block: body for block, body in _block_notes(plans[0])}
    for plan in plans:
        for block, body in _block_notes(plan):
            if "as in the one-class plan" in " ".join(body.split()):
                body = first[block]
            for part in ("Trigger:", "Probe:", "Transition:"):
                assert part in body, (plan[0], block, part)


def _block_notes(plan):
    name, _, rows, body = plan
    for start, end, block in rows:
        match = re.search(rf"^\*\*{re.escape(block)} \({start}–{end}\)\.\*\*(.*?)(?=^\*\*|\Z)", body, re.M | re.S)
        assert match, f"{name}: no notes for block {block!r} ({start}–{end})"
        yield block, match.group(1)


def test_lesson_times_and_pre_class_work_are_the_lessons_own(note):
    table = _section(note, "### What the lessons take")
    stated = {
        n: tuple(int(x) for x in t.split("–")) for n, t in re.findall(r"^\| (\d\d) [^|]+\|[^|]+\| ([\d–]+) \|$", table, re.M)
    }
    times = {n: _lesson_time(nb) for n, nb in LESSONS.items()}
    assert {n: (t[0], t[-1]) for n, t in stated.items()} == times
    case_lessons = {n: t for n, t in times.items() if n != "06"}  # 06 compares cases; the note states it apart
    low, high = sum(t[0] for t in case_lessons.values()), sum(t[1] for t in case_lessons.values())
    assert "between four and five hours" in table and 4 * 60 <= low and high <= 5 * 60
    assert f"adds {times['06'][0]}–{times['06'][1]} minutes" in " ".join(table.split())
    pre_class = " ".join(_section(note, "### Pre-class work").split())
    claims = re.findall(r"notebooks ((?:\d\d, )*\d\d) and (\d\d) \((\d+)–(\d+) minutes\)", pre_class)
    assert len(claims) == 4
    for listed, last, a, b in claims:
        chosen = [*listed.split(", "), last]
        assert (int(a), int(b)) == (sum(times[n][0] for n in chosen), sum(times[n][1] for n in chosen)), chosen


# ------------------------------------------------------------------ the model statement at the decision point

MOMENT = pd.Timestamp("2020-09-23T21:30-07:00")


def _model_statement(note) -> list[tuple[str, list[tuple[str, str]]]]:
    section = _section(note, "### The decision point: what should the company have said at 21:30 on 23 September 2020?")
    lines = [line[2:] for line in section.splitlines() if line.startswith("> ")]
    return [(TAG.sub("", line).strip(), TAG.findall(line)) for line in lines]


def test_the_model_statement_states_only_what_the_record_supports_at_21_30(note, hootsuite):
    sentences = _model_statement(note)
    assert len(sentences) >= 5
    for sentence, tags in sentences:
        assert tags, f"no row behind: {sentence}"
        for kind, row in tags:
            if kind == "claim":
                assert hootsuite.claims.loc[row, "record"] == "supported", (sentence, row)
            elif kind == "event":
                assert hootsuite.events.loc[row, "end"] <= MOMENT, (sentence, row)  # certainly before 21:30
            elif kind == "statement":
                assert hootsuite.statements.loc[row, "organisation"] == hootsuite.organisation, (sentence, row)
            else:
                assert row in hootsuite.facts.index
    text = " ".join(sentence for sentence, _ in sentences)
    # nothing the record does not support: no ending of the arrangement, no committee, no statement referred to as past
    for forbidden in (
        r"\bhas ended\b",
        r"\bterminat",
        r"\bcancel",
        r"\bcommittee\b",
        r"\bpending\b",
        r"\bearlier statement\b",
        r"\bwe told reporters\b",
        r"\bnot entering\b",
    ):
        assert not re.search(forbidden, text, re.I), forbidden


def test_the_model_statement_meets_the_holding_statement_rubric(note, hootsuite):
    from helpers.coursework.rubric import apply_rubric, load_rubric

    text = " ".join(sentence for sentence, _ in _model_statement(note))
    results = apply_rubric(text, load_rubric("holding-statement"), hootsuite)
    assert results and all(r.passed for r in results), [r for r in results if not r.passed]


# ------------------------------------------------------------------ every fact traces to the data, in both documents

DOCUMENTS = [NOTE, ANSWERS]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_tag_names_a_row(document, hootsuite):
    text = document.read_text(encoding="utf-8")
    tables = {
        "event": hootsuite.events.index,
        "statement": hootsuite.statements.index,
        "fact": hootsuite.facts.index,
        "claim": hootsuite.claims.index,
    }
    tags = TAG.findall(text)
    assert len(tags) >= 15
    assert [t for t in tags if t[1] not in tables[t[0]]] == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_tagged_quotation_is_in_its_statement(document, hootsuite):
    text = document.read_text(encoding="utf-8")
    quoted = re.findall(r'"([^"]+)"((?:\s*\[(?:event|statement|claim|fact): [a-z0-9-]+\])+)', text)
    assert len(quoted) >= 3
    for words, tags in quoted:
        statements = [i for kind, i in TAG.findall(tags) if kind == "statement"]
        assert statements, f"quotation {words!r} names no statement"
        words = " ".join(words.split())  # the documents wrap lines
        assert any(words in hootsuite.statements.loc[s, "text"] for s in statements), words


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_date_agrees_with_its_event(document, hootsuite):
    """A date written in the same sentence before an event tag must fall within that event's interval."""
    checked = 0
    # "U.S." does not end a sentence; each table row stands alone; a date may be wrapped across lines
    for sentence in re.split(r"(?<=[a-z0-9\])][.;])\s|\n(?=\|)", document.read_text(encoding="utf-8")):
        sentence = " ".join(sentence.split())
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
            assert (
                (local_start.year, local_start.month) <= (int(year), MONTHS.index(month) + 1) <= (local_end.year, local_end.month)
            )
            checked += 1
    assert checked >= (6 if document == NOTE else 1)


def test_the_note_states_the_corrected_record(note):
    """The corrections of the case data reach the note: order not established, no termination, no reseller for Seneca."""
    synopsis = _section(note, "## Synopsis")
    assert "which of the two came first is not established" in synopsis
    assert "the record itself was not retrieved" in synopsis and "The record shows" not in note
    epilogue = _section(note, "## Epilogue: what happened afterwards")
    assert "US$95,000 ICE pilot in September 2025" in epilogue and "another\n  reseller" not in epilogue
    assert "Seneca Strategic Partners" in epilogue and "reseller" not in epilogue


# ------------------------------------------------------------------ the worked answers and the glossary

PROMPT = re.compile(
    r"^## (Try it.*|Reflection|Discussion.*|Decode it yourself.*|A close reading:.*|One voice.*|Which cluster.*|Where the method fails)$",
    re.M,
)


def _prompts(notebook) -> list[str]:
    prompts = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            prompts += PROMPT.findall(cell.source)
            prompts += ["Reflection"] * len(re.findall(r"^\*\*Reflection\.\*\*", cell.source, re.M))
    return list(dict.fromkeys(prompts))


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_lesson_prompt_has_a_worked_answer(lesson):
    notes = ANSWERS.read_text(encoding="utf-8")
    (heading,) = re.findall(rf"^## {lesson} · .*$", notes, re.M)
    answers = _section(notes, heading)
    prompts = _prompts(LESSONS[lesson])
    assert prompts
    for prompt in prompts:
        assert re.search(rf"^### {re.escape(prompt.split(':')[0])}", answers, re.M), (lesson, prompt)
    for cell in nbformat.read(LESSONS[lesson], as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## Try it\n"):
            items = re.findall(r"^(\d+)\. ", cell.source.split("## Reflection")[0], re.M)
            given = re.findall(r"^(\d+)\. ", _section(answers, "### Try it"), re.M)
            assert given == items, lesson


def _default_context(lesson, case):
    from helpers import load_lexicon
    from helpers.queries import first_press_statement
    from helpers.timeline import default_anchor

    if lesson == "02":
        return {"focus": first_press_statement(case), "lexicon": load_lexicon()}
    if lesson == "03":
        return {"anchor": default_anchor(case)}
    if lesson == "04":
        return {"include_implied": True}
    if lesson == "05":  # the example draft is the case's own (teaching.csv), as the notebook shows it
        from helpers.coding import example_draft

        return {"scheme": "benoit", "draft": example_draft(case)}
    if lesson == "06":  # the default comparison: the case beside every other built-in case
        from helpers.casebook import compared_cases

        return {"cases": compared_cases(case.case_id), "include_implied": True}
    return {}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_the_self_check_answers_are_what_the_self_check_accepts(lesson, hootsuite):
    from helpers.selfcheck import FITS, questions, self_check

    notes = _section(
        ANSWERS.read_text(encoding="utf-8"),
        next(h for h in re.findall(r"^## .*$", ANSWERS.read_text(encoding="utf-8"), re.M) if h.startswith(f"## {lesson} ")),
    )
    listed = dict(re.findall(r"^- `([a-z-]+)`: (.+)$", _section(notes, "### Self-check answers"), re.M))
    context = _default_context(lesson, hootsuite)
    asked = [q.key for q, expected in questions(lesson, hootsuite, **context) if expected is not None]
    assert sorted(listed) == sorted(asked)
    for key, written in listed.items():
        for answer in re.findall(r"`([^`]+)`", written) or [written]:
            result = self_check(lesson, hootsuite, {key: answer}, **context)
            assert [f.status for f in result.items if f.key == key] == [FITS], (lesson, key, answer)


def test_quoted_notebook_outputs_are_the_notebooks_own():
    notes = ANSWERS.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)\n\s*```", notes, re.S)
    assert len(blocks) >= 2
    outputs = ""
    for notebook in LESSONS.values():
        for cell in nbformat.read(notebook, as_version=4).cells:
            for output in cell.get("outputs", []):
                outputs += output.get("text", "") + output.get("data", {}).get("text/plain", "") + "\n"
    for block in blocks:
        assert " ".join(block.split()) in " ".join(outputs.split()), block


# fmt: off
GLOSSARY_TERMS = ("holding statement", "b corp", "implicature", "aspect", "delivery order", "awardee", "cohen's kappa", "paltering",
                  "instructing information", "adjusting information", "agentless passive", "fragment", "paraphrase")
# fmt: on


def _glossary_terms() -> set[str]:
    return {t.casefold() for t in re.findall(r"^\*\*([^*]+)\*\* \(", GLOSSARY.read_text(encoding="utf-8"), re.M)}


def test_the_glossary_defines_the_terms_the_lessons_name():
    terms = _glossary_terms()
    assert set(GLOSSARY_TERMS) <= terms
    for lesson, notebook in LESSONS.items():
        header = nbformat.read(notebook, as_version=4).cells[0].source
        assert "](../coursework/glossary.md)" in header, lesson
        named = re.findall(r"\*([^*]+)\*", re.search(r"\*\*Words\*\* such as (.*?) are explained", header, re.S).group(1))
        for term in named:
            assert any(term.casefold() in t for t in terms), (lesson, term)


def test_the_glossary_is_generic(hootsuite, fictional):
    text = GLOSSARY.read_text(encoding="utf-8")
    for case in (hootsuite, fictional):
        names = set(case.statements["speaker"]) | {case.organisation} | set(case.statements["organisation"])
        for name in names:
            for word in re.findall(r"[A-Z][a-z]{3,}", name):
                assert word not in text, word
    assert "ICE" not in text.split()


def test_the_model_statement_is_the_exercise_model_answer(note, hootsuite):
    """One model statement for the built-in case: the teaching note's and the graded exercise's cannot drift apart."""
    from helpers.coursework.source import model_answer

    assert " ".join(sentence for sentence, _ in _model_statement(note)) == model_answer(hootsuite, "strategies", "q6")
