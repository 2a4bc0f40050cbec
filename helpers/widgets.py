"""Interactive views. Each widget is a thin shell over a plain function that returns the same
HTML, so a papermill run (static) and a JupyterLab session (interactive) show the same thing."""

from __future__ import annotations

import html

import pandas as pd

from .cache import ContentCache, display_options, frame_content
from .case import Case
from .coding import analyse_draft
from .plots import busiest_window
from .queries import organisation_statement_ids, when
from .timeline import default_as_of, public_view_html
from .times import to_zone
from .wording import Lexicon, analyse_text, compare_statements, load_lexicon

# Light tints of Okabe & Ito's palette: black text stays readable on every one of them. Tints this
# pale cannot all stay apart with the common colour-vision deficiencies (the figures use the same hues
# at full strength, plots.CATEGORY_BAR_COLOURS), so each mark also carries its category in text (a
# superscript tag): colour is never the only cue.
CATEGORY_COLOURS = {
    "hedge": "#F5D58A",
    "booster": "#F7A8A8",
    "negation": "#9FD3F2",
    "commitment": "#8FD6BF",
    "self_mention": "#F6EFA0",
    "responsibility": "#9DB8E0",
    "attitude": "#E8B5D3",
    "apology": "#F2B98C",
    "evasion": "#CFCFCF",
}
DEFAULT_COLOUR = "#DDDDDD"
TAGS = {"hedge": "H", "booster": "B", "negation": "N", "commitment": "C", "self_mention": "S",
        "responsibility": "R", "attitude": "A", "apology": "P", "evasion": "E"}


def _tag(category: str) -> str:
    return TAGS.get(category, category[:2].upper())


def highlight_html(text: str, matches, categories=None) -> str:
    """``text`` as HTML with each match of the chosen categories marked and labelled."""
    chosen = [m for m in matches if categories is None or m.category in categories]
    cuts = sorted({0, len(text), *[m.start for m in chosen], *[m.end for m in chosen]})
    parts = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for m in chosen if m.start <= start and end <= m.end]
        segment = html.escape(text[start:end])
        if not covering:
            parts.append(segment)
            continue
        first = covering[0]
        title = "; ".join(f"{m.category} ({m.subcategory}): row {m.row_id}" + (", negated" if m.negated else "") for m in covering)
        closes_here = [m for m in covering if m.end == end]
        tags = "".join(f"<sup>{_tag(m.category)}</sup>" for m in closes_here)
        parts.append(
            f'<mark style="background:{CATEGORY_COLOURS.get(first.category, DEFAULT_COLOUR)};color:#000;padding:0 1px" '
            f'title="{html.escape(title)}">{segment}{tags}</mark>'
        )
    return "".join(parts)


def legend_html(categories) -> str:
    items = "".join(
        f'<span style="background:{CATEGORY_COLOURS.get(c, DEFAULT_COLOUR)};color:#000;padding:1px 6px;margin-right:6px">'
        f"<sup>{_tag(c)}</sup> {html.escape(c)}</span>"
        for c in categories
    )
    return f'<div role="list" aria-label="legend">{items}</div>'


def render_statement(case: Case, statement_id: str, categories=None, lexicon: Lexicon | None = None, display_timezone: str | None = None) -> str:
    """One statement: who, when, to whom, the highlighted text, a legend and the rows that fired."""
    if statement_id not in case.statements.index:
        raise KeyError(f"unknown statement {statement_id!r}; the case has: {', '.join(case.statements.index)}")
    lexicon = lexicon or load_lexicon()
    statement = case.statements.loc[statement_id]
    analysis = analyse_text(statement["text"], lexicon, case.names)
    shown = list(categories) if categories else lexicon.categories
    matches = [m for m in analysis.matches if m.category in shown]
    zone = display_timezone or case.timezone
    header = (
        f"<p><b>{html.escape(statement['speaker'])}</b> ({html.escape(statement['organisation'])}) · "
        f"{html.escape(statement['channel'])} · audience: {html.escape(statement['audience'])} · "
        f"{html.escape(when(case, statement_id, zone))} · {html.escape(statement['text_status'])}</p>"
    )
    warning = ""
    if statement["text_status"] == "paraphrase":
        warning = "<p><i>These are a reporter's words, not the speaker's: their wording says nothing about how the speaker spoke.</i></p>"
    rows = pd.DataFrame(
        [(m.text, m.category, m.subcategory, m.row_id, "yes" if m.negated else "") for m in matches],
        columns=["words", "category", "subcategory", "lexicon row", "negated nearby"],
    )
    table = rows.to_html(index=False, escape=True, border=0) if len(rows) else "<p>No match in the chosen categories.</p>"
    body = highlight_html(statement["text"], matches)
    return (
        f'<div class="statement-view" data-statement="{html.escape(statement_id)}">{header}{warning}'
        f'<blockquote style="font-size:1.05em;line-height:1.7">{body}</blockquote>{legend_html(shown)}{table}</div>'
    )


class StatementExplorer:
    """Choose a statement and categories; see the highlighted text, a legend and the matched rows."""

    def __init__(self, case: Case, lexicon: Lexicon | None = None, statement_id: str | None = None, categories=None, display_timezone: str | None = None):
        # ipywidgets is loaded only once a widget is built: `import helpers` (the casework command, the grader) does without it
        import ipywidgets as widgets

        self.case, self.lexicon, self.display_timezone = case, lexicon or load_lexicon(), display_timezone
        options = [(f"{sid} — {row['speaker']}", sid) for sid, row in case.statements.iterrows()]
        self.statement = widgets.Dropdown(options=options, value=statement_id or options[0][1], description="Statement",
                                          layout=widgets.Layout(width="95%"))
        self.categories = widgets.SelectMultiple(options=self.lexicon.categories, value=tuple(categories or self.lexicon.categories),
                                                 description="Categories", rows=len(self.lexicon.categories))
        self.view = widgets.HTML()
        self.statement.observe(self._update, names="value")
        self.categories.observe(self._update, names="value")
        self.widget = widgets.VBox([self.statement, self.categories, self.view])
        self._update()

    def _update(self, _change=None) -> None:
        self.view.value = render_statement(self.case, self.statement.value, self.categories.value, self.lexicon, self.display_timezone)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def statement_explorer(case: Case, lexicon: Lexicon | None = None, statement_id: str | None = None, categories=None, display_timezone: str | None = None) -> StatementExplorer:
    """The statement explorer widget (see ``render_statement`` for the static view)."""
    return StatementExplorer(case, lexicon, statement_id, categories, display_timezone)


class PublicKnowledgeExplorer:
    """A time slider: which statements were public or internal, and where the claims stood, at that moment."""

    def __init__(self, case: Case, display_timezone: str | None = None, as_of=None, step_hours: int = 1):
        # ipywidgets is loaded only once a widget is built: `import helpers` (the casework command, the grader) does without it
        import ipywidgets as widgets

        self.case, self.zone = case, display_timezone or case.timezone
        self._render = public_view_html
        start, end = busiest_window(case)
        moments = list(pd.date_range(start.ceil("h"), end.floor("h"), freq=f"{step_hours}h"))
        chosen = pd.Timestamp(as_of) if as_of is not None else default_as_of(case)
        if chosen not in moments:
            moments = sorted([*moments, chosen])
        options = [(f"{to_zone(m.to_pydatetime(), self.zone):%a %d %b %H:%M %Z}", m) for m in moments]
        self.slider = widgets.SelectionSlider(options=options, value=chosen, description="As of",
                                              continuous_update=False, layout=widgets.Layout(width="95%"))
        self.view = widgets.HTML()
        self.slider.observe(self._update, names="value")
        self.widget = widgets.VBox([self.slider, self.view])
        self._update()

    def _update(self, _change=None) -> None:
        self.view.value = self._render(self.case, self.slider.value, self.zone)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def public_knowledge_explorer(case: Case, display_timezone: str | None = None, as_of=None) -> PublicKnowledgeExplorer:
    """The "what did the public know?" widget (``timeline.public_view_html`` is the static view)."""
    return PublicKnowledgeExplorer(case, display_timezone, as_of)


# --------------------------------------------------------------------------- drafting lab

#: The drafting lab's table of the real statements as HTML, by what it is computed from (see helpers/cache.py).
_REAL_STATEMENTS = ContentCache("drafting lab: the real statements", size=16)


def _real_statements_html(case: Case, lexicon) -> str:
    real = compare_statements(case, organisation_statement_ids(case), lexicon=lexicon)
    columns = ["speaker", "words", "hedge per 100 words", "negation per 100 words", "apology per 100 words", "tenses"]
    real = real[[c for c in columns if c in real.columns]]
    return real.to_html(escape=True, border=0)


def draft_report_html(case: Case, text: str, lexicon=None) -> str:
    """The drafting lab's view: the draft highlighted, its profile, and the real statements beside it.

    The table of the real statements does not depend on the draft: it is cached on the case data
    it reads and on the lexicon, which is immutable (``Lexicon`` is frozen and caches its own
    compiled patterns); the cache holds the lexicon, so its ``id`` in the key cannot be reused by another.
    """
    lexicon = lexicon or load_lexicon()
    report = analyse_draft(case, text, lexicon)
    profile = pd.DataFrame({"measure": [k for k in report if k != "analysis"],
                            "your draft": [", ".join(v) if isinstance(v, list) else v for k, v in report.items() if k != "analysis"]})
    key = (frame_content(case.statements, ["start", "end", "organisation", "text_status", "speaker", "audience", "text"]),
           case.organisation, id(lexicon), display_options())
    kept, real = _REAL_STATEMENTS.get(key, lambda: (lexicon, _real_statements_html(case, lexicon)))
    if kept is not lexicon:  # cannot happen while the entry holds the lexicon; never serve another lexicon's table
        real = _real_statements_html(case, lexicon)
    body = highlight_html(text, report["analysis"].matches) if text.strip() else "<i>(empty draft)</i>"
    return (
        f'<div class="draft-report" data-words="{report["words"]}"><blockquote>{body}</blockquote>{legend_html(lexicon.categories)}'
        f"{profile.to_html(index=False, escape=True, border=0)}<h3>The real statements</h3>{real}</div>"
    )


class DraftingLab:
    """A text area for a holding statement, with the analysis updated as the text changes."""

    def __init__(self, case: Case, text: str = "", lexicon=None):
        # ipywidgets is loaded only once a widget is built: `import helpers` (the casework command, the grader) does without it
        import ipywidgets as widgets

        self.case, self.lexicon = case, lexicon or load_lexicon()
        self.draft = widgets.Textarea(value=text, description="Draft", placeholder="Write the holding statement here",
                                      continuous_update=False, layout=widgets.Layout(width="95%", height="140px"))
        self.view = widgets.HTML()
        self.draft.observe(self._update, names="value")
        self.widget = widgets.VBox([self.draft, self.view])
        self._update()

    def _update(self, _change=None) -> None:
        self.view.value = draft_report_html(self.case, self.draft.value, self.lexicon)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def drafting_lab(case: Case, text: str = "", lexicon=None) -> DraftingLab:
    """The drafting lab widget (``draft_report_html`` is the static view)."""
    return DraftingLab(case, text, lexicon)
