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
    english = theme.find("locales/en.yml")
    findings = []
    for lang in project.config.languages:
        have = set(theme.catalogue(lang))
        if not have:  # a language no catalogue has: one error, saying what to translate
            findings.append(Diagnostic(
                "error", f"no interface strings for '{lang}': copy {english} to "
                f"locales/{lang}.yml in the project and translate its {len(needed)} "
                "strings", project.config_location("languages",
                                                   project.config.languages.index(lang)),
                "i18n-missing", lang))
            continue
        for key in sorted(needed - have):
            findings.append(Diagnostic(
                "error", f"no '{lang}' text for the interface string '{key}'; add it to "
                f"locales/{lang}.yml", Location(project.root / "locales" / f"{lang}.yml"),
                "i18n-missing"))
    return findings
