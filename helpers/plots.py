"""Figures. Every function takes ``ax=None``, applies the house style explicitly, gives the figure
a title, labelled axes and alternative text, and returns the Figure.

Made to be read at laptop size: a figure is at most ``FIGURE_WIDTH`` inches wide, which at 100
pixels an inch fits the 592 px of notebook output JupyterLab leaves at 1024 px with the file browser
open, so it is shown at its own size and its smallest text (8 pt) is 11 px on screen. It is drawn
at twice that resolution, for sharp text on high-density screens. Labels are wrapped, never cut;
legends sit under the data, not beside it, so the data gets the width.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from contextlib import contextmanager
from datetime import datetime

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from .case import Case
from .queries import timeline_order, when
from .times import get_zone

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
# A ninth colour. Not the usual mid grey #999999: under simulated deuteranopia that is only 6 CIEDE2000
# units from the reddish purple (tests/test_accessibility.py asks for 10 between colours in one figure).
DARK_GREY = "#555555"
# What a legend shows where the colour does not matter (how a time is known, the marker shapes).
NEUTRAL_SAMPLE = "#BBBBBB"
KIND_COLOURS = {
    "context": DARK_GREY,
    "contract": OKABE_ITO["orange"],
    "employee-activism": OKABE_ITO["vermillion"],
    "petition": OKABE_ITO["yellow"],
    "company-decision": OKABE_ITO["blue"],
    "company-statement": OKABE_ITO["sky"],
    "agency-statement": OKABE_ITO["green"],
    "media-report": OKABE_ITO["purple"],
    "aftermath": OKABE_ITO["black"],
}
# The lexicon categories at full strength, in the hues of their light tints in ``widgets.CATEGORY_COLOURS``
# (tints that pale cannot stay apart under colour-vision deficiencies, so the bars do not use them).
CATEGORY_BAR_COLOURS = {
    "hedge": OKABE_ITO["orange"],
    "booster": OKABE_ITO["black"],
    "negation": OKABE_ITO["sky"],
    "commitment": OKABE_ITO["green"],
    "self_mention": OKABE_ITO["yellow"],
    "responsibility": OKABE_ITO["blue"],
    "attitude": OKABE_ITO["purple"],
    "apology": OKABE_ITO["vermillion"],
    "evasion": DARK_GREY,
}
#: Figure width in inches; at DISPLAY_DPI the figure is as wide as the notebook's output at 1024 px (see above).
FIGURE_WIDTH = 5.8
#: CSS pixels per inch of a figure as shown; it is drawn at PIXEL_RATIO times that.
DISPLAY_DPI = 100
PIXEL_RATIO = 2
#: The smallest text a figure may hold, in points (11 px at DISPLAY_DPI).
MIN_FONT_PT = 8
LABEL_WIDTH = 30  # characters per line of a wrapped axis label
TITLE_WIDTH = 60  # characters per line of a wrapped title (bold, at FIGURE_WIDTH)
LINE_INCHES = 0.15  # the height of a line of tick labels, with its leading
ROW_GAP = 0.6  # between two rows of a timeline, in lines
HOUSE_STYLE = {
    "figure.dpi": DISPLAY_DPI,
    "savefig.dpi": DISPLAY_DPI * PIXEL_RATIO,
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "figure.titlesize": 10.5,
    "figure.titleweight": "bold",
    "figure.labelsize": 9,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


# Settings read when a figure is drawn rather than made, so they apply while ``display_bundle``
# renders it. Unhinted glyphs draw about a third faster with matplotlib 3.11's text engine
# (glyph rendering is most of a timeline's draw) and look no worse at 100 dpi.
RENDER_STYLE = {"text.hinting": "none"}


@contextmanager
def house_style(settings: dict = HOUSE_STYLE):
    """Figures made inside get the house style; only the house-style settings are restored after.

    ``matplotlib.rc_context`` would restore every setting, including ``interactive``, which
    Jupyter's inline backend switches on the first time a figure is made inside the context;
    restoring it would stop later figures from being shown.
    """
    saved = {key: matplotlib.rcParams[key] for key in settings}
    matplotlib.rcParams.update(settings)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


class DescribedFigure(Figure):
    """A Figure whose alternative text reaches the reader of the notebook, not only the Python object.

    JupyterLab's image renderer and nbconvert's ``lab`` HTML template (the handouts) both ignore an
    image output's metadata, so an ``alt`` there would never reach a screen reader. The figure is
    therefore shown as HTML alone: one ``<img alt="...">`` holding the PNG (stored once in the
    notebook), and the alt text as the plain-text form, for front ends that show no images.
    """

    alt_text: str = ""

    def _ipython_display_(self):
        # called by IPython's display machinery only, so IPython is loaded here, never by `import helpers`
        from IPython.display import publish_display_data

        publish_display_data(*display_bundle(self))


def smallest_text_pt(fig: Figure) -> float:
    """The size of the smallest visible text in a drawn ``fig``, in points."""
    sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]
    return min(sizes, default=float(matplotlib.rcParams["font.size"]))


def display_bundle(fig: Figure) -> tuple[dict, dict]:
    """The outputs ``fig`` is shown as: an HTML ``<img>`` of its PNG with ``fig.alt_text``, and the alt text as plain text.

    The PNG is drawn at ``PIXEL_RATIO`` times the size it is shown at (``width`` and ``height``, in
    CSS pixels); ``data-text-px`` says how tall its smallest text is then, which the browser tests
    scale by the width the page gives the image.
    """
    alt = getattr(fig, "alt_text", "") or ""
    drawn = io.BytesIO()
    with house_style(RENDER_STYLE):
        fig.savefig(drawn, format="png", dpi=DISPLAY_DPI * PIXEL_RATIO)
    # A figure has few colours (flat fills, and the grey steps of smoothed text): as a 128-colour
    # palette PNG it is about a third of the size, which keeps the committed notebooks small.
    buffer = io.BytesIO()
    Image.open(drawn).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True)
    width, height = (round(size * DISPLAY_DPI) for size in fig.get_size_inches())
    text_px = smallest_text_pt(fig) * DISPLAY_DPI / 72
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    img = (f'<img src="data:image/png;base64,{payload}" alt="{html.escape(alt, quote=True)}" width="{width}" height="{height}" '
           f'data-text-px="{text_px:.1f}" style="max-width:100%;height:auto">')
    return {"text/html": img, "text/plain": alt or repr(fig)}, {}


def decorate(ax, *, title: str, xlabel: str, ylabel: str, alt: str) -> None:
    """Title, axis labels and alternative text in one call.

    The figure keeps the alt text as ``alt_text``; a figure the plot functions made themselves
    (``ax=None``) is a ``DescribedFigure``, which also shows it in the notebook. When ``ax`` is one
    of several side by side (a broken time axis), the title and the x label are the figure's.
    """
    shown_axes = [other for other in ax.figure.axes if other.axison]
    if len(shown_axes) > 1 and all(other.get_shared_y_axes().joined(ax, other) for other in shown_axes):
        ax.figure.suptitle(title)
        ax.figure.supxlabel(xlabel)
    else:
        ax.set_title(wrap(title, TITLE_WIDTH))
        if isinstance(ax.figure, DescribedFigure):
            # centred on the figure, not over the axes: long tick labels push the axes right, and a
            # title centred over them would run off the figure's edge
            ax.title.set_transform(blended_transform_factory(ax.figure.transFigure, ax.transAxes) + ax.titleOffsetTrans)
            ax.title.set_x(0.5)
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.figure.alt_text = alt
    ax.figure.set_label(title)
    if "inline" in matplotlib.get_backend():
        # At the end of a cell pyplot draws every "stale" figure, then the inline backend draws it
        # again to make the PNG it shows; the first draw is thrown away. It is a whole draw of
        # the figure (text layout and glyphs: most of a lesson notebook's time), so skip it.
        ax.figure.stale = False


def _new_figure(height: float, key_lines: int = 0, ncols: int = 1, width_ratios=None, sharey: bool = False):
    """A figure ``FIGURE_WIDTH`` wide of ``ncols`` axes side by side, over a key of ``key_lines`` lines, whose alt text will be shown with it.

    ``height`` is the axes' share in inches. The key is an axes of its own under them, holding the
    legend and the notes (see ``_key``): a legend beside the data would take its width, and one
    laid out by matplotlib outside the axes can land on the axis label.
    Returns the figure, the list of axes, and the key's axes (None without a key).
    """
    key_height = 0.2 * key_lines + 0.15 if key_lines else 0
    fig = plt.figure(figsize=(FIGURE_WIDTH, height + key_height), layout="constrained", FigureClass=DescribedFigure)
    grid = fig.add_gridspec(2 if key_lines else 1, ncols, width_ratios=width_ratios, height_ratios=[height, key_height] if key_lines else None)
    axes = []
    for column in range(ncols):
        axes.append(fig.add_subplot(grid[0, column], sharey=axes[0] if sharey and axes else None))
    key = fig.add_subplot(grid[1, :]) if key_lines else None
    if key is not None:
        key.set_axis_off()
    return fig, axes, key


def _key(ax, key, handles, ncols: int = 2, notes: str = "", title: str | None = None) -> None:
    """The legend (and any notes under it) in the figure's key, or on ``ax`` when the caller gave the axes."""
    if key is None:
        ax.legend(handles=handles, loc="best", fontsize=MIN_FONT_PT, title=title)
        return
    # from the figure's left edge (the key's axes start where the data does, right of the axis labels)
    place = blended_transform_factory(key.figure.transFigure, key.transAxes)
    key.legend(handles=handles, loc="upper left", ncols=ncols, bbox_to_anchor=(0.01, 1), bbox_transform=place, borderaxespad=0,
               alignment="left", title=title, title_fontsize=MIN_FONT_PT + 0.5)
    if notes:
        key.text(0.01, 0, notes, transform=place, va="bottom", ha="left", fontsize=MIN_FONT_PT)


def _key_lines(entries: int, ncols: int, notes: str = "", entry_lines: int = 1) -> int:
    return -(-entries // ncols) * entry_lines + (notes.count("\n") + 1 if notes else 0)


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters (a longer word keeps its line): wrapped, never cut."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


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
        Line2D([], [], marker="o", markerfacecolor=NEUTRAL_SAMPLE, markeredgecolor="black", linestyle="none",
               label="circle: too short to draw"),
        Line2D([], [], marker="D", markerfacecolor=NEUTRAL_SAMPLE, markeredgecolor="black", linestyle="none",
               label="diamond: derived, too short"),
    ]
    notes = []
    if outside:
        notes.append(f"{outside} event(s) outside this window not shown.")
    if len(unplaced):
        notes.append(f"{len(unplaced)} event(s) with unknown time not shown: " + "; ".join(unplaced["title"]) + ".")
    if busiest is not None:
        notes.append(f"Shaded: the busiest {round((busiest[1] - busiest[0]) / pd.Timedelta(hours=1))} hours, "
                     "which the zoomed timeline shows in detail.")
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
        ys = ([centres[kinds_present.index(kind)] for kind in shown["kind"]] if rows == "kinds" else centres)
        height = 0.9 + LINE_INCHES * sum(units)
        if ax is None:
            fig, (ax,), key = _new_figure(height, _key_lines(len(handles), 2, notes_text))
        else:
            fig, key = ax.figure, None
        if busiest is not None:
            ax.axvspan(mdates.date2num(max(busiest[0], lo)), mdates.date2num(min(busiest[1], hi)), color=NEUTRAL_SAMPLE, alpha=0.3, linewidth=0)
        _draw_events(ax, shown, ys, lo, hi)
        locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
        ax.grid(axis="y", visible=False)
        ax.set_yticks(centres, labels)
        ax.set_ylim(0, sum(units))
        _key(ax, key, handles, notes=notes_text)
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
        basis = event["time_basis"]
        if (event["end"] - event["start"]).total_seconds() < span / 400:
            inferred = basis == "inferred"
            ax.plot(
                [left], [y], marker="D" if basis == "derived" else "o", markersize=7, linestyle="none",
                markerfacecolor="white" if inferred else colour,
                markeredgecolor=colour if inferred else "black", markeredgewidth=2 if inferred else 1,
            )
        else:
            ax.barh(
                y, right - left, left=left, height=0.9,
                color="white" if basis == "inferred" else colour,
                edgecolor=colour if basis == "inferred" else "black",
                linewidth=1.5 if basis == "inferred" else 0.5,
                linestyle="--" if basis == "inferred" else "-",
                hatch="////" if basis == "derived" else None,
            )
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))


def _timeline_alt(case: Case, zone_name: str, lo, hi, shown: pd.DataFrame, outside: int, unplaced: pd.DataFrame, busiest=None,
                  rows: str = "events") -> str:
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
        words.append(f"A shaded band marks the busiest stretch, from {busiest[0].tz_convert(zone_name):%Y-%m-%d %H:%M} "
                     f"to {busiest[1].tz_convert(zone_name):%Y-%m-%d %H:%M}, shown in detail in its own figure.")
    if outside:
        words.append(f"{outside} event(s) outside this window are not shown.")
    if len(unplaced):
        words.append(f"{len(unplaced)} event(s) with unknown time are not shown: " + "; ".join(unplaced["title"]) + ".")
    words.append("Bars are the time intervals the sources allow; markers are intervals too short to draw at this scale; "
                 "filled means the time is reported, hatched or diamond derived, outlined inferred.")
    return " ".join(words)


def plot_category_rates(comparison: pd.DataFrame, categories=None, ax=None, title: str = "Lexicon matches per 100 words"):
    """Grouped horizontal bars: one group per statement, one bar per category (from compare_statements)."""
    columns = [c for c in comparison.columns if c.endswith(" per 100 words")]
    if categories:
        columns = [c for c in columns if c.removesuffix(" per 100 words") in categories]
    with house_style():
        if ax is None:
            fig, (ax,), key = _new_figure(0.8 + 0.16 * len(comparison) * max(1, len(columns)) ** 0.7, _key_lines(len(columns), 3))
        else:
            key = None
        fig = ax.figure
        height = 0.8 / max(len(columns), 1)
        hatches = ["", "//", "..", "xx", "\\\\", "++", "--", "oo", "**"]
        for k, column in enumerate(columns):
            category = column.removesuffix(" per 100 words")
            positions = [i + k * height for i in range(len(comparison))]
            colour = CATEGORY_BAR_COLOURS.get(category, NEUTRAL_SAMPLE)
            # the hatching is drawn in the edge colour: white on the dark bars, so that it shows
            edge = "white" if colour in (OKABE_ITO["black"], DARK_GREY) else "black"
            ax.barh(positions, comparison[column], height=height, label=category, color=colour,
                    edgecolor=edge, linewidth=0.4, hatch=hatches[k % len(hatches)])
        ax.set_yticks([i + 0.4 - height / 2 for i in range(len(comparison))],
                      [wrap(f"{sid} ({row['words']} words)", 24) for sid, row in comparison.iterrows()])
        ax.invert_yaxis()
        handles, _ = ax.get_legend_handles_labels()
        _key(ax, key, handles, ncols=3)
        decorate(ax, title=title, xlabel="matches per 100 words", ylabel="statement", alt=_category_rates_alt(comparison, columns))
    return fig


def _category_rates_alt(comparison: pd.DataFrame, columns: list[str]) -> str:
    """What the bar chart shows, in words: the statements, the categories and, per category, the highest rate."""
    categories = [c.removesuffix(" per 100 words") for c in columns]
    peaks = []
    for category, column in zip(categories, columns):
        top = comparison[column].max() if len(comparison) else 0
        leaders = list(comparison.index[comparison[column] == top]) if top > 0 else []
        peaks.append(f"{category} {top:g} ({', '.join(leaders)})" if leaders else f"{category} none")
    return (f"Grouped bar chart of lexicon matches per 100 words: one group of bars for each of {len(comparison)} statements, "
            f"one bar per category ({', '.join(categories)}). The highest rate per category: {'; '.join(peaks)}. "
            "Each category has its own colour and hatching.")


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
    counted = case.events[(case.events["quantity_series"] == series) & case.events["quantity"].notna() & case.events["start"].notna()]
    counted = counted.sort_values("start")
    unit = counted["quantity_unit"].iloc[0]
    with house_style():
        if ax is None:
            company = case.events[case.events["kind"].isin(COMPANY_KINDS) & case.events["start"].between(counted["start"].min(), counted["start"].max())]
            fig, (ax,), key = _new_figure(3.4, _key_lines(len(company), 1) + 1 if len(company) else 0)
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
            ax.annotate(label, (x, event["quantity"]), textcoords="offset points", xytext=(-6, 6) if step % 2 else (6, -6),
                        ha="right" if step % 2 else "left", va="bottom" if step % 2 else "top", fontsize=MIN_FONT_PT)
        marked = _mark_company_events(ax, key, case, counted["start"].min(), counted["start"].max())
        locator = mdates.AutoDateLocator(tz=zone, minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
        decorate(ax, title=wrap(f"{series.capitalize()} over time, with the rate since the previous reading", 60),
                 xlabel=f"time ({zone_name})\ndashed lines join reported readings; the path between them is not known", ylabel=unit,
                 alt=_milestones_alt(case, counted, rates, series, unit, zone_name) + _company_events_alt(case, marked, zone_name))
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
    marked = timeline_order(events[inside]).assign(_middle=middle[inside]).sort_values("_middle", kind="stable").drop(columns="_middle")
    handles = []
    for number, (event_id, event) in enumerate(marked.iterrows(), start=1):
        x = mdates.date2num(event["start"] + (event["end"] - event["start"]) / 2)
        colour = KIND_COLOURS[event["kind"]]
        ax.axvline(x, color=colour, linestyle=":", linewidth=1.4)
        # three staggered rows, so that the numbers of close events stay apart
        ax.annotate(str(number), (x, 1), xycoords=("data", "axes fraction"), textcoords="offset points", xytext=(0, 2 + 10 * (number % 3)),
                    ha="center", va="bottom", fontsize=MIN_FONT_PT, fontweight="bold")
        handles.append(Line2D([], [], color=colour, linestyle=":", linewidth=1.4, label=f"{number}: {event['title']}"))
    if handles:
        _key(ax, key, handles, ncols=1, title="dotted lines: the company's decisions and statements")
    return marked


def _company_events_alt(case: Case, marked: pd.DataFrame, zone_name: str) -> str:
    if not len(marked):
        return ""
    listed = "; ".join(f"{number}: {event['title']} ({when(case, event_id, zone_name, 'events')})"
                       for number, (event_id, event) in enumerate(marked.iterrows(), start=1))
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
    words = (f"Line chart of the series {series!r} at {len(counted)} reported readings, from {ends[0]} to {ends[1]}, joined by dashed lines because "
             "the path between readings is not known; each point is labelled with its value and the hourly rate since the previous one.")
    if rates:
        fastest = max(rates, key=lambda event_id: abs(rates[event_id]))
        words += f" The fastest change shown is {rates[fastest]:+.0f} per hour, to {counted.loc[fastest, 'quantity']:.12g}."
    return words


STANCE_STYLE = {  # colour (Okabe & Ito) and a text mark, so the matrix reads without colour too
    "affirms": ("#0072B2", "A"),
    "implies": ("#56B4E9", "a"),
    "denies": ("#D55E00", "D"),
    "implies the opposite": ("#E69F00", "d"),
    "silent": ("#FFFFFF", ""),
}


def plot_stance_matrix(matrix: pd.DataFrame, ax=None, title: str = "Who affirmed or denied what", paraphrased=(), statements=None):
    """The stance matrix (from ``claims.stance_matrix``) as a labelled grid of coloured, lettered cells.

    Given ``statements`` (the case's statements table), the rows are grouped by audience, then by
    speaker, in time order within each, each audience under a heading row and each row labelled with
    its speaker; otherwise they keep the matrix's (time) order. Rows named in ``paraphrased``
    (statements known only through a reporter's summary) are labelled so, since a stance read from
    a paraphrase rests on the reporter's words.
    """
    paraphrased = set(paraphrased)
    labels = list(STANCE_STYLE)
    rows: list[str | None] = list(matrix.index)  # None: a heading row
    headings: dict[int, str] = {}
    if statements is not None:
        info = statements.loc[matrix.index, ["audience", "speaker"]]
        order = {sid: place for place, sid in enumerate(matrix.index)}
        rows = []
        for audience in sorted(set(info["audience"]), key=lambda a: (["press", "public", "internal"] + [a]).index(a)):
            group = info[info["audience"] == audience]
            headings[len(rows)] = f"audience: {audience}"
            rows.append(None)
            rows += sorted(group.index, key=lambda sid: (group.loc[sid, "speaker"], order[sid]))
    def row_label(sid: str) -> str:
        speaker = f"{statements.loc[sid, 'speaker']}: " if statements is not None else ""
        return wrap(f"{speaker}{sid}" + (" (paraphrase)" if sid in paraphrased else ""), 36)
    tick_labels = [headings[i] if sid is None else row_label(sid) for i, sid in enumerate(rows)]
    codes = np.ma.masked_array(
        [[labels.index(matrix.loc[sid, claim]) if sid is not None else 0 for claim in matrix.columns] for sid in rows],
        mask=[[sid is None] * matrix.shape[1] for sid in rows])
    with house_style():
        if ax is None:
            lines = sum(label.count("\n") + 1 for label in tick_labels)
            fig, (ax,), key = _new_figure(1.6 + 0.165 * lines + 0.05 * len(rows), _key_lines(len(labels), 3))
        else:
            key = None
        fig = ax.figure
        ax.imshow(codes, cmap=ListedColormap([STANCE_STYLE[k][0] for k in labels]), vmin=-0.5, vmax=len(labels) - 0.5, aspect="auto",
                  interpolation="nearest")
        for (row, column), code in np.ndenumerate(codes.filled(-1)):
            mark = STANCE_STYLE[labels[code]][1] if code >= 0 else ""
            if mark:
                ax.text(column, row, mark, ha="center", va="center", fontsize=MIN_FONT_PT, color="white" if mark in "AD" else "black")
        ax.set_xticks(range(matrix.shape[1]), [wrap(str(c), 14) for c in matrix.columns], rotation=90)
        ax.set_yticks(range(len(rows)), tick_labels)
        for i in headings:
            ax.get_yticklabels()[i].set_fontweight("bold")
            if i:
                ax.axhline(i - 0.5, color="black", linewidth=1.2)
        ax.set_xticks(np.arange(-0.5, matrix.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
        ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="minor", length=0)
        handles = [Patch(facecolor=STANCE_STYLE[k][0], edgecolor="black", label=f"{STANCE_STYLE[k][1] or ' '}  {k}") for k in labels]
        _key(ax, key, handles, ncols=3)
        grouped = "grouped by audience, then speaker" if statements is not None else "in time order"
        decorate(ax, title=title, xlabel="claim", ylabel=f"statement ({grouped})", alt=_stance_matrix_alt(matrix, paraphrased, statements is not None))
    return fig


def _stance_matrix_alt(matrix: pd.DataFrame, paraphrased: set[str] = frozenset(), grouped: bool = False) -> str:
    """What the stance grid shows, in words: its size, how many cells hold each stance, and the claims stated both ways."""
    counts = {label: int((matrix == label).to_numpy().sum()) for label in STANCE_STYLE}
    letters = ", ".join(f"{STANCE_STYLE[label][1] or 'blank'} {label} ({counts[label]})" for label in STANCE_STYLE)
    both_ways = [claim for claim in matrix.columns
                 if {"affirms", "implies"} & set(matrix[claim]) and {"denies", "implies the opposite"} & set(matrix[claim])]
    order = "grouped by audience and then speaker, in time order within each" if grouped else "in time order"
    return (f"Grid of {matrix.shape[0]} statements (rows, {order}) by {matrix.shape[1]} claims (columns); each cell is lettered "
            f"and coloured by the statement's stance on the claim, with the number of such cells: {letters}. "
            + (f"Claims affirmed or implied by some statements and denied or implied the opposite by others: {', '.join(both_ways)}."
               if both_ways else "No claim is both affirmed and denied.")
            + (f" Rows known only through a reporter's paraphrase: {', '.join(s for s in matrix.index if s in paraphrased)}."
               if paraphrased & set(matrix.index) else ""))


def plot_relative_timelines(table: pd.DataFrame, window_hours: tuple[float, float] = (-48, 120), ax=None,
                            title: str = "Hours from each case's trigger event"):
    """Several cases on one relative time axis (from ``casebook.relative_timeline``): one band per case,
    one lane per kind of actor, each event drawn over the range of hours the sources allow."""
    shown = table[table["shown"]]
    cases = list(dict.fromkeys(table["case"]))
    lanes = ["employees act", "organisation decides", "organisation speaks", "others"]
    rows = [(case, lane) for case in cases for lane in lanes]
    low, high = window_hours
    names = dict(zip(table["case"], table["organisation"]))
    kinds = list(dict.fromkeys(shown["kind"]))
    handles = [Patch(facecolor=KIND_COLOURS[k], edgecolor="black", label=k) for k in kinds]
    handles += [Line2D([], [], color="black", linestyle=":", label="the trigger (0 h)"),
                Patch(facecolor=NEUTRAL_SAMPLE, edgecolor="black", hatch="////", label="derived (hatched)"),
                Patch(facecolor="white", edgecolor="black", linestyle="--", label="inferred (outline)")]
    hidden = table[~table["shown"]].groupby("case").size()
    notes = wrap("outside the window, not shown: " + "; ".join(f"{names[c]} {n}" for c, n in hidden.items()), 80) if len(hidden) else ""
    with house_style():
        if ax is None:
            fig, (ax,), key = _new_figure(1.0 + 0.3 * len(rows), _key_lines(len(handles), 2, notes))
        else:
            key = None
        fig = ax.figure
        span = high - low
        for y, (case, lane) in enumerate(reversed(rows)):
            events = shown[(shown["case"] == case) & (shown["lane"] == lane)]
            for _, event in events.iterrows():
                colour = KIND_COLOURS[event["kind"]]
                left, right = max(event["from (h)"], low), min(event["to (h)"], high)
                inferred = event["basis"] == "inferred"
                if right - left < span / 300:
                    ax.plot([left], [y], marker="D" if event["basis"] == "derived" else "o", markersize=6, linestyle="none",
                            markerfacecolor="white" if inferred else colour, markeredgecolor=colour if inferred else "black",
                            markeredgewidth=2 if inferred else 1)
                else:
                    ax.barh(y, right - left, left=left, height=0.55, alpha=0.75, color="white" if inferred else colour,
                            edgecolor=colour if inferred else "black", linewidth=1.2 if inferred else 0.5,
                            linestyle="--" if inferred else "-", hatch="////" if event["basis"] == "derived" else None)
        ax.set_yticks(range(len(rows)), [wrap(f"{names[case]}: {lane}", LABEL_WIDTH) for case, lane in reversed(rows)])
        for boundary in range(len(lanes), len(rows), len(lanes)):
            ax.axhline(len(rows) - boundary - 0.5, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linestyle=":", linewidth=1)
        ax.set_xlim(low, high)
        ax.grid(axis="y", visible=False)
        _key(ax, key, handles, ncols=2, notes=notes)
        decorate(ax, title=title, xlabel="hours after the trigger\n(each bar: the range the sources allow)", ylabel="case: who acts",
                 alt=_relative_alt(table, names, window_hours))
    return fig


def _relative_alt(table: pd.DataFrame, names: dict, window_hours: tuple[float, float]) -> str:
    """What the relative timeline shows, in words: per case, the trigger and how many events of each lane are drawn."""
    low, high = window_hours
    words = [f"Events of {len(names)} case(s) on one axis of hours from each case's trigger event, from {low:g} to {high:g} hours; "
             "each event is drawn over the range of hours the sources allow."]
    for case, name in names.items():
        rows = table[(table["case"] == case)]
        trigger = rows[rows["trigger"]]["title"]
        lanes = rows[rows["shown"]]["lane"].value_counts()
        words.append(f"{name}: trigger '{trigger.iloc[0] if len(trigger) else 'unknown'}'; "
                     + ", ".join(f"{lane} {lanes[lane]}" for lane in lanes.index) + ".")
    return " ".join(words)
