"""The summary above each edition's redline: sources added, removed or changed;
figures whose data or figure.yml changed, with the cells before and after;
translated chapters made stale; word counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from policybrief.bibliography import BibEntry, Bibliography, latex_to_text
from policybrief.diff.flatten import EditionText
from policybrief.figures.spec import Figure
from policybrief.model import Project
from policybrief.translations import TranslationStatus, statuses


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SourceChange:
    key: str
    title: str
    status: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class FigureChange:
    id: str
    title: str
    status: Literal["added", "removed", "changed"]
    data_changed: bool = False
    spec_changed: bool = False
    cells: tuple[CellChange, ...] = ()


@dataclass(frozen=True)
class StaleTranslation:
    lang: str
    chapter: str  # the translated chapter's file name (or the source's, when missing)
    source: str
    status: str
    before: str  # the status in the old revision ("" when it had no such chapter)
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class WordCount:
    lang: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


def _entry_title(entry: BibEntry) -> str:
    return latex_to_text(entry.fields.get("title", ""))


def compare_sources(base: Bibliography, head: Bibliography) -> list[SourceChange]:
    """Entries added, removed or changed (compared by key, type and fields)."""
    changes = []
    for key in sorted(head.keys() - base.keys()):
        changes.append(SourceChange(key, _entry_title(head.entries[key]), "added"))
    for key in sorted(base.keys() - head.keys()):
        changes.append(SourceChange(key, _entry_title(base.entries[key]), "removed"))
    for key in sorted(base.keys() & head.keys()):
        old, new = base.entries[key], head.entries[key]
        fields = []
        if old.entry_type != new.entry_type:
            fields.append(FieldChange("@type", old.entry_type, new.entry_type))
        for name in sorted(old.fields.keys() | new.fields.keys()):
            before, after = old.fields.get(name), new.fields.get(name)
            if (before or "").strip() != (after or "").strip():
                fields.append(FieldChange(name, before, after))
        if fields:
            changes.append(SourceChange(key, _entry_title(new), "changed", tuple(fields)))
    return changes


def _row_keys(figure: Figure, source_lang: str) -> list[str] | None:
    """Each data row's label (its category), when the labels tell the rows apart."""
    column = figure.text(figure.spec.x, source_lang)
    if column not in figure.table.header:
        return None
    keys = [row[column].strip() for row in figure.table.rows]
    return keys if len(set(keys)) == len(keys) else None


def compare_table(old: Figure, new: Figure, source_lang: str) -> list[CellChange]:
    """The cells that differ, rows matched by their category (else by position)."""
    old_keys, new_keys = _row_keys(old, source_lang), _row_keys(new, source_lang)
    if old_keys is None or new_keys is None:
        old_keys = [f"#{n + 1}" for n in range(len(old.table.rows))]
        new_keys = [f"#{n + 1}" for n in range(len(new.table.rows))]
    old_rows = dict(zip(old_keys, old.table.rows, strict=True))
    new_rows = dict(zip(new_keys, new.table.rows, strict=True))
    columns = list(new.table.header) + [c for c in old.table.header
                                        if c not in new.table.header]
    cells = []
    for key in new_keys + [k for k in old_keys if k not in new_rows]:
        before_row, after_row = old_rows.get(key), new_rows.get(key)
        for column in columns:
            before = before_row.get(column) if before_row is not None else None
            after = after_row.get(column) if after_row is not None else None
            before = before.strip() if before is not None else None
            after = after.strip() if after is not None else None
            if before != after and (before or after):
                cells.append(CellChange(key, column, before, after))
    return cells


def compare_figures(base: Project, head: Project, lang: str | None = None) -> list[FigureChange]:
    """Figures added, removed or changed, titled and their rows named in ``lang`` (the
    redline's edition; the source language's texts where a figure has none in it)."""
    source_lang = lang or head.config.languages[0]
    changes = []
    for figure_id in sorted(base.figures.keys() | head.figures.keys()):
        old, new = base.figures.get(figure_id), head.figures.get(figure_id)
        shown = new or old
        assert shown is not None
        title = (shown.text(shown.spec.title, source_lang)
                 or shown.text(shown.spec.title, head.config.languages[0]))
        if old is None:
            changes.append(FigureChange(figure_id, title, "added"))
        elif new is None:
            changes.append(FigureChange(figure_id, title, "removed"))
        else:
            cells = compare_table(old, new, source_lang)
            spec_changed = old.spec_path.read_bytes() != new.spec_path.read_bytes()
            if cells or spec_changed:
                changes.append(FigureChange(figure_id, title, "changed", bool(cells),
                                            spec_changed, tuple(cells)))
    return changes


def stale_translations(base: Project, head: Project) -> list[StaleTranslation]:
    """Translated chapters that are stale (or missing) in the new revision, with their
    status in the old one."""
    def key(item: TranslationStatus) -> tuple[str, str]:
        return (item.lang, item.source.path.name)

    before = {key(s): s.status for s in statuses(base)}
    rows = []
    for item in statuses(head):
        if item.status not in ("stale", "missing"):
            continue
        chapter = item.translation.path.name if item.translation else item.source.path.name
        rows.append(StaleTranslation(
            item.lang, chapter, item.source.path.name, item.status, before.get(key(item), ""),
            tuple(f"{p.line}: {p.excerpt}" for p in item.changed)))
    return rows


def word_counts(langs: Sequence[str], base: Mapping[str, EditionText],
                head: Mapping[str, EditionText]) -> list[WordCount]:
    """Each edition's words (text and notes) in both revisions (0 where it is absent)."""
    return [WordCount(lang, base[lang].words if lang in base else 0,
                      head[lang].words if lang in head else 0) for lang in langs]


__all__ = ["CellChange", "FieldChange", "FigureChange", "SourceChange", "StaleTranslation",
           "WordCount", "compare_figures", "compare_sources", "compare_table",
           "stale_translations", "word_counts"]
