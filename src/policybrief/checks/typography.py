"""Typography, per language (warnings): straight quotes, double spaces, a space
before a note call, "--" for a dash, and a breakable space in "No. 29"-like
numbers (write ``No.\\ 29``, pandoc's non-breaking space).

The rules read running text only: everything else is masked first, offsets kept, so
a finding points where the fault stands. Masked are code (fenced, indented, inline),
math, comments, link targets and titles, URLs, e-mail addresses, attributes, raw
HTML, citations and escapes, and the layout of blocks: the markers of lists,
headings, definitions, line blocks, block quotes and captions, fenced div fences,
and the rules, separators and padding of pipe, grid, simple and multiline tables.
What a table cell or a definition says is still prose, and is still checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic
from policybrief.markdown_scan import CITATION, CODE, COMMENTS, EMAIL, LINKS, MATH, blank
from policybrief.model import Chapter, Project
from policybrief.translations import UNTRANSLATED_KEY

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

_TITLE = r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""
_LIST_MARKER = (r"(?:[-*+](?:[ \t]+\[[ xX]\])?"  # bullets, task boxes
                r"|\((?:\d+|#|@[\w-]*|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)\)"  # (1) (a) (@) (@x)
                r"|(?:\d+|#|@[\w-]*|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)[.)])")  # 1. a) iv. #.

_NOT_PROSE = [
    *MATH,
    *COMMENTS,
    # a link's or image's target with its title, inline or in a reference definition
    re.compile(r"\]\([ \t]*(?:<[^>\n]*>|[^)\s]*)" + _TITLE + r"[ \t]*\)"),
    re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*(?:<[^>\n]*>|\S+)" + _TITLE + r"[ \t]*$",
               re.M),
    *LINKS,
    EMAIL,
    re.compile(r"[ \t]*\{[^}\n]*\}"),  # attributes (and the space before a heading's)
    re.compile(r"</?[a-zA-Z][^>\n]*>"),  # raw HTML tags
    CITATION,
    re.compile(r"\\[!-/:-@\[-`{-~ ]"),  # backslash escapes: \" \- \* \  are meant
    re.compile(r"^ {0,3}:{3,}.*$", re.M),  # fenced div fences
    re.compile(r"^#{1,6}[ \t]+", re.M),  # heading markers
    re.compile(r"^ {0,3}(?:[Tt]able)?:[ \t]+|^ {0,3}~[ \t]+", re.M),  # captions, definitions
    re.compile(r"^ {0,3}\|(?:[ \t]+|$)", re.M),  # line blocks
    re.compile(r"^(?:[ \t]*>)*[ \t]*" + _LIST_MARKER + r"(?:[ \t]+|$)", re.M),  # list markers
    re.compile(r"^(?:[ \t]*>)+[ \t]*", re.M),  # block quotes
]
FILL = "\x01"  # not a space: masking must not create spacing problems of its own


def prose(chapter: Chapter) -> str:
    """The chapter with everything that is not running text blanked, offsets kept."""
    text = blank(chapter.text, CODE, FILL)  # nothing in code is a table or a marker
    text = _blank_spans(text, [*_indented_code(text), *_table_layout(text)])
    return blank(text, _NOT_PROSE, FILL)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = FILL
    return "".join(chars)


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line with the offset where it starts."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    return lines


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


_CONTAINER = re.compile(r"^[ \t]*(?:" + _LIST_MARKER + r"|\[\^[^\]\s]+\]:|[:~])([ \t]+|$)")


def _container_content(line: str) -> int | None:
    """Where the content of a list item, note or definition starting here is indented
    to (its later paragraphs line up there), or None if the line starts none."""
    match = _CONTAINER.match(line)
    if not match:
        return None
    if line.lstrip().startswith("[^"):
        return 4  # a note's later paragraphs are indented four spaces
    spaces = len(match.group(1).expandtabs(4))
    marker = len(line[:match.start(1)].expandtabs(4))
    return marker + (spaces if 0 < spaces <= 4 else 1)


def _indented_code(text: str) -> Iterator[tuple[int, int]]:
    """Indented code blocks: after a blank line, indented four spaces beyond the
    content of the list item, note or definition they are in (if any)."""
    lines = _lines(text)
    content, previous_blank, i = 0, True, 0
    while i < len(lines):
        offset, line = lines[i]
        if not line.strip():
            previous_blank, i = True, i + 1
            continue
        indent = _indent(line)
        if previous_blank and indent >= content + 4:
            end = i
            while end < len(lines) and (not lines[end][1].strip()
                                        or _indent(lines[end][1]) >= content + 4):
                end += 1
            while not lines[end - 1][1].strip():
                end -= 1
            yield offset, lines[end - 1][0] + len(lines[end - 1][1])
            previous_blank, i = False, end
            continue
        inner = _container_content(line)
        if inner is not None:
            content = inner
        elif previous_blank and indent < content:
            content = 0  # a paragraph outside the item: its list is over
        previous_blank, i = False, i + 1
    return


_ALIGNMENT_CELL = re.compile(r"[ \t]*:?-+:?[ \t]*")
_GRID_RULE = re.compile(r"^[ \t]*\+(?:[-=:]+\+)+[ \t]*$")
_COLUMN_RULE = re.compile(r"^[ \t]*-+(?:[ \t]+-+)+[ \t]*$")  # a simple table's columns
_DASHES = re.compile(r"^[ \t]*-[- \t]*$")
_CELL_EDGE = re.compile(r"[ \t]*(?<!\\)\|[ \t]*")


def _table_layout(text: str) -> Iterator[tuple[int, int]]:
    """The layout of every table: its rules and separator rows, its cell borders and
    the padding around cells. The text of the cells is left alone."""
    lines = _lines(text)
    done = -1
    for i, (_, line) in enumerate(lines):
        if i <= done:
            continue
        if _pipe_separator(line) and i > 0 and lines[i - 1][1].strip():
            end = _block_end(lines, i)
            yield from _pipe_rows(lines[i - 1:end], separators={1})
            done = end - 1
        elif _GRID_RULE.match(line):
            end = _block_end(lines, i)
            yield from _pipe_rows(lines[i:end], separators={
                k for k, (_, row) in enumerate(lines[i:end]) if _GRID_RULE.match(row)})
            done = end - 1
        elif _COLUMN_RULE.match(line):
            start, end = _simple_table(lines, i)
            yield from _aligned_rows(lines[start:end], line)
            done = end - 1


def _pipe_separator(line: str) -> bool:
    """``|:--|--:|``, ``---|---`` or ``| --- |``: a pipe table's row under its header."""
    cells = line.strip().removeprefix("|").removesuffix("|").split("|")
    return "|" in line and all(_ALIGNMENT_CELL.fullmatch(cell) for cell in cells)


def _block_end(lines: list[tuple[int, str]], i: int) -> int:
    while i < len(lines) and lines[i][1].strip():
        i += 1
    return i


def _pipe_rows(rows: list[tuple[int, str]], separators: set[int]) -> Iterator[tuple[int, int]]:
    for k, (offset, row) in enumerate(rows):
        if k in separators:
            yield offset, offset + len(row)
        else:
            for edge in _CELL_EDGE.finditer(row):
                yield offset + edge.start(), offset + edge.end()


def _simple_table(lines: list[tuple[int, str]], rule: int) -> tuple[int, int]:
    """The lines of the simple or multiline table whose column rule is line ``rule``."""
    start = rule
    while start > 0 and lines[start - 1][1].strip():
        start -= 1
    multiline = start < rule and bool(_DASHES.match(lines[start][1]))
    if start == rule and (rule + 1 == len(lines) or not lines[rule + 1][1].strip()):
        return rule, rule + 1  # no header and no rows: a rule such as "- - -"
    if start < rule and not multiline:  # a simple table with a header ends at a blank line
        return start, _block_end(lines, rule)
    end = rule + 1  # otherwise it ends with a rule of dashes (rows may be apart)
    while end < len(lines):
        line = lines[end][1]
        if _DASHES.match(line):
            return start, end + 1
        if not line.strip() and (end + 1 == len(lines) or not lines[end + 1][1].strip()):
            break
        end += 1
    if start == rule:  # without a header a table ends with a rule: this is none
        return rule, rule + 1
    return start, _block_end(lines, rule)


def _aligned_rows(rows: list[tuple[int, str]], rule: str) -> Iterator[tuple[int, int]]:
    """Rules of dashes whole; in other rows, the spaces that fill a gap between the
    columns, with the padding that runs on from it."""
    columns = [m.span() for m in re.finditer(r"-+", rule)]
    gaps = [(a[1], b[0]) for a, b in pairwise(columns)]
    for offset, row in rows:
        if _DASHES.match(row):
            yield offset, offset + len(row)
            continue
        for start, end in gaps:
            if row[start:end].strip():
                continue  # a cell runs into the gap: leave its spaces to the rule
            while start > 0 and row[start - 1:start].isspace():
                start -= 1
            while end < len(row) and row[end].isspace():
                end += 1
            if start < len(row):
                yield offset + start, offset + min(end, len(row))


@register("typography")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = []
    for edition in project.editions:
        number_rule = _NUMBER_ABBREVIATIONS.get(edition.lang.split("-")[0])
        for chapter in edition.chapters:
            if chapter.front_matter.get(UNTRANSLATED_KEY):
                continue  # still the source's words, checked (once) in the source
            text = prose(chapter)
            for pattern, message, rule in RULES:
                for match in pattern.finditer(text):
                    findings.append(Diagnostic("warning", message, chapter.location(match.start()),
                                               rule))
            space = project.theme.catalogue(edition.lang).get("space_before_high_punctuation")
            if isinstance(space, str) and space:
                findings += _high_punctuation(chapter, text, space)
            if number_rule:
                for match in re.finditer(number_rule, text):
                    findings.append(Diagnostic(
                        "warning", f"'{match.group(0)}' can break at the line end; write "
                        f"'{match.group(1)}.\\ ' (non-breaking space)",
                        chapter.location(match.start()), "typography-nbsp"))
    return findings


# A high punctuation mark typed without the space its language puts before it (not in
# addresses, times like 10:30, or after a note call's bracket).
_TIGHT = re.compile(r"(?<=[^\s\d\u00a0\u202f/\]\x01])[;:!?»]|«(?=[^\s\u00a0\u202f])")


def _high_punctuation(chapter: Chapter, text: str, space: str) -> list[Diagnostic]:
    """Where the source lacks the space before ``; : ! ?`` (French); the build adds it,
    but the editor should see it in the source too. A space typed there is fine."""
    found = []
    for match in _TIGHT.finditer(text):
        line_end = text.find("\n", match.start())
        line_start = text.rfind("\n", 0, match.start()) + 1
        if "://" in text[line_start:line_end if line_end >= 0 else None]:
            continue
        name = "U+202F narrow no-break space" if space == "\u202f" else f"'{space}'"
        side = "after" if match.group(0) == "«" else "before"
        found.append(Diagnostic(
            "warning", f"'{match.group(0)}' needs a {name} {side} it; the build adds it",
            chapter.location(match.start()), "typography-high-punctuation"))
    return found
