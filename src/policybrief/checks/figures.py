"""Figures: every placed or referenced figure exists, every figure is placed (warning),
and every figure's source is in the bibliography."""

from __future__ import annotations

import difflib
import re

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.markdown_scan import anchor_ids, figure_placements, figure_references
from policybrief.model import Project

_ALONE = re.compile(r"^\s*!\[[^\]]*\]\(figure:[\w-]+\)(\{[^}]*\})?\s*$")


@register("figures")
def check(project: Project) -> list[Diagnostic]:
    bibliography = project.bibliography
    findings: list[Diagnostic] = []
    known = sorted(project.figures)
    for figure_id in known:  # a translation's texts still to write: its edition's errors
        findings += [Diagnostic("error", message, where, "figure-text", lang)
                     for lang, message, where in project.figures[figure_id].missing]
    placed: set[str] = set()
    referenced: list[tuple[str, Location]] = []
    for edition in project.editions:
        images = {i for c in edition.chapters for i in anchor_ids(c) if i.startswith("fig:")}
        for chapter in edition.chapters:
            marks = [("placed", m) for m in figure_placements(chapter)]
            marks += [("referenced", m) for m in figure_references(chapter)]
            lines = chapter.text.split("\n")
            for how, mark in marks:
                if how == "placed" and edition.is_source:
                    placed.add(mark.value)
                if how == "referenced" and edition.is_source:
                    referenced.append((mark.value, mark.location))
                if how == "placed":
                    index = mark.location.line - chapter.body_line
                    alone = _ALONE.match(lines[index]) and (
                        index == 0 or not lines[index - 1].strip())
                    if not alone:
                        findings.append(Diagnostic(
                            "error", f"figure '{mark.value}' must stand alone in its own "
                            "paragraph (blank lines around it)", mark.location,
                            "figure-placement"))
                if mark.value in project.figures or (
                        how == "referenced" and f"fig:{mark.value}" in images):
                    continue  # a figure from data, or an image figure {#fig:...}
                close = difflib.get_close_matches(mark.value, known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                findings.append(Diagnostic(
                    "error", f"figure '{mark.value}' is {how} here but figures/{mark.value}/ "
                    f"does not exist{hint}", mark.location, "figure-unknown"))
    for figure_id, location in referenced:
        if figure_id in project.figures and figure_id not in placed:
            findings.append(Diagnostic(
                "error", f"figure '{figure_id}' is referenced but never placed: the link "
                "would point nowhere", location, "figure-unplaced"))
    for figure_id, figure in sorted(project.figures.items()):
        if figure.spec.kind == "custom" and not project.config.figure_code:
            findings.append(Diagnostic(
                "error", f"figure '{figure_id}' is drawn by Python code (figure.py); set "
                "'figure_code: true' in brief.yml to allow it (trusted content only)",
                figure.where("kind"), "figure-code"))
        if figure_id not in placed:
            findings.append(Diagnostic(
                "warning", f"figure '{figure_id}' is never placed in a chapter",
                figure.where(), "figure-unused"))
        for index, source in enumerate(figure.spec.sources):
            if source.key in bibliography.entries:
                continue
            close = difflib.get_close_matches(source.key, sorted(bibliography.entries), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            findings.append(Diagnostic(
                "error", f"figure source '{source.key}' is not in the bibliography{hint}",
                figure.spec_source.where(("sources", index, "key")), "figure-source"))
    return findings
