"""Keeping translated editions in step with the source language.

A translated chapter records, in its front matter, what it translates and a
fingerprint of every source paragraph it was made from::

    ---
    translation-of: 01-executive-summary.md
    source-paragraphs: [3f2a9c1e, 77b0d2aa, ...]
    ---

A source paragraph whose fingerprint is not in that list has changed (or is new)
since the translation was last marked current, so the translation is *stale* and
the report names the paragraph. No history is needed: the fingerprints are enough.
``brief translations --mark-current FILE`` records a reviewed translation as current.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from policybrief.chapters import split_front_matter
from policybrief.errors import Location, SourceError
from policybrief.model import Chapter, Edition, Project
from policybrief.textfiles import read_text

Status = Literal["current", "stale", "untracked", "untranslated", "missing"]
SOURCE_KEY = "translation-of"
PARAGRAPHS_KEY = "source-paragraphs"
UNTRANSLATED_KEY = "untranslated"  # set by `brief add-language`: still the source's text


@dataclass(frozen=True)
class Paragraph:
    line: int  # 1-based line in the chapter file
    text: str

    @property
    def fingerprint(self) -> str:
        normal = " ".join(self.text.split())
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:8]

    @property
    def excerpt(self) -> str:
        words = " ".join(self.text.split())
        return words if len(words) <= 60 else words[:57] + "..."


@dataclass
class TranslationStatus:
    lang: str
    source: Chapter
    translation: Chapter | None
    status: Status
    changed: list[Paragraph] = field(default_factory=list)


def paragraphs(chapter: Chapter) -> list[Paragraph]:
    """Blocks separated by blank lines, with the file line where each starts."""
    out = []
    for match in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", chapter.text):
        block = match.group(0).strip()
        line = chapter.location(match.start()).line
        out.append(Paragraph(line, block))
    return out


def source_of(source_edition: Edition, chapter: Chapter) -> Chapter | None:
    name = str(chapter.front_matter.get(SOURCE_KEY) or chapter.path.name)
    return next((c for c in source_edition.chapters if c.path.name == name), None)


def statuses(project: Project) -> list[TranslationStatus]:
    source_edition = project.editions[0]
    result = []
    for edition in project.editions[1:]:
        translated = {id(c): c for c in edition.chapters}
        by_source: dict[str, Chapter] = {}
        for chapter in translated.values():
            source = source_of(source_edition, chapter)
            if source is not None:
                by_source[source.path.name] = chapter
        for source in source_edition.chapters:
            found = by_source.get(source.path.name)
            if found is None:
                result.append(TranslationStatus(edition.lang, source, None, "missing"))
                continue
            chapter = found
            if chapter.front_matter.get(UNTRANSLATED_KEY) is True:
                result.append(TranslationStatus(edition.lang, source, chapter, "untranslated"))
                continue
            recorded = chapter.front_matter.get(PARAGRAPHS_KEY)
            if not isinstance(recorded, list):
                result.append(TranslationStatus(edition.lang, source, chapter, "untracked"))
                continue
            known = {str(h) for h in recorded}
            current = paragraphs(source)
            changed = [p for p in current if p.fingerprint not in known]
            removed = len(known - {p.fingerprint for p in current})
            stale = bool(changed) or removed > 0
            result.append(TranslationStatus(edition.lang, source, chapter,
                                            "stale" if stale else "current", changed))
    return result


def mark_current(project: Project, path: Path) -> Path:
    """Record the current source paragraphs in a translated chapter's front matter."""
    path = path.resolve()
    source_edition = project.editions[0]
    for edition in project.editions[1:]:
        for chapter in edition.chapters:
            if chapter.path.resolve() != path:
                continue
            source = source_of(source_edition, chapter)
            if source is None:
                raise SourceError(f"cannot tell which chapter this translates; add "
                                  f"'{SOURCE_KEY}: <file>' to its front matter",
                                  Location(path, 1, 1))
            text = read_text(path)
            front, body, _ = split_front_matter(path, text)
            front[SOURCE_KEY] = source.path.name
            front.pop(UNTRANSLATED_KEY, None)  # reviewed: a translation now
            front[PARAGRAPHS_KEY] = [p.fingerprint for p in paragraphs(source)]
            header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88,
                                    default_flow_style=None)
            from policybrief.writer import write_atomic

            write_atomic(path, f"---\n{header}---\n{body}".encode())
            return path
    raise SourceError("not a chapter of a translated edition", Location(path))


def table(project: Project) -> str:
    """The translation status as a plain-text table."""
    rows = [("chapter", "language", "status", "source paragraphs changed")]
    for item in statuses(project):
        name = item.translation.path.name if item.translation else item.source.path.name
        changed = ", ".join(f"line {p.line}" for p in item.changed) or "-"
        rows.append((name, item.lang, item.status, changed))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
             for r in rows]
    return "\n".join(lines)
