"""Every footnote reference has a definition and every definition is referenced.

Labels are unique across the chapters of an edition: pandoc reads an edition's
chapters as one document (so "ibid." works across chapter boundaries).
"""

from __future__ import annotations

import re

from policybrief.bibliography import latex_to_text
from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import (
    CITATION,
    code_masked,
    note_definitions,
    note_references,
)
from policybrief.model import Chapter, Project

_INLINE_NOTE = re.compile(r"\^\[")
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:(.*(?:\n(?: {4}|\t).*|\n\s*$)*)", re.M)


def inline_notes(chapter: Chapter) -> list[tuple[str, int]]:
    """The text and offset of every inline note ``^[...]`` (brackets balanced)."""
    notes = []
    for match in _INLINE_NOTE.finditer(code_masked(chapter.text)):
        depth, index = 0, match.end() - 1
        while index < len(chapter.text):
            depth += {"[": 1, "]": -1}.get(chapter.text[index], 0)
            if depth == 0:
                break
            index += 1
        notes.append((chapter.text[match.end():index], match.start()))
    return notes


def definition_texts(chapter: Chapter) -> dict[str, tuple[str, int]]:
    """``[^label]: text`` definitions with their (indented) continuation lines."""
    out = {}
    for match in _DEFINITION.finditer(code_masked(chapter.text)):
        out[match.group(1)] = (chapter.text[match.start(2):match.end(2)], match.start())
    return out


def _content_checks(chapter: Chapter, titles: dict[str, str]) -> list[Diagnostic]:
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
        for title, key in titles.items():
            if title in prose:
                findings.append(Diagnostic(
                    "warning", f"this note types the title of source '{key}' by hand; "
                    f"cite it as [@{key}]", where, "note-hand-typed"))
    for label, (text, offset) in definitions.items():
        if re.search(rf"\[\^{re.escape(label)}\](?!:)", text):
            findings.append(Diagnostic("error", f"footnote [^{label}] refers to itself",
                                       chapter.location(offset), "note-loop"))
    return findings


@register("notes")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
    # long source titles, to find notes that type one by hand instead of citing it
    titles = {latex_to_text(e.fields["title"]): key for key, e in bibliography.entries.items()
              if len(e.fields.get("title", "")) >= 24}
    for edition in project.editions:
        first_seen: dict[str, str] = {}
        for chapter in edition.chapters:
            refs = list(note_references(chapter))
            defs = list(note_definitions(chapter))
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
