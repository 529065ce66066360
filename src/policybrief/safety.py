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

import html
import re
from pathlib import Path
from urllib.parse import unquote

from policybrief.errors import BriefError, Location
from policybrief.imagefiles import image_file_problem
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
COMMENT = re.compile(r"<!--.*?-->(\s*<!--.*?-->)*", re.S)


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


def image_problem(target: str, root: Path | None) -> str | None:
    """Why an image may not be shown, or None: an image is a file of the project (or
    a figure drawn from data); never fetched from elsewhere (a tracking pixel),
    whatever the syntax that wrote it (nested brackets, a reference definition)."""
    if target.startswith(("figure:", "data:image/")):
        return None
    scheme = SCHEME.match(target)
    if scheme:
        return (f"an image must be a file in the project, not a '{scheme.group(1)}:' "
                f"address ({target[:80]})")
    if root is not None:
        path = (root / unquote(target)).resolve()
        if not path.is_relative_to(root.resolve()):
            return f"the image '{target}' is outside the project"
        if path.is_file():
            return image_file_problem(path)
    return None


def enforce(doc: Node, chapter: Chapter, root: Path | None = None) -> None:
    """Refuse anything unsafe in one chapter's parsed document (the build's second
    line, and ``brief check``'s); the error points at the first place in the chapter
    showing the culprit. ``root`` is the project's folder, where images must be."""
    def action(node: Node) -> list[Node] | None:
        kind = node["t"]
        problem, culprit = None, ""
        if kind in ("RawBlock", "RawInline"):
            fmt, culprit = node["c"]
            if fmt in ("html", "html5", "html4") and COMMENT.fullmatch(culprit.strip()):
                return None  # an editor's note: removed before rendering
            problem = (html_problem(culprit) if fmt in ("html", "html5", "html4")
                       else f"raw {fmt} output is not allowed in a chapter")
        elif kind in ("Link", "Image"):
            target = node["c"][2][0]
            problem = (image_problem(target, root) if kind == "Image"
                       else link_problem(target))
            culprit = target
            if not problem:
                problem, culprit = attribute_problem(node["c"][0][2]), _key(node["c"][0][2])
        elif kind in ("Span", "Div", "Header", "Code", "CodeBlock", "Table", "Figure"):
            attrs = node["c"][1] if kind == "Header" else node["c"][0]
            problem, culprit = attribute_problem(attrs[2]), _key(attrs[2])
        if problem:
            offset = _find(chapter.text, culprit.strip())
            where = (chapter.location(offset) if offset >= 0
                     else Location(chapter.path, chapter.body_line, 1))
            raise BriefError(problem, where)
        return None

    walk_doc(doc, action)


def without_comments(doc: Node) -> Node:
    """The document without HTML comments: editors' notes to each other, never
    published (pandoc would copy them into the web edition's source)."""
    def action(node: Node) -> list[Node] | None:
        if (node["t"] in ("RawBlock", "RawInline") and node["c"][0] in ("html", "html5")
                and COMMENT.fullmatch(node["c"][1].strip())):
            return []
        return None

    return walk_doc(doc, action)


def unsafe_links(doc: Node) -> list[tuple[str, str]]:
    """(problem, target) of every link the document holds that the rule refuses, from
    wherever it came (citeproc writes the sources' URLs and DOIs as links)."""
    found: list[tuple[str, str]] = []

    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Link":
            problem = link_problem(node["c"][2][0])
            if problem:
                found.append((problem, node["c"][2][0]))
        return None

    walk_doc(doc, action)
    return found


def _find(text: str, culprit: str) -> int:
    """Where the culprit stands in the Markdown: as written, or as pandoc decoded it
    from entities and escapes (``jav&#x61;script:``) — then the line that holds its
    scheme's first letters."""
    if not culprit:
        return -1
    offset = text.find(culprit)
    if offset < 0:
        decoded = html.unescape(text)
        at = decoded.find(culprit)
        if at >= 0:  # the same line in the text as written
            line = decoded.count("\n", 0, at)
            offset = sum(len(row) + 1 for row in text.split("\n")[:line])
    return offset


def _key(pairs: list[list[str]]) -> str:
    """The first forbidden attribute's name (what the error points at)."""
    return next((key for key, _value in pairs if FORBIDDEN_ATTRIBUTES.match(key)), "")


# ---------------------------------------------------------------------- nesting depth
#
# Every stage after the parse (pandoc's JSON read back, the filters, the print layout)
# walks a chapter's document recursively, so a chapter may not nest elements (block
# quotes, lists, fenced divs, notes, spans, emphasis...) deeper than MAX_NESTING: real
# briefs stay under ten; 5,000 levels crashed the build. Both checks below are loops
# with a stack of their own, never recursion.

MAX_NESTING = 100

_NESTING = (f"nests elements (block quotes, lists, fenced divs, notes, spans...) more than "
            f"{MAX_NESTING} deep; the limit is {MAX_NESTING}")


def enforce_depth(doc: Node, chapter: Chapter) -> None:
    """Refuse a chapter whose parsed document nests elements deeper than
    :data:`MAX_NESTING` (called right after the parse, before anything walks it); the
    error points at the words of the elements around the first one too deep."""
    # (values, the elements they are in, the element ten levels up: its words say where)
    pending: list[tuple[list[object], int, object]] = [
        ([doc.get("meta", {}), doc.get("blocks", [])], 0, None)]
    while pending:
        values, depth, anchor = pending.pop()
        for value in values:
            if isinstance(value, list):
                pending.append((value, depth, anchor))
            elif not isinstance(value, dict):
                continue
            elif "t" not in value:
                pending.append((list(value.values()), depth, anchor))
            elif isinstance(value.get("c"), list | dict):  # an element's content is its "c"
                if depth == MAX_NESTING:  # (words and spaces may stand in the last one)
                    raise BriefError(f"this chapter {_NESTING}", _deep_place(anchor, chapter))
                content = value["c"]
                pending.append((content if isinstance(content, list) else [content], depth + 1,
                                value if depth + 1 == MAX_NESTING - 10 else anchor))


_MARKUP = ">*_[]^~-+:"


def _deep_place(node: object, chapter: Chapter) -> Location:
    """Where the text of ``node`` stands in the chapter: the longest of its first words
    (the likeliest to stand nowhere else), where it stands in the line most full of
    markup (quote and list marks, emphasis, brackets)."""
    pending: list[object] = [node]
    words: list[str] = []
    while pending and len(words) < 200:
        value = pending.pop()
        if isinstance(value, dict) and value.get("t") == "Str":
            words.append(str(value.get("c", "")))
        elif isinstance(value, dict | list):
            children = value.values() if isinstance(value, dict) else value
            pending += reversed([v for v in children if isinstance(v, list | dict)])
    word = max(words, key=len, default="")
    text, best, most = chapter.text, -1, -1
    at = text.find(word) if word else -1
    for _ in range(1000):  # lines, each read once (the word's next place is on a later one)
        if at < 0:
            break
        end = text.find("\n", at)
        end = end if end >= 0 else len(text)
        line = text[text.rfind("\n", 0, at) + 1:end]
        markup = sum(line.count(mark) for mark in _MARKUP)
        if markup > most:
            best, most = at, markup
        at = text.find(word, end)
    return (chapter.location(best) if best >= 0
            else Location(chapter.path, chapter.body_line, 1))


_MARK = r"(?:>|[-+*]|(?:\d{1,9}|[a-zA-Z]|#)[.)]|\((?:\d{1,9}|[a-zA-Z])\))"
_CONTAINER_PREFIX = re.compile(rf"(?:[ \t]*{_MARK}(?=[ \t]|$)[ \t]?)*[ \t]*")
_CONTAINER_MARKS = re.compile(_MARK)
_CODE_FENCE = re.compile(r"([ \t]*)(`{3,}(?=[^`]*$)|~{3,})")
_DIV_FENCE = re.compile(r"[ \t]*:{3,}[ \t]*(\S?)")
_BRACKETS = re.compile(r"\\.|[\[\]]")


def _prefix(text: str, start: int) -> str:
    """The block quote and list marks (and indentation) a line opens with."""
    match = _CONTAINER_PREFIX.match(text, start)
    return match[0] if match else ""


def enforce_markdown_depth(chapter: Chapter) -> None:
    """The same limit read from the Markdown before pandoc parses it (pandoc itself
    takes seconds on 5,000 nested block quotes, and minutes and gigabytes on 5,000
    nested spans or inline notes): block quote and list marks at the start of a line
    and its indentation (two columns a level), open fenced divs, open brackets in a
    paragraph; code blocks skipped. An estimate, which real text does not come near;
    what it cannot see (emphasis in emphasis) :func:`enforce_depth` refuses once parsed.
    To be called before the parse (pandoc has no limit of its own)."""
    divs = brackets = 0
    fence, fence_indent = "", 0
    offset = 0
    for line in chapter.text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        code = _CODE_FENCE.match(line)
        if fence:
            if code and code[2][0] == fence[0] and len(code[2]) >= len(fence):
                fence = ""
                continue
            # a fence in a list item ends with the item: at a line indented less
            if not line.strip() or len(line) - len(line.lstrip(" \t")) >= fence_indent:
                continue
            fence = ""
        if code:
            fence, fence_indent = code[2], len(code[1])
            continue
        if not line.strip():
            brackets = 0  # brackets do not reach over a blank line
            continue
        prefix = _prefix(line, 0)
        indent = len(prefix) - len(prefix.lstrip(" \t"))
        container = (len(_CONTAINER_MARKS.findall(prefix))
                     + (indent + 3 * prefix[:indent].count("\t")) // 2)
        depth = divs + container
        if depth > MAX_NESTING:  # at the first mark over the limit (or the indentation's end)
            marks = [m.start() for m in _CONTAINER_MARKS.finditer(prefix)]
            over = MAX_NESTING - divs - (container - len(marks))
            at = marks[over] if 0 <= over < len(marks) else indent
            raise BriefError(f"this line {_NESTING}", chapter.location(start + at))
        div = _DIV_FENCE.match(line, len(prefix))
        if div:
            divs = divs + 1 if div[1] else max(divs - 1, 0)
            if divs + container > MAX_NESTING:
                raise BriefError(f"this fenced div {_NESTING}",
                                 chapter.location(start + len(prefix)))
            continue
        for mark in _BRACKETS.finditer(line, len(prefix)):
            if mark[0] == "[":
                brackets += 1
                if depth + brackets > MAX_NESTING:
                    raise BriefError(f"this bracket {_NESTING}",
                                     chapter.location(start + mark.start()))
            elif mark[0] == "]":
                brackets = max(brackets - 1, 0)
