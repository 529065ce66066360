"""The one place that reaches into WeasyPrint's internals.

policybrief needs four things WeasyPrint has no public API for:

* **where each footnote was called and set** (the laid-out page boxes,
  ``page._page_box``), to verify every note is on the page of its call;
* **a sandboxed URL fetcher** that serves only the project's and the theme's files
  (an overriding theme stylesheet's ``url(../fonts/x.ttf)`` falls through to the
  theme it extends);
* **paint replay** (``brief watch``): a page laid out earlier is not painted again;
* **justification between CJK characters**. ``text-align: justify`` stretches only
  spaces in WeasyPrint 70 (no ``text-justify: inter-character``), so a justified line
  of Chinese, which has none, stays ragged by up to a character, and a line of mixed
  text puts all its slack into its one or two spaces. Chinese and Japanese typesetting
  spreads the slack between the characters (CSS Text 3 "inter-character", JLReq 3.8):
  each ideograph, kana and full-width punctuation mark counts as an opportunity in
  WeasyPrint's justification and is widened as WeasyPrint widens a space (a Pango
  letter-spacing attribute). Korean (a box whose ``lang`` is ``ko``) justifies at its
  spaces and is left alone.

Writing a PDF, WeasyPrint paints each page into a content stream and compresses it;
for the flagship that is two thirds of the time spent writing. A page taken from
the layout cache (a section that did not change since the last build in this
process) paints to the same operators every time, so its first paint is recorded
and later writes replay it. What painting does besides adding operators, and replay
therefore repeats, in the order painting does it: it registers the fonts the page
uses, the glyphs it shows (each font's widths and Unicode text, whose order reaches
the PDF's bytes), the transparency states it sets (``/a0.5 gs``) and the marked
content it tags for PDF/UA. A glyph's width and text are set by the first page that
shows it (the text of a ligature glyph depends on what was typed), so a page is
replayed only when the glyph tables hold what its paint found there, and nothing
else for what it added. Pages whose resources are named by a running count (images,
groups, patterns, shadings, other graphics states), or that show glyphs a font
lacks, or bitmap fonts, are painted every time. A replayed page gives the same bytes
as a painted one; ``tests/test_print.py`` checks it on a fixture brief.

Paint replay relies on the private layout of WeasyPrint's PDF stream
(``stream._fonts``, ``_resources``, ``_tags``; ``pydyf._to_bytes``), verified on
WeasyPrint ``VERIFIED_VERSION``: with any other version installed, replay is off
(:func:`replay_supported`) and the build log says so.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

VERIFIED_VERSION = "70.0"


def installed_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


def replay_supported() -> bool:
    """Paint replay reads WeasyPrint's private stream: only on the version it was
    verified on."""
    return installed_version() == VERIFIED_VERSION


# Han (with extensions and compatibility ideographs), kana, CJK symbols and
# punctuation, full-width forms: the characters between which CJK text is justified
CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
                 "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
                 "\U00020000-\U0003134f]")

_cjk_installed = False


def cjk_opportunities(text: str, lang: str = "") -> int:
    """How many characters of ``text``, in ``lang`` (the box's), take extra space when
    its line is justified: none in Korean, which justifies at its spaces."""
    if text.isascii() or lang.lower().split("-")[0] == "ko":  # most lines: no search
        return 0
    return len(CJK.findall(text))


def install_cjk_justification() -> bool:
    """Wrap WeasyPrint's justification (once, for the process); False when the
    WeasyPrint installed is not the verified release (CJK lines then stay ragged)."""
    global _cjk_installed
    if _cjk_installed:
        return True
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    if installed_version() != VERIFIED_VERSION:
        return False
    count_spaces = inline.count_expandable_spaces
    set_text = line_break.Layout.set_text

    def count_expandable(box: Any) -> int:
        found = int(count_spaces(box))
        if isinstance(box, boxes.TextBox):
            found += cjk_opportunities(box.text, box.style["lang"] or "")
        return found

    def set_justified_text(layout: Any, text: str, justify: bool = False) -> None:
        set_text(layout, text, justify)
        spacing = layout.justification_spacing
        if not (justify and spacing
                and cjk_opportunities(layout.text, layout.style["lang"] or "")):
            return
        _widen(layout, spacing)

    inline.count_expandable_spaces = count_expandable
    line_break.Layout.set_text = set_justified_text
    _cjk_installed = True
    return True


def _widen(layout: Any, spacing: float) -> None:
    """Pango letter spacing of ``spacing`` on each CJK character of the layout's text,
    as WeasyPrint sets it on each space (doubled at the text's two ends, where Pango
    gives half)."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    data = layout.text.encode("utf-8")
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    letter_spacing = layout.style["letter_spacing"]  # replaced on these characters: kept
    units = int(spacing * TO_UNITS) + (0 if letter_spacing == "normal"
                                      else int(letter_spacing * TO_UNITS))
    start = done = 0  # the byte offset of the character at index `done`
    for match in CJK.finditer(layout.text):
        start += len(layout.text[done:match.start()].encode("utf-8"))
        done = match.end()
        end = start + len(match.group().encode("utf-8"))
        factor = 2 if start == 0 or end == len(data) else 1
        attribute = pango.pango_attr_letter_spacing_new(factor * units)
        attribute.start_index, attribute.end_index = start, end
        pango.pango_attr_list_change(attributes, attribute)
        start = end
    pango.pango_layout_set_attributes(layout.layout, attributes)


DATA_URL_LIMIT = 5 * 1024 * 1024


def fetcher_class() -> type:
    """WeasyPrint's URL fetcher, sandboxed (a class made on first use: importing
    WeasyPrint takes a few tenths of a second)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs under the allowed roots and small ``data:`` URLs only.

        ``fallback`` finds a file a theme file refers to relatively in the theme it
        extends (see :meth:`policybrief.theme.Theme.fallback`)."""

        def __init__(self, roots: list[Path],
                     fallback: Callable[[Path], Path | None] | None = None) -> None:
            super().__init__(fail_on_errors=False)
            self.roots = [r.resolve() for r in roots]
            self.fallback = fallback
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                if len(url) > DATA_URL_LIMIT:
                    self.refused.append(f"data: URL over {DATA_URL_LIMIT // 1024 // 1024} MB")
                    raise ValueError("data URL too large")
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = self.allowed(Path(unquote(parsed.path)))
                if path is not None and not path.is_file() and self.fallback is not None:
                    found = self.fallback(path)
                    path = self.allowed(found) if found is not None else path
                if path is not None and path.is_file():
                    # a stylesheet must say it is one (WeasyPrint ignores it otherwise);
                    # images and fonts are recognised by their content
                    kind = {"Content-Type": "text/css"} if path.suffix == ".css" else None
                    return URLFetcherResponse(url, path.read_bytes(), headers=kind)
                if path is not None:
                    self.refused.append(f"{url} (no such file)")
                    raise ValueError(f"resource not found: {url}")
            self.refused.append(url)
            raise ValueError(f"resource outside the project refused: {url}")

        def allowed(self, path: Path) -> Path | None:
            """``path`` with every link resolved, if it is under an allowed root."""
            resolved = path.resolve()
            return resolved if any(resolved.is_relative_to(r) for r in self.roots) else None

    return SandboxFetcher


def overflowing_lines(document: Any, tolerance: float = 0.5) -> list[tuple[int, str]]:
    """(page number, text) of every line whose box runs past the page's edge: nothing
    may be drawn outside the page (a 10,000-character word or URL would be cut)."""
    found: list[tuple[int, str]] = []
    for number, page in enumerate(document.pages, start=1):
        width = page.width
        for box in page._page_box.descendants():
            if type(box).__name__ != "LineBox":
                continue
            right = box.position_x + box.width
            if box.position_x < -tolerance or right > width + tolerance:
                text = "".join(getattr(child, "text", "") or "" for child in box.descendants())
                found.append((number, text.strip()[:60]))
    return found


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


ATTRIBUTE = "_policybrief_painted"
ALPHA_STATE = re.compile(r"[aA]\d+(\.\d+)?(e-?\d+)?")

_FONT = re.compile(rb"^/(\S+) \S+ Tf$")
_GLYPHS = re.compile(rb"<([0-9a-f]*)>")


def _font_key(stream: Any, font: Any) -> Any:
    return next(key for key, value in stream._fonts.items() if value is font)


def shown_glyphs(operators: list[Any]) -> list[tuple[str, int]] | None:
    """(font name, glyph id) of every glyph the operators show, in order; None when
    the page shows text in a way this module does not read."""
    shown: list[tuple[str, int]] = []
    font = ""
    for op in operators:
        if not isinstance(op, bytes):
            continue
        if op.endswith(b" Tf"):
            match = _FONT.match(op)
            if match is None:
                return None
            font = match.group(1).decode("latin-1")
        elif op.endswith(b" TJ"):
            for run in _GLYPHS.findall(op):
                if len(run) % 4:
                    return None  # two-digit glyph ids: a bitmap font
                shown += [(font, int(run[i:i + 4], 16)) for i in range(0, len(run), 4)]
        elif op.endswith(b" Tj"):
            return None
    return shown


@dataclass
class PaintRecord:
    """What painting one page did, to be done again without painting."""

    scale: float
    compress: bool
    prefix: list[Any]  # the stream's operators before the page was painted
    operators: list[Any]
    fonts: list[tuple[Any, Any]]  # (pango font, font key), in the order first used
    # (font key, table, glyph, value, whether this page added it), in the order shown
    glyphs: list[tuple[Any, str, Any, Any, bool]]
    states: list[tuple[str, Any]]  # transparency states, in the order first set
    tags_before: int
    tags: list[tuple[Any, dict[str, Any]]]
    compressed: bytes | None = field(default=None)

    def matches(self, stream: Any, scale: float) -> bool:
        from weasyprint.text.fonts import get_pango_font_key

        tags = stream._tags
        if not (scale == self.scale and stream.compress == self.compress
                and stream.stream == self.prefix
                and (len(tags) if tags is not None else -1) == self.tags_before
                and all(get_pango_font_key(pango)[0] == key for pango, key in self.fonts)):
            return False
        # A glyph's width (which the operators use) and text are those of the first page
        # showing it. Painting found some entries in the tables and added others: the
        # first must be there with the same value, the second absent or the same.
        for key, table, glyph, value, added in self.glyphs:
            font = stream._fonts.get(key)
            values = getattr(font, table) if font is not None else {}
            if glyph in values:
                if values[glyph] != value:
                    return False
            elif not added:
                return False
        return True

    def replay(self, stream: Any) -> None:
        from weasyprint.pdf.stream import Stream

        for pango_font, _key in self.fonts:
            Stream.add_font(stream, pango_font)
        for key, table, glyph, value, _added in self.glyphs:
            values = getattr(stream._fonts[key], table)
            if glyph not in values:
                values[glyph] = value
        states = stream._resources["ExtGState"]
        for name, state in self.states:
            if name not in states:
                states[name] = state
        if stream._tags is not None:
            for box, tag in self.tags:
                stream._tags[box] = dict(tag)
        if not self.compress:
            stream.stream = [*self.prefix, *self.operators]
            return
        if self.compressed is None:  # as pydyf compresses a stream
            from pydyf import _to_bytes

            data = b"\n".join(_to_bytes(op) for op in [*self.prefix, *self.operators])
            packer = zlib.compressobj(level=9)
            self.compressed = packer.compress(data) + packer.flush()
        stream.stream = [self.compressed]
        stream.compress = False
        stream.extra["Filter"] = "/FlateDecode"


def _record(page: Any, stream: Any, scale: float) -> PaintRecord | None:
    """Paint ``page``, and return what painting did if it can be replayed."""
    from weasyprint.document import Page
    from weasyprint.pdf.stream import Stream

    resources = stream._resources
    named = {name: set(resources[name]) for name in ("XObject", "Pattern", "Shading")}
    images = set(stream._images)
    tags_before = set(stream._tags) if stream._tags is not None else None
    missing = {id(font): len(font.missing) for font in stream._fonts.values()}
    known = {(id(font), table): set(getattr(font, table))
             for font in stream._fonts.values() for table in ("to_unicode", "widths")}
    prefix = list(stream.stream)
    fonts: dict[Any, Any] = {}  # font key -> pango font, in the order first used
    used: dict[Any, Any] = {}  # pango font -> font object, this page's

    def add_font(pango_font: Any) -> Any:
        font, size = Stream.add_font(stream, pango_font)
        if pango_font not in used:
            used[pango_font] = font
            fonts.setdefault(_font_key(stream, font), pango_font)
        return font, size

    stream.add_font = add_font
    try:
        Page.paint(page, stream, scale)
    finally:
        del stream.add_font
    operators = stream.stream[len(prefix):]
    if stream.stream[:len(prefix)] != prefix:
        return None
    if any(set(resources[name]) != before for name, before in named.items()):
        return None
    if set(stream._images) != images:
        return None
    states: list[tuple[str, Any]] = []
    for op in operators:
        if isinstance(op, bytes) and op.endswith((b" Do", b" sh", b" scn", b" SCN")):
            return None
        if isinstance(op, bytes) and op.endswith(b" gs"):
            name = op[1:-3].decode("latin-1")
            if not ALPHA_STATE.fullmatch(name):
                return None
            if all(name != seen for seen, _state in states):
                states.append((name, resources["ExtGState"][name]))
    if any(len(font.missing) != missing.get(id(font), 0) for font in stream._fonts.values()):
        return None  # glyphs a font lacks are numbered by a running count
    if any(font.bitmap for font in used.values()):
        return None  # two-digit glyph ids
    shown = shown_glyphs(operators)
    by_name: dict[str, list[Any]] = {}
    for font in {id(f): f for f in used.values()}.values():
        by_name.setdefault(font.hash, []).append(font)
    if shown is None or any(len(same) > 1 for same in by_name.values()):
        return None
    keys = {id(font): key for key, font in stream._fonts.items()}
    glyphs: list[tuple[Any, str, Any, Any, bool]] = []
    seen: set[tuple[str, int]] = set()
    for name, glyph in shown:
        if (name, glyph) in seen:
            continue
        seen.add((name, glyph))
        if name not in by_name:
            return None
        font = by_name[name][0]
        for table in ("to_unicode", "widths"):  # the order painting looks them up
            values = getattr(font, table)
            if glyph in values:
                added = glyph not in known.get((id(font), table), ())
                glyphs.append((keys[id(font)], table, glyph, values[glyph], added))
    tags = ([(box, dict(tag)) for box, tag in stream._tags.items() if box not in tags_before]
            if stream._tags is not None and tags_before is not None else [])
    return PaintRecord(scale, bool(stream.compress), prefix, list(operators),
                       [(pango, key) for key, pango in fonts.items()], glyphs, states,
                       len(tags_before) if tags_before is not None else -1, tags)


def paint(page: Any, stream: Any, scale: float = 1) -> None:
    """Paint ``page`` into ``stream``, or replay its recorded paint when it fits."""
    from weasyprint.document import Page

    record: PaintRecord | bool | None = page.__dict__.get(ATTRIBUTE)
    if record is False:  # this page cannot be replayed
        Page.paint(page, stream, scale)
    elif isinstance(record, PaintRecord) and record.matches(stream, scale):
        record.replay(stream)
    else:
        page.__dict__[ATTRIBUTE] = _record(page, stream, scale) or False


def remember(pages: list[Any]) -> None:
    """Make the pages paint through :func:`paint` (an attribute of each page object,
    so documents laid out elsewhere in the process are not affected)."""
    for page in pages:
        if "paint" not in page.__dict__:
            page.paint = lambda stream, scale=1, _page=page: paint(_page, stream, scale)


def forget(pages: list[Any]) -> None:
    """Paint the pages as WeasyPrint does (after a warm process ended)."""
    for page in pages:
        page.__dict__.pop("paint", None)
        page.__dict__.pop(ATTRIBUTE, None)
