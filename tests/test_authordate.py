"""An author-date brief (APA): the reference list is in every edition and complete,
figure sources are formatted by the style, citations stand before the punctuation."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pdfplumber
import pytest
from lxml import html as lxml_html

from policybrief.log import Reporter
from policybrief.pipeline import build

ROOT = Path(__file__).parent / "roots" / "authordate"
ENTRIES = ["Example Statistics Office. (2024, November 2). Commuting Modes by District.",
           "Example Transit Authority. (2025). Ridership Report 2025.",
           "Roe, R., & Poe, P. (2022). Why People Drive."]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("authordate") / "authordate"
    shutil.copytree(ROOT, root)
    build(root, ["pdf", "html", "docx"], ["en"], None, Reporter(quiet=True))
    return root / "build" / "en"


def flat(text: str) -> str:
    return " ".join(text.split())


def test_html_cites_in_text_and_lists_every_source(built: Path) -> None:
    page = lxml_html.fromstring((built / "commuting.html").read_bytes())
    text = flat(page.xpath("//main")[0].text_content())
    assert "since the network opened (Example Transit Authority, 2025). Drivers" in text
    assert "more than cost (Roe & Poe, 2022, p. 110)." in text
    assert not page.xpath("//a[@class='footnote-ref']")  # no notes in an author-date brief
    caption = flat(page.xpath("//figcaption")[0].text_content())
    assert caption == "Figure 1: How commuters travel. Source: Example Statistics Office (2024)."
    entries = [flat(e.text_content()) for e in page.xpath("//div[@id='refs']/div")]
    assert len(entries) == 3  # the census is cited only by the figure, and listed
    for entry, expected in zip(entries, ENTRIES, strict=True):
        assert entry.startswith(expected)


def test_pdf_and_word_editions_end_with_the_reference_list(built: Path) -> None:
    with pdfplumber.open(built / "commuting.pdf") as pdf:
        text = flat(" ".join(p.extract_text() or "" for p in pdf.pages))
    word = flat(" ".join(p.text for p in docx.Document(str(built / "commuting.docx")).paragraphs))
    for edition in (text, word):
        for expected in ENTRIES:
            assert expected in edition
    assert "Source: Example Statistics Office (2024)." in text


def test_a_figure_source_without_author_loses_the_brackets(make_project) -> None:  # type: ignore[no-untyped-def]
    """Another language, another author-date style: a source with no author comes out
    of the in-text form whole in brackets; the caption's "Source:" drops them."""
    root = make_project("basic")
    config = root / "brief.yml"
    config.write_text(config.read_text().replace("style: house-notes.csl",
                                                 "style: chicago-author-date"))
    build(root, ["html"], ["es"], None, Reporter(quiet=True))
    page = lxml_html.fromstring((root / "build/es/fixture-brief.html").read_bytes())
    captions = [flat(c.text_content()) for c in page.xpath("//figcaption")]
    assert captions[0].endswith("Fuente: Smith y Research Collective (2015, 7).")
    assert captions[1].endswith("Fuente: Convenio sobre el trabajo forzoso 1930.")
