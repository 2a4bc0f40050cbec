"""Figures that set statements side by side: their lexicon matches per 100 words
(``plot_category_rates``, from ``wording.compare_statements``) and their stances on the case's
claims (``plot_stance_matrix``, from ``claims.stance_matrix``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..wording import rate_column, rated_categories
from .figure import (
    CATEGORY_BAR_COLOURS,
    DARK_GREY,
    MIN_FONT_PT,
    NEUTRAL_SAMPLE,
    OKABE_ITO,
    add_key,
    count_key_lines,
    decorate,
    house_style,
    new_figure,
    wrap,
)


def plot_category_rates(comparison: pd.DataFrame, categories=None, ax=None, title: str = "Lexicon matches per 100 words"):
    """Grouped horizontal bars: one group per statement, one bar per category (from compare_statements)."""
    shown = [c for c in rated_categories(comparison) if not categories or c in categories]
    columns = [rate_column(c) for c in shown]
    with house_style():
        if ax is None:
            fig, (ax,), key = new_figure(
                0.8 + 0.16 * len(comparison) * max(1, len(columns)) ** 0.7, count_key_lines(len(columns), 3)
            )
        else:
            key = None
        fig = ax.figure
        height = 0.8 / max(len(columns), 1)
        hatches = ["", "//", "..", "xx", "\\\\", "++", "--", "oo", "**"]
        for k, (category, column) in enumerate(zip(shown, columns)):
            positions = [i + k * height for i in range(len(comparison))]
            colour = CATEGORY_BAR_COLOURS.get(category, NEUTRAL_SAMPLE)
            # the hatching is drawn in the edge colour: white on the dark bars, so that it shows
            edge = "white" if colour in (OKABE_ITO["black"], DARK_GREY) else "black"
            ax.barh(
                positions,
                comparison[column],
                height=height,
                label=category,
                color=colour,
                edgecolor=edge,
                linewidth=0.4,
                hatch=hatches[k % len(hatches)],
            )
        ax.set_yticks(
            [i + 0.4 - height / 2 for i in range(len(comparison))],
            [wrap(f"{sid} ({row['words']} words)", 24) for sid, row in comparison.iterrows()],
        )
        ax.invert_yaxis()
        handles, _ = ax.get_legend_handles_labels()
        add_key(ax, key, handles, ncols=3)
        decorate(ax, title=title, xlabel="matches per 100 words", ylabel="statement", alt=_category_rates_alt(comparison, shown))
    return fig


def _category_rates_alt(comparison: pd.DataFrame, categories: list[str]) -> str:
    """What the bar chart shows, in words: the statements, the categories and, per category, the highest rate."""
    peaks = []
    for category in categories:
        column = rate_column(category)
        top = comparison[column].max() if len(comparison) else 0
        leaders = list(comparison.index[comparison[column] == top]) if top > 0 else []
        peaks.append(f"{category} {top:g} ({', '.join(leaders)})" if leaders else f"{category} none")
    return (
        f"Grouped bar chart of lexicon matches per 100 words: one group of bars for each of {len(comparison)} statements, "
        f"one bar per category ({', '.join(categories)}). The highest rate per category: {'; '.join(peaks)}. "
        "Each category has its own colour and hatching."
    )


# fmt: off
STANCE_STYLE = {  # colour (Okabe & Ito) and a text mark, so the matrix reads without colour too
    "affirms": ("#0072B2", "A"),
    "implies": ("#56B4E9", "a"),
    "denies": ("#D55E00", "D"),
    "implies the opposite": ("#E69F00", "d"),
    "silent": ("#FFFFFF", ""),
}
# fmt: on


def plot_stance_matrix(
    matrix: pd.DataFrame, ax=None, title: str = "Who affirmed or denied what", paraphrased=(), statements=None
):
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
        mask=[[sid is None] * matrix.shape[1] for sid in rows],
    )
    with house_style():
        if ax is None:
            lines = sum(label.count("\n") + 1 for label in tick_labels)
            fig, (ax,), key = new_figure(1.6 + 0.165 * lines + 0.05 * len(rows), count_key_lines(len(labels), 3))
        else:
            key = None
        fig = ax.figure
        ax.imshow(
            codes,
            cmap=ListedColormap([STANCE_STYLE[k][0] for k in labels]),
            vmin=-0.5,
            vmax=len(labels) - 0.5,
            aspect="auto",
            interpolation="nearest",
        )
        for (row, column), code in np.ndenumerate(codes.filled(-1)):
            mark = STANCE_STYLE[labels[code]][1] if code >= 0 else ""
            if mark:
                ax.text(
                    column, row, mark, ha="center", va="center", fontsize=MIN_FONT_PT, color="white" if mark in "AD" else "black"
                )
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
        handles = [
            Patch(facecolor=STANCE_STYLE[k][0], edgecolor="black", label=f"{STANCE_STYLE[k][1] or ' '}  {k}") for k in labels
        ]
        add_key(ax, key, handles, ncols=3)
        grouped = "grouped by audience, then speaker" if statements is not None else "in time order"
        decorate(
            ax,
            title=title,
            xlabel="claim",
            ylabel=f"statement ({grouped})",
            alt=_stance_matrix_alt(matrix, paraphrased, statements is not None),
        )
    return fig


def _stance_matrix_alt(matrix: pd.DataFrame, paraphrased: set[str] = frozenset(), grouped: bool = False) -> str:
    """What the stance grid shows, in words: its size, how many cells hold each stance, and the claims stated both ways."""
    counts = {label: int((matrix == label).to_numpy().sum()) for label in STANCE_STYLE}
    letters = ", ".join(f"{STANCE_STYLE[label][1] or 'blank'} {label} ({counts[label]})" for label in STANCE_STYLE)
    both_ways = [
        claim
        for claim in matrix.columns
        if {"affirms", "implies"} & set(matrix[claim]) and {"denies", "implies the opposite"} & set(matrix[claim])
    ]
    order = "grouped by audience and then speaker, in time order within each" if grouped else "in time order"
    return (
        f"Grid of {matrix.shape[0]} statements (rows, {order}) by {matrix.shape[1]} claims (columns); each cell is lettered "
        f"and coloured by the statement's stance on the claim, with the number of such cells: {letters}. "
        + (
            f"Claims affirmed or implied by some statements and denied or implied the opposite by others: {', '.join(both_ways)}."
            if both_ways
            else "No claim is both affirmed and denied."
        )
        + (
            f" Rows known only through a reporter's paraphrase: {', '.join(s for s in matrix.index if s in paraphrased)}."
            if paraphrased & set(matrix.index)
            else ""
        )
    )
