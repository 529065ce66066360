"""Interface strings: every string the theme uses exists in every edition's language
(a missing one would otherwise print in English inside, say, the Spanish edition)."""

from __future__ import annotations

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.model import Project


@register("interface")
def check(project: Project) -> list[Diagnostic]:
    theme = project.theme
    needed = set(theme.catalogue("en"))
    findings = []
    for lang in project.config.languages:
        for key in sorted(needed - set(theme.catalogue(lang))):
            findings.append(Diagnostic(
                "error", f"no '{lang}' text for the interface string '{key}'; add it to "
                f"locales/{lang}.yml", Location(project.root / "locales" / f"{lang}.yml"),
                "i18n-missing"))
    return findings
