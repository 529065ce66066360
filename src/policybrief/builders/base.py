"""What every builder receives and returns, and the class a builder extends.

A builder turns one prepared edition into the bytes of one file. It declares its
format (name, file extension, media type) and what it needs (theme files, charts),
and registers itself (:mod:`policybrief.builders.registry`); the CLI's ``--to``
choices, brief.yml's ``sources`` keys, the output paths and the manifest all come
from the registry. This module imports none of the builders.
"""

from __future__ import annotations

import base64
import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from policybrief.errors import Diagnostic
from policybrief.i18n import Messages, all_text
from policybrief.model import Edition, Project
from policybrief.pandoc.ast import Node, collect, stringify
from policybrief.prepare import PreparedEdition
from policybrief.theme import Theme

if TYPE_CHECKING:
    from policybrief.builders.warm import WarmState
    from policybrief.figures.render import RenderedFigure
    from policybrief.fonts import EditionFonts


@dataclass(frozen=True)
class TocEntry:
    level: int
    identifier: str
    number: str
    title: str
    shown: str = ""  # the number as the heading shows it: "I.", "一、", "أولاً -"

    @property
    def rtl(self) -> bool:
        """Whether the number is written in a right-to-left script ("أولاً -")."""
        from policybrief.pandoc.filters.isolate import direction

        return direction(self.shown) == "rtl"


@dataclass(frozen=True)
class Rendered:
    """One output in memory, and what its builder had to say."""

    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class BuildContext:
    """One prepared edition, and what a build adds to render it in any format."""

    prepared: PreparedEdition
    build_date: dt.datetime
    cache_dir: Path
    output_names: dict[str, str]  # format -> file name, for download links
    state: WarmState  # what this process keeps between layouts (and builds, when warm)
    charts: dict[str, RenderedFigure] = field(default_factory=dict)  # figure id -> files
    fingerprint: str = ""  # hash of the edition's inputs

    @property
    def project(self) -> Project:
        return self.prepared.project

    @property
    def edition(self) -> Edition:
        return self.prepared.edition

    @property
    def theme(self) -> Theme:
        return self.prepared.project.theme

    @property
    def doc(self) -> Node:
        return self.prepared.doc

    @property
    def messages(self) -> Messages:
        return self.prepared.messages

    @property
    def lang(self) -> str:
        return self.edition.lang

    def document_for(self, builder: Builder) -> Node:
        """The document as a format shows it: with the "Sources" section or without,
        as brief.yml's ``sources`` says for the format (else the format's default; with
        an author-date or numeric style, always: its citations point there)."""
        default = builder.sources_by_default or not self.project.note_style
        wanted = self.project.config.sources.get(builder.format, default)
        return self.prepared.document_for(wanted)

    def font_css(self, text: str, web: bool = False) -> str:
        """The ``@font-face`` rules and font stacks for an output whose text is
        ``text`` (HTML): subsets of the theme's fonts with exactly its characters. A
        character no font of the theme has is a located error, never a blank box."""
        return self.edition_fonts(text).css(web)

    def edition_fonts(self, text: str) -> EditionFonts:
        """The subsets of the theme's fonts an output whose text is ``text`` embeds."""
        import html

        from policybrief import fonts

        stack = fonts.load_fonts(self.theme)
        if not stack.faces and not stack.missing:
            # a theme that declares no fonts: its stylesheets name their own
            return fonts.EditionFonts(self.lang)
        # the page's characters and every interface string's, so the print and the web
        # edition share their subsets (a CJK font takes seconds to subset)
        strings = [all_text(v) for k, v in self.theme.catalogue(self.lang).items()
                   if not k.startswith("diff_")]
        chars = set(html.unescape(text)) | set("".join(strings))
        # what text-transform makes of it (a heading set in capitals: "É" of "é")
        chars |= {c for char in chars for c in char.upper() + char.lower()}
        fonts.require_glyphs(stack, chars, self.edition.chapters,
                             self.project.root / "brief.yml")
        roles = [r for r in fonts.ROLES if r != "mono" or "<code" in text or "<pre" in text]
        return fonts.edition_fonts(stack, self.lang, chars, self.cache_dir, roles)

    def toc(self, doc: Node | None = None, depth: int = 2) -> list[TocEntry]:
        """The contents: headings of ``doc`` (the document as a format shows it, with
        its Sources section or without) down to ``depth``."""
        entries = []
        for block in (doc or self.doc)["blocks"]:
            if block["t"] != "Header" or block["c"][0] > depth:
                continue
            level, (identifier, classes, pairs), inlines = block["c"]
            number = dict(pairs).get("number", "")
            marks = [i for i in inlines if i["t"] == "Span" and "section-number" in i["c"][0][1]]
            title_inlines = [i for i in inlines if i not in marks]
            # a section's number as its heading shows it; an appendix's is its letter
            shown = "" if "appendix" in classes else stringify(marks).strip()
            entries.append(TocEntry(level, identifier, number, stringify(title_inlines).strip(),
                                    shown))
        return entries

    def opening_sentences(self, limit: int = 160) -> str:
        """The brief's first paragraph, cut at a word before ``limit`` characters: what a
        search engine shows when brief.yml gives no description."""
        for block in self.doc["blocks"]:
            if block["t"] == "Para":
                inlines = [i for i in block["c"] if i["t"] not in ("Note", "Cite")]
                text = " ".join(stringify(inlines).split())
                if len(text) <= limit:
                    return text
                return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return ""

    @cached_property
    def translation_note(self) -> str:
        """"Translation in progress", with the date of the original it is based on, for
        an edition that lags its source ("" for the source and current translations)."""
        from policybrief.i18n import format_brief_date
        from policybrief.translations import lagging

        if self.edition.lang == self.project.editions[0].lang:
            return ""
        from policybrief.translated_texts import text_statuses

        behind, based_on = lagging(self.project, self.edition.lang)
        behind = behind or any(s.status == "stale"
                               for s in text_statuses(self.project, self.edition.lang))
        if not behind:
            return ""
        if based_on:
            return self.messages("translation_based_on").format(
                date=format_brief_date(based_on, self.edition.lang))
        return str(self.messages("translation_in_progress"))

    def template_vars(self, doc: Node | None = None) -> dict[str, Any]:
        """What every template may use (a fresh copy: callers add their own), with the
        contents of ``doc`` when given."""
        variables = dict(self._template_vars)
        if doc is not None:
            variables["toc"] = self.toc(doc)
        return variables

    @cached_property
    def _template_vars(self) -> dict[str, Any]:
        from policybrief.fonts import is_rtl
        from policybrief.i18n import format_brief_date, format_day, gap_after, language_name

        project, edition = self.project, self.edition
        page = self.output_names.get("html", project.config.slug + ".html")
        # absolute addresses when brief.yml says where the editions are published
        base = project.config.url.rstrip("/") + "/" if project.config.url else "../"
        others = [
            {"lang": e.lang, "name": language_name(e.lang, e.lang),
             "dir": "rtl" if is_rtl(e.lang) else "ltr",
             "href": f"{base}{e.lang}/{page}"}
            for e in project.editions if e.lang != edition.lang
        ]
        return {
            "edition": edition,
            "lang": edition.lang,
            "dir": "rtl" if is_rtl(edition.lang) else "ltr",
            "title": edition.title,
            "subtitle": edition.subtitle,
            "date": format_brief_date(edition.date, edition.lang),
            "date_iso": edition.date,
            "authors": edition.authors,
            "organization": edition.organization,
            "rights": edition.rights,
            "description": edition.description,
            "summary": edition.description or self.opening_sentences(),
            "keywords": edition.keywords,
            "language_name": language_name(edition.lang, edition.lang),
            "other_editions": others,
            "t": self.messages,
            "build_date": self.build_date,
            "built_on": format_day(self.build_date.date(), edition.lang),
            # between a label and what it labels: "Cite as: ...", "引用格式：..."
            "label_gap": gap_after(self.messages("colon")),
            "toc": self.toc(),
            "outputs": self.output_names,
            "paper": project.config.paper,
            "version": project.config.version,
            "fingerprint": self.fingerprint,
            "canonical": f"{base}{edition.lang}/{page}" if project.config.url else "",
            "translation_note": self.translation_note,
            "translated_quotes": sum(
                "translated-quote" in s["c"][0][1] for s in collect(self.doc["blocks"], "Span")),
        }


class Builder(ABC):
    """One output format. Subclasses set the class attributes and write :meth:`build`."""

    format: ClassVar[str]  # the name users give to --to and brief.yml
    extension: ClassVar[str]  # the output file's extension, without the dot
    media_type: ClassVar[str]  # e.g. "application/pdf"
    theme_files: ClassVar[tuple[str, ...]] = ()  # theme files it cannot build without
    sources_by_default: ClassVar[bool] = True  # ends with the Sources section
    needs_charts: ClassVar[bool] = True  # charts drawn for the figures it shows

    @abstractmethod
    def build(self, ctx: BuildContext) -> Rendered:
        """The edition in this format, in memory."""


def embed_local_images(doc: Node, root: Path) -> Node:
    """Chapter images (paths relative to the project) as data URLs, so the HTML edition
    stays one file and pandoc, sandboxed, can put them in the Word file."""
    import mimetypes

    from policybrief.pandoc.ast import walk_doc
    from policybrief.safety import SCHEME

    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Image":
            return None
        src = node["c"][2][0]
        if SCHEME.match(src):
            return None  # figure:, data: (remote URLs never pass the checks)
        path = (root / src).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return [{"t": "Image", "c": [node["c"][0], node["c"][1],
                                     [data_url(path, mime), node["c"][2][1]]]}]

    return walk_doc(doc, action)


def data_url(path: Path, mime: str) -> str:
    """A file as a ``data:`` URL: self-contained HTML, and images pandoc may embed
    without reading files (it runs sandboxed)."""
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
