"""Footnotes as inline spans, for paged media.

Pandoc's HTML writer collects notes at the end (endnotes). WeasyPrint sets a
footnote at the foot of its page only when the note's text stands where it is
called, as an element with ``float: footnote``. So, for the print edition, every
``Note`` becomes ``span.footnote`` in place; a note of several paragraphs keeps them
as ``span.footnote-para`` blocks (a span cannot hold a ``<p>``).

A note call must not start a line on its own ("...end.»" then "87" below), so the
word before a note and the note are kept together in ``span.fn-anchor`` (which the
theme sets ``white-space: nowrap``; the note itself wraps normally). In Chinese and
Japanese, where a clause has no spaces, that is the last character.
"""

from __future__ import annotations

import re
from typing import Any

from policybrief.pandoc.ast import Node, span, stringify, walk, walk_doc


def _pieces(block: Node) -> list[list[Node]]:
    """A note's block as runs of inlines, one per paragraph-like piece: nothing in a
    note may be lost when it becomes a footnote span (lists, code, quotes too)."""
    kind: str = block["t"]
    content: Any = block.get("c")
    if kind in ("Para", "Plain"):
        return [content]
    if kind == "Header":
        return [content[2]]
    if kind in ("BlockQuote", "Div"):
        inner = content if kind == "BlockQuote" else content[1]
        return [run for b in inner for run in _pieces(b)]
    if kind in ("BulletList", "OrderedList"):
        items = content if kind == "BulletList" else content[1]
        start = 1 if kind == "BulletList" else content[0][0]
        runs = []
        for number, item in enumerate(items, start=start):
            mark = "•" if kind == "BulletList" else f"{number}."
            item_runs = [run for b in item for run in _pieces(b)] or [[]]
            runs.append([{"t": "Str", "c": mark}, {"t": "Space"}, *item_runs[0]])
            runs += item_runs[1:]
        return runs
    if kind == "CodeBlock":
        return [[{"t": "Code", "c": [content[0], content[1]]}]]
    if kind == "LineBlock":
        joined: list[Node] = []
        for index, line in enumerate(content):
            joined += ([{"t": "LineBreak"}] if index else []) + line
        return [joined]
    text_value = stringify(block).strip()
    return [[{"t": "Str", "c": text_value}]] if text_value else []


def _flatten(blocks: list[Node]) -> list[Node]:
    runs = [run for block in blocks for run in _pieces(block)]
    parts: list[Node] = list(runs[0]) if runs else []
    parts += [span(run, ["footnote-para"]) for run in runs[1:]]
    return parts


def apply(doc: Node) -> tuple[Node, int]:
    """The rewritten document and the number of notes (``span#fn1`` ... ``#fnN``)."""
    counter = 0

    def action(node: Node) -> list[Node] | None:
        nonlocal counter
        if node["t"] != "Note":
            return None
        counter += 1
        content = walk(node["c"], action)  # notes inside notes are flattened too
        return [span(_flatten(content), ["footnote"], identifier=f"fn{counter}")]

    return _anchor(walk_doc(doc, action)), counter


def _is_note(node: Node) -> bool:
    if node["t"] == "Span" and "footnote" in node["c"][0][1]:
        return True
    return node["t"] == "Cite" and any(_is_note(i) for i in node["c"][1])


# Characters a line may break between without a space (UAX 14's ideographic class:
# Han and kana). A run of them is one pandoc Str however long: a clause, not a word.
_IDEOGRAPHIC = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                          "\U00020000-\U0003134f]")


def _last_unit(text: str) -> tuple[str, str]:
    """``text`` split before the unit a note call is kept with: the last word, or in
    Chinese and Japanese the last character and what follows it ('...表示赞', '同。'),
    so the rest of the clause still breaks where it must."""
    starts = [m.start() for m in _IDEOGRAPHIC.finditer(text)]
    if not starts:
        return "", text
    return text[:starts[-1]], text[starts[-1]:]


def _anchor_inlines(inlines: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in inlines:
        if _is_note(node) and out and out[-1]["t"] == "Str":
            head, tail = _last_unit(out[-1]["c"])
            anchored = span([{"t": "Str", "c": tail}, node], ["fn-anchor"])
            out[-1:] = [{"t": "Str", "c": head}, anchored] if head else [anchored]
        else:
            out.append(node)
    return out


def _anchor(doc: Node) -> Node:
    """Keep each note call with the word before it (lists without a note call are
    returned as they are, not copied)."""
    def visit(value: Any) -> Any:
        if isinstance(value, list):
            items = [visit(v) for v in value]
            if items and all(isinstance(i, dict) and "t" in i for i in items):
                items = _anchor_inlines(items)
            if len(items) == len(value) and all(a is b for a, b in zip(items, value, strict=True)):
                return value
            return items
        if isinstance(value, dict):
            if "t" in value and "c" in value:
                content = visit(value["c"])
                return value if content is value["c"] else {"t": value["t"], "c": content}
            return value
        return value

    return {**doc, "blocks": visit(doc["blocks"])}
