"""End-to-end builds of the ``basic`` fixture brief in every format and language."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree, html
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_outputs_exist_for_every_language_and_format(built_basic: Path) -> None:
    for lang in ("en", "es"):
        for ext in ("pdf", "html", "docx"):
            path = built_basic / lang / f"fixture-brief.{ext}"
            assert path.is_file() and path.stat().st_size > 1000, path
    leftovers = [p for p in built_basic.rglob("*.tmp")]
    assert leftovers == []


def test_pdf_has_every_note_once_as_a_footnote(built_basic: Path) -> None:
    pages = pdf_text(built_basic / "en" / "fixture-brief.pdf")
    text = "\n".join(pages)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.M)]
    assert numbers == list(range(1, 11))
    assert "Ibid." in text  # a repeated source
    # the citation inside a prose note is formatted in that note
    assert re.search(r"5\. Interviews held in 2023; compare Smith and Research Collective", text)
    # first citation is the full form with the accessed date, localised
    assert "Accessed 27 June, 2022" in text


def test_pdf_metadata_language_and_tags(built_basic: Path) -> None:
    reader = PdfReader(built_basic / "es" / "fixture-brief.pdf")
    meta = reader.metadata
    assert meta is not None and meta.title == "Informe de prueba sobre derechos laborales"
    assert meta.author == "Ada Example"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "es"
    assert "/StructTreeRoot" in root
    text = "\n".join(pdf_text(built_basic / "es" / "fixture-brief.pdf"))
    assert "Consultado el 27 de junio de 2022" in text
    assert "Índice" in text and "Fuentes" in text


def test_html_notes_anchors_and_language(built_basic: Path) -> None:
    tree = html.parse(str(built_basic / "en" / "fixture-brief.html"))
    root = tree.getroot()
    assert root.get("lang") == "en"
    assert len(root.xpath("//h1")) == 1
    refs = root.xpath('//a[contains(@class, "footnote-ref")]')
    notes = root.xpath('//section[@id="footnotes"]//li')
    assert len(refs) == len(notes) == 10
    ids = set(root.xpath("//@id"))
    for a in root.xpath('//a[starts-with(@href, "#")]'):
        assert a.get("href")[1:] in ids, a.get("href")
    # the pull quote is repeated for sight, hidden from screen readers
    quotes = root.xpath('//div[contains(@class, "pull-quote")]')
    assert quotes and quotes[0].get("aria-hidden") == "true"
    # self-contained: no external stylesheet or script
    assert not root.xpath("//link[@rel='stylesheet'] | //script[@src]")


def test_docx_has_real_footnotes_and_heading_styles(built_basic: Path) -> None:
    with zipfile.ZipFile(built_basic / "en" / "fixture-brief.docx") as docx:
        footnotes = etree.fromstring(docx.read("word/footnotes.xml"))
        document = etree.fromstring(docx.read("word/document.xml"))
        core = docx.read("docProps/core.xml").decode()
    real = [n for n in footnotes.iter(f"{W}footnote") if n.get(f"{W}type") is None]
    assert len(real) == 10
    styles = [s.get(f"{W}val") for s in document.iter(f"{W}pStyle")]
    assert "Heading1" in styles and "Heading2" in styles
    assert "PullQuote" in styles
    assert "Fixture Brief on Labour Rights" in core


def test_spanish_edition_uses_spanish_titles_and_numbering(built_basic: Path) -> None:
    text = "\n".join(pdf_text(built_basic / "es" / "fixture-brief.pdf"))
    assert "Convenio sobre el trabajo forzoso" in text  # title-es from the .bib
    assert "I. Introducción" in text
    assert "marzo de 2024" in text.lower()


def test_spanish_edition_has_its_notes_and_a_spanish_interface(built_basic: Path) -> None:
    reader = PdfReader(built_basic / "es" / "fixture-brief.pdf")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. (?=\S)", text, flags=re.M)]
    assert numbers == list(range(1, 11))
    # with the strings test_pdf_metadata_language_and_tags checks: every interface
    # string in Spanish, none left in English
    for spanish in ("INFORME", "Cómo citar", "Figura 1:", "Fuente:", "Edición en español"):
        assert spanish in text, spanish
    for english in ("Contents", "Cite as", "Accessed", "Figure 1", "Source:", "Sources",
                    "English edition", "March"):
        assert english not in text, english
    # the web's chart is drawn in outlines of the theme's font; print sets its text
    figures = built_basic / ".cache/figures"
    outlines = next(p for p in figures.glob("workers.es.*.svg") if ".text." not in p.name)
    assert '<path id="NotoSans-' in outlines.read_text() and "<text" not in outlines.read_text()
    assert "31.243" in text  # print sets the chart's text in the edition's fonts


def test_editions_link_to_each_other(built_basic: Path) -> None:
    spanish = html.parse(str(built_basic / "es" / "fixture-brief.html")).getroot()
    assert spanish.get("lang") == "es"
    assert spanish.xpath('//a[@hreflang="en"]/@href') == ["../en/fixture-brief.html"]
    english = html.parse(str(built_basic / "en" / "fixture-brief.html")).getroot()
    assert english.xpath('//a[@hreflang="es"]/@href') == ["../es/fixture-brief.html"]
