"""Sources: every entry has what its type needs, web sources say where and when,
URLs and DOIs are well-formed, no field swallowed the next one, and what reading the
file found that BibTeX or biber would read differently (rule ``source-syntax``).
(Unparsable blocks, duplicate keys and fields, undefined ``@string`` names and broken
``crossref`` are errors of the bibliography itself, reported when it is read.) A field
an entry inherits through ``crossref`` is checked once, in the entry that gives it
(what an entry must have counts what it inherits)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from policybrief.bibliography import BibEntry
from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.model import Project

REQUIRED = {
    "article": ["author", "journaltitle|journal", "date|year"],
    "incollection": ["author", "booktitle", "date|year"],
    "inbook": ["author", "booktitle", "date|year"],
    "book": ["author|editor", "publisher", "date|year"],
    "report": ["publisher|institution|organization"],
    "online": ["url"],
    "legislation": [],
    "jurisdiction": ["institution|author"],
}
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")

# biblatex's and BibTeX's field names (and Better BibTeX's aliases): a value holding
# one of them followed by "=" most likely swallowed the next field (a missing comma).
FIELD_NAMES = frozenset({
    "abstract", "addendum", "address", "afterword", "annotation", "annotator", "annote",
    "archiveprefix", "author", "authortype", "bookauthor", "bookpagination", "booksubtitle",
    "booktitle", "booktitleaddon", "chapter", "commentator", "crossref", "date", "day", "doi",
    "edition", "editor", "editora", "editorb", "editorc", "editortype", "eid", "entryset",
    "entrysubtype", "eprint", "eprintclass", "eprinttype", "eventdate", "eventtitle",
    "eventtitleaddon", "file", "foreword", "gender", "holder", "howpublished", "hyphenation",
    "ids", "indextitle", "institution", "introduction", "isan", "isbn", "ismn", "isrc", "issn",
    "issue", "issuesubtitle", "issuetitle", "iswc", "journal", "journalsubtitle", "journaltitle",
    "key", "keywords", "label", "langid", "langidopts", "language", "library", "location",
    "mainsubtitle", "maintitle", "maintitleaddon", "month", "nameaddon", "note", "number",
    "options", "organization", "origdate", "origlanguage", "origlocation", "origpublisher",
    "origtitle", "pages", "pagetotal", "pagination", "part", "pmcid", "pmid", "policybrief-ignore",
    "primaryclass", "publisher", "pubstate", "related", "school", "series", "shortauthor",
    "shorteditor", "shorthand", "shortjournal", "shortseries", "shorttitle", "sortkey",
    "sorttitle", "subtitle", "title", "titleaddon", "translator", "type", "url", "urldate",
    "venue", "version", "volume", "volumes", "xdata", "year"
})
# ``name =`` after a closing brace or quote, a line break, or a space
_ASSIGNMENT = re.compile(r'(?:(?<=[\s}"])|^)([A-Za-z][\w:+-]*)\s*=\s*(?=(\S))')


def lost_fields(entry: BibEntry) -> list[Diagnostic]:
    """A missing comma makes bibtexparser read ``organization = {Politico}
    url = {https://...}`` as one organization, printed "Politico url = https://...":
    warn at the field that swallowed the next one."""
    findings = []
    for name, value in entry.fields.items():
        if name in entry.inherited:
            continue  # found in the parent, which has it
        for match in _ASSIGNMENT.finditer(value):
            found = match.group(1)
            before = value[match.start() - 1] if match.start() else ""
            structural = before in ('}', '"', "\n")
            known = re.sub(r"-[a-z]{2,3}$", "", found.lower()) in FIELD_NAMES
            value_like = match.group(2) in '{"'  # BibTeX's syntax: name = {...}
            if (known and (structural or value_like)) or before in ('}', '"'):
                findings.append(Diagnostic(
                    "warning", f"'{entry.key}': field '{name}' holds '{found} = ...', a field "
                    f"of its own: is a comma missing after {name}?",
                    entry.field_location(name), "source-lost-field"))
                break
    return findings


@register("bibliography")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = list(bibliography.diagnostics)
    for key, entry in sorted(bibliography.entries.items()):
        fields = entry.fields
        for requirement in REQUIRED.get(entry.entry_type, []):
            if not any(fields.get(name, "").strip() for name in requirement.split("|")):
                wanted = " or ".join(requirement.split("|"))
                findings.append(Diagnostic(
                    "warning", f"@{entry.entry_type} '{key}' has no {wanted}",
                    entry.location, "source-fields"))
        if entry.entry_type == "online" and fields.get("url") and not fields.get("urldate"):
            findings.append(Diagnostic("warning", f"online source '{key}' has no urldate "
                                       "(when it was accessed)", entry.location, "source-urldate"))
        url = fields.get("url", "").strip() if "url" not in entry.inherited else ""
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
                findings.append(Diagnostic("warning", f"'{key}' has a malformed url: {url}",
                                           entry.field_location("url"), "source-url"))
        doi = fields.get("doi", "").strip() if "doi" not in entry.inherited else ""
        if doi and not _DOI.match(doi.removeprefix("https://doi.org/")):
            findings.append(Diagnostic("warning", f"'{key}' has a malformed DOI: {doi}",
                                       entry.field_location("doi"), "source-doi"))
        findings.extend(lost_fields(entry))
    return findings
