"""The schema of ``figure.yml`` and the loading of a figure's data, with locations."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from policybrief.config.validate import SchemaValidator
from policybrief.config.yamlsource import LocatedYaml, load_yaml
from policybrief.errors import BriefError, Location, SourceError, raise_all
from policybrief.textfiles import read_text

FIGURES_DIR = "figures"
Kind = Literal["bar", "grouped-bar", "stacked-bar", "line", "range", "timeline", "table",
               "custom"]
CODE_FILE = "figure.py"
FIGURE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
# A text in every language of the brief: {en: ..., es: ...}, or one text for all.
Text = str | dict[str, str]

# Limits no real chart reaches; a pull request must not make a build draw for hours or
# crash printing a number (each is refused with the line and column of the culprit).
MAX_ROWS = 10_000  # data rows in one figure's data file; the flagship's largest has 40
MAX_MAGNITUDE = 1e15  # the largest value (in absolute terms) in a numeric column
# Categories in one chart that draws one mark and label per row (bars, ranges, a
# timeline): more cannot be read, and drawing 3,000 labelled bars took 90 s.
MAX_CATEGORIES = 500
CATEGORICAL = ("bar", "grouped-bar", "stacked-bar", "range", "timeline")


@dataclass(frozen=True)
class Source:
    key: str = field(metadata={"doc": "Citation key in references.bib."})
    locator: str = field(default="", metadata={"doc": "e.g. 'p. 29'."})


@dataclass(frozen=True)
class NumberFormat:
    pattern: str = field(default="#,##0.##", metadata={"doc": "CLDR number pattern."})
    unit: Literal["", "percent", "currency"] = field(default="", metadata={"doc": "Unit."})
    currency: str = field(default="USD", metadata={"doc": "ISO 4217 code when unit is currency."})


@dataclass(frozen=True)
class FigureSpec:
    """``figures/<id>/figure.yml``."""

    kind: Kind = field(metadata={"doc": "Chart kind."})
    title: Text = field(metadata={"doc": "Title, per language."})
    alt: Text = field(metadata={"doc": "Text alternative (required), per language."})
    sources: list[Source] = field(metadata={"doc": "Where the numbers come from."})
    x: Text = field(metadata={"doc": "Category/label column (per language if translated)."})
    y: list[str] = field(default_factory=list, metadata={"doc": "Numeric column(s)."})
    series: dict[str, Text] = field(
        default_factory=dict, metadata={"doc": "Legend name per numeric column."})
    labels: Text = field(default="", metadata={"doc": "Extra text column (timeline, range)."})
    high: str = field(default="", metadata={"doc": "Upper bound column (range charts)."})
    color_by: Text = field(
        default="", metadata={"doc": "Bar charts: a text column whose values colour the bars "
                                     "and make the legend (per language if translated)."})
    overlay: bool = field(
        default=False, metadata={"doc": "Bar charts: later columns are parts of the first "
                                        "(e.g. 'of them doctors') and drawn inside it."})
    columns: dict[str, Text] = field(
        default_factory=dict, metadata={"doc": "Table: column -> header per language."})
    caption: Text = field(default="", metadata={"doc": "Caption, per language."})
    x_label: Text = field(default="", metadata={"doc": "Axis label for categories."})
    y_label: Text = field(default="", metadata={"doc": "Axis label for values."})
    number: NumberFormat = field(default_factory=NumberFormat,
                                 metadata={"doc": "How values are printed."})
    orientation: Literal["horizontal", "vertical"] = field(
        default="vertical", metadata={"doc": "Bar direction."})
    data: str = field(default="data.csv", metadata={"doc": "The data file."})


@dataclass(frozen=True)
class Table:
    """A CSV file with the line number of every row."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int]


@dataclass(frozen=True)
class Figure:
    """A figure's spec and data, read and validated."""

    id: str
    folder: Path
    spec: FigureSpec
    table: Table
    spec_path: Path
    spec_source: LocatedYaml
    # texts and columns a language lacks: (language, message, where); the figures check
    # reports them for that language's edition, so the others build meanwhile
    missing: tuple[tuple[str, str, Location], ...] = ()

    def where(self, *key: str) -> Location:
        """The location in figure.yml of an option, e.g. ``where("source", "key")``."""
        return self.spec_source.where(key)

    def text(self, value: Text, lang: str) -> str:
        """A per-language text in ``lang`` (every language is required by the checks)."""
        if isinstance(value, str):
            return value
        return value.get(lang) or ""

    def numbers(self, column: str) -> list[float | None]:
        """A numeric column; empty cells are missing values (None)."""
        out: list[float | None] = []
        for row in self.table.rows:
            cell = row[column].strip()
            out.append(float(cell) if cell else None)
        return out


def table_column(base: str, lang: str, header: list[str]) -> str:
    """A table column in ``lang``: ``<base>_<lang>`` when the CSV has it, else ``base``."""
    localized = f"{base}_{lang}"
    return localized if localized in header else base


def read_table(path: Path) -> Table:
    """The data file's rows, at most :data:`MAX_ROWS` of them: reading stops at the
    first row over the limit, which is refused where it stands."""
    if not path.is_file():
        raise SourceError(f"figure data file not found: {path.name}", Location(path.parent))
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))  # a lone \r ends a row too
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SourceError("data file is empty (it needs a header row)",
                          Location(path, 1, 1)) from None
    except csv.Error as exc:
        raise SourceError(f"cannot read this row: {exc}", Location(path, 1, 1)) from None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a cell longer than the csv module allows
            raise SourceError(f"cannot read this row: {exc}",
                              Location(path, reader.line_num, 1)) from None
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) == MAX_ROWS:
            raise SourceError(
                f"data file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,} a "
                "figure (this is the first row over it)", Location(path, line, 1))
        if len(record) != len(header):
            raise SourceError(
                f"row has {len(record)} cells but the header has {len(header)}",
                Location(path, line, 1))
        rows.append(dict(zip(header, record, strict=True)))
        lines.append(line)
    return Table(path, header, rows, lines)


def number_problem(cell: str) -> str | None:
    """Why a cell of a numeric column is not a number a chart can show, or None (an
    empty cell is a missing value). Infinities, NaN and magnitudes over
    :data:`MAX_MAGNITUDE` are refused: no statistic needs them, and printing 1e300 in
    a language's format fails."""
    if not cell:
        return None
    shown = cell if len(cell) <= 40 else cell[:40] + "…"
    try:
        value = float(cell)
    except ValueError:
        return f"is numeric but has '{shown}'"
    if not math.isfinite(value):
        return f"has '{shown}', which is not a finite number"
    if abs(value) > MAX_MAGNITUDE:
        return (f"has '{shown}', out of range: values must be between -{MAX_MAGNITUDE:.0e} "
                f"and {MAX_MAGNITUDE:.0e}")
    return None


def _check(figure_id: str, spec: FigureSpec, table: Table, source: LocatedYaml,
           languages: list[str],
           missing: list[tuple[str, str, Location]] | None = None) -> list[BriefError]:
    errors: list[BriefError] = []
    missing = [] if missing is None else missing
    where = Location(source.path, 1, 1)
    if spec.kind in CATEGORICAL and len(table.rows) > MAX_CATEGORIES:
        errors.append(SourceError(
            f"a {spec.kind} chart of {len(table.rows):,} rows cannot be read; the limit is "
            f"{MAX_CATEGORIES} (this is the first row over it): show the data as a table "
            "or a line chart", Location(table.path, table.lines[MAX_CATEGORIES], 1)))

    def columns_of(value: Text) -> list[str]:
        return [value] if isinstance(value, str) else list(value.values())

    wanted: list[tuple[str, str]] = [(c, "x") for c in columns_of(spec.x)]
    wanted += [(c, "y") for c in spec.y]
    if spec.labels:
        wanted += [(c, "labels") for c in columns_of(spec.labels)]
    if spec.high:
        wanted.append((spec.high, "high"))
    if spec.color_by:
        wanted += [(c, "color_by") for c in columns_of(spec.color_by)]
    wanted += [(table_column(c, lang, table.header), "columns")
               for c in spec.columns for lang in languages]
    for column, option in dict.fromkeys(wanted):  # '' too: drawing would read it
        if column not in table.header:
            errors.append(SourceError(
                f"figure '{figure_id}' names column '{column}', which {table.path.name} does "
                f"not have (it has: {', '.join(table.header)})", source.where((option,))))
    for column in [*spec.y, *([spec.high] if spec.high else [])]:
        if column not in table.header:
            continue
        for row, line in zip(table.rows, table.lines, strict=True):
            cell = row[column].strip()
            problem = number_problem(cell)
            if problem:
                col = table.header.index(column) + 1
                errors.append(SourceError(
                    f"column '{column}' {problem}",
                    Location(table.path, line, col)))
    texts = [("alt", spec.alt), ("title", spec.title)]
    texts += [(name, value) for name, value in (("caption", spec.caption),
              ("x_label", spec.x_label), ("y_label", spec.y_label), ("x", spec.x),
              ("labels", spec.labels), ("color_by", spec.color_by))
              if isinstance(value, dict)]
    for name, value in texts:
        for lang in languages:
            text = value if isinstance(value, str) else value.get(lang, "")
            if not text.strip():
                missing.append((lang, f"figure '{figure_id}' has no {name} "
                                f"{'column' if name in ('x', 'labels', 'color_by') else 'text'} "
                                f"for '{lang}'" + (" (alt text is required)" if name == "alt"
                                                   else ""), source.where((name,))))
    if spec.kind == "custom" and not (source.path.parent / CODE_FILE).is_file():
        errors.append(SourceError(f"figure '{figure_id}' is 'custom' but has no {CODE_FILE} "
                                  "with a draw(fig, ax, data, loc) function", where))
    if not spec.sources:
        errors.append(SourceError(f"figure '{figure_id}' names no source", where))
    if spec.kind not in ("table", "custom") and not spec.y:
        errors.append(SourceError(
            f"figure '{figure_id}' ({spec.kind}) needs numeric columns in 'y'", where))
    return errors


def load_figure(folder: Path, languages: list[str], root: Path) -> Figure:
    spec_path = folder / "figure.yml"
    if not spec_path.is_file():
        raise SourceError(f"figure folder without figure.yml: {folder.name}", Location(folder))
    source = load_yaml(spec_path)
    validator = SchemaValidator(source)
    spec = cast(FigureSpec | None, validator.build(FigureSpec, source.data, ()))
    raise_all(validator.errors)
    assert spec is not None
    # a name no file can have (a NUL, over 255 bytes) is refused below, not looked up
    possible = "\0" not in spec.data and len(spec.data.encode(errors="replace")) <= 255
    data_path = (folder / spec.data).resolve() if possible else folder
    if "/" in spec.data or "\\" in spec.data or data_path.parent != folder.resolve() \
            or not data_path.is_relative_to(root):
        raise SourceError(f"the data file must be a file in the figure's folder, not "
                          f"'{spec.data}'", source.where(("data",)))
    table = read_table(data_path)
    missing: list[tuple[str, str, Location]] = []
    raise_all(_check(folder.name, spec, table, source, languages, missing))
    # the source language's are errors now: every edition is drawn from it
    raise_all([SourceError(message, where) for lang, message, where in missing
               if lang == languages[0]])
    return Figure(folder.name, folder, spec, table, spec_path, source, tuple(missing))


def load_figures(root: Path, languages: list[str]) -> dict[str, Figure]:
    """Every figure of the project, by id; all errors reported together."""
    folder = root / FIGURES_DIR
    figures: dict[str, Figure] = {}
    errors: list[BriefError] = []
    if not folder.is_dir():
        return figures
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not FIGURE_ID.fullmatch(sub.name):
            errors.append(SourceError("a figure folder's name is its id: lower-case letters, "
                                      "digits and hyphens", Location(sub)))
            continue
        try:
            figures[sub.name] = load_figure(sub, languages, root.resolve())
        except BriefError as exc:
            errors.append(exc)
    raise_all(errors)
    return figures
