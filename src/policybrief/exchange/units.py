"""What a translator gets for one language: one unit per source paragraph.

Each unit pairs a paragraph of a source chapter as it is now with the paragraph of
the translation that corresponds to it (by the fingerprints the translation
recorded), and says where both stand: ``new`` (nothing translated), ``translated``
(translated, never reviewed against this source), ``stale`` (translated from an
earlier wording) or ``current``. Paragraphs with no words (a figure placement, a
``:::`` line) are not units: they are kept as they are.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from policybrief.exchange.segments import Part, number_codes, segment, words
from policybrief.model import Chapter, Project
from policybrief.translations import (
    UNTRANSLATED_KEY,
    Paragraph,
    paragraphs,
    recorded_fingerprints,
    source_of,
)

State = Literal["new", "translated", "stale", "current"]


@dataclass
class Unit:
    id: str  # "<source chapter file>:p<n>", n counting the source's paragraphs from 1
    chapter: str  # the source chapter's file name
    index: int  # 0-based paragraph index in the source chapter
    source: Paragraph
    source_parts: list[Part]
    target: Paragraph | None
    target_parts: list[Part] | None
    state: State
    location: str  # "chapters/en/02-findings.md:16", the translator's context


@dataclass
class ChapterPlan:
    """A source chapter, its translation (if any) and how their paragraphs pair."""

    source: Chapter
    translation: Chapter | None
    source_paragraphs: list[Paragraph]
    target_paragraphs: list[Paragraph]
    target_of: dict[int, int]  # source paragraph index -> translated paragraph index
    current: set[int]  # source paragraph indexes whose translation is current


def plan(project: Project, lang: str, source: Chapter) -> ChapterPlan:
    edition = next(e for e in project.editions if e.lang == lang)
    translation = next((c for c in edition.chapters
                        if source_of(project.editions[0], c) is source), None)
    sources = paragraphs(source)
    if translation is None:
        return ChapterPlan(source, None, sources, [], {}, set())
    targets = paragraphs(translation)
    recorded = recorded_fingerprints(translation)
    if translation.front_matter.get(UNTRANSLATED_KEY) is True:
        # still a copy of the source (brief add-language): same paragraphs, none translated
        pairs = {i: i for i in range(min(len(sources), len(targets)))}
        return ChapterPlan(source, translation, sources, targets, pairs, set())
    if recorded is None or len(recorded) != len(targets):
        # no record, or paragraphs added or removed by hand: pair by position
        pairs = {i: i for i in range(min(len(sources), len(targets)))} \
            if len(sources) == len(targets) else {}
        return ChapterPlan(source, translation, sources, targets, pairs, set())
    now = [p.fingerprint for p in sources]
    pairs, current = {}, set()
    matcher = difflib.SequenceMatcher(a=recorded, b=now, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(min(i2 - i1, j2 - j1)):
            pairs[j1 + k] = i1 + k
            if op == "equal":
                current.add(j1 + k)
    return ChapterPlan(source, translation, sources, targets, pairs, current)


def units(project: Project, lang: str) -> list[Unit]:
    out = []
    for source in project.editions[0].chapters:
        chapter_plan = plan(project, lang, source)
        relative = source.path.resolve().relative_to(project.root.resolve()).as_posix()
        translated = chapter_plan.translation is not None and \
            chapter_plan.translation.front_matter.get(UNTRANSLATED_KEY) is not True
        for index, paragraph in enumerate(chapter_plan.source_paragraphs):
            source_parts = segment(paragraph.text)
            if not any(ch.isalpha() for ch in words(source_parts)):
                continue
            target_index = chapter_plan.target_of.get(index)
            target = (chapter_plan.target_paragraphs[target_index]
                      if target_index is not None and translated else None)
            target_parts = segment(target.text) if target else None
            number_codes(source_parts, target_parts)
            state: State = ("new" if target is None else
                            "current" if index in chapter_plan.current else
                            "translated" if recorded_fingerprints(
                                chapter_plan.translation) is None  # type: ignore[arg-type]
                            else "stale")
            out.append(Unit(f"{source.path.name}:p{index + 1}", source.path.name, index,
                            paragraph, source_parts, target, target_parts, state,
                            f"{relative}:{paragraph.line}"))
    return out
