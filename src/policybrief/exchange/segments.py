"""Paragraphs as translation segments: text for the translator, Markdown as codes.

A translator in a CAT tool must see the words and nothing that could break the
brief. So each paragraph is cut into text and *codes*: a citation, a note call, a
cross-reference, an image, code, raw HTML or an attribute block is a standalone code
(XLIFF ``<ph/>``); emphasis, a link, a span or an inline note is a paired code around
translatable text (XLIFF ``<pc>``); the block markers at a line's start (``## ``,
``- ``, ``> ``) are standalone codes too. Joining the parts again gives back the
paragraph byte for byte, which is what makes an unchanged round trip identical.

Code ids are shared between a source paragraph and its translation: a code whose
Markdown is the same (the n-th ``[@smith-2015, p. 14]``) has the same id on both
sides, so a CAT tool that copies the source's codes into the target is right; codes
only the translation has (a ``{.translated-quote}`` span) get ``t``-prefixed ids.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from policybrief.markdown_scan import CITE_KEY, closing_brackets

# Standalone codes, tried in this order at each position.
_STANDALONE = [
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"`+[^`]*?`+"),
    re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^()\s]*(?:\s+\"[^\"]*\")?\)(?:\{[^{}\n]*\})?"),
    re.compile(r"\[\^[^\]\s]+\](?!:)"),  # a note call
    re.compile(r"\[[^\[\]]*-?@[^\[\]]*\](?![({])"),  # [see @a, p. 3; @b]
    re.compile(r"(?<![\w@\\])-?@(?:\{[^}\n]+\}|\w(?:[\w:.#$%&+?<>~/-]*\w)?)(?: \[[^\]]*\])?"),
    re.compile(r"<https?://[^>\s]+>"),
    re.compile(r"</?[A-Za-z][^<>\n]*>"),  # raw HTML
    re.compile(r"\{[#.][^{}\n]*\}"),  # an attribute block
    re.compile(r"\$(?=\S)[^$\n]*?(?<=\S)\$(?!\d)"),  # TeX math as pandoc reads it
    re.compile(r"\\."),  # an escaped character keeps its backslash
    re.compile(r"https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?]"),
]
# Block markers at the start of a line: headings, quotes, list items, divs.
_LINE_START = re.compile(
    r"(?:[ \t]*>[ \t]?)*(?:#{1,6}[ \t]+|:::+[^\n]*$|\[\^[^\]\s]+\]:[ \t]*|"
    r"[ \t]*(?:[-*+]|\d+[.)]|"
    r"[ivxlcIVXLC]+[.)]|[a-zA-Z][.)])[ \t]+)?", re.M)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)")
_HEADING_ATTRS = re.compile(r"[ \t]+\{[#.][^{}\n]*\}[ \t]*$")


@dataclass
class Code:
    """A standalone code: Markdown the translator keeps as it is."""

    data: str
    id: str = ""


@dataclass
class Pair:
    """A paired code: ``start``, translatable parts, ``end``."""

    start: str
    end: str
    parts: list[Part] = field(default_factory=list)
    id: str = ""


Part = str | Code | Pair


def plain(parts: list[Part]) -> str:
    """The Markdown the parts stand for."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Code):
            out.append(part.data)
        else:
            out.append(part.start + plain(part.parts) + part.end)
    return "".join(out)


def words(parts: list[Part]) -> str:
    """Only the translatable text (to tell a paragraph worth translating)."""
    return "".join(p if isinstance(p, str) else words(p.parts) if isinstance(p, Pair)
                   else "" for p in parts)


def _inline(text: str) -> list[Part]:
    parts: list[Part] = []
    buffer: list[str] = []
    index = 0
    closing = closing_brackets(text)

    def flush() -> None:
        if buffer:
            parts.append("".join(buffer))
            buffer.clear()

    while index < len(text):
        char = text[index]
        if text.startswith("^[", index):  # an inline note: its words are translated
            end = closing.get(index + 1, -1)
            if end > 0:
                flush()
                parts.append(Pair("^[", "]", _inline(text[index + 2:end])))
                index = end + 1
                continue
        for pattern in _STANDALONE:
            match = pattern.match(text, index)
            if match and match.end() > index:
                flush()
                parts.append(Code(match.group(0)))
                index = match.end()
                break
        else:
            if char == "[":  # a link or a span: [words](url) or [words]{attrs}
                end = closing.get(index, -1)
                tail = re.compile(r"\([^()\s]*(?:\s+\"[^\"]*\")?\)(?:\{[^{}\n]*\})?|"
                                  r"\{[^{}\n]*\}").match(text, end + 1) if end > 0 else None
                if end > 0 and tail:
                    flush()
                    parts.append(Pair("[", "]" + tail.group(0), _inline(text[index + 1:end])))
                    index = tail.end()
                    continue
            emphasis = _EMPHASIS.match(text, index)
            if emphasis and (index == 0 or not text[index - 1].isalnum()
                             or emphasis.group(1).startswith("*")):
                mark = emphasis.group(1)
                close = re.compile(r"(?<=\S)" + re.escape(mark) + r"(?![*_])")
                found = close.search(text, index + len(mark))
                inner_end = found.start() if found else -1
                if found and "\n\n" not in text[index:inner_end]:
                    flush()
                    parts.append(Pair(mark, mark, _inline(text[index + len(mark):inner_end])))
                    index = found.end()
                    continue
            buffer.append(char)
            index += 1
            continue
    flush()
    return parts


def segment(block: str) -> list[Part]:
    """A paragraph (one block of the chapter) as text and codes; ``plain`` of the
    result is ``block`` exactly."""
    parts: list[Part] = []
    for number, line in enumerate(block.split("\n")):
        if number:
            parts.append("\n")
        marker = _LINE_START.match(line)
        head = marker.group(0) if marker else ""
        if head:
            parts.append(Code(head))
        rest = line[len(head):]
        attrs = _HEADING_ATTRS.search(rest) if head.lstrip().startswith("#") else None
        if attrs:
            parts.extend(_inline(rest[:attrs.start()]))
            parts.append(Code(attrs.group(0)))
        else:
            parts.extend(_inline(rest))
    merged: list[Part] = []
    for part in parts:  # neighbouring text is one run
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if plain(merged) != block:  # never lose a character: the whole block is a code
        return [Code(block)]
    return merged


def codes(parts: list[Part]) -> list[Code | Pair]:
    """Every code of ``parts``, paired ones before what they enclose."""
    out: list[Code | Pair] = []
    for part in parts:
        if isinstance(part, Code):
            out.append(part)
        elif isinstance(part, Pair):
            out.append(part)
            out.extend(codes(part.parts))
    return out


def _key(code: Code | Pair) -> str:
    return code.data if isinstance(code, Code) else f"{code.start}\x00{code.end}"


def number_codes(source: list[Part], target: list[Part] | None = None) -> None:
    """Give the codes their ids: 1, 2, ... in the source; the same id in the target
    for the n-th code with the same Markdown, ``t1``, ``t2``... for the target's own."""
    seen: Counter[str] = Counter()
    ids: dict[tuple[str, int], str] = {}
    for number, code in enumerate(codes(source), start=1):
        key = _key(code)
        ids[(key, seen[key])] = code.id = str(number)
        seen[key] += 1
    if target is None:
        return
    seen.clear()
    own = 0
    for code in codes(target):
        key = _key(code)
        shared = ids.get((key, seen[key]))
        seen[key] += 1
        if shared:
            code.id = shared
        else:
            own += 1
            code.id = f"t{own}"


def codes_by_id(*segments: list[Part]) -> dict[str, Code | Pair]:
    table: dict[str, Code | Pair] = {}
    for parts in segments:
        for code in codes(parts):
            table.setdefault(code.id, code)
    return table


def protected(parts: list[Part]) -> list[str]:
    """The ids of the codes a translation must keep: citations, note calls,
    cross-references, notes, block markers (formatting may change with the language)."""
    return [c.id for c in codes(parts) if _meaning(c)]




def _meaning(code: Code | Pair) -> str:
    """What a protected code says, however it is written ("" for formatting): the keys
    of a citation or cross-reference (``@a`` and ``[@a]`` alike), a note call, a note,
    a block marker."""
    if isinstance(code, Pair):
        return "note" if code.start == "^[" else ""
    data = code.data
    if data.startswith(("\\", "<", "`", "$", "http", "![")):
        return ""
    keys = [m.group(0).lstrip("-") for m in CITE_KEY.finditer(data)]
    if keys and not data.startswith("[^"):
        locators = " ".join(re.findall(r"\d+(?:[–-]\d+)?", CITE_KEY.sub(" ", data)))
        return " ".join(keys) + (f" ({locators})" if locators else "")
    return data.strip()


def meanings(parts: list[Part]) -> Counter[str]:
    """The protected codes of a segment by what they say (their ids aside)."""
    return Counter(m for m in (_meaning(c) for c in codes(parts)) if m)
