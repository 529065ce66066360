"""Call-out boxes: key findings, recommendations, case studies, definitions, notes.

A fenced div with a box class becomes a box with a title::

    ::: {.key-findings}              (titled "Key findings" in the edition's language)
    ::: {.box title="What we found"} (a plain box with its own title)

The kinds are :data:`KINDS`; ``title="..."`` overrides a kind's title, and a plain
``.box`` has a title only when given one. The box is a ``Div.box.box-<kind>`` whose
first block is a ``Div.box-title``; the themes style both (the print stylesheet keeps
the title with the first line), and the Word edition gives them the paragraph
styles "Box" and "Box Title". Option: ``label`` gives the interface strings
(``box_<kind>``).
"""

from __future__ import annotations

from collections.abc import Callable

from policybrief.pandoc.ast import Node, attr, classes_of, div, text, walk_doc

# class -> interface string of its default title ("" for none)
KINDS = {
    "box": "",
    "note-box": "box_note",
    "key-findings": "box_key_findings",
    "recommendations": "box_recommendations",
    "case-study": "box_case_study",
    "definitions": "box_definitions",
}


def kind_of(node: Node) -> str | None:
    if node["t"] != "Div":
        return None
    return next((c for c in classes_of(node) if c in KINDS), None)


def apply(doc: Node, label: Callable[[str], str]) -> Node:
    def action(node: Node) -> list[Node] | None:
        kind = kind_of(node)
        if kind is None:
            return None
        ident, classes, pairs = node["c"][0]
        given = dict(pairs).get("title")
        title = given if given is not None else (label(KINDS[kind]) if KINDS[kind] else "")
        rest = [(str(k), str(v)) for k, v in pairs if k != "title"]
        inner = walk_doc({"blocks": node["c"][1]}, action)["blocks"]
        blocks = [div([{"t": "Plain", "c": text(title)}], ["box-title"])] if title else []
        box_classes = ["box", f"box-{kind}", *[c for c in classes if c not in ("box", kind)]]
        return [{"t": "Div", "c": [attr(ident, box_classes, [*rest, ("role", "note")]),
                                   [*blocks, *inner]]}]

    return walk_doc(doc, action)
