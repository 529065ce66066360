"""Section permalinks for the web edition: a small link to each heading's anchor,
so a reader can copy the address of a section. The link is labelled for screen
readers; its visible mark is hidden from them."""

from __future__ import annotations

from policybrief.pandoc.ast import Node, attr, span, walk_doc


def apply(doc: Node, label: str) -> Node:
    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Header" or not node["c"][1][0]:
            return None
        level, attrs, inlines = node["c"]
        mark = span([{"t": "Str", "c": "#"}], [], "")
        mark["c"][0][2] = [["aria-hidden", "true"]]
        link = {"t": "Link", "c": [attr("", ["permalink"], [("aria-label", label)]), [mark],
                                   [f"#{attrs[0]}", ""]]}
        return [{"t": "Header", "c": [level, attrs, [*inlines, {"t": "Space"}, link]]}]

    return walk_doc(doc, action)
