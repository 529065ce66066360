"""Typography, per language (warnings): straight quotes, double spaces, a space
before a note call, "--" for a dash, and a breakable space in "No. 29"-like
numbers (write ``No.\\ 29``, pandoc's non-breaking space)."""

from __future__ import annotations

import re

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import CITATION, CODE, COMMENTS, LINKS, blank
from policybrief.model import Chapter, Project

_NUMBER_ABBREVIATIONS = {
    "en": r"\b(No|Nos|Art|Arts|p|pp|Vol)\. (?=\d)",
    "es": r"\b(No|núm|núms|art|arts|pág|págs|vol)\. (?=\d)",
}
RULES = [
    (re.compile(r"(?<![=\w])\"|\"(?![\w>])"), "straight double quote; use “ ” (or « » in Spanish)",
     "typography-quotes"),
    (re.compile(r"(?<=\S)  +(?=\S)"), "double space", "typography-space"),
    (re.compile(r"[^\S\n](?:\^\[|\[\^)"), "space before a note", "typography-note-space"),
    (re.compile(r"(?<![-!<])--(?![->])"), "'--' used for a dash; use – or —",
     "typography-dash"),
]


_NOT_PROSE = [
    *CODE,
    *LINKS,
    re.compile(r"\{[^}\n]*\}"),  # attributes
    re.compile(r"</?[a-zA-Z][^>\n]*>"),  # raw HTML tags
    CITATION,
    *COMMENTS,
    re.compile(r"^ {0,3}(?:[ivxlcIVXLC]+|\d+|[a-zA-Z])[.)] +|^ {0,3}[-*+] +", re.M),  # markers
]
FILL = "\x01"  # not a space: masking must not create spacing problems of its own


def prose(chapter: Chapter) -> str:
    """The chapter with everything that is not running text blanked, offsets kept."""
    return blank(chapter.text, _NOT_PROSE, FILL)


@register("typography")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = []
    for edition in project.editions:
        number_rule = _NUMBER_ABBREVIATIONS.get(edition.lang.split("-")[0])
        for chapter in edition.chapters:
            text = prose(chapter)
            for pattern, message, rule in RULES:
                for match in pattern.finditer(text):
                    findings.append(Diagnostic("warning", message, chapter.location(match.start()),
                                               rule))
            if number_rule:
                for match in re.finditer(number_rule, text):
                    findings.append(Diagnostic(
                        "warning", f"'{match.group(0)}' can break at the line end; write "
                        f"'{match.group(1)}.\\ ' (non-breaking space)",
                        chapter.location(match.start()), "typography-nbsp"))
    return findings
