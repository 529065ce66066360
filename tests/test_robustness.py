"""Inputs that once crashed or were mishandled: each is now a located error (exit 1)
or handled right, and every input of an edition is part of its up-to-date test."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only

# One black pixel, and one red one: valid PNGs (images are decoded before they are shown).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c63606060f80f00010401005fe5c34b0000000049454e44ae426082")
RED_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "where", "message"), [
    ("brief.yml", "date: 2024-03", "date: 2024-13-45", "brief.yml:4:", "date must be"),
    ("brief.yml", "subtitle: Report", "subtitle: !foo Report", "brief.yml:2:", "invalid value"),
    ("brief.yml", "keywords", "keywords", "", ""),
    ("references.bib", "  date         = {2015},", "  year = {²},", "references.bib:",
     "is not a year"),
    ("figures/workers/data.csv", "2005,31243", "2005,inf", "figures/workers/data.csv:3:2:",
     "has 'inf', which is not a finite number"),
    ("chapters/en/02-findings.md", "![](figure:wages)", "![](figure:no.such)",
     "chapters/en/02-findings.md:14:", "figure 'no.such'"),
])
def test_once_crashing_inputs_are_located_errors(make_project, capsys, file, old, new,  # type: ignore[no-untyped-def]
                                                 where, message) -> None:
    root = make_project(only="en")
    if file == "brief.yml" and old == "keywords":  # a YAML alias bomb
        config = root / "brief.yml"
        config.write_text(config.read_text() + "keywords: &a [x, x]\ndescription: *a\n")
        where, message = "brief.yml:", "anchors and aliases"
    else:
        edit(root / file, old, new)
    code = main(["build", "--project", str(root), "--to", "html", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert any(line.startswith(where) and message in line for line in err.splitlines()), err


def test_file_shapes(make_project, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / "chapters/en/99-folder.md").mkdir()  # a folder named like a chapter is ignored
    assert check_only(root)[1] == []
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["new", str(afile)]) == 1
    assert main(["new", str(afile / "sub")]) == 1
    assert main(["build", "--project", str(root), "--out", str(afile), "--quiet"]) == 1
    assert "internal error" not in capsys.readouterr().err


def test_crlf_and_bom_are_read_as_text(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    spanish = root / "chapters/es/01-introduction.md"
    spanish.write_bytes(b"\xef\xbb\xbf" + spanish.read_bytes().replace(b"\n", b"\r\n"))
    csv = root / "figures/workers/data.csv"
    csv.write_bytes(b"\xef\xbb\xbf" + csv.read_bytes())
    assert check_only(root)[1] == []


def test_notes_keep_lists_and_code_in_every_format(make_project) -> None:  # type: ignore[no-untyped-def]
    """A note holding a list and a fenced code block (indented as the note's own
    paragraphs): the code stays a block, each of its lines its own, in every format."""
    import pdfplumber
    from lxml import etree, html

    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    edit(chapter, "The conclusion follows.", "The conclusion follows.[^list]")
    with chapter.open("a", encoding="utf-8") as handle:  # after the paragraph's citation
        handle.write("\n[^list]: A list and a code block:\n\n    - LISTITEMONE\n"
                     "    - LISTITEMTWO\n\n    ```\n    CODELINEONE\n    CODELINETWO\n    ```\n")
    build(root, ["pdf", "html", "docx"], ["en"], None, Reporter(quiet=True))

    page = html.parse(str(root / "build/en/fixture-brief.html"))
    notes = page.xpath('//section[@id="footnotes"]/ol/li[.//pre]')
    assert len(notes) == 1, "no note holds a code block"
    note = notes[0]
    assert [li.text_content() for li in note.xpath(".//ul/li")] == ["LISTITEMONE", "LISTITEMTWO"]
    assert [pre.text_content() for pre in note.xpath(".//pre")] == ["CODELINEONE\nCODELINETWO"]

    with pdfplumber.open(root / "build/en/fixture-brief.pdf") as pdf:
        words = [w for p in pdf.pages for w in p.extract_words(extra_attrs=["fontname"])]
    items = [w for w in words if w["text"].startswith("LISTITEM")]
    code = [w for w in words if w["text"].startswith("CODELINE")]
    assert [w["text"] for w in items] == ["LISTITEMONE", "LISTITEMTWO"]
    assert [w["text"] for w in code] == ["CODELINEONE", "CODELINETWO"]
    assert code[0]["x0"] == code[1]["x0"] and code[0]["top"] < code[1]["top"]  # two lines
    assert items[1]["top"] < code[0]["top"]  # after the list, in the same note
    assert {w["fontname"] for w in code}.isdisjoint(w["fontname"] for w in items)  # set as code

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(root / "build/en/fixture-brief.docx") as docx:
        footnotes = etree.fromstring(docx.read("word/footnotes.xml"))
    blocks = [[t.text for t in p.iter(f"{w}t")] for p in footnotes.iter(f"{w}p")
              if p.find(f"{w}pPr/{w}pStyle[@{w}val='SourceCode']") is not None]
    assert blocks == [["CODELINEONE", "CODELINETWO"]]


def test_local_images_in_every_format(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / "images").mkdir()
    (root / "images/pixel.png").write_bytes(PNG)
    edit(root / "chapters/en/02-findings.md", "The conclusion follows.",
         "The conclusion follows.\n\n![A single pixel](images/pixel.png)")
    build(root, ["html", "docx", "pdf"], ["en"], None, Reporter(quiet=True))
    html = (root / "build/en/fixture-brief.html").read_text()
    assert 'src="data:image/png;base64,' in html and 'src="images/pixel.png"' not in html
    with zipfile.ZipFile(root / "build/en/fixture-brief.docx") as docx:
        assert len([n for n in docx.namelist() if n.startswith("word/media/")]) == 3


@pytest.mark.parametrize("change", ["figure-code", "image", "style"])
def test_every_input_invalidates_the_output(make_project, change: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / "images").mkdir()
    (root / "images/pixel.png").write_bytes(PNG)
    edit(root / "chapters/en/02-findings.md", "The conclusion follows.",
         "The conclusion follows.\n\n![A single pixel](images/pixel.png)")
    (root / "figures/wages/figure.py").write_text(
        "def draw(fig, ax, data, loc):\n    ax.plot([1, 2], [1, 2], color='red')\n")
    edit(root / "figures/wages/figure.yml", "kind: bar", "kind: custom")
    config = root / "brief.yml"
    config.write_text(config.read_text() + "figure_code: true\n")
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    output = root / "build/en/fixture-brief.html"
    before = output.read_bytes()
    if change == "figure-code":
        edit(root / "figures/wages/figure.py", "'red'", "'blue'")
    elif change == "image":
        (root / "images/pixel.png").write_bytes(RED_PNG)
    else:
        edit(root / "house-notes.csl", "Ibid.", "Id.")
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert output.read_bytes() != before


def test_translation_mapping_errors(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    edit(root / "chapters/es/02-findings.md", "translation-of: 02-findings.md",
         "translation-of: 99-nope.md")
    (root / "chapters/es/03-extra.md").write_text("# Extra\n\nTexto.\n")
    errors = [f for f in check_only(root)[1] if f.rule == "translation-source"]
    lines = sorted((f.location.path.name, f.location.line) for f in errors if f.location)
    assert lines == [("02-findings.md", 2), ("03-extra.md", 1)]


def test_docx_carries_no_internal_metadata(built_basic: Path) -> None:
    with zipfile.ZipFile(built_basic / "es" / "fixture-brief.docx") as docx:
        assert "docProps/custom.xml" in docx.namelist()  # pandoc writes it: the check must see it
        custom = docx.read("docProps/custom.xml").decode()
    for leak in ("translation-of", "source-paragraphs", "notes-after-punctuation",
                 "bibliography", "link-citations"):
        assert leak not in custom


def test_render_time_failure_keeps_the_previous_edition(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A failure while rendering (not while checking) also leaves the old files intact."""
    root = make_project(only="en")
    (root / "figures/wages/figure.py").write_text(
        "def draw(fig, ax, data, loc):\n    ax.plot([1, 2], [1, 2])\n")
    edit(root / "figures/wages/figure.yml", "kind: bar", "kind: custom")
    config = root / "brief.yml"
    config.write_text(config.read_text() + "figure_code: true\n")
    assert main(["build", "--project", str(root), "--to", "html,pdf", "--quiet"]) == 0
    outputs = [root / "build/en/fixture-brief.html", root / "build/en/fixture-brief.pdf"]
    before = [p.read_bytes() for p in outputs]
    (root / "figures/wages/figure.py").write_text(
        "def draw(fig, ax, data, loc):\n    raise RuntimeError('broken chart')\n")
    assert main(["build", "--project", str(root), "--to", "html,pdf", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "figures/wages/figure.py: error: figure.py failed: RuntimeError: broken chart" in err
    assert [p.read_bytes() for p in outputs] == before
