"""Tables for the lessons: who said what when, wording variants, open questions, sources."""

from __future__ import annotations

import textwrap

import pandas as pd

from .case import Case
from .queries import official, timeline_order, when
from .times import gap, get_zone

UNKNOWN = "unknown"


def statements_table(case: Case, display_timezone: str | None = None, audiences: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Who said what, when, to whom: one row per statement, ordered by the earliest time each can have been made.

    Ties are broken by the latest possible time; see ``timeline_order``.
    """
    zone = display_timezone or case.timezone
    get_zone(zone)
    statements = timeline_order(case.statements)
    if audiences:
        statements = statements[statements["audience"].isin(audiences)]
    table = pd.DataFrame({
        f"when ({zone})": [when(case, sid, zone) for sid in statements.index],
        "precision": statements["time_precision"],
        "basis": statements["time_basis"],
        "speaker": statements["speaker"],
        "organisation": statements["organisation"],
        "audience": statements["audience"],
        "channel": statements["channel"],
        "status": statements["text_status"],
        "text": statements["text"],
    }, index=statements.index)
    table.index.name = "statement"
    return table


def variants_table(case: Case) -> pd.DataFrame:
    """Each passage our text gives beside the wording another outlet printed."""
    variants = case.variants
    outlets = case.sources["outlet"]
    table = pd.DataFrame({
        "statement": variants["statement_id"],
        "speaker": case.statements.loc[variants["statement_id"], "speaker"].to_numpy(),
        "our text": variants["words"],
        "other outlets print": variants["variant"],
        "printed by": [", ".join(outlets[s.strip()] for s in ids.split(";")) for ids in variants["source_ids"]],
        "note": variants["note"],
    })
    return table.reset_index(drop=True)


def open_questions_table(case: Case) -> pd.DataFrame:
    """What no source establishes, with what is known around it."""
    table = case.open_questions[["question", "what_is_known"]].copy()
    table.columns = ["open question", "what the sources do say"]
    table.index.name = "id"
    return table


def sources_table(case: Case) -> pd.DataFrame:
    """The sources, with blanks shown as unknown."""
    table = case.sources[["outlet", "title", "date", "url"]].replace("", UNKNOWN)
    table.index.name = "source"
    return table


def status_counts(case: Case) -> pd.DataFrame:
    """How many statements are verbatim, fragments or paraphrases, per organisation and whom the speakers speak for."""
    counts = pd.crosstab([case.statements["organisation"], case.statements["speaks_for"]], case.statements["text_status"])
    return counts.reindex(columns=["verbatim", "fragment", "paraphrase"], fill_value=0)


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
        *textwrap.wrap(f"{len(case.events)} events, {len(case.claims)} claims, {len(case.stances)} stances, "
                       f"{len(case.sources)} sources, {len(case.open_questions)} open questions", width),
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
            lines += textwrap.wrap(row["speaker"], width, initial_indent=f"  {row.iloc[0]:<{time_width}}  ",
                                   subsequent_indent=" " * (time_width + 4), break_long_words=False, break_on_hyphens=False)
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
        rows.append({
            "statement": sid,
            f"when ({zone})": when(case, sid, zone),
            "speaker": row["speaker"],
            "audience": row["audience"],
            "status": row["text_status"],
            "since previous": str(gap(case.interval(previous, "statements"), interval)) if previous else "",
            "text": row["text"],
        })
        previous = sid
    return pd.DataFrame(rows).set_index("statement") if rows else pd.DataFrame()


def use_notebook_display() -> None:
    """Show whole texts and tables in notebook output (called explicitly, never at import)."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.width", 200)
