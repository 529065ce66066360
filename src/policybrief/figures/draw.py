"""One drawing function per chart kind, all in the house style.

Each takes the matplotlib figure and axes, the :class:`Figure` (spec and data) and
what is needed to localise it; none reads files or knows about editions.
"""

from __future__ import annotations

import logging
import math
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from policybrief.figures.localize import Localizer
from policybrief.figures.spec import Figure
from policybrief.figures.style import HouseStyle
from policybrief.fonts import is_rtl


@dataclass(frozen=True)
class Draw:
    figure: Figure
    lang: str
    style: HouseStyle
    loc: Localizer

    def text(self, value: Any) -> str:
        return self.figure.text(value, self.lang)

    def column(self, value: Any) -> list[str]:
        """A text column, in this language when the spec maps languages to columns."""
        name = self.text(value)
        return [row[name] for row in self.figure.table.rows]

    def series_name(self, column: str) -> str:
        value = self.figure.spec.series.get(column)
        return self.text(value) if value else column


def _wrap(labels: list[str], width: int) -> list[str]:
    return [textwrap.fill(label, width) for label in labels]


def _legend(fig: Any, ax: Any, handles: list[Any], names: list[str]) -> None:
    """The legend above the plot, outside it, so never over the data: two keys a row, three
    when there are more than four."""
    ax.legend(handles, names, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0),
              ncols=min(len(names), 2 if len(names) <= 4 else 3), borderaxespad=0.2)


# A line chart with more points than this has small markers and no label per point.
_MAX_MARKED_POINTS = 12
# With more series than colours, each round of the palette gets its own dash and marker.
_DASHES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D")


def _axis_labels(ax: Any, d: Draw, categories: str) -> None:
    """``x_label`` names the categories and ``y_label`` the values, on whichever axis
    shows them (``categories`` is "y" for horizontal bars and range charts); without a
    ``y_label``, a value axis whose ticks are bare numbers names their currency."""
    spec = d.figure.spec
    category_axis, value_axis = (ax.xaxis, ax.yaxis) if categories == "x" else (ax.yaxis,
                                                                               ax.xaxis)
    if spec.x_label:
        category_axis.set_label_text(d.text(spec.x_label))
    if spec.y_label:
        value_axis.set_label_text(d.text(spec.y_label))
    elif d.loc.unit() and value_axis.get_visible() and not value_axis.get_label_text():
        # ticks of bare numbers: the axis names the unit (unless custom code named it)
        value_axis.set_label_text(d.loc.unit())


def _hide_value_axis(ax: Any, d: Draw, which: str) -> None:
    """No ticks, tick labels or spine for a value axis whose values are printed on the
    data; the axis itself stays when it has a label (``y_label``) to show."""
    ax.spines["left" if which == "y" else "bottom"].set_visible(False)
    if not d.figure.spec.y_label:
        (ax.yaxis if which == "y" else ax.xaxis).set_visible(False)
    elif which == "y":
        ax.tick_params(axis="y", which="both", left=False, labelleft=False)
    else:
        ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)


def _renderer(fig: Any) -> Any:
    return fig.canvas.get_renderer()


def _text_width(renderer: Any, text: str, size: float) -> float:
    """The width of ``text`` in display pixels."""
    from matplotlib.font_manager import FontProperties

    width, _height, _descent = renderer.get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False)
    return float(width)


def _unit_width(ax: Any, count: int) -> float:
    """Display pixels between two neighbouring categories on the x axis, before the
    final layout (which, from matplotlib's default margins, mostly widens the plot;
    callers keep a tenth in hand)."""
    if count < 2:
        return float(ax.bbox.width)
    margin = ax.margins()[0]
    return float(ax.bbox.width / ((count - 1) * (1 + 2 * margin)))


def _category_ticks(fig: Any, ax: Any, positions: list[int], categories: list[str]) -> None:
    """A tick per category; when the names would run into each other, a name every
    few ticks, always the last one."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    renderer = _renderer(fig)
    points = FontProperties(size=matplotlib.rcParams["xtick.labelsize"]).get_size_in_points()
    widest = max((_text_width(renderer, c, points) for c in categories), default=0.0)
    room = _unit_width(ax, len(positions)) * 0.9
    step = max(1, math.ceil((widest + renderer.points_to_pixels(6)) / room)) if room else 1
    ax.set_xticks(positions, [c if (len(positions) - 1 - p) % step == 0 else ""
                              for p, c in zip(positions, categories, strict=True)])


def _point_labels_fit(fig: Any, ax: Any, count: int, texts: list[str],
                      points: list[tuple[int, float]], size: float) -> bool:
    """Whether a label centred above every point leaves space between neighbours."""
    if len(points) > _MAX_MARKED_POINTS:
        return False
    renderer = _renderer(fig)
    gap = renderer.points_to_pixels(4)
    unit = _unit_width(ax, count)
    widths = [_text_width(renderer, text, size) for text in texts]
    return all((b[0] - a[0]) * unit * 0.9 >= (wa + wb) / 2 + gap
               for (a, b), (wa, wb) in zip(pairwise(points), pairwise(widths), strict=True))


def spread(anchors: list[float], heights: list[float], gap: float, low: float,
           high: float) -> list[float]:
    """Centres for labels of the given heights, each as near its anchor as can be,
    with at least ``gap`` between neighbours, and within ``low``..``high`` when they fit.

    Labels in order of their anchors form clusters; a cluster that runs into the one
    below joins it, and a cluster sits where its labels are, on average, nearest their
    anchors (so two labels on the same value straddle it).
    """
    def offsets(members: list[int]) -> list[float]:
        out = [0.0]
        for below, above in pairwise(members):
            out.append(out[-1] + (heights[below] + heights[above]) / 2 + gap)
        return out

    def place(members: list[int]) -> float:
        steps = offsets(members)
        base = sum(anchors[m] - o for m, o in zip(members, steps, strict=True)) / len(members)
        bottom = base - heights[members[0]] / 2
        top = base + steps[-1] + heights[members[-1]] / 2
        if top - bottom > high - low:
            return base + (low + high) / 2 - (bottom + top) / 2
        if top > high:
            return base - (top - high)
        if bottom < low:
            return base + (low - bottom)
        return base

    clusters: list[list[int]] = []
    bases: list[float] = []
    for index in sorted(range(len(anchors)), key=lambda i: anchors[i]):
        clusters.append([index])
        bases.append(place([index]))
        while len(clusters) > 1:
            below, above = clusters[-2], clusters[-1]
            ceiling = bases[-2] + offsets(below)[-1] + heights[below[-1]] / 2
            floor = bases[-1] - heights[above[0]] / 2
            if floor - ceiling >= gap:
                break
            clusters[-2:] = [below + above]
            bases[-2:] = [place(clusters[-1])]
    centres = [0.0] * len(anchors)
    for members, base in zip(clusters, bases, strict=True):
        for member, offset in zip(members, offsets(members), strict=True):
            centres[member] = base + offset
    return centres


class _EndLabels:
    """The value at the end of each line, placed whenever the chart is laid out or
    drawn (so at its final size and resolution): just right of the line's last point,
    at its height, pushed apart vertically where two labels would overlap, and kept
    within the height of the plot when they fit."""

    PAD = 5.0  # points between a line's last point and its label
    GAP = 1.0  # points between two labels

    def __init__(self, ax: Any) -> None:
        self.ax = ax
        self.labels: list[Any] = []

    def add(self, text: str, point: tuple[int, float], color: str, size: float) -> None:
        index = len(self.labels)
        self.labels.append(self.ax.annotate(
            text, point, xytext=(0, 0), textcoords=lambda r: self._at(index, r),
            ha="left", va="center", color=color, fontsize=size, annotation_clip=False))

    def _at(self, index: int, renderer: Any) -> Any:
        from matplotlib.transforms import Affine2D

        x, y = self.layout(renderer)[index]
        return Affine2D().translate(x, y)

    def layout(self, renderer: Any) -> list[tuple[float, float]]:
        """Each label's left end and vertical centre, in display pixels."""
        from matplotlib.text import Text

        pad = renderer.points_to_pixels(self.PAD)
        gap = renderer.points_to_pixels(self.GAP)
        boxes = []  # left, anchor, width, height
        for label in self.labels:
            x, y = self.ax.transData.transform(label.xy)
            extent = Text.get_window_extent(label, renderer)  # its size; not its place
            boxes.append((float(x) + pad, float(y), extent.width, extent.height))
        # labels whose columns overlap (lines ending at the same or near categories) are
        # stacked together
        groups: list[list[int]] = []
        right = -math.inf
        for index in sorted(range(len(boxes)), key=lambda i: boxes[i][0]):
            left, _anchor, width, _height = boxes[index]
            if groups and left < right + gap:
                groups[-1].append(index)
                right = max(right, left + width)
            else:
                groups.append([index])
                right = left + width
        placed = [(left, anchor) for left, anchor, _w, _h in boxes]
        bounds = self.ax.bbox
        for group in groups:
            centres = spread([boxes[i][1] for i in group], [boxes[i][3] for i in group],
                             gap, bounds.y0, bounds.y1)
            for index, centre in zip(group, centres, strict=True):
                placed[index] = (boxes[index][0], centre)
        return placed


_BIDI_MARKS = {0x200E: None, 0x200F: None, 0x061C: None}


def _bars(fig: Any, ax: Any, d: Draw, mode: str) -> None:
    spec = d.figure.spec
    horizontal = spec.orientation == "horizontal"
    categories = _wrap(d.column(spec.x), 30 if horizontal else 16)
    count = len(spec.y)
    positions = list(range(len(categories)))
    grouped = mode == "grouped" and not spec.overlay
    width = 0.8 / count if grouped else 0.65
    groups = d.column(spec.color_by) if spec.color_by else []
    group_names = list(dict.fromkeys(g for g in groups if g))
    bottoms = [0.0] * len(categories)
    peak = 0.0
    handles, names = [], []
    for index, column in enumerate(spec.y):
        values = d.figure.numbers(column)
        shown = [v or 0.0 for v in values]
        offsets = ([p - 0.4 + width * (index + 0.5) for p in positions] if grouped
                   else positions)
        size = width * (0.55 if spec.overlay and index else 1.0)
        if groups:
            colors = [d.style.palette[group_names.index(g) % len(d.style.palette)] if g
                      else d.style.palette[0] for g in groups]
        else:
            colors = [d.style.palette[index % len(d.style.palette)]] * len(values)
        base = bottoms if mode == "stacked" else [0.0] * len(categories)
        draw_bar = ax.barh if horizontal else ax.bar
        extent = {"height" if horizontal else "width": size,
                  "left" if horizontal else "bottom": base}
        bars = draw_bar(offsets, shown, color=colors, **extent)
        # CLDR's right-to-left marks order a number within running text; a label stands
        # alone, and a mark would turn its alignment around
        labels = [d.loc.value(v).translate(_BIDI_MARKS) if v is not None else ""
                  for v in values]
        inside = mode == "stacked" or (spec.overlay and index > 0)
        texts = ax.bar_label(bars, labels=labels, label_type="center" if inside else "edge",
                             padding=0 if inside else 3, fontsize=d.style.font_size - 0.5,
                             color="white" if inside else d.style.ink)
        if horizontal and not inside and is_rtl(d.lang):  # bars grow left: labels beyond
            for text in texts:
                text.set_horizontalalignment("right")
                text.xyann = (-3, text.xyann[1])
        if not groups:
            handles.append(bars)
            names.append(d.series_name(column))
        bottoms = [b + s for b, s in zip(bottoms, shown, strict=True)]
        peak = max([peak, *(bottoms if mode == "stacked" else shown)])
    if groups:
        from matplotlib.patches import Patch

        handles = [Patch(color=d.style.palette[i % len(d.style.palette)])
                   for i in range(len(group_names))]
        names = group_names
    if horizontal:
        ax.set_yticks(positions, categories)
        ax.invert_yaxis()
        ax.set_xlim(0, peak * 1.2 or 1)
        _hide_value_axis(ax, d, "x")
        ax.tick_params(axis="y", length=0)
        if is_rtl(d.lang):  # read from the right: categories there, bars growing left
            ax.invert_xaxis()
            ax.yaxis.tick_right()
            ax.yaxis.set_label_position("right")
            ax.spines["left"].set_visible(False)
            ax.spines["right"].set_visible(True)
    else:
        ax.set_xticks(positions, categories)
        ax.set_ylim(0, peak * 1.15 or 1)
        _hide_value_axis(ax, d, "y")
        ax.tick_params(axis="x", length=0)
    _axis_labels(ax, d, categories="y" if horizontal else "x")
    if len(names) > 1:
        _legend(fig, ax, handles, names)


def bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "grouped" if len(d.figure.spec.y) > 1 else "single")


def grouped_bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "grouped")


def stacked_bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "stacked")


def line(fig: Any, ax: Any, d: Draw) -> None:
    """One line per numeric column, the categories evenly spaced along the x axis.

    A single short series prints the value of every point above it, without a value
    axis (as long as no two of those labels would touch). Otherwise the chart gets a
    value axis with light grid lines, and each line prints only its last value, at its
    end, in its colour; the end labels are pushed apart vertically so that no two
    overlap however close the values are (see :class:`_EndLabels`).
    """
    spec = d.figure.spec
    palette = d.style.palette
    categories = d.column(spec.x)
    positions = list(range(len(categories)))
    size = d.style.font_size - 0.5
    dense = len(positions) > _MAX_MARKED_POINTS
    lines: list[tuple[Any, list[tuple[int, float]]]] = []
    for index, column in enumerate(spec.y):
        values = d.figure.numbers(column)
        points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        color = palette[index % len(palette)]
        # past the palette, colours come round again with another dash and marker
        turn = index // len(palette)
        (handle,) = ax.plot([p for p, _ in points], [v for _, v in points],
                            color=color, linestyle=_DASHES[turn % len(_DASHES)],
                            marker=_MARKERS[turn % len(_MARKERS)],
                            markersize=3.5 if dense else 6, label=d.series_name(column))
        lines.append((handle, points))
    _category_ticks(fig, ax, positions, categories)
    texts = [[d.loc.value(v) for _, v in points] for _, points in lines]
    if len(lines) == 1 and _point_labels_fit(fig, ax, len(positions), texts[0], lines[0][1],
                                                    size):
        for (p, v), text in zip(lines[0][1], texts[0], strict=True):
            ax.annotate(text, (p, v), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=size)
        _hide_value_axis(ax, d, "y")
    else:
        ax.yaxis.set_major_formatter(lambda v, _pos: d.loc.tick(v))
        ax.grid(axis="y", color=d.style.grid, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ends = _EndLabels(ax)
        for (handle, points), labels in zip(lines, texts, strict=True):
            if points:
                ends.add(labels[-1], points[-1], handle.get_color(), size)
    _axis_labels(ax, d, categories="x")
    if len(lines) > 1:
        _legend(fig, ax, [handle for handle, _ in lines], [h.get_label() for h, _ in lines])


def range_(fig: Any, ax: Any, d: Draw) -> None:
    """Rows with a low value, an optional high value, and an optional label."""
    spec = d.figure.spec
    categories = d.column(spec.x)
    lows = d.figure.numbers(spec.y[0])
    highs = d.figure.numbers(spec.high) if spec.high else [None] * len(lows)
    notes = d.column(spec.labels) if spec.labels else [""] * len(lows)
    rtl = is_rtl(d.lang)  # read from the right, as horizontal bars are
    for row, (low, high, note) in enumerate(zip(lows, highs, notes, strict=True)):
        color = d.style.palette[row % len(d.style.palette)]
        if low is None:
            continue
        if high is not None:
            ax.plot([low, high], [row, row], color=color, linewidth=7, solid_capstyle="round")
            text = note or d.loc.span(low, high)
            anchor = high
        else:
            ax.plot([low], [row], marker="o", markersize=10, color=color)
            text = note or d.loc.value(low)
            anchor = low
        ax.annotate(text.translate(_BIDI_MARKS), (anchor, row), textcoords="offset points",
                    xytext=(-10 if rtl else 10, 0), ha="right" if rtl else "left",
                    va="center", fontsize=d.style.font_size)
    ax.set_yticks(range(len(categories)), categories)
    ax.invert_yaxis()
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(0, 100 if d.figure.spec.number.unit == "percent" else None)
    ax.xaxis.set_major_formatter(lambda v, _pos: d.loc.tick(v))
    ax.grid(axis="x", color=d.style.grid, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    if rtl:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    _axis_labels(ax, d, categories="y")


def timeline(fig: Any, ax: Any, d: Draw) -> None:
    """Events in order down a vertical line: the date, then what happened.

    Rows are evenly spaced (dates are printed, not scaled), so close events never
    collide; the figure grows with the number of events.
    """
    spec = d.figure.spec
    order = d.figure.numbers(spec.y[0])
    rows = sorted((o, i) for i, o in enumerate(order) if o is not None)
    labels = d.column(spec.labels)
    when = d.column(spec.x)
    fig.set_size_inches(d.style.width_in, 0.36 * len(rows) + 0.3)
    ax.plot([0, 0], [-0.4, len(rows) - 0.6], color=d.style.muted, linewidth=1)
    # the date before the line, the event after it: mirrored in a right-to-left language
    before, after = ("left", "right") if is_rtl(d.lang) else ("right", "left")
    sign = -1 if is_rtl(d.lang) else 1
    for row, (_position, index) in enumerate(rows):
        color = d.style.palette[0]
        ax.plot([0], [row], marker="o", color=color, markersize=6)
        ax.annotate(when[index], (0, row), xytext=(-12 * sign, 0), textcoords="offset points",
                    ha=before, va="center", fontweight="bold", color=d.style.palette[1])
        ax.annotate(labels[index], (0, row), xytext=(12 * sign, 0), textcoords="offset points",
                    ha=after, va="center")
    ax.set_xlim(-1, 3)
    if sign < 0:
        ax.invert_xaxis()
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.axis("off")


KINDS: dict[str, Callable[[Any, Any, Draw], None]] = {
    "bar": bar,
    "grouped-bar": grouped_bar,
    "stacked-bar": stacked_bar,
    "line": line,
    "range": range_,
    "timeline": timeline,
}


# matplotlib's description of each font file, read once per process (a CJK
# collection takes a tenth of a second to read, and every chart needs them all)
_ENTRIES: dict[tuple[str, int, int], list[Any]] = {}


def _entries(manager: Any, path: Path) -> list[Any]:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _ENTRIES:
        manager.ttflist = []
        manager.addfont(str(path))
        _ENTRIES[key] = list(manager.ttflist)
    return _ENTRIES[key]


@contextmanager
def only_fonts(files: list[Path]) -> Iterator[None]:
    """matplotlib sees only the theme's font files while it draws (a machine's own
    "Noto Sans" must not stand in for the theme's, nor another font for a missing
    glyph); its font list and look-up cache are restored after."""
    from matplotlib import font_manager

    if not files:  # a theme that declares no fonts: matplotlib's own, as it finds them
        yield
        return
    manager = font_manager.fontManager
    saved = manager.ttflist
    # "Failed to find font weight bold for Noto Sans Math": a symbol font has one weight,
    # and matplotlib says so for every bold label; it draws the regular, as it should
    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    cached = getattr(manager, "_findfont_cached", None)  # an lru_cache, per manager
    clear = getattr(cached, "cache_clear", lambda: None)
    try:
        entries = [entry for path in files for entry in _entries(manager, path)]
        manager.ttflist = entries
        clear()
        yield
    finally:
        manager.ttflist = saved
        clear()
        quiet.setLevel(level)


def draw_figure(figure: Figure, style: HouseStyle, lang: str,
                custom: Callable[[Figure, Any, Any, Draw], None] | None = None) -> Any:
    """The chart as a laid-out matplotlib figure, not yet saved: the kind's drawing (or
    ``custom`` for a ``custom`` figure), axis labels, then the layout.

    Save it within ``matplotlib.rc_context(style.rc())``: the style's SVG settings (text
    as text, a fixed hash salt) are read when saving.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as PlotFigure

    with only_fonts(style.font_files), matplotlib.rc_context(style.rc()):  # type: ignore[arg-type]
        fig = PlotFigure(figsize=(style.width_in, style.height_in))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        d = Draw(figure, lang, style, Localizer(lang, figure.spec.number, style.currency_display))
        if figure.spec.kind == "custom":
            if custom is None:
                raise ValueError(f"figure '{figure.id}' is drawn by its own code")
            custom(figure, fig, ax, d)
            _axis_labels(ax, d, categories="x")
        else:
            KINDS[figure.spec.kind](fig, ax, d)
        fig.tight_layout()
    return fig
