"""Accessibility: one outline per notebook, alternative text that reaches the reader, figures with a
title and labelled axes, colours that stay apart with colour-vision deficiencies, described widget controls.

Colours are compared as a reader with a colour-vision deficiency would see them: each colour is
simulated for protanopia, deuteranopia and tritanopia with the matrices of Machado, Oliveira &
Fernandes (2009, IEEE TVCG 15(6), severity 1.0, applied to linear RGB as the R package colorspace
and Python's colorspacious do), and every two colours used together in a figure must stay at least
``MIN_DELTA_E`` apart in CIEDE2000 (Sharma, Wu & Dalal 2005) under normal vision and each simulation.
The threshold 10 is the one cols4all (Tennekes et al., the R package behind "Colors for all") uses to
call a categorical palette colour-blind friendly; a difference of about 1 is just noticeable, and
marks in a chart need far more than that to be told apart at a glance.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mistune  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import helpers.plots  # noqa: E402
from helpers.casebook import relative_timeline  # noqa: E402
from helpers.paths import PACKAGE_DIR, lesson_notebooks  # noqa: E402
from helpers.plots import figure, statements, timelines  # noqa: E402

LESSONS = lesson_notebooks()
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- reading a notebook as a reader's browser does -------------------------------------------------


class _Elements(HTMLParser):
    """The headings (level, text) and the images (their attributes) of an HTML fragment, in order."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.images: list[dict[str, str | None]] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._open = [int(tag[1]), ""]
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == f"h{self._open[0]}":
            self.headings.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def shown_html(notebook) -> list[tuple[str, str]]:
    """What the notebook shows, as (where, HTML) in order: Markdown cells rendered, and the HTML outputs
    JupyterLab and the handouts render in preference to anything else (a widget's is its static view)."""
    nb = nbformat.read(notebook, as_version=4)
    shown = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            shown.append((f"cell {index}", mistune.html(cell.source)))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                shown.append((f"cell {index} {'widget' if WIDGET_VIEW in data else 'output'}", data["text/html"]))
    return shown


def outline_problems(headings: list[tuple[int, str, str]]) -> list[str]:
    """What is wrong with an outline of (level, text, where): not exactly one level-1 heading, not first, or a level skipped."""
    problems = []
    top = [h for h in headings if h[0] == 1]
    if len(top) != 1:
        problems.append(f"{len(top)} level-1 headings: {[h[1] for h in top]}")
    if headings and headings[0][0] != 1:
        problems.append(f"the first heading {headings[0][1]!r} ({headings[0][2]}) is not level 1")
    for (before, _, _), (level, text, where) in itertools.pairwise(headings):
        if level > before + 1:
            problems.append(f"{text!r} ({where}) is level {level} right after a level-{before} heading")
    return problems


def test_outline_problems_are_found():
    assert outline_problems([(1, "Title", "a"), (2, "Goals", "b"), (3, "Detail", "c"), (2, "Next", "d")]) == []
    assert outline_problems([(1, "Title", "a"), (3, "Skipped", "b")]) == [
        "'Skipped' (b) is level 3 right after a level-1 heading"
    ]
    assert len(outline_problems([(1, "A", "a"), (1, "B", "b")])) == 1
    assert len(outline_problems([(2, "No title", "a")])) == 2


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_one_top_level_heading_and_no_level_skipped(notebook):
    """Markdown headings and the headings of HTML outputs and widget views make one outline (as a screen reader lists them)."""
    headings = [(level, text, where) for where, html in shown_html(notebook) for level, text in _elements(html).headings]
    assert len(headings) >= 5
    assert outline_problems(headings) == []


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_every_image_has_alt_text_where_the_notebook_is_read(notebook):
    """Every figure is one HTML ``<img alt>`` (JupyterLab and the handouts show that; both ignore a bare PNG's
    metadata), stored once: no image output beside it. Every image anywhere in what is shown has an alt text."""
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert not [mime for mime in IMAGE_MIMES if mime in data], f"cell {index}: a figure stored as an image output too"
            images = _elements(data.get("text/html", "")).images
            if WIDGET_VIEW in data or not images:
                continue
            assert len(images) == 1, f"cell {index}: {len(images)} images in one output"
            alt = images[0].get("alt") or ""
            assert len(alt) >= 80 and not alt.startswith("<Figure"), f"cell {index}: alt text {alt!r}"
            assert data["text/plain"] == alt
            assert images[0]["src"].startswith("data:image/png;base64,"), f"cell {index}: the figure is not embedded"
    for where, html in shown_html(notebook):
        assert all((image.get("alt") or "").strip() for image in _elements(html).images), f"{where}: an image without alt text"


def _figure_outputs(notebook) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(
        str(output.get("data", {}).get("text/html", "")).startswith("<img ")
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


def test_the_lessons_show_figures():
    assert sum(_figure_outputs(notebook) for notebook in LESSONS) >= 6


@pytest.mark.parametrize("notebook", [nb for nb in LESSONS if _figure_outputs(nb)], ids=lambda p: p.stem)
def test_handout_images_have_alt_text(notebook, tmp_path):
    """The HTML handout (``casework run``'s nbconvert template) keeps each figure's alt text."""
    from helpers.runner import render_html

    render_html(notebook, tmp_path / "handout.html")
    images = _elements((tmp_path / "handout.html").read_text(encoding="utf-8")).images
    assert len(images) == _figure_outputs(notebook)
    assert all(len((image.get("alt") or "").strip()) >= 80 for image in images), [image.get("alt") for image in images]


# --- the figures themselves ------------------------------------------------------------------------


def _category_rates(case):
    from helpers import compare_statements

    return helpers.plots.plot_category_rates(compare_statements(case))  # every category: the most colours at once


def _stance_matrix(case):
    from helpers.claims import stance_matrix

    return helpers.plots.plot_stance_matrix(stance_matrix(case), statements=case.statements)


#: Every plot function, drawn for a case with its most colourful options.
FIGURES = {
    "plot_timeline": lambda case: helpers.plots.plot_timeline(case),
    "plot_busiest_window": lambda case: helpers.plots.plot_busiest_window(case),
    "plot_category_rates": _category_rates,
    "plot_milestones": lambda case: helpers.plots.plot_milestones(case),
    "plot_stance_matrix": _stance_matrix,
    "plot_relative_timelines": lambda case: helpers.plots.plot_relative_timelines(relative_timeline([case])),
}


def test_every_plot_function_is_checked():
    """Every figure the package draws: each plot_ function of its modules, and each is to be had from helpers.plots."""
    modules = [
        module
        for _, module in inspect.getmembers(helpers.plots, inspect.ismodule)
        if module.__name__.startswith("helpers.plots.")
    ]
    assert {figure, statements, timelines} <= set(modules)
    functions = {
        name
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("plot_") and function.__module__ == module.__name__
    }
    assert functions == set(FIGURES)
    assert all(callable(getattr(helpers.plots, name, None)) for name in functions)


@pytest.mark.parametrize("case_name", ["hootsuite", "fictional"])
@pytest.mark.parametrize("name", FIGURES)
def test_figure_has_title_labelled_axes_and_alt_text(name, case_name, request):
    fig = FIGURES[name](request.getfixturevalue(case_name))
    if fig is None:
        assert name == "plot_milestones" and case_name == "fictional", f"{name} drew nothing"
        return
    assert isinstance(fig, figure.DescribedFigure), "made without ax, the figure must show its alt text"
    for ax in (ax for ax in fig.axes if ax.axison):  # the key under a figure (legend and notes) has no axis
        assert ax.get_title().strip() and ax.get_xlabel().strip() and ax.get_ylabel().strip()
    assert len(fig.alt_text) >= 80


# --- colours ---------------------------------------------------------------------------------------

MIN_DELTA_E = 10  # CIEDE2000; see the module docstring

#: Machado, Oliveira & Fernandes (2009), severity 1.0: linear RGB to linear RGB as the dichromat sees it.
MACHADO_2009 = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", *MACHADO_2009)
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
D65 = SRGB_TO_XYZ @ np.ones(3)


def lab(colour: str, vision: str = "normal") -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen with ``vision``."""
    rgb = np.array(to_rgba(colour)[:3])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if vision != "normal":
        linear = np.clip(MACHADO_2009[vision] @ linear, 0, 1)
    xyz = SRGB_TO_XYZ @ linear / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """The CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, equations 1-22)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    mean_l, mean_cp = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(mean_h - 30))
        + 0.24 * math.cos(math.radians(2 * mean_h))
        + 0.32 * math.cos(math.radians(3 * mean_h + 6))
        - 0.20 * math.cos(math.radians(4 * mean_h - 63))
    )
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_cp, 1 + 0.015 * mean_cp * t
    r_t = -2 * math.sqrt(mean_cp**7 / (mean_cp**7 + 25**7)) * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2))))
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def too_close(colours) -> list[str]:
    """Each pair of ``colours`` closer than MIN_DELTA_E under some vision, with the difference."""
    return [
        f"{a} and {b}: {difference:.1f} with {vision}"
        for a, b in itertools.combinations(sorted(set(colours)), 2)
        for vision in VISIONS
        if (difference := ciede2000(lab(a, vision), lab(b, vision))) < MIN_DELTA_E
    ]


@pytest.mark.parametrize(
    "lab1, lab2, expected",
    [  # pairs 1, 7, 17, 25 and 31 of Sharma, Wu & Dalal's test data
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_finds_a_pair_only_colour_blind_readers_confuse():
    # Okabe & Ito's reddish purple beside the mid grey the timeline used for context events before:
    # far enough apart with normal vision, too close with deuteranopia.
    assert ciede2000(lab("#CC79A7"), lab("#999999")) >= MIN_DELTA_E
    assert too_close(["#CC79A7", "#999999"]) == ["#999999 and #CC79A7: 6.2 with deuteranopia"]
    assert all(ciede2000(lab("#777777", vision), lab("#777777")) < 0.1 for vision in MACHADO_2009)  # greys stay grey


def figure_colours(fig) -> set[str]:
    """The colours that carry meaning in ``fig``: fills of bars and cells, lines and markers, and legend swatches.

    Outlines, hatching, text, grid and background are left out.
    """
    colours = []
    for ax in fig.axes:
        legend = ax.get_legend()
        handles = list(legend.legend_handles) if legend else []
        for artist in [*ax.patches, *ax.lines, *handles]:
            if isinstance(artist, Patch):
                colours.append(artist.get_facecolor())
            elif isinstance(artist, Line2D):
                if artist.get_linestyle() not in ("None", "none", "", " "):
                    colours.append(artist.get_color())
                if artist.get_marker() not in (None, "None", "none", "", " "):
                    colours.append(artist.get_markerfacecolor())
        for image in ax.images:
            colours.extend(image.cmap(image.norm(np.unique(np.ma.compressed(image.get_array())))))
        for collection in ax.collections:
            colours.extend(collection.get_facecolors())
    return {to_hex(colour).upper() for colour in colours if to_rgba(colour)[3] > 0}


@pytest.mark.parametrize("case_name", ["hootsuite", "fictional"])
@pytest.mark.parametrize("name", FIGURES)
def test_colours_in_a_figure_stay_apart_with_colour_vision_deficiencies(name, case_name, request):
    fig = FIGURES[name](request.getfixturevalue(case_name))
    if fig is None:
        return
    colours = figure_colours(fig)
    assert len(colours) >= 2
    assert too_close(colours) == []


def test_the_palettes_stay_apart_whatever_a_case_holds():
    """Every colour a figure may use at once, not only those the cases happen to use."""
    assert too_close([*figure.KIND_COLOURS.values(), "#FFFFFF", figure.NEUTRAL_SAMPLE]) == []  # white: inferred
    assert too_close([*figure.CATEGORY_BAR_COLOURS.values(), figure.NEUTRAL_SAMPLE]) == []
    assert too_close([colour for colour, _ in statements.STANCE_STYLE.values()]) == []


# --- widgets ---------------------------------------------------------------------------------------


def _builders():
    from helpers.coursework.forms import coding_form
    from helpers.widgets import claim_explorer, drafting_lab, public_knowledge_explorer, statement_explorer

    return {
        "statement_explorer": statement_explorer,
        "public_knowledge_explorer": public_knowledge_explorer,
        "claim_explorer": claim_explorer,
        "drafting_lab": drafting_lab,
        "coding_form": coding_form,
    }


def test_every_module_that_builds_widgets_is_checked():
    constructs = re.compile(
        r"\b(?:ipy)?widgets\.[A-Z]\w*\(|\binteractive\("
    )  # ipywidgets.Dropdown(...), interactive(...): builds controls
    building = {path.stem for path in PACKAGE_DIR.rglob("*.py") if constructs.search(path.read_text(encoding="utf-8"))}
    assert building == {inspect.getmodule(builder).__name__.rpartition(".")[2] for builder in _builders().values()}


def _placed(widget, before=None):
    """Each widget in ``widget``'s tree that is not a box, with the widget just before it in its box."""
    import ipywidgets

    if isinstance(widget, ipywidgets.Box):
        for earlier, child in zip([None, *widget.children], widget.children):
            yield from _placed(child, earlier)
    else:
        yield widget, before


def _is_control(widget) -> bool:
    """A widget a reader operates, not a view it updates."""
    import ipywidgets

    return not isinstance(widget, (ipywidgets.HTML, ipywidgets.HTMLMath, ipywidgets.Label, ipywidgets.Output))


def undescribed(widget) -> list[str]:
    """The controls in ``widget``'s tree with neither a description nor a Label just before them."""
    import ipywidgets

    def described(control, before) -> bool:
        return bool(control.description.strip()) or (isinstance(before, ipywidgets.Label) and bool(before.value.strip()))

    return [
        type(control).__name__ for control, before in _placed(widget) if _is_control(control) and not described(control, before)
    ]


def test_undescribed_controls_are_found():
    import ipywidgets

    assert undescribed(ipywidgets.VBox([ipywidgets.Dropdown(options=["a"]), ipywidgets.HTML("view")])) == ["Dropdown"]
    assert undescribed(ipywidgets.VBox([ipywidgets.Label("Claim"), ipywidgets.Dropdown(options=["a"])])) == []


@pytest.mark.parametrize(
    "name", ["statement_explorer", "public_knowledge_explorer", "claim_explorer", "drafting_lab", "coding_form"]
)
def test_widget_controls_have_descriptions(name, hootsuite):
    from helpers.widgets import View

    built = _builders()[name](hootsuite)
    if isinstance(built, View):  # drawn by templates/view/view.js: each control gets a <label> (or <legend>) with this text
        assert built.controls and all(control["label"].strip() for control in built.controls)
        assert all(label.strip() for control in built.controls for label, _ in control["options"])
        return
    widget = built.widget
    assert any(_is_control(control) for control, _ in _placed(widget)), f"{name} has no control"
    assert undescribed(widget) == []
