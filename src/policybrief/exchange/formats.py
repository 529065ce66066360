"""The two exchange formats CAT tools read: XLIFF 2.0 (lxml) and PO (polib).

Both carry, per unit, the source text and the translation with the Markdown as codes
(XLIFF ``<ph/>``/``<pc>`` with ``originalData``; in PO the same codes as the tags
``<x id="1"/>`` and ``<g id="2">...</g>``), the paragraph's place in the source, its
fingerprint and its state. Reading either gives :class:`Returned` units: the
translation as an XML element to resolve against the brief's own codes (the file's
``originalData`` is never trusted: a code means what the brief says it means).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import polib
from lxml import etree

from policybrief.errors import Location, SourceError
from policybrief.exchange.segments import Code, Pair, Part
from policybrief.exchange.units import Unit
from policybrief.translations import today

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
_X = f"{{{XLIFF_NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STATE = {"new": "initial", "translated": "translated", "stale": "translated",
          "current": "final"}
FORMATS = ("xliff", "po")


@dataclass
class Returned:
    """One unit as it came back from the translator."""

    id: str
    fingerprint: str  # of the source paragraph it was exported with
    target: etree._Element | None  # <target> (XLIFF) or a <r> wrapper (PO)
    final: bool  # the translator marked it final (XLIFF state=final; PO not fuzzy)
    location: Location


# -- XLIFF 2.0 ------------------------------------------------------------------


def _xliff_content(element: etree._Element, parts: list[Part], data: dict[str, str],
                   protected: set[str]) -> None:
    last: etree._Element | None = None

    def text(value: str) -> None:
        if last is None:
            element.text = (element.text or "") + value
        else:
            last.tail = (last.tail or "") + value

    for part in parts:
        if isinstance(part, str):
            text(part)
        elif isinstance(part, Code):
            ref = data.setdefault(part.data, f"d{len(data) + 1}")
            last = etree.SubElement(element, _X + "ph", id=part.id, dataRef=ref)
            if part.id in protected:
                last.set("canDelete", "no")
        else:
            start = data.setdefault(part.start, f"d{len(data) + 1}")
            end = data.setdefault(part.end, f"d{len(data) + 1}")
            last = etree.SubElement(element, _X + "pc", id=part.id, dataRefStart=start,
                                    dataRefEnd=end)
            if part.id in protected:
                last.set("canDelete", "no")
            _xliff_content(last, part.parts, data, protected)


def write_xliff(units: list[Unit], source_lang: str, lang: str,
                protected_ids: dict[str, set[str]]) -> bytes:
    try:
        return _write_xliff(units, source_lang, lang, protected_ids)
    except ValueError as exc:  # a character XML cannot hold (a control character)
        raise SourceError(f"cannot be exported: {exc}", None) from None


def _write_xliff(units: list[Unit], source_lang: str, lang: str,
                 protected_ids: dict[str, set[str]]) -> bytes:
    root = etree.Element(_X + "xliff", nsmap={None: XLIFF_NS}, version="2.0",
                         srcLang=source_lang, trgLang=lang)
    files: dict[str, etree._Element] = {}
    for unit in units:
        file = files.get(unit.chapter)
        if file is None:
            file = files[unit.chapter] = etree.SubElement(
                root, _X + "file", id=f"f{len(files) + 1}",
                original=unit.location.rsplit(":", 1)[0])
        element = etree.SubElement(file, _X + "unit", id=unit.id)
        notes = etree.SubElement(element, _X + "notes")
        for category, value in (("location", unit.location),
                                ("source-fingerprint", unit.source.fingerprint),
                                ("state", unit.state)):
            etree.SubElement(notes, _X + "note", category=category).text = value
        original = etree.SubElement(element, _X + "originalData")
        data: dict[str, str] = {}
        segment = etree.SubElement(element, _X + "segment", state=_STATE[unit.state])
        if unit.state == "stale":
            segment.set("subState", "policybrief:stale")
        source = etree.SubElement(segment, _X + "source")
        source.set(_XML_SPACE, "preserve")
        _xliff_content(source, unit.source_parts, data, protected_ids[unit.id])
        if unit.target_parts is not None:
            target = etree.SubElement(segment, _X + "target")
            target.set(_XML_SPACE, "preserve")
            _xliff_content(target, unit.target_parts, data, protected_ids[unit.id])
        for markdown, ref in data.items():
            item = etree.SubElement(original, _X + "data", id=ref)
            item.set(_XML_SPACE, "preserve")
            item.text = markdown
        if not data:
            element.remove(original)
    _indent(root)
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return written + b"\n"


_MIXED = {_X + "source", _X + "target", _X + "data", _X + "note"}


def _indent(element: etree._Element, level: int = 0) -> None:
    """One element a line, except inside text (lxml's indent() would rewrite white
    space between two codes of a sentence)."""
    children = list(element)
    if not children or element.tag in _MIXED:
        return
    element.text = "\n" + " " * (level + 1)
    for child in children:
        _indent(child, level + 1)
        child.tail = "\n" + " " * (level + 1)
    children[-1].tail = "\n" + " " * level


def _secure_parse(data: bytes, path: Path) -> etree._Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise SourceError("a DOCTYPE or entity declaration is not allowed here",
                          Location(path, 1, 1))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (1, 1)
        raise SourceError(f"not well-formed XML: {exc.msg}", Location(path, line, col + 1)) \
            from None


def read_xliff(data: bytes, path: Path) -> tuple[str, list[Returned]]:
    root = _secure_parse(data, path)
    if root.tag != _X + "xliff" or root.get("version", "").split(".")[0] != "2":
        raise SourceError("not an XLIFF 2 file (the root must be <xliff version=\"2.x\"> "
                          f"in {XLIFF_NS})", Location(path, root.sourceline or 1, 1))
    lang = root.get("trgLang") or ""
    out = []
    for unit in root.iter(_X + "unit"):
        notes = {n.get("category"): (n.text or "") for n in unit.iter(_X + "note")}
        segments = unit.findall(_X + "segment")
        where = Location(path, unit.sourceline or 1, 1)
        if len(segments) != 1:
            raise SourceError(f"unit '{unit.get('id')}' has {len(segments)} segments; a "
                              "paragraph is one segment (do not split or join them)", where)
        target = segments[0].find(_X + "target")
        if target is not None and not (target.text or "").strip() and not len(target):
            target = None  # an empty <target/>: not translated yet
        out.append(Returned(unit.get("id") or "", notes.get("source-fingerprint", ""),
                            target, segments[0].get("state") == "final",
                            Location(path, (target.sourceline if target is not None
                                            else unit.sourceline) or 1, 1)))
    return lang, out


# -- PO -------------------------------------------------------------------------


def _tags(parts: list[Part]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(escape(part))
        elif isinstance(part, Code):
            out.append(f'<x id="{part.id}"/>')
        else:
            out.append(f'<g id="{part.id}">{_tags(part.parts)}</g>')
    return "".join(out)


def write_po(units: list[Unit], source_lang: str, lang: str) -> bytes:
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": "policybrief",
        "PO-Revision-Date": f"{today()} 00:00+0000",  # the export's (SOURCE_DATE_EPOCH)
        "Last-Translator": "",  # the translator's tool fills it in
        "Language-Team": lang,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": source_lang,
    }
    for unit in units:
        entry = polib.POEntry(
            msgctxt=unit.id, msgid=_tags(unit.source_parts),
            msgstr=_tags(unit.target_parts) if unit.target_parts is not None else "",
            occurrences=[tuple(unit.location.rsplit(":", 1))],
            comment=f"source-fingerprint: {unit.source.fingerprint}\nstate: {unit.state}\n"
                    "Keep the tags: <x id=\"N\"/> stands for a citation, note call or "
                    "markup; <g id=\"N\">...</g> for formatting around words.")
        if unit.state in ("stale", "translated"):
            entry.flags.append("fuzzy")
        catalogue.append(entry)
    return str(catalogue).encode("utf-8") + (b"" if str(catalogue).endswith("\n") else b"\n")


_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)")


def read_po(data: bytes, path: Path) -> tuple[str, list[Returned]]:
    try:
        text = data.decode("utf-8")
        # polib reads a string without a line break as a file name: never that
        catalogue = polib.pofile(text if "\n" in text else text + "\n", wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"not a PO file: {exc}", Location(path, 1, 1)) from None
    out = []
    for entry in catalogue:
        if entry.obsolete:  # "#~" entries msgmerge keeps: not part of the file's work
            continue
        fingerprint = ""
        for line in (entry.comment or "").splitlines():
            if line.startswith("source-fingerprint:"):
                fingerprint = line.split(":", 1)[1].strip()
        where = Location(path, entry.linenum or 1, 1)
        target = None
        if entry.msgstr:
            markup = _BARE_AMPERSAND.sub("&amp;", entry.msgstr)
            try:
                target = _secure_parse(f"<r>{markup}</r>".encode(), path)
            except SourceError as exc:  # at the entry, not in the wrapper
                raise SourceError(f"msgstr of '{entry.msgctxt}': {exc.message}", where) \
                    from None
        out.append(Returned(entry.msgctxt or "", fingerprint, target,
                            bool(entry.msgstr) and "fuzzy" not in entry.flags, where))
    return str(catalogue.metadata.get("Language", "")), out


def parts_of(element: etree._Element, table: dict[str, Code | Pair],
             where: Location) -> list[Part]:
    """A returned translation as parts, each code resolved by its id in ``table``."""
    parts: list[Part] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        line = Location(where.path, child.sourceline or where.line, 1)
        code_id = child.get("id", "")
        if name in ("ph", "x"):
            code = table.get(code_id)
            if not isinstance(code, Code):
                raise SourceError(f"placeholder id '{code_id}' is not one of this "
                                  "paragraph's codes", line)
            parts.append(Code(code.data, code.id))
        elif name in ("pc", "g"):
            pair = table.get(code_id)
            if not isinstance(pair, Pair):
                raise SourceError(f"paired code id '{code_id}' is not one of this "
                                  "paragraph's codes", line)
            parts.append(Pair(pair.start, pair.end, parts_of(child, table, line), pair.id))
        elif name == "mrk":  # an annotation a CAT tool added: its content counts
            parts.extend(parts_of(child, table, line))
        else:
            raise SourceError(f"<{name}> is not allowed in a translation here (codes are "
                              "<ph/>, <pc> or <x/>, <g>)", line)
        if child.tail:
            parts.append(child.tail)
    return parts
