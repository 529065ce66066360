"""Every character an edition prints has a glyph in the theme's fonts (``fonts.yml``),
found before anything is laid out: a Chinese edition on a machine without the CJK
fonts is an error naming the character, where it stands and the package to install,
not a PDF of blank pages."""

from __future__ import annotations

import json
from pathlib import Path

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.figures.spec import Figure, table_column
from policybrief.fonts import describe, first_use, load_fonts, uncovered
from policybrief.i18n import all_text, language_name
from policybrief.model import Project

MAX_REPORTED = 20  # characters reported per edition; the rest are alike


@register("glyphs")
def check(project: Project) -> list[Diagnostic]:
    stack = load_fonts(project.theme)
    if not stack.faces and not stack.missing:
        return []  # a theme that declares no fonts (its stylesheets name their own)
    found: list[Diagnostic] = []
    # every edition names the others in their own language and script ("中文")
    names = " ".join(language_name(e.lang, e.lang) for e in project.editions)
    bib = project.bibliography.path
    bib_text = bib.read_text(encoding="utf-8", errors="replace") if bib.is_file() else ""
    for edition in project.editions:
        catalogue = project.theme.catalogue(edition.lang)
        texts = [chapter.text for chapter in edition.chapters]
        texts += [edition.title, edition.subtitle, edition.description, edition.rights, names]
        texts += [f"{a.name} {a.role}" for a in edition.authors]
        if edition.organization is not None:
            texts += [edition.organization.name, edition.organization.unit,
                      *edition.organization.address]
        texts += [all_text(v) for k, v in catalogue.items() if not k.startswith("diff_")]
        sources = json.dumps(project.bibliography.to_csl(edition.lang), ensure_ascii=False)
        charts = {figure.table.path: _figure_text(figure, edition.lang)
                  for figure in project.figures.values()}
        lacking = uncovered(stack, "".join(texts) + sources + "".join(charts.values()))
        for char, why in list(lacking.items())[:MAX_REPORTED]:
            where = first_use(char, edition.chapters, project.root / "brief.yml")
            if where.line == 0:  # not in a chapter nor brief.yml: a source or a chart
                where = _located(char, [(bib, bib_text), *(
                    (path, path.read_text(encoding="utf-8", errors="replace"))
                    for path, text in charts.items() if char in text)]) or where
            found.append(Diagnostic(
                "error", f"{describe(char)} has no glyph in the {edition.lang} edition's "
                f"fonts: {why}", where, "font-missing", edition.lang))
    return found


def _located(char: str, files: list[tuple[Path, str]]) -> Location | None:
    for path, text in files:
        offset = text.find(char)
        if offset >= 0:
            return Location.at(path, text, offset)
    return None


def _figure_text(figure: Figure, lang: str) -> str:
    """What a chart prints in ``lang``: its texts, and the cells of the columns it
    shows in that language (another language's column is not printed here)."""
    spec = figure.spec
    texts = [figure.text(value, lang) for value in (spec.title, spec.caption, spec.alt,
                                                    spec.x_label, spec.y_label) if value]
    header = figure.table.header
    columns = [figure.text(value, lang) for value in (spec.x, spec.labels, spec.color_by)
               if value]
    columns += [table_column(c, lang, header) for c in spec.columns]
    shown = [c for c in columns if c in header]
    cells = [row[c] for row in figure.table.rows for c in shown]
    return " ".join([*texts, *cells])
