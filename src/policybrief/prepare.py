"""One edition prepared for any use: read, parsed, cited and transformed.

The build renders a :class:`PreparedEdition` in every format; ``brief diff`` reads
its text. Both call :func:`prepare_edition`, so what the redline compares is what
the editions print, down to the rule for the Sources section.

Stages, each remembered by the content of its inputs (``stagecache``):
chapters parsed one by one (pandoc) -> citations numbered across chapters ->
figures placed -> citeproc over the whole edition -> figure citations formatted ->
the transforms every format shares (section numbers, translated quotations, pull
quotes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybrief import csl, safety
from policybrief.errors import BriefError, Diagnostic, Location, raise_all
from policybrief.figures.spec import Figure
from policybrief.fonts import is_rtl
from policybrief.i18n import Messages, citeproc_lang
from policybrief.model import Edition, Project
from policybrief.pandoc.ast import Node, collect, stringify
from policybrief.pandoc.filters import (
    boxes,
    crossref,
    isolate,
    note_calls,
    numbering,
    parenthetical,
    pullquotes,
    punctuation,
    reference_list,
    translated_quotes,
)
from policybrief.pandoc.filters import figures as figures_filter
from policybrief.pandoc.runner import defaults_file, pandoc_version, run_pandoc, to_json
from policybrief.stagecache import digest, remembered, remembered_json
from policybrief.writer import write_atomic

# Part of every remembered stage's key: the layout of what is stored (a change to it
# makes old entries misses, never misread).
STORED_LAYOUT = "prepare-4"


@dataclass
class PreparedEdition:
    """An edition ready to render: its document (pandoc AST after the shared
    transforms), the figures it shows, its interface strings and what the stages said."""

    project: Project
    edition: Edition
    doc: Node
    figures: list[Figure]  # the figures the document shows, in order
    messages: Messages
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.edition.lang

    def document_for(self, with_sources: bool) -> Node:
        """The document with its Sources section (the bibliography citeproc made) or
        without, as brief.yml's ``sources`` says for a format."""
        return reference_list.apply(self.doc, self.messages("sources") if with_sources else None)


_LOCALE_PROBE = ('---\nreferences:\n- {id: probe, type: book, title: T, issued: {date-parts: '
                 '[[2020]]}, author: [{family: A}, {family: B}]}\n---\n\n'
                 'X.[@probe, p. 3] Y.[@probe, p. 4]\n')


def _citation_locale(project: Project, lang: str, cache_dir: Path) -> list[Diagnostic]:
    """A warning when citeproc has no locale for ``lang`` (Hindi, in pandoc 3.x) and
    the style gives none: its citations would say "and", "ibid." and "p." in English
    without a word. Found by formatting a probe citation in ``lang`` and in English
    (once per pandoc version, style and language)."""
    if lang.split("-")[0] == "en":
        return []
    style = project.citation_style

    def probe() -> dict[str, bool]:
        def formatted(code: str) -> str:
            return run_pandoc(["parse"], ["--citeproc", "--csl", str(style), "-t", "plain",
                                          f"--metadata=lang:{citeproc_lang(code)}"],
                              cwd=project.root,
                              stdin=_LOCALE_PROBE.encode("utf-8")).data.decode("utf-8")
        return {"fallback": formatted(lang) == formatted("en-US")}

    found = remembered_json(cache_dir / lang / "citation-locale.json",
                            digest(STORED_LAYOUT, pandoc_version(), style.read_bytes(), lang),
                            probe, dict)
    if not found["fallback"]:
        return []
    return [Diagnostic.warning(
        f"the {lang} edition's citations use English terms (\"and\", \"ibid.\", \"p.\"): "
        f"neither pandoc's citeproc nor the citation style {style.name} has a CSL locale "
        f"for '{lang}'; add a <locale xml:lang=\"{lang}\"> with its terms to the style",
        Location(style), "citation-locale")]


def _typed_labels(project: Project, cache_dir: Path) -> csl.Labels:
    """The locator labels citations are typed with: the source language's, as its
    edition parses them (once per pandoc version, style and source language)."""
    source = project.citation_style
    data = source.read_bytes()

    def probe() -> csl.Labels:
        path = cache_dir / "label-probe.csl"
        write_atomic(path, csl.label_probe(data, source), durable=False)
        source_lang = citeproc_lang(project.source_lang)
        printed = run_pandoc(["parse"], ["--citeproc", "--csl", str(path), "-t", "plain",
                                         "--wrap=none", f"--metadata=lang:{source_lang}"],
                             cwd=project.root, stdin=_LOCALE_PROBE.encode("utf-8"))
        return csl.read_labels(printed.data.decode("utf-8"))

    labels: csl.Labels = remembered_json(
        cache_dir / "typed-labels.json",
        digest(STORED_LAYOUT, csl.PROBE_VERSION, pandoc_version(), data, project.source_lang),
        probe, dict)
    return labels


def _edition_style(project: Project, lang: str, quotes: csl.Quotes, separator: str,
                   cache_dir: Path) -> Path:
    """The citation style as the edition uses it (its title marks; the source's
    locator labels), written next to the edition's other citeproc inputs."""
    source = project.citation_style
    typed = _typed_labels(project, cache_dir) if lang != project.source_lang else None
    # the locale citeproc will look for first: the code it is given
    data = csl.edition_style(source.read_bytes(), source, citeproc_lang(lang), quotes, typed,
                             separator)
    path = cache_dir / lang / "style.csl"
    if not path.is_file() or path.read_bytes() != data:
        write_atomic(path, data, durable=False)
    return path


def prepare_edition(project: Project, lang: str, cache_dir: Path) -> PreparedEdition:
    """Chapters -> pandoc AST with figures placed, every citation resolved and the
    shared transforms applied. ``cache_dir`` keeps each stage's last result."""
    edition = project.edition(lang)
    messages = project.theme.messages(lang, project.source_lang)
    said: list[Diagnostic] = []
    refs = cache_dir / lang / "references.json"
    items = json.dumps(project.bibliography.to_csl(lang), ensure_ascii=False, indent=1)
    if not refs.is_file() or refs.read_bytes() != items.encode("utf-8"):
        write_atomic(refs, items.encode("utf-8"), durable=False)
    quotes = csl.Quotes(messages("quote_open"), messages("quote_close"),
                        messages("inner_quote_open"), messages("inner_quote_close"))
    # citeproc's quotation marks are the ones it puts around titles
    title_marks = quotes._replace(open=messages("title_open"), close=messages("title_close"))
    style = _edition_style(project, lang, title_marks, messages("part_separator"), cache_dir)
    cite_args = ["--bibliography", str(refs), "--csl", str(style),
                 f"--metadata=lang:{citeproc_lang(lang)}"]
    if messages("note_calls") == "before_punctuation":  # French, Russian: "texte¹."
        cite_args.append("--metadata=notes-after-punctuation:false")
    said += _citation_locale(project, lang, cache_dir)
    doc: Node = {"blocks": []}
    for chapter in edition.chapters:
        safety.enforce_markdown_depth(chapter)  # before pandoc's JSON is read (recursion)
        parsed = _parse_chapter(project, str(chapter.path.relative_to(project.root)),
                                cache_dir, said)
        safety.enforce_depth(parsed, chapter)  # before anything walks it recursively
        safety.enforce(parsed, chapter, project.root)
        parsed = safety.without_comments(parsed)
        doc = {**parsed, "meta": {}, "blocks": doc["blocks"] + parsed["blocks"]}
    number_citations(doc)
    doc, shown = figures_filter.apply(doc, project.figures, lang, messages,
                                      project.theme.currency_display(lang))
    doc = numbering.apply(doc, project.config.numbering, messages("appendix"),
                          project.theme.section_numerals(lang), messages("section_number"))
    doc = boxes.apply(doc, messages)
    lettered = project.theme.option("appendix_numbering", "continuous") == "lettered"
    doc, missing = crossref.apply(doc, messages, lettered)
    if missing:
        raise_all([BriefError(f"cross-reference '@{key}' points at nothing in this edition",
                              _where(edition, key)) for key in missing])
    doc = parenthetical.apply(doc, in_notes_only=project.note_style)
    figures = [project.figures[i] for i in shown]
    # every source a figure cites is in the reference list, even if no chapter cites it
    figure_keys = sorted({s.key for f in figures for s in f.spec.sources})
    if figure_keys:
        doc = {**doc, "meta": {**doc.get("meta", {}), "nocite": {"t": "MetaInlines", "c": [
            _cite(key) for key in figure_keys]}}}
    # What citeproc reads besides the document: the items, the style, the settings.
    citeproc_inputs: list[bytes | str] = [
        items, style.read_bytes(), pandoc_version(), *cite_args[4:],
        *(Path(defaults_file(name)).read_bytes() for name in ("common", "parse", "cite"))]
    source = to_json(doc)
    doc = _pandoc_remembered(cache_dir / lang / "citeproc.json",
                             digest(STORED_LAYOUT, source, *citeproc_inputs),
                             ["cite"], cite_args, project.root, said, stdin=source)
    for key in ("bibliography", "csl", "references", "nocite"):  # not document metadata
        doc["meta"].pop(key, None)
    if "lang" in doc["meta"]:  # the edition's code, not the one citeproc was given
        doc["meta"]["lang"] = {"t": "MetaString", "c": lang}
    requests = json.dumps([[f.id, [[s.key, s.locator or ""] for s in f.spec.sources]]
                           for f in figures])

    def citations() -> dict[str, Any]:
        found: list[Diagnostic] = []
        return {"sources": figure_citations(figures, cite_args, project.root, found,
                                            project.note_style),
                "warnings": _dump(found)}

    formatted = remembered_json(cache_dir / lang / "figure-sources.json",
                                digest(STORED_LAYOUT, requests, *citeproc_inputs), citations, dict)
    said += _load(formatted["warnings"])
    doc = figures_filter.fill_sources(doc, formatted["sources"])
    _refuse_unsafe_links(project, doc)
    doc = note_calls.apply(doc, messages("note_calls"),
                           messages("space_before_high_punctuation"))
    doc = punctuation.apply(doc, messages("space_before_high_punctuation"), quotes)
    doc = punctuation.note_full_stops(doc, messages("full_stop"))
    doc = isolate.apply(doc, "rtl" if is_rtl(lang) else "ltr")
    doc = translated_quotes.apply(doc)
    doc = pullquotes.apply(doc)
    return PreparedEdition(project, edition, doc, figures, messages, said)


def _refuse_unsafe_links(project: Project, doc: Node) -> None:
    """The link rule, applied again after citeproc wrote the sources' addresses (a
    ``url = {javascript:...}`` in the bibliography); located in the .bib file."""
    unsafe = safety.unsafe_links(doc)
    if not unsafe:
        return
    problem, target = unsafe[0]
    text = project.bibliography.path.read_text(encoding="utf-8", errors="replace")
    offset = text.find(target)
    line = text.count("\n", 0, offset) + 1 if offset >= 0 else 0
    raise BriefError(f"{problem}: {target[:80]}", Location(project.bibliography.path, line))


def parsed_problems(project: Project, cache_dir: Path,
                    skip: set[Path] | frozenset[Path] = frozenset()) -> list[Diagnostic]:
    """The safety rule applied to every chapter as pandoc parses it (``brief check``
    refuses what the build would: entities, reference-style images and nested
    brackets are read as pandoc reads them). Parses come from the build's cache;
    chapters in ``skip`` (already refused by the text checks) are not parsed."""
    found: list[Diagnostic] = []
    for edition in project.editions:
        for chapter in edition.chapters:
            if chapter.path in skip or chapter.path.resolve() in skip:
                continue
            said: list[Diagnostic] = []
            try:
                safety.enforce_markdown_depth(chapter)
                parsed = _parse_chapter(project, str(chapter.path.relative_to(project.root)),
                                        cache_dir, said)
                safety.enforce_depth(parsed, chapter)
                safety.enforce(parsed, chapter, project.root)
            except BriefError as exc:
                found.append(Diagnostic("error", exc.message, exc.location, "safety"))
    return found


def _where(edition: Edition, key: str) -> Location | None:
    """Where ``@key`` first stands in the edition's chapters."""
    for chapter in edition.chapters:
        offset = chapter.text.find(f"@{key}")
        if offset >= 0:
            return chapter.location(offset)
    return None


def _dump(diagnostics: list[Diagnostic]) -> list[list[str]]:
    """Diagnostics of a remembered stage, as JSON (pandoc's have no location)."""
    return [[d.severity, d.message, d.rule] for d in diagnostics]


def _load(stored: list[list[str]]) -> list[Diagnostic]:
    return [Diagnostic("error" if s == "error" else "warning", m, None, r) for s, m, r in stored]


def _pandoc_remembered(cache: Path, key: str, defaults: list[str], args: list[str],
                       root: Path, said: list[Diagnostic], stdin: bytes | None = None) -> Node:
    """A pandoc run whose output is JSON, stored at ``cache`` under ``key`` with the
    warnings pandoc gave (they are given again when the stored output is used)."""
    def run() -> bytes:  # the warnings on the first line, then pandoc's JSON
        out = run_pandoc(defaults, args, cwd=root, stdin=stdin)
        return json.dumps(_dump(out.diagnostics)).encode() + b"\n" + out.data

    def read(data: bytes) -> tuple[list[Diagnostic], Node]:
        stored, _, out = data.partition(b"\n")
        return _load(json.loads(stored)), json.loads(out)

    found, doc = remembered(cache, key, run, read)
    said.extend(found)
    return doc


def _cite(key: str) -> Node:
    citation = {"citationId": key, "citationPrefix": [], "citationSuffix": [],
                "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                "citationHash": 0}
    return {"t": "Cite", "c": [[citation], [{"t": "Str", "c": f"[@{key}]"}]]}


def number_citations(doc: Node) -> None:
    """Number citations as pandoc's reader does for one document, across chapters
    parsed one by one: each citation outside a note, and each note, is the next note;
    citeproc needs these numbers to find "ibid." and first citations."""
    counter = 0

    def mark(value: Any, number: int) -> None:
        for cite in collect(value, "Cite"):
            for citation in cite["c"][0]:
                citation["citationNoteNum"] = number

    def visit(value: Any) -> None:
        nonlocal counter
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and "t" in value:
            if value["t"] == "Cite" and all(
                    crossref.is_reference(c["citationId"]) for c in value["c"][0]):
                return  # a cross-reference, never a note
            if value["t"] in ("Note", "Cite"):
                counter += 1
                mark([value], counter)
                return
            visit(value.get("c"))

    visit(doc["blocks"])


def _parse_chapter(project: Project, chapter_file: str, cache_dir: Path,
                   said: list[Diagnostic]) -> Node:
    """One chapter's AST, cached by its text and pandoc's version: after an edit, only
    the edited chapter is parsed again (one cache entry per chapter file). Citations
    are resolved later, for the whole edition at once, so notes are numbered and
    "ibid." found across chapters."""
    text = (project.root / chapter_file).read_bytes()
    settings = [Path(defaults_file(name)).read_bytes() for name in ("common", "parse")]
    entry = chapter_file.replace("/", "--").removesuffix(".md") + ".json"
    return _pandoc_remembered(cache_dir / "ast" / entry,
                              digest(STORED_LAYOUT, text, *settings, pandoc_version()),
                              ["parse"], [chapter_file], project.root, said)


def _unbracketed(inlines: list[Node]) -> list[Node]:
    """An in-text citation without its outer parentheses: a source without an author
    comes out whole in brackets ("(Forced Labour Convention 1930)"), which a caption's
    "Source:" does not want. Works on the rendered text's first and last strings."""
    if len(inlines) == 1 and inlines[0]["t"] == "Cite":  # what citeproc wrote inside it
        return [{"t": "Cite", "c": [inlines[0]["c"][0], _unbracketed(inlines[0]["c"][1])]}]
    strings = [i for i, node in enumerate(inlines) if node["t"] == "Str"]
    if not strings:
        return inlines
    first, last = strings[0], strings[-1]
    text = stringify(inlines).strip()
    if not (text.startswith("(") and text.endswith(")")) or text.count("(") != 1:
        return inlines
    out = list(inlines)
    out[first] = {"t": "Str", "c": out[first]["c"][1:]}
    out[last] = {"t": "Str", "c": out[last]["c"][:-1]}
    return [node for node in out if not (node["t"] == "Str" and node["c"] == "")]


def figure_citations(figures: list[Figure], cite_args: list[str], root: Path,
                     said: list[Diagnostic], note_style: bool = True) -> dict[str, list[Node]]:
    """Each figure's sources as the citation style formats a first citation: the note
    of a note style, or an author-date style's in-text citation ("Smith (2015, 3)").

    Sources cited by several figures would come out as "Ibid." or short forms in one
    document, so each round of pandoc formats figures that share no source.
    """
    formatted: dict[str, list[Node]] = {}
    pending = list(figures)
    while pending:
        keys: set[str] = set()
        batch = []
        for figure in pending:
            mine = {s.key for s in figure.spec.sources}
            if not mine & keys:
                keys |= mine
                batch.append(figure)
        pending = [f for f in pending if f not in batch]
        if note_style:
            markdown = "\n\n".join(
                "[" + "; ".join(f"@{s.key}" + (f", {s.locator}" if s.locator else "")
                                for s in f.spec.sources) + "]"
                for f in batch)
        else:
            markdown = "\n\n".join(
                "; ".join(f"@{s.key}" + (f" [{s.locator}]" if s.locator else "")
                          for s in f.spec.sources)
                for f in batch)
        out = run_pandoc(["parse"], ["--citeproc", *cite_args], cwd=root,
                         stdin=markdown.encode("utf-8"))
        said.extend(out.diagnostics)
        blocks = [b for b in out.json()["blocks"] if b["t"] == "Para"]
        for figure, block in zip(batch, blocks, strict=True):
            if not note_style:
                formatted[figure.id] = [*_unbracketed(block["c"]), {"t": "Str", "c": "."}]
                continue
            notes = collect(block, "Note")
            formatted[figure.id] = notes[0]["c"][0]["c"] if notes and notes[0]["c"] else []
    return formatted


__all__ = ["PreparedEdition", "number_citations", "prepare_edition"]
