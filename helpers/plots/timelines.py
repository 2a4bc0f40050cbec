"""Figures of a case's time: its events on a timeline (the whole case, or its busiest stretch),
and a counted series over time (``plot_milestones``). Several cases on one axis are in
``comparison``.
"""

from __future__ import annotations

from datetime import datetime

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..case import Case
from ..queries import timeline_order, when
from ..times import get_zone
from .figure import (
    KIND_COLOURS,
    LINE_INCHES,
    MIN_FONT_PT,
    NEUTRAL_SAMPLE,
    OKABE_ITO,
    ROW_GAP,
    add_key,
    count_key_lines,
    decorate,
    draw_range,
    house_style,
    new_figure,
    wrap,
)


def case_period(case: Case) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the first to the last placed event, leaving out later aftermath events."""
    events = case.events.dropna(subset=["start"])
    core = events[events["kind"] != "aftermath"]
    core = core if len(core) else events
    if not len(core):
        raise ValueError(f"case {case.case_id!r} has no event with a known time")
    return core["start"].min(), core["end"].max()


def busiest_window(case: Case, hours: int = 60, pad_hours: int = 6) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``hours``-long stretch holding the most precisely timed events (ties: the earliest)."""
    events = case.events.dropna(subset=["start"])
    precise = events[(events["end"] - events["start"]) <= pd.Timedelta(hours=12)]
    starts = sorted((precise if len(precise) else events)["start"])
    if not starts:
        raise ValueError(f"case {case.case_id!r} has no event with a known time")
    span = pd.Timedelta(hours=hours)
    best = max(starts, key=lambda s: (sum(s <= t < s + span for t in starts), -s.value))
    pad = pd.Timedelta(hours=pad_hours)
    return best - pad, best + span + pad


def plot_busiest_window(case: Case, display_timezone: str | None = None, hours: int = 60, pad_hours: int = 6, ax=None):
    """The timeline zoomed into ``busiest_window``, titled with the hours it holds and the margin shown."""
    start, end = busiest_window(case, hours, pad_hours)
    title = f"The busiest {hours} hours, with {pad_hours} hours either side ({hours + 2 * pad_hours} hours shown)"
    return plot_timeline(case, display_timezone, start, end, ax=ax, title=title)


def plot_timeline(
    case: Case,
    display_timezone: str | None = None,
    start: datetime | pd.Timestamp | None = None,
    end: datetime | pd.Timestamp | None = None,
    kinds: tuple[str, ...] | None = None,
    ax=None,
    title: str | None = None,
    label_width: int = 36,
    rows: str | None = None,
):
    """The case's events as intervals on one time axis, in ``display_timezone``.

    ``rows`` is ``"events"`` (one row per event, labelled with its title) or ``"kinds"`` (one lane
    per kind of event, each event on its kind's lane): by default lanes for the whole-case
    overview, whose few busy days hold most events at one spot of a long axis, and events otherwise.

    Each interval the sources allow is drawn as a bar, unless it is too short to draw at the
    scale of its stretch of axis (under 1/400 of it): then it is a marker, a circle or, for a
    derived time, a diamond. So how precise a time must be to become a marker depends on the scale.
    Filled = reported, hatched bar or diamond = derived, dashed outline or hollow circle = inferred.
    Events whose time is unknown, or outside the window, are named under the axis.

    Without ``start`` / ``end`` the window is ``case_period(case)``, which leaves out later
    aftermath. That whole-case view is the overview: months of context squeeze the few busy days,
    so it shades the stretch ``plot_busiest_window`` draws in detail (the lessons show both).
    """
    zone_name = display_timezone or case.timezone
    zone = get_zone(zone_name)
    events = timeline_order(case.events)
    if kinds:
        events = events[events["kind"].isin(kinds)]
    unplaced = events[events["start"].isna()]
    placed = events.dropna(subset=["start"])
    period = case_period(case)
    margin = (period[1] - period[0]) * 0.03  # so the first and last events do not sit on the frame
    lo = pd.Timestamp(start) if start is not None else period[0] - margin
    hi = pd.Timestamp(end) if end is not None else period[1] + margin
    lo, hi = lo.tz_convert("UTC"), hi.tz_convert("UTC")
    shown = placed[(placed["end"] > lo) & (placed["start"] < hi)]
    outside = len(placed) - len(shown)
    # the whole-case view is the overview: it shades the stretch that plot_busiest_window shows in detail
    busiest = busiest_window(case) if start is None and end is None else None
    rows = rows or ("kinds" if start is None and end is None else "events")
    if rows not in ("events", "kinds"):
        raise ValueError(f"rows must be 'events' or 'kinds', not {rows!r}")

    kinds_present = list(dict.fromkeys(shown["kind"]))
    # on lanes the axis names each kind; its colour is then no longer the only cue, and needs no legend
    handles = [] if rows == "kinds" else [Patch(facecolor=KIND_COLOURS[k], edgecolor="black", label=k) for k in kinds_present]
    handles += [
        Patch(facecolor=NEUTRAL_SAMPLE, edgecolor="black", label="reported (filled)"),
        Patch(facecolor=NEUTRAL_SAMPLE, edgecolor="black", hatch="////", label="derived (hatched)"),
        Patch(facecolor="white", edgecolor="black", linestyle="--", label="inferred (outline)"),
        Line2D(
            [],
            [],
            marker="o",
            markerfacecolor=NEUTRAL_SAMPLE,
            markeredgecolor="black",
            linestyle="none",
            label="circle: too short to draw",
        ),
        Line2D(
            [],
            [],
            marker="D",
            markerfacecolor=NEUTRAL_SAMPLE,
            markeredgecolor="black",
            linestyle="none",
            label="diamond: derived, too short",
        ),
    ]
    notes = []
    if outside:
        notes.append(f"{outside} event(s) outside this window not shown.")
    if len(unplaced):
        notes.append(f"{len(unplaced)} event(s) with unknown time not shown: " + "; ".join(unplaced["title"]) + ".")
    if busiest is not None:
        notes.append(
            f"Shaded: the busiest {round((busiest[1] - busiest[0]) / pd.Timedelta(hours=1))} hours, "
            "which the zoomed timeline shows in detail."
        )
    notes_text = "\n".join(wrap(note, 80) for note in notes)

    with house_style():
        if rows == "kinds":
            counts = shown["kind"].value_counts()
            labels = [f"{kind} ({counts[kind]})" for kind in kinds_present]
        else:
            labels = [wrap(t, label_width) for t in shown["title"]]  # wrapped, never cut
        # each row as tall as its label's lines (and a little more), the first at the top: a three-line
        # label beside another never overlaps it
        units = [label.count("\n") + 1 + ROW_GAP for label in labels]
        tops = np.cumsum(units[::-1])[::-1]
        centres = list(tops - np.array(units) / 2)
        ys = [centres[kinds_present.index(kind)] for kind in shown["kind"]] if rows == "kinds" else centres
        height = 0.9 + LINE_INCHES * sum(units)
        if ax is None:
            fig, (ax,), key = new_figure(height, count_key_lines(len(handles), 2, notes_text))
        else:
            fig, key = ax.figure, None
        if busiest is not None:
            ax.axvspan(
                mdates.date2num(max(busiest[0], lo)),
                mdates.date2num(min(busiest[1], hi)),
                color=NEUTRAL_SAMPLE,
                alpha=0.3,
                linewidth=0,
            )
        _draw_events(ax, shown, ys, lo, hi)
        locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
        ax.grid(axis="y", visible=False)
        ax.set_yticks(centres, labels)
        ax.set_ylim(0, sum(units))
        add_key(ax, key, handles, notes=notes_text)
        if key is None and notes_text:
            ax.set_title(notes_text, loc="left", fontsize=MIN_FONT_PT)
        decorate(
            ax,
            title=title or f"{case.title}: timeline",
            xlabel=f"time ({zone_name})",
            ylabel="kind of event (how many)" if rows == "kinds" else "event",
            alt=_timeline_alt(case, zone_name, lo, hi, shown, outside, unplaced, busiest, rows),
        )
    return fig


def _draw_events(ax, shown: pd.DataFrame, ys: list[float], lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    """Each event overlapping ``lo``..``hi`` at its height in ``ys``: a bar as wide as its interval, or a marker if too short to draw."""
    span = (hi - lo).total_seconds()
    for y, (_, event) in zip(ys, shown.iterrows()):
        if not (event["end"] > lo and event["start"] < hi):
            continue
        colour = KIND_COLOURS[event["kind"]]
        left = mdates.date2num(max(event["start"], lo))
        right = mdates.date2num(min(event["end"], hi))
        short = (event["end"] - event["start"]).total_seconds() < span / 400
        draw_range(ax, y, left, right, colour, event["time_basis"], as_marker=short)
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))


def _timeline_alt(
    case: Case,
    zone_name: str,
    lo,
    hi,
    shown: pd.DataFrame,
    outside: int,
    unplaced: pd.DataFrame,
    busiest=None,
    rows: str = "events",
) -> str:
    """What the timeline shows, in words: the window, the events by kind, the first and last, what is left out."""
    first, last = lo.tz_convert(zone_name), hi.tz_convert(zone_name)
    kinds = shown["kind"].value_counts()
    window = f"from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} {zone_name}"
    layout = "one lane per kind of event" if rows == "kinds" else "one row per event, the earliest at the top"
    words = [f"Timeline of {len(shown)} events of the case {case.title}, {window}, {layout}."]
    if len(shown):
        words.append("Events by kind: " + ", ".join(f"{kind} {kinds[kind]}" for kind in dict.fromkeys(shown["kind"])) + ".")
        ends = [f"'{shown['title'].iloc[i]}' ({when(case, shown.index[i], zone_name, 'events')})" for i in (0, -1)]
        words.append(f"The first is {ends[0]}; the last to begin is {ends[1]}.")
    if busiest is not None:
        words.append(
            f"A shaded band marks the busiest stretch, from {busiest[0].tz_convert(zone_name):%Y-%m-%d %H:%M} "
            f"to {busiest[1].tz_convert(zone_name):%Y-%m-%d %H:%M}, shown in detail in its own figure."
        )
    if outside:
        words.append(f"{outside} event(s) outside this window are not shown.")
    if len(unplaced):
        words.append(f"{len(unplaced)} event(s) with unknown time are not shown: " + "; ".join(unplaced["title"]) + ".")
    words.append(
        "Bars are the time intervals the sources allow; markers are intervals too short to draw at this scale; "
        "filled means the time is reported, hatched or diamond derived, outlined inferred."
    )
    return " ".join(words)


def quantity_series(case: Case) -> list[str]:
    """The case's counted series with at least two placed readings, the one with most readings first (ties: file order)."""
    counted = case.events[case.events["quantity"].notna() & case.events["start"].notna()]
    sizes = counted.groupby("quantity_series", sort=False).size()
    sizes = sizes[sizes >= 2]
    order = {name: i for i, name in enumerate(dict.fromkeys(counted["quantity_series"]))}
    return sorted(sizes.index, key=lambda name: (-sizes[name], order[name]))


def plot_milestones(case: Case, display_timezone: str | None = None, series: str | None = None, ax=None):
    """One counted series (e.g. a petition's signatures) over time, with the rate between readings.

    A series is the events of one ``quantity_series``: readings of one running count, in one
    unit. ``series`` picks it; by default the series with the most readings. Returns None when the
    case has no series with two placed readings (one number is not a series).
    """
    zone_name = display_timezone or case.timezone
    zone = get_zone(zone_name)
    available = quantity_series(case)
    if series is not None and series not in available:
        known = ", ".join(available) or "none"
        raise ValueError(f"case {case.case_id!r} has no counted series {series!r} with two placed readings; it has: {known}")
    if not available:
        return None
    series = series or available[0]
    counted = case.events[
        (case.events["quantity_series"] == series) & case.events["quantity"].notna() & case.events["start"].notna()
    ]
    counted = counted.sort_values("start")
    unit = counted["quantity_unit"].iloc[0]
    with house_style():
        if ax is None:
            company = case.events[
                case.events["kind"].isin(COMPANY_KINDS)
                & case.events["start"].between(counted["start"].min(), counted["start"].max())
            ]
            fig, (ax,), key = new_figure(3.4, count_key_lines(len(company), 1) + 1 if len(company) else 0)
        else:
            key = None
        fig = ax.figure
        times = [mdates.date2num(t) for t in counted["start"]]
        # Only the readings are reported; a dashed line joins them because the path between is unknown.
        ax.plot(times, counted["quantity"], linestyle="--", color=OKABE_ITO["blue"], linewidth=1.2)
        ax.plot(times, counted["quantity"], "o", color=OKABE_ITO["orange"], markeredgecolor="black")
        rates = _hourly_rates(counted)
        for step, ((event_id, event), x) in enumerate(zip(counted.iterrows(), times)):
            label = f"{event['quantity']:.12g}" + (f"\n{rates[event_id]:+.0f}/h" if event_id in rates else "")
            # labels alternate above-left and below-right of their point, so close readings do not overlap
            ax.annotate(
                label,
                (x, event["quantity"]),
                textcoords="offset points",
                xytext=(-6, 6) if step % 2 else (6, -6),
                ha="right" if step % 2 else "left",
                va="bottom" if step % 2 else "top",
                fontsize=MIN_FONT_PT,
            )
        marked = _mark_company_events(ax, key, case, counted["start"].min(), counted["start"].max())
        locator = mdates.AutoDateLocator(tz=zone, minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
        decorate(
            ax,
            title=wrap(f"{series.capitalize()} over time, with the rate since the previous reading", 60),
            xlabel=f"time ({zone_name})\ndashed lines join reported readings; the path between them is not known",
            ylabel=unit,
            alt=_milestones_alt(case, counted, rates, series, unit, zone_name) + _company_events_alt(case, marked, zone_name),
        )
        if len(marked):
            ax.set_title(ax.get_title(), pad=34)  # room for the events' numbers above the axes
        low, high = counted["quantity"].min(), counted["quantity"].max()
        ax.set_ylim(low - 0.25 * (high - low or 1), high + 0.1 * (high - low or 1))  # room for the labels under the lowest points
    return fig


#: The organisation's own moves, marked on a counted series so a reader can see what it answered or preceded.
COMPANY_KINDS = ("company-decision", "company-statement")


def _mark_company_events(ax, key, case: Case, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """A vertical line at each company decision or statement from ``first`` to ``last`` (mid-interval), numbered at the top.

    Returns the events marked; the legend under the figure names each number.
    """
    events = case.events[case.events["kind"].isin(COMPANY_KINDS) & case.events["start"].notna()]
    middle = events["start"] + (events["end"] - events["start"]) / 2
    inside = (middle >= first) & (middle <= last)
    # numbered from left to right, as drawn (ties: timeline order)
    marked = (
        timeline_order(events[inside])
        .assign(_middle=middle[inside])
        .sort_values("_middle", kind="stable")
        .drop(columns="_middle")
    )
    handles = []
    for number, (_, event) in enumerate(marked.iterrows(), start=1):
        x = mdates.date2num(event["start"] + (event["end"] - event["start"]) / 2)
        colour = KIND_COLOURS[event["kind"]]
        ax.axvline(x, color=colour, linestyle=":", linewidth=1.4)
        # three staggered rows, so that the numbers of close events stay apart
        ax.annotate(
            str(number),
            (x, 1),
            xycoords=("data", "axes fraction"),
            textcoords="offset points",
            xytext=(0, 2 + 10 * (number % 3)),
            ha="center",
            va="bottom",
            fontsize=MIN_FONT_PT,
            fontweight="bold",
        )
        handles.append(Line2D([], [], color=colour, linestyle=":", linewidth=1.4, label=f"{number}: {event['title']}"))
    if handles:
        add_key(ax, key, handles, ncols=1, title="dotted lines: the company's decisions and statements")
    return marked


def _company_events_alt(case: Case, marked: pd.DataFrame, zone_name: str) -> str:
    if not len(marked):
        return ""
    listed = "; ".join(
        f"{number}: {event['title']} ({when(case, event_id, zone_name, 'events')})"
        for number, (event_id, event) in enumerate(marked.iterrows(), start=1)
    )
    return f" Numbered dotted vertical lines mark the company's decisions and statements in that time: {listed}."


def _hourly_rates(counted: pd.DataFrame) -> dict[str, float]:
    """The rate (per hour) from each milestone's predecessor to it, by event id, where time passed between them."""
    rates = {}
    for (_, previous), (event_id, event) in zip(counted.iterrows(), counted.iloc[1:].iterrows()):
        hours = (event["start"] - previous["start"]).total_seconds() / 3600
        if hours > 0:
            rates[event_id] = (event["quantity"] - previous["quantity"]) / hours
    return rates


def _milestones_alt(case: Case, counted: pd.DataFrame, rates: dict[str, float], series: str, unit: str, zone_name: str) -> str:
    """What the milestone chart shows, in words: the first and last readings with their times, and the fastest change."""
    ends = [f"{counted['quantity'].iloc[i]:.12g} {unit} ({when(case, counted.index[i], zone_name, 'events')})" for i in (0, -1)]
    words = (
        f"Line chart of the series {series!r} at {len(counted)} reported readings, from {ends[0]} to {ends[1]}, joined by dashed lines because "
        "the path between readings is not known; each point is labelled with its value and the hourly rate since the previous one."
    )
    if rates:
        fastest = max(rates, key=lambda event_id: abs(rates[event_id]))
        words += f" The fastest change shown is {rates[fastest]:+.0f} per hour, to {counted.loc[fastest, 'quantity']:.12g}."
    return words
