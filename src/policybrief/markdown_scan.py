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
    re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S),  # fenced code
    re.compile(r"`+[^`\n]*`+"),  # inline code
]
LINKS = [
    re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]*>", re.I),  # autolinks
    re.compile(r"\]\([^)\s]*"),  # link targets
    re.compile(r"https?://[^\s)\]>]+"),  # bare URLs
]
COMMENTS = [re.compile(r"<!--.*?-->", re.S)]
_MASKS = [*CODE, *LINKS, re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), *COMMENTS]  # + e-mail

# Pandoc: a key starts with a letter, digit or _, and may contain internal
# punctuation :.#$%&-+?<>~/ ; or any text in braces: @{...}.
_CITE = re.compile(r"(?<![\w@\\])-?@(?:\{([^}\n]+)\}|(\w(?:[\w:.#$%&+?<>~/-]*\w)?))")
CROSSREF_PREFIXES = ("fig:", "tbl:", "sec:", "eq:")

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
