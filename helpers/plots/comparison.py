"""Several cases on one axis of hours from each one's trigger (lesson 06): who acted when, case by case."""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .figure import (
    KIND_COLOURS,
    LABEL_WIDTH,
    NEUTRAL_SAMPLE,
    add_key,
    count_key_lines,
    decorate,
    draw_range,
    house_style,
    new_figure,
    wrap,
)


def plot_relative_timelines(
    table: pd.DataFrame,
    window_hours: tuple[float, float] = (-48, 120),
    ax=None,
    title: str = "Hours from each case's trigger event",
):
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
    handles += [
        Line2D([], [], color="black", linestyle=":", label="the trigger (0 h)"),
        Patch(facecolor=NEUTRAL_SAMPLE, edgecolor="black", hatch="////", label="derived (hatched)"),
        Patch(facecolor="white", edgecolor="black", linestyle="--", label="inferred (outline)"),
    ]
    hidden = table[~table["shown"]].groupby("case").size()
    notes = (
        wrap("outside the window, not shown: " + "; ".join(f"{names[c]} {n}" for c, n in hidden.items()), 80)
        if len(hidden)
        else ""
    )
    with house_style():
        if ax is None:
            fig, (ax,), key = new_figure(1.0 + 0.3 * len(rows), count_key_lines(len(handles), 2, notes))
        else:
            key = None
        fig = ax.figure
        span = high - low
        for y, (case, lane) in enumerate(reversed(rows)):
            events = shown[(shown["case"] == case) & (shown["lane"] == lane)]
            for _, event in events.iterrows():
                colour = KIND_COLOURS[event["kind"]]
                left, right = max(event["from (h)"], low), min(event["to (h)"], high)
                draw_range(
                    ax,
                    y,
                    left,
                    right,
                    colour,
                    event["basis"],
                    as_marker=right - left < span / 300,
                    marker_size=6,
                    height=0.55,
                    alpha=0.75,
                    outline_width=1.2,
                )
        ax.set_yticks(range(len(rows)), [wrap(f"{names[case]}: {lane}", LABEL_WIDTH) for case, lane in reversed(rows)])
        for boundary in range(len(lanes), len(rows), len(lanes)):
            ax.axhline(len(rows) - boundary - 0.5, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linestyle=":", linewidth=1)
        ax.set_xlim(low, high)
        ax.grid(axis="y", visible=False)
        add_key(ax, key, handles, ncols=2, notes=notes)
        decorate(
            ax,
            title=title,
            xlabel="hours after the trigger\n(each bar: the range the sources allow)",
            ylabel="case: who acts",
            alt=_relative_alt(table, names, window_hours),
        )
    return fig


def _relative_alt(table: pd.DataFrame, names: dict, window_hours: tuple[float, float]) -> str:
    """What the relative timeline shows, in words: per case, the trigger and how many events of each lane are drawn."""
    low, high = window_hours
    words = [
        f"Events of {len(names)} case(s) on one axis of hours from each case's trigger event, from {low:g} to {high:g} hours; "
        "each event is drawn over the range of hours the sources allow."
    ]
    for case, name in names.items():
        rows = table[(table["case"] == case)]
        trigger = rows[rows["trigger"]]["title"]
        lanes = rows[rows["shown"]]["lane"].value_counts()
        words.append(
            f"{name}: trigger '{trigger.iloc[0] if len(trigger) else 'unknown'}'; "
            + ", ".join(f"{lane} {lanes[lane]}" for lane in lanes.index)
            + "."
        )
    return " ".join(words)
