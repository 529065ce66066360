"""Draw a figure for one edition, as SVG (HTML, PDF) and PNG at 300 dpi (DOCX).

Output is deterministic (fixed SVG hash salt, no dates or software names in the
metadata) and cached by a hash of everything that can change the drawing: the
spec, the data, the drawing code, the house style, the language and matplotlib's
version. An unchanged figure is not drawn again.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.errors import Location, RenderError
from policybrief.figures import draw as draw_module
from policybrief.figures.draw import Draw, draw_figure
from policybrief.figures.spec import CODE_FILE, Figure
from policybrief.figures.style import HouseStyle
from policybrief.writer import write_atomic

FORMATS = ("svg", "png")
_CODE = b"".join(
    (Path(draw_module.__file__).parent / name).read_bytes()
    for name in ("draw.py", "render.py", "localize.py", "style.py", "spec.py"))


@dataclass(frozen=True)
class RenderedFigure:
    id: str
    svg: Path
    png: Path
    redrawn: bool


def cache_key(figure: Figure, style: HouseStyle, lang: str) -> str:
    import matplotlib

    digest = hashlib.sha256()
    custom = figure.folder / CODE_FILE
    code = custom.read_bytes() if figure.spec.kind == "custom" else b""
    for part in (figure.spec_path.read_bytes(), figure.table.path.read_bytes(), _CODE, code,
                 style.source, lang.encode(), matplotlib.__version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _draw(figure: Figure, style: HouseStyle, lang: str) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")  # for a custom figure's code that uses pyplot
    outputs: dict[str, bytes] = {}
    with matplotlib.rc_context(style.rc()):  # type: ignore[arg-type]
        fig = draw_figure(figure, style, lang, custom=draw_custom)
        for fmt in FORMATS:
            buffer = io.BytesIO()
            metadata = ({"Date": None, "Creator": None} if fmt == "svg"
                        else {"Software": None})
            fig.savefig(buffer, format=fmt, dpi=300 if fmt == "png" else 100,
                        metadata=metadata)
            outputs[fmt] = buffer.getvalue()
    return outputs


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
        return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=False)
    for fmt, data in _draw(figure, style, lang).items():
        write_atomic(paths[fmt], data, durable=False)  # a cache
    return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=True)
