"""The language's quotation marks, and the space it puts before its high punctuation.

Quotations (``"..."`` in a chapter, and the quoted titles citeproc writes) take the
catalogue's ``quote_open``/``quote_close`` (``inner_`` ones inside them): « » in Spanish,
French and Russian, „ “ in German, “ ” in English, whatever the writer's keyboard made.

High punctuation: French sets a narrow
no-break space (U+202F) before ``; : ! ?`` and ``»``, and after ``«``, so the mark never
starts a line. The catalogue's ``space_before_high_punctuation`` says which space (empty:
none, as in English). Spaces typed before the mark become that space; a missing one is
added (``brief check`` warns where the source lacks it). Addresses, times (10:30) and
code are left alone."""

from __future__ import annotations

import re
from typing import Any

from policybrief.pandoc.ast import Node

HIGH = ";:!?»"
_BEFORE = re.compile(r"(?<=[^\s\d\u00a0\u202f/;:!?])([;:!?»])|(?<=\d)([;!?»])")
_AFTER = re.compile(r"«(?=\S)")
_ADDRESS = re.compile(r"://|^[a-z]+:[^\s]|@")


def _fix(text: str, space: str) -> str:
    if _ADDRESS.search(text):
        return text
    text = _BEFORE.sub(lambda m: space + (m.group(1) or m.group(2)), text)
    return _AFTER.sub("«" + space, text)


SKIP = ("Code", "CodeBlock", "RawInline", "RawBlock", "Math")


def _space(space: str) -> Node:
    return {"t": "Str", "c": space}


def _fixed(value: Any, space: str, quotes: tuple[str, ...] = ()) -> Any:
    """A new copy of ``value`` with the space set (filters never change the nodes they
    are given: a stage's cached result may share them)."""
    if isinstance(value, list):
        items = [_fixed(item, space, quotes) for item in value]
        out: list[Any] = []
        for index, item in enumerate(items):
            kind = item.get("t") if isinstance(item, dict) else None
            following = items[index + 1] if index + 1 < len(items) else None
            previous = out[-1] if out else None
            if space and (kind == "Space" and isinstance(following, dict)
                    and following.get("t") == "Str" and following["c"][:1] in HIGH):
                out.append(_space(space))  # "texte :" -> "texte\u202f:"
            elif space and (kind == "Space" and isinstance(previous, dict)
                  and previous.get("t") == "Str" and previous["c"].endswith("«")):
                out.append(_space(space))  # "« texte" -> "«\u202ftexte"
            else:
                out.append(item)
        return out
    if isinstance(value, dict):
        kind = value.get("t")
        if kind in SKIP:
            return value
        if kind == "Quoted" and quotes:
            double = value["c"][0]["t"] == "DoubleQuote"
            opening, closing = quotes[:2] if double else quotes[2:]
            inner = _fixed(value["c"][1], space, quotes)
            return {"t": "Span", "c": [["", ["quoted"], []],
                                       [_space(opening), *inner, _space(closing)]]}
        if kind == "Str":
            return {"t": "Str", "c": _fix(value["c"], space) if space else value["c"]}
        if kind is not None:
            return {"t": kind, "c": _fixed(value["c"], space, quotes)} if "c" in value \
                else value
        return {key: _fixed(item, space, quotes) for key, item in value.items()}
    return value


def apply(doc: Node, space: str, quotes: tuple[str, str, str, str]) -> Node:
    """``doc`` with the language's quotation marks (open, close, inner open, inner
    close) and ``space`` before every high punctuation mark of its text."""
    return {**doc, "blocks": _fixed(doc["blocks"], space, quotes)}
