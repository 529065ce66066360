"""Sources: every entry has what its type needs, web sources say where and when,
URLs and DOIs are well-formed. (Unknown and duplicate keys are errors of the
bibliography itself, reported when it is read.)"""

from __future__ import annotations

import re
from urllib.parse import urlparse

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


@register("bibliography")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
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
        url = fields.get("url", "").strip()
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
                findings.append(Diagnostic("warning", f"'{key}' has a malformed url: {url}",
                                           entry.field_location("url"), "source-url"))
        doi = fields.get("doi", "").strip()
        if doi and not _DOI.match(doi.removeprefix("https://doi.org/")):
            findings.append(Diagnostic("warning", f"'{key}' has a malformed DOI: {doi}",
                                       entry.field_location("doi"), "source-doi"))
    return findings
