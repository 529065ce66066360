"""Structure and safety of the Markdown: headings in order, fenced divs closed, and
nothing that could reach outside the project or run in a reader's browser.

Raw HTML may not carry active or embedding elements (script, iframe, object,
embed, link, style, meta, base, form) or event attributes (onclick=...), and images
must be files inside the project (or ``figure:`` placements): a remote image, an
absolute path or one that climbs out of the project is refused. These are errors,
so an untrusted pull request cannot inject them into an edition.
"""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.bibliography import Bibliography
from policybrief.checks import Finding
from policybrief.checks.markdown_scan import CODE, blank, locate, masked
from policybrief.model import Chapter, Project

_HEADING = re.compile(r"^(#{1,6})\s", re.M)
_FENCE_DIV = re.compile(r"^ {0,3}(:{3,})(.*)$", re.M)
_FORBIDDEN_TAG = re.compile(
    r"<\s*(script|iframe|object|embed|link|style|meta|base|form|frame|frameset)\b", re.I)
_EVENT_ATTR = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)
_JS_URL = re.compile(r"(?:href|src)\s*=\s*[\"']?\s*javascript:", re.I)
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMG = re.compile(r"<img[^>]*\ssrc\s*=\s*[\"']([^\"']+)", re.I)


def _code_masked(chapter: Chapter) -> str:
    """Only code is blanked (links and URLs stay: images live there)."""
    return blank(chapter.text, CODE)


def _headings(chapter: Chapter) -> list[Finding]:
    findings = []
    previous = 0
    for match in _HEADING.finditer(masked(chapter.text)):
        level = len(match.group(1))
        if previous and level > previous + 1:
            findings.append(Finding("warning", f"heading level {level} follows level {previous} "
                                    f"(a level is skipped)", locate(chapter, match.start()),
                                    "heading-skip"))
        previous = level
    return findings


def _fenced_divs(chapter: Chapter) -> list[Finding]:
    stack = []
    for match in _FENCE_DIV.finditer(_code_masked(chapter)):
        if match.group(2).strip():  # an opening fence names a class or attributes
            stack.append(match)
        elif stack:
            stack.pop()
        else:
            return [Finding("error", "closing ':::' without an opening fenced div",
                            locate(chapter, match.start()), "fenced-div")]
    return [Finding("error", f"fenced div '{m.group(0).strip()}' is never closed with ':::'",
                    locate(chapter, m.start()), "fenced-div") for m in stack]


def _safety(chapter: Chapter, root: Path) -> list[Finding]:
    findings = []
    text = _code_masked(chapter)
    for pattern, what in ((_FORBIDDEN_TAG, "raw HTML <{}> is not allowed in a chapter"),
                          (_EVENT_ATTR, "raw HTML event attribute '{}' is not allowed"),
                          (_JS_URL, "a javascript: URL is not allowed")):
        for match in pattern.finditer(text):
            name = match.group(1).lower() if match.groups() else ""
            findings.append(Finding("error", what.format(name), locate(chapter, match.start()),
                                    "raw-html"))
    for pattern in (_IMAGE, _HTML_IMG):
        for match in pattern.finditer(text):
            target = match.group(1)
            where = locate(chapter, match.start())
            if target.startswith("figure:") or target.startswith("data:image/"):
                continue
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                findings.append(Finding("error", f"image '{target}' is not a file in the project "
                                        "(remote and other URLs are refused)", where, "image"))
                continue
            path = (chapter.path.parent / target).resolve() if not target.startswith("/") \
                else Path(target)
            if target.startswith("/") or not path.is_relative_to(root):
                findings.append(Finding("error", f"image '{target}' is outside the project",
                                        where, "image"))
            elif not path.is_file():
                findings.append(Finding("error", f"image '{target}' does not exist", where,
                                        "image"))
    return findings


def check(project: Project, bibliography: Bibliography) -> list[Finding]:
    findings: list[Finding] = []
    for edition in project.editions:
        for chapter in edition.chapters:
            findings += _headings(chapter) + _fenced_divs(chapter)
            findings += _safety(chapter, project.root)
    return findings
