"""Hostile inputs a pull request may bring: every one refused where it stands, by
`brief check` as by the build, and nothing of it reaching an edition.

One table; each case changes a copy of tests/roots/basic (English only) and says
what `brief check` must report: the file, the line and words of the message.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from policybrief.errors import BriefError
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only

CHAPTER = "chapters/en/02-findings.md"
DEFAULT_TEMPLATES = (Path(__file__).parent.parent / "src/policybrief/themes/default/templates")


def add(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n",
                    encoding="utf-8")


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def secret(root: Path) -> Path:
    """A file outside the project that nothing may read."""
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    path = outside / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT\n")
    return path


def linked_template(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates/leak.txt").symlink_to(secret(root))
    web = (DEFAULT_TEMPLATES / "web.html.j2").read_text()
    (root / "templates/web.html.j2").write_text(
        web.replace("</body>", '{% include "leak.txt" %}</body>', 1))
    add(root, "brief.yml", "templates_code: true")


def linked_catalogue(root: Path) -> None:
    (root / "locales").mkdir()
    path = secret(root)
    path.write_text("notes: TOP-SECRET-CONTENT\n")
    (root / "locales/en.yml").symlink_to(path)


def image_file(root: Path, name: str, content: bytes) -> None:
    """An image file in the project, shown by the chapter."""
    (root / "figures" / name).write_bytes(content)
    add(root, CHAPTER, f"![An image](figures/{name})")


def bomb_png(width: int, height: int) -> bytes:
    """A PNG header claiming ``width`` × ``height`` pixels: a few bytes that would
    inflate to gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                                8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], None]
    where: str  # the file the error points at ("" when the build alone refuses)
    line: int
    words: str


CASES = [
    # --- addresses: the one scheme rule, for every input
    Case("organization-url-javascript",
         lambda r: replace(r, "brief.yml", "url: https://example.org",
                           'url: "javascript:alert(document.cookie)"'),
         "brief.yml", 11, "organization url: a link to 'javascript:' is not allowed"),
    Case("bibliography-url-javascript",
         lambda r: replace(r, "references.bib", "url          = {https://example.org/smith-2015}",
                           "url          = {javascript:alert(1)}"),
         "references.bib", 0, "'smith-2015' url: a link to 'javascript:' is not allowed"),
    Case("bibliography-url-data",
         lambda r: replace(r, "references.bib", "url          = {https://example.org/smith-2015}",
                           "url          = {data:text/html,<script>alert(1)</script>}"),
         "references.bib", 0, "a link to 'data:' is not allowed"),
    Case("link-entity-encoded-scheme",
         lambda r: add(r, CHAPTER, "[click](jav&#x61;script:alert(1))"),
         CHAPTER, 18, "a link to 'javascript:' is not allowed"),
    Case("link-vbscript", lambda r: add(r, CHAPTER, "[x](vbscript:msgbox)"),
         CHAPTER, 18, "a link to 'vbscript:' is not allowed"),
    Case("autolink-javascript", lambda r: add(r, CHAPTER, "<javascript:alert(1)>"),
         CHAPTER, 18, "'javascript:'"),
    # --- images: files of the project, whatever the syntax
    Case("image-reference-style-remote",
         lambda r: add(r, CHAPTER, "![pixel][px]\n\n[px]: https://tracker.example/p.png"),
         CHAPTER, 20, "an image must be a file in the project"),  # at the address
    Case("image-nested-brackets-remote",
         lambda r: add(r, CHAPTER, "![a [nested] alt](https://tracker.example/p.png)"),
         CHAPTER, 18, "an image must be a file in the project"),
    Case("image-in-a-note-remote",
         lambda r: add(r, CHAPTER, "Text.^[See ![x](https://tracker.example/p.png).]"),
         CHAPTER, 18, "https://tracker.example/p.png"),
    Case("image-outside-the-project",
         lambda r: add(r, CHAPTER, "![x](../outside/p.png)"),
         CHAPTER, 18, "outside the project"),
    Case("raw-img-tag", lambda r: add(r, CHAPTER, '<img src="https://tracker.example/p.png">'),
         CHAPTER, 18, "'https://tracker.example/p.png' is not a file in the project"),
    # --- image files: decoded, whatever their name says
    Case("image-decompression-bomb", lambda r: image_file(r, "bomb.png", bomb_png(30000, 30000)),
         CHAPTER, 18, "more than 40,000,000 pixels"),
    Case("image-over-the-pixel-limit", lambda r: image_file(r, "big.png", bomb_png(8000, 6000)),
         CHAPTER, 18, "is 8000 × 6000 pixels; the limit is 40,000,000"),
    Case("image-text-file-named-png", lambda r: image_file(r, "fake.png", b"not an image\n"),
         CHAPTER, 18, "'fake.png' is not an image Pillow can read"),
    Case("image-truncated-png", lambda r: image_file(r, "cut.png", bomb_png(10, 10)[:30]),
         CHAPTER, 18, "'cut.png' is not an image"),
    Case("image-svg-with-script", lambda r: image_file(
        r, "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>steal()</script></svg>'),
         CHAPTER, 18, "contains <script>"),
    Case("image-svg-event-handler", lambda r: image_file(
        r, "y.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="steal()"/>'),
         CHAPTER, 18, "has an event handler (onload)"),
    Case("image-svg-entity-expansion", lambda r: image_file(
        r, "z.svg", b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>'),
         CHAPTER, 18, "declares a DOCTYPE or entities"),
    # --- control characters in configuration
    Case("control-character-in-brief-yml",
         lambda r: replace(r, "brief.yml", "subtitle: Report", "subtitle: Rep\x07ort"),
         "brief.yml", 2, "U+0007 (a control character) is not allowed"),
    Case("control-character-in-figure-yml",
         lambda r: replace(r, "figures/wages/figure.yml", "x: country", "x: coun\x1btry"),
         "figures/wages/figure.yml", 3, "control character U+001B is not allowed"),
    Case("control-character-in-a-locale-catalogue",
         lambda r: ((r / "locales").mkdir(), (r / "locales/en.yml").write_text(
             "notes: No\x00tes\n")),
         "locales/en.yml", 1, "control character U+0000 is not allowed"),
    # --- attributes as pandoc parses them
    Case("attribute-quote-trick",
         lambda r: add(r, CHAPTER, '[x]{title="}" onmouseover=alert(1)}'),
         CHAPTER, 18, "onmouseover"),
    Case("attribute-on-heading", lambda r: add(r, CHAPTER, "## Next {onclick=alert(1)}"),
         CHAPTER, 18, "the attribute 'onclick' is not allowed"),
    Case("raw-output-html", lambda r: add(r, CHAPTER, "`<script>x</script>`{=html}"),
         CHAPTER, 18, "raw output '{=html}' is not allowed"),
    # --- the project's own templates are code
    Case("project-template-without-templates-code",
         lambda r: ((r / "templates").mkdir(), (r / "templates/web.html.j2").write_text(
             "<script>steal()</script>")),
         "templates/web.html.j2", 0, "set 'templates_code: true'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_refuses_where_it_stands_and_the_build_too(make_project, case: Case) -> None:
    root = make_project("basic", only="en")
    case.make(root)
    try:
        _project, found = check_only(root)
        errors = [d for d in found if d.is_error]
        assert errors, f"{case.id}: brief check found nothing"
        first = errors[0]
        message, location = first.message, first.location
    except BriefError as exc:  # refused while reading the project (one located line)
        message, location = exc.message, exc.location
    assert case.words in message, message
    assert location is not None
    assert location.path == (root / case.where).resolve() or location.path == root / case.where
    if case.line:
        assert location.line == case.line, (location, message)
    with pytest.raises(BriefError):
        build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert not (root / "build/en/fixture-brief.html").exists()


def test_links_out_of_the_project_are_never_read(make_project) -> None:
    """A template include and a locale catalogue that link to a file outside the
    project: the include is refused, the catalogue ignored; the secret never reaches
    an edition."""
    root = make_project("basic", only="en")
    linked_template(root)
    with pytest.raises(BriefError, match=r"no template leak\.txt"):
        build(root, ["html"], ["en"], None, Reporter(quiet=True))
    (root / "templates/web.html.j2").unlink()
    linked_catalogue(root)
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    html = (root / "build/en/fixture-brief.html").read_text()
    assert "TOP-SECRET-CONTENT" not in html and '"notes-heading">Notes<' in html
    assert os.path.islink(root / "locales/en.yml")


def test_html_comments_are_editors_notes_never_published(make_project) -> None:
    root = make_project("basic", only="en")
    add(root, CHAPTER, "<!-- TODO(editor): check this figure with legal -->\n\nText.")
    _project, found = check_only(root)
    assert [d for d in found if d.is_error] == []
    build(root, ["html", "pdf"], ["en"], None, Reporter(quiet=True))
    assert "TODO(editor)" not in (root / "build/en/fixture-brief.html").read_text()


def test_a_word_longer_than_a_line_wraps_inside_the_page(make_project) -> None:
    import pdfplumber

    root = make_project("basic", only="en")
    add(root, CHAPTER, "W" * 10_000 + "\n\nSee <https://example.org/" + "a" * 3_000 + ">.")
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True))
    with pdfplumber.open(root / "build/en/fixture-brief.pdf") as pdf:
        shown = 0
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 0 and char["x1"] <= page.width + 0.5, char
                shown += char["text"] == "W"
    assert shown >= 10_000  # every letter drawn (and the W of other words), none cut off
