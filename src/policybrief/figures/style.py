"""The theme's house style for charts (``themes/<theme>/figures.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.config.yamlsource import load_yaml
from policybrief.errors import ConfigError, Location
from policybrief.theme import Theme


@dataclass(frozen=True)
class HouseStyle:
    palette: list[str]
    ink: str
    muted: str
    grid: str
    font_files: list[Path]
    font_family: str
    font_size: float
    width_in: float
    height_in: float
    source: bytes  # the style file's bytes, for the cache key

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
            "svg.fonttype": "none",  # text stays text: searchable and accessible
            "svg.hashsalt": "policybrief",  # deterministic ids
            "figure.dpi": 100,
        }


STYLE_KEYS = ("palette", "ink", "muted", "grid", "font_family", "font_files", "font_size",
              "width_in", "height_in")


def load_style(theme: Theme) -> HouseStyle:
    """The theme's chart style (``figures.yml``), its fonts taken from the theme."""
    path = theme.path("figures.yml")
    source = load_yaml(path)
    data = source.data
    if not isinstance(data, dict):
        raise ConfigError("figures.yml must be a mapping", Location(path, 1, 1))
    missing = [key for key in STYLE_KEYS if key not in data]
    if missing:
        raise ConfigError(f"figures.yml lacks {', '.join(missing)}", Location(path, 1, 1))
    try:
        return HouseStyle(
            palette=[str(c) for c in data["palette"]],
            ink=str(data["ink"]),
            muted=str(data["muted"]),
            grid=str(data["grid"]),
            font_files=[theme.path(f"fonts/{name}") for name in data["font_files"]],
            font_family=str(data["font_family"]),
            font_size=float(data["font_size"]),
            width_in=float(data["width_in"]),
            height_in=float(data["height_in"]),
            source=path.read_bytes(),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"figures.yml: {exc}", Location(path, 1, 1)) from None
