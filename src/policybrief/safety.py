"""What a chapter may put into an edition: the rule, in one place.

Chapters come through pull requests, so nothing in them may run in a reader's
browser or fetch anything: raw HTML is limited to a few inline tags with a few
harmless attributes; raw output for other formats (``{=html}``, ``{=openxml}``...)
is refused; links may point to http(s), mailto, or within the document; no element
may carry ``style``, ``srcset`` or event (``on...``) attributes. ``brief check``
applies the rule to the Markdown with locations; the build applies it again to
pandoc's parsed document, so nothing the text scan misses gets through.
"""

from __future__ import annotations

import re

from policybrief.errors import BriefError, Location
from policybrief.model import Chapter
from policybrief.pandoc.ast import Node, walk_doc

ALLOWED_TAGS = {"br", "sup", "sub", "span", "em", "strong", "i", "b", "abbr", "small",
                "mark", "u", "s", "del", "ins", "q", "cite", "wbr"}
ALLOWED_ATTRIBUTES = {"class", "lang", "title", "dir", "id"}
FORBIDDEN_ATTRIBUTES = re.compile(r"^(style|srcset|on[a-z]+|formaction|xlink:href)$", re.I)
LINK_SCHEMES = {"http", "https", "mailto"}

TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
ATTRIBUTE = re.compile(r"([^\s=/>\"']+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def html_problem(fragment: str) -> str | None:
    """Why a raw HTML fragment is not allowed, or None."""
    if re.search(r"<!--|<!\[CDATA\[|<\?", fragment):
        return "HTML comments and processing instructions are not allowed"
    for match in TAG.finditer(fragment):
        tag = match.group(2).lower()
        if tag not in ALLOWED_TAGS:
            return f"raw HTML <{tag}> is not allowed in a chapter"
        for attribute in ATTRIBUTE.finditer(match.group(3)):
            name = attribute.group(1).lower()
            if name not in ALLOWED_ATTRIBUTES:
                return f"raw HTML attribute '{name}' is not allowed in a chapter"
    return None


def link_problem(target: str) -> str | None:
    """Why a link target is not allowed, or None."""
    scheme = SCHEME.match(target)
    if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
        return f"a link to '{scheme.group(1)}:' is not allowed (only http, https, mailto)"
    return None


def attribute_problem(pairs: list[list[str]]) -> str | None:
    for key, _value in pairs:
        if FORBIDDEN_ATTRIBUTES.match(key):
            return f"the attribute '{key}' is not allowed in a chapter"
    return None


def enforce(doc: Node, chapter: Chapter) -> None:
    """Refuse anything unsafe in one chapter's parsed document (the build's second
    line); the error points at the first place in the chapter showing the culprit."""
    def action(node: Node) -> list[Node] | None:
        kind = node["t"]
        problem, culprit = None, ""
        if kind in ("RawBlock", "RawInline"):
            fmt, culprit = node["c"]
            problem = (html_problem(culprit) if fmt in ("html", "html5", "html4")
                       else f"raw {fmt} output is not allowed in a chapter")
        elif kind in ("Link", "Image"):
            target = node["c"][2][0]
            if kind == "Image" and target.startswith(("figure:", "data:image/")):
                target = ""
            problem = link_problem(target)
            culprit = target
            if not problem:
                problem, culprit = attribute_problem(node["c"][0][2]), _key(node["c"][0][2])
        elif kind in ("Span", "Div", "Header", "Code", "CodeBlock", "Table", "Figure"):
            attrs = node["c"][1] if kind == "Header" else node["c"][0]
            problem, culprit = attribute_problem(attrs[2]), _key(attrs[2])
        if problem:
            offset = chapter.text.find(culprit.strip()) if culprit.strip() else -1
            where = (chapter.location(offset) if offset >= 0
                     else Location(chapter.path, chapter.body_line, 1))
            raise BriefError(problem, where)
        return None

    walk_doc(doc, action)


def _key(pairs: list[list[str]]) -> str:
    """The first forbidden attribute's name (what the error points at)."""
    return next((key for key, _value in pairs if FORBIDDEN_ATTRIBUTES.match(key)), "")
