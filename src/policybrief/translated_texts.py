"""The translated texts outside the chapters, kept in step like chapter paragraphs.

A figure's title, alt text, caption, axis labels and category labels; the
``translations.<lang>`` block of ``brief.yml``; a source's ``title-es`` and other
language fields in ``references.bib``. Each was translated from a source-language
text; ``chapters/<lang>/translated-texts.yml`` records a fingerprint of that text per
field, so a field whose source text changed since is *stale* (a note, like a stale
paragraph; ``--release`` makes it an error) and names both texts::

    figures/workers/figure.yml alt: 5d1c20aa
    brief.yml translations.es.title: 0b3e9f41
    references.bib ilo-1930 title-es: 77c1d2e0

``brief translations --mark-current figures/workers/figure.yml`` (or ``brief.yml``,
``references.bib``) records the fields of that file as current.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from policybrief.errors import Location, SourceError
from policybrief.model import Project
from policybrief.textfiles import read_text
from policybrief.translations import fingerprint

TEXTS_FILE = "translated-texts.yml"
_FIGURE_TEXTS = ("title", "alt", "caption", "x_label", "y_label")
_FIGURE_COLUMNS = ("x", "labels", "color_by")
_CONFIG_TEXTS = ("title", "subtitle", "description", "rights")


@dataclass(frozen=True)
class TextField:
    key: str  # "<file> <field>", as the record names it
    file: str  # the project-relative file it stands in
    source: str  # the source language's text now
    target: str  # the translation
    location: Location  # where the translation stands
    # where the translation stands in its file: a YAML key path (figure.yml, brief.yml)
    # or ("@bib", entry key, field name) for references.bib
    path: tuple[str | int, ...] = ()


def _figure_fields(project: Project, lang: str) -> Iterator[TextField]:
    source_lang = project.editions[0].lang
    for figure_id in sorted(project.figures):
        figure = project.figures[figure_id]
        file = figure.spec_path.relative_to(project.root).as_posix()
        for name in _FIGURE_TEXTS:
            value = getattr(figure.spec, name)
            if isinstance(value, dict) and value.get(lang):
                yield TextField(f"{file} {name}", file, value.get(source_lang, ""),
                                value[lang], figure.where(name, lang), (name, lang))
        for group in ("series", "columns"):  # legend names, table headers: per column
            for column, value in sorted(getattr(figure.spec, group).items()):
                if isinstance(value, dict) and value.get(lang):
                    yield TextField(f"{file} {group}.{column}", file,
                                    value.get(source_lang, ""), value[lang],
                                    figure.where(group, column, lang), (group, column, lang))
        for name in _FIGURE_COLUMNS:
            value = getattr(figure.spec, name)
            if isinstance(value, dict) and value.get(lang) and value.get(source_lang):
                column = [row.get(value[source_lang], "") for row in figure.table.rows]
                translated = [row.get(value[lang], "") for row in figure.table.rows]
                yield TextField(f"{file} {name}", file, "\n".join(column),
                                "\n".join(translated), figure.where(name, lang))


def _config_fields(project: Project, lang: str) -> Iterator[TextField]:
    over = project.config.translations.get(lang)
    if over is None:
        return
    base = project.config

    def field(name: str, source: str, target: str | None, *where: str | int) -> \
            Iterator[TextField]:
        if target:
            yield TextField(f"brief.yml translations.{lang}.{name}", "brief.yml", source,
                            target, project.config_location("translations", lang, *where),
                            ("translations", lang, *where))

    for name in _CONFIG_TEXTS:
        yield from field(name, getattr(base, name) or "", getattr(over, name), name)
    if over.keywords:
        yield from field("keywords", "\n".join(base.keywords), "\n".join(over.keywords),
                         "keywords")
    for index, author in enumerate(over.authors or []):
        source = base.authors[index].role if index < len(base.authors) else ""
        yield from field(f"authors.{index}.role", source, author.role, "authors", index,
                         "role")
    if over.organization and base.organization:
        text, org = over.organization, base.organization
        yield from field("organization.name", org.name, text.name, "organization", "name")
        yield from field("organization.unit", org.unit or "", text.unit, "organization",
                         "unit")
        if text.address:
            yield from field("organization.address", "\n".join(org.address),
                             "\n".join(text.address), "organization", "address")


def _bibliography_fields(project: Project, lang: str) -> Iterator[TextField]:
    file = project.bibliography.path.relative_to(project.root).as_posix() \
        if project.bibliography.path.is_relative_to(project.root) else "references.bib"
    suffix = f"-{lang}"
    for key in sorted(project.bibliography.entries):
        entry = project.bibliography.entries[key]
        for name in sorted(entry.fields):
            base = name[:-len(suffix)]
            if name.endswith(suffix) and base in entry.fields and base != "langid":
                yield TextField(f"{file} {key} {name}", file, entry.fields[base],
                                entry.fields[name], entry.field_location(name),
                                ("@bib", key, name))


def text_fields(project: Project, lang: str) -> list[TextField]:
    """Every translated text of ``lang`` outside the chapters."""
    return [*_figure_fields(project, lang), *_config_fields(project, lang),
            *_bibliography_fields(project, lang)]


def record_path(project: Project, lang: str) -> Path:
    return project.root / "chapters" / lang / TEXTS_FILE


def recorded(project: Project, lang: str) -> dict[str, str] | None:
    """The record of ``lang`` (None when there is none yet)."""
    path = record_path(project, lang)
    if not path.is_file():
        return None
    data = yaml.safe_load(read_text(path)) or {}
    if not isinstance(data, dict):
        raise SourceError("must be a mapping of 'file field' to a fingerprint",
                          Location(path, 1, 1))
    return {str(k): str(v) for k, v in data.items()}


@dataclass(frozen=True)
class TextStatus:
    field: TextField
    status: str  # "current", "stale", "untracked"


def text_statuses(project: Project, lang: str) -> list[TextStatus]:
    record = recorded(project, lang) or {}
    out = []
    for item in text_fields(project, lang):
        known = record.get(item.key)
        status = ("untracked" if known is None else
                  "current" if known == fingerprint(item.source) else "stale")
        out.append(TextStatus(item, status))
    return out


def recorded_as_current(project: Project, lang: str, fields: list[TextField]) -> bytes:
    """The record of ``lang`` with ``fields`` recorded as current (to be written)."""
    record = recorded(project, lang) or {}
    for item in fields:
        record[item.key] = fingerprint(item.source)
    header = ("# The source texts these translations were made from (brief "
              "translations --mark-current writes it)\n")
    body = yaml.safe_dump(dict(sorted(record.items())), allow_unicode=True, width=1000)
    return (header + body).encode()


def mark_texts_current(project: Project, file: str, langs: list[str]) -> int:
    """Record the texts of ``file`` (``figures/x/figure.yml``, ``brief.yml``,
    ``references.bib``; "" for all) as current in each language; how many fields."""
    from policybrief.writer import write_atomic

    count = 0
    for lang in langs:
        fields = [f for f in text_fields(project, lang) if not file or f.file == file]
        if not fields:
            continue
        count += len(fields)
        path = record_path(project, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, recorded_as_current(project, lang, fields))
    return count
