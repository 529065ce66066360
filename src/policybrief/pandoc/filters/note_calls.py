"""Note calls where the edition's language puts them, whoever wrote them.

English, Spanish and German set a note call after the punctuation ("text.¹"); French
and Russian before it ("texte¹."). Citeproc places the notes it makes from citations
(``notes-after-punctuation``); this does the same for the notes a writer or translator
typed (``[^1]``, ``^[...]``), so an edition never mixes both habits. A mark moved
before a French ``; : ! ?`` keeps the narrow no-break space that goes before it.
"""

from __future__ import annotations

from typing import Any

from policybrief.pandoc.ast import Node

_MARKS = ".,;:!?…"


def _move(inlines: list[Any], before: bool, space: str) -> list[Any]:
    out: list[Any] = []
    index = 0
    while index < len(inlines):
        item = inlines[index]
        is_note = isinstance(item, dict) and item.get("t") == "Note"
        if is_note and before and out and out[-1].get("t") == "Str":
            text = out[-1]["c"]
            run = len(text) - len(text.rstrip(_MARKS))
            if 0 < run < len(text):  # "texte.¹" -> "texte¹."
                out[-1] = {"t": "Str", "c": text[:-run]}
                mark = text[-run:]
                pad = space if space and mark[0] in ";:!?" else ""
                out.append(_walked(item, before, space))
                out.append({"t": "Str", "c": pad + mark})
                index += 1
                continue
        following = inlines[index + 1] if index + 1 < len(inlines) else None
        if is_note and not before and out and out[-1].get("t") not in ("Space", "SoftBreak",
                                                                        "LineBreak") and \
                isinstance(following, dict) and following.get("t") == "Str":
            text = following["c"]
            run = len(text) - len(text.lstrip(_MARKS))
            if run:  # "text¹." -> "text.¹"
                if out[-1].get("t") == "Str":
                    out[-1] = {"t": "Str", "c": out[-1]["c"] + text[:run]}
                else:  # after a quotation or emphasis
                    out.append({"t": "Str", "c": text[:run]})
                out.append(_walked(item, before, space))
                if text[run:]:
                    out.append({"t": "Str", "c": text[run:]})
                index += 2
                continue
        out.append(_walked(item, before, space))
        index += 1
    return out


def _walked(value: Any, before: bool, space: str) -> Any:
    """A new copy with every inline list handled (the nodes given are never changed:
    a stage's cached result may share them)."""
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "t" in v for v in value):
            return _move(value, before, space)
        return [_walked(v, before, space) for v in value]
    if isinstance(value, dict):
        if value.get("t") in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math"):
            return value
        return {key: _walked(item, before, space) for key, item in value.items()}
    return value


def apply(doc: Node, placement: str, space: str = "") -> Node:
    """``doc`` with every note call ``before_punctuation`` or ``after_punctuation``."""
    before = placement == "before_punctuation"
    return {**doc, "blocks": _walked(doc["blocks"], before, space)}
