"""Figure numbers: a number written about a figure agrees with the figure's data.

When a figure's data changes, its chart is drawn again, but the numbers written about
it are not: the alt text, the caption and the paragraph around it still say the old
figure. This check reads the numbers in

* every per-language text of ``figure.yml`` (title, alt text, caption, axis labels,
  series names, column headers): each must match a value of the data;
* the paragraphs of the chapters that refer to the figure (``@fig:<id>``) or stand
  next to where it is placed: a paragraph also cites numbers the figure does not
  show (other sources), so only a number near a data value (within a quarter of
  it) that matches none is taken for a stale one, and every number of the sentence
  that names the figure (``@fig:<id>``) must match;

and warns, at the number and naming the data file (with the nearest value's line),
when one matches no value of the data. The data's values are its numeric cells and
the numbers written in its text cells (a label "2,770+ workers"); a number another
figure of the brief holds is taken as a figure quoted from there (a caption's "9.36%
of the payment" quoting the chart of shares).

What is a number: one written with grouping or a decimal part, or with at least
three significant digits ("31,243", "9.36", "164"; not "12" or "300", which counts
and footnotes say too). Each of "31,243", "31.243", "31 243" (any space) and
"31'243" is read both ways where a language could mean either, so every locale's
separators match; a value matches when it rounds to the number at the precision
written (9.357 is "9.36"; 31,243 is "31,200" or "31.2 thousand"), and a percentage
matches its value or its hundredth part. Years (1900-2100) are not checked unless
the data holds years; in paragraphs, never. Citations, notes, code and link
targets are not read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from policybrief.checks.registry import register
from policybrief.errors import Diagnostic, Location
from policybrief.figures.spec import Figure, Text
from policybrief.markdown_scan import (
    CITATION,
    blank,
    figure_placements,
    figure_references,
    masked,
)
from policybrief.model import Chapter, Project

RULE = "figure-numbers"
_SPACES = " \u00a0\u202f\u2009"
# A number as written: digits grouped by , . ' or a space (three digits a group),
# with a decimal part; or plain digits with one. Not inside a word or a longer run
# of separated digits ("3.1.2", "A4", "21st"); an optional percent sign after it.
_NUMBER = re.compile(
    r"(?<![\w.,'\u00a0\u202f\u2009])"
    r"(\d{1,3}(?:(?:[,.'\u00a0\u202f\u2009]| (?=\d{3}(?![\d]|[,.]\d)))\d{3})+(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?)"
    r"(?![\w]|[.,']\d)"
    r"([ \u00a0\u202f]?%)?")
_INLINE_NOTE = re.compile(r"\^\[(?:[^\[\]]|\[[^\[\]]*\])*\]")
_NOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_ATTRIBUTES = re.compile(r"\{[^{}\n]*#[^{}\n]*\}")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_NEAR = 0.25  # a paragraph's number within a quarter of a data value is about it
_SCALES = (1.0, 1e3, 1e6, 1e9)  # "31.2 thousand", "6.2 million"


@dataclass(frozen=True)
class Written:
    """A number as a text writes it, and the values it can mean."""

    text: str
    offset: int
    readings: tuple[tuple[float, int], ...]  # (value, decimals written)
    percent: bool
    grouped_or_decimal: bool

    @property
    def significant(self) -> bool:
        digits = re.sub(r"\D", "", self.text).strip("0")
        return self.grouped_or_decimal or len(digits) >= 3

    @property
    def year(self) -> bool:
        return not self.grouped_or_decimal and 1900 <= self.readings[0][0] <= 2100


def _readings(text: str) -> tuple[tuple[float, int], ...]:
    """Every value ``text`` can mean, in some language, with its decimals."""
    grouped = "".join(c for c in text if c not in _SPACES + "'")
    if grouped != text:  # a space or apostrophe groups; a , or . after the groups is decimal
        match = re.fullmatch(r"(\d+)(?:[.,](\d+))?", grouped)
        if match is None:
            return ()
        part = match.group(2) or ""
        return ((float(f"{match.group(1)}.{part}" if part else match.group(1)), len(part)),)
    marks = [c for c in text if c in ",."]
    if not marks:
        return ((float(text), 0),)
    if len(set(marks)) == 2:  # the last mark is the decimal one
        decimal = text.rfind(marks[-1])
        digits = re.sub(r"\D", "", text[:decimal])
        part = text[decimal + 1:]
        return ((float(f"{digits}.{part}"), len(part)),)
    out = []
    groups = re.split(r"[.,]", text)
    if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:  # grouping
        out.append((float("".join(groups)), 0))
    if len(groups) == 2:  # one mark: the decimal one
        out.append((float(f"{groups[0]}.{groups[1]}"), len(groups[1])))
    return tuple(out)


def numbers_in(text: str) -> Iterator[Written]:
    """The numbers written in ``text``, with their offsets."""
    for match in _NUMBER.finditer(text):
        written = match.group(1)
        readings = _readings(written)
        if not readings:
            continue
        yield Written(written + (match.group(2) or ""), match.start(), readings,
                      bool(match.group(2)), not written.isdigit())


@dataclass(frozen=True)
class DataValue:
    value: float
    shown: str
    location: Location


def data_values(figure: Figure) -> list[DataValue]:
    """The values of a figure's data: numeric cells, and numbers in text cells."""
    table = figure.table
    values = []
    for row, line in zip(table.rows, table.lines, strict=True):
        for col, name in enumerate(table.header, start=1):
            cell = row[name].strip()
            where = Location(table.path, line, col)
            try:
                number = float(cell)
            except ValueError:
                values += [DataValue(v, n.text, where)
                           for n in numbers_in(cell) for v, _ in n.readings]
                continue
            if math.isfinite(number):
                values.append(DataValue(number, cell, where))
    return values


def _matches(written: Written, value: float, percent: bool) -> bool:
    """Whether ``written`` says ``value`` at the precision it is written in."""
    candidates = [value, value * 100] if percent else [value]
    for number, decimals in written.readings:
        zeros = 0 if decimals else len(str(int(number))) - len(str(int(number)).rstrip("0"))
        for candidate in candidates:
            for scale in _SCALES:
                scaled = candidate / scale
                for places in {decimals, -zeros} if zeros else {decimals}:
                    if abs(round(scaled, places) - number) <= 1e-9 * max(1.0, abs(number)):
                        return True
    return False


def _near(written: Written, value: float) -> bool:
    return any(abs(number - value) <= _NEAR * abs(value) for number, _ in written.readings)


def _nearest(written: Written, values: list[DataValue]) -> DataValue | None:
    number = written.readings[0][0]
    return min(values, key=lambda v: (abs(v.value - number), v.location.line,
                                      v.location.col), default=None)


def _data_name(figure: Figure, root: Path) -> str:
    path = figure.table.path
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def _finding(written: Written, where: str, figure: Figure, values: list[DataValue],
             root: Path, location: Location, lang: str) -> Diagnostic:
    data = _data_name(figure, root)
    nearest = _nearest(written, values)
    hint = ""
    if nearest is not None:
        hint = (f"; the nearest is {nearest.shown} ({data}:{nearest.location.line}:"
                f"{nearest.location.col})")
    return Diagnostic("warning", f"{written.text} {where} matches no value of {data}{hint}",
                      location, RULE, lang)


# figure.yml's texts: name as printed, and the option's path
_TEXTS = (("title", "the title"), ("alt", "the alt text"), ("caption", "the caption"),
          ("x_label", "the axis label"), ("y_label", "the axis label"))


def _figure_texts(figure: Figure, langs: list[str]) -> Iterator[tuple[str, str, tuple[str, ...],
                                                                      str]]:
    """(language, what, option path, text) of every per-language text of figure.yml."""
    spec = figure.spec

    def each(value: Text, what: str, path: tuple[str, ...]) -> Iterator[tuple[str, str,
                                                                               tuple[str, ...],
                                                                               str]]:
        if isinstance(value, str):
            if value:
                yield langs[0], what, path, value
            return
        for lang in langs:
            if value.get(lang):
                yield lang, what, (*path, lang), value[lang]

    for name, what in _TEXTS:
        yield from each(getattr(spec, name), what, (name,))
    for column, value in sorted(spec.series.items()):
        yield from each(value, "the series name", ("series", column))
    for column, value in sorted(spec.columns.items()):
        yield from each(value, "the column header", ("columns", column))


def _in_file(figure: Figure, start: Location, written: Written) -> Location:
    """Where the number stands in figure.yml: found as written from the value's start."""
    lines = figure.spec_path.read_text(encoding="utf-8", errors="replace").split("\n")
    offset = sum(len(line) + 1 for line in lines[:start.line - 1]) + start.col - 1
    text = "\n".join(lines)
    found = text.find(written.text, offset)
    if found < 0:
        return start
    line = text.count("\n", 0, found) + 1
    return Location(figure.spec_path, line, found - text.rfind("\n", 0, found))


def _has_years(values: list[DataValue]) -> bool:
    return any(1900 <= v.value <= 2100 and v.value == int(v.value) for v in values)


def _check_texts(project: Project, figure: Figure, values: list[DataValue],
                 elsewhere: list[DataValue]) -> list[Diagnostic]:
    findings = []
    percent = figure.spec.number.unit == "percent"
    years = _has_years(values)
    for lang, what, path, text in _figure_texts(figure, list(project.config.languages)):
        for written in numbers_in(text):
            if not written.significant or (written.year and not years):
                continue
            if any(_matches(written, v.value, percent or written.percent)
                   for v in [*values, *elsewhere]):
                continue
            where = f"in {what} ({lang})"
            location = _in_file(figure, figure.spec_source.where(path), written)
            findings.append(_finding(written, where, figure, values, project.root, location,
                                     lang))
    return findings


def _readable(text: str) -> str:
    """The chapter with what is not prose about a figure blanked out (offsets kept)."""
    return blank(masked(text), [CITATION, _INLINE_NOTE, _NOTE_REF, _ATTRIBUTES])


def _paragraph(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n\n", 0, offset)
    end = text.find("\n\n", offset)
    return (0 if start < 0 else start + 2), (len(text) if end < 0 else end)


def _neighbours(text: str, offset: int) -> list[tuple[int, int]]:
    """The paragraphs before and after a figure's placement (not headings or figures)."""
    start, end = _paragraph(text, offset)
    found = []
    before = text[:start].rstrip()
    if before:
        found.append(_paragraph(text, len(before) - 1))
    after_start = len(text) - len(text[end:].lstrip())
    if after_start < len(text):
        found.append(_paragraph(text, after_start))
    return [(s, e) for s, e in found
            if not text[s:e].lstrip().startswith(("#", "![")) and text[s:e].strip()]


@dataclass
class _Passage:
    """A paragraph about one or more figures; ``strict`` spans name a figure."""

    figures: list[str]
    strict: list[tuple[int, int]]


def _passages(chapter: Chapter, text: str, known: dict[str, Figure]) -> dict[tuple[int, int],
                                                                             _Passage]:
    passages: dict[tuple[int, int], _Passage] = {}

    def add(span: tuple[int, int], figure_id: str) -> _Passage:
        passage = passages.setdefault(span, _Passage([], []))
        if figure_id not in passage.figures:
            passage.figures.append(figure_id)
        return passage

    for mark in figure_references(chapter):
        if mark.value not in known:
            continue
        offset = _offset(chapter, mark.location)
        span = _paragraph(text, offset)
        passage = add(span, mark.value)
        sentence_start = max([span[0]] + [m.end() for m in _SENTENCE_END.finditer(
            text, span[0], offset)])
        ends = _SENTENCE_END.search(text, offset, span[1])
        passage.strict.append((sentence_start, ends.start() if ends else span[1]))
    for mark in figure_placements(chapter):
        if mark.value in known:
            for span in _neighbours(text, _offset(chapter, mark.location)):
                add(span, mark.value)
    return passages


def _offset(chapter: Chapter, location: Location) -> int:
    lines = chapter.text.split("\n")
    index = location.line - chapter.body_line
    return sum(len(line) + 1 for line in lines[:index]) + location.col - 1


def _check_chapters(project: Project, values: dict[str, list[DataValue]]) -> list[Diagnostic]:
    findings = []
    everything = [v for figure_values in values.values() for v in figure_values]
    for edition in project.editions:
        for chapter in edition.chapters:
            text = _readable(chapter.text)
            for (start, end), passage in sorted(_passages(chapter, text,
                                                          project.figures).items()):
                figures = [project.figures[i] for i in passage.figures]
                pooled = [v for i in passage.figures for v in values[i]]
                for written in numbers_in(text[start:end]):
                    offset = start + written.offset
                    if not written.significant or written.year:
                        continue
                    percent = written.percent or any(
                        f.spec.number.unit == "percent" for f in figures)
                    if any(_matches(written, v.value, percent) for v in everything):
                        continue
                    strict = any(s <= offset < e for s, e in passage.strict)
                    if not strict and not any(_near(written, v.value) for v in pooled):
                        continue  # a number about something else
                    nearest = _nearest(written, pooled)
                    figure = next((f for f in figures if nearest and nearest in values[f.id]),
                                  figures[0])
                    where = f"in this paragraph about figure '{figure.id}'"
                    findings.append(_finding(written, where, figure, values[figure.id],
                                             project.root, chapter.location(offset),
                                             edition.lang))
    return findings


@register("figure-numbers")
def check(project: Project) -> list[Diagnostic]:
    values = {figure_id: data_values(figure) for figure_id, figure in project.figures.items()}
    findings = []
    for figure_id, figure in sorted(project.figures.items()):
        elsewhere = [v for other, found in values.items() if other != figure_id for v in found]
        findings += _check_texts(project, figure, values[figure_id], elsewhere)
    findings += _check_chapters(project, values)
    return findings


__all__ = ["DataValue", "Written", "check", "data_values", "numbers_in"]
