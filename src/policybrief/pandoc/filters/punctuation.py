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

from policybrief.pandoc.ast import Node, inlines_of, stringify, walk, walk_doc, with_inlines

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


def _spaced(inlines: list[Any], space: str) -> list[Any]:
    """``inlines`` with each word space before a high punctuation mark, or after «,
    made ``space`` (the same list when there is none to change)."""
    out: list[Any] = []
    for index, item in enumerate(inlines):
        kind = item.get("t") if isinstance(item, dict) else None
        following = inlines[index + 1] if index + 1 < len(inlines) else None
        previous = inlines[index - 1] if index else None
        if kind == "Space" and (
                (isinstance(following, dict) and following.get("t") == "Str"
                 and following["c"][:1] in HIGH)  # "texte :" -> "texte\u202f:"
                or (isinstance(previous, dict) and previous.get("t") == "Str"
                    and previous["c"].endswith("«"))):  # "« texte" -> "«\u202ftexte"
            out.append(_space(space))
        else:
            out.append(item)
    return out if any(a is not b for a, b in zip(out, inlines, strict=True)) else inlines


def apply(doc: Node, space: str, quotes: tuple[str, str, str, str]) -> Node:
    """``doc`` with the language's quotation marks (open, close, inner open, inner
    close) and ``space`` before every high punctuation mark of its text. Only the nodes
    that change are new (:func:`~policybrief.pandoc.ast.walk`)."""
    def spaced(inlines: list[Any]) -> list[Any]:
        return _spaced(inlines, space) if space else inlines

    def action(node: Node) -> list[Node] | None:
        kind = node["t"]
        if kind in SKIP:
            return [node]  # left as written, and not walked into
        if kind == "Quoted" and quotes:
            double = node["c"][0]["t"] == "DoubleQuote"
            opening, closing = quotes[:2] if double else quotes[2:]
            inner = walk(spaced(node["c"][1]), action)
            return [{"t": "Span", "c": [["", ["quoted"], []],
                                        [_space(opening), *inner, _space(closing)]]}]
        if kind == "Str":
            fixed = _fix(node["c"], space) if space else node["c"]
            return None if fixed == node["c"] else [{"t": "Str", "c": fixed}]
        if not space:
            return None
        if kind == "LineBlock":
            lines = [spaced(line) for line in node["c"]]
            if any(a is not b for a, b in zip(lines, node["c"], strict=True)):
                return [{"t": kind, "c": walk(lines, action)}]
            return None
        if kind == "DefinitionList":
            items = [[spaced(term), definitions] for term, definitions in node["c"]]
            if any(a[0] is not b[0] for a, b in zip(items, node["c"], strict=True)):
                return [{"t": kind, "c": walk(items, action)}]
            return None
        inlines = inlines_of(node)
        if inlines is not None:
            changed = spaced(inlines)
            if changed is not inlines:
                return [with_inlines(node, walk(changed, action))]
        return None

    return walk_doc(doc, action)


def _stop_after(char: str) -> bool:
    """Whether a note's closing "." after ``char`` is the sentence's full stop, to be
    written the language's way: after a digit, a bracket or a letter of the language,
    but not after a Latin, Greek or Cyrillic word, whose "." may be an abbreviation's
    and stands in that word's own script ("Organization.")."""
    import unicodedata

    if not unicodedata.category(char).startswith("L"):
        return not char.isspace() and char != "."
    return not unicodedata.name(char, "").startswith(("LATIN", "GREEK", "CYRILLIC"))


def _ended(inlines: list[Node], stop: str) -> list[Node] | None:
    """``inlines`` with their final "." made ``stop`` (None: nothing to change)."""
    for index in range(len(inlines) - 1, -1, -1):
        node = inlines[index]
        if node["t"] in ("Space", "SoftBreak", "LineBreak"):
            continue
        if node["t"] == "Str":
            text = node["c"]
            # the character before the "." may close the node before it ("》", "”")
            before = text[-2:-1] or stringify(inlines[:index])[-1:]
            if text.endswith(".") and before and _stop_after(before):
                return [*inlines[:index], {"t": "Str", "c": text[:-1] + stop},
                        *inlines[index + 1:]]
            return None
        inner = inlines_of(node)
        if inner is None:
            return None
        changed = _ended(inner, stop)
        if changed is None:
            return None
        return [*inlines[:index], with_inlines(node, changed), *inlines[index + 1:]]
    return None


def note_full_stops(doc: Node, stop: str) -> Node:
    """Each note's closing full stop in the language's mark: "同上。", "पृष्ठ 14।"
    (citeproc and the style write "."); a language whose full stop is "." is left as
    it is."""
    if stop == ".":
        return doc

    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Note" or not node["c"]:
            return None
        inner = walk(node["c"], action)  # a note inside a note ends too
        last = inner[-1]
        inlines = inlines_of(last) if last["t"] in ("Para", "Plain") else None
        changed = _ended(inlines, stop) if inlines is not None else None
        if changed is not None:
            inner = [*inner[:-1], with_inlines(last, changed)]
        return [{"t": "Note", "c": inner}]

    return walk_doc(doc, action)
