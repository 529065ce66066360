"""Every character an edition prints has a glyph in the theme's fonts (``fonts.yml``),
found before anything is laid out: a Chinese edition on a machine without the CJK
fonts is an error naming the character, where it stands and the package to install,
not a PDF of blank pages."""

from __future__ import annotations

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.figures.spec import Figure
from policybrief.fonts import describe, first_use, load_fonts, uncovered
from policybrief.model import Project

MAX_REPORTED = 20  # characters reported per edition; the rest are alike


@register("glyphs")
def check(project: Project) -> list[Diagnostic]:
    stack = load_fonts(project.theme)
    if not stack.faces and not stack.missing:
        return []  # a theme that declares no fonts (its stylesheets name their own)
    found: list[Diagnostic] = []
    for edition in project.editions:
        catalogue = project.theme.catalogue(edition.lang)
        texts = [chapter.text for chapter in edition.chapters]
        texts += [edition.title, edition.subtitle, edition.description, edition.rights]
        texts += [f"{a.name} {a.role}" for a in edition.authors]
        texts += [v if isinstance(v, str) else " ".join(v.values())
                  for k, v in catalogue.items() if not k.startswith("diff_")]
        charts = {figure.spec_path: _figure_text(figure, edition.lang)
                  for figure in project.figures.values()}
        lacking = uncovered(stack, "".join(texts) + "".join(charts.values()))
        for char, why in list(lacking.items())[:MAX_REPORTED]:
            where = first_use(char, edition.chapters, project.root / "brief.yml")
            if where.line == 0:  # not in a chapter nor brief.yml: a chart's text
                holder = next((path for path, text in charts.items() if char in text), None)
                where = Location(holder) if holder is not None else where
            found.append(Diagnostic(
                "error", f"{describe(char)} has no glyph in the {edition.lang} edition's "
                f"fonts: {why}", where, "font-missing", edition.lang))
    return found


def _figure_text(figure: Figure, lang: str) -> str:
    """What a chart prints in ``lang``: its texts and every cell of its data."""
    spec = figure.spec
    texts = [figure.text(value, lang) for value in (spec.title, spec.caption, spec.alt,
                                                    spec.x_label, spec.y_label) if value]
    cells = [cell for row in figure.table.rows for cell in row.values()]
    return " ".join([*texts, *cells])
