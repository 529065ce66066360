"""Every citation key resolves; every source is cited."""

from __future__ import annotations

import difflib

from policybrief.bibliography import Bibliography
from policybrief.checks import Finding
from policybrief.checks.markdown_scan import citations
from policybrief.model import Project


def check(project: Project, bibliography: Bibliography) -> list[Finding]:
    findings: list[Finding] = []
    known = bibliography.keys()
    cited: set[str] = set()
    for edition in project.editions:
        for chapter in edition.chapters:
            for mark in citations(chapter):
                cited.add(mark.value)
                if mark.value in known:
                    continue
                close = difflib.get_close_matches(mark.value, sorted(known), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                findings.append(Finding(
                    "error", f"unknown citation key '{mark.value}'{hint}",
                    mark.location, "citation-unknown"))
    cited |= {s.key for figure in project.figures.values() for s in figure.spec.sources}
    for key in sorted(known - cited):
        findings.append(Finding("warning", f"source '{key}' is never cited",
                                bibliography.entries[key].location, "citation-unused"))
    return findings
