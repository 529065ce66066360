"""The bibliography ("Sources") at the end, or none.

citeproc leaves the formatted bibliography in ``Div#refs``. With ``title`` given,
the filter puts an unnumbered level-1 heading before it; with ``title=None`` it
removes the bibliography (brief.yml ``sources`` per format).
"""

from __future__ import annotations

from policybrief.pandoc.ast import Node, attr, text


def apply(doc: Node, title: str | None) -> Node:
    blocks: list[Node] = []
    for block in doc["blocks"]:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            if title is None or not block["c"][1]:
                continue
            heading = {"t": "Header",
                       "c": [1, attr("sources", ["unnumbered", "sources"]), text(title)]}
            blocks.append(heading)
        blocks.append(block)
    return {**doc, "blocks": blocks}
