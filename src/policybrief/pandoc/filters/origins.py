"""Where each paragraph of the Word edition came from, written into it as bookmarks,
so ``brief review`` can bring an editor's tracked changes and comments back to the
Markdown.

Pandoc's AST has no source positions, so each Word paragraph (Para, Plain, Header,
notes' paragraphs included) is matched to a Markdown paragraph
(:func:`policybrief.translations.paragraphs`) by its words, in reading order, and
gets an empty Span whose identifier pandoc's DOCX writer makes a bookmark:
``pb_<chapter>_<line>_<fingerprint>`` (``_<n>`` added for the second Word paragraph
of one Markdown paragraph: a list). Word bookmark names are at most 40 letters,
digits and underscores, starting with a letter. A paragraph matching nothing (a
figure caption, the pull quote's copy) gets none.

A citation's text comes from the bibliography, not the chapter: it lies between the
bookmarks ``pbc_<set>_<n>`` and ``pbe_<set>_<n>``. The document properties (pandoc
writes unknown metadata as custom properties) name chapter ``i``'s file
(``policybrief-chapter-<i>``) and citation set ``k``'s keys (``policybrief-cite-<k>``,
separated by ``;``). Used by the DOCX builder only: the other formats never see them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policybrief.pandoc.ast import Node, classes_of, stringify, walk
from policybrief.translations import Paragraph

CHAPTER_PROPERTY = "policybrief-chapter-"
CITE_PROPERTY = "policybrief-cite-"
COMMIT_PROPERTY = "policybrief-commit"
CITE_START = "pbc_"
CITE_END = "pbe_"
MATCH = 0.6  # share of a Word paragraph's words its Markdown paragraph must have
WINDOW = 40  # Markdown paragraphs looked ahead for the next Word paragraph

_BOOKMARK = re.compile(r"pb_(\d+)_(\d+)_([0-9a-f]{8})(?:_\d+)?")
_WORD = re.compile(r"[^\W_]+")
# Markdown that prints no words of its own: attributes, link targets, note calls,
# citations, comments, footnote labels
_MARKUP = re.compile(r"\{[^{}\n]*\}|\]\([^()\s]*(?:\s+\"[^\"]*\")?\)|\[\^[^\]\s]+\]:?|"
                     r"\[[^\[\]]*@[^\[\]]*\]|(?<![\w.])-?@[\w:.#$%&+?<>~/-]*\w|<!--.*?-->",
                     re.S)


@dataclass(frozen=True)
class ParagraphMark:
    """What a paragraph bookmark says: the chapter's number (1-based, see the
    document properties), the paragraph's first line and its fingerprint."""

    chapter: int
    line: int
    fingerprint: str


def parse_bookmark(name: str) -> ParagraphMark | None:
    found = _BOOKMARK.fullmatch(name)
    if found is None:
        return None
    return ParagraphMark(int(found[1]), int(found[2]), found[3])


def markdown_words(text: str) -> list[str]:
    """The words a Markdown paragraph prints (its markup left out), case-folded."""
    return _WORD.findall(_MARKUP.sub(" ", text).casefold())


def printed_words(inlines: list[Node]) -> list[str]:
    """The words of a paragraph's own text: no notes, citations, section numbers or
    cross-references (which the build, not the chapter, wrote)."""
    def written_by_the_build(node: Node) -> list[Node] | None:
        kind = node["t"]
        if kind == "Cite" or "section-number" in classes_of(node) or (
                kind == "Link" and any(c.endswith("-ref") for c in node["c"][0][1])):
            return []
        return None

    own = walk(inlines, written_by_the_build)  # stringify leaves the notes out
    return _WORD.findall(stringify(own).casefold())


def _anchor(name: str) -> Node:
    return {"t": "Span", "c": [[name, [], []], []]}


@dataclass
class _Source:
    chapter: int
    paragraph: Paragraph
    words: Counter[str]


@dataclass(frozen=True)
class _NoteOf:
    """Inside a note of a paragraph from ``parent`` (None: a paragraph not found)."""

    parent: _Source | None


class _Marker:
    """One pass over the document in reading order."""

    def __init__(self, chapters: Sequence[Sequence[Paragraph]]) -> None:
        self.sources = [_Source(index, p, Counter(markdown_words(p.text)))
                        for index, paragraphs in enumerate(chapters, 1) for p in paragraphs]
        self.next = 0  # the Markdown paragraph the previous Word paragraph came from
        self.names: Counter[str] = Counter()
        self.cite_sets: dict[tuple[str, ...], int] = {}
        self.cites = 0

    @staticmethod
    def _score(words: list[str], source: _Source) -> tuple[float, float]:
        common = sum((Counter(words) & source.words).values())
        return common / len(words), common / max(1, sum(source.words.values()))

    def _match(self, words: list[str], note: _NoteOf | None) -> _Source | None:
        """The Markdown paragraph ``words`` come from: the best one ahead in reading
        order; a note's, its paragraph (an inline note) or one of its chapter's."""
        if not words or (note is not None and note.parent is None):
            return None
        best: tuple[tuple[float, float], int] | None = None
        if note is None:
            candidates = range(self.next, min(len(self.sources), self.next + WINDOW))
        else:
            assert note.parent is not None
            candidates = range(len(self.sources))
        for index in candidates:
            source = self.sources[index]
            if note is not None and note.parent is not None and (
                    source.chapter != note.parent.chapter):
                continue
            score = self._score(words, source)
            # further than the next paragraph, only a paragraph that is mostly these
            # words (a table's one-word cell is in many paragraphs)
            near = (index <= self.next + 1 if note is None
                    else source is note.parent)
            if score[0] >= MATCH and (near or score[1] >= MATCH) and (
                    best is None or score > best[0]):
                best = (score, index)
        if best is None:
            return None
        if note is None:
            self.next = best[1]
        return self.sources[best[1]]

    def _name(self, source: _Source) -> str:
        base = f"pb_{source.chapter}_{source.paragraph.line}_{source.paragraph.fingerprint}"
        self.names[base] += 1
        count = self.names[base]
        return base if count == 1 else f"{base}_{count}"

    def blocks(self, blocks: list[Node], note_of: _NoteOf | None = None) -> list[Node]:
        return [self.block(b, note_of) for b in blocks]

    def block(self, node: Node, note_of: _NoteOf | None) -> Node:
        kind = node["t"]
        if kind in ("Para", "Plain"):
            return {"t": kind, "c": self._paragraph(node["c"], note_of)}
        if kind == "Header":
            level, attrs, content = node["c"]
            return {"t": kind, "c": [level, attrs, self._paragraph(content, note_of)]}
        if kind == "Div" and "pull-quote" in classes_of(node):
            return node  # a copy of words a paragraph has
        if kind == "Figure" and any(k == "figure" for k, _v in node["c"][0][2]):
            return node  # drawn from a figure's data and figure.yml, not a chapter
        return {"t": kind, "c": self._nested(node.get("c"), note_of)} if "c" in node else node

    def _paragraph(self, inlines: list[Node], note_of: _NoteOf | None) -> list[Node]:
        """A paragraph's inlines, with its bookmark first when its source is found."""
        source = self._match(printed_words(inlines), note_of)
        name = [_anchor(self._name(source))] if source is not None else []
        parent = source or (note_of.parent if note_of else None)
        return [*name, *self.inlines(inlines, parent)]

    def _nested(self, value: Any, note_of: _NoteOf | None) -> Any:
        """Blocks anywhere inside a container (lists, quotations, divs, tables)."""
        if isinstance(value, list):
            return [self._nested(v, note_of) for v in value]
        if isinstance(value, dict) and "t" in value:
            return self.block(value, note_of)
        return value

    def inlines(self, inlines: list[Node], parent: _Source | None) -> list[Node]:
        out = []
        for node in inlines:
            kind = node["t"]
            if kind == "Cite":
                out.append(self._cite(node))
            elif kind == "Note":
                out.append({"t": "Note", "c": self.blocks(node["c"], _NoteOf(parent))})
            elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript",
                          "Subscript", "SmallCaps"):
                out.append({"t": kind, "c": self.inlines(node["c"], parent)})
            elif kind in ("Span", "Link", "Quoted"):
                head = node["c"][:-1] if kind != "Link" else [node["c"][0]]
                tail = [] if kind != "Link" else [node["c"][2]]
                inner = node["c"][-1] if kind != "Link" else node["c"][1]
                out.append({"t": kind, "c": [*head, self.inlines(inner, parent), *tail]})
            else:
                out.append(node)
        return out

    def _cite(self, node: Node) -> Node:
        citations, content = node["c"]
        keys = tuple(c["citationId"] for c in citations)
        number = self.cite_sets.setdefault(keys, len(self.cite_sets) + 1)
        self.cites += 1
        start = _anchor(f"{CITE_START}{number}_{self.cites}")
        end = _anchor(f"{CITE_END}{number}_{self.cites}")
        if len(content) == 1 and content[0]["t"] == "Note":  # a note style's note
            blocks = [dict(b) for b in content[0]["c"]]
            texts = [i for i, b in enumerate(blocks) if b["t"] in ("Para", "Plain")]
            if texts:
                first, last = texts[0], texts[-1]
                blocks[first] = {**blocks[first], "c": [start, *blocks[first]["c"]]}
                blocks[last] = {**blocks[last], "c": [*blocks[last]["c"], end]}
            return {"t": "Cite", "c": [citations, [{"t": "Note", "c": blocks}]]}
        return {"t": "Cite", "c": [citations, [start, *content, end]]}


def mark(doc: Node, chapters: Sequence[tuple[str, Sequence[Paragraph]]]) -> tuple[Node,
                                                                                   dict[str, str]]:
    """The document with its paragraphs and citations bookmarked, and the document
    properties that say what the numbers in the names stand for. ``chapters``: each
    chapter's path (relative to the project) and Markdown paragraphs, in order."""
    marker = _Marker([paragraphs for _path, paragraphs in chapters])
    marked = {**doc, "blocks": marker.blocks(doc["blocks"])}
    properties = {f"{CHAPTER_PROPERTY}{i}": path for i, (path, _p) in enumerate(chapters, 1)}
    for keys, number in marker.cite_sets.items():
        properties[f"{CITE_PROPERTY}{number}"] = ";".join(keys)
    return marked, properties


__all__ = ["ParagraphMark", "mark", "markdown_words", "parse_bookmark", "printed_words"]
