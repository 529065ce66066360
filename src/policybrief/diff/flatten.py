"""The text of an edition: blocks of tokens, notes taken out in the order they are
called (a parsed and transformed pandoc AST in, :class:`EditionText` out)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from policybrief.pandoc.ast import Node
from policybrief.pandoc.filters.numbering import roman

# A note call stands in a block's text as NUL, a reference, NUL (NUL never reaches
# the text itself). Tokens: note calls, runs of spaces, words (with inner punctuation,
# so "31,243", "don't" and URLs are one word) and single punctuation marks.
_MARK = "\x00"
_TOKEN = re.compile(r"\x00[^\x00]*\x00|\s+|\w+(?:[^\w\s\x00]+\w+)*|[^\w\s\x00]")
_WORD = re.compile(r"\w")

BlockKind = Literal["heading", "para", "item", "quote", "caption", "row", "source", "code"]


def tokenize(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def is_note_call(token: str) -> bool:
    return token.startswith(_MARK)


def note_call(ref: str) -> str:
    return f"{_MARK}{ref}{_MARK}"


def is_word(token: str) -> bool:
    """Whether a token holds a word (not only spaces or punctuation)."""
    return _WORD.search(token) is not None


def count_words(tokens: Sequence[str]) -> int:
    return sum(1 for t in tokens if not is_note_call(t) and is_word(t))


@dataclass(frozen=True)
class Block:
    """One block of an edition's text."""

    kind: BlockKind
    level: int  # heading level; nesting depth of list items
    label: str  # a list item's number or bullet (not compared: lists renumber)
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class EditionText:
    """An edition as text: its blocks, and its notes in the order they are called.

    A block calls note ``i`` (0-based) with the token ``note_call(str(i))``.
    """

    lang: str
    blocks: tuple[Block, ...]
    notes: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> int:
        return (sum(count_words(b.tokens) for b in self.blocks)
                + sum(count_words(n) for n in self.notes))


_INLINE_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps"}


def _list_label(style: str, delim: str, number: int) -> str:
    if style in ("LowerRoman", "UpperRoman"):
        text = roman(number)
        text = text.lower() if style == "LowerRoman" else text
    elif style in ("LowerAlpha", "UpperAlpha"):
        text = chr(ord("a") + (number - 1) % 26)
        text = text.upper() if style == "UpperAlpha" else text
    else:
        text = str(number)
    if delim == "OneParen":
        return f"{text})"
    if delim == "TwoParens":
        return f"({text})"
    return f"{text}."


class _Flattener:
    """Pandoc AST -> blocks of text, notes taken out where they are called."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, ...]] = []

    def inline_text(self, inlines: Any, in_note: bool) -> str:
        parts: list[str] = []
        for node in inlines if isinstance(inlines, list) else []:
            if not isinstance(node, dict) or "t" not in node:
                continue
            kind: str = node["t"]
            content: Any = node.get("c")
            if kind == "Str":
                parts.append(str(content).replace(_MARK, ""))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind == "Note":
                text = self.note_text(content)
                if in_note:  # a note in a note (rare): its text in place
                    parts.append(f" ({text})")
                else:
                    parts.append(note_call(str(len(self.notes))))
                    self.notes.append(tokenize(text))
            elif kind == "Quoted":
                double = content[0]["t"] == "DoubleQuote"
                inner = self.inline_text(content[1], in_note)
                parts.append(f"\u201c{inner}\u201d" if double else f"\u2018{inner}\u2019")
            elif kind in ("Cite", "Span", "Link"):
                parts.append(self.inline_text(content[1], in_note))
            elif kind in ("Code", "Math"):
                parts.append(str(content[1]).replace(_MARK, ""))
            elif kind in ("RawInline", "Image"):
                continue
            elif kind in _INLINE_CONTAINERS:
                parts.append(self.inline_text(content, in_note))
            elif isinstance(content, list):  # any other container of inlines
                for item in content:
                    if isinstance(item, list):
                        parts.append(self.inline_text(item, in_note))
        return "".join(parts)

    def note_text(self, blocks: list[Node]) -> str:
        inner: list[Block] = []
        self.walk(blocks, "para", 0, inner, in_note=True)
        return " ".join("".join(b.tokens) for b in inner)

    def add(self, out: list[Block], kind: BlockKind, level: int, text: str,
            label: str = "") -> None:
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            out.append(Block(kind, level, label, tokenize(text)))

    def walk(self, blocks: list[Node], kind: BlockKind, level: int, out: list[Block],
             in_note: bool = False) -> None:
        for block in blocks:
            t: str = block["t"]
            c: Any = block.get("c")
            if t in ("Para", "Plain"):
                self.add(out, kind, level, self.inline_text(c, in_note))
            elif t == "Header":
                self.add(out, "heading", int(c[0]), self.inline_text(c[2], in_note))
            elif t == "BlockQuote":
                self.walk(c, "quote", level, out, in_note)
            elif t == "Div":
                classes = c[0][1]
                if "pull-quote" in classes:  # a copy of text that stands in its paragraph
                    continue
                self.walk(c[1], "source" if "csl-entry" in classes else kind, level, out,
                          in_note)
            elif t in ("BulletList", "OrderedList"):
                if t == "BulletList":
                    items, labels = c, ["\u2022"] * len(c)
                else:
                    (start, style, delim), items = c[0], c[1]
                    labels = [_list_label(style["t"], delim["t"], start + i)
                              for i in range(len(items))]
                for label, item in zip(labels, items, strict=True):
                    first = len(out)
                    self.walk(item, "item", level + 1, out, in_note)
                    if len(out) > first:
                        out[first] = dataclasses.replace(out[first], label=label)
            elif t == "DefinitionList":
                for term, definitions in c:
                    self.add(out, kind, level, self.inline_text(term, in_note))
                    for definition in definitions:
                        self.walk(definition, kind, level + 1, out, in_note)
            elif t == "LineBlock":
                self.add(out, kind, level,
                         " ".join(self.inline_text(line, in_note) for line in c))
            elif t == "CodeBlock":
                self.add(out, "code", level, str(c[1]).replace(_MARK, ""))
            elif t == "Figure":
                self.walk(c[1][1], "caption", level, out, in_note)
                self.walk(c[2], kind, level, out, in_note)
            elif t == "Table":
                self.table(c, level, out, in_note)

    def table(self, c: list[Any], level: int, out: list[Block], in_note: bool) -> None:
        self.walk(c[1][1], "caption", level, out, in_note)
        rows = list(c[3][1])
        for body in c[4]:
            rows += body[2] + body[3]
        rows += c[5][1]
        for row in rows:
            cells = []
            for cell in row[1]:
                inner: list[Block] = []
                self.walk(cell[4], "para", 0, inner, in_note)
                cells.append(" ".join("".join(b.tokens) for b in inner))
            self.add(out, "row", level, " | ".join(cells))


def edition_text(lang: str, doc: Node) -> EditionText:
    """The blocks and notes of a parsed (and transformed) edition."""
    flat = _Flattener()
    blocks: list[Block] = []
    flat.walk(doc["blocks"], "para", 0, blocks)
    return EditionText(lang, tuple(blocks), tuple(flat.notes))


__all__ = ["Block", "BlockKind", "EditionText", "count_words", "edition_text", "is_note_call",
           "is_word", "note_call", "tokenize"]
