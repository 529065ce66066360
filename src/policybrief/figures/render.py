"""Draw a figure for one edition, as SVG (HTML, PDF) and PNG at 300 dpi (DOCX).

Output is deterministic (fixed SVG hash salt, no dates or software names in the
metadata) and cached by a hash of everything that can change the drawing: the
spec, the data, the drawing code, the house style, the language and matplotlib's
version. An unchanged figure is not drawn again.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.errors import Location, RenderError
from policybrief.figures import draw as draw_module
from policybrief.figures.draw import Draw, draw_figure, only_fonts
from policybrief.figures.spec import CODE_FILE, Figure
from policybrief.figures.style import HouseStyle
from policybrief.fonts import describe
from policybrief.writer import write_atomic

# svg: glyphs as outlines (the web edition: an SVG shown as an image cannot use the
# page's fonts); text.svg: text as text, set by the print edition in its own subsets of
# the same fonts (searchable, and a tenth of the drawing work); png: the Word edition.
FORMATS = ("svg", "text.svg", "png")
_CODE = b"".join(
    (Path(draw_module.__file__).parent / name).read_bytes()
    for name in ("draw.py", "render.py", "localize.py", "style.py", "spec.py"))


@dataclass(frozen=True)
class RenderedFigure:
    id: str
    svg: Path
    png: Path
    redrawn: bool
    text_svg: Path | None = None  # the same chart with its text as text (for print)


def cache_key(figure: Figure, style: HouseStyle, lang: str) -> str:
    import matplotlib

    digest = hashlib.sha256()
    custom = figure.folder / CODE_FILE
    code = custom.read_bytes() if figure.spec.kind == "custom" else b""
    for part in (figure.spec_path.read_bytes(), figure.table.path.read_bytes(), _CODE, code,
                 style.source, lang.encode(), matplotlib.__version__.encode(),
                 repr([(str(p), p.stat().st_size) for p in style.font_files]).encode(),
                 repr(style.font_family).encode(), style.currency_display.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _draw(figure: Figure, style: HouseStyle, lang: str) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")  # for a custom figure's code that uses pyplot
    outputs: dict[str, bytes] = {}
    rc: Any = style.rc()
    with only_fonts(style.font_files), matplotlib.rc_context(rc), \
            warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        fig = draw_figure(figure, style, lang, custom=draw_custom)
        for fmt in FORMATS:
            buffer = io.BytesIO()
            kind = fmt.rsplit(".", 1)[-1]
            metadata = ({"Date": None, "Creator": None} if kind == "svg"
                        else {"Software": None})
            with matplotlib.rc_context({"svg.fonttype": "none"} if fmt == "text.svg"
                                       else {}):
                fig.savefig(buffer, format=kind, dpi=300 if kind == "png" else 100,
                            metadata=metadata)
            outputs[fmt] = buffer.getvalue()
    for warning in said:  # matplotlib's own words never reach the terminal
        missing = _MISSING_GLYPH.search(str(warning.message))
        if missing:
            char = chr(int(missing.group(1)))
            raise RenderError(f"figure '{figure.id}' ({lang}): {describe(char)} has no glyph "
                              "in the theme's fonts (fonts.yml); the chart would show a box",
                              Location(figure.spec_path))
    return outputs


# matplotlib: "Glyph 22270 (\N{CJK UNIFIED IDEOGRAPH-56FE}) missing from font(s) ..."
_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from")


def draw_custom(figure: Figure, fig: Any, ax: Any, d: Draw) -> None:
    """The escape hatch: ``figures/<id>/figure.py`` defines ``draw(fig, ax, data, loc)``;
    ``data`` is the CSV as a list of row dicts, ``loc`` the localisation helper
    (``loc.text(value)`` for per-language texts, ``loc.loc.value(x)`` for numbers)."""
    import importlib.util

    path = figure.folder / CODE_FILE
    module_spec = importlib.util.spec_from_file_location(f"policybrief_figure_{figure.id}", path)
    if module_spec is None or module_spec.loader is None:
        raise RenderError(f"cannot load {CODE_FILE}", Location(path))
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
        draw = module.draw
        draw(fig, ax, [dict(row) for row in figure.table.rows], d)
    except Exception as exc:  # the figure's own code failed: say where
        raise RenderError(f"{CODE_FILE} failed: {type(exc).__name__}: {exc}",
                          Location(path)) from None


def render_figure(figure: Figure, style: HouseStyle, lang: str,
                  cache_dir: Path, force: bool = False) -> RenderedFigure:
    key = cache_key(figure, style, lang)
    base = cache_dir / "figures" / f"{figure.id}.{lang}.{key}"
    paths = {fmt: base.with_suffix(base.suffix + f".{fmt}") for fmt in FORMATS}
    if not force and all(p.is_file() for p in paths.values()):
        return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=False,
                              text_svg=paths["text.svg"])
    for fmt, data in _draw(figure, style, lang).items():
        write_atomic(paths[fmt], data, durable=False)  # a cache
    return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=True,
                          text_svg=paths["text.svg"])


_FAMILY = re.compile(r"font-family: [^;\"]+")
_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")


def chart_text(drawn: RenderedFigure) -> str:
    """What a chart prints (its labels, numbers and legend), from its text SVG."""
    if drawn.text_svg is None:
        return ""
    import html

    return " ".join(html.unescape(t) for t in _TEXT.findall(
        drawn.text_svg.read_text(encoding="utf-8")))


def print_svg(drawn: RenderedFigure, families: list[str], folder: Path) -> Path:
    """The chart's text SVG naming the print edition's font families (its subsets of
    the fonts matplotlib measured the text with), written into ``folder``."""
    assert drawn.text_svg is not None
    stack = ", ".join(f"'{name}'" for name in families)
    data = _FAMILY.sub(f"font-family: {stack}", drawn.text_svg.read_text(encoding="utf-8"))
    target = folder / f"{drawn.text_svg.stem}.{hashlib.sha256(stack.encode()).hexdigest()[:8]}.svg"
    if not target.is_file():
        write_atomic(target, data.encode("utf-8"), durable=False)
    return target
