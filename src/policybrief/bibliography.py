"""The brief's sources: ``references.bib`` read with bibtexparser, validated, and
converted to CSL-JSON for each edition.

We convert ourselves rather than letting pandoc read BibTeX because pandoc's
reader re-cases English titles (sentence case) and splits corporate publishers at
"and"; a report prints titles exactly as its sources give them. Per-language
fields: ``title-es`` overrides ``title`` in the Spanish edition; ``origtitle`` with
``origlanguage`` is used as the title in the edition of that language.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bibtexparser.entrypoint import parse_string

from policybrief.errors import BibliographyError, BriefError, Location, raise_all
from policybrief.textfiles import read_text

CSL_TYPES = {
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "report": "report",
    "techreport": "report",
    "legislation": "legislation",
    "legal": "legislation",
    "jurisdiction": "legal_case",
    "article": "article-journal",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "misc": "document",
    "unpublished": "manuscript",
}

TEXT_FIELDS = {
    "title": "title",
    "shorttitle": "title-short",
    "origtitle": "original-title",
    "journaltitle": "container-title",
    "journal": "container-title",
    "booktitle": "container-title",
    "maintitle": "container-title",
    "publisher": "publisher",
    "organization": "publisher",
    "institution": "publisher",
    "location": "publisher-place",
    "address": "publisher-place",
    "volume": "volume",
    "number": "number",
    "issue": "issue",
    "pages": "page",
    "edition": "edition",
    "type": "genre",
    "howpublished": "medium",
    "langid": "language",
}
VERBATIM_FIELDS = {"url": "URL", "doi": "DOI"}
DATE_FIELDS = {"date": "issued", "urldate": "accessed"}
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator"}
# Fields we read but do not pass on as such.
KNOWN_OTHER = {"origlanguage", "year", "month", "note", "keywords", "abstract", "file",
               "policybrief-ignore"}

LANGUAGE_NAMES = {
    "english": "en", "spanish": "es", "portuguese": "pt", "french": "fr",
    "german": "de", "italian": "it", "russian": "ru", "arabic": "ar",
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANG_SUFFIX = re.compile(r"^([a-z]+)-([a-z]{2,3})$")


@dataclass
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    location: Location
    field_lines: dict[str, int] = field(default_factory=dict)

    def field_location(self, name: str) -> Location:
        line = self.field_lines.get(name)
        return Location(self.location.path, line, 1) if line else self.location


@dataclass
class Bibliography:
    path: Path
    entries: dict[str, BibEntry]

    def keys(self) -> set[str]:
        return set(self.entries)

    def to_csl(self, lang: str) -> list[dict[str, Any]]:
        """CSL-JSON items for the edition in ``lang``, in key order (deterministic)."""
        return [entry_to_csl(self.entries[k], lang) for k in sorted(self.entries)]


def latex_to_text(value: str) -> str:
    """The small part of LaTeX that BibTeX files in the wild use for plain text."""
    value = re.sub(r"\\([&%$#_{}])", lambda m: "\x00" + m.group(1), value)
    value = value.replace("---", "—").replace("--", "–").replace("~", "\u00a0")
    value = value.replace("{", "").replace("}", "")
    value = value.replace("\x00", "")
    return re.sub(r"\s+", " ", value).strip()


def split_top_level(value: str, separator: str) -> list[str]:
    """Split at ``separator`` outside braces (BibTeX's name lists)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and value.startswith(separator, i):
            parts.append(value[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_names(value: str) -> list[dict[str, str]]:
    """BibTeX names: ``{Corporate Name}``, ``Family, Given`` or ``Given Family``."""
    names: list[dict[str, str]] = []
    for raw in split_top_level(value, " and "):
        if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
            names.append({"literal": latex_to_text(raw)})
            continue
        pieces = split_top_level(raw, ",")
        if len(pieces) >= 2:
            names.append({"family": latex_to_text(pieces[0]), "given": latex_to_text(pieces[-1])})
        else:
            words = latex_to_text(raw).split(" ")
            if len(words) == 1:
                names.append({"literal": words[0]})
            else:
                names.append({"family": words[-1], "given": " ".join(words[:-1])})
    return names


def parse_date(value: str) -> dict[str, Any] | None:
    """EDTF level 0 dates and ranges: ``2020``, ``2020-03``, ``2020-03-22``, ``a/b``."""
    parts = []
    for piece in value.split("/"):
        match = _DATE.match(piece.strip())
        if not match:
            return None
        numbers = [int(g) for g in match.groups() if g]
        if len(numbers) > 1 and not 1 <= numbers[1] <= 12:
            return None
        if len(numbers) > 2 and not 1 <= numbers[2] <= 31:
            return None
        parts.append(numbers)
    if len(parts) > 2:
        return None
    return {"date-parts": parts}


def entry_to_csl(entry: BibEntry, lang: str) -> dict[str, Any]:
    """One entry as CSL-JSON, with the fields of ``lang`` chosen where present."""
    fields = dict(entry.fields)
    orig_lang = LANGUAGE_NAMES.get(fields.get("origlanguage", "").lower(), "")
    if orig_lang == lang and "origtitle" in fields and f"title-{lang}" not in fields:
        fields["title"] = fields["origtitle"]
        fields.pop("shorttitle", None)
    for name in list(fields):
        match = _LANG_SUFFIX.match(name)
        if match:
            base, suffix = match.groups()
            value = fields.pop(name)
            if suffix == lang:
                fields[base] = value
    item: dict[str, Any] = {"id": entry.key, "type": CSL_TYPES.get(entry.entry_type, "document")}
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            item[TEXT_FIELDS[name]] = latex_to_text(value)
        elif name in VERBATIM_FIELDS:
            item[VERBATIM_FIELDS[name]] = value.strip()
        elif name in NAME_FIELDS:
            item[NAME_FIELDS[name]] = parse_names(value)
        elif name in DATE_FIELDS:
            date = parse_date(value)
            if date:
                item[DATE_FIELDS[name]] = date
    if "issued" not in item and re.fullmatch(r"\d{1,4}", fields.get("year", "").strip()):
        item["issued"] = {"date-parts": [[int(fields["year"])]]}
    if item.get("language") in LANGUAGE_NAMES:
        item["language"] = LANGUAGE_NAMES[item["language"]]
    return item


def _validate(entry: BibEntry) -> list[BriefError]:
    errors: list[BriefError] = []
    if entry.entry_type not in CSL_TYPES:
        known = ", ".join(sorted(CSL_TYPES))
        errors.append(BibliographyError(
            f"entry '{entry.key}': unknown entry type '@{entry.entry_type}' (known: {known})",
            entry.location))
    if not entry.fields.get("title", "").strip():
        errors.append(BibliographyError(f"entry '{entry.key}' has no title", entry.location))
    year = entry.fields.get("year")
    if year is not None and not re.fullmatch(r"\d{1,4}", year.strip()):
        errors.append(BibliographyError(f"entry '{entry.key}': year '{year}' is not a year",
                                        entry.field_location("year")))
    for name in DATE_FIELDS:
        value = entry.fields.get(name)
        if value is not None and parse_date(value) is None:
            errors.append(BibliographyError(
                f"entry '{entry.key}': {name} '{value}' is not a date like 2022-06-27",
                entry.field_location(name)))
    return errors


def load_bibliography(path: Path) -> Bibliography:
    """Parse and validate ``path``; every broken entry is reported with its line."""
    if not path.is_file():
        raise BibliographyError(f"bibliography file not found: {path.name}", Location(path))
    text = read_text(path)
    # bibtexparser logs its own account of a broken entry; we report it, located.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = parse_string(text)
    errors: list[BriefError] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            message = f"duplicate entry key '{getattr(block, 'key', '?')}'"
        else:
            detail = str(getattr(block, "error", "")).split("\n")[-1].strip()
            message = f"cannot parse this entry: {detail or 'syntax error'}"
        errors.append(BibliographyError(message, Location(path, line, 1)))
    entries: dict[str, BibEntry] = {}
    for raw in library.entries:
        entry = BibEntry(
            key=raw.key,
            entry_type=raw.entry_type.lower(),
            fields={f.key.lower(): str(f.value) for f in raw.fields},
            location=Location(path, (raw.start_line or 0) + 1, 1),
            field_lines={f.key.lower(): (f.start_line or 0) + 1 for f in raw.fields},
        )
        errors.extend(_validate(entry))
        entries[entry.key] = entry
    raise_all(errors)
    return Bibliography(path, entries)
