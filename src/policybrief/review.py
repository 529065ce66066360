"""brief review: an editor's tracked changes and comments in the Word edition,
brought back to the Markdown they came from.

The Word edition carries, as bookmarks, each paragraph's chapter, line and
fingerprint, and where each citation's text begins and ends
(:mod:`policybrief.pandoc.filters.origins`). Pandoc reads the marked-up DOCX with
``--track-changes=all``, so insertions, deletions and comments are spans; each one is
found in its Markdown paragraph by its words (and a few words around them while they
are ambiguous) and reported at its line and column. ``--apply`` writes a change only
where the paragraph is as it was when the DOCX was built (same fingerprint) and the
words are found exactly once; a citation's text is the bibliography's, so a change to
it is reported at the entry in ``references.bib`` and never written into a chapter.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree as ET

from policybrief.errors import (
    BriefError,
    Diagnostic,
    Location,
    PandocError,
    SourceError,
    printable,
)
from policybrief.model import Chapter, Project
from policybrief.pandoc.ast import Node, stringify
from policybrief.pandoc.filters import origins
from policybrief.pandoc.runner import run_pandoc
from policybrief.translations import Paragraph, paragraphs

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CONTEXT_STEPS = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (1, 2), (2, 2), (3, 3), (6, 6)]

Kind = Literal["text", "ins", "del"]
CITED = "\ue002"  # where a citation's text stood, in a paragraph's context


@dataclass
class Piece:
    """Some text of a Word paragraph: as built, inserted or deleted by an editor."""

    kind: Kind
    text: str
    author: str
    cite: int | None  # the citation set it lies in (document properties), if any


@dataclass
class Comment:
    author: str
    text: str
    start: int  # offsets into the paragraph's text as built
    end: int = -1
    cite: int | None = None


@dataclass
class WordParagraph:
    mark: origins.ParagraphMark | None
    pieces: list[Piece] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    def built_text(self, start: int = 0, end: int | None = None) -> str:
        """The text the build wrote (deletions in, insertions out), between two
        pieces; a citation's text, which no chapter has, as one CITED mark."""
        out: list[str] = []
        previous: int | None = None
        for piece in self.pieces[start:end]:
            if piece.kind == "ins":
                continue
            if piece.cite is None:
                out.append(piece.text)
            elif piece.cite != previous:
                out.append(CITED)
            previous = piece.cite
        return "".join(out)


@dataclass(frozen=True)
class Change:
    author: str
    before: str  # the paragraph's built text before the change
    old: str
    new: str
    after: str
    cite: int | None

    @property
    def diff(self) -> str:
        old = f"[-{' '.join(self.old.split())}-]" if self.old.strip() else ""
        new = f"{{+{' '.join(self.new.split())}+}}" if self.new.strip() else ""
        return old + new


@dataclass(frozen=True)
class Finding:
    """One line of the report, and what ``--apply`` would write."""

    location: Location
    message: str
    edit: tuple[Chapter, int, int, str] | None = None  # chapter, body offsets, new text
    refusal: str = ""  # why --apply cannot write it ("" for a comment or an edit)


# ----------------------------------------------------------------- the DOCX


def _properties(package: zipfile.ZipFile) -> dict[str, str]:
    try:
        root = ET.fromstring(package.read("docProps/custom.xml"))
    except KeyError:
        return {}
    return {p.get("name", ""): "".join(p.itertext()) for p in root.iter(f"{{{CUSTOM}}}property")}


# A bookmark of ours as text: pandoc's reader keeps only the bookmarks a link points
# to, and none in a heading; text it keeps everywhere (private-use brackets)
OPEN, CLOSE = "\ue000", "\ue001"
_BOOKMARK_START = re.compile(rb'<w:bookmarkStart\b[^>]*?\bw:name="(pb[a-z]?_[0-9a-f_]+)"[^>]*/>')
_MARKER = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")


def _with_visible_bookmarks(data: bytes) -> tuple[bytes, dict[str, str]]:
    """The DOCX with each of our bookmarks written as a marker in the text; and its
    document properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        properties = _properties(src)
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename in ("word/document.xml", "word/footnotes.xml",
                                 "word/endnotes.xml"):
                content = _BOOKMARK_START.sub(
                    lambda m: f"<w:r><w:t>{OPEN}{m[1].decode()}{CLOSE}</w:t></w:r>".encode(),
                    content)
            dst.writestr(info, content)
    return out.getvalue(), properties


def read_docx(path: Path, root: Path) -> tuple[list[WordParagraph], dict[str, str]]:
    """The paragraphs of a marked-up Word edition (body and notes) with their
    changes and comments, and its document properties."""
    try:
        data, properties = _with_visible_bookmarks(path.read_bytes())
    except (OSError, zipfile.BadZipFile, ET.ParseError) as exc:
        raise SourceError(f"cannot read this Word file: {exc}", Location(path)) from None
    if not any(name.startswith(origins.CHAPTER_PROPERTY) for name in properties):
        raise SourceError("this Word file has no policybrief paragraph bookmarks: build it "
                          "with brief build --to docx, and review that file", Location(path))
    with tempfile.TemporaryDirectory() as tmp:
        marked = Path(tmp) / "review.docx"
        marked.write_bytes(data)
        try:
            doc = run_pandoc([], ["-f", "docx", "-t", "json", "--track-changes=all",
                                  str(marked)], cwd=root).json()
        except PandocError as exc:
            raise SourceError(exc.message, Location(path)) from None
    found: list[WordParagraph] = []
    _read_blocks(doc["blocks"], found)
    return [p for p in found if p.mark is not None or _changed(p)], properties


def _changed(paragraph: WordParagraph) -> bool:
    return bool(paragraph.comments) or any(p.kind != "text" and p.text for p in paragraph.pieces)


def _read_blocks(value: Any, found: list[WordParagraph]) -> None:
    if isinstance(value, list):
        for item in value:
            _read_blocks(item, found)
    elif isinstance(value, dict) and "t" in value:
        if value["t"] in ("Para", "Plain"):
            _read_paragraph(value["c"], found)
        elif value["t"] == "Header":
            _read_paragraph(value["c"][2], found)
        elif "c" in value:
            _read_blocks(value["c"], found)


def _read_paragraph(inlines: list[Node], found: list[WordParagraph]) -> None:
    paragraph = WordParagraph(None)
    found.append(paragraph)
    notes: list[Any] = []
    cite: list[int | None] = [None]
    open_comments: dict[str, Comment] = {}

    def add(text: str, kind: Kind, author: str) -> None:
        parts = _MARKER.split(text)  # text, marker, text, ...
        for index, part in enumerate(parts):
            if index % 2 == 0:
                if part:
                    paragraph.pieces.append(Piece(kind, part, author, cite[0]))
                continue
            mark = origins.parse_bookmark(part)
            if mark is not None and paragraph.mark is None:
                paragraph.mark = mark
            elif part.startswith(origins.CITE_START):
                cite[0] = int(part.split("_")[1])
            elif part.startswith(origins.CITE_END):
                cite[0] = None

    def visit(nodes: list[Node], kind: Kind, author: str) -> None:
        for node in nodes:
            t = node["t"]
            if t == "Span":
                ident, classes, pairs = node["c"][0]
                said = dict(pairs)
                if "insertion" in classes or "deletion" in classes:
                    visit(node["c"][1], "ins" if "insertion" in classes else "del",
                          said.get("author", ""))
                elif "comment-start" in classes:
                    comment = Comment(said.get("author", ""), " ".join(
                        stringify(node["c"][1]).split()), len(paragraph.built_text()),
                        cite=cite[0])
                    open_comments[ident] = comment
                    paragraph.comments.append(comment)
                elif "comment-end" in classes:
                    if ident in open_comments:
                        open_comments.pop(ident).end = len(paragraph.built_text())
                else:
                    visit(node["c"][1], kind, author)
            elif t == "Note":
                notes.append(node["c"])
            elif t == "Str":
                add(node["c"], kind, author)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                add(" ", kind, author)
            elif t in ("Code", "Math"):
                add(node["c"][1], kind, author)
            elif t == "Quoted":
                double = node["c"][0]["t"] == "DoubleQuote"
                add("\u201c" if double else "\u2018", kind, author)
                visit(node["c"][1], kind, author)
                add("\u201d" if double else "\u2019", kind, author)
            elif t in ("Link", "Cite"):
                visit(node["c"][1], kind, author)
            elif t != "Image" and isinstance(node.get("c"), list):
                visit([n for n in node["c"] if isinstance(n, dict)], kind, author)

    visit(inlines, "text", "")
    for comment in open_comments.values():  # a comment running on past the paragraph
        comment.end = len(paragraph.built_text())
    for blocks in notes:
        _read_blocks(blocks, found)


def changes(paragraph: WordParagraph) -> list[Change]:
    """Each run of insertions and deletions, as one change with its context."""
    found: list[Change] = []
    pieces = paragraph.pieces
    index = 0
    while index < len(pieces):
        if pieces[index].kind == "text":
            index += 1
            continue
        end = index
        while end < len(pieces) and pieces[end].kind != "text":
            end += 1
        group = pieces[index:end]
        old = "".join(p.text for p in group if p.kind == "del")
        new = "".join(p.text for p in group if p.kind == "ins")
        before = paragraph.built_text(0, index)
        after = paragraph.built_text(end)
        if not old and before[-1:].isspace() and after[:1].isspace():
            # pandoc keeps one space of "a " + inserted "b " + "c" on each side of the
            # insertion: the word and its space go before "c"
            after, new = after[1:], new.strip() + " "
        if old or new:
            cite = next((p.cite for p in group if p.cite is not None), None)
            found.append(Change(group[0].author, before, old, new, after, cite))
        index = end
    return found


# ------------------------------------------------------ finding the words again

_NOTE_CALL = r"(?:\[\^[^\]\s]+\]|\[@[^\]]*\]|\^\[[^\]]*\])"
_CITATION = r"(?:\[[^\[\]]*@[^\[\]]*\]|-?@[\w:.#$%&+?<>~/-]*\w(?:\s*\[[^\]]*\])?)"
_SAME = {"\u201c": "[\u201c\u201d\"]", "\u201d": "[\u201c\u201d\"]", '"': "[\u201c\u201d\"]",
         "\u2018": "[\u2018\u2019']", "\u2019": "[\u2018\u2019']", "'": "[\u2018\u2019']",
         "\u2013": "(?:\u2013|--)", "\u2014": "(?:\u2014|---)", "\u2026": r"(?:\u2026|\.\.\.)"}


def _flex(text: str, notes: bool) -> str:
    """A pattern for ``text`` as Markdown may write it: any whitespace for a space,
    straight or curly quotes, ``--`` for a dash; with ``notes``, a note call or a
    citation may stand before a space."""
    space = f"{_NOTE_CALL}*\\s+" if notes else r"\s+"
    out = []
    for part in re.split(r"(\s+)", text):
        if not part:
            continue
        out.append(space if part.isspace() else "".join(_SAME.get(c, re.escape(c))
                                                         for c in part))
    return "".join(out).replace(re.escape(CITED), _CITATION)


def _tail(text: str, words: int) -> str:
    found = re.search(rf"(?:\S+\s*){{{words}}}$", text) if words else None
    return found.group(0) if found else ("" if words == 0 else text)


def _head(text: str, words: int) -> str:
    found = re.match(rf"(?:\s*\S+){{{words}}}", text) if words else None
    return found.group(0) if found else ("" if words == 0 else text)


def locate(source: str, before: str, old: str, after: str) -> tuple[int, int] | str:
    """Where ``old`` (or, empty, the point between ``before`` and ``after``) is in
    ``source``: with as few words of context as make it unique. Else why not."""
    counts: list[int] = []
    for back, ahead in CONTEXT_STEPS:
        if not old and not (back or ahead):
            continue
        if (not back and before[-1:].isalnum()) or (not ahead and after[:1].isalnum()):
            continue  # inside a word: the rest of the word must be found with it
        left, right = _tail(before, back), _head(after, ahead)
        if (back and not left) or (ahead and not right):
            continue
        pattern = (_flex(left, True) + f"({_flex(old, False)})" + _flex(right, True))
        whole = left + old + right
        # a word cut at the context's edge in Word is cut there in the Markdown too
        ahead_of = before[:len(before) - len(left)][-1:]
        past = after[len(right):][:1]
        if whole[:1].isalnum() and not ahead_of.isalnum():
            pattern = r"(?<!\w)" + pattern
        if whole[-1:].isalnum() and not past.isalnum():
            pattern += r"(?!\w)"
        matches = list(re.finditer(pattern, source))
        counts.append(len(matches))
        if len(matches) == 1:
            return matches[0].start(1), matches[0].end(1)
    if counts and max(counts) > 1:
        return "the words occur more than once in the paragraph, even with their context"
    return "the words are not in the paragraph as the Markdown writes them"


def _with_one_space(text: str, start: int, end: int) -> tuple[int, int]:
    """A deleted word's range with one of the spaces around it (pandoc reads Word's
    deleted "b " of "a b c" as "b" between two spaces): the one before it on its line,
    else the one after."""
    if start > 0 and text[start - 1] in " \t" and (end == len(text) or text[end].isspace()):
        return start - 1, end
    if end < len(text) and text[end].isspace() and (start == 0 or text[start - 1].isspace()):
        return start, end + 1
    return start, end


# --------------------------------------------------------------- the report


@dataclass
class _Source:
    """A Markdown paragraph as it is now, and where it is in its chapter."""

    chapter: Chapter
    paragraph: Paragraph
    start: int  # offset of its text in the chapter's body
    fresh: bool  # unchanged since the DOCX was built

    @property
    def text(self) -> str:
        return self.paragraph.text


def _paragraph_offset(chapter: Chapter, paragraph: Paragraph) -> int:
    lines = chapter.text.split("\n")
    line_start = sum(len(x) + 1 for x in lines[:paragraph.line - chapter.body_line])
    return chapter.text.find(paragraph.text, line_start)


def _source(chapter: Chapter, mark: origins.ParagraphMark,
            paragraph: WordParagraph) -> _Source | None:
    current = paragraphs(chapter)
    same = [p for p in current if p.fingerprint == mark.fingerprint]
    if same:
        chosen = min(same, key=lambda p: abs(p.line - mark.line))
        return _Source(chapter, chosen, _paragraph_offset(chapter, chosen), True)
    # edited since the build: the paragraph now most like the one Word shows
    words = Counter(origins.markdown_words(paragraph.built_text()))
    best = max(current, key=lambda p: (sum((words & Counter(origins.markdown_words(p.text)))
                                           .values()), -abs(p.line - mark.line)), default=None)
    if best is None or not words:
        return None
    return _Source(chapter, best, _paragraph_offset(chapter, best), False)


def _bib_location(project: Project, keys: list[str], words: str) -> tuple[Location, str]:
    """Where in the bibliography a citation's words are: the entry holding them (else
    the first entry cited), at the words when found."""
    path = project.bibliography.path
    text = path.read_text(encoding="utf-8", errors="replace")
    entries = [project.bibliography.entries[k] for k in keys
               if k in project.bibliography.entries]
    if not entries:
        return Location(path), keys[0] if keys else "?"
    for entry in entries:
        start = sum(len(x) + 1 for x in text.split("\n")[:max(0, entry.location.line - 1)])
        end = text.find("\n@", start + 1)
        found = (re.search(_flex(words.strip(), False), text[start:end if end > 0 else None])
                 if words.strip() else None)
        if found:
            return Location.at(path, text, start + found.start()), entry.key
    return entries[0].location, entries[0].key


def _findings(project: Project, docx: Path, word: list[WordParagraph],
              properties: dict[str, str]) -> list[Finding]:
    by_path = {c.path.relative_to(project.root).as_posix(): c
               for edition in project.editions for c in edition.chapters}
    found: list[Finding] = []
    for paragraph in word:
        items: list[tuple[str, str, str, str, str, int | None, bool]] = [
            (f"change by {c.author}: {c.diff}", c.before, c.old, c.new, c.after, c.cite, True)
            for c in changes(paragraph)]
        built = paragraph.built_text()
        items += [(f"comment by {c.author}: {c.text}", built[:c.start], built[c.start:c.end],
                   "", built[c.end:], c.cite, False) for c in paragraph.comments]
        if not items:
            continue
        mark = paragraph.mark
        chapter = by_path.get(properties.get(f"{origins.CHAPTER_PROPERTY}{mark.chapter}", "")) \
            if mark else None
        source = _source(chapter, mark, paragraph) if chapter and mark else None
        for message, before, old, new, after, cite, is_change in items:
            if cite is not None:
                keys = [k for k in properties.get(f"{origins.CITE_PROPERTY}{cite}",
                                                  "").split(";") if k]
                where, key = _bib_location(project, keys, old)
                found.append(Finding(where, f"{message} (entry {key})", refusal=(
                    f"not applied: this is a citation, written from the bibliography; "
                    f"edit entry {key}") if is_change else ""))
                continue
            if source is None:
                where = (Location(chapter.path) if chapter else Location(docx))
                found.append(Finding(where, f"{message} (in text the build wrote, not a "
                                            f"chapter's)" if chapter is None else message,
                                     refusal="not applied: no chapter paragraph to apply it "
                                             "to" if is_change else ""))
                continue
            at = locate(source.text, before, old, after)
            if isinstance(at, str):
                where = source.chapter.location(source.start)
                found.append(Finding(where, message, refusal=f"not applied: {at}"
                                     if is_change else ""))
                continue
            where = source.chapter.location(source.start + at[0])
            if is_change and not new and old.strip() == old:
                at = _with_one_space(source.text, *at)
            start, end = source.start + at[0], source.start + at[1]
            if not is_change:
                found.append(Finding(where, message))
            elif not source.fresh:
                found.append(Finding(where, message, refusal="not applied: the paragraph "
                                     "changed since the Word edition was built"))
            else:
                found.append(Finding(where, message, edit=(source.chapter, start, end, new)))
    found.sort(key=lambda f: (str(f.location.path), f.location.line, f.location.col))
    return found


def _apply(edits: list[Finding], root: Path) -> list[Finding]:
    """Write the edits, each chapter at once; those overlapping another are refused."""
    from policybrief.textfiles import read_text
    from policybrief.writer import write_atomic

    refused: list[Finding] = []
    by_chapter: dict[Path, list[Finding]] = {}
    for finding in edits:
        assert finding.edit is not None
        by_chapter.setdefault(finding.edit[0].path, []).append(finding)
    for path, findings in by_chapter.items():
        chapter = findings[0].edit[0] if findings[0].edit else None
        assert chapter is not None
        text = read_text(path)
        if not text.endswith(chapter.text):
            refused += [Finding(f.location, f.message, refusal="not applied: the file "
                                "changed while it was read") for f in findings]
            continue
        body_start = len(text) - len(chapter.text)
        body = chapter.text
        taken: list[tuple[int, int]] = []
        for finding in sorted(findings, key=lambda f: f.edit[1] if f.edit else 0,
                              reverse=True):
            assert finding.edit is not None
            _chapter, start, end, new = finding.edit
            if any((start < e and s < end) or start == end == s for s, e in taken):
                refused.append(Finding(finding.location, finding.message,
                                       refusal="not applied: another change in the "
                                               "review changes the same words"))
                continue
            taken.append((start, end))
            body = body[:start] + new + body[end:]
        write_atomic(path, (text[:body_start] + body).encode("utf-8"))
    return refused


def review(project_dir: Path, docx: Path, apply: bool = False) -> tuple[list[str], list[str]]:
    """The report (one line per change and comment) and, with ``apply``, the lines of
    the changes not applied. Changes are applied only when every check passes."""
    from policybrief.project import load_project

    project = load_project(project_dir)
    root = project.root
    if not docx.is_file():
        raise BriefError("no such Word file", Location(docx))
    word, properties = read_docx(docx, root)
    findings = _findings(project, docx, word, properties)
    report = [printable(f"{f.location.display(root)}: review: {f.message}") for f in findings]
    problems = []
    recorded = properties.get(origins.COMMIT_PROPERTY)
    from policybrief.builders.docx import source_commit

    current = source_commit(root)
    if recorded and current and recorded != current:
        problems.append(Diagnostic("note", f"the Word edition was built from commit "
                                   f"{recorded[:12]}; the project is at {current[:12]}",
                                   Location(docx)).format(root))
    if apply:
        refused = [f for f in findings if f.refusal]
        refused += _apply([f for f in findings if f.edit and not f.refusal], root)
        refused.sort(key=lambda f: (str(f.location.path), f.location.line, f.location.col))
        problems += [Diagnostic("error", f"{f.refusal}: {f.message}", f.location).format(root)
                     for f in refused]
    return report, problems


__all__ = ["Change", "WordParagraph", "changes", "locate", "read_docx", "review"]
