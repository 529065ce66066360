"""Keeping translated editions in step with the source language.

A translated chapter records, in its front matter, what it translates, the date of
the source text it was made from, and a fingerprint of every source paragraph, in
order::

    ---
    translation-of: 01-executive-summary.md
    source-date: 2026-11-30
    source-paragraphs: [3f2a9c1e, 77b0d2aa, ...]
    ---

The n-th paragraph of a translation translates the n-th recorded fingerprint. When
the source changes, the recorded list is aligned with the source's paragraphs as
they are now: a fingerprint that no longer appears marks a changed or removed
paragraph, and a paragraph whose fingerprint was never recorded is new. So each
stale paragraph is known with the translated paragraph it corresponds to, and no
history is needed (git, when there is one, supplies the old wording for a word diff).

A stale translation is a state, not an error (Sphinx's gettext flow: changed text
is fuzzy, the edition still builds from its own words); ``brief check --release``
requires every edition current.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import subprocess
from collections.abc import Iterator
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
DATE_KEY = "source-date"  # when the source text it translates was marked current
UNTRANSLATED_KEY = "untranslated"  # set by `brief add-language`: still the source's text


@dataclass(frozen=True)
class Paragraph:
    line: int  # 1-based line in the chapter file
    text: str
    offset: int = 0  # where it starts in the chapter's text

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @property
    def excerpt(self) -> str:
        words = " ".join(self.text.split())
        return words if len(words) <= 60 else words[:57] + "..."


def fingerprint(text: str) -> str:
    """Eight hex digits of the text with its white space normalised (a rewrap is not
    a change)."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class StaleParagraph:
    """One difference between the source as translated and the source now.

    ``kind``: ``changed`` (``source`` replaced the paragraph recorded as ``old``),
    ``added`` (a new source paragraph: no translation yet) or ``removed`` (the
    translated paragraph ``target`` has no source any more)."""

    kind: Literal["changed", "added", "removed"]
    source: Paragraph | None  # the source paragraph now
    old: str  # the fingerprint recorded when the translation was marked current
    target: Paragraph | None  # the translated paragraph it corresponds to


@dataclass
class TranslationStatus:
    lang: str
    source: Chapter
    translation: Chapter | None
    status: Status
    changed: list[Paragraph] = field(default_factory=list)  # source paragraphs, now
    stale: list[StaleParagraph] = field(default_factory=list)
    based_on: str = ""  # the recorded source date (ISO), when there is one

    @property
    def aligned(self) -> bool:
        """Whether the translation has one paragraph per recorded source paragraph."""
        if self.translation is None:
            return False
        recorded = self.translation.front_matter.get(PARAGRAPHS_KEY)
        return isinstance(recorded, list) and \
            len(recorded) == len(paragraphs(self.translation))


BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")  # a paragraph: lines up to a blank one


def paragraphs(chapter: Chapter) -> list[Paragraph]:
    """Blocks separated by blank lines, with the file line where each starts."""
    out = []
    for match in BLOCK.finditer(chapter.text):
        block = match.group(0).strip()
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        out.append(Paragraph(chapter.location(start).line, block, start))
    return out


def source_of(source_edition: Edition, chapter: Chapter) -> Chapter | None:
    name = str(chapter.front_matter.get(SOURCE_KEY) or chapter.path.name)
    return next((c for c in source_edition.chapters if c.path.name == name), None)


def recorded_fingerprints(chapter: Chapter) -> list[str] | None:
    recorded = chapter.front_matter.get(PARAGRAPHS_KEY)
    return [str(h) for h in recorded] if isinstance(recorded, list) else None


def differences(recorded: list[str], source: list[Paragraph],
                target: list[Paragraph]) -> list[StaleParagraph]:
    """The source's changes since ``recorded``, each with its translated paragraph
    (the n-th translated paragraph translates the n-th recorded one)."""
    def target_at(index: int) -> Paragraph | None:
        return target[index] if len(target) == len(recorded) and index < len(target) \
            else None

    now = [p.fingerprint for p in source]
    out: list[StaleParagraph] = []
    matcher = difflib.SequenceMatcher(a=recorded, b=now, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            old_index, new_index = i1 + k, j1 + k
            if old_index < i2 and new_index < j2:
                out.append(StaleParagraph("changed", source[new_index], recorded[old_index],
                                          target_at(old_index)))
            elif new_index < j2:
                out.append(StaleParagraph("added", source[new_index], "", None))
            else:
                out.append(StaleParagraph("removed", None, recorded[old_index],
                                          target_at(old_index)))
    return out


def statuses(project: Project) -> list[TranslationStatus]:
    source_edition = project.editions[0]
    result = []
    for edition in project.editions[1:]:
        by_source: dict[str, Chapter] = {}
        for chapter in edition.chapters:
            source = source_of(source_edition, chapter)
            if source is not None:
                by_source[source.path.name] = chapter
        for source in source_edition.chapters:
            found = by_source.get(source.path.name)
            if found is None:
                result.append(TranslationStatus(edition.lang, source, None, "missing"))
                continue
            chapter = found
            based_on = str(chapter.front_matter.get(DATE_KEY) or "")
            if chapter.front_matter.get(UNTRANSLATED_KEY) is True:
                result.append(TranslationStatus(edition.lang, source, chapter, "untranslated",
                                                based_on=based_on))
                continue
            recorded = recorded_fingerprints(chapter)
            if recorded is None:
                result.append(TranslationStatus(edition.lang, source, chapter, "untracked"))
                continue
            stale = differences(recorded, paragraphs(source), paragraphs(chapter))
            changed = [s.source for s in stale if s.source is not None]
            result.append(TranslationStatus(edition.lang, source, chapter,
                                            "stale" if stale else "current", changed, stale,
                                            based_on))
    return result


def edition_statuses(project: Project, lang: str) -> list[TranslationStatus]:
    return [s for s in statuses(project) if s.lang == lang]


def lagging(project: Project, lang: str) -> tuple[bool, str]:
    """Whether the ``lang`` edition is (partly) behind its source, and the oldest source
    date it is based on ("" when unrecorded): what the edition's colophon says."""
    behind = [s for s in edition_statuses(project, lang)
              if s.status in ("stale", "untranslated", "missing")]
    dates = sorted(s.based_on for s in behind if s.based_on)
    return bool(behind), dates[0] if dates else ""


def today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch and epoch.isdigit()
            else dt.datetime.now(tz=dt.UTC))
    return when.date().isoformat()


def _translated_chapter(project: Project, path: Path) -> tuple[Chapter, Chapter]:
    """The translated chapter at ``path`` and the source chapter it translates."""
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
            return chapter, source
    raise SourceError("not a chapter of a translated edition", Location(path))


def _rewrite_front_matter(path: Path, update: dict[str, object],
                          drop: tuple[str, ...] = ()) -> None:
    from policybrief.writer import write_atomic

    text = read_text(path)
    front, body, _ = split_front_matter(path, text)
    for key in drop:
        front.pop(key, None)
    # what it translates, as of when, then the paragraphs; the rest as it was
    ordered = {key: update.get(key, front.get(key))
               for key in (SOURCE_KEY, DATE_KEY, PARAGRAPHS_KEY) if key in update or key in front}
    front = {**ordered, **{k: v for k, v in front.items() if k not in ordered}}
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88,
                            default_flow_style=None)
    write_atomic(path, f"---\n{header}---\n{body}".encode())


def mark_current(project: Project, path: Path, line: int | None = None) -> str:
    """Record a reviewed translation as current with its source: the whole chapter, or
    (``line``) only the translated paragraph at that line. Returns what was done."""
    chapter, source = _translated_chapter(project, path)
    if line is None:
        _rewrite_front_matter(chapter.path, {
            SOURCE_KEY: source.path.name, DATE_KEY: today(),
            PARAGRAPHS_KEY: [p.fingerprint for p in paragraphs(source)]},
            drop=(UNTRANSLATED_KEY,))  # reviewed: a translation now
        return f"marked current: {chapter.path}"
    recorded = recorded_fingerprints(chapter)
    where = Location(chapter.path, line, 1)
    if recorded is None or chapter.front_matter.get(UNTRANSLATED_KEY) is True:
        raise SourceError("this chapter records no source paragraphs yet: mark the whole "
                          "chapter current first", where)
    target = paragraphs(chapter)
    index = next((i for i, p in enumerate(target)
                  if p.line <= line < p.line + p.text.count("\n") + 1), None)
    if index is None:
        raise SourceError("no paragraph at this line", where)
    if len(target) != len(recorded):
        raise SourceError(f"{len(target)} paragraphs here but {len(recorded)} in the source "
                          "as translated: add or remove paragraphs to match, then mark the "
                          "whole chapter current", where)
    found = next((s for s in differences(recorded, paragraphs(source), target)
                  if s.target is not None and s.target.line == target[index].line), None)
    if found is None:
        return f"already current: {chapter.path}:{target[index].line}"
    if found.kind == "removed" or found.source is None:
        raise SourceError("its source paragraph was removed: delete this paragraph, then "
                          "mark the chapter current", where)
    recorded[index] = found.source.fingerprint
    _rewrite_front_matter(chapter.path, {PARAGRAPHS_KEY: recorded})
    return f"marked current: {chapter.path}:{target[index].line}"


def word_diff(old: str, new: str) -> str:
    """``[-removed-]{+added+}`` between two texts, word by word (git's --word-diff)."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(a[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def old_wording(root: Path, source: Chapter, wanted: set[str]) -> dict[str, str]:
    """The text of source paragraphs by their old fingerprints, from the file's git
    history (empty outside git or when the history does not have them)."""
    found: dict[str, str] = {}
    if not wanted:
        return found
    relative = source.path.resolve().relative_to(root.resolve()).as_posix()
    try:
        log = subprocess.run(["git", "log", "--format=%H", "-n", "200", "--", relative],
                             cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return found
    for commit in log.split():
        try:  # "./": from the brief's folder, which may be inside a larger repository
            text = subprocess.run(["git", "show", f"{commit}:./{relative}"], cwd=root,
                                  capture_output=True, check=True).stdout.decode("utf-8",
                                                                                 "replace")
        except (OSError, subprocess.CalledProcessError):
            continue
        _, body, _ = _split_quietly(source.path, text)
        for match in BLOCK.finditer(body):
            block = match.group(0).strip()
            key = fingerprint(block)
            if key in wanted and key not in found:
                found[key] = block
        if wanted <= found.keys():
            break
    return found


def _split_quietly(path: Path, text: str) -> tuple[dict[str, object], str, int]:
    try:
        return split_front_matter(path, text)
    except SourceError:
        return {}, text, 1


def _relative(project: Project, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def table(project: Project) -> str:
    """The translation status as a plain-text table."""
    rows = [("chapter", "language", "status", "source paragraphs changed")]
    for item in statuses(project):
        name = item.translation.path.name if item.translation else item.source.path.name
        changed = ", ".join(f"line {p.line}" for p in item.changed) or "-"
        if item.status == "stale" and not item.changed:
            changed = "paragraphs removed"
        rows.append((name, item.lang, item.status, changed))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
             for r in rows]
    return "\n".join(lines)


def stale_report(project: Project, langs: list[str] | None = None) -> Iterator[str]:
    """Each stale paragraph: the source's word diff (old wording from git when it can be
    found) and the translated paragraph to revise, each at its ``file:line``."""
    for item in statuses(project):
        if item.status != "stale" or (langs and item.lang not in langs):
            continue
        assert item.translation is not None
        old = old_wording(project.root, item.source, {s.old for s in item.stale if s.old})
        for stale in item.stale:
            if stale.source is not None:
                head = f"{_relative(project, item.source.path)}:{stale.source.line}: {stale.kind}"
            else:
                head = f"{_relative(project, item.source.path)}: removed"
            yield head
            if stale.kind == "changed":
                before = old.get(stale.old)
                assert stale.source is not None
                yield "  source: " + (word_diff(before, stale.source.text) if before else
                                      f"(earlier wording not in git history) "
                                      f"{' '.join(stale.source.text.split())}")
            elif stale.kind == "added":
                assert stale.source is not None
                yield "  source: {+" + " ".join(stale.source.text.split()) + "+}"
            elif stale.old in old:
                yield "  source: [-" + " ".join(old[stale.old].split()) + "-]"
            if stale.target is not None:
                yield (f"  {item.lang}: {_relative(project, item.translation.path)}:"
                       f"{stale.target.line}: {' '.join(stale.target.text.split())}")
            else:
                yield f"  {item.lang}: (no paragraph yet in " \
                      f"{_relative(project, item.translation.path)})"
