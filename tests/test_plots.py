"""Figures: intervals drawn as intervals, labels and alt text present, global settings untouched."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import busiest_window, case_period, plot_timeline  # noqa: E402
from helpers.plots.figure import HOUSE_STYLE, house_style  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_house_style_restores_only_its_own_settings():
    before = dict(matplotlib.rcParams)
    with house_style():
        assert matplotlib.rcParams["axes.titleweight"] == HOUSE_STYLE["axes.titleweight"]
        matplotlib.rcParams["interactive"] = not before["interactive"]  # as the inline backend does
    assert matplotlib.rcParams["interactive"] is (not before["interactive"])
    assert all(matplotlib.rcParams[key] == before[key] for key in HOUSE_STYLE)
    matplotlib.rcParams["interactive"] = before["interactive"]


def test_timeline_has_title_labels_alt_text_and_one_row_per_event(fictional):
    fig = plot_timeline(fictional, "UTC", rows="events")
    ax = fig.axes[0]
    placed = (fictional.events["start"].notna() & (fictional.events["kind"] != "aftermath")).sum()
    assert ax.get_title().replace("\n", " ") == f"{fictional.title}: timeline"
    assert ax.get_xlabel() == "time (UTC)" and ax.get_ylabel() == "event"
    assert len(ax.get_yticklabels()) == placed
    assert "Timeline of" in fig.alt_text and "hatched or diamond derived" in fig.alt_text and "one row per event" in fig.alt_text


def test_the_whole_case_overview_has_one_lane_per_kind_and_the_zoom_one_row_per_event(hootsuite):
    from helpers.plots import plot_busiest_window

    overview = plot_timeline(hootsuite)
    ax = overview.axes[0]
    events = hootsuite.events[hootsuite.events["start"].notna()]
    shown = events[events["start"] <= case_period(hootsuite)[1]]
    counts = shown["kind"].value_counts()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{kind} ({counts[kind]})"
        for kind in dict.fromkeys(hootsuite.events.loc[[i for i in _timeline_ids(hootsuite) if i in shown.index], "kind"])
    ]
    assert ax.get_ylabel() == "kind of event (how many)" and "one lane per kind of event" in overview.alt_text
    # every event shown is drawn once: a bar or a marker on its kind's lane
    assert len(ax.patches) + len(ax.lines) >= len(shown)
    zoom = plot_busiest_window(hootsuite)
    assert zoom.axes[0].get_ylabel() == "event" and len(zoom.axes[0].get_yticklabels()) < len(shown)
    with pytest.raises(ValueError, match="rows must be 'events' or 'kinds'"):
        plot_timeline(hootsuite, rows="lanes")


def _timeline_ids(case) -> list[str]:
    from helpers.queries import timeline_order

    return list(timeline_order(case.events).index)


def test_a_title_is_wrapped_and_centred_on_the_figure_not_over_the_axes(hootsuite):
    fig = plot_timeline(hootsuite, title=f"{hootsuite.title}: the timeline, later aftermath left out")
    fig.canvas.draw()
    title = fig.axes[0].title
    box = title.get_window_extent()
    assert max(map(len, title.get_text().split("\n"))) <= 60
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width  # inside the figure, though the tick labels push the axes right
    assert abs((box.x0 + box.x1) / 2 - fig.bbox.width / 2) < 2


def test_imprecise_times_are_bars_as_wide_as_their_interval(fictional):
    fig = plot_timeline(fictional, "UTC")
    widths = sorted(round(p.get_width(), 3) for p in fig.axes[0].patches)
    month_events = fictional.events[fictional.events["time_precision"] == "month"]
    assert len(month_events) >= 1
    # a month-precision event is a bar about a month (in days) wide
    assert widths[-1] >= 28


def test_window_drops_events_outside_and_says_so(fictional):
    start, end = busiest_window(fictional)
    fig = plot_timeline(fictional, "UTC", start, end)
    shown = len(fig.axes[0].get_yticklabels())
    assert 0 < shown < fictional.events["start"].notna().sum()
    notes = " ".join(t.get_text() for t in fig.axes[-1].texts)  # the key under the axes
    assert "outside this window not shown" in notes


def test_busiest_window_holds_the_most_precise_events(hootsuite):
    start, end = busiest_window(hootsuite)
    email = hootsuite.interval("keiser-email")
    assert start <= email.start and email.end <= end


def test_default_window_leaves_out_later_aftermath(hootsuite):
    start, end = case_period(hootsuite)
    assert start.year == 2020 and end.year == 2020  # the 2021-2026 follow-ups are aftermath
    fig = plot_timeline(hootsuite)
    notes = " ".join(t.get_text() for t in fig.axes[-1].texts).replace("\n", " ")
    later = ((hootsuite.events["kind"] == "aftermath") & (hootsuite.events["start"] > end)).sum()
    assert f"{later} event(s) outside this window not shown" in notes


def test_zoomed_timeline_title_states_the_window_it_shows(hootsuite):
    from helpers.plots import plot_busiest_window

    fig = plot_busiest_window(hootsuite, "UTC", hours=60, pad_hours=6)
    ax = fig.axes[0]
    left, right = ax.get_xlim()
    assert round((right - left) * 24) == 72  # matplotlib dates count days
    assert ax.get_title().replace("\n", " ") == "The busiest 60 hours, with 6 hours either side (72 hours shown)"


def _drawn_as(fig, label_start: str) -> str:
    """'marker' or 'bar': how the row whose label starts with ``label_start`` is drawn."""
    ax = fig.axes[0]
    (y,) = [tick for tick, label in zip(ax.get_yticks(), ax.get_yticklabels()) if label.get_text().startswith(label_start)]
    if any(list(line.get_ydata()) == [y] for line in ax.lines):
        return "marker"
    if any(abs(patch.get_y() + patch.get_height() / 2 - y) < 1e-9 for patch in ax.patches):
        return "bar"
    return "missing"


def test_a_marker_is_an_interval_too_short_for_the_scale_not_a_precise_time(hootsuite):
    # The CEO's email is known to the hour: a marker over the whole case, a bar when zoomed in.
    from helpers.plots import plot_busiest_window

    assert hootsuite.events.loc["keiser-email", "time_precision"] == "hour"
    assert _drawn_as(plot_timeline(hootsuite, rows="events"), "CEO tells all staff") == "marker"
    assert _drawn_as(plot_busiest_window(hootsuite), "CEO tells all staff") == "bar"
    assert _drawn_as(plot_busiest_window(hootsuite), "Daily Dot publishes") == "marker"  # known to the minute


def _img(html_text: str) -> dict[str, str]:
    from html.parser import HTMLParser

    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append(dict(attrs)) if tag == "img" else None
    parser.feed(html_text)
    (img,) = found
    return img


def test_a_figure_is_one_img_with_its_alt_text_and_its_alt_text_as_plain_text(hootsuite):
    """Stored once: the PNG inside the <img> is the only copy (JupyterLab and the handouts show the HTML)."""
    import base64
    import io

    from PIL import Image

    from helpers.plots.figure import DISPLAY_DPI, FIGURE_WIDTH, PIXEL_RATIO, DescribedFigure, display_bundle

    fig = plot_timeline(hootsuite)
    assert isinstance(fig, DescribedFigure)
    data, metadata = display_bundle(fig)
    assert set(data) == {"text/html", "text/plain"} and metadata == {}
    img = _img(data["text/html"])
    assert img["alt"] == data["text/plain"] == fig.alt_text and len(fig.alt_text) >= 80
    png = Image.open(io.BytesIO(base64.b64decode(img["src"].removeprefix("data:image/png;base64,"))))
    # shown at FIGURE_WIDTH inches of 100 CSS px, drawn at twice that
    assert int(img["width"]) == FIGURE_WIDTH * DISPLAY_DPI <= 592 and png.size[0] == int(img["width"]) * PIXEL_RATIO
    assert png.size[1] == int(img["height"]) * PIXEL_RATIO


@pytest.mark.parametrize("case_name", ["hootsuite", "fictional"])
def test_figure_text_is_at_least_10_px_as_shown(case_name, request):
    """The smallest text of every figure, at the size the notebook shows it (its own: it fits 592 px)."""
    from helpers.claims import stance_matrix
    from helpers.plots import plot_busiest_window, plot_category_rates, plot_milestones, plot_stance_matrix
    from helpers.plots.figure import DISPLAY_DPI, display_bundle
    from helpers.wording import compare_statements

    case = request.getfixturevalue(case_name)
    figures = [
        plot_timeline(case),
        plot_busiest_window(case),
        plot_category_rates(compare_statements(case)),
        plot_milestones(case),
        plot_stance_matrix(stance_matrix(case), statements=case.statements),
    ]
    for fig in filter(None, figures):
        img = _img(display_bundle(fig)[0]["text/html"])
        assert float(img["data-text-px"]) >= 10, (fig.get_label(), img["data-text-px"])
        sizes = [
            t.get_fontsize() * DISPLAY_DPI / 72
            for t in fig.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip()
        ]
        assert min(sizes) == pytest.approx(float(img["data-text-px"]), abs=0.05)


def test_figures_are_rendered_with_unhinted_text_and_the_setting_is_put_back(hootsuite, monkeypatch):
    from matplotlib.figure import Figure

    from helpers.plots.figure import RENDER_STYLE, display_bundle

    before = matplotlib.rcParams["text.hinting"]
    seen = []
    draw = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda self, renderer: (seen.append(matplotlib.rcParams["text.hinting"]), draw(self, renderer))[1]
    )
    display_bundle(plot_timeline(hootsuite))
    assert set(seen) == {RENDER_STYLE["text.hinting"]} == {"none"}
    assert matplotlib.rcParams["text.hinting"] == before


def test_alt_text_with_quotes_and_markup_stays_one_attribute():
    from helpers.plots.figure import decorate, display_bundle, new_figure

    fig, (ax,), _ = new_figure(2)
    alt = 'a "quoted" <b>bold</b> & more'
    decorate(ax, title="t", xlabel="x", ylabel="y", alt=alt)
    assert _img(display_bundle(fig)[0]["text/html"])["alt"] == alt


def test_in_a_kernel_a_figure_is_drawn_only_to_make_the_image_shown():
    """Jupyter's inline backend: pyplot draws every stale figure after a cell, then the backend
    draws it again for the PNG. The plot functions skip the first draw (a whole figure's text
    layout and glyphs, thrown away); every draw left is one the shown image needs."""
    import nbformat
    from nbclient import NotebookClient

    count = (
        "from matplotlib.figure import Figure\n"
        "from matplotlib.backend_bases import FigureCanvasBase\n"
        "DRAWS = {'printing': 0, 'other': 0}\n"
        "_draw, _print = Figure.draw, FigureCanvasBase.print_figure\n"
        "def draw(self, renderer):\n"
        "    DRAWS['printing' if getattr(self, '_printing', False) else 'other'] += 1\n"
        "    return _draw(self, renderer)\n"
        "def print_figure(self, *args, **kwargs):\n"
        "    self.figure._printing = True\n"
        "    try:\n"
        "        return _print(self, *args, **kwargs)\n"
        "    finally:\n"
        "        self.figure._printing = False\n"
        "Figure.draw, FigureCanvasBase.print_figure = draw, print_figure\n"
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(count),
            nbformat.v4.new_code_cell("from helpers import load_case, plot_timeline\nfig = plot_timeline(load_case())"),
            nbformat.v4.new_code_cell("print(DRAWS['printing'], DRAWS['other'])"),
        ]
    )
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    shown = [o for o in notebook.cells[1].outputs if str(o.get("data", {}).get("text/html", "")).startswith("<img ")]
    printing, other = map(int, notebook.cells[2].outputs[0]["text"].split())
    assert len(shown) == 1 and printing >= 1
    assert other == 0, f"{other} draw(s) of the figure outside the one that makes its image"


def test_stance_matrix_marks_the_rows_that_rest_on_a_paraphrase(hootsuite):
    from helpers.claims import stance_matrix
    from helpers.plots import plot_stance_matrix
    from helpers.queries import paraphrased_statements

    matrix = stance_matrix(hootsuite)
    paraphrased = paraphrased_statements(hootsuite)
    fig = plot_stance_matrix(matrix, paraphrased=paraphrased)
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    marked = [sid for sid in matrix.index if sid in paraphrased]
    assert marked and all(f"{sid} (paraphrase)" in labels for sid in marked)
    assert all(label.endswith("(paraphrase)") == (label.split(" ")[0] in paraphrased) for label in labels)
    assert f"Rows known only through a reporter's paraphrase: {', '.join(marked)}." in fig.alt_text
    plain = plot_stance_matrix(matrix)
    assert not any("(paraphrase)" in tick.get_text() for tick in plain.axes[0].get_yticklabels())
