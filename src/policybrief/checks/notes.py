"""Every footnote reference has a definition and every definition is referenced.

Labels are unique across the chapters of an edition: pandoc reads an edition's
chapters as one document (so "ibid." works across chapter boundaries).
"""

from __future__ import annotations

from policybrief.bibliography import Bibliography
from policybrief.checks import Finding
from policybrief.checks.markdown_scan import note_definitions, note_references
from policybrief.model import Project


def check(project: Project, bibliography: Bibliography) -> list[Finding]:
    findings: list[Finding] = []
    for edition in project.editions:
        first_seen: dict[str, str] = {}
        for chapter in edition.chapters:
            refs = list(note_references(chapter))
            defs = list(note_definitions(chapter))
            defined = {d.value for d in defs}
            referenced = {r.value for r in refs}
            seen: set[str] = set()
            for mark in defs:
                if mark.value in seen:
                    findings.append(Finding("error", f"footnote [^{mark.value}] is defined twice",
                                            mark.location, "note-duplicate"))
                seen.add(mark.value)
                if mark.value not in referenced:
                    findings.append(Finding(
                        "error", f"footnote [^{mark.value}] is defined but never referenced",
                        mark.location, "note-unreferenced"))
            for mark in defs:
                other = first_seen.setdefault(mark.value, chapter.path.name)
                if other != chapter.path.name:
                    findings.append(Finding(
                        "error", f"footnote label [^{mark.value}] is also used in {other}; "
                        "labels must be unique across the chapters of an edition",
                        mark.location, "note-duplicate"))
            for mark in refs:
                if mark.value not in defined:
                    findings.append(Finding(
                        "error", f"footnote reference [^{mark.value}] has no definition",
                        mark.location, "note-undefined"))
    return findings
