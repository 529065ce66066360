"""The translated texts outside the chapters, exchanged like paragraphs.

A figure's title, alt text, caption, axis labels, legend names and table headers
(``figure.yml``), the ``translations.<lang>`` texts of ``brief.yml`` and a source's
language fields (``title-es`` in ``references.bib``) are units too, one per field,
with the state :mod:`policybrief.translated_texts` gives them. Import writes each
back where it stands, touching nothing else of the file: a YAML scalar is replaced
by the same text as a double-quoted scalar (any YAML reader reads it the same), a
BibTeX field's braces keep their content balanced or the unit is refused.
Lists (keywords, address lines) and category labels read from data columns are
not exchanged: they are edited where they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from policybrief.errors import Location, SourceError
from policybrief.exchange.segments import number_codes, segment
from policybrief.exchange.units import State, Unit
from policybrief.model import Project
from policybrief.textfiles import read_text
from policybrief.translated_texts import TextField, text_statuses
from policybrief.translations import Paragraph

_STATES: dict[str, State] = {"current": "current", "stale": "stale",
                             "untracked": "translated"}


def unit_id(key: str) -> str:
    """An XLIFF id (an NMTOKEN) for a text's record key."""
    return "text:" + re.sub(r"[^\w.:-]", "_", key)


def exchangeable(field: TextField) -> bool:
    return bool(field.path) and "\n" not in field.source and "\n" not in field.target


def text_units(project: Project, lang: str) -> list[Unit]:
    out = []
    for status in text_statuses(project, lang):
        field = status.field
        if not exchangeable(field):
            continue
        line = field.location.line or 1
        source_parts = segment(field.source)
        if status.status == "untracked" and field.target == field.source:
            # still the source's words (brief add-language copies them): to translate
            number_codes(source_parts)
            out.append(Unit(unit_id(field.key), field.file, -1, Paragraph(line, field.source),
                            source_parts, None, None, "new", f"{field.file}:{line}"))
            continue
        target_parts = segment(field.target)
        number_codes(source_parts, target_parts)
        out.append(Unit(unit_id(field.key), field.file, -1, Paragraph(line, field.source),
                        source_parts, Paragraph(line, field.target), target_parts,
                        _STATES[status.status], f"{field.file}:{line}"))
    return out


def fields_by_unit(project: Project, lang: str) -> dict[str, TextField]:
    return {unit_id(s.field.key): s.field for s in text_statuses(project, lang)
            if exchangeable(s.field)}


def _yaml_span(path: Path, text: str, key: tuple[str | int, ...]) -> tuple[int, int]:
    """Where the scalar at ``key`` stands in the YAML ``text``."""
    node = yaml.compose(text)
    for step in key:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
        else:
            node = None
        if node is None:
            break
    if not isinstance(node, yaml.ScalarNode):
        raise SourceError(f"cannot find the text {'.'.join(map(str, key))} to write",
                          Location(path, 1, 1))
    return node.start_mark.index, node.end_mark.index


_ENTRY = r"@\w+\s*[{(]\s*{key}\s*,"


def _bib_span(path: Path, text: str, key: str, name: str) -> tuple[int, int]:
    """Where the value of field ``name`` of entry ``key`` stands, inside its braces or
    quotes."""
    entry = re.search(_ENTRY.replace("{key}", re.escape(key)), text)
    if entry:
        found = re.compile(r"(?<![\w-])" + re.escape(name) + r"\s*=\s*([{\"])",
                           re.I).search(text, entry.end())
        if found:
            start = found.end()
            if found.group(1) == '"':
                return start, text.index('"', start)
            depth, index = 1, start
            while index < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
            if depth == 0:
                return start, index - 1
    raise SourceError(f"cannot find field {name} of entry {key} to write", Location(path))


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def write_texts(project: Project, lang: str, texts: dict[str, tuple[str, Location]],
                ) -> list[tuple[Path, bytes]]:
    """Each file with its returned texts put in (by unit id); only files that change."""
    fields = fields_by_unit(project, lang)
    by_file: dict[str, list[tuple[TextField, str, Location]]] = {}
    for unit, (value, where) in texts.items():
        field = fields[unit]
        if value != field.target:
            by_file.setdefault(field.file, []).append((field, value, where))
    writes = []
    for file, changes in sorted(by_file.items()):
        path = project.root / file
        text = read_text(path)
        spans = []
        for field, value, where in changes:
            if field.path[0] == "@bib":
                if not _balanced(value) or ('"' in value and text[_bib_span(
                        path, text, str(field.path[1]), str(field.path[2]))[0] - 1] == '"'):
                    raise SourceError(f"{field.key}: the braces of a BibTeX field must "
                                      "balance", where)
                start, end = _bib_span(path, text, str(field.path[1]), str(field.path[2]))
                spans.append((start, end, value))
            else:
                start, end = _yaml_span(path, text, field.path)
                spans.append((start, end, json.dumps(value, ensure_ascii=False)))
        for start, end, value in sorted(spans, reverse=True):
            text = text[:start] + value + text[end:]
        writes.append((path, text.encode("utf-8")))
    return writes
