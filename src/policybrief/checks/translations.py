"""Translations: present, current, and structurally the same as their source.

A translation marked current must match its source: the same citations (key and
locator, in order), notes, figures, pull quotes, headings and list items (parity),
and one paragraph per source paragraph (alignment: an omitted or extra paragraph is
located). A translation that lags its source (stale, untranslated, missing) is a
state the editions print, not an error: a note here, so that a pull request to the
source language never waits for translators. ``brief check --release`` turns those
states into errors (:data:`RELEASE_ERRORS`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.markdown_scan import (
    HEADING,
    citation_groups,
    figure_placements,
    masked,
)
from policybrief.model import Chapter, Project
from policybrief.translated_texts import record_path, recorded, text_statuses
from policybrief.translations import (
    SOURCE_KEY,
    Paragraph,
    TranslationStatus,
    paragraphs,
    source_of,
    statuses,
)

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)]|[ivxlcIVXLC]+[.)]|[a-zA-Z][.)])\s+", re.M)
_PULL_QUOTE = re.compile(r"\{\.pull-quote\}")
_NOTE = re.compile(r"\^\[|\[\^[^\]\s]+\](?!:)")
_KIND = re.compile(r"(#{1,6}\s|:::|\||>|\s{0,3}(?:[-*+]|\d+[.)])\s|!\[)")
_CITE_KEY = re.compile(r"(?<![\w@])@([\w][\w:.#$%&\-+?<>~/]*)")
_DIGITS = re.compile(r"\d+")

# States that fail nothing day to day and fail a release.
RELEASE_ERRORS = frozenset({"translation-stale", "translation-missing",
                            "translation-untranslated", "translation-untracked",
                            "translation-text-stale", "translation-text-untracked"})


def _marks(chapter: Chapter, pattern: re.Pattern[str]) -> list[tuple[str, Location]]:
    text = masked(chapter.text)
    return [(m.group(0).strip(), chapter.location(m.start())) for m in pattern.finditer(text)]


def _compare(name: str, source: list[tuple[str, Location]],
             translation: list[tuple[str, Location]], chapter: Chapter,
             same: Callable[[str, str], bool]) -> Diagnostic | None:
    for index, (want, got) in enumerate(zip(source, translation, strict=False)):
        if not same(want[0], got[0]):
            return Diagnostic("error", f"{name} {index + 1} differs from the source: "
                              f"'{got[0]}' here, '{want[0]}' at "
                              f"{want[1].display(want[1].path.parents[2])}",
                              got[1], "translation-parity")
    if len(source) != len(translation):
        where = translation[len(source)][1] if len(translation) > len(source) else (
            translation[-1][1] if translation else Location(chapter.path, chapter.body_line, 1))
        return Diagnostic("error", f"{len(translation)} {name}s here but {len(source)} in "
                          f"{source[0][1].path.name if source else 'the source'}",
                          where, "translation-parity")
    return None


def parity(source: Chapter, translation: Chapter) -> list[Diagnostic]:
    findings = []
    checks: list[tuple[str, Callable[[Chapter], list[tuple[str, Location]]]]] = [
        ("citation", lambda c: [(g.value, g.location) for g in citation_groups(c)]),
        ("note", lambda c: _marks(c, _NOTE)),
        ("figure", lambda c: [(m.value, m.location) for m in figure_placements(c)]),
        ("pull quote", lambda c: _marks(c, _PULL_QUOTE)),
        ("heading", lambda c: _marks(c, HEADING)),
        ("list item", lambda c: _marks(c, _LIST_ITEM)),
    ]
    for name, extract in checks:
        def same(a: str, b: str, name: str = name) -> bool:
            return a == b if name in ("citation", "figure") else True

        finding = _compare(name, extract(source), extract(translation), translation, same)
        if finding:
            findings.append(finding)
    return findings


def _mapping(project: Project) -> list[Diagnostic]:
    """Every translated chapter translates exactly one source chapter, and no source
    chapter is translated twice in one language."""
    findings = []
    source_edition = project.editions[0]
    for edition in project.editions[1:]:
        seen: dict[str, Chapter] = {}
        for chapter in edition.chapters:
            named = chapter.front_matter.get(SOURCE_KEY)
            source = source_of(source_edition, chapter)
            where = Location(chapter.path, 2 if named else 1, 1)
            if source is None:
                what = (f"translates '{named}', which chapters/{source_edition.lang} does not "
                        "have" if named else f"has no chapter of the same name in "
                        f"chapters/{source_edition.lang} and no '{SOURCE_KEY}'")
                findings.append(Diagnostic("error", f"this chapter {what}", where,
                                           "translation-source"))
            elif source.path.name in seen:
                findings.append(Diagnostic(
                    "error", f"{source.path.name} is translated twice (also by "
                    f"{seen[source.path.name].path.name})", where, "translation-source"))
            else:
                seen[source.path.name] = chapter
    return findings


def _signature(paragraph: Paragraph) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What a paragraph and its translation share: its kind of block, the sources it
    cites and its numbers (digit runs, so 31,243 and 31 243 agree)."""
    kind = _KIND.match(paragraph.text)
    text = masked(paragraph.text)
    return ((kind.group(1).strip()[:2] if kind else "p"),
            tuple(_CITE_KEY.findall(paragraph.text)), tuple(_DIGITS.findall(text)))


def alignment(item: TranslationStatus) -> list[Diagnostic]:
    """A current translation has one paragraph per source paragraph: an omitted or extra
    paragraph (even when another was split, so that the counts agree), found by
    aligning the paragraphs' kinds, citations and numbers."""
    assert item.translation is not None
    source, target = paragraphs(item.source), paragraphs(item.translation)
    name = item.source.path.name
    matcher = difflib.SequenceMatcher(a=[_signature(p) for p in source],
                                      b=[_signature(p) for p in target], autojunk=False)
    findings = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            continue
        if i2 - i1 > j2 - j1:  # source paragraphs with nothing here
            missing = source[i1 + (j2 - j1)]
            where = (Location(item.translation.path, target[j2].line, 1) if j2 < len(target)
                     else Location(item.translation.path, target[-1].line if target else 1, 1))
            findings.append(Diagnostic(
                "error", f"a paragraph is missing before this one: {name}:{missing.line} "
                f"“{missing.excerpt}” has no translation", where, "translation-alignment"))
        else:
            extra = target[j1 + (i2 - i1)]
            findings.append(Diagnostic(
                "error", f"this paragraph has no source paragraph in {name} (an extra "
                f"paragraph: “{extra.excerpt}”)", Location(item.translation.path,
                                                          extra.line, 1),
                "translation-alignment"))
    if not findings and len(source) != len(target):
        last = target[-1].line if target else 1
        findings.append(Diagnostic(
            "error", f"{len(target)} paragraphs here but {len(source)} in {name}: a "
            "paragraph was added or left out", Location(item.translation.path, last, 1),
            "translation-alignment"))
    return findings[:3]


@register("translations")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = _mapping(project)
    for item in statuses(project):
        where = Location(item.translation.path if item.translation else
                         project.root / "chapters" / item.lang, 1, 1)
        if item.status == "missing":
            findings.append(Diagnostic(
                "note", f"no '{item.lang}' translation of {item.source.path.name} yet (the "
                f"{item.lang} edition is printed without it)", Location(
                    project.root / "chapters" / item.lang), "translation-missing", item.lang))
            continue
        assert item.translation is not None
        command = ("brief translations --mark-current "
                   f"{item.translation.path.relative_to(project.root).as_posix()}")
        if item.status == "untranslated":
            findings.append(Diagnostic(
                "note", f"not translated yet (the {item.lang} edition prints the source "
                f"text); translate it, then run '{command}'", where,
                "translation-untranslated", item.lang))
        elif item.status == "untracked":
            findings.extend(parity(item.source, item.translation))
            findings.append(Diagnostic(
                "warning", "translation records no source fingerprints; review it and run "
                f"'{command}'", where, "translation-untracked", item.lang))
        elif item.status == "stale":
            shown = [s for s in item.stale if s.source is not None][:5]
            changed = "; ".join(f"line {s.source.line}: “{s.source.excerpt}”"
                                for s in shown if s.source is not None)
            more = len([s for s in item.stale if s.source is not None]) - len(shown)
            removed = sum(s.kind == "removed" for s in item.stale)
            detail = (f"changed in {item.source.path.name}: {changed}"
                      + (f" and {more} more" if more > 0 else "")) if shown else ""
            if removed:
                detail += ("; " if detail else "") + \
                    f"{removed} paragraphs removed from {item.source.path.name}"
            findings.append(Diagnostic(
                "note", f"translation lags its source ({detail}); 'brief translations' shows "
                "what to revise", where, "translation-stale", item.lang))
        else:
            findings.extend(parity(item.source, item.translation))
            findings.extend(alignment(item))
    return findings + _texts(project)


def _texts(project: Project) -> list[Diagnostic]:
    """Figure texts, brief.yml's translations and bibliography language fields: stale
    where their source text changed since they were recorded (notes, like chapters)."""
    findings: list[Diagnostic] = []
    for edition in project.editions[1:]:
        lang = edition.lang
        found = text_statuses(project, lang)
        record = record_path(project, lang).relative_to(project.root).as_posix()
        untracked = [s for s in found if s.status == "untracked"]
        if untracked and recorded(project, lang) is None:
            files = sorted({s.field.file for s in untracked})
            findings.append(Diagnostic(
                "note", f"{len(untracked)} translated texts outside the chapters record no "
                f"source yet ({', '.join(files)}); review them, then run 'brief translations "
                f"--lang {lang} --mark-current {' '.join(files)}' (writes {record})",
                Location(project.root / "chapters" / lang), "translation-text-untracked",
                lang))
            untracked = []
        for status in untracked:
            findings.append(Diagnostic(
                "note", f"{status.field.key.split(' ', 1)[1]} ({lang}) records no source "
                f"text yet; review it, then run 'brief translations --lang {lang} "
                f"--mark-current {status.field.file}'", status.field.location,
                "translation-text-untracked", lang))
        for status in found:
            if status.status == "stale":
                now = " ".join(status.field.source.split())
                now = now if len(now) <= 60 else now[:57] + "..."
                findings.append(Diagnostic(
                    "note", f"translated from an earlier source text; the source now reads "
                    f"“{now}” (then 'brief translations --lang {lang} --mark-current "
                    f"{status.field.file}')", status.field.location,
                    "translation-text-stale", lang))
    return findings


def for_release(findings: list[Diagnostic]) -> list[Diagnostic]:
    """``--release``: every edition current and in parity, so the states are errors."""
    from dataclasses import replace

    return [replace(f, severity="error") if f.rule in RELEASE_ERRORS else f
            for f in findings]
