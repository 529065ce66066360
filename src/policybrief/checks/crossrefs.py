"""Cross-references: ``@fig:``, ``@tbl:`` and ``@sec:`` point at something in the same
edition, and no other ``@kind:`` is written (citeproc would turn it into a bogus note)."""

from __future__ import annotations

import re

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import anchor_ids, masked, reference_marks
from policybrief.model import Chapter, Project

KINDS = {"fig": "figure", "tbl": "table", "sec": "section"}
# A reference glued to the words around it, as Chinese and Japanese write: pandoc
# reads no citation after a letter, and takes the letters after the id into it.
_GLUED_BEFORE = re.compile(r"(?<=[^\s\[\](){};,.!?'\"“‘«-])@(?:fig|tbl|sec):[\w-]+")
_IDEOGRAPH = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@register("crossrefs")
def check(project: Project) -> list[Diagnostic]:
    keys = project.bibliography.keys()
    found: list[Diagnostic] = []
    for edition in project.editions:
        ids = set().union(*(anchor_ids(c) for c in edition.chapters))
        ids |= {f"fig:{figure_id}" for figure_id in project.figures}
        for chapter in edition.chapters:
            found += _glued(chapter)
            for mark in reference_marks(chapter):
                if _IDEOGRAPH.search(mark.value):
                    continue  # reported by _glued
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


def _glued(chapter: Chapter) -> list[Diagnostic]:
    """References pandoc would print as text: ``如@fig:x所示`` is no reference, and
    ``@fig:x所示`` names a figure "x所示"; in brackets, ``如[@fig:x]所示``, it works."""
    found = []
    text = masked(chapter.text)
    for match in _GLUED_BEFORE.finditer(text):
        found.append(_glued_error(chapter, match.start(), match.group(0)))
    for match in re.finditer(r"(?<![\[\w])@((?:fig|tbl|sec):[\w-]+)", text):
        ideograph = _IDEOGRAPH.search(match.group(1))
        if ideograph:
            key = match.group(1)[: ideograph.start()]
            found.append(_glued_error(chapter, match.start(), "@" + key))
    return found


def _glued_error(chapter: Chapter, offset: int, written: str) -> Diagnostic:
    key = re.sub(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef].*", "",
                 written.lstrip("@"))
    return Diagnostic(
        "error", f"'{written}' touches the words around it, so it would print as text: "
        f"write it in brackets, [@{key}], which needs no spaces (如[@{key}]所示)",
        chapter.location(offset), "crossref-glued")
