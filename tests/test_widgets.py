"""Widgets: each is a View over a render function; its view, after any change of its controls, is what
that function returns for the same values (so the static twin in a handout says the same thing)."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from helpers import load_lexicon, render_statement, statement_explorer
from helpers.claims import recode
from helpers.widgets import (
    View,
    claim_explorer,
    claim_view_html,
    draft_report_html,
    drafting_lab,
    public_knowledge_explorer,
    public_view_html,
)
from tests.jupyterlab_browser import DRAFT_SENTENCES

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def marks(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


def test_static_view_highlights_the_denial(hootsuite):
    view = render_statement(hootsuite, "gaboriault-biv")
    assert 'data-statement="gaboriault-biv"' in view
    assert any(m.startswith("is not entering") for m in marks(view))
    assert "neg-progressive" in view and "Melanie Gaboriault" in view and "Legend" in view


def test_paraphrase_is_flagged(hootsuite):
    assert "a reporter's words, not the speaker's" in render_statement(hootsuite, "hootsuite-cp")


def test_explorer_updates_when_the_statement_changes(hootsuite):
    explorer = statement_explorer(hootsuite, statement_id="gaboriault-biv")
    before = explorer.html
    explorer.set(statement="keiser-public-closing")
    assert explorer.html != before and 'data-statement="keiser-public-closing"' in explorer.html
    assert explorer.html == render_statement(hootsuite, "keiser-public-closing")
    assert "Statement: keiser-public-closing — Tom Keiser" in explorer.status


def test_explorer_updates_when_categories_change(hootsuite):
    explorer = statement_explorer(hootsuite, statement_id="gaboriault-biv")
    all_marks = len(marks(explorer.html))
    explorer.set(categories=["negation"])
    only_negation = marks(explorer.html)
    assert 0 < len(only_negation) < all_marks
    assert explorer.html == render_statement(hootsuite, "gaboriault-biv", ("negation",))
    assert explorer.status.endswith("Categories: negation.")


def test_explorer_offers_every_statement_and_category(hootsuite):
    explorer = statement_explorer(hootsuite)
    statement, categories = explorer.controls
    assert [value for _, value in statement["options"]] == list(hootsuite.statements.index)
    assert {value for _, value in categories["options"]} == set(load_lexicon().categories)
    # full labels: no claim or speaker is cut
    claims = claim_explorer(hootsuite).controls[0]["options"]
    assert [label for label, _ in claims] == [f"{cid}: {p}" for cid, p in hootsuite.claims["proposition"].items()]


def test_text_is_escaped(fictional):
    for statement_id in fictional.statements.index:
        assert "<script" not in render_statement(fictional, statement_id)


def test_an_unknown_control_is_an_error_naming_the_controls(hootsuite):
    with pytest.raises(KeyError, match="has no control 'statment'.*statement, categories"):
        statement_explorer(hootsuite).set(statment="keiser-email")


def test_public_view_widget_moves_with_the_slider(hootsuite):
    explorer = public_knowledge_explorer(hootsuite, "UTC")
    (slider,) = explorer.controls
    assert slider["kind"] == "slider" and slider["label"] == "As of"
    before = explorer.html
    later_label, later = slider["options"][-1]
    explorer.set(as_of=later)
    assert explorer.html != before
    assert explorer.html == public_view_html(hootsuite, pd.Timestamp(later), "UTC")
    assert f'data-as-of="{later}"' in explorer.html
    assert explorer.status == f"The public-knowledge view shows As of: {later_label}."  # the time, not a position


def test_claim_explorer_updates(hootsuite):
    explorer = claim_explorer(hootsuite, "contract-existed")
    before = explorer.html
    explorer.set(claim="formally-terminated")
    assert explorer.html != before and 'data-claim="formally-terminated"' in explorer.html
    explorer.set(stances="literal")
    assert explorer.html == claim_view_html(hootsuite, "formally-terminated", include_implied=False)
    assert "implies the opposite" not in explorer.html


def test_drafting_lab_updates_when_the_text_changes(hootsuite):
    lab = drafting_lab(hootsuite, "We are reviewing the order.")
    before = lab.html
    lab.set(draft="We are sorry, and we have ended the order.")
    assert lab.html != before and 'data-words="9"' in lab.html
    # what changes is sent with each update; the real statements, which do not, are the fixed part, sent once
    assert lab.html + lab.fixed == draft_report_html(hootsuite, "We are sorry, and we have ended the order.")
    assert "The organisation&#x27;s real statements" in lab.fixed and "real statements" not in lab.html
    assert lab.fixed in lab.static_html()
    assert lab.controls[0]["label"] == "Draft"


@pytest.mark.parametrize("case_name", ["hootsuite", "fictional"])
def test_each_view_is_its_render_function_whatever_the_case_becomes(case_name, request):
    """No view is served stale: after a recoding (a new case sharing tables) or an edit in place, each
    widget built on the case shows what its render function computes now."""
    case = request.getfixturevalue(case_name)
    case = dataclasses.replace(case, statements=case.statements.copy(), claims=case.claims.copy())
    as_of = case.statements["end"].max()
    for text in ["", *DRAFT_SENTENCES]:
        lab = drafting_lab(case, text)
        assert lab.html + lab.fixed == draft_report_html(case, text)
    stance = case.stances.iloc[0]
    silent = recode(case, stance["statement_id"], stance["claim_id"], None)
    assert public_view_html(silent, as_of) != public_view_html(case, as_of)
    explorer = claim_explorer(silent, stance["claim_id"])
    assert explorer.html == claim_view_html(silent, stance["claim_id"]) != claim_view_html(case, stance["claim_id"])
    case.claims.loc[case.claims.index[0], "record"] = "edited <record>"
    lab = public_knowledge_explorer(case)
    lab.set(as_of=as_of.isoformat())
    assert "edited &lt;record&gt;" in lab.html and lab.html == public_view_html(case, as_of)


@pytest.mark.parametrize("build", [statement_explorer, public_knowledge_explorer, claim_explorer, drafting_lab])
def test_before_it_runs_and_in_a_handout_a_widget_shows_its_static_view(build, hootsuite):
    widget = build(hootsuite)
    assert isinstance(widget, View)
    data, _ = widget._repr_mimebundle_()
    assert WIDGET_VIEW in data
    assert widget.html in data["text/html"] and widget.status in data["text/html"]
    assert "VBox(" not in data["text/html"]
