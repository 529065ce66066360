"""The web edition in a real browser (Debian's chromium driven by Playwright, axe-core
injected) and the Word edition through LibreOffice."""

from __future__ import annotations

import itertools
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from tools import require

SLUG = "fixture-report"  # the ``report`` fixture brief: notes, charts, a table, long links
NOTES = 57  # its notes
CHARTS = 2  # its figures drawn as images (the third is a table)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_page(browser: Any, path: Path, width: int = 1280) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


@pytest.fixture(scope="module")
def report_html(built_report: Path) -> Path:
    return built_report / "en" / f"{SLUG}.html"


def test_no_console_errors_and_links_resolve(browser: Any, report_html: Path) -> None:
    page, errors = open_page(browser, report_html)
    broken = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
        .map(a => a.getAttribute('href').slice(1))
        .filter(id => id && !document.getElementById(decodeURIComponent(id)))""")
    count = page.evaluate("document.querySelectorAll('a[href^=\"#\"]').length")
    page.close()
    assert errors == []
    assert broken == []
    assert count >= 2 * NOTES + 12 + 2  # notes, back links, contents, figure references


def test_note_popover_on_focus_and_escape(browser: Any, report_html: Path) -> None:
    page, errors = open_page(browser, report_html)
    page.focus("a.footnote-ref[href='#fn6']")
    popover = page.wait_for_selector(".note-popover", timeout=2000)
    text = popover.inner_text()
    described = page.get_attribute("a.footnote-ref[href='#fn6']", "aria-describedby")
    page.keyboard.press("Escape")
    gone = page.query_selector(".note-popover") is None
    page.close()
    assert text.startswith("6. Rivera, Lucía, “Pickers Say Their Passports Were Kept")
    assert described == "note-popover"
    assert gone and errors == []


def test_axe_reports_no_violations(browser: Any, report_html: Path) -> None:
    axe = require("axe-core")
    page, _ = open_page(browser, report_html)
    page.add_script_tag(path=axe)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations', 'passes']})")
    page.close()
    violations = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]]
    assert violations == []
    assert len(result["passes"]) > 20  # axe really ran


@pytest.mark.parametrize("width", [390, 1280])
def test_no_horizontal_overflow(browser: Any, report_html: Path, width: int,
                                tmp_path: Path) -> None:
    page, _ = open_page(browser, report_html, width)
    page.screenshot(path=str(tmp_path / f"web-{width}.png"), full_page=False)
    overflow = page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    page.close()
    assert overflow <= 0, wide
    assert (tmp_path / f"web-{width}.png").stat().st_size > 10_000


def test_html_structure_and_sharing_metadata(report_html: Path) -> None:
    from lxml import html

    root = html.parse(str(report_html)).getroot()
    assert root.get("lang") == "en"
    assert len(root.xpath("//h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert root.xpath(f"//{landmark}"), landmark
    levels = [int(h.tag[1]) for h in root.xpath("//main//*[self::h2 or self::h3 or self::h4 "
                                                "or self::h5]")]
    assert levels[0] == 2 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert max(levels) == 5  # the fixture's four levels of headings, under the title
    names = {m.get("name") or m.get("property") for m in root.xpath("//meta")}
    for name in ("description", "citation_title", "citation_author",
                 "citation_publication_date", "citation_publisher", "og:title"):
        assert name in names, name
    images = root.xpath("//img")
    assert len(images) == CHARTS and all(len(img.get("alt") or "") > 40 for img in images)
    assert root.xpath("//a[@class='skip-link' and @href='#main']")
    size = report_html.stat().st_size
    assert size < 1_500_000, size  # self-contained, still light enough to mail


@pytest.fixture(scope="module")
def report_docx(built_report: Path) -> Path:
    return built_report / "en" / f"{SLUG}.docx"


def test_docx_package(report_docx: Path) -> None:
    with zipfile.ZipFile(report_docx) as docx:
        footnotes = etree.fromstring(docx.read("word/footnotes.xml"))
        document = etree.fromstring(docx.read("word/document.xml"))
        core = docx.read("docProps/core.xml").decode()
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
    notes = [n for n in footnotes.iter(f"{W}footnote") if n.get(f"{W}type") is None]
    assert len(notes) == NOTES
    styles = {s.get(f"{W}val") for s in document.iter(f"{W}pStyle")}
    assert {"Heading1", "Heading2", "Heading3", "PullQuote", "Title", "TOCHeading"} <= styles
    instructions = "".join(t.text or "" for t in document.iter(f"{W}instrText"))
    assert "TOC" in instructions  # a contents field Word fills on open
    assert len(media) == CHARTS  # the table is a Word table, not an image
    descriptions = [d.get("descr") for d in document.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(descriptions) == CHARTS and all(d and len(d) > 40 for d in descriptions)
    assert "Seasonal Workers Abroad" in core
    assert "Ada Example" in core
    assert "<dc:language>en</dc:language>" in core


def test_docx_opens_in_python_docx_and_libreoffice(report_docx: Path, tmp_path: Path) -> None:
    soffice = require("soffice")
    import docx

    document = docx.Document(str(report_docx))
    assert document.core_properties.title == "Seasonal Workers Abroad"
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(report_docx)],
        capture_output=True, text=True, timeout=240, check=False)
    pdf = tmp_path / f"{SLUG}.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    assert "Conclusion" in text
    notes = {int(n) for n in re.findall(r"^\s*(\d{1,3})\s*[“\"A-Z]", text, flags=re.M)
             if int(n) <= NOTES}
    expected = set(range(1, NOTES + 1))
    assert notes == expected, sorted(expected ^ notes)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_html_is_valid_html5(built_report: Path, built_basic: Path, lang: str) -> None:
    java, vnu = require("java"), require("vnu")
    path = (built_report / "en" / f"{SLUG}.html" if lang == "en"
            else built_basic / "es" / "fixture-brief.html")
    result = subprocess.run([java, "-jar", vnu, "--errors-only", str(path)],
                            capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr[:2000]


def test_an_english_web_edition_embeds_only_the_fonts_of_its_own_text(
        report_html: Path) -> None:
    """The page's characters choose its font subsets, its inlined stylesheet
    included: a theme comment quoting Arabic once put Arabic fonts into every English
    web edition (found comparing the flagship's outputs)."""
    html = report_html.read_text(encoding="utf-8")
    families = set(re.findall(r'@font-face \{ font-family: "([^"]+)"', html))
    assert families and all(f.split()[-1] in ("Latn", "Zyyy") for f in families), families
