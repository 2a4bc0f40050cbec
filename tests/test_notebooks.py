"""Every lesson notebook, executed by papermill with non-default parameters, says the right things."""

from __future__ import annotations

import json
import re

import nbformat
import papermill
import pytest

from helpers.paths import lesson_notebooks

LESSONS = lesson_notebooks()


def run(notebook, tmp_path, **parameters):
    output = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
        execution_timeout=300,
    )
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
    assert [nb.name for nb in LESSONS] == [
        "01-case-overview.ipynb",
        "02-statement-wording.ipynb",
        "03-timing-of-the-response.ipynb",
        "04-contradictions.ipynb",
        "05-response-strategies.ipynb",
        "06-comparing-cases.ipynb",
    ]


def declared(notebook) -> set[str]:
    return set(papermill.inspect_notebook(str(notebook)))


def _custom_lexicon(tmp_path):
    """The default lexicon plus one row, written to a file of the user's own."""
    from helpers.wording import DEFAULT_LEXICON

    path = tmp_path / "my-lexicon.csv"
    path.write_text(
        DEFAULT_LEXICON.read_text(encoding="utf-8")
        + "pulling-out,commitment,withdrawal,pulling out,literal,student row,we will be pulling out,we will be staying,\n",
        encoding="utf-8",
    )
    return path


# Non-default parameters per lesson, and what the output must then say.
def check_01(executed_text, tmp_path):
    # The thread's opening tweet, derived from its id, shown in UTC to the second.
    assert "2020-09-23 23:51:47 UTC" in executed_text
    # The CEO's email "shortly after 9 pm" Pacific is the hour 04:00-05:00 UTC the next day.
    assert "2020-09-24 04:00–05:00 UTC" in executed_text
    assert "times shown in UTC" in executed_text


def check_02(executed_text, tmp_path):
    assert "close reading of 'keiser-public-closing'" in executed_text
    assert "my-lexicon.csv with 47 rows" in executed_text
    # compare_speakers=["Mary Houtmann"] puts ICE's spokeswoman in the comparison
    assert "ice-houtmann" in executed_text and "Mary Houtmann" in executed_text
    assert "have decided" in executed_text  # the closing passage's verb groups
    assert "The row's words: 'pulling out'" in executed_text  # try_phrase reaches the Try it cell


def check_03(executed_text, tmp_path):
    assert "gaps measured from 'keiser-email'; times shown in America/Chicago" in executed_text
    assert "As of 2020-09-24 10:00 CDT" in executed_text
    # the CEO's email "shortly after 9 pm" Pacific is 23:00-24:00 in Chicago (24:00: the end of that day)
    assert "2020-09-23 23:00–24:00 CDT" in executed_text
    assert "–00:00" not in executed_text
    # the discussion's pair, as decision_event and response_event chose it
    assert re.search(r"<th[^>]*>from</th>\s*<td[^>]*>keiser-email</td>", executed_text)
    assert re.search(r"<th[^>]*>to</th>\s*<td[^>]*>hootsuite-tweet</td>", executed_text)
    assert "the series 'petition signatures'" in executed_text  # the series named by quantity_series


def check_04(executed_text, tmp_path):
    assert "focus on 'formally-terminated'; implied stances left out" in executed_text
    assert "literal vs literal" in executed_text and "literal vs implied" not in executed_text
    assert "has not been cancelled" in executed_text  # ICE's words, via CRN, on the focus claim
    assert 'data-statement="keiser-globe"' in executed_text  # focus_statement reaches the close reading


def _coding_with_two_changes(tmp_path):
    from helpers import load_case
    from helpers.coding import reference_coding

    reference = reference_coding(load_case("hootsuite-ice-2020"), "scct")
    strategies = list(reference["strategy"])
    strategies[0], strategies[1] = "scapegoat", "excuse"
    path = tmp_path / "my-coding.csv"
    reference.assign(strategy=strategies)[["statement_id", "sentence", "strategy"]].to_csv(path, index=False)
    return path


def check_05(executed_text, tmp_path):
    assert "scheme 'scct'; reference coding available" in executed_text
    assert "Your coding vs the reference: 16 sentences, 87.5% agreement" in executed_text
    assert "scapegoat" in executed_text and "instructing information" in executed_text


def check_06(executed_text, tmp_path):
    assert "Comparing 2 case(s): hootsuite-ice-2020 (Hootsuite); chef-2019 (Chef Software)" in executed_text
    assert "Wayfair" not in executed_text and "wayfair-2019" not in executed_text
    assert "expression of regret" in executed_text  # the apology scheme's strategies
    assert "hours from each case's trigger event, from -24 to 72 hours" in executed_text


NON_DEFAULT = {
    "01-case-overview": (lambda tmp: {"display_timezone": "UTC"}, check_01),
    "02-statement-wording": (
        lambda tmp: {
            "focus_statement": "keiser-public-closing",
            "compare_speakers": ["Mary Houtmann"],
            "compare_ids": ["gaboriault-biv", "keiser-email"],
            "lexicon": str(_custom_lexicon(tmp)),
            "try_phrase": "pulling out",
        },
        check_02,
    ),
    "03-timing-of-the-response": (
        lambda tmp: {
            "display_timezone": "America/Chicago",
            "anchor_event": "keiser-email",
            "as_of": "2020-09-24 10:00",
            "decision_event": "keiser-email",
            "response_event": "hootsuite-tweet",
            "quantity_series": "petition signatures",
        },
        check_03,
    ),
    "04-contradictions": (
        lambda tmp: {"claim": "formally-terminated", "include_implied": False, "focus_statement": "keiser-globe"},
        check_04,
    ),
    "05-response-strategies": (lambda tmp: {"scheme": "scct", "student_coding": str(_coding_with_two_changes(tmp))}, check_05),
    "06-comparing-cases": (
        lambda tmp: {
            "compare_with": ["chef-2019"],
            "include_implied": False,
            "scheme": "apology",
            "hours_before": 24,
            "hours_after": 72,
        },
        check_06,
    ),
}


def test_every_lesson_has_a_non_default_run():
    assert {nb.stem for nb in LESSONS} == set(NON_DEFAULT)


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_with_non_default_parameters(notebook, tmp_path):
    make_parameters, check = NON_DEFAULT[notebook.stem]
    executed = run(notebook, tmp_path, **make_parameters(tmp_path))
    text = outputs_text(executed)
    assert "Traceback" not in text
    check(text, tmp_path)


def test_mistyped_parameter_stops_the_run(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(LESSONS[0], tmp_path, display_timezon="UTC")
    assert caught.value.ename == "ParameterError"
    assert "unknown parameter 'display_timezon'" in caught.value.evalue


@pytest.mark.parametrize(
    "parameters, message",
    [
        (
            {"display_timezon": "UTC"},
            "ParameterError\x1b[0m: unknown parameter 'display_timezon' (did you mean 'display_timezone'?)",
        ),
        (
            {"case_id": "hootsuite-ice"},
            "ParameterError\x1b[0m: parameter 'case_id': unknown case 'hootsuite-ice'; available cases:",
        ),
    ],
)
def test_a_parameter_error_shows_its_message_and_no_traceback(tmp_path, parameters, message):
    """What the notebook shows under the failed cell (JupyterLab shows the same error output): the message alone."""
    with pytest.raises(papermill.PapermillExecutionError):
        run(LESSONS[0], tmp_path, **parameters)
    executed = nbformat.read(tmp_path / LESSONS[0].name, as_version=4)
    (error,) = [output for cell in executed.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert len(error.traceback) == 1 and message in error.traceback[0], error.traceback
    assert "Traceback" not in error.traceback[0] and "helpers/" not in error.traceback[0]


def test_unknown_statement_parameter_names_the_parameter(tmp_path):
    wording = next(nb for nb in LESSONS if nb.stem == "02-statement-wording")
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(wording, tmp_path, compare_ids=["gaboriault-bvi"])
    assert "parameter 'compare_ids': unknown statement id 'gaboriault-bvi'" in caught.value.evalue


def test_bad_lexicon_path_names_the_parameter(tmp_path):
    wording = next(nb for nb in LESSONS if nb.stem == "02-statement-wording")
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(wording, tmp_path, lexicon="no-such-lexicon.csv")
    assert "parameter 'lexicon': lexicon file not found" in caught.value.evalue


@pytest.mark.parametrize(
    "parameters, message",
    [
        ({"anchor_event": "no-such-event"}, "parameter 'anchor_event': 'no-such-event' is not an event of this case"),
        ({"as_of": "2031-01-01 00:00"}, "parameter 'as_of': '2031-01-01 00:00' is outside the case"),
    ],
)
def test_timing_notebook_rejects_bad_values(tmp_path, parameters, message):
    timing = next(nb for nb in LESSONS if nb.stem == "03-timing-of-the-response")
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(timing, tmp_path, **parameters)
    assert message in caught.value.evalue


def test_bad_zone_stops_the_run(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(LESSONS[0], tmp_path, display_timezone="Pacific")
    assert "unknown time zone 'Pacific'" in caught.value.evalue


def _markdown_section(notebook, heading: str) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    (section,) = [c.source for c in cells if c.cell_type == "markdown" and c.source.startswith(heading)]
    return " ".join(section.split())


def test_overview_says_how_the_statements_table_is_ordered():
    section = _markdown_section(LESSONS[0], "## Who said what, when")
    assert "in order of the **earliest** time each statement can have been made" in section
    assert "`24:00`" in section and "`unknown`" in section


def test_overview_prose_describes_the_figures_it_draws(hootsuite):
    from helpers.plots import case_period

    section = _markdown_section(LESSONS[0], "## The timeline")
    code = "\n".join(c.source for c in nbformat.read(LESSONS[0], as_version=4).cells if c.cell_type == "code")
    # the default window leaves out the later aftermath, so neither prose nor title may call it the whole case
    _, last = case_period(hootsuite)
    assert (hootsuite.events["start"] > last).any()
    assert "whole timeline" not in code and "shows the whole case" not in section
    assert "later ones are left out" in section and "aftermath" in section
    # the zoomed window is 60 hours with 6 hours either side: 72 hours, as plot_busiest_window titles it
    assert "sixty hours" in section and "six hours either side" in section and "72 hours" in section
    assert "plot_busiest_window(case, zone)" in code
    # markers are intervals too short for the scale (an hour-precision time is one over the whole case)
    assert "known to the minute or better are markers" not in section and "too short to draw" in section
    for shape in ("diamond", "hatched", "hollow", "dashed"):
        assert shape in section


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
    assert all(
        ":" in line.split("=")[0] and "#" in line for line in "".join(parameters[0]["source"]).splitlines() if line.strip()
    )
    assert "injected-parameters" not in raw and "/home/" not in raw and "/root/" not in raw and "../data" not in raw
    headings = [
        line
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if line.startswith("# ")
    ]
    assert len(headings) == 1
    declared = papermill.inspect_notebook(str(notebook))
    assert "case_id" in declared and all(p["help"] for p in declared.values())


# ------------------------------------------------------------------ what the committed notebooks show (issue 19)


def _cells(notebook):
    return nbformat.read(notebook, as_version=4).cells


def _output_of(notebook, code_fragment: str) -> str:
    """Every output of the one code cell whose source contains ``code_fragment``, as text."""
    (cell,) = [c for c in _cells(notebook) if c.cell_type == "code" and code_fragment in c.source]
    return outputs_text(nbformat.from_dict({"cells": [cell]}))


def _lesson(prefix):
    return next(nb for nb in LESSONS if nb.stem.startswith(prefix))


def _markdown(notebook) -> str:
    return "\n".join(c.source for c in _cells(notebook) if c.cell_type == "markdown")


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_states_its_prerequisites_and_ends_with_a_self_check(notebook):
    cells = _cells(notebook)
    header = cells[0].source
    assert "**Prerequisites.**" in header and ("pandas" in header or ".loc[" in header)
    assert "](../coursework/glossary.md)" in header
    code = [c for c in cells if c.cell_type == "code"]
    last = code[-1]
    assert f'self_check("{notebook.stem[:2]}", case, my_answers' in last.source
    assert "not answered yet" in outputs_text(
        nbformat.from_dict({"cells": [last]})
    )  # committed unanswered: it gives nothing away
    assert cells[-1].cell_type == "markdown" and cells[-1].source.startswith("**Lesson complete.**")
    assert cells[-3].source.startswith("## Self-check") and "never gives the answer" in cells[-3].source


def test_overview_voices_table_has_a_status_column_and_no_paraphrase():
    shown = _output_of(_lesson("01"), "organisation_voice(case, zone)")
    # each statement a quote card, its metadata beneath: a "status" label on every card, fragments among them
    assert re.search(r"<b>status</b> (verbatim|fragment)</span>", shown) and re.search(r"<b>status</b> fragment</span>", shown)
    for paraphrase in ("hootsuite-cp", "keiser-public-techtimes"):
        assert paraphrase not in shown
    assert "Reporters' paraphrases are left out" in _markdown(_lesson("01"))


def test_timing_discussion_shows_the_order_as_not_established_beside_the_sources_estimate():
    shown = _output_of(_lesson("03"), "gap_table(case, [pair])")
    assert "no: may overlap" in shown and "[-1 h 00 min, 3 h 00 min]" in shown
    assert "some two hours" in shown and "BetaKit" in shown and "not timed itself" in shown
    prose = " ".join(_markdown(_lesson("03")).split())
    assert "the **range the data allows**" in prose and "as **the sources put it**" in prose


def test_contradictions_lesson_leads_with_the_organisations_own_pairs():
    cells = _cells(_lesson("04"))
    code = [c.source for c in cells if c.cell_type == "code"]
    first_pairs = next(i for i, source in enumerate(code) if "contradictions(" in source)
    assert "organisation_only=True" in code[first_pairs]
    shown = _output_of(_lesson("04"), "organisation_only=True")
    assert "rests on a paraphrase" in shown and "yes: the later statement" in shown
    assert "Rows known only through a reporter" in _output_of(_lesson("04"), "plot_stance_matrix(")
    # the close reading asks what the speaker could have known, with the record of what came before
    prose = " ".join(_markdown(_lesson("04")).split())
    assert "What could the speaker have known?" in prose and "Paltering needs a speaker who knows" in prose
    assert "maybe before" in _output_of(_lesson("04"), "said_before(case, press)")


def test_wording_lesson_works_through_where_the_lexicon_fails():
    prose = " ".join(_markdown(_lesson("02")).split())
    for point in (
        "an account of **what went wrong**",
        "Owning and hiding are counted apart",
        "A decision named is not a decision made",
        "Urgency is not certainty",
    ):
        assert point in prose
    gained = _output_of(_lesson("02"), 'row_id="broad-explanation"')
    assert "gaboriault-biv" in gained and "hootsuite-tweet" in gained
    assert "or hides it behind a passive" not in prose


def test_strategies_lesson_gives_coombs_guidance_and_no_contract_the_organisation_signed():
    prose = " ".join(_markdown(_lesson("05")).split())
    assert "had signed" not in prose
    assert "how to protect themselves physically" in prose
    shown = _output_of(_lesson("05"), "load_scct_guidelines()")
    assert "rumours" in shown and "diminish or rebuild" in shown
