"""Translations: present, current, and structurally the same as their source.

Parity is an error: the same citations (key and locator, in order), notes,
figures, pull quotes, headings and list items in a translated chapter as in the
chapter it translates. A stale translation (its source changed since it was
marked current) is a warning naming the changed source paragraphs.
"""

from __future__ import annotations

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
from policybrief.translations import SOURCE_KEY, source_of, statuses

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)]|[ivxlcIVXLC]+[.)]|[a-zA-Z][.)])\s+", re.M)
_PULL_QUOTE = re.compile(r"\{\.pull-quote\}")
_NOTE = re.compile(r"\^\[|\[\^[^\]\s]+\](?!:)")


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


@register("translations")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = _mapping(project)
    for item in statuses(project):
        if item.status == "missing":
            findings.append(Diagnostic(
                "error", f"no '{item.lang}' translation of {item.source.path.name}",
                Location(project.root / "chapters" / item.lang), "translation-missing"))
            continue
        assert item.translation is not None
        command = ("brief translations --mark-current "
                   f"{item.translation.path.relative_to(project.root).as_posix()}")
        if item.status == "untranslated":
            findings.append(Diagnostic(
                "warning", f"not translated yet (the {item.lang} edition prints the source "
                f"text); translate it, then run '{command}'",
                Location(item.translation.path, 1, 1), "translation-untranslated"))
            continue
        findings.extend(parity(item.source, item.translation))
        if item.status == "untracked":
            findings.append(Diagnostic(
                "warning", "translation records no source fingerprints; review it and run "
                f"'{command}'", Location(item.translation.path, 1, 1), "translation-untracked"))
        elif item.status == "stale":
            changed = "; ".join(f"line {p.line}: “{p.excerpt}”" for p in item.changed[:5])
            more = f" and {len(item.changed) - 5} more" if len(item.changed) > 5 else ""
            detail = f" changed paragraphs in {item.source.path.name}: {changed}{more}" \
                if item.changed else f" paragraphs were removed from {item.source.path.name}"
            findings.append(Diagnostic(
                "warning", f"translation is stale;{detail}",
                Location(item.translation.path, 1, 1), "translation-stale"))
    return findings
