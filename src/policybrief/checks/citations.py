"""Every citation key resolves; every source is cited."""

from __future__ import annotations

import difflib
import re

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import citations
from policybrief.model import Project


@register("citations")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
    known = bibliography.keys()
    cited: set[str] = set()
    for edition in project.editions:
        for chapter in edition.chapters:
            for mark in citations(chapter):
                cited.add(mark.value)
                if mark.value in known or re.match(r"[A-Za-z]+:.", mark.value):
                    continue  # known; or a cross-reference (the crossrefs check's)
                close = difflib.get_close_matches(mark.value, sorted(known), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                findings.append(Diagnostic(
                    "error", f"unknown citation key '{mark.value}'{hint}",
                    mark.location, "citation-unknown"))
    cited |= {s.key for figure in project.figures.values() for s in figure.spec.sources}
    for key in sorted(known - cited):
        findings.append(Diagnostic("warning", f"source '{key}' is never cited",
                                   bibliography.entries[key].location, "citation-unused"))
    return findings
