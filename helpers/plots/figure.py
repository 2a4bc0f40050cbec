"""What every figure shares: the palette, the sizes, the house style, the key under the axes,
the title, labels and alternative text (``decorate``), and how a figure is shown: once, as an
``<img>`` with its alt text (``DescribedFigure``, ``display_bundle``).

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

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import blended_transform_factory
from PIL import Image

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
# fmt: off
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
# fmt: on
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
        buffer, format="PNG", optimize=True
    )
    width, height = (round(size * DISPLAY_DPI) for size in fig.get_size_inches())
    text_px = smallest_text_pt(fig) * DISPLAY_DPI / 72
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    img = (
        f'<img src="data:image/png;base64,{payload}" alt="{html.escape(alt, quote=True)}" width="{width}" height="{height}" '
        f'data-text-px="{text_px:.1f}" style="max-width:100%;height:auto">'
    )
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


def new_figure(height: float, key_lines: int = 0, ncols: int = 1, width_ratios=None, sharey: bool = False):
    """A figure ``FIGURE_WIDTH`` wide of ``ncols`` axes side by side, over a key of ``key_lines`` lines, whose alt text will be shown with it.

    ``height`` is the axes' share in inches. The key is an axes of its own under them, holding the
    legend and the notes (see ``add_key``): a legend beside the data would take its width, and one
    laid out by matplotlib outside the axes can land on the axis label.
    Returns the figure, the list of axes, and the key's axes (None without a key).
    """
    key_height = 0.2 * key_lines + 0.15 if key_lines else 0
    fig = plt.figure(figsize=(FIGURE_WIDTH, height + key_height), layout="constrained", FigureClass=DescribedFigure)
    grid = fig.add_gridspec(
        2 if key_lines else 1, ncols, width_ratios=width_ratios, height_ratios=[height, key_height] if key_lines else None
    )
    axes = []
    for column in range(ncols):
        axes.append(fig.add_subplot(grid[0, column], sharey=axes[0] if sharey and axes else None))
    key = fig.add_subplot(grid[1, :]) if key_lines else None
    if key is not None:
        key.set_axis_off()
    return fig, axes, key


def draw_range(
    ax,
    y: float,
    left: float,
    right: float,
    colour: str,
    basis: str,
    *,
    as_marker: bool,
    marker_size: float = 7,
    height: float = 0.9,
    alpha: float | None = None,
    outline_width: float = 1.5,
) -> None:
    """One event at height ``y``: a bar from ``left`` to ``right``, or a marker where it is too short to see.

    How its time is known is drawn in the mark, the same in every figure: ``derived`` is hatched
    (a diamond as a marker), ``inferred`` an outline in the kind's colour (white inside, dashed).
    """
    inferred = basis == "inferred"
    if as_marker:
        ax.plot(
            [left],
            [y],
            marker="D" if basis == "derived" else "o",
            markersize=marker_size,
            linestyle="none",
            markerfacecolor="white" if inferred else colour,
            markeredgecolor=colour if inferred else "black",
            markeredgewidth=2 if inferred else 1,
        )
    else:
        ax.barh(
            y,
            right - left,
            left=left,
            height=height,
            alpha=alpha,
            color="white" if inferred else colour,
            edgecolor=colour if inferred else "black",
            linewidth=outline_width if inferred else 0.5,
            linestyle="--" if inferred else "-",
            hatch="////" if basis == "derived" else None,
        )


def add_key(ax, key, handles, ncols: int = 2, notes: str = "", title: str | None = None) -> None:
    """The legend (and any notes under it) in the figure's key, or on ``ax`` when the caller gave the axes."""
    if key is None:
        ax.legend(handles=handles, loc="best", fontsize=MIN_FONT_PT, title=title)
        return
    # from the figure's left edge (the key's axes start where the data does, right of the axis labels)
    place = blended_transform_factory(key.figure.transFigure, key.transAxes)
    key.legend(
        handles=handles,
        loc="upper left",
        ncols=ncols,
        bbox_to_anchor=(0.01, 1),
        bbox_transform=place,
        borderaxespad=0,
        alignment="left",
        title=title,
        title_fontsize=MIN_FONT_PT + 0.5,
    )
    if notes:
        key.text(0.01, 0, notes, transform=place, va="bottom", ha="left", fontsize=MIN_FONT_PT)


def count_key_lines(entries: int, ncols: int, notes: str = "", entry_lines: int = 1) -> int:
    """The lines a key takes: ``entries`` legend entries in ``ncols`` columns, then the lines of ``notes``."""
    return -(-entries // ncols) * entry_lines + (notes.count("\n") + 1 if notes else 0)


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters (a longer word keeps its line): wrapped, never cut."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text
