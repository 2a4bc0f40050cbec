"""Widgets respond to their controls (kernel side), and their static twins say the same thing."""

from __future__ import annotations

import re

from helpers import load_lexicon, render_statement, statement_explorer


def marks(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


def test_static_view_highlights_the_denial(hootsuite):
    view = render_statement(hootsuite, "gaboriault-biv")
    assert 'data-statement="gaboriault-biv"' in view
    assert any(m.startswith("is not entering") for m in marks(view))
    assert "neg-progressive" in view and "Melanie Gaboriault" in view and "legend" in view


def test_paraphrase_is_flagged(hootsuite):
    assert "a reporter's words, not the speaker's" in render_statement(hootsuite, "hootsuite-cp")


def test_explorer_updates_when_the_statement_changes(hootsuite):
    explorer = statement_explorer(hootsuite, statement_id="gaboriault-biv")
    before = explorer.view.value
    explorer.statement.value = "keiser-public-closing"
    after = explorer.view.value
    assert after != before and 'data-statement="keiser-public-closing"' in after
    assert after == render_statement(hootsuite, "keiser-public-closing")


def test_explorer_updates_when_categories_change(hootsuite):
    explorer = statement_explorer(hootsuite, statement_id="gaboriault-biv")
    all_marks = len(marks(explorer.view.value))
    explorer.categories.value = ("negation",)
    only_negation = marks(explorer.view.value)
    assert 0 < len(only_negation) < all_marks
    assert explorer.view.value == render_statement(hootsuite, "gaboriault-biv", ("negation",))


def test_explorer_controls_have_descriptions(hootsuite):
    explorer = statement_explorer(hootsuite)
    assert explorer.statement.description and explorer.categories.description
    assert set(explorer.categories.options) == set(load_lexicon().categories)


def test_text_is_escaped(fictional):
    for statement_id in fictional.statements.index:
        assert "<script" not in render_statement(fictional, statement_id)
