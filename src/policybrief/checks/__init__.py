"""Content checks that run before anything is rendered.

Each check module registers a function ``check(project) -> list[Diagnostic]``
(:mod:`policybrief.checks.registry`). An error stops a build; warnings are reported
and counted (``--strict``).
"""

from __future__ import annotations

from policybrief.checks import (  # noqa: F401  (each registers itself)
    bibliography,
    citations,
    crossrefs,
    figures,
    interface,
    notes,
    structure,
    translations,
    typography,
)
from policybrief.checks.registry import CHECKS
from policybrief.errors import Diagnostic, sort_diagnostics
from policybrief.model import Project


def run_checks(project: Project) -> list[Diagnostic]:
    """Every registered check's diagnostics, in file order, less the ones a source opted
    out of."""
    found = [d for check in CHECKS.values() for d in check(project)]
    return sort_diagnostics(d for d in found if not _ignored(d, project))


def _ignored(diagnostic: Diagnostic, project: Project) -> bool:
    """A source may opt out of a rule that does not fit it, documented in the entry:
    ``policybrief-ignore = {source-urldate}`` (e.g. the report gives no access date)."""
    sources = project.bibliography
    if diagnostic.location is None or diagnostic.location.path != sources.path:
        return False
    for entry in sources.entries.values():
        if entry.location == diagnostic.location or diagnostic.location in (
                entry.field_location(f) for f in entry.fields):
            ignored = entry.fields.get("policybrief-ignore", "")
            return diagnostic.rule in {r.strip() for r in ignored.split(",")}
    return False


__all__ = ["CHECKS", "run_checks"]
