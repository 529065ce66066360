"""The print edition: a print-HTML page laid out by WeasyPrint.

Notes are set as real footnotes (``float: footnote``), so the pandoc AST is first
rewritten to keep each note where it is called (``inline_notes``). WeasyPrint may
fetch only files inside the project and the theme (``weasy.fetcher_class``); what
this module needs of WeasyPrint's internals goes through :mod:`policybrief.builders.weasy`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from policybrief import fonts as fonts_module
from policybrief.builders import weasy
from policybrief.builders.base import BuildContext, Builder, Rendered
from policybrief.builders.pandoc_html import html_body, html_sections
from policybrief.builders.registry import register
from policybrief.builders.templates import render
from policybrief.errors import Diagnostic, RenderError
from policybrief.figures.render import chart_text, print_svg
from policybrief.fonts import EditionFonts, is_rtl
from policybrief.pandoc.filters import figures, inline_notes

PAGE_SIZES = {"a4": ("A4", "297mm"), "letter": ("letter", "279.4mm")}


def pdf_options(ctx: BuildContext) -> dict[str, Any]:
    """Tagged PDF/UA-1 by default; PDF/A-3b (still tagged) when brief.yml asks to archive."""
    if ctx.project.config.archive:
        return {"pdf_variant": "pdf/a-3b", "pdf_tags": True, "custom_metadata": True}
    return {"pdf_variant": "pdf/ua-1", "custom_metadata": True}


def page_css(ctx: BuildContext) -> str:
    """The page size chosen in brief.yml (the theme's stylesheet assumes A4)."""
    size, height = PAGE_SIZES[ctx.project.config.paper]
    return f"@page {{ size: {size}; }} .cover {{ height: {height}; }}"


def misplaced_footnotes(document: Any, notes: range) -> dict[int, str]:
    """Notes of ``notes`` that are lost, doubled or set on another page than their call."""
    calls, placed = weasy.footnote_pages(document)
    problems: dict[int, str] = {}
    for index in notes:
        ident = f"fn{index}"
        where_called, where_set = calls.get(ident, []), placed.get(ident, [])
        if len(where_set) != 1:
            problems[index] = f"note {index} set {len(where_set)} times"
        elif len(where_called) != 1:
            problems[index] = f"note {index} called {len(where_called)} times"
        elif where_called != where_set:
            problems[index] = (f"note {index} called on page {where_called[0]} "
                               f"but set on page {where_set[0]}")
    return problems


# WeasyPrint 70 may defer earlier notes of a page to the next page to fit the
# first lines of a following paragraph (layout/block.py, "report footnotes"), and
# in some of those cases loses a note. We lay out, verify, and where a note is
# misplaced start the paragraph holding its call on a new page, then lay out again.
MAX_REPAIRS = 12


def _repair_rule(notes: list[int]) -> str:
    selectors = ", ".join(f":is(p, li):has(#fn{n})" for n in notes)
    return f"{selectors} {{ break-before: page; }}"


@dataclass
class Layout:
    """What a part of the edition laid out to: its pages, and the notes repaired."""

    document: Any
    repaired: list[int]

    @property
    def pages(self) -> list[Any]:
        pages: list[Any] = self.document.pages
        return pages


class PrintRenderer:
    """Lays out print HTML with the theme's stylesheets, verifying every note.

    Top-level sections start on a new page and their first note number is known,
    so each section is laid out on its own (page and note counters set from the
    sections before it) and the pages are joined into one PDF: a repair re-lays out
    one section, not the whole report, and a warm process (``brief watch``) keeps
    the layout of every section that did not change (in its :class:`WarmState`).
    """

    def __init__(self, ctx: BuildContext, font_css: str = "") -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        state = ctx.state
        if state.fonts is None:  # one font configuration per process
            state.fonts = FontConfiguration()
        self.weasyprint = weasyprint
        self.state = state
        self.fonts = state.fonts
        theme = ctx.theme
        self.fetcher = weasy.fetcher_class()(
            [ctx.project.root, *theme.folders, ctx.cache_dir], theme.fallback)
        self.base_url = str(ctx.project.root) + "/"
        css_path = theme.path("css/print.css")
        # a right-to-left edition's page furniture, mirrored (the theme's print-rtl.css)
        mirrored = theme.find("css/print-rtl.css") if is_rtl(ctx.lang) else None
        paper = page_css(ctx)
        mirror_css = mirrored.read_text(encoding="utf-8") if mirrored is not None else ""
        css_text = css_path.read_text(encoding="utf-8") + paper
        font_files = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                            for p in theme.files("fonts"))
        # What the stylesheets are made of (@font-face loads the theme's font files).
        self.style_key = f"{css_path}\0{css_text}\0{font_files}\0{font_css}\0{mirror_css}"
        if self.style_key not in state.stylesheets:  # parsed once per process
            # the edition's fonts first: a theme stylesheet that names its own wins
            parsed = [weasyprint.CSS(string=font_css, url_fetcher=self.fetcher,
                                     font_config=self.fonts)] if font_css else []
            parsed += [weasyprint.CSS(filename=str(css_path), url_fetcher=self.fetcher,
                                      font_config=self.fonts),
                       weasyprint.CSS(string=paper)]
            if mirror_css:
                parsed.append(weasyprint.CSS(string=mirror_css, url_fetcher=self.fetcher,
                                             font_config=self.fonts))
            self._refuse_outside("the print stylesheet")
            state.stylesheets.clear()
            state.stylesheets[self.style_key] = parsed
        self.stylesheets = state.stylesheets[self.style_key]
        self.options = pdf_options(ctx)
        # a theme with fonts.yml: every glyph in its fonts, read back from the PDF
        self.verify_fonts = bool(font_css)
        # fonts a theme stylesheet declares itself (@font-face) print as well as ours
        self.theme_families = tuple(sorted(
            name.strip().replace(" ", "-") for name in _FONT_FACE.findall(
                css_text + mirror_css)))
        # Record each page's paint for the next build (see weasy) only in a process
        # that builds again: a one-off build would pay for it and gain nothing.
        self.remember_paint = state.keep_paint and weasy.replay_supported()
        # Chinese and Japanese lines justified between their characters (see weasy)
        self.cjk_justified = weasy.install_cjk_justification()
        self.lang = ctx.lang

    def layout(self, html: str, notes: range, extra_css: str = "") -> Layout:
        """Lay out ``html``, repairing misplaced notes; cached by content."""
        key = hashlib.sha256("\0".join(
            [html, self.style_key, extra_css, repr(sorted(self.options.items()))]).encode()
        ).hexdigest()
        cached: Layout | None = self.state.layouts.get(key)
        if cached is not None:
            return cached
        source = self.weasyprint.HTML(string=html, base_url=self.base_url,
                                      url_fetcher=self.fetcher)
        repaired: list[int] = []
        for _attempt in range(MAX_REPAIRS + 1):
            rules = extra_css + (_repair_rule(repaired) if repaired else "")
            extra = [self.weasyprint.CSS(string=rules)] if rules else []
            document = source.render(stylesheets=self.stylesheets + extra,
                                     font_config=self.fonts, **self.options)
            self._refuse_outside("the print edition")
            problems = misplaced_footnotes(document, notes)
            if not problems:
                break
            repaired.append(min(problems))  # the first only: a break moves what follows
        else:
            shown = "; ".join(list(problems.values())[:10])
            raise RenderError(f"footnote layout check failed ({len(problems)} notes): {shown}")
        overflowing = weasy.overflowing_lines(document)
        if overflowing:
            page, text = overflowing[0]
            raise RenderError(f"{len(overflowing)} line(s) run past the page's edge, the first "
                              f"on page {page} of its section: \u201c{text}\u201d (break it, "
                              "or shorten what cannot break)")
        layout = Layout(document, repaired)
        self.state.remember_layout(key, layout)
        return layout

    def _refuse_outside(self, what: str) -> None:
        if self.fetcher.refused:
            raise RenderError(f"{what} asked for resources outside the project or missing: "
                              + ", ".join(sorted(set(self.fetcher.refused))))

    def write(self, pages: list[Any], first: Any) -> bytes:
        if self.remember_paint:
            weasy.remember(pages)
        else:
            weasy.forget(pages)
        pdf: bytes = first.copy(pages).write_pdf(**self.options)
        self._refuse_outside("the print edition")  # attachments are fetched while writing
        foreign = foreign_glyphs(pdf, self.theme_families) if self.verify_fonts else []
        if foreign:
            page, font, chars = foreign[0]
            shown = ", ".join(fonts_module.describe(c) for c in chars[:5]) or "some text"
            raise RenderError(f"{shown} on page {page} would print in the machine's font "
                              f"{font}, not one of the theme's (fonts.yml): add a font "
                              "that has it")
        return pdf


# Where a chart goes in the print HTML until the edition's fonts are known.
CHART_MARK = "policybrief-chart:"


def _fonts(ctx: BuildContext, texts: list[str]) -> EditionFonts:
    """The edition's fonts for print: the characters of every page's HTML, of the
    stylesheet's generated content and of the charts, from the theme's font files."""
    css = ctx.theme.read_text("css/print.css")
    charts = " ".join(chart_text(drawn) for drawn in ctx.charts.values())
    return ctx.edition_fonts("".join(texts) + css + charts)


def _chart_files(ctx: BuildContext, fonts: EditionFonts) -> dict[str, str]:
    """Each chart's print file, once per build: its text SVG naming the print
    edition's subset of the font the chart was measured with (searchable text, and
    quick to lay out), or, when its text needs two fonts (Arabic labels and "US$":
    WeasyPrint sets an SVG text in its first family only), its glyphs as outlines."""
    files = {}
    for figure_id, drawn in ctx.charts.items():
        family = fonts.covering(chart_text(drawn), "sans")
        path = (print_svg(drawn, [family], ctx.cache_dir / "print-figures")
                if family is not None else drawn.svg)
        files[f'"{CHART_MARK}{figure_id}"'] = f'"{path.as_uri()}"'
    return files


def _with_charts(html: str, files: dict[str, str]) -> str:
    """The print HTML with its charts in place of their marks."""
    for mark, uri in files.items():
        html = html.replace(mark, uri)
    return html


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*?font-family:\s*[\"']?([^;\"'}]+)", re.I)


_STYLES = ("", "-Bold", "-Italic", "-BoldItalic", "-Bold-Italic", "-Oblique",
           "-Bold-Oblique", "-Regular")


def _declared(name: str, allowed: tuple[str, ...]) -> bool:
    """Whether a PDF font name is one of the build's families (``PB-...``) or exactly
    a family a theme stylesheet declares, in one of its styles: a machine's
    "Noto-Sans-CJK-SC" is not the theme's "Noto-Sans"."""
    if name.startswith(fonts_module.FAMILY_PREFIX):
        return True
    return any(name == family + style for family in allowed for style in _STYLES)


def foreign_glyphs(pdf: bytes, allowed: tuple[str, ...] = ()) -> list[tuple[int, str, str]]:
    """Text the PDF draws with a font the build did not declare (the machine's own,
    picked for a character the edition's fonts lack): (page, font, characters). The
    fonts of every page are read; the text only of pages that have such a font."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        resources: Any = page.get("/Resources")
        fonts: Any = resources.get_object().get("/Font") if resources is not None else None
        fonts = fonts.get_object() if fonts is not None else {}
        names = {str(font.get_object().get("/BaseFont", "")).lstrip("/")
                 for font in fonts.values()}
        foreign = {n for n in names if n.split("+", 1)[-1]
                   and not _declared(n.split("+", 1)[-1], allowed)}
        if not foreign:
            continue
        drawn: dict[str, list[str]] = {}

        def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any,
                  drawn: dict[str, list[str]] = drawn, foreign: set[str] = foreign) -> None:
            name = str(font.get("/BaseFont", "")).lstrip("/") if font else ""
            if name in foreign and text.strip():
                drawn.setdefault(name, []).append(text.strip())

        page.extract_text(visitor_text=visit)
        found += [(number, name.split("+", 1)[-1], "".join(sorted(set("".join(texts)))))
                  for name, texts in sorted(drawn.items())]
        found += [(number, name.split("+", 1)[-1], "") for name in sorted(foreign)
                  if name not in drawn]
    return found


def _note_numbers(html: str) -> range:
    numbers = [int(n) for n in re.findall(r'<span id="fn(\d+)" class="footnote"', html)]
    return range(min(numbers), max(numbers) + 1) if numbers else range(0)


def _repairs_said(repaired: list[int]) -> list[Diagnostic]:
    if not repaired:
        return []
    return [Diagnostic.warning(
        f"print layout: started a new page before the paragraph of note(s) "
        f"{', '.join(map(str, sorted(repaired)))} to keep each note on the page of its call",
        rule="print-layout")]


def _engine_said(renderer: PrintRenderer) -> list[Diagnostic]:
    """What the WeasyPrint installed cannot do that the verified release does."""
    said = []
    if renderer.state.keep_paint and not renderer.remember_paint:
        said.append(Diagnostic.warning(
            f"paint replay is off: WeasyPrint {weasy.installed_version()} is installed, and "
            f"replay was verified on {weasy.VERIFIED_VERSION} (each page is painted again)",
            rule="print-layout"))
    if not renderer.cjk_justified and fonts_module.language_script(renderer.lang) == "Hani":
        said.append(Diagnostic.warning(
            f"the {renderer.lang} edition's lines are not justified between characters: "
            f"WeasyPrint {weasy.installed_version()} is installed, and that was verified "
            f"on {weasy.VERIFIED_VERSION} (install the version pyproject.toml pins)",
            rule="print-layout"))
    return said


@register
class PdfBuilder(Builder):
    format = "pdf"
    extension = "pdf"
    media_type = "application/pdf"
    theme_files = ("templates/print.html.j2", "templates/print-section.html.j2",
                   "css/print.css")

    def build(self, ctx: BuildContext) -> Rendered:
        shown = ctx.document_for(self)
        # charts are placed once the edition's fonts are known: their text is set in
        # the same subsets as the page's (see _with_charts)
        doc = figures.resolve_images(shown, lambda i: f"{CHART_MARK}{i}")
        doc, note_count = inline_notes.apply(doc)
        variables = ctx.template_vars(shown)  # the contents list the Sources section too
        if ctx.project.config.print_layout == "whole":
            return self._whole(ctx, doc, note_count, variables)
        split, said = html_sections(ctx, doc)
        front_text = render(ctx.theme, "print.html.j2",
                            variables | {"body": Markup(""), "toc_pages": {}},
                            ctx.state.templates)
        fonts = _fonts(ctx, [front_text, *split])
        charts = _chart_files(ctx, fonts)
        split = [_with_charts(part, charts) for part in split]
        renderer = PrintRenderer(ctx, fonts.css())
        sections = [(s, _note_numbers(s)) for s in split]
        in_sections = sum(len(notes) for _s, notes in sections)
        if in_sections != note_count:  # every note must be verified where it is laid out
            raise RenderError(f"{note_count - in_sections} notes stand outside the top-level "
                              "sections; start every chapter with a level-1 heading")
        templates = ctx.state.templates

        # The front matter's page count does not depend on the page numbers in its
        # contents, nor on the build's date and fingerprint (fixed-length values), so a
        # first layout with neither tells where the sections start; it stays the same
        # from one edit to the next, and a warm process takes it from the cache.
        def front_matter(**values: Any) -> Layout:
            html = render(ctx.theme, "print.html.j2",
                          variables | {"body": Markup(""), "toc_pages": {}} | values, templates)
            return renderer.layout(html, range(0))

        front_pages = len(front_matter(fingerprint="0" * len(ctx.fingerprint),
                                       build_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).pages)
        for _attempt in range(2):
            layouts, toc_pages, repaired = self._sections(ctx, renderer, variables, sections,
                                                          front_pages)
            front = front_matter(toc_pages=toc_pages)
            if len(front.pages) == front_pages:
                break
            # A project template whose date or fingerprint is not of fixed length: the
            # sections start on another page; lay them out again from there.
            front_pages = len(front.pages)
        else:
            raise RenderError(f"the front matter took {len(front.pages)} pages, then "
                              "another count; the contents' page numbers would be wrong "
                              "(check the print templates)")
        pages = [*front.pages, *(p for layout in layouts for p in layout.pages)]
        data = renderer.write(pages, front.document)  # the front carries the metadata
        return Rendered(data, said + _repairs_said(repaired) + _engine_said(renderer))

    @staticmethod
    def _whole(ctx: BuildContext, doc: Any, note_count: int,
               variables: dict[str, Any]) -> Rendered:
        """The whole edition laid out as one document (``print_layout: whole``; the
        reference for the section layout)."""
        body = html_body(ctx, doc)
        html = render(ctx.theme, "print.html.j2",
                      variables | {"body": Markup(body.data.decode("utf-8"))},
                      ctx.state.templates)
        fonts = _fonts(ctx, [html])
        html = _with_charts(html, _chart_files(ctx, fonts))
        renderer = PrintRenderer(ctx, fonts.css())
        layout = renderer.layout(html, range(1, note_count + 1))
        data = renderer.write(layout.pages, layout.document)
        return Rendered(data, body.diagnostics + _repairs_said(layout.repaired)
                        + _engine_said(renderer))

    @staticmethod
    def _sections(ctx: BuildContext, renderer: PrintRenderer, variables: dict[str, Any],
                  sections: list[tuple[str, range]], front_pages: int,
                  ) -> tuple[list[Layout], dict[str, int], list[int]]:
        """Each top-level section laid out after the ones before it: the layouts, the
        page of every anchor (for the contents) and the notes repaired."""
        page, note = front_pages, 0
        layouts: list[Layout] = []
        toc_pages: dict[str, int] = {}
        repaired: list[int] = []
        for section, notes in sections:
            part_html = render(ctx.theme, "print-section.html.j2",
                               variables | {"body": Markup(section)}, ctx.state.templates)
            # WeasyPrint increments the page counter after the reset: page + 1 shows page + 1.
            counters = (f"@page :first {{ counter-reset: page {page + 1}; }} "
                        f"html {{ counter-reset: footnote {note}; }}")
            layout = renderer.layout(part_html, notes, counters)
            for number, laid_out in enumerate(layout.pages, start=page + 1):
                for anchor in laid_out.anchors:
                    toc_pages.setdefault(anchor, number)
            layouts.append(layout)
            repaired += layout.repaired
            page += len(layout.pages)
            note = notes.stop - 1 if notes else note
        return layouts, toc_pages, repaired
