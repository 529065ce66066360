"""Number the top-level sections (I., II., ... or 1., 2., ...) and letter appendices.

Options: ``style`` is ``roman``, ``arabic`` or ``none`` (brief.yml ``numbering``);
``appendix`` is the word for an appendix in the edition's language. ``roman`` is
written as the edition's language writes such numbers (its catalogue's
``section_numerals``: 一、二、 in Chinese, أولاً - ثانياً - in UN Arabic), and each number
in the language's ``section_number`` form ("{n}.", "{n}、", "{n} -"). Headings with the
``unnumbered`` class (e.g. "Sources") are left alone. A level-1 heading with the
``appendix`` class is lettered A, B, ... whatever the style, and reads "Appendix A."
The number is a ``span.section-number`` so themes can style it, and the heading's
``number`` attribute gives it to the contents and to cross-references.
"""

from __future__ import annotations

from policybrief.i18n import gap_after
from policybrief.pandoc.ast import Node, span, text, walk_doc
from policybrief.pandoc.filters.isolate import direction

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


def apply(doc: Node, style: str, appendix: str = "Appendix",
          numerals: list[str] | None = None, number_form: str = "{n}.") -> Node:
    numerals = numerals or []
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
            if style == "roman":
                label = numerals[counter - 1] if counter <= len(numerals) else roman(counter)
            else:
                label = str(counter)
            shown = number_form.format(n=label)
        number = span(text(shown), ["section-number"])
        if direction(shown) == "rtl":  # a number in words of a right-to-left language
            number = {"t": "Span", "c": [["", ["section-number"], [["dir", "rtl"]]],
                                         text(shown)]}
        attrs = [attr_[0], attr_[1], [*attr_[2], ["number", label]]]
        space = [{"t": "Space"}] if gap_after(shown) else []  # none after "一、"
        return [{"t": "Header", "c": [level, attrs, [number, *space, *inlines]]}]

    return walk_doc(doc, action)
