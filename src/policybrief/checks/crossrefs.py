"""Cross-references: ``@fig:``, ``@tbl:`` and ``@sec:`` point at something in the same
edition, and no other ``@kind:`` is written (citeproc would turn it into a bogus note)."""

from __future__ import annotations

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import anchor_ids, reference_marks
from policybrief.model import Project

KINDS = {"fig": "figure", "tbl": "table", "sec": "section"}


@register("crossrefs")
def check(project: Project) -> list[Diagnostic]:
    keys = project.bibliography.keys()
    found: list[Diagnostic] = []
    for edition in project.editions:
        ids = set().union(*(anchor_ids(c) for c in edition.chapters))
        ids |= {f"fig:{figure_id}" for figure_id in project.figures}
        for chapter in edition.chapters:
            for mark in reference_marks(chapter):
                if mark.value in keys:
                    continue  # a citation key with a colon in it
                kind, _, name = mark.value.partition(":")
                if kind not in KINDS:
                    found.append(Diagnostic(
                        "error", f"unknown cross-reference '@{mark.value}': write @fig:, "
                        "@tbl: or @sec: (or a citation key from the bibliography)",
                        mark.location, "crossref-kind"))
                elif kind == "fig":
                    continue  # the figures check says if the figure exists and is placed
                elif mark.value not in ids and not (kind == "sec" and name in ids):
                    found.append(Diagnostic(
                        "error", f"'@{mark.value}' points at no {KINDS[kind]} of this "
                        f"edition (give the {KINDS[kind]} the id {{#{mark.value}}})",
                        mark.location, "crossref-target"))
    return found
