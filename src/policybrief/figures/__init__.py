"""Figures regenerated from data: ``figures/<id>/{figure.yml,data.csv}`` -> charts.

Each figure is declared once (kind, columns, number format, per-language texts,
alt text and source) and drawn for every edition by matplotlib in the theme's
house style. Rendered files live under ``build/.cache/figures``; ``figures/``
holds only sources.
"""

from policybrief.figures.spec import FigureSpec, load_figures

__all__ = ["FigureSpec", "load_figures"]
