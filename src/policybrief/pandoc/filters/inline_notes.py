"""Footnotes as inline spans, for paged media.

Pandoc's HTML writer collects notes at the end (endnotes). WeasyPrint sets a
footnote at the foot of its page only when the note's text stands where it is
called, as an element with ``float: footnote``. So, for the print edition, every
``Note`` becomes ``span.footnote`` in place; a note of several paragraphs keeps them
as ``span.footnote-para`` blocks (a span cannot hold a ``<p>``).
"""

from __future__ import annotations

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

    return walk_doc(doc, action), counter
