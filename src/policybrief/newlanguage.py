"""``brief add-language xx``: a new edition, ready for its translator, in one command.

It adds the code to brief.yml's ``languages`` with a ``translations`` block to fill
(title, subtitle, authors' roles, the organisation's name and address, in the source
language until translated); creates ``chapters/xx/`` with one file per source chapter
(the source text, its ``translation-of`` and ``untranslated: true``, so the checks
report it as not yet translated, never as a current translation); gives every
figure's per-language texts and columns an ``xx`` entry (the source's text, and a
copy of the source column in data.csv); and lists what remains to translate. Files
are edited where the entries stand, so comments and layout are kept.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policybrief.config.loader import known_language
from policybrief.config.schema import LANGUAGE_CODE
from policybrief.errors import ConfigError, Location
from policybrief.project import load_project
from policybrief.textfiles import read_text
from policybrief.translations import SOURCE_KEY, UNTRANSLATED_KEY
from policybrief.writer import write_atomic


@dataclass
class Added:
    """What the command wrote, and what is left for the translator."""

    lang: str
    written: list[Path] = field(default_factory=list)
    to_translate: list[str] = field(default_factory=list)


def _content_end(text: str, node: yaml.Node) -> int:
    """Where a value's own text ends: a block value's end mark is already at the start
    of the next line, and an insertion there would join two lines."""
    index = node.end_mark.index
    while index > 0 and text[index - 1] in " \t\r\n":
        index -= 1
    return index


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar


def _insertions(text: str, langs: set[str], source: str, new: str,
                columns: set[str]) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """Where to add ``new`` to each per-language mapping of a YAML file (offset, text),
    and the data columns to copy (source column, new column)."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    edits: list[tuple[int, str]] = []
    copies: list[tuple[str, str]] = []
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.SequenceNode):
            pending += node.value
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        keys = {k.value for k, _v in node.value if isinstance(k, yaml.ScalarNode)}
        if source in keys and keys <= langs and new not in keys:
            value = next(v for k, v in node.value if k.value == source)
            given = str(value.value) if isinstance(value, yaml.ScalarNode) else ""
            if given in columns:  # a column per language: the translator fills a copy
                stem = given[: -len(source) - 1] if given.endswith(f"_{source}") else given
                given_new = f"{stem}_{new}"
                copies.append((given, given_new))
                given = given_new
            entry = _quoted(given)
            if node.flow_style:
                edits.append((node.end_mark.index - 1, f", {new}: {entry}"))
            else:
                last = node.value[-1][1]
                indent = " " * node.value[0][0].start_mark.column
                edits.append((_content_end(text, last), f"\n{indent}{new}: {entry}"))
            continue
        pending += [v for _k, v in node.value]
    return edits, copies


def _apply(text: str, edits: list[tuple[int, str]]) -> str:
    for offset, piece in sorted(edits, reverse=True):
        text = text[:offset] + piece + text[offset:]
    return text


def _add_columns(path: Path, copies: list[tuple[str, str]]) -> str:
    rows = list(csv.reader(io.StringIO(read_text(path), newline="")))
    header = rows[0]
    for old, new in copies:
        if new in header:
            continue
        index = header.index(old)
        header.append(new)
        for row in rows[1:]:
            row.append(row[index] if index < len(row) else "")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _brief_yml(text: str, source_langs: list[str], new: str, title: str,
               subtitle: str, roles: list[tuple[str, str]],
               organization: tuple[str, list[str]] | None) -> str:
    """brief.yml with ``new`` in ``languages`` and a ``translations.new`` block."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(root, yaml.MappingNode)
    edits: list[tuple[int, str]] = []
    translations = next((v for k, v in root.value if k.value == "translations"), None)
    step = 2
    if isinstance(translations, yaml.MappingNode) and translations.value \
            and not translations.flow_style:
        step = translations.value[0][0].start_mark.column or 2
    pad, inner = " " * step, " " * (2 * step)
    block = [f"{pad}{new}:", f"{inner}title: {_quoted(title)}"]
    if subtitle:
        block.append(f"{inner}subtitle: {_quoted(subtitle)}")
    if roles:
        block.append(f"{inner}authors:")
        block += [f"{inner}{pad}- {{name: {_quoted(n)}, role: {_quoted(r)}}}"
                  for n, r in roles]
    if organization:
        name, address = organization
        block.append(f"{inner}organization: {{name: {_quoted(name)}, "
                     f"address: [{', '.join(_quoted(a) for a in address)}]}}")
    for key, value in root.value:
        if key.value == "languages":
            if isinstance(value, yaml.SequenceNode) and value.flow_style:
                edits.append((value.end_mark.index - 1, f", {new}"))
            elif isinstance(value, yaml.SequenceNode) and value.value:
                item = value.value[-1]
                indent = " " * (item.start_mark.column - 2)
                edits.append((_content_end(text, item), f"\n{indent}- {new}"))
            else:
                raise ConfigError("cannot add to 'languages': write it as a list",
                                  Location(Path("brief.yml"), key.start_mark.line + 1))
    if isinstance(translations, yaml.MappingNode) and translations.value \
            and not translations.flow_style:
        edits.append((_content_end(text, translations.value[-1][1]),
                      "\n" + "\n".join(block)))
        return _apply(text, edits)
    if translations is not None:  # "translations: {}" or another form: not edited by hand
        raise ConfigError("cannot add to 'translations' as it is written: make it a block "
                          "of languages, or remove it", Location(Path("brief.yml"),
                                                                 translations.start_mark.line + 1))
    text = _apply(text, edits)
    return text.rstrip("\n") + "\ntranslations:\n" + "\n".join(block) + "\n"


def add_language(root: Path, lang: str) -> Added:
    """Add the edition in ``lang``; nothing is written if anything is refused."""
    project = load_project(root)
    config_path = project.root / "brief.yml"
    if not LANGUAGE_CODE.match(lang):
        raise ConfigError(f"'{lang}' is not a BCP 47 language code like 'fr', 'pt-BR' or "
                          "'zh-Hans'", Location(config_path))
    if not known_language(lang):
        raise ConfigError(f"'{lang}' is not a language CLDR knows (its dates, numbers and "
                          "plurals come from there)", Location(config_path))
    if lang in project.config.languages:
        raise ConfigError(f"'{lang}' is already one of the brief's languages",
                          project.config_location("languages"))
    source = project.editions[0]
    folder = project.root / "chapters" / lang
    if folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"chapters/{lang}/ already exists and is not empty",
                          Location(folder))
    added = Added(lang)
    outputs: dict[Path, str] = {}
    config = project.config
    organization = ((config.organization.name, list(config.organization.address))
                    if config.organization else None)
    outputs[config_path] = _brief_yml(
        read_text(config_path), config.languages, lang, source.title, source.subtitle,
        [(a.name, a.role) for a in source.authors if a.role], organization)
    added.to_translate.append(f"brief.yml: translations.{lang} (title, subtitle, authors' "
                              "roles, organization)")
    for chapter in source.chapters:
        target = folder / chapter.path.name
        front = yaml.safe_dump({SOURCE_KEY: chapter.path.name, UNTRANSLATED_KEY: True},
                               sort_keys=False, allow_unicode=True)
        outputs[target] = f"---\n{front}---\n{chapter.text}"
        added.to_translate.append(f"chapters/{lang}/{chapter.path.name}: "
                                  f"{len(chapter.text.split())} words")
    langs = {*config.languages, lang}
    for figure in sorted(project.figures.values(), key=lambda f: f.id):
        spec_text = read_text(figure.spec_path)
        edits, copies = _insertions(spec_text, langs, source.lang, lang,
                                    set(figure.table.header))
        if edits:
            outputs[figure.spec_path] = _apply(spec_text, edits)
            added.to_translate.append(f"{figure.spec_path.relative_to(project.root)}: "
                                      f"{len(edits)} texts")
        if copies:
            outputs[figure.table.path] = _add_columns(figure.table.path, copies)
            added.to_translate.append(
                f"{figure.table.path.relative_to(project.root)}: columns "
                + ", ".join(new for _old, new in copies))
    if not project.theme.catalogue(lang):
        english = project.theme.path("locales/en.yml")
        added.to_translate.append(
            f"locales/{lang}.yml: the interface strings (the theme has none for '{lang}'; "
            f"translate {english})")
    for path, text in outputs.items():  # every edit reads back, before any is written
        if path.suffix == ".yml":
            try:
                yaml.safe_load(text)
            except yaml.YAMLError:
                raise ConfigError(f"cannot add '{lang}' to {path.name} as it is written; add "
                                  "its entries by hand", Location(path)) from None
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
        added.written.append(path)
    return added
