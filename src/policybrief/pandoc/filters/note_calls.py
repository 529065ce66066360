"""Note calls where the edition's language puts them, whoever wrote them.

English, Spanish and German set a note call after the punctuation ("text.¹"); French
and Russian before it ("texte¹."). Citeproc places the notes it makes from citations
(``notes-after-punctuation``); this does the same for the notes a writer or translator
typed (``[^1]``, ``^[...]``), so an edition never mixes both habits. A mark moved
before a French ``; : ! ?`` keeps the narrow no-break space that goes before it.
"""

from __future__ import annotations

from typing import Any

from policybrief.pandoc.ast import Node, walk, walk_doc

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
                out.append(item)
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
                out.append(item)
                if text[run:]:
                    out.append({"t": "Str", "c": text[run:]})
                index += 2
                continue
        out.append(item)
        index += 1
    return out


_INLINE_LISTS = {"Para": None, "Plain": None, "Emph": None, "Strong": None,
                 "Underline": None, "Strikeout": None, "SmallCaps": None, "Span": 1,
                 "Quoted": 1}  # where a node keeps its inlines: its content, or content[1]


def apply(doc: Node, placement: str, space: str = "") -> Node:
    """``doc`` with every note call ``before_punctuation`` or ``after_punctuation``."""
    before = placement == "before_punctuation"

    def action(node: Node) -> list[Node] | None:
        if node["t"] not in _INLINE_LISTS:
            return None
        at = _INLINE_LISTS[node["t"]]
        inlines = node["c"] if at is None else node["c"][at]
        if not any(i.get("t") == "Note" for i in inlines):
            return None  # walk() goes on into its children
        moved = walk(_move(inlines, before, space), action)  # and into the moved ones'
        content = moved if at is None else [*node["c"][:at], moved, *node["c"][at + 1:]]
        return [{"t": node["t"], "c": content}]

    return walk_doc(doc, action)
