"""Every footnote reference has a definition and every definition is referenced.

Labels are unique across the chapters of an edition: pandoc reads an edition's
chapters as one document (so "ibid." works across chapter boundaries).

Each chapter is read a fixed number of times whatever its number of notes (a pull
request may bring 100,000), and a limit no real brief reaches is refused with a
located error: :data:`MAX_NOTES` notes in a chapter (the bibliography's own limit,
``MAX_SOURCES``, is refused when it is read, before it is parsed).
"""

from __future__ import annotations

import re

from policybrief.bibliography import BibEntry, latex_to_text
from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import (
    CITATION,
    Mark,
    closing_brackets,
    code_masked,
    note_definitions,
    note_references,
)
from policybrief.model import Chapter, Project

MAX_NOTES = 20_000  # notes in one chapter (footnotes and inline notes); the flagship's
# busiest chapter has about 150

_INLINE_NOTE = re.compile(r"\^\[")
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:(.*(?:\n(?: {4}|\t).*|\n\s*$)*)", re.M)


def inline_notes(chapter: Chapter) -> list[tuple[str, int]]:
    """The text and offset of every inline note ``^[...]`` (brackets balanced)."""
    starts = list(_INLINE_NOTE.finditer(code_masked(chapter.text)))
    if not starts:
        return []
    closing = closing_brackets(chapter.text)
    end = len(chapter.text)
    return [(chapter.text[match.end():closing.get(match.end() - 1, end)], match.start())
            for match in starts]


def definition_texts(chapter: Chapter) -> dict[str, tuple[str, int]]:
    """``[^label]: text`` definitions with their (indented) continuation lines."""
    out = {}
    for match in _DEFINITION.finditer(code_masked(chapter.text)):
        out[match.group(1)] = (chapter.text[match.start(2):match.end(2)], match.start())
    return out


class _Titles:
    """Long source titles, to find notes that type one by hand instead of citing it;
    indexed by their first characters, so each note is read once, not once per source."""

    PREFIX = 16  # a title shorter than this, as text, is not a long title

    def __init__(self, entries: dict[str, BibEntry]) -> None:
        self.keys: dict[str, str] = {}
        for key, entry in entries.items():
            raw = entry.fields.get("title", "")
            if len(raw) >= 24:
                title = _title_text(raw)
                if len(title) >= self.PREFIX:
                    self.keys[title] = key  # (a title two sources share: the last)
        self.order = {title: index for index, title in enumerate(self.keys)}
        self.index: dict[str, list[str]] = {}
        for title in self.keys:
            self.index.setdefault(title[:self.PREFIX], []).append(title)

    def typed_in(self, prose: str) -> list[tuple[str, str]]:
        """(title, key) of every title ``prose`` holds, in the bibliography's order."""
        found: set[str] = set()
        get, width = self.index.get, self.PREFIX
        for at in range(len(prose) - width + 1):
            candidates = get(prose[at:at + width])
            if candidates:
                found.update(t for t in candidates if prose.startswith(t, at))
        return [(title, self.keys[title]) for title in sorted(found, key=self.order.__getitem__)]


_PLAIN_TITLE = re.compile(r"[\w \t\n,.:;()!?/-]*")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def _title_text(raw: str) -> str:
    """A title as text; without LaTeX to decode (no braces, backslashes, quotes, dashes
    or ellipses), the decoder's answer is the title with its spaces collapsed, found
    without it (it takes a third of a millisecond a title)."""
    if _PLAIN_TITLE.fullmatch(raw) and not any(s in raw for s in ("_", "--", "...")):
        return _SPACES.sub(" ", raw).strip()
    return latex_to_text(raw)


def _refers_to_itself(label: str, text: str) -> bool:
    """Whether a note's text holds a reference ``[^label]`` (not a definition) to it."""
    needle = f"[^{label}]"
    at = text.find(needle)
    while at >= 0 and text.startswith(":", at + len(needle)):
        at = text.find(needle, at + 1)
    return at >= 0


def _content_checks(chapter: Chapter, titles: _Titles) -> list[Diagnostic]:
    findings = []
    notes = [(text, offset) for text, offset in inline_notes(chapter)]
    definitions = definition_texts(chapter)
    notes += list(definitions.values())
    for text, offset in notes:
        where = chapter.location(offset)
        if not text.strip():
            findings.append(Diagnostic("error", "empty note", where, "note-empty"))
            continue
        prose = CITATION.sub(" ", text)
        for _title, key in titles.typed_in(prose):
            findings.append(Diagnostic(
                "warning", f"this note types the title of source '{key}' by hand; "
                f"cite it as [@{key}]", where, "note-hand-typed"))
    for label, (text, offset) in definitions.items():
        if _refers_to_itself(label, text):
            findings.append(Diagnostic("error", f"footnote [^{label}] refers to itself",
                                       chapter.location(offset), "note-loop"))
    return findings


def _too_many_notes(chapter: Chapter, refs: list[Mark], defs: list[Mark]) -> Diagnostic | None:
    """The chapter's notes over :data:`MAX_NOTES`, located at the first note too many
    (every reference makes a note, even to one definition; so does every inline one)."""
    inline = [m.start() for m in _INLINE_NOTE.finditer(code_masked(chapter.text))]
    marks = refs if len(refs) >= len(defs) else defs
    if len(inline) + len(marks) <= MAX_NOTES:
        return None
    located = sorted([*(chapter.location(offset) for offset in inline),
                      *(mark.location for mark in marks)])
    return Diagnostic(
        "error", f"this chapter has {len(located):,} notes; the limit is {MAX_NOTES:,} a "
        "chapter (this is the first note over it)", located[MAX_NOTES], "limit-notes")


@register("notes")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
    # long source titles, to find notes that type one by hand instead of citing it
    titles = _Titles(bibliography.entries)
    for edition in project.editions:
        first_seen: dict[str, str] = {}
        for chapter in edition.chapters:
            refs = list(note_references(chapter))
            defs = list(note_definitions(chapter))
            over = _too_many_notes(chapter, refs, defs)
            if over:  # one error, not one for each of 100,000 notes
                findings.append(over)
                continue
            defined = {d.value for d in defs}
            referenced = {r.value for r in refs}
            seen: set[str] = set()
            for mark in defs:
                if mark.value in seen:
                    findings.append(Diagnostic(
                        "error", f"footnote [^{mark.value}] is defined twice",
                        mark.location, "note-duplicate"))
                seen.add(mark.value)
                if mark.value not in referenced:
                    findings.append(Diagnostic(
                        "error", f"footnote [^{mark.value}] is defined but never referenced",
                        mark.location, "note-unreferenced"))
            for mark in defs:
                other = first_seen.setdefault(mark.value, chapter.path.name)
                if other != chapter.path.name:
                    findings.append(Diagnostic(
                        "error", f"footnote label [^{mark.value}] is also used in {other}; "
                        "labels must be unique across the chapters of an edition",
                        mark.location, "note-duplicate"))
            findings += _content_checks(chapter, titles)
            for mark in refs:
                if mark.value not in defined:
                    findings.append(Diagnostic(
                        "error", f"footnote reference [^{mark.value}] has no definition",
                        mark.location, "note-undefined"))
    return findings
