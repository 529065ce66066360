"""The theme's house style for charts (``themes/<theme>/figures.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.config.yamlsource import load_yaml


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


def load_style(theme_dir: Path) -> HouseStyle:
    path = theme_dir / "figures.yml"
    data = load_yaml(path).data
    return HouseStyle(
        palette=list(data["palette"]),
        ink=data["ink"],
        muted=data["muted"],
        grid=data["grid"],
        font_files=[theme_dir / "fonts" / name for name in data["font_files"]],
        font_family=data["font_family"],
        font_size=float(data["font_size"]),
        width_in=float(data["width_in"]),
        height_in=float(data["height_in"]),
        source=path.read_bytes(),
    )
