"""Citations and sources isolated in their own direction, in a right-to-left edition.

An Arabic note citing "Forced Labour in State Programmes", Anti-Trafficking Review, 4,
2015 holds a left-to-right run inside right-to-left text: without isolation, the bidi
algorithm moves its commas, quotation marks and numbers to the wrong side. Each
citation and each entry of the sources is given the direction of its first strong
character (HTML's ``dir``, which WeasyPrint and Word's writer honour too), as
``<bdi>`` would; one written in the edition's own script keeps the edition's.
"""

from __future__ import annotations

import unicodedata

from policybrief.pandoc.ast import Node, classes_of, stringify, walk_doc


def direction(text: str) -> str:
    """'ltr' or 'rtl' by the first strong character, '' when there is none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def _isolated(inlines: list[Node], edition: str) -> list[Node]:
    own = direction(stringify(inlines))
    if own and own != edition:
        return [{"t": "Span", "c": [["", [], [["dir", own]]], inlines]}]
    return inlines


def _in_note(blocks: list[Node], edition: str) -> list[Node]:
    return [{"t": b["t"], "c": _isolated(b["c"], edition)} if b["t"] in ("Para", "Plain")
            else b for b in blocks]


def apply(doc: Node, edition_direction: str) -> Node:
    """``doc`` with each citation and source that runs against ``edition_direction``
    isolated in its own direction (nothing changes in a left-to-right edition): a note
    citation's text in its note, an in-text one where it stands."""
    if edition_direction != "rtl":
        return doc

    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Cite":
            citations, inlines = node["c"]
            if any(i["t"] == "Note" for i in inlines):
                inner = [{"t": "Note", "c": _in_note(i["c"], edition_direction)}
                         if i["t"] == "Note" else i for i in inlines]
            else:
                inner = _isolated(inlines, edition_direction)
            return [{"t": "Cite", "c": [citations, inner]}]
        if node["t"] == "Div" and "csl-entry" in classes_of(node):
            own = direction(stringify(node["c"][1]))
            if own and own != edition_direction:
                ident, classes, pairs = node["c"][0]
                return [{"t": "Div", "c": [[ident, classes, [*pairs, ["dir", own]]],
                                           node["c"][1]]}]
        return None

    return walk_doc(doc, action)
