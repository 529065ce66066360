"""Content checks that run before anything is rendered.

Each check module exposes ``check(project, bibliography) -> list[Finding]``. A
finding with severity ``error`` stops a build; warnings are reported and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from policybrief.bibliography import Bibliography
from policybrief.errors import BriefError, Location
from policybrief.model import Project

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    location: Location | None
    rule: str

    def format(self, root: Path | None = None) -> str:
        where = f"{self.location.display(root)}: " if self.location else ""
        return f"{where}{self.severity}: {self.message} [{self.rule}]"

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        loc = self.location
        return {
            "path": loc.relative_path(root) if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }

    def github(self, root: Path | None = None) -> str:
        """A GitHub Actions workflow command: an annotation on the changed line."""
        level = "error" if self.severity == "error" else "warning"
        parts = []
        if self.location:
            parts.append(f"file={self.location.relative_path(root)}")
            if self.location.line:
                parts.append(f"line={self.location.line}")
            if self.location.col:
                parts.append(f"col={self.location.col}")
        parts.append(f"title={self.rule}")
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} {','.join(_escape_property(p) for p in parts)}::{message}"

    def as_error(self) -> BriefError:
        return BriefError(f"{self.message} [{self.rule}]", self.location)


def _escape_property(part: str) -> str:
    """GitHub workflow-command property values escape %, CR, LF, ':' and ','."""
    name, _, value = part.partition("=")
    for raw, escaped in (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"), (":", "%3A"),
                         (",", "%2C")):
        value = value.replace(raw, escaped)
    return f"{name}={value}"


def run_checks(project: Project, bibliography: Bibliography) -> list[Finding]:
    from policybrief.checks import (
        citations,
        figures,
        interface,
        notes,
        sources,
        structure,
        translations,
        typography,
    )

    findings: list[Finding] = []
    for module in (citations, sources, notes, figures, structure, typography, translations,
                   interface):
        findings.extend(module.check(project, bibliography))
    findings = [f for f in findings if not _ignored(f, bibliography)]
    return sorted(findings, key=lambda f: (f.location or Location(Path("")), f.message))


def _ignored(finding: Finding, bibliography: Bibliography) -> bool:
    """A source may opt out of a rule that does not fit it, documented in the entry:
    ``policybrief-ignore = {source-urldate}`` (e.g. the report gives no access date)."""
    if finding.location is None or finding.location.path != bibliography.path:
        return False
    for entry in bibliography.entries.values():
        if entry.location == finding.location or finding.location in (
                entry.field_location(f) for f in entry.fields):
            ignored = entry.fields.get("policybrief-ignore", "")
            return finding.rule in {r.strip() for r in ignored.split(",")}
    return False
