"""Hostile sizes, depths and numbers: each refused with one located line and exit 1,
quickly, by `brief check` and by the build; never a crash (exit 3), never a hang.

One table. Each case makes one hostile input in a copy of ``tests/roots/basic`` (English
only) and returns where the error must point: ``(path, line, col)``; ``line`` may be a
range where the place is found by a heuristic. The limits are documented in the
README's safety section; the speed of `brief check` is measured in
``bench/check_scaling.py``, not here (the time bounds below only catch a hang or a
quadratic relapse, with room for a loaded CI machine).
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from policybrief import safety, textfiles
from policybrief.bibliography import MAX_SOURCES
from policybrief.checks import notes, run_checks
from policybrief.cli import main
from policybrief.errors import BriefError
from policybrief.figures.spec import MAX_CATEGORIES, MAX_MAGNITUDE, MAX_ROWS
from policybrief.model import Chapter
from policybrief.project import load_project

INTRO = "chapters/en/01-introduction.md"
NOTES = "chapters/en/03-notes.md"
CONFIG = "brief.yml"
WAGES = "figures/wages/figure.yml"
WAGES_DATA = "figures/wages/data.csv"
BIB = "references.bib"

LOCATED = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>\S.*)$")

Where = tuple[str, int | range, int | None]


# ---------------------------------------------------------------------------
# Making hostile inputs. Each returns where the error must point.


def add(root: Path, rel: str, text: str) -> int:
    """Append ``text`` after a blank line; the line where it starts."""
    path = root / rel
    before = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def set_value(root: Path, value: str) -> Where:
    """Namibia's value in the wages chart (line 2, column 2 of its data file)."""
    path = root / WAGES_DATA
    path.write_text(path.read_text(encoding="utf-8").replace("3000", value, 1),
                    encoding="utf-8")
    return WAGES_DATA, 2, 2


def deep_markdown(text: str, col: int | None) -> Callable[[Path], Where]:
    def make(root: Path) -> Where:
        return INTRO, add(root, INTRO, text), col
    return make


def indented_list(root: Path) -> Where:
    line = add(root, INTRO, "".join("  " * i + f"- item{i}\n" for i in range(150)))
    return INTRO, range(line + 90, line + 150), None


def fenced_divs(root: Path) -> Where:
    line = add(root, INTRO, "::: box\n" * 200 + "deep\n" + ":::\n" * 200)
    return INTRO, line + 100, 1  # the 101st fence


def yaml_flow(rel: str, opening: str, closing: str, col: int) -> Callable[[Path], Where]:
    """990 levels on one line; refused at the 51st (counting the file's own mapping)."""
    def make(root: Path) -> Where:
        return rel, add(root, rel, "extra: " + opening * 990 + "1" + closing * 990 + "\n"), col
    return make


def yaml_block(root: Path) -> Where:
    """990 levels of indented keys in brief.yml: the 51st level's key."""
    levels = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(990))
    line = add(root, CONFIG, "extra:\n" + levels + "  " * 991 + "end: 1\n")
    return CONFIG, line + 50, 101


def yaml_front_matter(root: Path) -> Where:
    path = root / INTRO
    path.write_text("---\nnest: " + "[" * 990 + "]" * 990 + "\n---\n"
                    + path.read_text(encoding="utf-8"), encoding="utf-8")
    return INTRO, 2, 56


def million_rows(root: Path) -> Where:
    """A million short rows: under the 4 MB file limit, over the row limit."""
    (root / WAGES_DATA).write_text("country,usd\n" + "a,1\n" * 1_000_000, encoding="utf-8")
    return WAGES_DATA, MAX_ROWS + 2, 1


def many_bars(root: Path) -> Where:
    """A bar chart of 501 categories: one too many to read, or to draw in good time."""
    (root / WAGES_DATA).write_text(
        "country,usd\n" + "".join(f"c{i},{i}\n" for i in range(MAX_CATEGORIES + 1)),
        encoding="utf-8")
    return WAGES_DATA, MAX_CATEGORIES + 2, 1


def million_long_rows(root: Path) -> Where:
    """A million rows of 13 bytes: over the 4 MB file limit, refused where it passes it."""
    data = b"country,usd\n" + b"Namibia,3000\n" * 1_000_000
    (root / WAGES_DATA).write_bytes(data)
    limit = textfiles.MAX_FILE_BYTES
    return (WAGES_DATA, data.count(b"\n", 0, limit) + 1,
            limit - (data.rfind(b"\n", 0, limit) + 1) + 1)


def huge_cell(root: Path) -> Where:
    """One cell longer than Python's csv module reads."""
    path = root / WAGES_DATA
    path.write_text(path.read_text(encoding="utf-8").replace("Namibia", "N" * 200_000),
                    encoding="utf-8")
    return WAGES_DATA, 2, 1


def many_notes(root: Path) -> Where:
    """100,000 notes (2 MB) in one chapter: refused at the 20,001st."""
    refs = "".join(f"x[^{i}]\n" for i in range(100_000))
    defs = "".join(f"[^{i}]: y\n" for i in range(100_000))
    (root / NOTES).write_text("# Notes\n\n" + refs + "\n" + defs, encoding="utf-8")
    return NOTES, 3 + notes.MAX_NOTES, 2


def many_sources(root: Path) -> Where:
    """20,001 sources (and more) in references.bib: refused at the 20,001st."""
    add(root, BIB, "".join(f"@misc{{s{i},\n  title = {{Source {i}}},\n}}\n\n"
                           for i in range(MAX_SOURCES)))
    text = (root / BIB).read_text(encoding="utf-8")
    starts = [i + 1 for i, line in enumerate(text.split("\n")) if line.startswith("@")]
    return BIB, starts[MAX_SOURCES], 1


# ---------------------------------------------------------------------------
# The table.


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # the class of hostile input: depth, yaml, number, size
    hostile: Callable[[Path], Where]
    message: str  # a regular expression the message must hold
    seconds: float = 15.0  # a bound that catches a hang, not a speed target
    pending: dict[str, str] = field(default_factory=dict)  # command -> what it waits for
    strict: bool = True  # False: the pending failure is a time, which a fast machine may beat


DEEP = r"nests elements .* more than 100 deep; the limit is 100"
YAML_DEEP = r"YAML nested more than 50 levels deep .*; the limit is 50"
BOTH = ("check", "build")

CASES = [
    # --- depth of the Markdown (pandoc's parse, checked before anything walks it)
    Case("block-quote-5000", "depth", deep_markdown("> " * 5000 + "deep\n", 201), DEEP),
    Case("nested-list-5000", "depth", deep_markdown("- " * 5000 + "deep\n", 201), DEEP),
    # (the text is checked before pandoc: errors point where the limit is passed)
    Case("block-quote-300", "depth", deep_markdown("> " * 300 + "deep\n", 201), DEEP),
    Case("nested-list-200", "depth", deep_markdown("- " * 200 + "deep\n", 201), DEEP),
    Case("indented-list-150", "depth", indented_list, DEEP),
    Case("ordered-list-200", "depth", deep_markdown("1. " * 200 + "deep\n", 301), DEEP),
    Case("fenced-divs-200", "depth", fenced_divs, DEEP),
    Case("emphasis-150", "depth",
         deep_markdown("*a _" * 75 + "deep" + "_ a*" * 75 + "\n", 301), DEEP),
    Case("inline-notes-120", "depth",
         deep_markdown("x^[" * 120 + "deep" + "]" * 120 + "\n", 303), DEEP),
    # --- depth of YAML (checked on the tokens, then on the nodes, never recursively)
    Case("brief-yml-flow-990", "yaml", yaml_flow(CONFIG, "[", "]", 57), YAML_DEEP),
    Case("brief-yml-block-990", "yaml", yaml_block, YAML_DEEP),
    Case("figure-yml-flow-990", "yaml", yaml_flow(WAGES, "{a: ", "}", 204), YAML_DEEP),
    Case("front-matter-990", "yaml", yaml_front_matter, YAML_DEEP),
    # --- numbers a chart would print
    Case("csv-1e300", "number", lambda r: set_value(r, "1e300"),
         r"column 'usd' has '1e300', out of range: values must be between -1e\+15 and 1e\+15"),
    Case("csv-minus-1e16", "number", lambda r: set_value(r, "-1e16"), r"'-1e16', out of range"),
    Case("csv-inf", "number", lambda r: set_value(r, "inf"),
         r"column 'usd' has 'inf', which is not a finite number"),
    Case("csv-minus-infinity", "number", lambda r: set_value(r, "-Infinity"),
         r"'-Infinity', which is not a finite number"),
    Case("csv-nan", "number", lambda r: set_value(r, "nan"),
         r"column 'usd' has 'nan', which is not a finite number"),
    Case("csv-long-garbage", "number", lambda r: set_value(r, "9" * 5000 + "x"),
         r"column 'usd' is numeric but has '9{40}…'$"),
    # --- sizes and counts
    Case("csv-million-rows", "size", million_rows,
         r"data file has more than 10,000 rows; the limit is 10,000 a figure", seconds=5),
    Case("bar-chart-501-categories", "size", many_bars,
         r"a bar chart of 501 rows cannot be read; the limit is 500"),
    Case("csv-million-rows-13mb", "size", million_long_rows,
         r"file is 12\.\d MB; the limit is 4 MB", seconds=5),
    Case("csv-cell-over-csv-limit", "size", huge_cell,
         r"cannot read this row: field larger than field limit"),
    Case("notes-100000", "size", many_notes,
         r"this chapter has 100,000 notes; the limit is 20,000 a chapter", seconds=10),
    Case("sources-20001", "size", many_sources,
         r"the bibliography has 20,003 sources; the limit is 20,000", seconds=30),
]


def _params() -> Iterator[object]:
    for case in CASES:
        for command in BOTH:
            marks = ([pytest.mark.xfail(reason=case.pending[command], strict=case.strict)]
                     if command in case.pending else [])
            yield pytest.param(case, command, id=f"{case.id}-{command}", marks=marks)


class TookTooLong(BaseException):
    """Raised by the alarm (not an Exception: the CLI must not report it as its own)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop a run that hangs (pytest has no timeout here); the alarm's exception also
    makes subprocess.run kill a pandoc that is still running."""
    def expire(signum: int, frame: object) -> None:
        raise TookTooLong(f"still running after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(command: str, root: Path) -> int:
    if command == "check":
        return main(["check", "--project", str(root)])
    return main(["build", "--project", str(root), "--to", "html", "--quiet"])


@pytest.mark.parametrize(("case", "command"), list(_params()))
def test_hostile_input_is_refused_where_it_stands(  # type: ignore[no-untyped-def]
    make_project, capsys, case: Case, command: str
) -> None:
    root = make_project(only="en")
    path, line, col = case.hostile(root)
    capsys.readouterr()
    start = time.perf_counter()
    with deadline(max(60.0, 4 * case.seconds)):
        code = run(command, root)
    took = time.perf_counter() - start
    err = capsys.readouterr().err

    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert code == 1, f"exit {code}: {err[-2000:]}"
    errors = [text for text in err.splitlines() if ": error: " in text]
    assert len(errors) == 1, f"expected one error line: {errors[:5]}"
    found = LOCATED.match(errors[0])
    assert found, f"not 'path:line:col: error: message': {errors[0][:300]!r}"
    assert found["path"] == path, errors[0][:300]
    assert (int(found["line"]) in line if isinstance(line, range)
            else int(found["line"]) == line), errors[0][:300]
    assert col is None or int(found["col"]) == col, errors[0][:300]
    assert re.search(case.message, found["msg"]), errors[0][:300]
    assert took < case.seconds, f"took {took:.1f} s (bound {case.seconds} s)"


def test_the_table_covers_every_class() -> None:
    kinds = {case.kind for case in CASES}
    assert kinds == {"depth", "yaml", "number", "size"}
    assert len({case.id for case in CASES}) == len(CASES)


# ---------------------------------------------------------------------------
# At the limits, nothing is refused.


def test_at_the_limits_nothing_is_refused(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    add(root, INTRO, "> " * 99 + "ninety-nine quotes deep\n")  # with its paragraph: 100
    (root / WAGES_DATA).write_text(
        "country,usd\n" + "".join(f"c{i},{MAX_MAGNITUDE:.0f}\n" for i in range(MAX_CATEGORIES)),
        encoding="utf-8")
    workers = root / "figures/workers"
    (workers / "figure.yml").write_text(
        (workers / "figure.yml").read_text(encoding="utf-8").replace("kind: bar", "kind: line"),
        encoding="utf-8")
    (workers / "data.csv").write_text(
        "year,workers\n" + "".join(f"{i},{i}\n" for i in range(MAX_ROWS)), encoding="utf-8")
    assert main(["check", "--project", str(root)]) == 0, capsys.readouterr().err


def test_yaml_at_the_depth_limit_is_read(tmp_path: Path) -> None:
    from policybrief.config.yamlsource import MAX_DEPTH, load_yaml

    path = tmp_path / "x.yml"
    deepest = "a: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_yaml(path, deepest).data["a"]  # the mapping and 49 lists: 50 levels
    with pytest.raises(BriefError, match="the limit is 50"):
        load_yaml(path, deepest.replace("a: ", "a: [", 1).replace("\n", "]\n"))


def test_checks_read_100000_notes_once(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not timed (bench/check_scaling.py measures): with the limits out of the way, the
    checks finish on 100,000 notes and find nothing wrong with them."""
    root = make_project(only="en")
    monkeypatch.setattr(notes, "MAX_NOTES", 1_000_000)
    monkeypatch.setattr(textfiles, "MAX_FILE_BYTES", 64 * 1024 * 1024)
    many_notes(root)
    found = run_checks(load_project(root))
    assert [d.format(root) for d in found if d.is_error] == []


# ---------------------------------------------------------------------------
# The Markdown's depth read before pandoc parses it (safety.enforce_markdown_depth):
# pandoc itself takes seconds, or minutes and gigabytes, on such text.


def chapter(text: str) -> Chapter:
    return Chapter(Path("c.md"), "en", "c", text, 1)


@pytest.mark.parametrize(("text", "line", "col"), [
    ("> " * 5000 + "deep\n", 1, 201),
    ("- " * 5000 + "deep\n", 1, 201),
    ("1. " * 5000 + "deep\n", 1, 301),
    ("intro\n\n" + "".join("  " * i + "- x\n" for i in range(1400)), 103, 201),
    ("::: a\n" * 5000 + "deep\n" + ":::\n" * 5000, 101, 1),
    ("[" * 5000 + "deep" + "]{.a}" * 5000 + "\n", 1, 101),
    ("x^[" * 5000 + "deep" + "]" * 5000 + "\n", 1, 303),
    ("- a\n\n  ```\n  code\n\n" + "> " * 200 + "x\n", 6, 201),  # the fence ended with its item
], ids=["quotes", "list", "ordered-list", "indented-list", "divs", "spans", "inline-notes",
        "fence-ends-with-item"])
def test_markdown_too_deep_is_refused_before_the_parse(text: str, line: int, col: int) -> None:
    start = time.perf_counter()
    with pytest.raises(BriefError, match="more than 100 deep") as refused:
        safety.enforce_markdown_depth(chapter(text))
    assert refused.value.location is not None
    assert (refused.value.location.line, refused.value.location.col) == (line, col)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("text", [
    "> " * 100 + "a quotation a hundred deep\n",
    "```\n" + "[" * 500 + "\n```\n",  # code is not read
    "A [link](https://example.org) in [a span]{.x} in a note.^[See [the [report]].]\n",
    (Path(__file__).parent / "roots" / "basic" / INTRO).read_text(encoding="utf-8"),
])
def test_markdown_within_the_depth_limit_passes(text: str) -> None:
    safety.enforce_markdown_depth(chapter(text))


def test_a_source_opts_out_of_a_rule_by_an_index(make_project) -> None:  # type: ignore[no-untyped-def]
    """The opt-out (``policybrief-ignore``) is looked up by place, once per run; it
    still silences only the rules the entry names, at that entry."""
    root = make_project(only="en")
    add(root, BIB, "@online{quiet,\n  title = {A Page},\n  url = {https://example.org/a},\n"
                   "  policybrief-ignore = {source-urldate, citation-unused},\n}\n\n"
                   "@online{loud,\n  title = {B Page},\n  url = {https://example.org/b},\n}\n")
    found = run_checks(load_project(root))
    said = sorted((d.rule, d.message.split("'")[1]) for d in found
                  if d.rule in ("source-urldate", "citation-unused"))
    assert said == [("citation-unused", "loud"), ("source-urldate", "loud")]
