"""Footnotes as inline spans, for paged media.

Pandoc's HTML writer collects notes at the end (endnotes). WeasyPrint sets a
footnote at the foot of its page only when the note's text stands where it is
called, as an element with ``float: footnote``. So, for the print edition, every
``Note`` becomes ``span.footnote`` in place; a note of several paragraphs keeps them
as ``span.footnote-para`` blocks (a span cannot hold a ``<p>``).

A note call must not start a line on its own ("...end.»" then "87" below), so the
word before a note and the note are kept together in ``span.fn-anchor`` (which the
theme sets ``white-space: nowrap``; the note itself wraps normally).
"""

from __future__ import annotations

from typing import Any

from policybrief.pandoc.ast import Node, span, walk, walk_doc


def _flatten(blocks: list[Node]) -> list[Node]:
    parts: list[Node] = []
    for index, block in enumerate(blocks):
        inlines = block["c"] if block["t"] in ("Para", "Plain") else []
        if block["t"] == "BlockQuote":
            inlines = [i for b in block["c"] if b["t"] in ("Para", "Plain") for i in b["c"]]
        if index == 0:
            parts.extend(inlines)
        else:
            parts.append(span(inlines, ["footnote-para"]))
    return parts


def apply(doc: Node) -> tuple[Node, int]:
    """The rewritten document and the number of notes (``span#fn1`` ... ``#fnN``)."""
    counter = 0

    def action(node: Node) -> list[Node] | None:
        nonlocal counter
        if node["t"] != "Note":
            return None
        counter += 1
        content = walk(node["c"], action)  # notes inside notes are flattened too
        return [span(_flatten(content), ["footnote"], identifier=f"fn{counter}")]

    return _anchor(walk_doc(doc, action)), counter


def _is_note(node: Node) -> bool:
    if node["t"] == "Span" and "footnote" in node["c"][0][1]:
        return True
    return node["t"] == "Cite" and any(_is_note(i) for i in node["c"][1])


def _anchor_inlines(inlines: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in inlines:
        if _is_note(node) and out and out[-1]["t"] == "Str":
            out[-1] = span([out[-1], node], ["fn-anchor"])
        else:
            out.append(node)
    return out


def _anchor(doc: Node) -> Node:
    """Keep each note call with the word before it."""
    def visit(value: Any) -> Any:
        if isinstance(value, list):
            items = [visit(v) for v in value]
            if items and all(isinstance(i, dict) and "t" in i for i in items):
                return _anchor_inlines(items)
            return items
        if isinstance(value, dict):
            if "t" in value and "c" in value:
                return {"t": value["t"], "c": visit(value["c"])}
            return value
        return value

    return {**doc, "blocks": visit(doc["blocks"])}
