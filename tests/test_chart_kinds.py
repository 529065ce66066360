"""Every chart kind draws its data, in the edition's language: grouped, stacked and
line charts (and bars coloured by a column, overlaid bars, ranges, timelines).

The numbers here are made-up test data, small and easy to check. The SVGs are read
as matplotlib writes them with the theme's ``text_as: text`` (the labels stay text;
the editions draw the same glyphs as outlines): bars are the
filled rectangles of the axes, lines the stroked paths, the legend its own group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from lxml import etree

from policybrief.figures.render import render_figure
from policybrief.figures.spec import Figure
from policybrief.figures.style import HouseStyle
from tools import chart_project

SVG = "{http://www.w3.org/2000/svg}"
SOURCE = "sources:\n  - key: smith-2015\n"

BY_SEX = "year,women,men\n2019,1234,2345\n2020,31243,12000\n2021,8765,4567\n"
SERIES = ("series: {women: {en: Women, es: Mujeres}, men: {en: Men, es: Hombres}}\n"
          "number: {pattern: '#,##0'}\n"
          "x_label: {en: Year, es: Año}\n"
          "y_label: {en: Workers, es: Trabajadores}\n")

FIGURES = {
    "grouped": ("kind: grouped-bar\nx: year\ny: [women, men]\n" + SERIES
                + "title: {en: By sex, es: Por sexo}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                BY_SEX),
    "stacked": ("kind: stacked-bar\nx: year\ny: [women, men]\n" + SERIES
                + "title: {en: By sex, es: Por sexo}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                BY_SEX),
    "line": ("kind: line\nx: year\ny: [women, men]\n" + SERIES
             + "title: {en: Trend, es: Tendencia}\nalt: {en: Lines., es: Líneas.}\n" + SOURCE,
             # no count of women in 2021: the line stops, no point, no label
             "year,women,men\n2019,1234,2345\n2020,31243,12000\n2021,,4567\n"),
    "one-line": ("kind: line\nx: year\ny: [total]\nnumber: {pattern: '#,##0.0'}\n"
                 "title: {en: Total, es: Total}\nalt: {en: A line., es: Una línea.}\n" + SOURCE,
                 "year,total\n2019,1500.5\n2020,2500.25\n"),
    "two-bars": ("kind: bar\nx: year\ny: [women, men]\n" + SERIES
                 + "title: {en: By sex, es: Por sexo}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                 BY_SEX),
    "by-region": ("kind: bar\norientation: horizontal\nx: {en: country_en, es: country_es}\n"
                  "y: [usd]\ncolor_by: {en: region_en, es: region_es}\n"
                  "number: {unit: currency, currency: USD}\n"
                  "x_label: {en: Country, es: País}\ny_label: {en: Dollars, es: Dólares}\n"
                  "title: {en: Pay, es: Pago}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                  "country_en,country_es,region_en,region_es,usd\n"
                  "Namibia,Namibia,Africa,África,3000\n"
                  "Saudi Arabia,Arabia Saudita,Asia,Asia,25000\n"
                  "Qatar,Catar,Asia,Asia,18000\n"),
    "overlay": ("kind: bar\nx: year\ny: [workers, doctors]\noverlay: true\n"
                "series: {workers: {en: Workers, es: Trabajadores}, "
                "doctors: {en: of them doctors, es: de ellos médicos}}\n"
                "title: {en: Staff, es: Personal}\nalt: {en: Bars., es: Barras.}\n" + SOURCE,
                "year,workers,doctors\n2019,40000,12000\n2020,30000,15000\n"),
    "fees": ("kind: range\nx: {en: who_en, es: who_es}\ny: [low]\nhigh: high\n"
             "labels: {en: note_en, es: note_es}\nnumber: {unit: percent, pattern: '#,##0.#'}\n"
             "title: {en: Fees, es: Tasas}\nalt: {en: Ranges., es: Rangos.}\n" + SOURCE,
             "who_en,who_es,low,high,note_en,note_es\n"
             "Doctors,Médicos,10.5,25,,\n"
             "Nurses,Enfermeras,50,,,\n"
             "Drivers,Conductores,60,75,about two thirds,unos dos tercios\n"
             "Pilots,Pilotos,,,,\n"),  # no figure: a row, but nothing drawn
    "events": ("kind: timeline\nx: when\ny: [order]\nlabels: {en: what_en, es: what_es}\n"
               "title: {en: Events, es: Hechos}\nalt: {en: A timeline., es: Una cronología.}\n"
               + SOURCE,
               "when,order,what_en,what_es\n"
               "2003,2,Second mission,Segunda misión\n"
               "1998,1,First mission,Primera misión\n"
               "2013,3,Third mission,Tercera misión\n"
               "2020,4,Last mission,Última misión\n"),
}


@dataclass
class Charts:
    figures: dict[str, Figure]
    style: HouseStyle
    cache: Path

    def svg(self, figure_id: str, lang: str) -> etree._ElementTree:
        drawn = render_figure(self.figures[figure_id], self.style, lang, self.cache)
        assert drawn.png.read_bytes().startswith(b"\x89PNG")
        return etree.parse(str(drawn.svg))


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> Charts:
    root = tmp_path_factory.mktemp("charts")
    figures, style = chart_project(root, FIGURES)
    # the labels read as text (the editions draw them as outlines of the same glyphs)
    return Charts(figures, replace(style, text_as="text"), root / "cache")


# ---------------------------------------------------------------------------
# Reading the SVG
# ---------------------------------------------------------------------------

def group(tree: etree._ElementTree, ident: str) -> etree._Element | None:
    found = tree.xpath(f'//*[@id="{ident}"]')
    return found[0] if found else None


def texts(element: etree._Element | etree._ElementTree) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text") if t.text]


def legend(tree: etree._ElementTree) -> list[str]:
    box = group(tree, "legend_1")
    return texts(box) if box is not None else []


def fill(element: etree._Element) -> str:
    match = re.search(r"fill: (#[0-9a-f]{6})", element.get("style") or "")
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Box:
    left: float
    right: float
    top: float  # SVG y grows downwards: top < bottom
    bottom: float
    color: str

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def coordinates(path: etree._Element) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d") or "")]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def bars(tree: etree._ElementTree, palette: list[str]) -> list[Box]:
    """The filled rectangles of the plot in a palette colour, in drawing order (the
    legend's keys excluded)."""
    colors = {c.lower() for c in palette}
    axes = group(tree, "axes_1")
    assert axes is not None
    found = []
    for patch in axes.xpath('./*[starts-with(@id, "patch_")]/*[local-name()="path"]'):
        if fill(patch) in colors:
            xs, ys = zip(*coordinates(patch), strict=True)
            found.append(Box(min(xs), max(xs), min(ys), max(ys), fill(patch)))
    return found


def value_labels(tree: etree._ElementTree) -> list[etree._Element]:
    """The axes' text elements that are not tick or axis labels nor the legend."""
    axes = group(tree, "axes_1")
    assert axes is not None
    return [t for g in axes.xpath('./*[starts-with(@id, "text_")]')
            for t in g.iter(f"{SVG}text")]


def axis_labels(tree: etree._ElementTree, tick: str) -> list[str]:
    """The label of the axis whose tick labels include ``tick`` (a text directly in
    the axis group, not in a tick's group)."""
    for axis in tree.xpath('//*[starts-with(@id, "matplotlib.axis_")]'):
        ticks = [t for g in axis.xpath('./*[contains(@id, "tick_")]') for t in texts(g)]
        if tick in ticks:
            return [t for g in axis.xpath('./*[starts-with(@id, "text_")]') for t in texts(g)]
    raise AssertionError(f"no axis has the tick label {tick!r}")


def close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


# ---------------------------------------------------------------------------
# Grouped, stacked, line
# ---------------------------------------------------------------------------

def test_grouped_bars_stand_side_by_side_in_spanish(charts: Charts) -> None:
    tree = charts.svg("grouped", "es")
    palette = [c.lower() for c in charts.style.palette]
    drawn = bars(tree, palette)
    assert [b.color for b in drawn] == [palette[0]] * 3 + [palette[1]] * 3
    women, men = drawn[:3], drawn[3:]
    for w, m in zip(women, men, strict=True):
        assert close(w.right, m.left)  # side by side, the series in order
        assert close(w.width, m.width)
        assert close(w.bottom, m.bottom)  # on the same baseline
    assert women[0].right < women[1].left < women[2].left  # the years in order
    # heights in proportion to the values
    assert women[1].height / women[0].height == pytest.approx(31243 / 1234, rel=1e-3)
    assert men[1].height / women[1].height == pytest.approx(12000 / 31243, rel=1e-3)
    labels = texts(tree)
    assert [t.text for t in value_labels(tree)] == [
        "1.234", "31.243", "8.765", "2.345", "12.000", "4.567"]
    assert "31,243" not in labels and "1,234" not in labels
    assert legend(tree) == ["Mujeres", "Hombres"]
    assert axis_labels(tree, "2019") == ["Año"]
    assert labels[:3] == ["2019", "2020", "2021"]


def test_grouped_bars_in_english(charts: Charts) -> None:
    tree = charts.svg("grouped", "en")
    assert [t.text for t in value_labels(tree)] == [
        "1,234", "31,243", "8,765", "2,345", "12,000", "4,567"]
    assert legend(tree) == ["Women", "Men"]
    assert axis_labels(tree, "2019") == ["Year"]


def test_a_bar_chart_of_two_columns_is_grouped(charts: Charts) -> None:
    palette = [c.lower() for c in charts.style.palette]
    assert bars(charts.svg("two-bars", "es"), palette) == bars(charts.svg("grouped", "es"),
                                                                 palette)


def test_stacked_bars_sit_on_each_other(charts: Charts) -> None:
    tree = charts.svg("stacked", "es")
    palette = [c.lower() for c in charts.style.palette]
    drawn = bars(tree, palette)
    assert [b.color for b in drawn] == [palette[0]] * 3 + [palette[1]] * 3
    women, men = drawn[:3], drawn[3:]
    for w, m in zip(women, men, strict=True):
        assert close(w.left, m.left) and close(w.right, m.right)  # one column
        assert close(m.bottom, w.top)  # the men's part starts where the women's ends
    totals = [1234 + 2345, 31243 + 12000, 8765 + 4567]
    stacks = [w.height + m.height for w, m in zip(women, men, strict=True)]
    assert stacks[1] / stacks[0] == pytest.approx(totals[1] / totals[0], rel=1e-3)
    assert stacks[2] / stacks[0] == pytest.approx(totals[2] / totals[0], rel=1e-3)
    labels = value_labels(tree)
    assert [t.text for t in labels] == ["1.234", "31.243", "8.765", "2.345", "12.000", "4.567"]
    assert all(fill(t) == "#ffffff" for t in labels)  # set inside the bars, in white
    assert legend(tree) == ["Mujeres", "Hombres"]
    # the tallest stack fits in the plot
    axes_box = group(tree, "patch_2")
    assert axes_box is not None
    _xs, ys = zip(*coordinates(axes_box[0]), strict=True)
    assert min(ys) < men[1].top


def test_line_chart_draws_each_series_and_skips_missing_values(charts: Charts) -> None:
    tree = charts.svg("line", "es")
    palette = [c.lower() for c in charts.style.palette]
    axes = group(tree, "axes_1")
    assert axes is not None
    lines = axes.xpath('./*[starts-with(@id, "line2d_")]')
    strokes = [re.search(r"stroke: (#[0-9a-f]{6})", line[0].get("style")).group(1)
               for line in lines]
    assert strokes == palette[:2]
    women, men = (coordinates(line[0]) for line in lines)
    assert len(women) == 2 and len(men) == 3  # no point for the missing count
    assert [len(line.findall(f".//{SVG}use")) for line in lines] == [2, 3]  # markers
    assert women[1][1] < women[0][1]  # 31,243 drawn above 1,234 (SVG y grows down)
    assert close(women[0][0], men[0][0]) and close(women[1][0], men[1][0])  # same years
    # Two series: a value axis, its ticks in Spanish, and each line's last value at
    # its end in the line's colour (the women's line ends in 2020)
    labels = texts(tree)
    assert "10.000" in labels and "10,000" not in labels
    assert axis_labels(tree, "10.000") == ["Trabajadores"]
    ends = value_labels(tree)
    assert [(t.text, fill(t)) for t in ends] == [("31.243", palette[0]), ("4.567", palette[1])]
    assert legend(tree) == ["Mujeres", "Hombres"]
    assert axis_labels(tree, "2019") == ["Año"]


def test_a_single_line_has_no_legend_and_keeps_decimals(charts: Charts) -> None:
    """A single short series: every point's value above it, no legend."""
    spanish = charts.svg("one-line", "es")
    assert group(spanish, "legend_1") is None
    assert [t.text for t in value_labels(spanish)] == ["1.500,5", "2.500,2"]
    english = charts.svg("one-line", "en")
    assert [t.text for t in value_labels(english)] == ["1,500.5", "2,500.2"]


def test_the_value_axis_label_is_drawn(charts: Charts) -> None:
    """figure.yml's ``y_label`` ("axis label for values", README) shows in the chart,
    in the edition's language, also where the value axis itself is hidden (bars
    printing their values)."""
    missing = []
    for figure_id in ("grouped", "stacked", "line", "two-bars"):
        labels = texts(charts.svg(figure_id, "es"))
        assert "Año" in labels
        if "Trabajadores" not in labels:
            missing.append(figure_id)
    assert missing == [], f"y_label not drawn in: {', '.join(missing)}"


# ---------------------------------------------------------------------------
# Bars coloured by a column, overlaid bars
# ---------------------------------------------------------------------------

def test_bars_coloured_by_a_column_get_a_legend_of_its_values(charts: Charts) -> None:
    tree = charts.svg("by-region", "es")
    palette = [c.lower() for c in charts.style.palette]
    drawn = bars(tree, palette)
    assert [b.color for b in drawn] == [palette[0], palette[1], palette[1]]  # África, Asia
    assert all(close(b.left, drawn[0].left) for b in drawn)  # horizontal, from one axis
    assert drawn[1].width / drawn[0].width == pytest.approx(25000 / 3000, rel=1e-3)
    assert drawn[0].top < drawn[1].top < drawn[2].top  # first row on top
    assert legend(tree) == ["África", "Asia"]
    assert [t.text for t in value_labels(tree)] == ["3.000\xa0US$", "25.000\xa0US$",
                                                    "18.000\xa0US$"]
    assert "Arabia Saudita" in texts(tree) and "Saudi Arabia" not in texts(tree)
    english = charts.svg("by-region", "en")
    assert legend(english) == ["Africa", "Asia"]
    assert [t.text for t in value_labels(english)] == ["$3,000", "$25,000", "$18,000"]


def test_horizontal_bars_label_the_category_axis_with_x_label(charts: Charts) -> None:
    """``x_label`` is the label of the categories (README: "axis label for
    categories"), which horizontal bars list down the vertical axis; ``y_label``
    names the values. Setting them on matplotlib's x and y axes whatever the
    orientation puts the values' label beside the countries."""
    tree = charts.svg("by-region", "es")
    assert axis_labels(tree, "Namibia") == ["País"]
    assert "Dólares" in texts(tree)


def test_overlaid_bars_are_drawn_inside_the_first(charts: Charts) -> None:
    tree = charts.svg("overlay", "en")
    palette = [c.lower() for c in charts.style.palette]
    drawn = bars(tree, palette)
    outer, inner = drawn[:2], drawn[2:]
    assert [b.color for b in outer] == [palette[0]] * 2
    assert [b.color for b in inner] == [palette[1]] * 2
    for o, i in zip(outer, inner, strict=True):
        assert o.left < i.left and i.right < o.right  # narrower, inside
        assert i.width / o.width == pytest.approx(0.55, rel=1e-3)
        assert close(o.bottom, i.bottom)  # from the same baseline, not stacked
        assert i.height < o.height
    assert inner[1].height / outer[1].height == pytest.approx(15000 / 30000, rel=1e-3)
    labels = value_labels(tree)
    assert [t.text for t in labels] == ["40,000", "30,000", "12,000", "15,000"]
    assert [fill(t) == "#ffffff" for t in labels] == [False, False, True, True]
    assert legend(tree) == ["Workers", "of them doctors"]


# ---------------------------------------------------------------------------
# Ranges and timelines
# ---------------------------------------------------------------------------

def test_range_chart_prints_ranges_points_and_notes_in_spanish(charts: Charts) -> None:
    tree = charts.svg("fees", "es")
    labels = texts(tree)
    # a range without a note prints its bounds, a point its value, a note itself
    assert "10,5\xa0%–25\xa0%" in labels
    assert "50\xa0%" in labels
    assert "unos dos tercios" in labels and "about two thirds" not in labels
    # a percent axis runs from 0 to 100, its ticks formatted like the values; then the
    # rows, first on top
    assert labels[:10] == ["0\xa0%", "20\xa0%", "40\xa0%", "60\xa0%", "80\xa0%", "100\xa0%",
                           "Médicos", "Enfermeras", "Conductores", "Pilotos"]
    assert len(labels) == 13  # ticks, rows, and one label for each row with a value
    axes = group(tree, "axes_1")
    assert axes is not None
    marks = axes.xpath('./*[starts-with(@id, "line2d_")]')
    assert len(marks) == 3  # two ranges and a point; nothing for the empty row


def test_timeline_lists_events_in_order_and_grows_with_them(charts: Charts) -> None:
    tree = charts.svg("events", "es")
    labels = texts(tree)
    assert labels == ["1998", "Primera misión", "2003", "Segunda misión",
                      "2013", "Tercera misión", "2020", "Última misión"]
    height = float(tree.getroot().get("height").removesuffix("pt"))
    assert height == pytest.approx((0.36 * 4 + 0.3) * 72, rel=1e-3)


def test_drawing_is_deterministic(charts: Charts, tmp_path: Path) -> None:
    again = render_figure(charts.figures["stacked"], charts.style, "es", tmp_path, force=True)
    first = render_figure(charts.figures["stacked"], charts.style, "es", charts.cache)
    assert not first.redrawn
    assert again.svg.read_bytes() == first.svg.read_bytes()
    assert again.png.read_bytes() == first.png.read_bytes()


# ---------------------------------------------------------------------------
# Right to left
# ---------------------------------------------------------------------------

RTL_FIGURES = {
    "fees": ("kind: range\nx: {en: who_en, ar: who_ar}\ny: [low]\nhigh: high\n"
             "number: {unit: currency, currency: USD}\n"
             "title: {en: Fees, ar: الرسوم}\nalt: {en: Ranges., ar: نطاقات.}\n" + SOURCE,
             "who_en,who_ar,low,high\nDoctors,الأطباء,1000,2500\nNurses,الممرضات,500,\n"),
    "events": ("kind: timeline\nx: when\ny: [order]\nlabels: {en: what_en, ar: what_ar}\n"
               "title: {en: Events, ar: الأحداث}\nalt: {en: A timeline., ar: تسلسل زمني.}\n"
               + SOURCE,
               "when,order,what_en,what_ar\n1998,1,First mission,البعثة الأولى\n"
               "2003,2,Second mission,البعثة الثانية\n"),
}


def _x(text: etree._Element) -> float:
    """Where a text element's anchor stands (matplotlib writes x, or a translate)."""
    if text.get("x") is not None:
        return float(text.get("x"))
    match = re.search(r"translate\(([-\d.]+)", text.get("transform") or "")
    assert match, etree.tostring(text)
    return float(match.group(1))


def _anchor(text: etree._Element) -> str:
    match = re.search(r"text-anchor: (\w+)", text.get("style") or "")
    return match.group(1) if match else "start"


@pytest.fixture(scope="module")
def arabic_charts(tmp_path_factory: pytest.TempPathFactory) -> Charts:
    from policybrief.figures.spec import load_figures
    from policybrief.figures.style import load_style
    from policybrief.theme import load_theme

    root = tmp_path_factory.mktemp("rtl")
    for figure_id, (spec, data) in RTL_FIGURES.items():
        (root / "figures" / figure_id).mkdir(parents=True)
        (root / "figures" / figure_id / "figure.yml").write_text(spec, encoding="utf-8")
        (root / "figures" / figure_id / "data.csv").write_text(data, encoding="utf-8")
    style = load_style(load_theme("default", Path(__file__).parent / "roots" / "basic"), "ar")
    return Charts(load_figures(root, ["en", "ar"]), replace(style, text_as="text"),
                  root / "cache")


def test_arabic_range_charts_read_from_the_right(arabic_charts: Charts) -> None:
    """Rows named on the right, values growing leftwards, each range's amounts at its
    left end, written leftwards."""
    tree = arabic_charts.svg("fees", "ar")
    found = {" ".join((t.text or "").replace("\u200f", "").split()): t
             for t in tree.iter(f"{SVG}text")}
    doctors = found["الأطباء"]
    amount = next(t for text, t in found.items() if "–" in text and "2,500" in text)
    bounds = [_x(t) for t in found.values()]
    assert _x(doctors) >= max(bounds) - 1  # the rows' names are the rightmost texts
    assert _anchor(amount) == "end"  # written leftwards from the range's end
    zero = next(t for text, t in found.items() if text.startswith("0"))
    thousand = next(t for text, t in found.items() if text.startswith("1,000") and "–" not in text)
    assert _x(zero) > _x(thousand)  # the value axis grows to the left
    from policybrief.figures.style import load_style
    from policybrief.theme import load_theme

    style = load_style(load_theme("default", Path(__file__).parent / "roots" / "basic"), "en")
    english = replace(arabic_charts, style=replace(style, text_as="text"))
    labels = {(t.text or "").strip() for t in english.svg("fees", "en").iter(f"{SVG}text")}
    assert "$1,000–$2,500" in labels  # two amounts, not TeX between the dollar signs


def test_arabic_timelines_put_the_date_on_the_right(arabic_charts: Charts) -> None:
    tree = arabic_charts.svg("events", "ar")
    found = {(t.text or "").strip(): t for t in tree.iter(f"{SVG}text")}
    assert _x(found["1998"]) > _x(found["البعثة الأولى"])
    assert _anchor(found["1998"]) == "start" and _anchor(found["البعثة الأولى"]) == "end"
    english = {(t.text or "").strip(): t for t in arabic_charts.svg("events", "en").iter(
        f"{SVG}text")}
    assert _x(english["1998"]) < _x(english["First mission"])


def test_a_language_that_names_its_currency_writes_the_name_once() -> None:
    """``currency_display: name`` (Chinese): '3,000美元'; a range names it once, an
    axis of bare numbers names it in its label."""
    from policybrief.figures.localize import Localizer
    from policybrief.figures.spec import NumberFormat

    dollars = NumberFormat(unit="currency", currency="USD")
    chinese = Localizer("zh", dollars, "name")
    assert chinese.value(3000) == "3,000美元"
    assert chinese.span(1000, 2500) == "1,000–2,500美元"
    assert chinese.tick(1000) == "1,000" and chinese.unit() == "美元"
    english = Localizer("en", dollars)
    assert english.value(3000) == "$3,000" and english.span(1000, 2500) == "$1,000–$2,500"
    assert english.tick(1000) == "$1,000" and english.unit() == ""
