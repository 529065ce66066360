"""Pull quotes, marked once in the text and set again in large type.

A chapter marks the sentence as ``[sentence]{.pull-quote}`` inside its paragraph.
This filter keeps the sentence in place (the span is unwrapped to its text) and puts
a ``Div.pull-quote`` holding a copy, without notes, just before the paragraph, so a
print theme can float it beside the paragraph. The copy is marked ``aria-hidden`` in
HTML: it repeats the text, and a screen reader should not read it twice.
"""

from __future__ import annotations

from policybrief.pandoc.ast import Node, classes_of, div, walk, walk_doc


def _without_notes(inlines: list[Node]) -> list[Node]:
    def drop(node: Node) -> list[Node] | None:
        if node["t"] in ("Note", "Cite"):
            return []
        return None

    return list(walk(inlines, drop))


def apply(doc: Node) -> Node:
    def in_paragraph(node: Node) -> list[Node] | None:
        if node["t"] == "Note":  # a pull quote repeats the text, never a note's
            return [node]
        if node["t"] not in ("Para", "Plain"):
            return None
        quotes: list[list[Node]] = []

        def unwrap(inline: Node) -> list[Node] | None:
            if inline["t"] == "Span" and "pull-quote" in classes_of(inline):
                quotes.append(_without_notes(inline["c"][1]))
                return list(walk(inline["c"][1], unwrap))
            return None

        content = walk(node["c"], unwrap)
        if not quotes:
            return None
        asides = [
            div([{"t": "Para", "c": q}], ["pull-quote"], pairs=[("aria-hidden", "true")])
            for q in quotes
        ]
        return [*asides, {"t": node["t"], "c": content}]

    return walk_doc(doc, in_paragraph)
