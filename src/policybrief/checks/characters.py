"""Characters no edition may hold: control characters other than tab and line ends,
U+FFFE and U+FFFF. XML forbids them (a DOCX holding one does not open in Word) and
HTML too; each is reported where it stands, so the build's own check never meets it."""

from __future__ import annotations

import re

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.model import Project

FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@register("characters")
def check(project: Project) -> list[Diagnostic]:
    found = []
    for edition in project.editions:
        for chapter in edition.chapters:
            for match in FORBIDDEN.finditer(chapter.text):
                found.append(Diagnostic(
                    "error", f"the control character U+{ord(match.group(0)):04X} cannot be "
                    "printed in any edition (XML and HTML forbid it): delete it",
                    chapter.location(match.start()), "control-character"))
    bib = project.bibliography.path
    for line_number, line in enumerate(
            bib.read_text(encoding="utf-8", errors="replace").split("\n"), start=1):
        bad = FORBIDDEN.search(line)
        if bad:
            found.append(Diagnostic(
                "error", f"the control character U+{ord(bad.group(0)):04X} cannot be "
                "printed in any edition (XML and HTML forbid it): delete it",
                Location(bib, line_number, bad.start() + 1), "control-character"))
    return found
