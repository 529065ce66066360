"""Malformed inputs: each is refused with one located line and exit status 1, and
the previous edition is left exactly as it was.

Every case starts from a fresh copy of the ``basic`` fixture, builds it once (the
previous output), applies one bad edit, builds again and checks what the user sees:
``path:line:col: error: message`` (or ``path:line: error:`` / ``path: error:`` where a
line makes no sense), no traceback, and an untouched ``build/en/fixture-brief.html``.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policybrief.cli import main

ROOTS = Path(__file__).parent / "roots"
OUTPUT = Path("build") / "en" / "fixture-brief.html"

# path[:line[:col]]: error: message   (path relative to the project)
LOCATED = re.compile(
    r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: error: (?P<msg>\S.*)$")

NO_LINE = 0  # a file-level problem: a line number is not required


# ---------------------------------------------------------------------------
# Editing helpers. Each asserts where its edit lands, so a case whose expected
# line number is wrong fails here, loudly, rather than in the assertion on stderr.


def line_of(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def replace(root: Path, rel: str, old: str, new: str, *, line: int | None = None) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    if line is not None:
        assert line_of(text, old) == line, f"{old!r} is on line {line_of(text, old)} of {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, addition: str, *, line: int) -> None:
    """Add a block after the file's last line, separated by a blank line; ``line``
    is where the addition's first line lands."""
    path = root / rel
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    assert text.count("\n") + 1 == line, f"{rel}: addition lands on {text.count(chr(10)) + 1}"
    path.write_text(text + addition, encoding="utf-8")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def trust_templates(root: Path) -> None:
    """brief.yml's ``templates_code: true``: the project's own templates may run."""
    with (root / "brief.yml").open("a", encoding="utf-8") as config:
        config.write("templates_code: true\n")


def replace_bytes(root: Path, rel: str, old: bytes, new: bytes, *, line: int) -> None:
    path = root / rel
    data = path.read_bytes()
    assert old in data
    assert data[: data.index(old)].count(b"\n") + 1 == line
    path.write_bytes(data.replace(old, new, 1))


def delete(root: Path, rel: str) -> None:
    path = root / rel
    assert path.is_file(), rel
    path.unlink()


# ---------------------------------------------------------------------------
# The cases.

INTRO = "chapters/en/01-introduction.md"  # 14 lines; [^repeat] defined on line 14
FINDINGS = "chapters/en/02-findings.md"  # 16 lines; additions land on line 18
BIB = "references.bib"
CONFIG = "brief.yml"  # with one language: style on line 13
WORKERS = "figures/workers/figure.yml"
WORKERS_DATA = "figures/workers/data.csv"


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[Path], None]
    path: str  # the reported path, or a folder the reported path is in
    line: int  # the expected line, or NO_LINE
    message: str  # a regular expression the message must contain (case-insensitive)
    only: str | None = "en"  # None: the two-language fixture
    # several independent errors: (path, line, message) of each error line, in order
    each: tuple[tuple[str, int, str], ...] = ()


def _duplicate_key(root: Path) -> None:
    append(root, BIB, "@misc{ilo-1930,\n  title = {Another Convention},\n}\n", line=29)


def _unterminated_entry(root: Path) -> None:
    # The closing brace of protocol-2000 (line 8) is gone: the entry never ends.
    replace(root, BIB, "trafficking-persons},\n}\n", "trafficking-persons},\n", line=7)


def _huge_chapter(root: Path) -> None:
    paragraph = ("Workers described the same conditions in every host country, "
                 "week after week, in interview after interview. " * 4).strip()
    body = "\n\n".join([paragraph] * (10 * 1024 * 1024 // (len(paragraph) + 2) + 1))
    write(root, "chapters/en/03-appendix.md", "# Appendix\n\n" + body + "\n")
    assert (root / "chapters/en/03-appendix.md").stat().st_size >= 10 * 1024 * 1024


def _two_unknown_keys(root: Path) -> None:
    replace(root, INTRO, "[@protocol-2000] It was", "[@protocol-2099] It was", line=3)
    replace(root, FINDINGS, "follows.[@smith-2015]", "follows.[@smyth-2015]", line=16)


CASES = [
    # --- citations and the bibliography
    Case("unknown-citation-key",
         lambda r: replace(r, INTRO, "[@protocol-2000] It was", "[@protocol-2099] It was",
                           line=3),
         INTRO, 3, r"unknown citation key 'protocol-2099'"),
    Case("two-unknown-citation-keys", _two_unknown_keys, "", NO_LINE, "", each=(
        (INTRO, 3, r"unknown citation key 'protocol-2099' \(did you mean 'protocol-2000'\?\)"),
        (FINDINGS, 16, r"unknown citation key 'smyth-2015' \(did you mean 'smith-2015'\?\)"))),
    Case("duplicate-bib-key", _duplicate_key, BIB, 29, r"duplicate .*'ilo-1930'"),
    Case("unterminated-bib-entry", _unterminated_entry, BIB, 1,
         r"cannot parse this entry: syntax error"),
    Case("bad-urldate",
         lambda r: replace(r, BIB, "urldate   = {2022-06-27},\n  url       = {https://www.o",
                           "urldate   = {27/06/2022},\n  url       = {https://www.o", line=6),
         BIB, 6, r"entry 'protocol-2000': urldate '27/06/2022' is not a date like 2022-06-27"),
    Case("unknown-bib-entry-type",
         lambda r: replace(r, BIB, "@legislation{ilo-1930,", "@legislatoin{ilo-1930,", line=10),
         BIB, 10, r"entry 'ilo-1930': unknown entry type '@legislatoin' \(known: article,"),
    Case("bib-entry-without-title",
         lambda r: replace(r, BIB, "  title        = {Forced Labour in State Programmes},\n",
                           "", line=21),
         BIB, 19, r"entry 'smith-2015' has no title"),
    Case("non-utf8-bib",
         lambda r: replace_bytes(r, BIB, b"Forced Labour Convention",
                                 b"Convenci\xf3n sobre el trabajo", line=11),
         BIB, 11, r"file is not UTF-8 \(byte 0xf3\); save it as UTF-8"),
    # --- brief.yml
    Case("brief-yml-invalid-yaml",
         lambda r: replace(r, CONFIG, "slug: fixture-brief", "slug: fixture: brief", line=3),
         CONFIG, 3, r"invalid YAML: mapping values are not allowed in this context"),
    Case("brief-yml-wrong-type",
         lambda r: replace(r, CONFIG, "languages: [en]", "languages: en", line=12),
         CONFIG, 12, r"expected a list, got text"),
    Case("brief-yml-unknown-nested-key",
         lambda r: replace(r, CONFIG, "  url: https://example.org",
                           "  url: https://example.org\n  phone: 555-0100", line=11),
         CONFIG, 12, r"unknown key 'phone'"),
    Case("brief-yml-duplicate-key",
         lambda r: replace(r, CONFIG, "slug: fixture-brief", "slug: fixture-brief\ntitle: Again",
                           line=3),
         CONFIG, 4, r"duplicate key 'title'"),
    Case("brief-yml-bad-date",
         lambda r: replace(r, CONFIG, "date: 2024-03", "date: March 2024", line=4),
         CONFIG, 4, r"date must be YYYY, YYYY-MM or YYYY-MM-DD"),
    Case("brief-yml-bad-numbering",
         lambda r: replace(r, CONFIG, "style: house-notes.csl",
                           "style: house-notes.csl\nnumbering: greek", line=13),
         CONFIG, 14, r"expected one of 'roman', 'arabic', 'none', got 'greek'"),
    Case("brief-yml-missing",
         lambda r: delete(r, CONFIG),
         CONFIG, NO_LINE, r"no brief\.yml in /\S+ \(is this a brief\? try 'brief new DIR'\)"),
    Case("chapter-listed-but-missing",
         lambda r: replace(r, CONFIG, "style: house-notes.csl",
                           "style: house-notes.csl\nchapters:\n  - 01-introduction.md\n"
                           "  - 02-findngs.md", line=13),
         CONFIG, 16, r"chapter listed in brief\.yml does not exist: chapters/en/02-findngs\.md"),
    Case("csl-file-missing",
         lambda r: replace(r, CONFIG, "style: house-notes.csl", "style: house-noets.csl",
                           line=13),
         CONFIG, 13, r"citation style not found in the project: house-noets\.csl"),
    Case("citation-style-unknown",
         lambda r: replace(r, CONFIG, "style: house-notes.csl",
                           "style: chicago-notes-nonexistent-edition", line=13),
         CONFIG, 13, r"unknown citation style 'chicago-notes-nonexistent-edition'"),
    # --- chapters
    Case("empty-chapter",
         lambda r: write(r, FINDINGS, "\n\n"),
         FINDINGS, 1, r"chapter is empty"),
    Case("non-utf8-chapter",
         lambda r: replace_bytes(r, INTRO, b"We interviewed", b"We interv\xedewed", line=11),
         INTRO, 11, r"file is not UTF-8 \(byte 0xed\); save it as UTF-8"),
    Case("front-matter-invalid-yaml",
         lambda r: write(r, INTRO, "---\nstatus: draft\nnote: a: b\n---\n"
                         + (ROOTS / "basic" / INTRO).read_text(encoding="utf-8")),
         INTRO, 3, r"invalid YAML: mapping values are not allowed in this context"),
    Case("front-matter-never-closed",
         lambda r: write(r, INTRO, "---\nstatus: draft\n\n"
                         + (ROOTS / "basic" / INTRO).read_text(encoding="utf-8")),
         INTRO, 1, r"front matter opened with '---' is never closed"),
    Case("unclosed-fenced-div",
         lambda r: append(r, FINDINGS, "::: note\nA boxed remark that is never closed.\n",
                          line=18),
         FINDINGS, 18, r"fenced div '::: note' is never closed with ':::'"),
    Case("huge-chapter", _huge_chapter, "chapters/en/03-appendix.md", NO_LINE,
         r"file is 10\.0 MB; the limit is 4 MB"),
    # (a missing translation is a state, not bad input: tests/test_translations.py)
    # --- notes
    Case("footnote-reference-undefined",
         lambda r: replace(r, FINDINGS, "numbers grew.", "numbers grew.[^missing]", line=10),
         FINDINGS, 10, r"footnote reference \[\^missing\] has no definition"),
    Case("footnote-definition-unreferenced",
         lambda r: append(r, FINDINGS, "[^orphan]: Nobody points at this note.\n", line=18),
         FINDINGS, 18, r"footnote \[\^orphan\] is defined but never referenced"),
    Case("footnote-defined-twice",
         lambda r: append(r, INTRO, "[^repeat]: A second text for the same note.\n", line=16),
         INTRO, 16, r"footnote \[\^repeat\] is defined twice"),
    Case("footnote-loop",
         lambda r: append(r, FINDINGS, "A looping note.[^loop]\n\n[^loop]: As noted.[^loop]\n",
                          line=18),
         FINDINGS, 20, r"footnote \[\^loop\] refers to itself"),
    # --- raw HTML and images
    Case("image-path-traversal",
         lambda r: append(r, FINDINGS, "![x](../../../etc/passwd)\n", line=18),
         FINDINGS, 18, r"image '\.\./\.\./\.\./etc/passwd' is outside the project"),
    Case("remote-image",
         lambda r: append(r, FINDINGS, "![x](https://example.org/x.png)\n", line=18),
         FINDINGS, 18, r"image 'https://example\.org/x\.png' is not a file in the project "
         r"\(remote and other URLs are refused\)"),
    Case("raw-html-script",
         lambda r: append(r, FINDINGS, "<script>alert('x')</script>\n", line=18),
         FINDINGS, 18, r"raw HTML <script> is not allowed in a chapter"),
    Case("raw-html-iframe",
         lambda r: append(r, FINDINGS, "<iframe src='https://example.org/'></iframe>\n",
                          line=18),
         FINDINGS, 18, r"raw HTML <iframe> is not allowed in a chapter"),
    Case("raw-html-link",
         lambda r: append(r, FINDINGS,
                          "<link rel='stylesheet' href='https://example.org/x.css'>\n", line=18),
         FINDINGS, 18, r"raw HTML <link> is not allowed in a chapter"),
    # --- figures
    Case("figure-data-missing",
         lambda r: delete(r, WORKERS_DATA),
         "figures/workers", NO_LINE, r"figure data file not found: data\.csv"),
    Case("figure-data-ragged-row",
         lambda r: replace(r, WORKERS_DATA, "2005,31243", "2005,31243,7", line=3),
         WORKERS_DATA, 3, r"row has 3 cells but the header has 2"),
    Case("figure-data-empty",
         lambda r: write(r, WORKERS_DATA, ""),
         WORKERS_DATA, 1, r"data file is empty \(it needs a header row\)"),
    Case("figure-data-non-numeric",
         lambda r: replace(r, WORKERS_DATA, "2008,29296", "2008,about 29k", line=4),
         WORKERS_DATA, 4, r"column 'workers' is numeric but has 'about 29k'"),
    Case("figure-spec-missing-column",
         lambda r: replace(r, WORKERS, "y: [workers]", "y: [worker]", line=3),
         WORKERS, 3, r"figure 'workers' names column 'worker', which data\.csv does not have"),
    Case("figure-spec-unknown-key",
         lambda r: replace(r, WORKERS, "kind: bar", "kind: bar\ncolour: red", line=1),
         WORKERS, 2, r"unknown key 'colour'"),
    Case("figure-without-alt-text",
         lambda r: replace(r, WORKERS, 'alt: {en: "Bar chart: 6,190 workers in 2002, 31,243 in '
                           '2005, 29,296 in 2008.", es:', 'alt: {en: "", es:', line=6),
         WORKERS, 6, r"figure 'workers' has no alt text for 'en' \(alt text is required\)"),
    Case("figure-source-not-in-bib",
         lambda r: replace(r, WORKERS, "  - key: smith-2015", "  - key: smith-2016", line=8),
         WORKERS, 8, r"figure source 'smith-2016' is not in the bibliography"),
    Case("figure-placed-but-missing",
         lambda r: append(r, FINDINGS, "![](figure:salaries){#fig:salaries}\n", line=18),
         FINDINGS, 18, r"figure 'salaries' is placed here but figures/salaries/ does not exist"),
    # --- templates
    Case("template-syntax-error",
         lambda r: (trust_templates(r),
                    write(r, "templates/web.html.j2", "<!DOCTYPE html>\n{% if %}\n{% endif %}\n")),
         "templates/web.html.j2", 2,
         r"template syntax error: Expected an expression, got 'end of statement block'"),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """What libraries logged at WARNING or above: with no logging configured, Python
    prints it on the terminal's stderr (pytest captures it instead, so we add it back)."""
    return "".join(f"{r.getMessage()}\n" for r in caplog.records if r.levelno >= logging.WARNING)


def build_html(capsys: pytest.CaptureFixture[str], root: Path,
               langs: str = "") -> tuple[int, str]:
    """Build the web edition: of the source language, or of ``langs`` (a translation's
    errors stop only a build of that translation)."""
    extra = ["--lang", langs] if langs else []
    return run(capsys, "build", "--project", str(root), "--to", "html", "--quiet", *extra)


def check_located(line: str, where: str, number: int, message: str) -> None:
    match = LOCATED.match(line)
    assert match, f"not 'path:line:col: error: message': {line!r}"
    path = match["path"]
    assert not Path(path).is_absolute(), f"absolute path: {line!r}"
    assert path == where or path.startswith(where + "/"), (
        f"names {path!r}, expected {where!r}: {line!r}")
    if number != NO_LINE:
        assert match["line"] == str(number), f"expected line {number}: {line!r}"
    # the message alone: a pattern naming the file must not match on the path
    assert re.search(message, match["msg"], re.I), f"message does not match {message!r}: {line!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_located_lines(  # type: ignore[no-untyped-def]
    make_project, capsys, caplog, case: Case
) -> None:
    root = make_project(only=case.only)
    langs = "all" if case.only is None else ""
    code, err = build_html(capsys, root, langs)
    assert code == 0, err
    output = root / OUTPUT
    before = output.read_bytes()

    case.edit(root)
    caplog.clear()
    code, err = build_html(capsys, root, langs)
    err = logged(caplog) + err

    assert "Traceback" not in err
    assert code == 1, f"exit {code}, stderr: {err!r}"
    lines = [line for line in err.splitlines() if line.strip()]
    expected = case.each or ((case.path, case.line, case.message),)
    assert len(lines) == len(expected), f"expected {len(expected)} line(s): {err!r}"
    for line, (where, number, message) in zip(lines, expected, strict=True):
        check_located(line, where, number, message)
    assert output.read_bytes() == before


def test_cases_are_many_and_distinct() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------------------
# Property: whatever the text of a paragraph or a source title, the command ends
# with a result (0 and an output) or a located refusal (1), never a crash (3) and
# never an exception escaping main().

MARKDOWN_PIECES = [
    "[", "]", "(", ")", "@", "^", "*", "**", "#", "# ", ":::", "::: note", "`", "```", "~~~",
    "[@smith-2015]", "[@", "@smith-2015 [p. 3]", "[^a]", "[^a]: ", "^[", "{.pull-quote}",
    "![", "](", "figure:", "@fig:workers", "<", ">", "</div>", "<!--", "-->", "$", "$$",
    "\\", "|", "---", "\n", "\n\n", "\n\n    ", "{", "}", "&", "%", "~", "_",
    "é", "ñ", "中文", "עברית", "🙂", "\u200b", "\u00a0", "\u202e", "\ufeff",
]
BIB_PIECES = [
    "{", "}", "\\", "\\&", "%", "@", "\"", "#", ",", "=", "~", "--", "---", "$", "^", "\n",
    "{{", "}}", "\\textit{", "é", "ñ", "中文", "🙂", "\u00a0", "@misc{", "title = ",
]

paragraphs = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(min_size=1, max_size=8)),
    min_size=1, max_size=30,
).map("".join)
titles = st.lists(
    st.one_of(st.sampled_from(BIB_PIECES),
              st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1,
                      max_size=8)),
    min_size=0, max_size=20,
).map("".join)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraph=paragraphs, title=titles)
def test_random_text_is_built_or_refused_never_crashes(  # type: ignore[no-untyped-def]
    tmp_path_factory, capsys, paragraph: str, title: str
) -> None:
    root = tmp_path_factory.mktemp("random") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    config = root / CONFIG
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^languages: .*$", "languages: [en]", text, flags=re.M)
    config.write_text(text.split("\ntranslations:")[0] + "\n", encoding="utf-8")
    capsys.readouterr()

    findings = root / FINDINGS
    findings.write_text(findings.read_text(encoding="utf-8") + "\n" + paragraph + "\n",
                        encoding="utf-8")
    replace(root, BIB, "{Forced Labour in State Programmes}", "{" + title + "}")

    for argv in (["check", "--project", str(root)],
                 ["build", "--project", str(root), "--to", "html", "--quiet"]):
        code, err = run(capsys, *argv)
        assert "Traceback" not in err
        assert code in (0, 1), f"{argv[0]}: exit {code}: {err!r}"
        event(f"{argv[0]} exit {code}")
        if code == 1:
            assert any(": error: " in line for line in err.splitlines()), err
        elif argv[0] == "build":
            assert (root / OUTPUT).stat().st_size > 0
