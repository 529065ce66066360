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

    def as_error(self) -> BriefError:
        return BriefError(f"{self.message} [{self.rule}]", self.location)


def run_checks(project: Project, bibliography: Bibliography) -> list[Finding]:
    from policybrief.checks import citations, figures, notes, translations

    findings: list[Finding] = []
    for module in (citations, notes, figures, translations):
        findings.extend(module.check(project, bibliography))
    return sorted(findings, key=lambda f: (f.location or Location(Path("")), f.message))
