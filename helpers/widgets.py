"""Interactive views, each a thin shell over a plain render function that returns the same HTML, so
a papermill run (static) and a JupyterLab session (interactive) show the same thing.

Every widget is a ``View`` built by ``interactive``: a render function, and the controls whose values
it takes. The front end (``templates/view/view.js``, shown through anywidget) draws each control as
a native, labelled form element that keeps its keys: JupyterLab's own controls lose arrow keys and
letters to the notebook's shortcuts (jupyter-widgets/ipywidgets#3912), and its slider announces a
position, not a time. A status line, a live region, says what each new view shows. Before the cell
runs, and in an HTML handout, the output shows the render function's static view in its place.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anywidget
import pandas as pd
import traitlets

from .case import Case
from .claims import check_claim, stances
from .coding import analyse_draft
from .paths import PACKAGE_DIR
from .plots import busiest_window
from .queries import NO_PUBLIC_STATEMENT, first_press_statement, organisation_statement_ids, timeline_order, when
from .tables import table_html
from .timeline import claims_at, default_as_of, public_at, statement_status
from .times import to_zone
from .wording import Lexicon, analyse_text, compare_statements, load_lexicon, rate_column

FRONT_END = PACKAGE_DIR / "templates" / "view"

# Light tints of Okabe & Ito's palette: black text stays readable on every one of them. Tints this
# pale cannot all stay apart with the common colour-vision deficiencies (the figures use the same hues
# at full strength, plots.figure.CATEGORY_BAR_COLOURS), so each mark also carries its category in text (a
# superscript tag): colour is never the only cue.
# fmt: off
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
# fmt: on
DEFAULT_COLOUR = "#DDDDDD"
# fmt: off
TAGS = {"hedge": "H", "booster": "B", "negation": "N", "commitment": "C", "self_mention": "S",
        "responsibility": "R", "attitude": "A", "apology": "P", "evasion": "E"}
# fmt: on


# --------------------------------------------------------------------------- the one way a widget is built


@dataclass(frozen=True)
class Control:
    """One control of a view: its value is passed to the render function as ``name``.

    ``kind`` is ``select`` (one of ``options``), ``slider`` (one of ``options``, in order),
    ``checkboxes`` (a list of ``options``' values) or ``text``. ``options`` are (label, value) pairs.
    """

    name: str
    label: str
    kind: str
    value: object
    options: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""

    def spec(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "options": [list(o) for o in self.options],
            "placeholder": self.placeholder,
        }

    def describe(self, value) -> str:
        """The value as the status line announces it: the option's label, not its id."""
        labels = dict((option, label) for label, option in self.options)
        if self.kind == "checkboxes":
            return f"{self.label}: {', '.join(labels.get(v, v) for v in value) or 'none'}"
        if self.kind == "text":
            return f"{self.label}: {len(str(value).split())} words"
        return f"{self.label}: {labels.get(value, value)}"


class View(anywidget.AnyWidget):
    """Controls, a status line and the HTML ``render(**values)`` returns, redrawn whenever a value changes."""

    _esm = FRONT_END / "view.js"
    _css = FRONT_END / "view.css"
    controls = traitlets.List().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    html = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    #: HTML shown under the view that no control changes: sent to the page once, not with every update.
    fixed = traitlets.Unicode("").tag(sync=True)

    def __init__(self, render: Callable[..., str], controls: Sequence[Control], title: str, fixed: str = ""):
        super().__init__(controls=[c.spec() for c in controls], values={c.name: c.value for c in controls}, fixed=fixed)
        self._render, self._controls, self.title = render, list(controls), title
        self.observe(self._update, names="values")
        self._update()

    def _update(self, _change=None) -> None:
        self.html = self._render(**self.values)
        self.status = f"{self.title} shows " + "; ".join(c.describe(self.values[c.name]) for c in self._controls) + "."

    def __repr__(self) -> str:  # the plain-text form of the output: short, unlike a widget's list of every trait
        return f"<{self.status}>"

    def set(self, **values) -> None:
        """Change some controls' values, as a reader would (the view is redrawn once)."""
        unknown = set(values) - {c.name for c in self._controls}
        if unknown:
            raise KeyError(
                f"{self.title} has no control {sorted(unknown)[0]!r}; its controls: {', '.join(c.name for c in self._controls)}"
            )
        self.values = {**self.values, **values}

    def static_html(self) -> str:
        """What the output shows where the widget cannot be drawn (before the cell runs, in a handout): the view as it is now."""
        controls = ", ".join(c.label.lower() for c in self._controls)
        return (
            f'<div class="casework-static"><p><i>{html.escape(self.status)} Run the cell in JupyterLab to change the '
            f"{html.escape(controls)}.</i></p>{self.html}{self.fixed}</div>"
        )

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self.static_html()}, metadata


def interactive(render: Callable[..., str], controls: Sequence[Control], title: str, fixed: str = "") -> View:
    """A widget: ``controls`` steering ``render`` (a plain function of their values returning HTML), and under it
    the ``fixed`` HTML that no control changes."""
    return View(render, controls, title, fixed)


# --------------------------------------------------------------------------- statements and their wording


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
        title = "; ".join(
            f"{m.category} ({m.subcategory}): row {m.row_id}" + (", negated" if m.negated else "") for m in covering
        )
        closes_here = [m for m in covering if m.end == end]
        tags = "".join(f"<sup>{_tag(m.category)}</sup>" for m in closes_here)
        parts.append(
            f'<mark style="background:{CATEGORY_COLOURS.get(first.category, DEFAULT_COLOUR)};color:#000;padding:0 1px" '
            f'title="{html.escape(title)}">{segment}{tags}</mark>'
        )
    return "".join(parts)


def legend_html(categories) -> str:
    items = "".join(
        f'<span style="background:{CATEGORY_COLOURS.get(c, DEFAULT_COLOUR)};color:#000;padding:1px 6px;margin:0 6px 4px 0;'
        f'display:inline-block"><sup>{_tag(c)}</sup> {html.escape(c)}</span>'
        for c in categories
    )
    return f'<p class="legend" style="line-height:1.8">Legend: {items}</p>'


def render_statement(
    case: Case, statement_id: str, categories=None, lexicon: Lexicon | None = None, display_timezone: str | None = None
) -> str:
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
    table = table_html(rows, "The lexicon rows that matched") if len(rows) else "<p>No match in the chosen categories.</p>"
    body = highlight_html(statement["text"], matches)
    return (
        f'<div class="statement-view" data-statement="{html.escape(statement_id)}">{header}{warning}'
        f'<blockquote style="font-size:1.05em;line-height:1.7">{body}</blockquote>{legend_html(shown)}{table}</div>'
    )


def statement_explorer(
    case: Case,
    lexicon: Lexicon | None = None,
    statement_id: str | None = None,
    categories=None,
    display_timezone: str | None = None,
) -> View:
    """Choose a statement and categories; see the highlighted text, a legend and the matched rows (``render_statement``)."""
    lexicon = lexicon or load_lexicon()
    options = tuple((f"{sid} — {row['speaker']}", sid) for sid, row in case.statements.iterrows())
    return interactive(
        lambda statement, categories: render_statement(case, statement, categories, lexicon, display_timezone),
        [
            Control("statement", "Statement", "select", statement_id or options[0][1], options),
            Control(
                "categories",
                "Categories",
                "checkboxes",
                list(categories or lexicon.categories),
                tuple((c, c) for c in lexicon.categories),
            ),
        ],
        "The statement explorer",
    )


# --------------------------------------------------------------------------- what the public knew, when


def public_view_html(case: Case, as_of: pd.Timestamp, display_timezone: str | None = None) -> str:
    """The 'what did the public know?' view as HTML (the widget shows exactly this)."""
    zone = display_timezone or case.timezone
    status = statement_status(case, as_of)
    counts = {k: int((status == k).sum()) for k in ("made", "maybe made", "not yet", "unknown")}
    internal = case.statements["audience"] == "internal"
    made_internal = int((internal & (status == "made")).sum())
    heading = (
        f'<h3 data-as-of="{as_of.isoformat()}">As of {to_zone(as_of.to_pydatetime(), zone):%Y-%m-%d %H:%M %Z}</h3>'
        f"<p>{counts['made']} statements certainly made ({made_internal} of them internal only), {counts['maybe made']} maybe made, "
        f"{counts['not yet']} not yet made, {counts['unknown']} that cannot be placed in time.</p>"
    )
    if first_press_statement(case) is None:
        heading += f"<p>The organisation made {NO_PUBLIC_STATEMENT} that the sources place in time.</p>"
    statements = public_at(case, as_of, zone)
    tables = (
        table_html(statements, "Statements made by then")
        if len(statements)
        else "<p><b>Statements made by then:</b> none yet.</p>"
    )
    return f'<div class="public-view">{heading}{tables}{table_html(claims_at(case, as_of), "Where the claims stood")}</div>'


def public_knowledge_explorer(case: Case, display_timezone: str | None = None, as_of=None, step_hours: int = 1) -> View:
    """A time slider: which statements were public or internal, and where the claims stood, then (``public_view_html``)."""
    zone = display_timezone or case.timezone
    start, end = busiest_window(case)
    moments = list(pd.date_range(start.ceil("h"), end.floor("h"), freq=f"{step_hours}h"))
    chosen = pd.Timestamp(as_of) if as_of is not None else default_as_of(case)
    if chosen not in moments:
        moments = sorted([*moments, chosen])
    options = tuple((f"{to_zone(m.to_pydatetime(), zone):%a %d %b %H:%M %Z}", m.isoformat()) for m in moments)
    return interactive(
        lambda as_of: public_view_html(case, pd.Timestamp(as_of), zone),
        [Control("as_of", "As of", "slider", chosen.isoformat(), options)],
        "The public-knowledge view",
    )


# --------------------------------------------------------------------------- claims


def claim_view_html(case: Case, claim: str, include_implied: bool = True, display_timezone: str | None = None) -> str:
    """Every statement's stance on one claim, in time order, with its evidence words and the record."""
    check_claim(case, claim)
    zone = display_timezone or case.timezone
    on_claim = stances(case, include_implied)
    on_claim = on_claim[on_claim["claim_id"] == claim]
    order = timeline_order(case.statements.loc[on_claim["statement_id"].unique()]).index
    statements = case.statements
    table = pd.DataFrame(
        [
            {
                f"when ({zone})": when(case, sid, zone),
                "statement": sid,
                "speaker": statements.loc[sid, "speaker"],
                "audience": statements.loc[sid, "audience"],
                "text status": statements.loc[sid, "text_status"],
                "stance": row.label,
                "evidence words": row.evidence,
            }
            for sid in order
            for row in on_claim[on_claim["statement_id"] == sid].itertuples()
        ],
        columns=[f"when ({zone})", "statement", "speaker", "audience", "text status", "stance", "evidence words"],
    )
    record = case.claims.loc[claim]
    return (
        f'<div class="claim-view" data-claim="{html.escape(claim)}"><p><b>{html.escape(record["proposition"])}</b></p>'
        f"<p>Record: <b>{html.escape(record['record'])}</b> — {html.escape(record['record_note'])}</p>"
        + (table_html(table, "Every stance on this claim") if len(table) else "<p>No statement takes a stance on this claim.</p>")
        + "</div>"
    )


def claim_explorer(
    case: Case, claim: str | None = None, include_implied: bool = True, display_timezone: str | None = None
) -> View:
    """Pick a claim; see every statement's stance on it along the timeline, with the evidence words (``claim_view_html``)."""
    options = tuple((f"{cid}: {row['proposition']}", cid) for cid, row in case.claims.iterrows())
    return interactive(
        lambda claim, stances: claim_view_html(case, claim, stances == "all", display_timezone),
        [
            Control("claim", "Claim", "select", claim or case.claims.index[0], options),
            Control(
                "stances",
                "Stances",
                "select",
                "all" if include_implied else "literal",
                (("literal and implied", "all"), ("literal only", "literal")),
            ),
        ],
        "The claim explorer",
    )


# --------------------------------------------------------------------------- drafting lab


def real_statements_html(case: Case, lexicon: Lexicon) -> str:
    """The organisation's real statements, profiled as a draft is: the drafting lab's table to compare with."""
    real = compare_statements(case, organisation_statement_ids(case), lexicon=lexicon)
    columns = ["speaker", "words", *(rate_column(c) for c in ("hedge", "negation", "apology")), "tenses"]
    return table_html(real[[c for c in columns if c in real.columns]], "The organisation's real statements")


def draft_report_html(case: Case, text: str, lexicon: Lexicon | None = None, with_real_statements: bool = True) -> str:
    """The drafting lab's view: the draft highlighted, its profile, and (``with_real_statements``) the real statements beside it."""
    lexicon = lexicon or load_lexicon()
    report = analyse_draft(case, text, lexicon)
    profile = pd.DataFrame(report.rows(), columns=["measure", "your draft"])
    body = highlight_html(text, report.analysis.matches) if text.strip() else "<i>(empty draft)</i>"
    return (
        f'<div class="draft-report" data-words="{report.words}"><blockquote>{body}</blockquote>{legend_html(lexicon.categories)}'
        f"{table_html(profile, 'Your draft')}</div>" + (real_statements_html(case, lexicon) if with_real_statements else "")
    )


def drafting_lab(case: Case, text: str = "", lexicon: Lexicon | None = None) -> View:
    """A text area for a holding statement, with the analysis updated when the text changes (``draft_report_html``).

    The real statements do not depend on the draft: they are the view's fixed part, sent to the page
    once, so that each update carries only the draft's analysis.
    """
    lexicon = lexicon or load_lexicon()
    return interactive(
        lambda draft: draft_report_html(case, draft, lexicon, with_real_statements=False),
        [Control("draft", "Draft", "text", text, placeholder="Write the holding statement here")],
        "The drafting lab",
        fixed=real_statements_html(case, lexicon),
    )
