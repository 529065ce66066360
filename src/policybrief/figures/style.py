"""The theme's house style for charts (``themes/<theme>/figures.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.config.yamlsource import load_yaml
from policybrief.errors import ConfigError, Location
from policybrief.fonts import ROLES, chart_faces, load_fonts
from policybrief.theme import Theme


@dataclass(frozen=True)
class HouseStyle:
    palette: list[str]
    ink: str
    muted: str
    grid: str
    font_files: list[Path]
    font_family: list[str]  # fallback order: a character is drawn by the first that has it
    font_size: float
    width_in: float
    height_in: float
    source: bytes  # the style file's bytes, for the cache key
    # "outlines": the SVG draws glyphs from the theme's fonts (the same in every edition
    # and on every machine); "text": the SVG keeps text as text (searchable, but drawn
    # in whatever fonts a reader's browser finds for it)
    text_as: str = "outlines"
    # how the edition's language writes an amount (its catalogue's ``currency_display``)
    currency_display: str = "symbol"

    def rc(self) -> dict[str, Any]:
        return {
            "font.family": self.font_family,
            "font.size": self.font_size,
            "text.color": self.ink,
            "axes.edgecolor": self.muted,
            "axes.labelcolor": self.ink,
            "xtick.color": self.muted,
            "ytick.color": self.muted,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            # labels are data: "$1,000–$2,500" is two amounts, not TeX between dollars
            "text.parse_math": False,
            # text drawn as outlines from the theme's font files, shaped (Arabic joins,
            # Devanagari conjuncts) by matplotlib's text layout: the same glyphs in
            # the PDF, the web page and Word, whatever fonts a reader's machine has
            # (an SVG shown as an image cannot use the page's fonts)
            "svg.fonttype": "path" if self.text_as == "outlines" else "none",
            "svg.hashsalt": "policybrief",  # deterministic ids
            "figure.dpi": 100,
        }


STYLE_KEYS = ("palette", "ink", "muted", "grid", "font_role", "font_size",
              "width_in", "height_in")


def load_style(theme: Theme, lang: str = "en") -> HouseStyle:
    """The theme's chart style (``figures.yml``) for an edition in ``lang``; its fonts
    are the theme's fonts (``fonts.yml``) of the role ``font_role`` names."""
    path = theme.path("figures.yml")
    source = load_yaml(path)
    data = source.data
    if not isinstance(data, dict):
        raise ConfigError("figures.yml must be a mapping", Location(path, 1, 1))
    missing = [key for key in STYLE_KEYS if key not in data]
    if missing:
        raise ConfigError(f"figures.yml lacks {', '.join(missing)}", Location(path, 1, 1))
    role = str(data["font_role"])
    if role not in ROLES:
        raise ConfigError(f"figures.yml: font_role is one of {', '.join(ROLES)}",
                          source.where(("font_role",)))
    files, families = chart_faces(load_fonts(theme), role, lang)
    try:
        return HouseStyle(
            palette=[str(c) for c in data["palette"]],
            ink=str(data["ink"]),
            muted=str(data["muted"]),
            grid=str(data["grid"]),
            font_files=files,
            font_family=families or ["sans-serif"],
            font_size=float(data["font_size"]),
            width_in=float(data["width_in"]),
            height_in=float(data["height_in"]),
            source=path.read_bytes(),
            text_as=_text_as(data, source),
            currency_display=theme.currency_display(lang),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"figures.yml: {exc}", Location(path, 1, 1)) from None


def _text_as(data: dict[str, Any], source: Any) -> str:
    value = str(data.get("text_as", "outlines"))
    if value not in ("outlines", "text"):
        raise ConfigError("figures.yml: text_as is 'outlines' or 'text'",
                          source.where(("text_as",)))
    return value
