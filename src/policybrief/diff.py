"""``brief diff BASE [HEAD]``: a redline of the brief between two git revisions.

Each revision is read without touching the user's checkout: the files of a commit are
copied out of git's object database (``git ls-tree`` and ``git cat-file --batch``, so
``.gitattributes`` export rules cannot hide a file) into a temporary directory; a HEAD
of ``None`` is the working tree as it is. Every edition of both revisions goes through
the build's own parse (citeproc included, nothing rendered: no PDF, no charts), and
the AST is flattened into blocks of text (headings, paragraphs, list items, figure
captions, table rows, sources) with the notes taken out in the order they are called.

Then:

* the notes of the two revisions are aligned by their content (difflib over the two
  sequences), so a note that was only renumbered is the same note, and a note whose
  text changed is paired with its old text;
* the blocks are aligned by their text (note calls stand in it as the aligned note
  identities), and each changed block is compared word by word.

The report, ``build/diff/<lang>.html``, is the text of each edition with ``<ins>``
and ``<del>`` marks and every note shown where it is called, after a summary: sources
added, removed or changed; figures whose data changed, with the cells before and
after; translated chapters made stale; word counts.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup, escape

from policybrief.bibliography import BibEntry, Bibliography, latex_to_text
from policybrief.builders.templates import render
from policybrief.config.loader import CONFIG_FILE
from policybrief.errors import BriefError, BriefErrors, Location
from policybrief.figures.spec import Figure
from policybrief.i18n import load_messages
from policybrief.model import Project
from policybrief.pandoc.ast import Node
from policybrief.pandoc.filters import sources_section
from policybrief.pandoc.filters.numbering import roman
from policybrief.pipeline import (
    fingerprint,
    load_project,
    parse_edition,
    resolve_style,
    theme_dir,
    transform,
)
from policybrief.translations import TranslationStatus, statuses
from policybrief.writer import write_atomic

TEMPLATE = "diff.html.j2"

# ---------------------------------------------------------------------------
# Text of an edition: blocks of tokens, notes taken out in order
# ---------------------------------------------------------------------------

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


def count_words(tokens: Sequence[str]) -> int:
    return sum(1 for t in tokens if not is_note_call(t) and _WORD.search(t))


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


# ---------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------

def _ratio(a: Sequence[str], b: Sequence[str], threshold: float) -> float:
    """Similarity of two token sequences, 0 when cheap bounds show it is below
    ``threshold``."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()


def _pair_similar(a: Sequence[tuple[str, ...]], b: Sequence[tuple[str, ...]],
                  threshold: float = 0.5) -> Iterator[tuple[int | None, int | None]]:
    """Pair the items of a replaced run in order: similar ones are one item changed,
    the rest were removed or added. Yields (index in a | None, index in b | None)."""
    if len(a) * len(b) > 40_000:  # a rewrite too large to pair: all out, all in
        yield from ((i, None) for i in range(len(a)))
        yield from ((None, j) for j in range(len(b)))
        return
    start = 0
    for i, item in enumerate(a):
        best, best_ratio = -1, threshold
        for j in range(start, len(b)):
            ratio = _ratio(item, b[j], threshold)
            if ratio >= best_ratio and (best < 0 or ratio > best_ratio):
                best, best_ratio = j, ratio
        if best < 0:
            yield (i, None)
            continue
        yield from ((None, j) for j in range(start, best))
        yield (i, best)
        start = best + 1
    yield from ((None, j) for j in range(start, len(b)))


def align(a: Sequence[tuple[str, ...]], b: Sequence[tuple[str, ...]],
          threshold: float = 0.5) -> list[tuple[int | None, int | None]]:
    """Align two sequences of token tuples: equal items, changed (similar) items
    paired, the others unpaired; in order."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        elif tag == "delete":
            pairs += [(i, None) for i in range(i1, i2)]
        elif tag == "insert":
            pairs += [(None, j) for j in range(j1, j2)]
        else:
            pairs += [(None if i is None else i1 + i, None if j is None else j1 + j)
                      for i, j in _pair_similar(a[i1:i2], b[j1:j2], threshold)]
    return pairs


Op = Literal["equal", "delete", "insert", "replace"]


def word_diff(a: Sequence[str], b: Sequence[str]) -> list[tuple[Op, list[str], list[str]]]:
    """Token-level opcodes; changes separated only by spaces or punctuation are merged,
    so a rewritten phrase reads as one deletion and one insertion."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[tuple[Op, list[str], list[str]]] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        op: Op = tag
        before, after = list(a[i1:i2]), list(b[j1:j2])
        filler = (op == "equal" and 0 < index < len(opcodes) - 1 and len(before) <= 3
                  and not any(_WORD.search(t) or is_note_call(t) for t in before))
        if segments and segments[-1][0] != "equal" and (op != "equal" or filler):
            _, old_before, old_after = segments[-1]
            segments[-1] = ("replace", old_before + before, old_after + after)
        else:
            segments.append((op, before, after))
    return segments


# ---------------------------------------------------------------------------
# The redline of one edition, as HTML
# ---------------------------------------------------------------------------

Side = Literal["equal", "delete", "insert"]


@dataclass
class _Notes:
    """The two revisions' notes of an edition, aligned by content.

    In aligned blocks, a note of the new revision is called ``h<j>``; a note of the
    old one is ``h<j>`` too when it is paired with new note j, else ``b<i>``.
    """

    base: Sequence[tuple[str, ...]]
    head: Sequence[tuple[str, ...]]
    head_of: dict[int, int] = field(default_factory=dict)  # base index -> head index
    base_of: dict[int, int] = field(default_factory=dict)  # head index -> base index

    @classmethod
    def aligned(cls, base: Sequence[tuple[str, ...]], head: Sequence[tuple[str, ...]]) -> _Notes:
        notes = cls(base, head)
        for i, j in align(base, head):
            if i is not None and j is not None:
                notes.head_of[i] = j
                notes.base_of[j] = i
        return notes

    def base_ref(self, i: int) -> str:
        return f"h{self.head_of[i]}" if i in self.head_of else f"b{i}"

    def changed(self, ref: str) -> bool:
        if not ref.startswith("h"):
            return True
        j = int(ref[1:])
        return j not in self.base_of or self.base[self.base_of[j]] != self.head[j]

    def render(self, ref: str, side: Side, labels: dict[str, str]) -> Markup:
        """A note where it is called: number, then its text, marked by side."""
        if side == "delete" or ref.startswith("b"):
            i = int(ref[1:]) if ref.startswith("b") else self.base_of[int(ref[1:])]
            return Markup('<del class="note" data-note-change="deleted">'
                          '<span class="note-number">{}</span> {}</del>').format(
                i + 1, _plain(self.base[i]))
        j = int(ref[1:])
        i_or_none = self.base_of.get(j)
        if side == "insert" or i_or_none is None:
            return Markup('<ins class="note" data-note-change="inserted">'
                          '<span class="note-number">{}</span> {}</ins>').format(
                j + 1, _plain(self.head[j]))
        i = i_or_none
        was = (Markup(' title="{}"').format(labels["was_note"].format(n=i + 1))
               if i != j else Markup(""))
        if self.base[i] == self.head[j]:
            return Markup('<span class="note" data-note-change="none"{}>'
                          '<span class="note-number">{}</span> {}</span>').format(
                was, j + 1, _plain(self.head[j]))
        body = _render_segments(word_diff(self.base[i], self.head[j]), self, labels)
        return Markup('<span class="note" data-note-change="changed"{}>'
                      '<span class="note-number">{}</span> {}</span>').format(was, j + 1, body)


def _plain(tokens: Sequence[str]) -> Markup:
    return escape("".join(tokens))


def _render_run(tokens: Sequence[str], side: Side, notes: _Notes,
                labels: dict[str, str]) -> Markup:
    parts: list[Markup] = []
    text: list[str] = []

    def flush() -> None:
        if not text:
            return
        piece = escape("".join(text))
        if side == "delete":
            piece = Markup("<del>{}</del>").format(piece)
        elif side == "insert":
            piece = Markup("<ins>{}</ins>").format(piece)
        parts.append(piece)
        text.clear()

    for token in tokens:
        if is_note_call(token):
            flush()
            parts.append(notes.render(token[1:-1], side, labels))
        else:
            text.append(token)
    flush()
    return Markup("").join(parts)


def _render_segments(segments: list[tuple[Op, list[str], list[str]]], notes: _Notes,
                     labels: dict[str, str]) -> Markup:
    parts: list[Markup] = []
    for op, before, after in segments:
        if op == "equal":
            parts.append(_render_run(after, "equal", notes, labels))
            continue
        if before:
            parts.append(_render_run(before, "delete", notes, labels))
        if after:
            parts.append(_render_run(after, "insert", notes, labels))
    return Markup("").join(parts)


_ELEMENT = {"para": "p", "item": "p", "quote": "p", "caption": "p", "row": "p",
            "source": "p", "code": "pre"}


def _render_block(block: Block, body: Markup, status: str, anchor: str) -> Markup:
    tag = f"h{min(block.level + 1, 6)}" if block.kind == "heading" else _ELEMENT[block.kind]
    classes = f"{block.kind} {status}".strip()
    ident = Markup(' id="{}"').format(anchor) if anchor else Markup("")
    label = (Markup('<span class="label">{}</span> ').format(block.label)
             if block.label else Markup(""))
    indent = (Markup(' style="margin-left: {}em"').format(1.5 * (block.level - 1))
              if block.kind == "item" and block.level > 1 else Markup(""))
    return Markup('<{tag} class="{classes}"{ident}{indent}>{label}{body}</{tag}>\n').format(
        tag=Markup(tag), classes=classes, ident=ident, indent=indent, label=label, body=body)


@dataclass
class EditionRedline:
    lang: str
    body: Markup
    changes: int


def redline_edition(lang: str, base: EditionText | None, head: EditionText | None,
                    labels: dict[str, str]) -> EditionRedline:
    """The text of an edition with its changes marked, notes shown where called."""
    base = base or EditionText(lang, (), ())
    head = head or EditionText(lang, (), ())
    notes = _Notes.aligned(base.notes, head.notes)

    def remap(tokens: tuple[str, ...], ref: Callable[[int], str]) -> tuple[str, ...]:
        return tuple(note_call(ref(int(t[1:-1]))) if is_note_call(t) else t for t in tokens)

    old = [dataclasses.replace(b, tokens=remap(b.tokens, notes.base_ref)) for b in base.blocks]
    new = [dataclasses.replace(b, tokens=remap(b.tokens, lambda j: f"h{j}"))
           for b in head.blocks]
    parts: list[Markup] = []
    changes = 0
    for i, j in align([b.tokens for b in old], [b.tokens for b in new], threshold=0.4):
        if i is not None and j is not None:
            a, b = old[i], new[j]
            if a.tokens == b.tokens:
                touched = any(is_note_call(t) and notes.changed(t[1:-1]) for t in b.tokens)
                segments: list[tuple[Op, list[str], list[str]]] = [
                    ("equal", list(a.tokens), list(b.tokens))]
                status = "notes-changed" if touched else ""
            else:
                segments = word_diff(a.tokens, b.tokens)
                status = "changed"
            block = b
        elif j is not None:
            block, segments, status = new[j], [("insert", [], list(new[j].tokens))], "inserted"
        else:
            assert i is not None
            block, segments, status = old[i], [("delete", list(old[i].tokens), [])], "deleted"
        anchor = ""
        if status:
            changes += 1
            anchor = f"change-{changes}"
        body = _render_segments(segments, notes, labels)
        parts.append(_render_block(block, body, status, anchor))
    return EditionRedline(lang, Markup("").join(parts), changes)


# ---------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SourceChange:
    key: str
    title: str
    status: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class FigureChange:
    id: str
    title: str
    status: Literal["added", "removed", "changed"]
    data_changed: bool = False
    spec_changed: bool = False
    cells: tuple[CellChange, ...] = ()


@dataclass(frozen=True)
class StaleTranslation:
    lang: str
    chapter: str  # the translated chapter's file name (or the source's, when missing)
    source: str
    status: str
    before: str  # the status in the old revision ("" when it had no such chapter)
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class WordCount:
    lang: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


def _entry_title(entry: BibEntry) -> str:
    return latex_to_text(entry.fields.get("title", ""))


def compare_sources(base: Bibliography, head: Bibliography) -> list[SourceChange]:
    """Entries added, removed or changed (compared by key, type and fields)."""
    changes = []
    for key in sorted(head.keys() - base.keys()):
        changes.append(SourceChange(key, _entry_title(head.entries[key]), "added"))
    for key in sorted(base.keys() - head.keys()):
        changes.append(SourceChange(key, _entry_title(base.entries[key]), "removed"))
    for key in sorted(base.keys() & head.keys()):
        old, new = base.entries[key], head.entries[key]
        fields = []
        if old.entry_type != new.entry_type:
            fields.append(FieldChange("@type", old.entry_type, new.entry_type))
        for name in sorted(old.fields.keys() | new.fields.keys()):
            before, after = old.fields.get(name), new.fields.get(name)
            if (before or "").strip() != (after or "").strip():
                fields.append(FieldChange(name, before, after))
        if fields:
            changes.append(SourceChange(key, _entry_title(new), "changed", tuple(fields)))
    return changes


def _row_keys(figure: Figure, source_lang: str) -> list[str] | None:
    """Each data row's label (its category), when the labels tell the rows apart."""
    column = figure.text(figure.spec.x, source_lang)
    if column not in figure.table.header:
        return None
    keys = [row[column].strip() for row in figure.table.rows]
    return keys if len(set(keys)) == len(keys) else None


def compare_table(old: Figure, new: Figure, source_lang: str) -> list[CellChange]:
    """The cells that differ, rows matched by their category (else by position)."""
    old_keys, new_keys = _row_keys(old, source_lang), _row_keys(new, source_lang)
    if old_keys is None or new_keys is None:
        old_keys = [f"#{n + 1}" for n in range(len(old.table.rows))]
        new_keys = [f"#{n + 1}" for n in range(len(new.table.rows))]
    old_rows = dict(zip(old_keys, old.table.rows, strict=True))
    new_rows = dict(zip(new_keys, new.table.rows, strict=True))
    columns = list(new.table.header) + [c for c in old.table.header
                                        if c not in new.table.header]
    cells = []
    for key in new_keys + [k for k in old_keys if k not in new_rows]:
        before_row, after_row = old_rows.get(key), new_rows.get(key)
        for column in columns:
            before = before_row.get(column) if before_row is not None else None
            after = after_row.get(column) if after_row is not None else None
            before = before.strip() if before is not None else None
            after = after.strip() if after is not None else None
            if before != after and (before or after):
                cells.append(CellChange(key, column, before, after))
    return cells


def compare_figures(base: Project, head: Project) -> list[FigureChange]:
    source_lang = head.config.languages[0]
    changes = []
    for figure_id in sorted(base.figures.keys() | head.figures.keys()):
        old, new = base.figures.get(figure_id), head.figures.get(figure_id)
        shown = new or old
        assert shown is not None
        title = shown.text(shown.spec.title, source_lang)
        if old is None:
            changes.append(FigureChange(figure_id, title, "added"))
        elif new is None:
            changes.append(FigureChange(figure_id, title, "removed"))
        else:
            cells = compare_table(old, new, source_lang)
            spec_changed = old.spec_path.read_bytes() != new.spec_path.read_bytes()
            if cells or spec_changed:
                changes.append(FigureChange(figure_id, title, "changed", bool(cells),
                                            spec_changed, tuple(cells)))
    return changes


def stale_translations(base: Project, head: Project) -> list[StaleTranslation]:
    """Translated chapters that are stale (or missing) in the new revision, with their
    status in the old one."""
    def key(item: TranslationStatus) -> tuple[str, str]:
        return (item.lang, item.source.path.name)

    before = {key(s): s.status for s in statuses(base)}
    rows = []
    for item in statuses(head):
        if item.status not in ("stale", "missing"):
            continue
        chapter = item.translation.path.name if item.translation else item.source.path.name
        rows.append(StaleTranslation(
            item.lang, chapter, item.source.path.name, item.status, before.get(key(item), ""),
            tuple(f"{p.line}: {p.excerpt}" for p in item.changed)))
    return rows


# ---------------------------------------------------------------------------
# Revisions from git
# ---------------------------------------------------------------------------

def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "--literal-pathspecs", "-C", str(cwd), *args],
                              input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise BriefError("git is not installed (brief diff compares git revisions)") from None


def _git_message(proc: subprocess.CompletedProcess[bytes]) -> str:
    return " ".join(proc.stderr.decode("utf-8", "replace").split())


@dataclass(frozen=True)
class Repository:
    top: Path  # the work tree's top folder
    prefix: str  # the brief's folder inside it ("" or "path/to/brief/")

    @classmethod
    def find(cls, root: Path) -> Repository:
        if not root.is_dir():
            raise BriefError(f"no such folder: {root}")
        proc = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
        if proc.returncode != 0:
            raise BriefError(f"{root} is not in a git repository (brief diff compares git "
                             f"revisions of the brief)")
        lines = proc.stdout.decode("utf-8").split("\n")
        return cls(Path(lines[0]), lines[1] if len(lines) > 1 else "")

    def commit(self, revision: str) -> str:
        """The commit a revision names, as a full hash."""
        if not revision or revision.startswith("-"):
            raise BriefError(f"unknown revision '{revision}'")
        proc = _git(self.top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{revision}^{{commit}}")
        if proc.returncode != 0:
            raise BriefError(f"unknown revision '{revision}' (not a commit in {self.top})")
        return proc.stdout.decode("ascii").strip()

    def describe(self, commit: str) -> str:
        proc = _git(self.top, "log", "-1", "--format=%h %s", commit)
        return proc.stdout.decode("utf-8", "replace").strip() or commit[:7]

    def extract(self, commit: str, target: Path) -> Path:
        """Write the brief's folder as it is in ``commit`` under ``target``; returns the
        brief's root there. Reads git's objects only: the checkout is not touched."""
        args = ["ls-tree", "-r", "-z", commit]
        if self.prefix:
            args += ["--", self.prefix]
        listing = _git(self.top, *args)
        if listing.returncode != 0:
            raise BriefError(f"cannot list the files of {commit[:7]}: {_git_message(listing)}")
        entries: list[tuple[str, str, str]] = []  # mode, object, path
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, obj = meta.decode("ascii").split(" ")
            if kind == "blob":
                entries.append((mode, obj, os.fsdecode(raw_path)))
        objects = sorted({obj for _, obj, _ in entries})
        batch = _git(self.top, "cat-file", "--batch",
                     stdin="".join(f"{o}\n" for o in objects).encode("ascii"))
        if batch.returncode != 0:
            raise BriefError(f"cannot read the files of {commit[:7]}: {_git_message(batch)}")
        blobs = _parse_batch(batch.stdout)
        base = target.resolve()
        for mode, obj, name in entries:
            path = (base / name).resolve()
            if not path.is_relative_to(base):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                os.symlink(os.fsdecode(blobs[obj]), path)
            else:
                path.write_bytes(blobs[obj])
        return base / self.prefix if self.prefix else base


def _parse_batch(out: bytes) -> dict[str, bytes]:
    """``git cat-file --batch`` output: header line, content, newline; per object."""
    blobs: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii").split(" ")
        pos = end + 1
        if len(header) < 3:  # "<object> missing"
            continue
        size = int(header[2])
        blobs[header[0]] = out[pos:pos + size]
        pos += size + 1
    return blobs


@dataclass
class Revision:
    label: str  # e.g. "HEAD~1 (3c6e0db Add figures)" or "working tree"
    project: Project
    bibliography: Bibliography
    texts: dict[str, EditionText] = field(default_factory=dict)


def _relocated(error: BriefError, revision: str, tree: Path) -> BriefError:
    """An error in an extracted revision, pointing at ``REV:path`` instead of a
    temporary folder."""
    if isinstance(error, BriefErrors):
        return BriefErrors([_relocated(e, revision, tree) for e in error.errors])
    location = error.location
    if location is not None:
        path = location.path.resolve()
        if path.is_relative_to(tree):
            name = f"{revision}:{path.relative_to(tree).as_posix()}"
            location = Location(Path(name), location.line, location.col)
    message = error.message.replace(f"{tree}{os.sep}", f"{revision}:")
    message = message.replace(str(tree), f"{revision}:")
    return type(error)(f"{message} (in revision {revision})", location)


def _load(root: Path, revision: str | None, label: str, where: str) -> Revision:
    tree = root.resolve()
    if revision is not None and not (tree / CONFIG_FILE).is_file():
        raise BriefError(f"revision '{revision}' has no {CONFIG_FILE} in {where} (is it a "
                         f"revision of this brief?)")
    try:
        project, bibliography = load_project(tree)
    except BriefError as exc:
        raise (_relocated(exc, revision, tree) if revision is not None else exc) from None
    return Revision(label, project, bibliography)


def _parse(revision: Revision, lang: str, cache_dir: Path) -> EditionText:
    project = revision.project
    edition = project.edition(lang)
    source_lang = project.config.languages[0]
    messages = load_messages(theme_dir(project.config.theme), project.root, lang, source_lang)
    warnings: list[str] = []
    doc, _ = parse_edition(project, edition, revision.bibliography, resolve_style(project),
                           cache_dir, messages, warnings)
    doc = transform(project, doc)
    if project.config.sources.pdf or project.config.sources.html:
        doc = sources_section.apply(doc, messages("sources"))
    return edition_text(lang, doc)


def _inputs_key(revision: Revision, lang: str) -> str:
    """A digest of everything an edition's parse reads: editions with the same digest
    in both revisions have the same text, and are parsed once."""
    project = revision.project
    digest = hashlib.sha256()
    digest.update(fingerprint(project, project.edition(lang), resolve_style(project)).encode())
    digest.update(f"{lang}\0{project.config.theme}\0".encode())
    locales = project.root / "locales"
    if locales.is_dir():
        for path in sorted(locales.glob("*.yml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _parse_all(revisions: list[Revision], names: list[str | None], work: Path) -> None:
    """Parse every edition of every revision (editions whose inputs did not change
    only once), a few at a time: the time goes into pandoc, in other processes."""
    jobs: dict[str, tuple[int, str]] = {}
    wanted: list[tuple[int, str, str]] = []
    for k, revision in enumerate(revisions):
        for lang in revision.project.config.languages:
            try:
                key = _inputs_key(revision, lang)
            except BriefError as exc:
                raise _error_in(exc, names[k], revision) from None
            jobs.setdefault(key, (k, lang))
            wanted.append((k, lang, key))

    def run(job: tuple[int, str]) -> EditionText:
        k, lang = job
        try:
            return _parse(revisions[k], lang, work / f"cache-{k}")
        except BriefError as exc:
            raise _error_in(exc, names[k], revisions[k]) from None

    with ThreadPoolExecutor(max_workers=min(4, max(1, len(jobs)))) as pool:
        results = dict(zip(jobs, pool.map(run, jobs.values()), strict=True))
    for k, lang, key in wanted:
        revisions[k].texts[lang] = results[key]


def _error_in(error: BriefError, name: str | None, revision: Revision) -> BriefError:
    return error if name is None else _relocated(error, name, revision.project.root)


# ---------------------------------------------------------------------------
# Interface strings of the report
# ---------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Changes",
        "before": "Before",
        "after": "After",
        "working_tree": "working tree (uncommitted changes included)",
        "summary": "Summary",
        "legend": "Insertions are underlined in green, deletions struck through in red. "
                  "Notes stand in brackets where they are called, numbered as in the newer "
                  "revision; a note that only moved to another number is not a change.",
        "sources": "Sources",
        "sources_counts": "{added} added, {removed} removed, {changed} changed",
        "no_sources": "No sources added, removed or changed.",
        "key": "Key",
        "source_title": "Title",
        "change": "Change",
        "field": "Field",
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "figures": "Figures",
        "no_figures": "No figure data changed.",
        "figure_data": "data changed",
        "figure_spec": "figure.yml changed",
        "row": "Row",
        "column": "Column",
        "translations": "Translations",
        "no_stale": "No translated chapter is stale.",
        "chapter": "Chapter",
        "translates": "Translates",
        "language": "Language",
        "status": "Status",
        "status_before": "Before",
        "paragraphs": "Source paragraphs changed (line: text)",
        "stale": "stale",
        "missing": "missing",
        "current": "current",
        "untracked": "untracked",
        "none": "—",
        "words": "Word count (text and notes)",
        "edition": "Edition",
        "difference": "Difference",
        "text": "Text",
        "changes": "Changed passages ({n}):",
        "no_changes": "The text of this edition did not change.",
        "was_note": "note {n} before",
    },
    "es": {
        "title": "Cambios",
        "before": "Antes",
        "after": "Después",
        "working_tree": "copia de trabajo (con los cambios sin confirmar)",
        "summary": "Resumen",
        "legend": "Lo añadido va subrayado en verde y lo suprimido tachado en rojo. Las "
                  "notas figuran entre corchetes donde se llaman, numeradas como en la "
                  "revisión más reciente; una nota que solo cambió de número no es un cambio.",
        "sources": "Fuentes",
        "sources_counts": "{added} añadidas, {removed} suprimidas, {changed} modificadas",
        "no_sources": "No se añadió, suprimió ni modificó ninguna fuente.",
        "key": "Clave",
        "source_title": "Título",
        "change": "Cambio",
        "field": "Campo",
        "added": "añadida",
        "removed": "suprimida",
        "changed": "modificada",
        "figures": "Figuras",
        "no_figures": "No cambió ningún dato de las figuras.",
        "figure_data": "datos modificados",
        "figure_spec": "figure.yml modificado",
        "row": "Fila",
        "column": "Columna",
        "translations": "Traducciones",
        "no_stale": "Ningún capítulo traducido está desactualizado.",
        "chapter": "Capítulo",
        "translates": "Traduce",
        "language": "Idioma",
        "status": "Estado",
        "status_before": "Antes",
        "paragraphs": "Párrafos del original modificados (línea: texto)",
        "stale": "desactualizado",
        "missing": "falta",
        "current": "al día",
        "untracked": "sin seguimiento",
        "none": "—",
        "words": "Número de palabras (texto y notas)",
        "edition": "Edición",
        "difference": "Diferencia",
        "text": "Texto",
        "changes": "Pasajes modificados ({n}):",
        "no_changes": "El texto de esta edición no cambió.",
        "was_note": "antes nota {n}",
    },
}


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------

def redline(root: Path, base: str, head: str | None, out_dir: Path | None) -> list[Path]:
    """Compare revision ``base`` of the brief in ``root`` with revision ``head`` (None:
    the working tree) and write ``<out_dir>/diff/<lang>.html`` for every edition
    (``out_dir`` defaults to ``root/build``). Returns the files written.

    The repository's working tree, index and HEAD are left as they are.
    """
    root = root.resolve()
    repo = Repository.find(root)
    base_commit = repo.commit(base)
    head_commit = repo.commit(head) if head is not None else None
    names: list[str | None] = [base, head]
    where = f"'{repo.prefix.rstrip('/')}'" if repo.prefix else "the repository's top folder"
    with tempfile.TemporaryDirectory(prefix="policybrief-diff-") as tmp:
        work = Path(tmp).resolve()
        base_root = repo.extract(base_commit, work / "base")
        old = _load(base_root, base, f"{base} ({repo.describe(base_commit)})", where)
        if head_commit is None:
            new = _load(root, None, "", where)
        else:
            head_root = repo.extract(head_commit, work / "head")
            new = _load(head_root, head, f"{head} ({repo.describe(head_commit)})", where)
        _parse_all([old, new], names, work)
        rendered = _render(old, new, head is None)
    out = (out_dir or root / "build").resolve() / "diff"
    written = []
    for lang, html in rendered:
        target = out / f"{lang}.html"
        write_atomic(target, html.encode("utf-8"))
        written.append(target)
    return written


def _render(old: Revision, new: Revision, working_tree: bool) -> list[tuple[str, str]]:
    langs = list(new.project.config.languages)
    langs += [lang for lang in old.project.config.languages if lang not in langs]
    sources = compare_sources(old.bibliography, new.bibliography)
    figures = compare_figures(old.project, new.project)
    stale = stale_translations(old.project, new.project)
    words = [WordCount(lang,
                       old.texts[lang].words if lang in old.texts else 0,
                       new.texts[lang].words if lang in new.texts else 0) for lang in langs]
    theme = theme_dir(new.project.config.theme)
    pages = []
    for lang in langs:
        ui = lang if lang in LABELS else "en"
        labels = LABELS[ui]
        result = redline_edition(lang, old.texts.get(lang), new.texts.get(lang), labels)
        project = new.project if lang in new.texts else old.project
        edition = project.edition(lang)
        variables: dict[str, Any] = {
            "lang": lang,
            "ui_lang": ui,
            "t": labels,
            "title": edition.title,
            "subtitle": edition.subtitle,
            "base_label": old.label,
            "head_label": labels["working_tree"] if working_tree else new.label,
            "sources": sources,
            "sources_added": sum(1 for s in sources if s.status == "added"),
            "sources_removed": sum(1 for s in sources if s.status == "removed"),
            "sources_changed": sum(1 for s in sources if s.status == "changed"),
            "figures": figures,
            "stale": stale,
            "words": words,
            "changes": result.changes,
            "body": result.body,
        }
        pages.append((lang, render(theme, new.project.root, TEMPLATE, variables)))
    return pages


__all__ = ["EditionText", "edition_text", "redline", "redline_edition"]
