"""Property-based fuzzing of the two parsers a pull request can feed anything: YAML
(brief.yml, figure.yml, front matter, through ``load_yaml``) and a figure's
``data.csv`` (through ``load_figure`` and the number formatting of the drawing).

The error standard: bad input never ends in a traceback. It either reads as plain
data, or raises a :class:`BriefError` located in the file read, on a line (>= 1).
Any other exception escaping (KeyError, ValueError, RecursionError...) is a bug.
"""

from __future__ import annotations

import math
import shutil
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policybrief.config.yamlsource import LocatedYaml, load_yaml
from policybrief.errors import BriefError, BriefErrors, Location
from policybrief.figures.localize import Localizer
from policybrief.figures.render import render_figure
from policybrief.figures.spec import MAX_MAGNITUDE, NumberFormat, load_figure, table_column
from policybrief.figures.style import load_style
from policybrief.theme import load_theme

ROOTS = Path(__file__).parent / "roots"
LANGS = ["en", "es"]


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one figure, ``wages`` (a horizontal bar chart), that each example
    rewrites: hypothesis runs many examples in one test call."""
    root = tmp_path_factory.mktemp("fuzz").resolve()
    shutil.copytree(ROOTS / "basic" / "figures" / "wages", root / "figures" / "wages")
    return root


def assert_located(exc: BriefError, *paths: Path) -> None:
    """The error standard: every error names one of ``paths`` and a line."""
    for error in exc.errors if isinstance(exc, BriefErrors) else [exc]:
        assert error.location is not None, error.message
        assert error.location.path in paths, (error.location, error.message)
        assert error.location.line >= 1, (error.location, error.message)
        assert error.format()  # printable, whatever the input quoted


def assert_plain(value: Any) -> None:
    """Plain data: what a schema can check and a message can quote."""
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for item in value.values():
            assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain(item)
    else:
        assert isinstance(value, str | int | float | bool | bytes | None), type(value)
        assert repr(value)  # an int of 0x and 5,000 digits cannot be printed


# ---------------------------------------------------------------------------
# YAML

PIECES = [
    "key", "title", "a", "é", ": ", ":", "- ", "-", "[", "]", "{", "}", ",", "'", '"', "? ",
    "#", "|", ">-", "---", "...", "%YAML 1.1\n", "%TAG ! !x\n", "&a ", "*a", "<<: ",
    "!!python/object:os.system ", "!!python/name:os.system ", "!!bool ", "!!int ",
    "!!float ", "!!binary ", "!!set ", "!!omap ", "!!timestamp ", "!!map ", "!!seq ",
    "!foo ", "\\x", "\\u", "\\0", "\\", "\t", "\n", "\r", "\r\n", "  ", "    ",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud7ff", "\ufeff", "\u2028", "\ufffe",
    "1e999", "1.0e+999", "-.inf", ".nan", "0x", "0o7", "0b1", "1_000", "190:20:30",
    "2020-13-45", "~", "null", "yes", "Off", "-0", "a: !!bool x\n", "- !!int\n", "!!float ''",
]
LONG = st.builds(lambda head, s, n: head + s * n, st.sampled_from(["", "0x", "'", "!!int "]),
                 st.sampled_from(["x", "9", "f", "ab ", "é"]), st.integers(1000, 20_000))
NESTED = st.builds(lambda s, n: s * n, st.sampled_from(["[", "{", "- ", "{a: ", "[a, ", "a:\n "]),
                   st.integers(1, 120))
YAMLISH = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(PIECES), LONG, NESTED,
                             st.text(max_size=4)), max_size=30).map("".join)


def load(path: Path, content: str | bytes) -> LocatedYaml | BriefError:
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    try:
        return load_yaml(path)
    except BriefError as exc:
        return exc


@fuzz(300)
@given(content=st.one_of(YAMLISH, st.text(), st.binary(max_size=200)))
def test_any_yaml_reads_as_plain_data_or_a_located_error(workdir: Path,
                                                         content: str | bytes) -> None:
    path = workdir / "fuzz.yml"
    result = load(path, content)
    if isinstance(result, BriefError):
        assert_located(result, path)
        return
    assert_plain(result.data)
    for key, where in result.locations.items():
        assert where.path == path and where.line >= 1 and where.col >= 1, (key, where)


@fuzz(150)
@given(text=YAMLISH, offset=st.integers(1, 500))
def test_front_matter_lines_are_shifted_by_the_offset(workdir: Path, text: str,
                                                      offset: int) -> None:
    """YAML read out of a longer file (front matter) is located in that file."""
    path = workdir / "chapter.md"
    errors: list[BriefError] = []
    for shift in (0, offset):
        try:
            result = load_yaml(path, text, shift)
        except BriefError as exc:
            errors.append(exc)
        else:
            assert all(w.line > shift for w in result.locations.values())
    assert len(errors) in (0, 2)
    if errors:
        plain, shifted = errors
        assert plain.message == shifted.message
        assert plain.location is not None and shifted.location is not None
        assert shifted.location.line == plain.location.line + offset


WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6)


@fuzz(100)
@given(lines=st.lists(st.tuples(WORD, WORD), min_size=1, max_size=5), value=WORD,
       bad=st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\ufffe"]))
def test_a_forbidden_character_is_located_where_it_stands(
        workdir: Path, lines: list[tuple[str, str]], value: str, bad: str) -> None:
    """Line and column count characters, not the bytes of the UTF-8 (é is two)."""
    before = "".join(f"k{i}{key}: {val}\n" for i, (key, val) in enumerate(lines))
    last = f"last: {value}"
    result = load(workdir / "bad.yml", before + last + bad + "\n")
    assert isinstance(result, BriefError)
    assert result.location is not None
    assert (result.location.line, result.location.col) == (len(lines) + 1, len(last) + 1)


SAFE = st.text(string.ascii_letters + string.digits + " -_.,é€", max_size=8)
PLAIN = st.recursive(
    st.one_of(SAFE, st.integers(-10**9, 10**9), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(string.ascii_letters + "_", min_size=1,
                                                    max_size=8), inner, max_size=4)),
    max_leaves=25)


@fuzz(150)
@given(data=PLAIN)
def test_dumped_data_reads_back_the_same_with_every_key_located(workdir: Path,
                                                                data: Any) -> None:
    path = workdir / "dumped.yml"
    text = yaml.safe_dump(data, allow_unicode=True)
    result = load(path, text)
    assert not isinstance(result, BriefError), result
    assert result.data == data
    lines = text.splitlines()

    def walk(value: Any, here: tuple[str | int, ...]) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            where = result.locations[(*here, key)]
            assert where.path == path
            if isinstance(key, str):  # the key's own line and column
                assert lines[where.line - 1][where.col - 1:].lstrip("'\"").startswith(key)
            if isinstance(item, dict | list):
                walk(item, (*here, key))

    if isinstance(data, dict | list):
        walk(data, ())


# ---------------------------------------------------------------------------
# CSV: figures/wages/data.csv, columns country (text) and usd (numeric, currency)

NUMBERISH = [
    "inf", "-inf", "Infinity", "nan", "NaN", "1e309", "-1e309", "1e300", "1e15", "-1e15",
    "1000000000000001", "1e-320", "5e-324", "-0", "0", "1_000", "١٢٣", "１２３", "1,000",
    " 12 ", "", "0x10", "1e", "∞", "+1", ".5", "5.", "9" * 400, "1" + "0" * 5000, "-" + "7" * 5000,
]
CELL = st.one_of(st.sampled_from(NUMBERISH), st.text(max_size=6),
                 st.sampled_from(['"', '""', '"a,b"', '"x\ny"', "\x00", "\ufeff", "\r", ","]))
ROW = st.tuples(st.text(string.ascii_letters + " ", max_size=8), CELL).map(",".join)
END = st.sampled_from(["\n", "\r\n", "\r"])
CSV = st.one_of(
    st.builds(lambda rows, end: end.join(["country,usd", *rows]) + end,
              st.lists(ROW, max_size=6), END),
    st.lists(st.one_of(ROW, CELL), max_size=6).map("\n".join),
    st.text(),
    st.binary(max_size=100),
)
FORMATS = [NumberFormat(unit="currency"), NumberFormat(), NumberFormat(unit="percent"),
           NumberFormat(pattern="0.###E0")]


def load_wages(root: Path, data: str | bytes) -> Any:
    folder = root / "figures" / "wages"
    (folder / "data.csv").write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        return load_figure(folder, LANGS, root)
    except BriefError as exc:
        assert_located(exc, folder / "data.csv", folder / "figure.yml")
        return None


@fuzz(300)
@given(data=CSV)
def test_any_data_file_loads_or_is_refused_where_it_is_wrong(workdir: Path,
                                                             data: str | bytes) -> None:
    figure = load_wages(workdir, data)
    if figure is None:
        return
    assert len(figure.table.rows) == len(figure.table.lines)
    assert all(line >= 2 for line in figure.table.lines)
    for value in figure.numbers("usd"):  # what the checks let through can be printed
        if value is None:
            continue
        assert math.isfinite(value) and abs(value) <= MAX_MAGNITUDE
        for lang in LANGS:
            for number in FORMATS:
                assert Localizer(lang, number).value(value)


@fuzz(50)
@given(rows=st.lists(st.tuples(st.text(string.ascii_letters, min_size=1, max_size=8),
                               st.integers(-10**9, 10**9)), min_size=1, max_size=5),
       end=END)
def test_line_ends_do_not_change_the_rows(workdir: Path, rows: list[tuple[str, int]],
                                          end: str) -> None:
    """A spreadsheet's line ends (\\n, \\r\\n, or \\r alone) are all row ends."""
    text = end.join(["country,usd", *(f"{c},{n}" for c, n in rows)]) + end
    figure = load_wages(workdir, text)
    assert figure is not None
    assert [(r["country"], int(r["usd"])) for r in figure.table.rows] == rows
    assert figure.table.lines == list(range(2, len(rows) + 2))


COLUMN = st.sampled_from(["country", "usd", "", " ", "Country", "country_en", "usd_es", "x"])
SPEC = (ROOTS / "basic" / "figures" / "wages" / "figure.yml").read_text(encoding="utf-8")


@fuzz(100)
@given(kind=st.sampled_from(["bar", "table"]), header=st.lists(COLUMN, min_size=1, max_size=4),
       x=st.one_of(COLUMN, st.fixed_dictionaries({"en": COLUMN, "es": COLUMN})),
       y=st.lists(COLUMN, max_size=2), columns=st.lists(COLUMN, max_size=3))
def test_a_loaded_figure_has_every_column_it_reads(
        workdir: Path, kind: str, header: list[str], x: Any, y: list[str],
        columns: list[str]) -> None:
    """The checks vouch for every column a drawing or a table reads, in every language."""
    spec = yaml.safe_load(SPEC) | {"kind": kind, "x": x, "y": y,
                                   "columns": {c: c for c in columns if c.strip()}}
    folder = workdir / "figures" / "wages"
    (folder / "figure.yml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    try:
        figure = load_wages(workdir, ",".join(header) + "\n" + ",".join(["1"] * len(header)))
    finally:
        (folder / "figure.yml").write_text(SPEC, encoding="utf-8")
    if figure is None:
        return
    have = figure.table.header
    for lang in LANGS:
        assert figure.text(figure.spec.x, lang) in have
        assert all(table_column(c, lang, have) in have for c in figure.spec.columns)
    assert all(c in have for c in figure.spec.y)


@fuzz(60)
@given(name=st.one_of(st.text(), st.sampled_from(["a\x00b", "x" * 300, "é" * 200, "..", "."])))
def test_any_data_file_name_is_read_or_refused(workdir: Path, name: str) -> None:
    """``data:`` names a file in the figure's folder; no name crashes the lookup."""
    folder = workdir / "figures" / "wages"
    spec = yaml.safe_load(SPEC) | {"data": name}
    (folder / "figure.yml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    (folder / "data.csv").write_text("country,usd\nA,1\n", encoding="utf-8")
    try:
        assert load_figure(folder, LANGS, workdir).table.path.parent == folder
    except BriefError as exc:
        if exc.message.startswith("figure data file not found"):  # no line to point at
            assert exc.location == Location(folder)
        else:
            assert_located(exc, folder / "figure.yml", folder / "data.csv")
    finally:
        (folder / "figure.yml").write_text(SPEC, encoding="utf-8")


EDGE = st.one_of(st.sampled_from(["1e15", "-1e15", "1e-320", "5e-324", "-0", "0", "", " 12 ",
                                   "1_000", "١٢٣", "１２３", ".5", "5."]),
                 st.floats(-MAX_MAGNITUDE, MAX_MAGNITUDE).map(repr))
STYLE = load_style(load_theme("default", ROOTS / "basic"))


@fuzz(6)
@given(rows=st.lists(st.tuples(st.text(string.ascii_letters + " é", max_size=12), EDGE),
                     min_size=1, max_size=4))
def test_numbers_at_the_edges_are_drawn(workdir: Path, rows: list[tuple[str, str]]) -> None:
    """Every number the checks accept can be drawn and labelled, in every language."""
    figure = load_wages(workdir, "country,usd\n" + "".join(f"{c},{n}\n" for c, n in rows))
    assert figure is not None
    for lang in LANGS:
        drawn = render_figure(figure, STYLE, lang, workdir / "cache", force=True)
        assert drawn.svg.read_bytes().startswith(b"<?xml")
