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

from policybrief.figures import draw as draw_module
from policybrief.figures.draw import KINDS, Draw
from policybrief.figures.localize import Localizer
from policybrief.figures.spec import Figure
from policybrief.figures.style import HouseStyle
from policybrief.writer import write_atomic

FORMATS = ("svg", "png")
_CODE = Path(draw_module.__file__).read_bytes() + Path(__file__).read_bytes()


@dataclass(frozen=True)
class RenderedFigure:
    id: str
    svg: Path
    png: Path
    redrawn: bool


def cache_key(figure: Figure, style: HouseStyle, lang: str) -> str:
    import matplotlib

    digest = hashlib.sha256()
    for part in (figure.spec_path.read_bytes(), figure.table.path.read_bytes(), _CODE,
                 style.source, lang.encode(), matplotlib.__version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _draw(figure: Figure, style: HouseStyle, lang: str, source_lang: str) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for path in style.font_files:
        font_manager.fontManager.addfont(str(path))
    outputs: dict[str, bytes] = {}
    with matplotlib.rc_context(style.rc()):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(style.width_in, style.height_in))
        try:
            spec = figure.spec
            d = Draw(figure, lang, source_lang, style, Localizer(lang, spec.number))
            KINDS[spec.kind](fig, ax, d)
            if spec.x_label:
                ax.set_xlabel(d.text(spec.x_label))
            if spec.y_label:
                ax.set_ylabel(d.text(spec.y_label))
            fig.tight_layout()
            for fmt in FORMATS:
                buffer = io.BytesIO()
                metadata = ({"Date": None, "Creator": None} if fmt == "svg"
                            else {"Software": None})
                fig.savefig(buffer, format=fmt, dpi=300 if fmt == "png" else 100,
                            metadata=metadata)
                outputs[fmt] = buffer.getvalue()
        finally:
            plt.close(fig)
    return outputs


def render_figure(figure: Figure, style: HouseStyle, lang: str, source_lang: str,
                  cache_dir: Path, force: bool = False) -> RenderedFigure:
    key = cache_key(figure, style, lang)
    base = cache_dir / "figures" / f"{figure.id}.{lang}.{key}"
    paths = {fmt: base.with_suffix(base.suffix + f".{fmt}") for fmt in FORMATS}
    if not force and all(p.is_file() for p in paths.values()):
        return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=False)
    for fmt, data in _draw(figure, style, lang, source_lang).items():
        write_atomic(paths[fmt], data)
    return RenderedFigure(figure.id, paths["svg"], paths["png"], redrawn=True)
