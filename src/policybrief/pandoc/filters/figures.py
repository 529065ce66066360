"""Figures from data, placed.

Before citeproc: ``![](figure:<id>){#fig:<id>}`` becomes a ``Figure`` with the id
``fig:<id>``, whose caption reads "Figure N: title. caption. Source: ..." and whose
body is an image ``figure:<id>`` (the builders point it at the SVG or PNG drawn for
their format) or, for tables, a real table. The ``crossref`` filter then numbers
every figure of the edition (these and images with a ``fig:`` id) and resolves
``@fig:<id>``. After citeproc, :func:`fill_sources` puts each figure's source,
formatted by the citation style, into its caption.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from policybrief.errors import BriefError
from policybrief.figures.localize import Localizer
from policybrief.figures.spec import Figure, table_column
from policybrief.i18n import gap_after
from policybrief.pandoc.ast import Node, attr, span, stringify, text, walk_doc

PREFIX = "figure:"


def _figure_id(node: Node) -> str | None:
    """The figure id of an image ``figure:<id>``, or of a paragraph/figure holding one."""
    if node["t"] == "Image":
        src = node["c"][2][0]
        return src[len(PREFIX):] if src.startswith(PREFIX) else None
    if node["t"] in ("Para", "Plain") and len(node["c"]) == 1:
        return _figure_id(node["c"][0])
    if node["t"] == "Figure":
        body = node["c"][2]
        if len(body) == 1:
            return _figure_id(body[0])
    return None


def _cell(inlines: list[Node]) -> list[Any]:
    return [attr(), {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": inlines}]]


def _table(figure: Figure, lang: str, currency_display: str) -> Node:
    spec = figure.spec
    columns = list(spec.columns)
    localizer = Localizer(lang, spec.number, currency_display)
    header = [_cell(text(figure.text(spec.columns[c], lang))) for c in columns]
    rows = []
    for row in figure.table.rows:
        cells = []
        for base in columns:
            column = table_column(base, lang, figure.table.header)
            value = row[column]
            if column in spec.y and value.strip():
                value = localizer.value(float(value))
            cells.append(_cell(text(value)))
        rows.append([attr(), cells])
    colspecs = [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}] for _ in columns]
    return {"t": "Table", "c": [
        attr("", ["figure-table"]), [None, []], colspecs,
        [attr(), [[attr(), header]]],
        [[attr(), 0, [], rows]],
        [attr(), []],
    ]}


def apply(doc: Node, figures: dict[str, Figure], lang: str,
          label: Callable[[str], str], currency_display: str = "symbol",
          ) -> tuple[Node, list[str]]:
    """Place figures; returns the document and the ids in order. Their caption starts
    with an empty ``figure-label`` span: the crossref filter numbers every figure of
    the edition (these and image figures) and fills it."""
    order: list[str] = []

    def place(node: Node) -> list[Node] | None:
        figure_id = _figure_id(node)
        if figure_id is None or node["t"] not in ("Figure", "Para", "Plain"):
            return None
        figure = figures.get(figure_id)
        if figure is None:
            return None  # reported by the checks
        spec = figure.spec
        if figure_id not in order:
            order.append(figure_id)
        stop = label("full_stop")
        title = figure.text(spec.title, lang).rstrip("." + stop)
        # no space after a full-width colon or full stop ("图1：海外工人。资料来源：")
        after_label = [{"t": "Space"}] if gap_after(label("colon")) else []
        between = [{"t": "Space"}] if gap_after(stop) else []
        caption: list[Node] = [span([], ["figure-label"]), *after_label,
                               *text(f"{title}{stop}")]
        extra = figure.text(spec.caption, lang)
        if extra:
            caption += [*between, *text(extra)]
        caption += [*between,
                    span(text(label("source") + label("colon")), ["figure-source"],
                         f"source-{figure_id}")]
        alt = figure.text(spec.alt, lang)
        if spec.kind == "table":
            body: list[Node] = [_table(figure, lang, currency_display)]
        else:
            image = {"t": "Image", "c": [attr("", ["chart"], [("figure", figure_id)]), text(alt),
                                         [PREFIX + figure_id, ""]]}
            body = [{"t": "Plain", "c": [image]}]
        figure_attr = attr(f"fig:{figure_id}", ["chart-figure", f"kind-{spec.kind}"],
                           [("figure", figure_id)])
        return [{"t": "Figure", "c": [figure_attr, [None, [{"t": "Plain", "c": caption}]], body]}]

    return walk_doc(doc, place), order


def fill_sources(doc: Node, sources: dict[str, list[Node]]) -> Node:
    """Append each figure's formatted source to the "Source:" label of its caption."""
    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Span" and "figure-source" in node["c"][0][1]:
            figure_id = node["c"][0][0].removeprefix("source-")
            label = stringify(node["c"][1])
            gap = [{"t": "Space"}] if gap_after(label) else []  # none after "资料来源："
            inlines = node["c"][1] + [*gap, *sources.get(figure_id, [])]
            return [{"t": "Span", "c": [node["c"][0], inlines]}]
        return None

    return walk_doc(doc, action)


def resolve_images(doc: Node, src_for: Callable[[str], str]) -> Node:
    """Point every ``figure:<id>`` image at the file or data URL a builder chose."""
    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Image" and node["c"][2][0].startswith(PREFIX):
            figure_id = node["c"][2][0][len(PREFIX):]
            try:
                src = src_for(figure_id)
            except KeyError:
                raise BriefError(f"figure '{figure_id}' is not placed on its own, so it "
                                 "cannot be drawn here; put it alone in a paragraph") from None
            return [{"t": "Image", "c": [node["c"][0], node["c"][1], [src, node["c"][2][1]]]}]
        return None

    return walk_doc(doc, action)
