"""Quotations in a translated edition, against the language of the source they quote.

A translation may print a quotation in its own language only as the source's own
words or, marked, as our translation of them. So, in every edition but the source
language's:

- a quotation marked as ours (``[«...»]{.translated-quote}``, printed with a †) whose
  source is in the edition's language is an **error** (rule
  ``quotation-translated-original``): the original wording exists; print it;
- an unmarked quotation whose source is in another language is a **warning** (rule
  ``quotation-unmarked-translation``): mark it as our translation, or cite the
  version in the edition's language the wording comes from (``langid-es``,
  ``title-es``... in the entry: the bibliography's per-language fields).

A quotation from a source in the edition's language whose wording could not be found
(a document we have only through an English report) stays ours, marked, and says why:
``[«...»]{.translated-quote original="unavailable"}`` (no error; the † and the colophon's
note tell the reader the original wording was not available).

A quotation whose wording is a version published in the edition's language (a
treaty's official Spanish text, quoted through an English commentary) says so with
``[«...»]{.published-translation}``, and is not checked.

What is a quotation: a ``.translated-quote`` span (marked); text between the
edition's quotation marks (the catalogue's ``quote_open``/``quote_close``: « » in
Spanish; or straight double quotes, which the build turns into them), the outermost
pair within one paragraph; a block quote (``>`` lines). Marks inside a marked or
published span or a block quote belong to that quotation.

Which source a quotation is from (its attribution), on the chapter's text with code,
links and comments masked (:func:`policybrief.markdown_scan.masked`):

- a marked quotation: the first citation (``[@key, p. 3]``, ``@key [p. 3]``) or note
  (``^[...]``, ``[^id]``: the first citation in its text) after the quotation in its
  sentence. A sentence ends at ``. ! ? …`` followed (after closing marks) by a space
  and a capital letter or an opening mark, at a paragraph's end, or where a list
  item, heading or fence starts; a citation or note right after the full stop
  belongs to the sentence it closes. A full stop after one or two capitals ("EE. UU.",
  "J. N.") is an abbreviation, not a sentence's end;
- an unmarked quotation: only a citation or note right after its closing mark
  (nothing between but spaces, closing punctuation and brackets, a span's
  ``{...}``): ``«...».[@key]``, ``«...»]{.pull-quote}[@key]``. Quotation marks that
  more words follow before a citation (``«soft law» como los Principios[@key]``) hold
  a term or a title, not a quotation, and are not checked;
- a block quote: the citation that ends its last paragraph (``> ... wording.[@key]``);
- in a note, a quotation that no citation after it in its sentence claims is from the
  citation that opens the note (``^[@key [pp. 2–11]. El informe señala que «...»]``).

A source's languages: the entry's ``langid-<edition>`` (the version that edition
cites) or ``langid`` (or the older ``hyphenation``), each name of ``language``
(``english and spanish``), and ``origlanguage`` (the original of a cited
translation, whose wording exists), as babel names or BCP 47 tags, compared by
language subtag (``spanish``, ``es-ES`` and ``es`` are all Spanish). A citation of
several sources counts only when all those whose language is known agree; a source
of unknown language gives no finding.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from policybrief.bibliography import BibEntry, language_tag
from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Severity
from policybrief.i18n import language_name
from policybrief.markdown_scan import (
    CITATION,
    citation_groups,
    closing_brackets,
    masked,
    note_definitions,
    note_references,
)
from policybrief.model import Chapter, Project
from policybrief.translations import UNTRANSLATED_KEY

MARKED_CLASS = "translated-quote"  # our translation (the translated_quotes filter's †)
PUBLISHED_CLASS = "published-translation"  # wording published in the edition's language
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# a line that starts a block of its own: list item, heading, fence, table row
_BLOCK_START = re.compile(
    r"\n(?=[ \t]*(?:[-*+]|\(?(?:\d+|#|[ivxlcdm]+|[IVXLCDM]+|[a-zA-Z])[.)]|#{1,6}|:{3,}|\|)"
    r"[ \t])")
_TERMINATOR = re.compile(r"(?<!\b[A-Z])(?<!\b[A-Z]{2})[.!?…]+")
_CLOSERS = re.compile(r"(?:[»”’\"')\]*_]|\{[^{}\n]*\})*")
# between an unmarked quotation's closing mark and the citation that attributes it
_ADJACENT = re.compile(r"(?:[ \t]|[.,;:!?…)\]*_]|\{[^{}\n]*\})*")
_OPENERS = "«“‘\"'¿¡([*_"
_BLOCK_QUOTE_LINE = re.compile(r"^ {0,3}>.*(?:\n|$)", re.M)
_NOTE_DEFINITION_END = re.compile(r"\n[ \t]*\n(?![ \t]{4})|\Z")


@dataclass(frozen=True)
class Quotation:
    start: int  # offset of the span's "[" or the opening mark
    end: int  # offset just after the closing mark (or the span's attributes)
    marked: bool
    sources: tuple[str, ...]  # keys of the citation it is attributed to; () if none
    # marked ``original="unavailable"``: the source is in the edition's language but its
    # wording could not be found, so the quotation is ours and says so (†)
    original_unavailable: bool = False


@dataclass(frozen=True)
class _Note:
    start: int
    end: int
    body: int  # where the note's own text starts
    opening: tuple[str, ...]  # the keys of a citation the note opens with


def _keys(normalised: str) -> tuple[str, ...]:
    """The keys of a citation as ``citation_groups`` writes it (``@a, p. 3; @b``)."""
    return tuple(part.split(",")[0].strip().removeprefix("@")
                 for part in normalised.split(";") if part.strip())


class _Scan:
    """One chapter's text with its citations, notes and sentence ends located."""

    def __init__(self, chapter: Chapter) -> None:
        self.text = text = masked(chapter.text)
        # each bracket pair within one paragraph, both ways (one pass over the chapter)
        self.closing = {o: c for o, c in closing_brackets(text).items()
                        if "\n\n" not in text[o:c]}
        self.opening = {c: o for o, c in self.closing.items()}
        starts = [0] + [m.end() for m in re.finditer(r"\n", chapter.text)]
        self.citations: dict[int, tuple[int, tuple[str, ...]]] = {}  # start -> end, keys
        for mark in citation_groups(chapter):
            at = starts[mark.location.line - chapter.body_line] + mark.location.col - 1
            match = CITATION.match(text, at)
            self.citations[at] = (match.end() if match else at + 1, _keys(mark.value))
        self.citation_starts = sorted(self.citations)
        self.notes = self._notes(chapter, starts)
        self.note_starts = [n.start for n in self.notes]
        self.inline_notes = {n.start: n for n in self.notes if n.body == n.start + 2}
        self.note_refs: dict[int, tuple[int, tuple[str, ...]]] = {}  # start -> end, keys
        definitions = {n.start: n for n in self.notes}
        by_name = {mark.value: starts[mark.location.line - chapter.body_line]
                   + mark.location.col - 1 for mark in note_definitions(chapter)}
        for mark in note_references(chapter):
            at = starts[mark.location.line - chapter.body_line] + mark.location.col - 1
            note = definitions.get(by_name.get(mark.value, -1))
            self.note_refs[at] = (at + len(mark.value) + 3,
                                  self._first_keys(note.body, note.end) if note else ())
        self.events = sorted([*self.citations, *self.note_refs, *self.inline_notes])

    def _notes(self, chapter: Chapter, starts: list[int]) -> list[_Note]:
        """Inline notes (``^[...]``) and note definitions (``[^id]: ...``, to the end
        of their paragraph and the indented ones after it)."""
        notes = []
        for match in re.finditer(r"\^\[", self.text):
            end = self.closing.get(match.start() + 1)
            if end is not None:
                notes.append(self._note(match.start(), match.end(), end + 1))
        for mark in note_definitions(chapter):
            at = starts[mark.location.line - chapter.body_line] + mark.location.col - 1
            body = self.text.index(":", at) + 1
            last = _NOTE_DEFINITION_END.search(self.text, body)
            notes.append(self._note(at, body, last.start() if last else len(self.text)))
        return sorted(notes, key=lambda n: n.start)

    def _note(self, start: int, body: int, end: int) -> _Note:
        lead = len(self.text[body:end]) - len(self.text[body:end].lstrip())
        opening = self.citations.get(body + lead)
        return _Note(start, end, body, opening[1] if opening else ())

    def _first_keys(self, start: int, end: int) -> tuple[str, ...]:
        """The keys of the first citation between ``start`` and ``end``."""
        index = bisect_left(self.citation_starts, start)
        if index < len(self.citation_starts) and self.citation_starts[index] < end:
            return self.citations[self.citation_starts[index]][1]
        return ()

    def attribution_at(self, at: int) -> tuple[str, ...] | None:
        """The keys of the citation or note starting at ``at`` (None: nothing starts)."""
        if at in self.citations:
            return self.citations[at][1]
        if at in self.note_refs:
            return self.note_refs[at][1]
        note = self.inline_notes.get(at)
        return self._first_keys(note.body, note.end) if note else None

    def mark_end(self, at: int) -> int:
        """The end of the citation or note starting at ``at``."""
        if at in self.citations:
            return self.citations[at][0]
        if at in self.note_refs:
            return self.note_refs[at][0]
        return self.inline_notes[at].end

    def note_around(self, at: int) -> _Note | None:
        """The innermost note whose text holds ``at`` (a note inside a note's
        definition is the one that started last)."""
        index = bisect_right(self.note_starts, at) - 1
        for note in self.notes[max(index - 1, 0):index + 1][::-1]:
            if note.body <= at < note.end:
                return note
        return None


_UNAVAILABLE = re.compile(r"\]\{[^{}\n]*\boriginal=[\"']?unavailable\b[^{}\n]*\}")


def _spans(scan: _Scan, name: str) -> Iterator[tuple[int, int]]:
    """Each ``[...]{.name}`` span, from its "[" to the end of its attributes."""
    attributes = re.compile(r"\]\{[^{}\n]*?(?<![\w-])\." + re.escape(name)
                            + r"(?![\w-])[^{}\n]*\}")
    for match in attributes.finditer(scan.text):
        start = scan.opening.get(match.start())
        if start is not None:
            yield start, match.end()


def _quoted_pairs(text: str, opening: str, closing: str) -> Iterator[tuple[int, int]]:
    """The outermost pairs of quotation marks within a paragraph."""
    for paragraph in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        depth, start = 0, 0
        for i in range(paragraph.start(), paragraph.end()):
            char = text[i]
            if char == opening and opening:
                if depth == 0:
                    start = i
                depth += 1
            elif char == closing and depth:
                depth -= 1
                if depth == 0:
                    yield start, i + 1
    for match in re.finditer(r"(?<![\w\"=\\])\"(?=\S)(?:[^\"\n]|\n(?![ \t]*\n))*?(?<=\S)"
                             r"\"(?![\w\"])", text):
        yield match.start(), match.end()


def _block_quotes(text: str) -> Iterator[tuple[int, int]]:
    """Each block quote, from its first ``>`` to the end of its last line's text."""
    start = end = -1
    for line in _BLOCK_QUOTE_LINE.finditer(text):
        if line.start() != end:
            if start >= 0:
                yield start, end
            start = line.start()
        end = line.end()
    if start >= 0:
        yield start, end


class _Sentences:
    """Where the window of a quotation's sentence closes: sentence ends, paragraph
    ends and block starts, found once per chapter (quotations ask in order)."""

    def __init__(self, scan: _Scan, covered: list[tuple[int, int]]) -> None:
        text = scan.text
        starts = [s for s, _ in covered]
        stops = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
        stops += [m.start() for m in _BLOCK_START.finditer(text)]
        for match in _TERMINATOR.finditer(text):
            index = bisect_right(starts, match.start()) - 1
            if index >= 0 and covered[index][0] <= match.start() < covered[index][1]:
                continue  # a full stop inside a quotation does not end the sentence
            at = _CLOSERS.match(text, match.end()).end()  # type: ignore[union-attr]
            while scan.attribution_at(at) is not None:
                at = _CLOSERS.match(text, scan.mark_end(at)).end()  # type: ignore[union-attr]
            rest = text[at:at + 200].lstrip(" \t\n")
            if at == len(text) or not rest or rest[0] in _OPENERS or rest[0].isupper() \
                    or text[at:at + 1] == "\n":
                stops.append(at)
        self.stops = sorted(stops) or [len(text)]
        self.events = scan.events

    def first_mark(self, after: int, limit: int) -> int | None:
        """The first citation or note after ``after`` in its sentence (and before
        ``limit``)."""
        stop = self.stops[bisect_left(self.stops, after)] if after <= self.stops[-1] \
            else limit
        index = bisect_left(self.events, after)
        if index < len(self.events) and self.events[index] < min(stop, limit):
            return self.events[index]
        return None


def quotations(chapter: Chapter, marks: tuple[str, str]) -> list[Quotation]:
    """Every quotation of ``chapter``, with the source it is attributed to."""
    scan = _Scan(chapter)
    text = scan.text
    marked = sorted(_spans(scan, MARKED_CLASS))
    published = sorted(_spans(scan, PUBLISHED_CLASS))
    blocks = list(_block_quotes(text))

    def within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
        index = bisect_right(spans, (start, len(text) + 1)) - 1
        return index >= 0 and spans[index][0] <= start and end <= spans[index][1]

    pairs = [(s, e) for s, e in _quoted_pairs(text, *marks)
             if not any(within(spans, s, e) for spans in (marked, published, blocks))]
    covered = sorted({*marked, *published, *pairs})
    sentences = _Sentences(scan, covered or [(-1, -1)])
    found = []
    for start, end, is_marked in sorted([*((s, e, True) for s, e in marked),
                                         *((s, e, False) for s, e in pairs)]):
        note = scan.note_around(start)
        limit = note.end - 1 if note else len(text)
        if is_marked:
            at = sentences.first_mark(end, limit)
        else:
            after = _ADJACENT.match(text, end).end()  # type: ignore[union-attr]
            at = after if scan.attribution_at(after) is not None else None
        if at is not None:
            sources = scan.attribution_at(at) or ()
        elif note is not None and sentences.first_mark(end, limit) is None:
            sources = note.opening
        else:
            sources = ()
        unavailable = is_marked and bool(_UNAVAILABLE.search(text, start, end))
        found.append(Quotation(start, end, is_marked, sources, unavailable))
    spans = sorted([*marked, *published])
    for start, end in blocks:
        first = bisect_left(spans, (start, -1))
        if first < len(spans) and spans[first][0] < end:
            continue  # marked inside: those spans are the quotations
        body = text[start:end].rstrip()
        cited = [c for c in scan.citation_starts[bisect_left(scan.citation_starts, start):
                                                 bisect_left(scan.citation_starts, end)]
                 if not body[scan.citations[c][0] - start:].strip(" \t.")][-1:]
        sources = scan.citations[cited[-1]][1] if cited else ()
        found.append(Quotation(start + text[start:end].index(">"), start + len(body), False,
                               sources))
    return sorted(found, key=lambda q: q.start)


def source_languages(entry: BibEntry, lang: str) -> set[str]:
    """The language subtags of what ``entry`` is written in (or translated from), as
    the edition in ``lang`` cites it."""
    fields = entry.fields
    names = [fields.get(f"langid-{lang}") or fields.get("langid")
             or fields.get("hyphenation") or ""]
    names += re.split(r"\s+and\s+", fields.get("language", ""))
    names.append(fields.get("origlanguage", ""))
    return {primary(language_tag(name.strip("{} "))) for name in names
            if name.strip("{} ")}


def primary(tag: str) -> str:
    """The language subtag of a BCP 47 tag (``es-ES`` -> ``es``)."""
    return tag.replace("_", "-").split("-")[0].lower()


@register("quotations")
def check(project: Project) -> list[Diagnostic]:
    findings: list[Diagnostic] = []
    entries = project.bibliography.entries
    for edition in project.editions:
        if edition.is_source:
            continue
        catalogue = project.theme.catalogue(edition.lang)
        opening, closing = catalogue.get("quote_open"), catalogue.get("quote_close")
        marks = (opening, closing) if isinstance(opening, str) and isinstance(closing, str) \
            and opening and closing and opening != closing else ("", "")  # straight only
        lang = primary(edition.lang)
        for chapter in edition.chapters:
            if chapter.front_matter.get(UNTRANSLATED_KEY):
                continue  # still the source's text
            for quotation in quotations(chapter, marks):
                finding = _finding(quotation, entries, lang, edition.lang)
                if finding:
                    message, severity, rule = finding
                    findings.append(Diagnostic(severity, message,
                                               chapter.location(quotation.start), rule))
    return findings


def _finding(quotation: Quotation, entries: dict[str, BibEntry], lang: str,
             edition_lang: str) -> tuple[str, Severity, str] | None:
    """What is wrong with ``quotation`` in the edition in ``edition_lang``, if anything:
    (message, severity, rule)."""
    known = [(key, source_languages(entries[key], edition_lang))
             for key in quotation.sources if key in entries]
    known = [(key, langs) for key, langs in known if langs]
    if not known:
        return None
    own = [key for key, langs in known if lang in langs]
    if quotation.marked and len(own) == len(known) and not quotation.original_unavailable:
        return (f"quoted from {_language(lang)} source ('{own[0]}'): print its original "
                "wording, not a translation (remove the translated-quote mark; if its "
                "wording cannot be found, say so: {.translated-quote original=\"unavailable\"})",
                "error",
                "quotation-translated-original")
    if not quotation.marked and not own:
        other = sorted(known[0][1])[0]
        return (f"unmarked quotation from {_language(other)} source ('{known[0][0]}') in "
                f"the {language_name(lang, 'en')} edition: mark it "
                "[«...»]{.translated-quote} if it is our translation, or cite the source's "
                f"{language_name(lang, 'en')} version", "warning",
                "quotation-unmarked-translation")
    return None


def _language(code: str) -> str:
    """'a Spanish', 'an English': the language with its article, for a message."""
    name = language_name(code, "en")
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


__all__ = ["Quotation", "check", "quotations", "source_languages"]
