"""Every citation key resolves; every source is cited."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import citations
from policybrief.model import Project

# "Did you mean" hints for this many distinct unknown keys at most: each costs a
# comparison with every known key, so a chapter of thousands of bad keys stays linear.
MAX_HINTS = 50


def _hinter(known: set[str]) -> Callable[[str], str]:
    """The "(did you mean 'x'?)" of an unknown key: once per key, the first
    :data:`MAX_HINTS` keys only."""
    candidates = sorted(known)
    hints: dict[str, str] = {}

    def hint(key: str) -> str:
        if key not in hints and len(hints) < MAX_HINTS:
            close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
            hints[key] = f" (did you mean '{close[0]}'?)" if close else ""
        return hints.get(key, "")
    return hint


def _with_parents(cited: set[str], project: Project) -> set[str]:
    """The cited keys and every ``crossref``/``xref`` parent they lead to: a parent
    printed through its children is used, even if never cited by itself."""
    entries = project.bibliography.entries
    used, pending = set(cited), list(cited)
    while pending:
        entry = entries.get(pending.pop())
        if entry is None:
            continue
        for field in ("crossref", "xref"):
            parent = entry.fields.get(field, "").strip()
            if parent and parent not in used:
                used.add(parent)
                pending.append(parent)
    return used


@register("citations")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
    known = bibliography.keys()
    hint = _hinter(known)
    cited: set[str] = set()
    for edition in project.editions:
        for chapter in edition.chapters:
            for mark in citations(chapter):
                cited.add(mark.value)
                if mark.value in known or re.match(r"[A-Za-z]+:.", mark.value):
                    continue  # known; or a cross-reference (the crossrefs check's)
                findings.append(Diagnostic(
                    "error", f"unknown citation key '{mark.value}'{hint(mark.value)}",
                    mark.location, "citation-unknown"))
    cited |= {s.key for figure in project.figures.values() for s in figure.spec.sources}
    for key in sorted(known - _with_parents(cited, project)):
        findings.append(Diagnostic("warning", f"source '{key}' is never cited",
                                   bibliography.entries[key].location, "citation-unused"))
    return findings
