"""Content from a pull request cannot inject anything into an edition or read outside
the project: raw output, active HTML, unsafe links and attributes, paths out of the
project, and templates that reach Python's internals are all refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.errors import BriefError, Location
from policybrief.model import Chapter
from policybrief.pipeline import check_only
from policybrief.safety import enforce

INJECTIONS = [
    "```{=html}\n<script>alert(1)</script>\n```",
    "`<script>alert(2)</script>`{=html}",
    "[click](javascript:alert(3))",
    '<a href="jav&#x61;script:alert(4)">x</a>',
    "<svg/onload=alert(5)>",
    '<img src="x.png" srcset="https://evil.example/t.png 1x">',
    '[styled]{style="background:url(https://evil.example/bg.png)"}',
    "[x]: javascript:alert(9)",
    '<span onclick="alert(10)">x</span>',
    "<!-- <script>alert(11)</script> -->",
    "```{=openxml}\n<w:p/>\n```",
]


@pytest.mark.parametrize("snippet", INJECTIONS)
def test_injection_is_refused_with_location(make_project, snippet: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text() + "\n\n" + snippet + "\n")
    _, findings = check_only(root)
    errors = [f for f in findings if f.severity == "error"]
    assert errors, snippet
    assert all(e.location and e.location.path == chapter.resolve() and e.location.line == 19
               for e in errors), [e.format(root) for e in errors]


def test_harmless_inline_html_is_allowed(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text() + '\n\nH<sub>2</sub>O, <span lang="es">sí</span>.\n')
    assert [f for f in check_only(root)[1] if f.severity == "error"] == []


def doc(*blocks):  # type: ignore[no-untyped-def]
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": list(blocks)}


# Each case: a parsed block, the Markdown it came from (from line 3 of a chapter), and
# where the error must point: the first place in the text showing the culprit.
@pytest.mark.parametrize(("block", "written", "line", "col"), [
    ({"t": "RawBlock", "c": ["html", "<script>x</script>"]}, "<script>x</script>", 3, 1),
    ({"t": "RawBlock", "c": ["latex", "\\input{/etc/passwd}"]},
     "```{=latex}\n\\input{/etc/passwd}\n```", 4, 1),
    ({"t": "Para", "c": [{"t": "Link", "c": [["", [], []], [], ["javascript:x()", ""]]}]},
     "[a](javascript:x())", 3, 5),
    ({"t": "Para", "c": [{"t": "Span", "c": [["", [], [["onmouseover", "x()"]]], []]}]},
     "[a]{onmouseover=x()}", 3, 5),
    ({"t": "Div", "c": [["", [], [["style", "background:url(x)"]]], []]},
     "::: {style=background:url(x)}\n:::", 3, 6),
])
def test_the_build_refuses_what_the_scan_might_miss(block, written, line, col) -> None:  # type: ignore[no-untyped-def]
    chapter = Chapter(Path("c.md"), "en", "c", "# Title\n\n" + written + "\n", body_line=1)
    with pytest.raises(BriefError) as caught:
        enforce(doc(block), chapter)
    assert caught.value.location == Location(Path("c.md"), line, col)


def test_safe_document_passes() -> None:
    enforce(doc({"t": "Para", "c": [
        {"t": "RawInline", "c": ["html", "<sup>"]}, {"t": "Str", "c": "2"},
        {"t": "RawInline", "c": ["html", "</sup>"]},
        {"t": "Link", "c": [["", [], []], [], ["https://example.org", ""]]},
        {"t": "Link", "c": [["", [], []], [], ["#fig:x", ""]]},
    ]}), Chapter(Path("c.md"), "en", "c", "", body_line=1))


def test_template_override_cannot_reach_python(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / "templates").mkdir()
    with (root / "brief.yml").open("a") as config:  # the templates are trusted
        config.write("templates_code: true\n")
    marker = root / "pwned"
    (root / "templates/web.html.j2").write_text(
        '{{ cycler.__init__.__globals__.os.popen("touch ' + str(marker) + '").read() }}')
    code = main(["build", "--project", str(root), "--to", "html", "--quiet"])
    assert code == 1
    assert "templates/web.html.j2" in capsys.readouterr().err
    assert not marker.exists()


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("figures/wages/figure.yml", "kind: bar", "kind: bar\ndata: /etc/passwd",
     "the data file must be a file in the figure's folder"),
    ("figures/wages/figure.yml", "kind: bar", "kind: bar\ndata: ../workers/data.csv",
     "the data file must be a file in the figure's folder"),
    ("brief.yml", "slug: fixture-brief", "slug: fixture-brief\nbibliography: ../x.bib",
     "the bibliography must be a file in the project"),
    ("brief.yml", "slug: fixture-brief",
     "slug: fixture-brief\nchapters: [01-introduction.md, ../../../outside.md]",
     "a chapter must be a file in chapters/en"),
])
def test_paths_out_of_the_project_are_refused(make_project, capsys, file, old, new,  # type: ignore[no-untyped-def]
                                              message) -> None:
    root = make_project(only="en")
    path = root / file
    path.write_text(path.read_text().replace(old, new, 1))
    assert main(["check", "--project", str(root)]) == 1
    assert message in capsys.readouterr().err


def test_symlinked_chapter_to_outside_is_refused(make_project, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n\nTOPSECRET\n")
    (root / "chapters/en/03-leak.md").symlink_to(outside)
    assert main(["check", "--project", str(root)]) == 1
    assert "outside the project" in capsys.readouterr().err


def test_backslashes_in_prose_stay_text(make_project) -> None:  # type: ignore[no-untyped-def]
    """No edition is TeX: a path or a TeX-like command in prose is text, not raw TeX
    (which would be refused)."""
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text() + "\nSaved in C:\\Users\\report and \\textbf{x}.\n")
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    html = (root / "build/en/fixture-brief.html").read_text()
    assert "Saved in C:\\Users\\report and \\textbf{x}." in html
