"""Every address a source gives is one a reader may follow: the link rule of
:mod:`policybrief.safety` applied to the bibliography's ``url`` fields (citeproc makes
them links in every edition; ``javascript:`` would run in a reader's browser)."""

from __future__ import annotations

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.model import Project
from policybrief.safety import SCHEME, link_problem

URL_FIELDS = ("url", "eprint")


@register("addresses")
def check(project: Project) -> list[Diagnostic]:
    found = []
    for key, entry in sorted(project.bibliography.entries.items()):
        for name in URL_FIELDS:
            value = entry.fields.get(name, "").strip()
            if not value or (name == "eprint" and not SCHEME.match(value)):
                continue
            if name in entry.inherited:
                continue  # reported once, at the parent that gives it
            problem = link_problem(value) or (
                None if SCHEME.match(value) else "an address must start with http(s)://")
            if problem:
                found.append(Diagnostic(
                    "error", f"'{key}' {name}: {problem}", entry.field_location(name),
                    "source-address"))
    return found
