"""The redline of one edition, as HTML: its text with ``<ins>`` and ``<del>`` marks,
every note shown where it is called (numbered as in the newer revision)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup, escape

from policybrief.diff.align import Op, align, word_diff
from policybrief.diff.flatten import Block, EditionText, is_note_call, note_call

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
            # no number: the old one now belongs to another note
            i = int(ref[1:]) if ref.startswith("b") else self.base_of[int(ref[1:])]
            return Markup('<span class="note" data-note-change="deleted">'
                          '<span class="note-label">{}</span> <del>{}</del></span>').format(
                labels["deleted_note"], _plain(self.base[i]))
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


def _render_block(block: Block, body: Markup, status: str, anchor: str,
                  where: Markup) -> Markup:
    tag = f"h{min(block.level + 1, 6)}" if block.kind == "heading" else _ELEMENT[block.kind]
    classes = f"{block.kind} {status}".strip()
    ident = Markup(' id="{}"').format(anchor) if anchor else Markup("")
    label = (Markup('<span class="label">{}</span> ').format(block.label)
             if block.label else Markup(""))
    indent = (Markup(' style="margin-left: {}em"').format(1.5 * (block.level - 1))
              if block.kind == "item" and block.level > 1 else Markup(""))
    return Markup('<{tag} class="{classes}"{ident}{indent}>{label}{body}{where}</{tag}>\n'
                  ).format(tag=Markup(tag), classes=classes, ident=ident, indent=indent,
                           label=label, body=body, where=where)


def _where(place: str, labels: dict[str, str]) -> Markup:
    """The passage's ``file:line`` as a label (no editor's URL scheme is assumed)."""
    if not place:
        return Markup("")
    return Markup(' <span class="where" dir="ltr" title="{}">{}</span>').format(
        labels["where"], place)


@dataclass
class EditionRedline:
    lang: str
    body: Markup
    changes: int


def redline_edition(lang: str, base: EditionText | None, head: EditionText | None,
                    labels: dict[str, str], base_places: Sequence[str] = (),
                    head_places: Sequence[str] = ()) -> EditionRedline:
    """The text of an edition with its changes marked, notes shown where called; each
    changed block labelled with its ``file:line`` (``*_places``, one per block: a
    deleted block where it stood in the old revision, the others in the new)."""
    base = base or EditionText(lang, (), ())
    head = head or EditionText(lang, (), ())

    def place(places: Sequence[str], index: int) -> str:
        return places[index] if index < len(places) else ""

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
            block, where = b, place(head_places, j)
        elif j is not None:
            block, segments, status = new[j], [("insert", [], list(new[j].tokens))], "inserted"
            where = place(head_places, j)
        else:
            assert i is not None
            block, segments, status = old[i], [("delete", list(old[i].tokens), [])], "deleted"
            where = place(base_places, i)
        anchor = ""
        if status:
            changes += 1
            anchor = f"change-{changes}"
        body = _render_segments(segments, notes, labels)
        parts.append(_render_block(block, body, status, anchor,
                                   _where(where, labels) if status else Markup("")))
    return EditionRedline(lang, Markup("").join(parts), changes)


__all__ = ["EditionRedline", "redline_edition"]
