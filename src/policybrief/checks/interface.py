"""Interface strings: every string the theme uses exists in every edition's language
(a missing one would otherwise print in English inside, say, the Spanish edition)."""

from __future__ import annotations

from policybrief.bibliography import Bibliography
from policybrief.checks import Finding
from policybrief.errors import Location
from policybrief.i18n import catalogue
from policybrief.model import Project


def check(project: Project, bibliography: Bibliography) -> list[Finding]:
    from policybrief.pipeline import theme_dir

    theme = theme_dir(project.config.theme)
    needed = set(catalogue(theme, project.root, "en"))
    findings = []
    for lang in project.config.languages:
        for key in sorted(needed - set(catalogue(theme, project.root, lang))):
            findings.append(Finding(
                "error", f"no '{lang}' text for the interface string '{key}'; add it to "
                f"locales/{lang}.yml", Location(project.root / "locales" / f"{lang}.yml"),
                "i18n-missing"))
    return findings
