"""The print edition: a print-HTML page laid out by WeasyPrint.

Notes are set as real footnotes (``float: footnote``), so the pandoc AST is first
rewritten to keep each note where it is called (``inline_notes``). WeasyPrint may
fetch only files inside the project and the theme (see :class:`SandboxFetcher`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from markupsafe import Markup

from policybrief.builders.base import BuildContext, register
from policybrief.builders.html import html_body
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


def misplaced_footnotes(document: Any, expected: int) -> dict[int, str]:
    """Notes that are lost, doubled or set on another page than their call."""
    calls, notes = footnote_pages(document)
    problems: dict[int, str] = {}
    for index in range(1, expected + 1):
        ident = f"fn{index}"
        where_called, where_set = calls.get(ident, []), notes.get(ident, [])
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


def write_pdf(html: str, ctx: BuildContext, expected_notes: int) -> bytes:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # needed for the theme's @font-face rules
    fetcher = _fetcher_class()([ctx.project.root, ctx.theme_dir, ctx.cache_dir])
    css_path = ctx.theme_dir / "css" / "print.css"
    source = weasyprint.HTML(
        string=html, base_url=str(ctx.project.root) + "/", url_fetcher=fetcher
    )
    stylesheets = [weasyprint.CSS(filename=str(css_path), url_fetcher=fetcher, font_config=fonts),
                   weasyprint.CSS(string=page_css(ctx))]
    options = pdf_options(ctx)
    repaired: list[int] = []
    for _attempt in range(MAX_REPAIRS + 1):
        extra = [weasyprint.CSS(string=_repair_rule(repaired))] if repaired else []
        document = source.render(stylesheets=stylesheets + extra, font_config=fonts,
                                 **options)
        if fetcher.refused:
            raise RenderError("the print edition asked for resources outside the project: "
                              + ", ".join(sorted(set(fetcher.refused))))
        problems = misplaced_footnotes(document, expected_notes)
        if not problems:
            break
        # Repair the first problem only: a break moves everything after it.
        repaired.append(min(problems))
    else:
        shown = "; ".join(list(problems.values())[:10])
        raise RenderError(f"footnote layout check failed ({len(problems)} notes): {shown}")
    if repaired:
        ctx.warnings.append(f"print layout: started a new page before the paragraph of "
                            f"note(s) {', '.join(map(str, repaired))} to keep each note on "
                            "the page of its call")
    pdf: bytes = document.write_pdf(**options)
    return pdf


@register
class PdfBuilder:
    format = "pdf"
    extension = "pdf"

    def build(self, ctx: BuildContext) -> bytes:
        doc = ctx.document_for("pdf")
        doc = figures.resolve_images(doc, lambda i: ctx.charts[i].svg.as_uri())
        doc, note_count = inline_notes.apply(doc)
        body = html_body(ctx, doc)
        variables = ctx.template_vars() | {"body": Markup(body)}
        html = render(ctx.theme_dir, ctx.project.root, "print.html.j2", variables)
        return write_pdf(html, ctx, note_count)

