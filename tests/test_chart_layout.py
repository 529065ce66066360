"""Charts are laid out so nothing collides: line charts with one to six series (lines
that cross, values close together) print value labels whose boxes never overlap, a
legend is always outside the plot area, and ``x_label``/``y_label`` are drawn as the
axis labels, in the edition's language.

Everything is measured in matplotlib itself: the figure is drawn
(:func:`draw_figure`, the figure the renderer saves), then each text's window extent
and the legend's are compared with the axes' plot area. The numbers are made-up test
data.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from policybrief.figures.draw import draw_figure, only_fonts, spread
from policybrief.figures.render import render_figure
from policybrief.figures.spec import Figure
from policybrief.figures.style import HouseStyle
from tools import chart_project

SOURCE = "sources:\n  - key: smith-2015\n"
LABELS = ("x_label: {en: Year, es: Año}\n"
          "y_label: {en: Nurses per 1000 people, es: Enfermeras por 1000 habitantes}\n")
NAMES = ["North", "South", "East", "West", "Centre", "Islands"]
SPANISH = ["Norte", "Sur", "Este", "Oeste", "Centro", "Islas"]


def line_chart(columns: list[str], rows: list[list[str]], labels: str = LABELS) -> tuple[str, str]:
    series = ", ".join(f"{c}: {{en: {en}, es: {es}}}"
                       for c, en, es in zip(columns, NAMES, SPANISH, strict=False))
    spec = (f"kind: line\nx: year\ny: [{', '.join(columns)}]\nseries: {{{series}}}\n"
            "number: {pattern: '#,##0.0'}\n" + labels
            + "title: {en: Trend, es: Tendencia}\nalt: {en: Lines., es: Líneas.}\n" + SOURCE)
    data = "\n".join([",".join(["year", *columns]), *(",".join(r) for r in rows)]) + "\n"
    return spec, data


YEARS = [str(y) for y in range(2015, 2022)]
FIGURES = {
    "one": line_chart(["a"], [[y, v] for y, v in zip(
        YEARS, ["4.1", "4.3", "4.2", "4.4", "4.6", "4.5", "4.9"], strict=True)]),
    # two lines that cross twice and end on the same value
    "two": line_chart(["a", "b"], [[y, a, b] for y, a, b in zip(
        YEARS, ["3.0", "4.0", "5.0", "4.5", "4.0", "4.6", "5.2"],
        ["5.0", "4.2", "3.9", "4.5", "4.8", "4.7", "5.2"], strict=True)]),
    # four lines crossing, their last values a tenth apart
    "four": line_chart(["a", "b", "c", "d"], [[y, *v] for y, v in zip(YEARS, [
        ["12.0", "14.5", "9.0", "11.0"], ["13.1", "13.9", "10.2", "11.4"],
        ["13.8", "13.2", "11.9", "11.7"], ["14.2", "12.8", "12.6", "12.1"],
        ["14.9", "12.4", "13.5", "12.6"], ["15.3", "12.1", "14.8", "12.9"],
        ["15.6", "15.5", "15.4", "15.7"]], strict=True)]),
    # six lines (more than the palette's colours) ending within half a unit, two of them
    # on the same value, and one at the top of the scale
    "six": line_chart(["a", "b", "c", "d", "e", "f"], [[y, *v] for y, v in zip(YEARS, [
        ["20", "22", "24", "26", "28", "30"], ["24", "20", "28", "22", "30", "26"],
        ["28", "30", "20", "24", "22", "26"], ["26", "24", "22", "30", "20", "28"],
        ["22", "28", "26", "20", "24", "30"], ["30", "26", "24", "28", "26", "22"],
        ["25", "25.1", "25.2", "25.2", "25.4", "30.5"]], strict=True)]),
    # a line that stops early, ending where another one is
    "gap": line_chart(["a", "b", "c"], [[y, *v] for y, v in zip(YEARS, [
        ["1", "2", "3"], ["2", "2", "3"], ["3", "2", "3"], ["4", "2", "3"],
        ["5", "", "3"], ["6", "", "3.1"], ["7", "", "3"]], strict=True)]),
    # one line of 30 points: too many for a label on each
    "long": line_chart(["a"], [[str(1990 + i), f"{50 + (i * 7) % 11}.5"] for i in range(30)],
                       labels=""),
    "bars": ("kind: grouped-bar\nx: year\ny: [a, b, c]\n"
             "series: {a: {en: North, es: Norte}, b: {en: South, es: Sur}, "
             "c: {en: East, es: Este}}\n" + LABELS
             + "title: {en: Bars, es: Barras}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
             "year,a,b,c\n2019,10,12,11\n2020,14,13,15\n2021,16,18,17\n"),
    "stacked": ("kind: stacked-bar\nx: year\ny: [a, b]\n"
                "series: {a: {en: North, es: Norte}, b: {en: South, es: Sur}}\n" + LABELS
                + "title: {en: Bars, es: Barras}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                "year,a,b\n2019,10,12\n2020,14,13\n"),
    "across": ("kind: bar\norientation: horizontal\nx: {en: region_en, es: region_es}\n"
               "y: [a, b]\nseries: {a: {en: Public, es: Público}, b: {en: Private, "
               "es: Privado}}\n"
               "x_label: {en: Region, es: Región}\ny_label: {en: Beds, es: Camas}\n"
               "title: {en: Beds, es: Camas}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
               "region_en,region_es,a,b\nNorth,Norte,120,80\nSouth,Sur,90,110\n"),
    "ranges": ("kind: range\nx: who\ny: [low]\nhigh: high\nnumber: {unit: percent}\n"
               "x_label: {en: Group, es: Grupo}\ny_label: {en: Share, es: Proporción}\n"
               "title: {en: Shares, es: Partes}\nalt: {en: Ranges., es: Rangos.}\n" + SOURCE,
               "who,low,high\nA,10,25\nB,50,\n"),
}
LINES = {"one": 1, "two": 2, "four": 4, "six": 6, "gap": 3, "long": 1}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Figure], HouseStyle]:
    return chart_project(tmp_path_factory.mktemp("layout"), FIGURES)  # type: ignore[no-any-return]


class Drawn:
    """A chart drawn at its final size, with the boxes of what is on it (pixels)."""

    def __init__(self, project: tuple[dict[str, Figure], HouseStyle], figure_id: str,
                 lang: str) -> None:
        figures, style = project
        self.figure = figures[figure_id]
        self.fig = draw_figure(self.figure, style, lang)
        self.fig.canvas.draw()
        self.renderer = self.fig.canvas.get_renderer()
        (self.ax,) = self.fig.axes
        self.plot = self.ax.get_window_extent(self.renderer)

    def box(self, artist: Any) -> Any:
        return artist.get_window_extent(self.renderer)

    @property
    def value_labels(self) -> list[Any]:
        """The texts on the data: the axes' own texts (tick labels, axis labels and the
        legend's are the axes' parts, not among them)."""
        return [t for t in self.ax.texts if t.get_visible() and t.get_text()]

    def axis_label(self, axis: str) -> str:
        """An axis label's text when it is drawn, outside the plot area."""
        label = (self.ax.xaxis if axis == "x" else self.ax.yaxis).label
        if not (label.get_visible() and label.get_text()):
            return ""
        assert (self.ax.xaxis if axis == "x" else self.ax.yaxis).get_visible()
        box = self.box(label)
        assert box.width > 0 and box.height > 0
        assert not intersect(box, self.plot), f"the {axis} label is over the plot"
        assert inside(box, self.fig.bbox)
        return str(label.get_text())


def intersect(a: Any, b: Any) -> bool:
    """Whether two boxes share an area (touching edges do not count)."""
    return bool(min(a.x1, b.x1) - max(a.x0, b.x0) > 0.01
                and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.01)


def inside(box: Any, outer: Any) -> bool:
    return bool(box.x0 >= outer.x0 - 0.5 and box.x1 <= outer.x1 + 0.5
                and box.y0 >= outer.y0 - 0.5 and box.y1 <= outer.y1 + 0.5)


# ---------------------------------------------------------------------------
# Line charts
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("figure_id", list(LINES))
def test_value_labels_never_overlap(project: Any, figure_id: str, lang: str) -> None:
    drawn = Drawn(project, figure_id, lang)
    labels = drawn.value_labels
    assert labels
    boxes = [drawn.box(t) for t in labels]
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
        assert not intersect(box_a, box_b), (a.get_text(), b.get_text())
    for box in boxes:  # none cut off at the edge of the image
        assert inside(box, drawn.fig.bbox)
    legend = drawn.ax.get_legend()
    if legend is not None:
        assert not any(intersect(box, drawn.box(legend)) for box in boxes)


@pytest.mark.parametrize("figure_id", ["two", "four", "six", "gap"])
def test_several_lines_print_their_last_value_at_their_end(project: Any,
                                                          figure_id: str) -> None:
    drawn = Drawn(project, figure_id, "es")
    lines = drawn.ax.get_lines()
    assert len(lines) == LINES[figure_id]
    labels = drawn.value_labels
    assert len(labels) == len(lines)
    for line, label in zip(lines, labels, strict=True):
        x, y = line.get_xydata()[-1]
        end = drawn.ax.transData.transform((x, y))
        box = drawn.box(label)
        assert label.get_color() == line.get_color()
        assert label.get_text() == f"{y:.1f}".replace(".", ",")  # in Spanish
        assert box.x0 > end[0]  # right of the line's last point
        assert abs((box.y0 + box.y1) / 2 - end[1]) < 4 * box.height  # near its height
    # a value axis, since not every point is labelled
    assert drawn.ax.yaxis.get_visible() and any(
        t.get_text() for t in drawn.ax.get_yticklabels())


def test_lines_past_the_palette_differ_by_dash(project: Any) -> None:
    drawn = Drawn(project, "six", "en")
    lines = drawn.ax.get_lines()
    styles = [(line.get_color(), line.get_linestyle()) for line in lines]
    assert len(set(styles)) == 6
    legend = drawn.ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == NAMES


def test_one_short_line_labels_every_point_and_a_long_one_only_its_end(project: Any) -> None:
    one = Drawn(project, "one", "es")
    assert [t.get_text() for t in one.value_labels] == [
        "4,1", "4,3", "4,2", "4,4", "4,6", "4,5", "4,9"]
    assert one.ax.get_legend() is None
    long = Drawn(project, "long", "en")
    assert [t.get_text() for t in long.value_labels] == ["55.5"]
    ticks = [t.get_text() for t in long.ax.get_xticklabels() if t.get_text()]
    assert ticks[-1] == "2019" and 3 < len(ticks) < 30  # a year every few ticks
    boxes = [long.box(t) for t in long.ax.get_xticklabels() if t.get_text()]
    assert not any(intersect(a, b) for a, b in itertools.combinations(boxes, 2))


# ---------------------------------------------------------------------------
# Legends and axis labels, every kind
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("figure_id", ["two", "four", "six", "gap", "bars", "stacked",
                                       "across"])
def test_the_legend_is_outside_the_plot_area(project: Any, figure_id: str) -> None:
    for lang in ("en", "es"):
        drawn = Drawn(project, figure_id, lang)
        legend = drawn.ax.get_legend()
        assert legend is not None
        box = drawn.box(legend)
        assert not intersect(box, drawn.plot)
        assert inside(box, drawn.fig.bbox)


@pytest.mark.parametrize(("figure_id", "english", "spanish"), [
    ("one", ("Year", "Nurses per 1000 people"), ("Año", "Enfermeras por 1000 habitantes")),
    ("four", ("Year", "Nurses per 1000 people"), ("Año", "Enfermeras por 1000 habitantes")),
    ("six", ("Year", "Nurses per 1000 people"), ("Año", "Enfermeras por 1000 habitantes")),
    ("bars", ("Year", "Nurses per 1000 people"), ("Año", "Enfermeras por 1000 habitantes")),
    ("stacked", ("Year", "Nurses per 1000 people"), ("Año", "Enfermeras por 1000 habitantes")),
    # categories down the side: x_label names them, on the vertical axis
    ("across", ("Beds", "Region"), ("Camas", "Región")),
    ("ranges", ("Share", "Group"), ("Proporción", "Grupo")),
])
def test_axis_labels_are_drawn_in_the_editions_language(
        project: Any, figure_id: str, english: tuple[str, str],
        spanish: tuple[str, str]) -> None:
    for lang, (x, y) in (("en", english), ("es", spanish)):
        drawn = Drawn(project, figure_id, lang)
        assert (drawn.axis_label("x"), drawn.axis_label("y")) == (x, y)
        assert drawn.box(drawn.ax.yaxis.label).x1 <= drawn.plot.x0  # left of the plot
        assert drawn.box(drawn.ax.xaxis.label).y1 <= drawn.plot.y0  # below it


def test_no_axis_label_without_x_label_and_y_label(project: Any) -> None:
    drawn = Drawn(project, "long", "en")
    assert (drawn.axis_label("x"), drawn.axis_label("y")) == ("", "")


@pytest.mark.parametrize("figure_id", [*LINES, "bars", "stacked", "across", "ranges"])
def test_the_measured_figure_is_the_one_rendered(project: Any, figure_id: str,
                                                 tmp_path: Path) -> None:
    """draw_figure, measured here, draws what the build saves (same SVG)."""
    import io

    figures, style = project
    rendered = render_figure(figures[figure_id], style, "es", tmp_path)
    fig = draw_figure(figures[figure_id], style, "es")
    buffer = io.BytesIO()
    with only_fonts(style.font_files), matplotlib.rc_context(style.rc()):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    assert buffer.getvalue() == rendered.svg.read_bytes()


# ---------------------------------------------------------------------------
# Spreading labels apart
# ---------------------------------------------------------------------------

def separated(centres: list[float], heights: list[float], gap: float) -> bool:
    order = sorted(range(len(centres)), key=lambda i: centres[i])
    return all(centres[b] - centres[a] >= (heights[a] + heights[b]) / 2 + gap - 1e-9
               for a, b in itertools.pairwise(order))


def test_spread_leaves_apart_labels_where_they_are() -> None:
    assert spread([10, 50, 90], [10, 10, 10], 1, 0, 100) == [10, 50, 90]


def test_spread_pushes_close_labels_apart_around_their_anchors() -> None:
    centres = spread([50, 50], [10, 10], 2, 0, 100)
    assert centres == [44, 56]  # straddling the value
    anchors = [50.0, 51.0, 49.5, 52.0, 20.0]
    heights = [10.0, 12.0, 10.0, 10.0, 10.0]
    centres = spread(anchors, heights, 1, 0, 100)
    assert separated(centres, heights, 1)
    assert centres[4] == 20  # far from the others: not moved
    # the order of the values is kept
    assert sorted(range(4), key=lambda i: centres[i]) == sorted(range(4),
                                                                key=lambda i: anchors[i])


def test_spread_keeps_labels_within_bounds_when_they_fit() -> None:
    centres = spread([99, 99, 98], [10, 10, 10], 1, 0, 100)
    assert separated(centres, [10] * 3, 1)
    assert max(centres) + 5 <= 100 + 1e-9
    centres = spread([0, 1], [10, 10], 1, 0, 100)
    assert min(centres) - 5 >= -1e-9
    # too many to fit: centred on the bounds, still apart
    centres = spread([50] * 12, [10] * 12, 1, 0, 100)
    assert separated(centres, [10] * 12, 1)
    assert sum(centres) / 12 == pytest.approx(50)
