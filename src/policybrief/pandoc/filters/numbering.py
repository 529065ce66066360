"""Number the top-level sections (I., II., ... or 1., 2., ...) and letter appendices.

Options: ``style`` is ``roman``, ``arabic`` or ``none`` (brief.yml ``numbering``);
``appendix`` is the word for an appendix in the edition's language. Headings with the
``unnumbered`` class (e.g. "Sources") are left alone. A level-1 heading with the
``appendix`` class is lettered A, B, ... whatever the style, and reads "Appendix A."
The number is a ``span.section-number`` so themes can style it, and the heading's
``number`` attribute gives it to the contents and to cross-references.
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


def letters(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def apply(doc: Node, style: str, appendix: str = "Appendix") -> Node:
    counter = 0
    appendices = 0

    def action(node: Node) -> list[Node] | None:
        nonlocal counter, appendices
        if node["t"] != "Header" or node["c"][0] != 1:
            return None
        level, attr_, inlines = node["c"]
        if "unnumbered" in attr_[1]:
            return None
        if "appendix" in attr_[1]:
            appendices += 1
            label = letters(appendices)
            shown = f"{appendix} {label}."
        elif style == "none":
            return None
        else:
            counter += 1
            label = roman(counter) if style == "roman" else str(counter)
            shown = f"{label}."
        number = span(text(shown), ["section-number"])
        attrs = [attr_[0], attr_[1], [*attr_[2], ["number", label]]]
        return [{"t": "Header", "c": [level, attrs, [number, {"t": "Space"}, *inlines]]}]

    return walk_doc(doc, action)
