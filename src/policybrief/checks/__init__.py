"""Content checks that run before anything is rendered.

Each check module registers a function ``check(project) -> list[Diagnostic]``
(:mod:`policybrief.checks.registry`). An error stops a build; warnings are reported
and counted (``--strict``).
"""

from __future__ import annotations

from policybrief.checks import (  # noqa: F401  (each registers itself)
    addresses,
    bibliography,
    characters,
    citations,
    crossrefs,
    figure_numbers,
    figures,
    glyphs,
    interface,
    notes,
    quotations,
    structure,
    translations,
    typography,
)
from policybrief.checks.registry import CHECKS
from policybrief.errors import Diagnostic, Location, sort_diagnostics
from policybrief.model import Project


def run_checks(project: Project) -> list[Diagnostic]:
    """Every registered check's diagnostics, in file order, less the ones a source opted
    out of."""
    found = [d for check in CHECKS.values() for d in check(project)]
    opted_out = _opt_outs(project)
    return sort_diagnostics(d for d in found if not _ignored(d, opted_out))


def _opt_outs(project: Project) -> dict[Location, set[str]]:
    """A source may opt out of a rule that does not fit it, documented in the entry:
    ``policybrief-ignore = {source-urldate}`` (e.g. the report gives no access date).
    The rules each place in the bibliography opted out of, by the entry's location and
    its fields' (one index per run: 20,000 sources and as many findings must not make
    a lookup of every entry for every finding). The first entry at a place has it."""
    index: dict[Location, set[str]] = {}
    for entry in project.bibliography.entries.values():
        ignored = entry.fields.get("policybrief-ignore", "")
        rules = {r.strip() for r in ignored.split(",")}
        index.setdefault(entry.location, rules)
        for name in entry.fields:
            index.setdefault(entry.field_location(name), rules)
    return index


def _ignored(diagnostic: Diagnostic, opted_out: dict[Location, set[str]]) -> bool:
    """Whether the source where ``diagnostic`` stands opted out of its rule."""
    if diagnostic.location is None:
        return False
    return diagnostic.rule in opted_out.get(diagnostic.location, ())


__all__ = ["CHECKS", "run_checks"]
