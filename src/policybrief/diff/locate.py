"""Where each block of an edition's text stands in its sources (``file:line``), so a
reviewer goes from a changed passage to the line to edit.

Pandoc's AST keeps no source positions, so a block is found by a run of its first
words in the files its text comes from: the edition's chapters in reading order (the
search goes on from where the block before was found, so a repeated phrase is found
where it stands), the figures' ``figure.yml`` (captions) and the bibliography (the
Sources section). Words only are compared (letters and digits, case folded), so the
typography the build adds (quotation marks, dashes) does not matter, and what the
build puts in that the source does not hold (section numbers, "Figure 3",
citations as notes) is skipped: a run may start a few words in, and citations and
link targets are blanked out of the chapters before the search.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policybrief.diff.flatten import Block, EditionText, is_note_call
from policybrief.markdown_scan import CITATION, blank, masked
from policybrief.model import Project

_WORD = re.compile(r"[^\W_]+")  # "_emphasis_" is the word "emphasis"
_LONGEST_RUN = 6  # words compared at most
_SKIPPED = 4  # words of a block's start the sources may lack ("II.", "Figure 3:")


@dataclass
class _Corpus:
    """The words of some source files, in order, with where each stands."""

    names: list[str] = field(default_factory=list)
    lines: list[list[int]] = field(default_factory=list)  # per file: offsets of lines
    first_line: list[int] = field(default_factory=list)  # per file: line of its text
    words: list[str] = field(default_factory=list)
    where: list[tuple[int, int]] = field(default_factory=list)  # per word: file, offset
    index: dict[str, list[int]] = field(default_factory=dict)  # word -> positions

    def add(self, name: str, text: str, first_line: int = 1) -> None:
        number = len(self.names)
        self.names.append(name)
        self.first_line.append(first_line)
        self.lines.append([0] + [m.end() for m in re.finditer("\n", text)])
        for match in _WORD.finditer(text):
            self.index.setdefault(match.group(0).casefold(), []).append(len(self.words))
            self.words.append(match.group(0).casefold())
            self.where.append((number, match.start()))

    def find(self, run: Sequence[str], start: int) -> int | None:
        """The first position at or after ``start`` (then from the beginning) where
        the words of ``run`` stand one after another."""
        found = self.index.get(run[0], [])
        first = bisect.bisect_left(found, start)
        for position in [*found[first:], *found[:first]]:
            if tuple(self.words[position:position + len(run)]) == tuple(run):
                return position
        return None

    def place(self, position: int) -> str:
        number, offset = self.where[position]
        line = bisect.bisect_right(self.lines[number], offset) - 1 + self.first_line[number]
        return f"{self.names[number]}:{line}"


def _block_words(block: Block) -> list[str]:
    """The block's first words (note calls are notes, not text)."""
    text = "".join(" " if is_note_call(t) else t for t in block.tokens)
    words = []
    for match in _WORD.finditer(text):
        words.append(match.group(0).casefold())
        if len(words) == _LONGEST_RUN + _SKIPPED:
            break
    return words


def _find(corpus: _Corpus, words: list[str], start: int) -> int | None:
    """Longer runs first; each from the block's first word, then a few words in."""
    for length in range(min(_LONGEST_RUN, len(words)), 0, -1):
        for skip in range(min(_SKIPPED, len(words) - length + 1)):
            if length == 1 and (skip or len(words) > 1):
                continue  # one word alone names a one-word block only
            found = corpus.find(words[skip:skip + length], start)
            if found is not None:
                return found
    return None


def block_places(project: Project, text: EditionText, revision: str | None) -> list[str]:
    """``file:line`` for every block of ``text`` (an edition of ``project``), "" where
    none is found; files are relative to the brief's folder, prefixed ``REV:`` for a
    revision read from git (``revision``; None for the working tree)."""
    prefix = f"{revision}:" if revision is not None else ""

    def name(path: Path) -> str:
        return prefix + path.resolve().relative_to(project.root.resolve()).as_posix()

    chapters, figures, sources = _Corpus(), _Corpus(), _Corpus()
    try:
        edition = project.edition(text.lang)
    except KeyError:
        return ["" for _ in text.blocks]
    for chapter in edition.chapters:
        words_only = blank(masked(chapter.text), [CITATION])
        chapters.add(name(chapter.path), words_only, chapter.body_line)
    for figure in sorted(project.figures.values(), key=lambda f: f.id):
        figures.add(name(figure.spec_path),
                    figure.spec_path.read_text(encoding="utf-8", errors="replace"))
    bibliography = project.bibliography.path
    if bibliography.is_file():
        sources.add(name(bibliography),
                    bibliography.read_text(encoding="utf-8", errors="replace"))
    order = {"caption": (figures, chapters, sources), "source": (sources, chapters)}
    places = []
    cursor = 0
    for block in text.blocks:
        words = _block_words(block)
        place = ""
        for corpus in order.get(block.kind, (chapters, figures, sources)) if words else ():
            found = _find(corpus, words, cursor if corpus is chapters else 0)
            if found is not None:
                place = corpus.place(found)
                if corpus is chapters:
                    cursor = found + 1
                break
        places.append(place)
    return places


__all__ = ["block_places"]
