"""Content from a pull request cannot inject anything into an edition or read outside
the project: raw output, active HTML, unsafe links and attributes, paths out of the
project, and templates that reach Python's internals are all refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.errors import BriefError
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
    assert all(e.location and e.location.path == chapter.resolve() and e.location.line >= 19
               for e in errors), [e.format(root) for e in errors]


def test_harmless_inline_html_is_allowed(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text() + '\n\nH<sub>2</sub>O, <span lang="es">sí</span>.\n')
    assert [f for f in check_only(root)[1] if f.severity == "error"] == []


def doc(*blocks):  # type: ignore[no-untyped-def]
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": list(blocks)}


@pytest.mark.parametrize("block", [
    {"t": "RawBlock", "c": ["html", "<script>x</script>"]},
    {"t": "RawBlock", "c": ["latex", "\\input{/etc/passwd}"]},
    {"t": "Para", "c": [{"t": "Link", "c": [["", [], []], [], ["javascript:x()", ""]]}]},
    {"t": "Para", "c": [{"t": "Span", "c": [["", [], [["onmouseover", "x()"]]], []]}]},
    {"t": "Div", "c": [["", [], [["style", "background:url(x)"]]], []]},
])
def test_the_build_refuses_what_the_scan_might_miss(block) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BriefError):
        enforce(doc(block))


def test_safe_document_passes() -> None:
    enforce(doc({"t": "Para", "c": [
        {"t": "RawInline", "c": ["html", "<sup>"]}, {"t": "Str", "c": "2"},
        {"t": "RawInline", "c": ["html", "</sup>"]},
        {"t": "Link", "c": [["", [], []], [], ["https://example.org", ""]]},
        {"t": "Link", "c": [["", [], []], [], ["#fig:x", ""]]},
    ]}))


def test_template_override_cannot_reach_python(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / "templates").mkdir()
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
