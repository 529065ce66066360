"""Find citation keys and footnote markers in Markdown, with their positions.

Pandoc's AST has no source positions for these, so we scan the text ourselves,
first blanking out what cannot hold a citation (code, link targets, autolinks,
bare URLs, e-mail addresses) with spaces, which keeps every offset where it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from policybrief.errors import Location
from policybrief.model import Chapter
from policybrief.safety import SCHEME

CODE = [
    # fenced code: a fence of three or more ` or ~ (indented in a list item), closed by
    # a fence of the same character at least as long (a shorter one inside is code)
    re.compile(r"^[ \t]*(`{3,}(?=[^`\n]*$)|~{3,}).*?^[ \t]*\1[`~]*[ \t]*$", re.M | re.S),
    # inline code: a run of backticks closed by a run as long, within one paragraph
    re.compile(r"(?<![`\\])(`+)(?!`)(?:(?!\n[ \t]*\n).)*?(?<!`)\1(?!`)", re.S),
]
# TeX math as pandoc reads it: $$display$$; $inline$ opens before a non-space, closes
# after one, not before a digit, and holds no unescaped $ ("$5 and $6" is prose)
MATH = [
    re.compile(r"(?<![\\$])\$\$(?:(?!\n[ \t]*\n)[^$]|\$(?!\$))+\$\$"),
    re.compile(r"(?<![\\$])\$(?![\s$])(?:\\.|[^$\\\n]|\n(?![ \t]*\n))+?(?<!\s)\$(?!\d)"),
]
LINKS = [
    re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]*>", re.I),  # autolinks
    re.compile(r"\]\([^)\s]*"),  # link targets
    re.compile(r"https?://[^\s)\]>]+"),  # bare URLs
]
COMMENTS = [re.compile(r"<!--.*?-->", re.S)]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_MASKS = [*CODE, *LINKS, EMAIL, *COMMENTS]

# Pandoc: a key starts with a letter, digit or _, and may contain internal
# punctuation :.#$%&-+?<>~/ ; or any text in braces: @{...}.
_CITE = re.compile(r"(?<![\w@\\])-?@(?:\{([^}\n]+)\}|(\w(?:[\w:.#$%&+?<>~/-]*\w)?))")
CITE_KEY = _CITE  # one citation key as pandoc reads it (@key, @{key}, -@key)
CROSSREF_PREFIXES = ("fig:", "tbl:", "sec:")  # the kinds the crossref filter resolves

_FIGURE = re.compile(r"!\[[^\]]*\]\(\s*<?figure:([^)\s>\"]+)[^)]*\)")
_FIGURE_REF = re.compile(r"(?<![\w@])@fig:([\w.-]*[\w-])")

HEADING = re.compile(r"^(#{1,6})\s", re.M)  # an ATX heading and its level
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_NOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)


@dataclass(frozen=True)
class Mark:
    value: str
    location: Location


_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str, patterns: list[re.Pattern[str]], fill: str = " ") -> str:
    """Replace every match with ``fill`` characters, keeping newlines and offsets."""
    for pattern in patterns:
        text = pattern.sub(lambda m: _NOT_NEWLINE.sub(fill, m.group(0)), text)
    return text


@lru_cache(maxsize=256)
def code_masked(text: str) -> str:
    """The text with only code blanked out (links and URLs stay: images and note
    text live there)."""
    return blank(text, CODE)


_BRACKET = re.compile(r"(?<!\\)[\[\]]")  # "\[" is a character, not a bracket


def closing_brackets(text: str) -> dict[int, int]:
    """The offset of the ``]`` that closes each ``[`` (unclosed ones are left out), in one
    pass: walking from every opening bracket to its match read an unclosed chapter once
    per bracket."""
    closing: dict[int, int] = {}
    open_at: list[int] = []
    for match in _BRACKET.finditer(text):
        if match.group() == "[":
            open_at.append(match.start())
        elif open_at:
            closing[open_at.pop()] = match.start()
    return closing


@lru_cache(maxsize=256)
def masked(text: str) -> str:
    """The text with what cannot hold a citation or note blanked out (remembered:
    a dozen checks scan each chapter, and ``brief watch`` scans the unchanged ones
    again after every save)."""
    return blank(text, _MASKS)


def citations(chapter: Chapter) -> Iterator[Mark]:
    for match in _CITE.finditer(masked(chapter.text)):
        key = match.group(1) or match.group(2)
        if key.startswith(CROSSREF_PREFIXES):
            continue
        yield Mark(key, chapter.location(match.start() + match.group(0).index("@") + 1))


# A whole citation as written: "[see @a, p. 3; @b]" or "@a [p. 3]".
CITATION = _CITE_GROUP = re.compile(
    r"\[[^\[\]]*-?@[^\[\]]*\]|(?<![\w@\\])@[\w:.#$%&+?<>~/-]+\w(?: \[[^\]]*\])?")


def citation_groups(chapter: Chapter) -> Iterator[Mark]:
    """Each citation as written, normalised: keys with their locators, e.g.
    ``@a, p. 3; @b``. Prose inside brackets is dropped, so translations compare."""
    for match in _CITE_GROUP.finditer(masked(chapter.text)):
        raw = match.group(0)
        parts = []
        for piece in raw.strip("[]").split(";"):
            key = re.search(r"@\{?([\w:.#$%&+?<>~/-]*\w)", piece)
            if not key or key.group(1).startswith(CROSSREF_PREFIXES):
                continue
            locator = re.search(r",\s*((?:p|pp|art|sec|ch|para|no)\.\s*[^,;\]]+)", piece)
            bracket = re.search(r"\[((?:p|pp|art)\.[^\]]*)\]", piece)
            loc = (locator or bracket)
            parts.append(f"@{key.group(1)}" + (f", {loc.group(1).strip()}" if loc else ""))
        if parts:
            yield Mark("; ".join(parts), chapter.location(match.start()))


def figure_placements(chapter: Chapter) -> Iterator[Mark]:
    """``![...](figure:<id>)`` (matched before masking: the target is a link)."""
    for match in _FIGURE.finditer(chapter.text):
        yield Mark(match.group(1), chapter.location(match.start()))


def figure_references(chapter: Chapter) -> Iterator[Mark]:
    for match in _FIGURE_REF.finditer(masked(chapter.text)):
        yield Mark(match.group(1), chapter.location(match.start()))


def note_references(chapter: Chapter) -> Iterator[Mark]:
    for match in _NOTE_REF.finditer(masked(chapter.text)):
        yield Mark(match.group(1), chapter.location(match.start()))


def note_definitions(chapter: Chapter) -> Iterator[Mark]:
    for match in _NOTE_DEF.finditer(masked(chapter.text)):
        yield Mark(match.group(1), chapter.location(match.start() + match.group(0).index("[")))


_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMG = re.compile(r"<img[^>]*\ssrc\s*=\s*[\"']([^\"']+)", re.I)
IMAGE_PATTERNS = (_IMAGE, _HTML_IMG)  # group 1: the image's path or URL


def image_targets(chapter: Chapter) -> list[str]:
    """Local image paths in a chapter (not figures, data or remote URLs)."""
    text = code_masked(chapter.text)
    targets = [m.group(1) for pattern in IMAGE_PATTERNS for m in pattern.finditer(text)]
    return [t for t in targets if not SCHEME.match(t)]


# "{#id ...}" after a heading, a table caption, an image or a span/div; and headings.
_EXPLICIT_ID = re.compile(r"\{[^{}\n]*#([\w:.-]*\w)[^{}\n]*\}")
_ATX = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)


def reference_marks(chapter: Chapter) -> Iterator[Mark]:
    """Every ``@kind:id`` written in the chapter (``kind:`` is any word, so an unknown
    kind can be reported where it stands)."""
    for match in _CITE.finditer(masked(chapter.text)):
        key = match.group(1) or match.group(2)
        if re.match(r"[A-Za-z]+:.", key):
            yield Mark(key, chapter.location(match.start() + match.group(0).index("@") + 1))


def heading_identifier(heading: str) -> str:
    """The identifier pandoc gives a heading without one (its ``auto_identifiers``):
    formatting removed, lower case, spaces to hyphens, only letters, digits, ``_-.``,
    nothing before the first letter."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    heading = re.sub(r"\^\[[^\]]*\]|\[\^[^\]]*\]|\[@[^\]]*\]", "", heading)  # notes
    heading = re.sub(r"[*`~]", "", heading)
    words = re.sub(r"[^\w\s.-]", "", heading.lower())
    ident = re.sub(r"\s+", "-", words.strip())
    ident = re.sub(r"^[^a-z]+", "", ident)
    return ident or "section"


def anchor_ids(chapter: Chapter) -> set[str]:
    """The ids a chapter gives to what references may point at: explicit ``{#id}``
    attributes and its headings' identifiers (given or pandoc's own)."""
    text = code_masked(chapter.text)
    found = {m.group(1) for m in _EXPLICIT_ID.finditer(text)}
    for match in _ATX.finditer(text):
        heading = match.group(1)
        if not _EXPLICIT_ID.search(heading):
            found.add(heading_identifier(heading))
    return found
