"""Number the top-level sections (I., II., ... or 1., 2., ...).

Options: ``style`` is ``roman``, ``arabic`` or ``none`` (brief.yml ``numbering``).
Headings with the ``unnumbered`` class (e.g. "Sources") are left alone. The number
is a ``span.section-number`` so themes can style it and tables of contents reuse it.
"""

from __future__ import annotations

from policybrief.pandoc.ast import Node, span, text, walk_doc

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def apply(doc: Node, style: str) -> Node:
    if style == "none":
        return doc
    counter = 0

    def action(node: Node) -> list[Node] | None:
        nonlocal counter
        if node["t"] != "Header" or node["c"][0] != 1:
            return None
        level, attr_, inlines = node["c"]
        if "unnumbered" in attr_[1]:
            return None
        counter += 1
        label = roman(counter) if style == "roman" else str(counter)
        number = span(text(f"{label}."), ["section-number"])
        attrs = [attr_[0], attr_[1], [*attr_[2], ["number", label]]]
        return [{"t": "Header", "c": [level, attrs, [number, {"t": "Space"}, *inlines]]}]

    return walk_doc(doc, action)
