"""Tables for the lessons: who said what when, wording variants, open questions, sources; and the one
way every table in a lesson, a widget or a handout is drawn as HTML (``table_html``).

What a table must be to be read at laptop size (about 600 px of output width at 1024 px with the
file browser open): text reads from the left and gets room to wrap; numbers sit right, under a
header aligned like them; times and intervals stay on one line; web addresses are links; no header
cell is empty; a missing value shows as a dash, never ``NaN``. A table whose rows carry long text
beside many short columns cannot fit that width, so each row becomes a card: the text first, its
metadata beneath, unless most of its columns are numbers (measures to compare across rows). Any
other table too wide to fit scrolls sideways inside a captioned region a keyboard can reach, its
first column staying in view. Styles are inline: JupyterLab keeps them on untrusted outputs too, and the
handouts need no stylesheet.
"""

from __future__ import annotations

import html
import re
import textwrap

import pandas as pd

from .case import Case
from .queries import official, timeline_order, when
from .times import gap, get_zone

UNKNOWN = "unknown"

#: Output width the layout is planned for, in characters of the notebook's font (about 600 px).
WIDTH_BUDGET = 80
#: A column whose longest value is longer than this holds text to be read, not scanned.
LONG_TEXT = 60
#: Times, gaps and counts up to this length never wrap ("[-6 h 03 min, 6 h 03 min]", "2020-09-24 00:00–24:00 PDT").
NO_WRAP = 32
MISSING = "—"
#: Characters a column of short prose needs to be read (a few words a line).
PROSE_WIDTH = 20

_RULE = "border-bottom:1px solid rgba(128,128,128,0.45)"
_CELL = "padding:4px 8px;vertical-align:top;line-height:1.4"
_URL = re.compile(r"https?://\S+")
_INTERVAL = re.compile(r"\[[^\[\]]*\d[^\[\]]*\]")


def _text(value) -> str:
    """A cell's value as the text a reader sees (a dash for a missing value, floats to two places)."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return MISSING
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _cell_html(text: str) -> str:
    """Escaped text, with each web address made a link."""
    if _URL.fullmatch(text):
        return f'<a href="{html.escape(text, quote=True)}" style="overflow-wrap:anywhere">{html.escape(text)}</a>'
    return html.escape(text)


def _header(name, fallback: str) -> str:
    text = " / ".join(str(part) for part in name if str(part)) if isinstance(name, tuple) else ("" if name is None else str(name))
    return text.strip() or fallback


def _columns(frame: pd.DataFrame) -> tuple[list[tuple[str, list[str], bool]], int]:
    """Each column to show (header, cell texts, numeric?), index levels first unless the index only numbers the rows;
    and how many index levels are shown."""
    columns = []
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.name is None):
        for level in range(index.nlevels):
            values = index.get_level_values(level)
            columns.append(
                (
                    _header(values.name, "row" if index.nlevels == 1 else f"level {level + 1}"),
                    [_text(v) for v in values],
                    pd.api.types.is_numeric_dtype(values.dtype) and values.dtype != bool,
                )
            )
    for position, name in enumerate(frame.columns):
        values = frame.iloc[:, position]
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
        columns.append((_header(name, "value"), [_text(v) for v in values], numeric))
    return columns, len(columns) - frame.shape[1]


def _one_line(text: str, numeric: bool) -> bool:
    """Whether a cell keeps its text on one line: a number, an interval ("[4 d 2 h 10 min 12 s, 4 d 3 h 11 min 47 s]"),
    or a short time, count or id (a digit in it, or a single word). Short words of prose ("first person plural") may
    wrap, and so may every header."""
    if numeric or (len(text) <= 2 * NO_WRAP and _INTERVAL.fullmatch(text)):
        return True
    return len(text) <= NO_WRAP and (any(c.isdigit() for c in text) or " " not in text)


def _needed_width(header: str, texts: list[str], numeric: bool) -> int:
    """About how many characters wide a short column must be: its longest unbreakable piece, up to 20 characters of
    prose (narrower, prose wraps a word a line), or its header's longest word."""
    pieces = [len(t) if _one_line(t, numeric) else min(len(t), PROSE_WIDTH) for t in texts]
    return max([*pieces, *map(len, header.split()), 1]) + 2


def table_html(frame: pd.DataFrame | pd.Series, caption: str | None = None) -> str:
    """``frame`` as HTML made to be read in a notebook, a widget or a handout (see the module docstring).

    ``caption`` defaults to ``frame.attrs["caption"]`` when the table functions below set it.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(_header(frame.name, "value"))
    caption = caption or frame.attrs.get("caption")
    if frame.empty:
        return f"<p>{html.escape(caption + ': ' if caption else '')}no rows.</p>"
    columns, row_headers = _columns(frame)
    long_text = [i for i, (_, texts, numeric) in enumerate(columns) if not numeric and max(map(len, texts)) > LONG_TEXT]
    short_width = sum(_needed_width(*column) for i, column in enumerate(columns) if i not in long_text)
    wide = short_width + 30 * len(long_text) > WIDTH_BUDGET
    numeric = sum(is_number for _, _, is_number in columns)
    # a table of measures is read across its columns, which cards would scatter: it scrolls instead
    if long_text and wide and numeric <= len(columns) - numeric:
        return _cards(columns, long_text, caption)
    return _table(columns, row_headers, long_text, caption, wide=wide)


def _table(columns, row_headers: int, long_text: list[int], caption: str | None, wide: bool) -> str:
    heads = []
    for header, _, numeric in columns:
        align = "right" if numeric else "left"
        heads.append(f'<th scope="col" style="text-align:{align};{_CELL};{_RULE}">{html.escape(header)}</th>')
    # about half an em a character, up to 12 em (then 2 or 3 lines for a 60-character text)
    prose_width = [min(12, round(0.5 * max(map(len, texts)))) for _, texts, _ in columns]
    rows = []
    for row in range(len(columns[0][1])):
        cells = []
        for i, (_, texts, numeric) in enumerate(columns):
            text = texts[row]
            style = f"text-align:{'right' if numeric else 'left'};{_CELL};{_RULE}"
            if i in long_text:
                style += ";min-width:18em"
            elif _one_line(text, numeric):
                style += ";white-space:nowrap"
            elif wide:  # a scrolling table has room: its prose would otherwise wrap a word a line
                style += f";min-width:{prose_width[i]}em"
            if i < row_headers:
                if (
                    wide and i == 0
                ):  # stays in view while the rest scrolls sideways (its rule a shadow: borders of sticky cells slip)
                    style = style.replace(_RULE, "box-shadow:inset 0 -1px 0 rgba(128,128,128,0.45)")
                    style += ";position:sticky;left:0;background:var(--jp-layout-color0, #fff)"
                cells.append(f'<th scope="row" style="{style};font-weight:normal">{_cell_html(text)}</th>')
            else:
                cells.append(f'<td style="{style}">{_cell_html(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    caption_html = (
        f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:2px 0 6px 0">{html.escape(caption)}</caption>'
        if caption
        else ""
    )
    table = (
        f'<table class="casework-table" style="border-collapse:collapse;table-layout:auto;margin:0 0 8px 0;max-width:none">'
        f"{caption_html}<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    if not wide:
        return table
    label = caption or f"table of {len(columns[0][1])} rows and {len(columns)} columns"
    return (
        f'<div class="casework-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)} (scrolls sideways)" '
        f'style="overflow-x:auto;max-width:100%">{table}</div>'
    )


def _cards(columns, long_text: list[int], caption: str | None) -> str:
    """One card per row: the long text first, each labelled when there are several, then the other columns on a line beneath."""
    cards = []
    for row in range(len(columns[0][1])):
        texts = []
        for i in long_text:
            header, values, _ = columns[i]
            if not values[row]:  # nothing to read: left out, as an empty item beneath is
                continue
            label = f"<b>{html.escape(header)}:</b> " if len(long_text) > 1 else ""
            texts.append(f'<p style="margin:0 0 4px 0;line-height:1.5">{label}{_cell_html(values[row])}</p>')
        items = []
        for i, (header, values, _) in enumerate(columns):
            if i in long_text or not values[row]:  # an empty value has nothing to say: left out
                continue
            whole = ' style="white-space:nowrap"' if len(header) + len(values[row]) <= 2 * NO_WRAP else ""
            items.append(f"<span{whole}><b>{html.escape(header)}</b> {_cell_html(values[row])}</span>")
        meta = " · ".join(items)
        cards.append(
            f'<li style="{_RULE};padding:6px 0;list-style:none;margin:0">{"".join(texts)}'
            f'<p style="margin:0;font-size:0.92em;line-height:1.5">{meta}</p></li>'
        )
    heading = f'<p style="font-weight:bold;margin:0 0 4px 0">{html.escape(caption)}</p>' if caption else ""
    label = html.escape(caption or f"{len(cards)} rows", quote=True)
    return (
        f'<div class="casework-cards">{heading}<ul aria-label="{label}" style="padding:0;margin:0 0 8px 0;'
        f'border-top:1px solid rgba(128,128,128,0.45)">{"".join(cards)}</ul></div>'
    )


def _captioned(frame: pd.DataFrame, caption: str) -> pd.DataFrame:
    frame.attrs["caption"] = caption
    return frame


def statements_table(case: Case, display_timezone: str | None = None, audiences: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Who said what, when, to whom: one row per statement, ordered by the earliest time each can have been made.

    Ties are broken by the latest possible time; see ``timeline_order``.
    """
    zone = display_timezone or case.timezone
    get_zone(zone)
    statements = timeline_order(case.statements)
    if audiences:
        statements = statements[statements["audience"].isin(audiences)]
    table = pd.DataFrame(
        {
            f"when ({zone})": [when(case, sid, zone) for sid in statements.index],
            "precision": statements["time_precision"],
            "basis": statements["time_basis"],
            "speaker": statements["speaker"],
            "organisation": statements["organisation"],
            "audience": statements["audience"],
            "channel": statements["channel"],
            "status": statements["text_status"],
            "text": statements["text"],
        },
        index=statements.index,
    )
    table.index.name = "statement"
    return _captioned(table, "Who said what, when, to whom")


def variants_table(case: Case) -> pd.DataFrame:
    """Each passage our text gives beside the wording another outlet printed."""
    variants = case.variants
    outlets = case.sources["outlet"]
    table = pd.DataFrame(
        {
            "statement": variants["statement_id"],
            "speaker": case.statements.loc[variants["statement_id"], "speaker"].to_numpy(),
            "our text": variants["words"],
            "other outlets print": variants["variant"],
            "printed by": [", ".join(outlets[s.strip()] for s in ids.split(";")) for ids in variants["source_ids"]],
            "note": variants["note"],
        }
    )
    return _captioned(table.reset_index(drop=True), "Passages that outlets print in different words")


def open_questions_table(case: Case) -> pd.DataFrame:
    """What no source establishes, with what is known around it."""
    table = case.open_questions[["question", "what_is_known"]].copy()
    table.columns = ["open question", "what the sources do say"]
    table.index.name = "id"
    return _captioned(table, "What no source establishes")


def sources_table(case: Case) -> pd.DataFrame:
    """The sources, with blanks shown as unknown."""
    table = case.sources[["outlet", "title", "date", "url"]].replace("", UNKNOWN)
    table.index.name = "source"
    return _captioned(table, "The sources")


def status_counts(case: Case) -> pd.DataFrame:
    """How many statements are verbatim, fragments or paraphrases, per organisation and whom the speakers speak for."""
    counts = pd.crosstab([case.statements["organisation"], case.statements["speaks_for"]], case.statements["text_status"])
    return _captioned(
        counts.reindex(columns=["verbatim", "fragment", "paraphrase"], fill_value=0),
        "Statements by organisation, whom the speakers speak for, and how their text is known",
    )


def case_summary(case: Case, display_timezone: str | None = None, width: int = 100, statements: int = 12) -> str:
    """A one-screen plain-text summary of a case, every line at most ``width`` characters.

    Names are never cut: a speaker too long for its column wraps onto the next line. The texts of
    the first ``statements`` statements made public or to the press are shortened to one line
    each (the case overview lesson has them in full), listed under their time and speaker, the
    times in one column padded to the widest so that the speakers line up.
    """
    zone = display_timezone or case.timezone
    placed = case.events["start"].dropna()
    counts = ", ".join(f"{n} {k}" for k, n in case.statements["text_status"].value_counts().sort_index().items())
    lines = [
        *textwrap.wrap(f"{case.title}  [{case.case_id}]" + ("  (FICTIONAL CASE)" if case.fictional else ""), width),
        *textwrap.wrap(f"Local time zone: {case.timezone}; times shown in {zone}", width),
        f"{len(case.statements)} statements ({counts})",
        *textwrap.wrap(
            f"{len(case.events)} events, {len(case.claims)} claims, {len(case.stances)} stances, "
            f"{len(case.sources)} sources, {len(case.open_questions)} open questions",
            width,
        ),
    ]
    if len(placed):
        first, last = placed.min().tz_convert(get_zone(zone)), case.events["end"].dropna().max().tz_convert(get_zone(zone))
        lines.append(f"Timeline: {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    shown = statements_table(case, zone, audiences=("press", "public"))
    listed = shown.head(statements)
    lines.append("")
    count = f"the first {len(listed)} of {len(shown)}" if len(shown) > len(listed) else f"{len(shown)}"
    lines += textwrap.wrap(f"Statements made public or to the press ({count}; every text in full in lesson 01):", width)
    if listed.empty:
        return "\n".join(lines)
    times = listed.iloc[:, 0]
    time_width, id_width = max(map(len, times)), max(map(len, listed.index))
    previous = None
    for sid, row in listed.iterrows():
        if (row.iloc[0], row["speaker"]) != previous:  # one heading per run of statements with the same time and speaker
            lines += textwrap.wrap(
                row["speaker"],
                width,
                initial_indent=f"  {row.iloc[0]:<{time_width}}  ",
                subsequent_indent=" " * (time_width + 4),
                break_long_words=False,
                break_on_hyphens=False,
            )
            previous = (row.iloc[0], row["speaker"])
        head = f"      {sid:<{id_width}}  "
        lines.append(head + textwrap.shorten(row["text"], max(width - len(head), 20), placeholder=" …"))
    if len(shown) > len(listed):
        lines.append(f"  ... and {len(shown) - len(listed)} more")
    return "\n".join(lines)


def organisation_voice(case: Case, display_timezone: str | None = None, include_paraphrases: bool = False) -> pd.DataFrame:
    """The organisation's own statements in time order, with the gap since the previous one.

    Gaps are ranges ``[shortest, longest]`` because most times are intervals; a negative
    shortest gap means the sources cannot tell which came first. Reporters' paraphrases are left
    out unless asked for: they are not the organisation's words. The ``status`` column says which
    rows are whole texts and which are fragments (or paraphrases, when included).
    """
    zone = display_timezone or case.timezone
    own = timeline_order(case.statements)
    own = own[official(case).reindex(own.index) & own["start"].notna()]
    if not include_paraphrases:
        own = own[own["text_status"] != "paraphrase"]
    rows, previous = [], None
    for sid, row in own.iterrows():
        interval = case.interval(sid, "statements")
        rows.append(
            {
                "statement": sid,
                f"when ({zone})": when(case, sid, zone),
                "speaker": row["speaker"],
                "audience": row["audience"],
                "status": row["text_status"],
                "since previous": str(gap(case.interval(previous, "statements"), interval)) if previous else "",
                "text": row["text"],
            }
        )
        previous = sid
    return _captioned(
        pd.DataFrame(rows).set_index("statement") if rows else pd.DataFrame(), f"What {case.organisation} said, in time order"
    )


def use_notebook_display() -> None:
    """Show every table of the notebook through ``table_html``, whole texts in the plain-text form too.

    Called explicitly by each lesson's set-up cell, never at import. The plain-text form (what
    nbval compares, and what a terminal shows) stays pandas' own.
    """
    # IPython is there whenever a notebook calls this; `import helpers` (the casework command) does without it
    from IPython import get_ipython

    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.width", 200)
    shell = get_ipython()
    if shell is not None:
        formatter = shell.display_formatter.formatters["text/html"]
        formatter.for_type(pd.DataFrame, table_html)
        formatter.for_type(pd.Series, table_html)
