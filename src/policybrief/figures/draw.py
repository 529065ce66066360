"""One drawing function per chart kind, all in the house style.

Each takes the matplotlib figure and axes, the :class:`Figure` (spec and data) and
what is needed to localise it; none reads files or knows about editions.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policybrief.figures.localize import Localizer
from policybrief.figures.spec import Figure
from policybrief.figures.style import HouseStyle


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
    """The legend above the plot, never over the data."""
    ax.legend(handles, names, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0),
              ncols=min(len(names), 2), borderaxespad=0.2)


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
        labels = [d.loc.value(v) if v is not None else "" for v in values]
        inside = mode == "stacked" or (spec.overlay and index > 0)
        ax.bar_label(bars, labels=labels, label_type="center" if inside else "edge",
                     padding=0 if inside else 3, fontsize=d.style.font_size - 0.5,
                     color="white" if inside else d.style.ink)
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
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0)
    else:
        ax.set_xticks(positions, categories)
        ax.set_ylim(0, peak * 1.15 or 1)
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="x", length=0)
    if len(names) > 1:
        _legend(fig, ax, handles, names)


def bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "grouped" if len(d.figure.spec.y) > 1 else "single")


def grouped_bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "grouped")


def stacked_bar(fig: Any, ax: Any, d: Draw) -> None:
    _bars(fig, ax, d, "stacked")


def line(fig: Any, ax: Any, d: Draw) -> None:
    spec = d.figure.spec
    categories = d.column(spec.x)
    positions = list(range(len(categories)))
    for index, column in enumerate(spec.y):
        values = d.figure.numbers(column)
        points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        color = d.style.palette[index % len(d.style.palette)]
        ax.plot([p for p, _ in points], [v for _, v in points], marker="o", color=color,
                label=d.series_name(column))
        for p, v in points:
            ax.annotate(d.loc.value(v), (p, v), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=d.style.font_size - 0.5)
    ax.set_xticks(positions, categories)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    if len(spec.y) > 1:
        ax.legend(frameon=False)


def range_(fig: Any, ax: Any, d: Draw) -> None:
    """Rows with a low value, an optional high value, and an optional label."""
    spec = d.figure.spec
    categories = d.column(spec.x)
    lows = d.figure.numbers(spec.y[0])
    highs = d.figure.numbers(spec.high) if spec.high else [None] * len(lows)
    notes = d.column(spec.labels) if spec.labels else [""] * len(lows)
    for row, (low, high, note) in enumerate(zip(lows, highs, notes, strict=True)):
        color = d.style.palette[row % len(d.style.palette)]
        if low is None:
            continue
        if high is not None:
            ax.plot([low, high], [row, row], color=color, linewidth=7, solid_capstyle="round")
            text = note or f"{d.loc.value(low)}–{d.loc.value(high)}"
            anchor = high
        else:
            ax.plot([low], [row], marker="o", markersize=10, color=color)
            text = note or d.loc.value(low)
            anchor = low
        ax.annotate(text, (anchor, row), textcoords="offset points", xytext=(10, 0),
                    va="center", fontsize=d.style.font_size)
    ax.set_yticks(range(len(categories)), categories)
    ax.invert_yaxis()
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(0, 100 if d.figure.spec.number.unit == "percent" else None)
    ax.xaxis.set_major_formatter(lambda v, _pos: d.loc.value(v))
    ax.grid(axis="x", color=d.style.grid, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)


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
    for row, (_position, index) in enumerate(rows):
        color = d.style.palette[0]
        ax.plot([0], [row], marker="o", color=color, markersize=6)
        ax.annotate(when[index], (0, row), xytext=(-12, 0), textcoords="offset points",
                    ha="right", va="center", fontweight="bold", color=d.style.palette[1])
        ax.annotate(labels[index], (0, row), xytext=(12, 0), textcoords="offset points",
                    ha="left", va="center")
    ax.set_xlim(-1, 3)
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
