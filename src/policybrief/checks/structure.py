"""Structure and safety of the Markdown: headings in order, fenced divs closed, and
nothing that could reach outside the project or run in a reader's browser.

Raw HTML, raw output, links and attributes follow the rule in
:mod:`policybrief.safety`; images must be files inside the project (paths relative
to the project folder) or ``figure:`` placements. These are errors, so an
untrusted pull request cannot inject anything into an edition.
"""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.imagefiles import image_file_problem
from policybrief.markdown_scan import (
    COMMENTS,
    HEADING,
    IMAGE_PATTERNS,
    MATH,
    blank,
    code_masked,
    masked,
)
from policybrief.model import Chapter, Project
from policybrief.safety import SCHEME, TAG, attribute_problem, html_problem, link_problem

_FENCE_DIV = re.compile(r"^ {0,3}(:{3,})(.*)$", re.M)
_FIRST_LINE = re.compile(r"^[ \t]*\S.*$", re.M)
_LEVEL_ONE = re.compile(r"#(?:[ \t]|$)|.*\n=+[ \t]*(?:\n|$)")  # ATX or setext
_ATX_LEVEL = re.compile(r"(#{1,6})(?:[ \t]|$)")


def _heading_first(chapter: Chapter) -> list[Diagnostic]:
    """A chapter starts with its level-1 heading (an HTML comment before it is fine):
    an edition's chapters are read as one document, so what comes first would run on
    under the previous chapter's heading."""
    text = blank(chapter.text, COMMENTS)
    first = _FIRST_LINE.search(text)
    if first is None or _LEVEL_ONE.match(text, first.start()):
        return []
    atx = _ATX_LEVEL.match(text, first.start())
    starts = (f"a level-{len(atx.group(1))} heading" if atx
              else f"'{first.group(0).strip()[:40]}'")
    return [Diagnostic("warning", "a chapter starts with its level-1 heading ('# Title'); "
                       f"this one starts with {starts}", chapter.location(first.start()),
                       "heading-first")]


def _headings(chapter: Chapter) -> list[Diagnostic]:
    findings = []
    previous = 0
    for match in HEADING.finditer(masked(chapter.text)):
        level = len(match.group(1))
        if previous and level > previous + 1:
            findings.append(Diagnostic("warning", f"heading level {level} follows level {previous} "
                                       f"(a level is skipped)", chapter.location(match.start()),
                                       "heading-skip"))
        previous = level
    return findings


def _fenced_divs(chapter: Chapter) -> list[Diagnostic]:
    stack = []
    for match in _FENCE_DIV.finditer(code_masked(chapter.text)):
        if match.group(2).strip():  # an opening fence names a class or attributes
            stack.append(match)
        elif stack:
            stack.pop()
        else:
            return [Diagnostic("error", "closing ':::' without an opening fenced div",
                               chapter.location(match.start()), "fenced-div")]
    return [Diagnostic("error", f"fenced div '{m.group(0).strip()}' is never closed with ':::'",
                       chapter.location(m.start()), "fenced-div") for m in stack]


_RAW_OUTPUT = re.compile(r"\{=[\w-]+\}")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)|^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_PANDOC_ATTRS = re.compile(r"\{[^{}\n]*\}")
_NOT_TAGS = [  # what pandoc never reads as an HTML tag
    re.compile(r"<(?=\s)"),  # "a < b": a tag's name follows "<" at once
    re.compile(r"(?<=\]\()[ \t]*<[^>\n]*>"),  # a link target in <...> (it may hold spaces)
    re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*<[^>\n]*>", re.M),  # a reference definition's
]


def _safety(chapter: Chapter, root: Path) -> list[Diagnostic]:
    """The rule of :mod:`policybrief.safety`, located in the Markdown."""
    findings = []
    raw = chapter.text
    text = code_masked(chapter.text)

    def refuse(message: str, offset: int, rule: str = "raw-html") -> None:
        findings.append(Diagnostic("error", message, chapter.location(offset), rule))

    # raw output blocks and inlines hide in code syntax: look at the unmasked text
    for match in _RAW_OUTPUT.finditer(raw):
        refuse(f"raw output '{match.group(0)}' is not allowed in a chapter", match.start())
    without_autolinks = blank(text, [_AUTOLINK, *MATH, *_NOT_TAGS])
    opened: dict[str, int] = {}
    for match in TAG.finditer(without_autolinks):
        tag = match.group(2).lower()
        if match.group(1) and opened.get(tag):  # its opening tag is already reported
            opened[tag] -= 1
            continue
        problem = html_problem(match.group(0).replace("</", "<", 1))
        if problem:
            refuse(problem, match.start())
            if not match.group(1):
                opened[tag] = opened.get(tag, 0) + 1
    for match in _PANDOC_ATTRS.finditer(text):
        pairs = [[m.group(1), ""] for m in re.finditer(r"([\w:-]+)\s*=", match.group(0))]
        problem = attribute_problem(pairs)
        if problem:
            refuse(problem, match.start())
    for match in [*_LINK_TARGET.finditer(text), *_AUTOLINK.finditer(text)]:
        target = next(g for g in match.groups() if g)
        image = text[max(0, match.start() - 200):match.start()].rfind("![") > \
            text[max(0, match.start() - 200):match.start()].rfind("]")
        if target.startswith("figure:") or target.startswith("data:image/"):
            continue
        problem = link_problem(target)
        if problem and not image:
            refuse(problem, match.start(), "link")
    for pattern in IMAGE_PATTERNS:
        for match in pattern.finditer(text):
            target = match.group(1)
            where = chapter.location(match.start())
            if target.startswith("figure:") or target.startswith("data:image/"):
                continue
            if SCHEME.match(target):
                findings.append(Diagnostic(
                    "error", f"image '{target}' is not a file in the project "
                    "(remote and other URLs are refused)", where, "image"))
                continue
            path = (root / target).resolve() if not target.startswith("/") else Path(target)
            if target.startswith("/") or not path.is_relative_to(root):
                findings.append(Diagnostic("error", f"image '{target}' is outside the project",
                                           where, "image"))
            elif not path.is_file():
                findings.append(Diagnostic("error", f"image '{target}' does not exist (image paths "
                                           "are relative to the project folder)", where, "image"))
            elif problem := image_file_problem(path):
                findings.append(Diagnostic("error", problem, where, "image"))
    return findings


@register("structure")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = []
    for edition in project.editions:
        for chapter in edition.chapters:
            findings += _heading_first(chapter) + _headings(chapter) + _fenced_divs(chapter)
            findings += _safety(chapter, project.root)
    return findings
