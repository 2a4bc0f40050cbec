"""Figures. Every function takes ``ax=None``, applies the house style explicitly, gives the figure
a title, labelled axes and alternative text, and returns the Figure.

The figures of a case's time are in ``timelines``, several cases on one axis in ``comparison``,
those that set statements side by side in ``statements``; what every figure shares (the palette, the sizes, the house style, the key under
the axes, the alt text and how a figure is shown) is in ``figure``, where a new figure starts.
Each figure is to be had from here: ``from helpers.plots import plot_timeline``.
"""

from __future__ import annotations

from .comparison import plot_relative_timelines
from .statements import plot_category_rates, plot_stance_matrix
from .timelines import (
    busiest_window,
    case_period,
    plot_busiest_window,
    plot_milestones,
    plot_timeline,
    quantity_series,
)

# fmt: off
__all__ = ["busiest_window", "case_period", "plot_busiest_window", "plot_category_rates", "plot_milestones", "plot_relative_timelines",
           "plot_stance_matrix", "plot_timeline", "quantity_series"]
# fmt: on
