"""Translation exchange with CAT tools: ``brief translations export`` and ``import``.

Export writes one file per language (XLIFF 2.0 or PO) with one unit per source
paragraph that has words: the source text and the translation, the Markdown that
must survive as protected codes, the paragraph's place, fingerprint and state.
Import checks every returned unit first (the paragraph it names still has the
fingerprint it was exported with; every citation, note call and cross-reference
code comes back exactly once; no code is unknown) and refuses the whole file, each
problem located in it, if one fails; then it writes the chapters, creating those a
new language does not have yet. A unit the translator marked final is recorded as
current with its source; the others stay stale. Exporting and importing again
without a change leaves every chapter byte-identical.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policybrief.chapters import split_front_matter
from policybrief.errors import BriefError, ConfigError, Location, SourceError, raise_all
from policybrief.exchange.formats import (
    FORMATS,
    Returned,
    parts_of,
    read_po,
    read_xliff,
    write_po,
    write_xliff,
)
from policybrief.exchange.segments import (
    Code,
    Pair,
    Part,
    codes,
    codes_by_id,
    meanings,
    plain,
    protected,
    segment,
)
from policybrief.exchange.texts import fields_by_unit, text_units, write_texts
from policybrief.exchange.units import Unit, plan, units
from policybrief.markdown_scan import CITE_KEY
from policybrief.model import Project
from policybrief.textfiles import read_text
from policybrief.translated_texts import record_path, recorded_as_current, text_statuses
from policybrief.translations import (
    BLOCK,
    DATE_KEY,
    PARAGRAPHS_KEY,
    SOURCE_KEY,
    UNTRANSLATED_KEY,
    recorded_fingerprints,
    today,
)
from policybrief.writer import write_atomic

NOT_CURRENT = "00000000"  # a recorded fingerprint no paragraph has: "not reviewed"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_EXCHANGE_BYTES = 64 * 1024 * 1024  # a returned XLIFF or PO file (the flagship's: 0.3 MB)


def _edition_lang(project: Project, lang: str) -> str:
    known = [e.lang for e in project.editions]
    if lang not in known[1:]:
        raise ConfigError(f"'{lang}' is not a translated edition of this brief (brief.yml "
                          f"has: {', '.join(known)}); add it with 'brief add-language "
                          f"{lang}'", Location(project.root / "brief.yml"))
    return lang


def export(project: Project, lang: str, fmt: str) -> bytes:
    """The exchange file for ``lang`` in ``fmt`` (``xliff`` or ``po``)."""
    _edition_lang(project, lang)
    found = units(project, lang) + text_units(project, lang)
    for unit in found:  # what XML cannot hold, located (brief check names it too)
        for text, chapter_line in ((unit.source.text, unit.location),):
            bad = _NOT_XML.search(text)
            if bad:
                file, line = chapter_line.rsplit(":", 1)
                raise SourceError(f"control character U+{ord(bad.group()):04X} cannot be "
                                  "exported", Location(project.root / file,
                                                       int(line) + text.count("\n", 0,
                                                                              bad.start())))
    source_lang = project.editions[0].lang
    if fmt == "po":
        return write_po(found, source_lang, lang)
    return write_xliff(found, source_lang, lang,
                       {u.id: set(protected(u.source_parts)) for u in found})


@dataclass
class Imported:
    lang: str
    written: list[Path] = field(default_factory=list)
    units: int = 0
    final: int = 0


def _resolve(unit: Unit, returned: Returned) -> str:
    """The returned translation as Markdown, or a located refusal."""
    assert returned.target is not None
    table = codes_by_id(unit.source_parts, unit.target_parts or [])
    parts = parts_of(returned.target, table, returned.location)
    want, got = meanings(unit.source_parts), meanings(parts)
    if want != got:
        missing = ", ".join(sorted((want - got).elements()))
        extra = ", ".join(sorted((got - want).elements()))
        said = "; ".join(x for x in (f"missing {missing}" if missing else "",
                                     f"not in the source {extra}" if extra else "") if x)
        raise SourceError(f"unit '{unit.id}': its citations, notes and markers differ from "
                          f"the source's ({said}); keep every code exactly once",
                          returned.location)
    text = plain(unglued(parts))
    # what the translator typed must be words: Markdown or HTML typed as text (a
    # citation, a note, a tag, a new paragraph or heading) would change the brief
    typed = Counter(c.data if isinstance(c, Code) else c.start
                    for c in codes(segment(text))) - Counter(
        c.data if isinstance(c, Code) else c.start for c in codes(unglued(parts)))
    if "\r" in text or len(BLOCK.findall(text)) != 1:
        raise SourceError(f"unit '{unit.id}': a translation must be one paragraph (no blank "
                          "line, no carriage return)", returned.location)
    if typed:
        shown = ", ".join(sorted(typed))[:80]
        raise SourceError(f"unit '{unit.id}': the translation has Markdown or HTML typed as "
                          f"text ({shown}); keep to the words and the file's codes",
                          returned.location)
    return text


def _longer_key(code: str, following: str) -> bool:
    """Whether the text after a bare ``@key`` would be read as part of the key."""
    joined = CITE_KEY.match(code + following[:40])
    return joined is not None and joined.end() > len(code)


def unglued(parts: list[Part]) -> list[Part]:
    """A bare ``@key`` the translation put right before a letter (``如@fig:x所示``)
    would read as a longer key: it is bracketed, ``[@fig:x]``, which means the same."""
    out: list[Part] = []
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if isinstance(part, Code) and part.data.startswith("@") and "[" not in part.data \
                and isinstance(following, str) and _longer_key(part.data, following):
            part = Code(f"[{part.data}]", part.id)
        elif isinstance(part, Pair):
            part = Pair(part.start, part.end, unglued(part.parts), part.id)
        out.append(part)
    return out


def import_file(project: Project, path: Path) -> Imported:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_EXCHANGE_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", Location(path)) from None
    if len(data) > MAX_EXCHANGE_BYTES:
        raise SourceError(f"file is over {MAX_EXCHANGE_BYTES // (1024 * 1024)} MB; the limit "
                          f"is {MAX_EXCHANGE_BYTES // (1024 * 1024)} MB", Location(path))
    lang, returned = (read_po(data, path) if path.suffix.lower() == ".po"
                      else read_xliff(data, path))
    seen: set[str] = set()
    for item in returned:
        if item.id in seen:
            raise SourceError(f"unit '{item.id}' appears twice in this file", item.location)
        seen.add(item.id)
    lang = _edition_lang(project, lang)
    by_id = {u.id: u for u in units(project, lang) + text_units(project, lang)}
    texts: dict[str, tuple[str, Location]] = {}
    final_texts: list[str] = []
    problems: list[BriefError] = []
    accepted: dict[str, dict[int, tuple[str, bool]]] = {}  # chapter -> index -> text, final
    result = Imported(lang)
    for item in returned:
        unit = by_id.get(item.id)
        if unit is None:
            problems.append(SourceError(f"unit '{item.id}' is not a paragraph of the source "
                                        "any more; export again", item.location))
            continue
        if item.target is None:
            continue
        if item.fingerprint and item.fingerprint != unit.source.fingerprint:
            problems.append(SourceError(
                f"unit '{item.id}': the source paragraph ({unit.location}) changed since "
                "this file was exported; export again and carry the translation over",
                item.location))
            continue
        try:
            text = _resolve(unit, item)
        except SourceError as exc:
            problems.append(exc)
            continue
        if "\n\n" in text.strip("\n") or not text.strip():
            problems.append(SourceError(f"unit '{item.id}': a paragraph's translation must be "
                                        "one paragraph (no blank line, not empty)",
                                        item.location))
            continue
        if unit.index < 0:  # a text outside the chapters
            texts[unit.id] = (text, item.location)
            if item.final:
                final_texts.append(unit.id)
        else:
            accepted.setdefault(unit.chapter, {})[unit.index] = (text, item.final)
        result.units += 1
        result.final += item.final
    raise_all(problems)
    writes = [w for w in (_chapter(project, lang, name, paragraphs)
                          for name, paragraphs in accepted.items()) if w is not None]
    writes += write_texts(project, lang, texts)
    fields = fields_by_unit(project, lang)
    now_current = [fields[u] for u in final_texts
                   if fields[u].key not in _current_keys(project, lang)]
    if now_current:
        writes.append((record_path(project, lang),
                       recorded_as_current(project, lang, now_current)))
    for target, content in writes:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content)
        result.written.append(target)
    return result


def _current_keys(project: Project, lang: str) -> set[str]:
    return {s.field.key for s in text_statuses(project, lang) if s.status == "current"}


def _chapter(project: Project, lang: str, name: str,
             texts: dict[int, tuple[str, bool]]) -> tuple[Path, bytes] | None:
    """The translated chapter ``name`` with ``texts`` (by source paragraph index) put in,
    or None when that changes nothing."""
    source = next(c for c in project.editions[0].chapters if c.path.name == name)
    chapter_plan = plan(project, lang, source)
    translation = chapter_plan.translation
    sources = chapter_plan.source_paragraphs
    recorded = recorded_fingerprints(translation) if translation is not None else None
    if translation is not None and translation.front_matter.get(UNTRANSLATED_KEY) is not True \
            and recorded is not None and len(chapter_plan.target_paragraphs) == len(recorded):
        return _update(translation.path, chapter_plan, texts)
    # a new chapter, a copy still untranslated, or one without a record: built on the
    # source's paragraphs, each translated where the file has it
    if translation is not None:
        if len(chapter_plan.target_paragraphs) != len(sources):
            raise SourceError(f"{len(chapter_plan.target_paragraphs)} paragraphs here but "
                              f"{len(sources)} in {name}, and no record of which translates "
                              "which: make them match, mark the chapter current, then import",
                              Location(translation.path, 1, 1))
        target_path, base, body = translation.path, chapter_plan.target_paragraphs, \
            translation.text
    else:
        target_path = project.root / "chapters" / lang / name
        base, body = sources, source.text
    pieces, end = [], 0
    new_record: list[str] = []
    for index, paragraph in enumerate(base):
        pieces.append(body[end:paragraph.offset])
        text, final = texts.get(index, (paragraph.text, False))
        pieces.append(text)
        end = paragraph.offset + len(paragraph.text)
        # current: a paragraph translated and marked final, or one with no words (a
        # figure placement) that is the source's own
        current = final if index in texts else (
            paragraph.text == sources[index].text and not _has_words(paragraph.text))
        new_record.append(sources[index].fingerprint if current else NOT_CURRENT)
    pieces.append(body[end:])
    front: dict[str, object] = dict(translation.front_matter) if translation else {}
    front.pop(UNTRANSLATED_KEY, None)
    front = {SOURCE_KEY: name, DATE_KEY: today(), PARAGRAPHS_KEY: new_record,
             **{k: v for k, v in front.items()
                if k not in (SOURCE_KEY, DATE_KEY, PARAGRAPHS_KEY)}}
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88,
                            default_flow_style=None)
    return target_path, f"---\n{header}---\n{''.join(pieces)}".encode()


def _has_words(text: str) -> bool:
    from policybrief.exchange.segments import segment, words

    return any(ch.isalpha() for ch in words(segment(text)))


def _update(path: Path, chapter_plan: object, texts: dict[int, tuple[str, bool]],
            ) -> tuple[Path, bytes] | None:
    """A tracked translation with paragraphs replaced or inserted where the source has
    new ones; the recorded fingerprint of each final one brought up to date."""
    from policybrief.exchange.units import ChapterPlan

    assert isinstance(chapter_plan, ChapterPlan)
    raw = read_text(path)
    front, body, _ = split_front_matter(path, raw)
    header_end = len(raw) - len(body)
    listed = front.get(PARAGRAPHS_KEY)
    recorded = [str(h) for h in listed] if isinstance(listed, list) else []
    original = list(recorded)
    targets = chapter_plan.target_paragraphs
    sources = chapter_plan.source_paragraphs
    replace: dict[int, str] = {}
    inserts: dict[int, list[tuple[str, str]]] = {}  # after target index (-1: first)
    for index, (text, final) in sorted(texts.items()):
        fingerprint = sources[index].fingerprint if final else None
        target_index = chapter_plan.target_of.get(index)
        if target_index is not None:
            replace[target_index] = text
            if fingerprint:
                recorded[target_index] = fingerprint
            continue
        before = max((t for s, t in chapter_plan.target_of.items() if s < index), default=-1)
        inserts.setdefault(before, []).append((text, fingerprint or NOT_CURRENT))
    pieces, end, new_recorded = [body[:targets[0].offset] if targets else body], \
        targets[0].offset if targets else len(body), []
    for text, mark in inserts.get(-1, []):
        pieces.append(f"{text}\n\n")
        new_recorded.append(mark)
    for index, paragraph in enumerate(targets):
        pieces.append(body[end:paragraph.offset])
        pieces.append(replace.get(index, paragraph.text))
        end = paragraph.offset + len(paragraph.text)
        new_recorded.append(recorded[index])
        for text, mark in inserts.get(index, []):
            pieces.append(f"\n\n{text}")
            new_recorded.append(mark)
    pieces.append(body[end:] if targets else "")
    new_body = "".join(pieces)
    if new_body == body and new_recorded == original:
        return None
    front[PARAGRAPHS_KEY] = new_recorded
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88,
                            default_flow_style=None) if new_recorded != original else None
    head = f"---\n{header}---\n" if header is not None else raw[:header_end]
    return path, (head + new_body).encode()


__all__ = ["FORMATS", "Imported", "export", "import_file"]
