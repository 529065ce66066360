"""Quotations translated by us, marked as such.

A translator wraps a quotation whose original wording is unknown in
``[«...»]{.translated-quote}``. The mark (a raised dagger after the quotation) is
added here so every format shows it; the colophon explains it.
"""

from __future__ import annotations

from policybrief.pandoc.ast import Node, classes_of, walk_doc

MARK = "†"


def apply(doc: Node) -> Node:
    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Span" and "translated-quote" in classes_of(node):
            return [node, {"t": "Superscript", "c": [{"t": "Str", "c": MARK}]}]
        return None

    return walk_doc(doc, action)
