"""The print edition: a print-HTML page laid out by WeasyPrint.

Notes are set as real footnotes (``float: footnote``), so the pandoc AST is first
rewritten to keep each note where it is called (``inline_notes``). WeasyPrint may
fetch only files inside the project and the theme (see :class:`SandboxFetcher`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlparse

from markupsafe import Markup

from policybrief.builders import paintmemo
from policybrief.builders.base import BuildContext, register
from policybrief.builders.html import html_body, html_sections
from policybrief.builders.templates import render
from policybrief.errors import RenderError
from policybrief.pandoc.filters import figures, inline_notes

DATA_URL_LIMIT = 5 * 1024 * 1024


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs under the allowed roots and small ``data:`` URLs only."""

        def __init__(self, roots: list[Path]) -> None:
            super().__init__(fail_on_errors=False)
            self.roots = [r.resolve() for r in roots]
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                if len(url) > DATA_URL_LIMIT:
                    self.refused.append(f"data: URL over {DATA_URL_LIMIT // 1024 // 1024} MB")
                    raise ValueError("data URL too large")
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes())
            self.refused.append(url)
            raise ValueError(f"resource outside the project refused: {url}")

    return SandboxFetcher


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


def footnote_pages(document: Any) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Where each footnote was called and where it was set: note id -> page numbers.

    Reads WeasyPrint's laid-out boxes: a call is the ``::footnote-call`` box of the
    note's element in the page body; a set note is a child of the page's footnote area.
    """
    calls: dict[str, list[int]] = {}
    notes: dict[str, list[int]] = {}
    for number, page in enumerate(document.pages, start=1):
        for child in page._page_box.children:
            if type(child).__name__ == "FootnoteAreaBox":
                for box in child.children:
                    ident = box.element.get("id", "") if box.element is not None else ""
                    notes.setdefault(ident, []).append(number)
                continue
            for box in child.descendants():
                tag = box.element_tag or ""
                if tag.endswith("::footnote-call") and type(box).__name__ == "InlineBox":
                    calls.setdefault(box.element.get("id", ""), []).append(number)
    return calls, notes


def misplaced_footnotes(document: Any, notes: range) -> dict[int, str]:
    """Notes of ``notes`` that are lost, doubled or set on another page than their call."""
    calls, placed = footnote_pages(document)
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
    the layout of every section that did not change.
    """

    _cache: ClassVar[dict[str, Layout]] = {}
    _fonts: ClassVar[Any] = None
    _stylesheets: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, ctx: BuildContext) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        if PrintRenderer._fonts is None:  # one font configuration per process
            PrintRenderer._fonts = FontConfiguration()
        self.weasyprint = weasyprint
        self.fonts = PrintRenderer._fonts
        self.fetcher = _fetcher_class()([ctx.project.root, ctx.theme_dir, ctx.cache_dir])
        self.base_url = str(ctx.project.root) + "/"
        css_path = ctx.theme_dir / "css" / "print.css"
        paper = page_css(ctx)
        css_text = css_path.read_text(encoding="utf-8") + paper
        font_files = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                            for p in (ctx.theme_dir / "fonts").glob("*") if p.is_file())
        # What the stylesheets are made of (@font-face loads the theme's font files).
        self.style_key = f"{css_path}\0{css_text}\0{font_files}"
        if self.style_key not in PrintRenderer._stylesheets:  # parsed once per process
            parsed = [weasyprint.CSS(filename=str(css_path), url_fetcher=self.fetcher,
                                     font_config=self.fonts),
                      weasyprint.CSS(string=paper)]
            self._refuse_outside("the print stylesheet")
            PrintRenderer._stylesheets = {self.style_key: parsed}
        self.stylesheets = PrintRenderer._stylesheets[self.style_key]
        self.options = pdf_options(ctx)
        # Record each page's paint for the next build (see paintmemo) only in a process
        # that builds again: a one-off build would pay for it and gain nothing.
        self.remember_paint = ctx.warm

    def layout(self, html: str, notes: range, extra_css: str = "") -> Layout:
        """Lay out ``html``, repairing misplaced notes; cached by content."""
        key = hashlib.sha256("\0".join(
            [html, self.style_key, extra_css, repr(sorted(self.options.items()))]).encode()
        ).hexdigest()
        if key in self._cache:
            return self._cache[key]
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
        layout = Layout(document, repaired)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = layout
        return layout

    def _refuse_outside(self, what: str) -> None:
        if self.fetcher.refused:
            raise RenderError(f"{what} asked for resources outside the project: "
                              + ", ".join(sorted(set(self.fetcher.refused))))

    def write(self, pages: list[Any], first: Any) -> bytes:
        if self.remember_paint:
            paintmemo.remember(pages)
        else:
            paintmemo.forget(pages)
        pdf: bytes = first.copy(pages).write_pdf(**self.options)
        return pdf


def _note_numbers(html: str) -> range:
    numbers = [int(n) for n in re.findall(r'<span id="fn(\d+)" class="footnote"', html)]
    return range(min(numbers), max(numbers) + 1) if numbers else range(0)


def write_pdf_whole(html: str, ctx: BuildContext, expected_notes: int) -> bytes:
    """The whole edition laid out as one document (reference for the section layout)."""
    renderer = PrintRenderer(ctx)
    layout = renderer.layout(html, range(1, expected_notes + 1))
    _report_repairs(ctx, layout.repaired)
    return renderer.write(layout.pages, layout.document)


def _report_repairs(ctx: BuildContext, repaired: list[int]) -> None:
    if repaired:
        ctx.warnings.append(f"print layout: started a new page before the paragraph of "
                            f"note(s) {', '.join(map(str, sorted(repaired)))} to keep each "
                            "note on the page of its call")


@register
class PdfBuilder:
    format = "pdf"
    extension = "pdf"

    def build(self, ctx: BuildContext) -> bytes:
        doc = ctx.document_for("pdf")
        doc = figures.resolve_images(doc, lambda i: ctx.charts[i].svg.as_uri())
        doc, note_count = inline_notes.apply(doc)
        if ctx.project.config.print_layout == "whole":
            body = html_body(ctx, doc)
            html = render(ctx.theme_dir, ctx.project.root, "print.html.j2",
                          ctx.template_vars() | {"body": Markup(body)})
            return write_pdf_whole(html, ctx, note_count)
        renderer = PrintRenderer(ctx)
        variables = ctx.template_vars()
        sections = [(s, _note_numbers(s)) for s in html_sections(ctx, doc)]
        in_sections = sum(len(notes) for _s, notes in sections)
        if in_sections != note_count:  # every note must be verified where it is laid out
            raise RenderError(f"{note_count - in_sections} notes stand outside the top-level "
                              "sections; start every chapter with a level-1 heading")
        # The front matter's page count does not depend on the page numbers in its
        # contents, nor on the build's date and fingerprint (fixed-length values), so a
        # first layout with neither tells where the sections start; it stays the same
        # from one edit to the next, and a warm process takes it from the cache.
        def front_matter(**values: Any) -> Layout:
            html = render(ctx.theme_dir, ctx.project.root, "print.html.j2",
                          variables | {"body": Markup(""), "toc_pages": {}} | values)
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
        _report_repairs(ctx, repaired)
        pages = [*front.pages, *(p for layout in layouts for p in layout.pages)]
        return renderer.write(pages, front.document)  # the front carries the metadata

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
            part_html = render(ctx.theme_dir, ctx.project.root, "print-section.html.j2",
                               variables | {"body": Markup(section)})
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
