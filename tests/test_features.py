"""The authoring features of a typical brief, on a fixture that is not the flagship
(tests/roots/features): numbered tables and figures, cross-references of every kind,
call-out boxes, an appendix, lettered and nested lists; in PDF, HTML and DOCX."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from lxml import html as lxml_html

from policybrief.errors import BriefError
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only

ROOT = Path(__file__).parent / "roots" / "features"
SLUG = "water-access"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("features") / "features"
    shutil.copytree(ROOT, root)
    build(root, ["pdf", "html", "docx"], ["en"], None, Reporter(quiet=True))
    return root / "build" / "en"


@pytest.fixture(scope="session")
def page(built: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((built / f"{SLUG}.html").read_bytes())


@pytest.fixture(scope="session")
def pdf_pages(built: Path) -> list[str]:
    with pdfplumber.open(built / f"{SLUG}.pdf") as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def test_tables_and_figures_are_numbered_in_reading_order(page) -> None:  # type: ignore[no-untyped-def]
    captions = [" ".join(c.text_content().split()) for c in page.xpath("//table/caption")]
    assert [c.split(":")[0] for c in captions] == ["Table 1", "Table 2", "Table 3"]
    assert captions[0] == "Table 1: Households connected to the water network, by district"
    figure = " ".join(page.xpath("//figure[@id='fig:pattern']/figcaption")[0]
                      .text_content().split())
    assert figure.startswith("Figure 1: A grey striped test pattern")


def test_references_are_links_never_notes(page) -> None:  # type: ignore[no-untyped-def]
    refs = {a.get("href"): a.text_content() for a in page.xpath(
        "//a[@class='table-ref' or @class='figure-ref' or @class='section-ref']")}
    assert refs == {"#tbl:access": "Table 1", "#tbl:trend": "Table 2",
                    "#fig:pattern": "Figure 1", "#sec:method": "Section II",
                    "#sec:data-sources": "Appendix A", "#tbl:codes": "Table 3"}
    # only the four citations are notes: no "Tbl:access?" note from citeproc
    notes = page.xpath("//section[@role='doc-endnotes']//li")
    assert len(notes) == 4
    assert not page.xpath("//*[contains(text(), 'Tbl:') or contains(text(), '?)')]")
    # a bracketed reference keeps its words: "see the appendix, Appendix A"
    body = " ".join(page.text_content().split())
    assert "see the appendix, Appendix A for definitions" in body


def test_boxes_have_titles_and_kinds(page) -> None:  # type: ignore[no-untyped-def]
    boxes = page.xpath("//div[contains(@class, 'box ')]")
    kinds = [b.get("class") for b in boxes]
    assert kinds == ["box box-key-findings", "box box-recommendations", "box box-box"]
    titles = [b.xpath("./div[@class='box-title']")[0].text_content().strip() for b in boxes]
    assert titles == ["Key findings", "Recommendations", "How to read the tables"]
    assert all(b.get("role") == "note" and b.get("title") is None for b in boxes)


def test_wide_tables_scroll_in_a_named_focusable_region(page) -> None:  # type: ignore[no-untyped-def]
    for table in page.xpath("//table"):
        holder = table.getparent()
        assert holder.get("class") == "table-scroll"
        assert holder.get("tabindex") == "0" and holder.get("role") == "region"
        assert holder.get("aria-label").startswith("Table ")


def test_appendix_is_lettered_and_listed_in_the_contents(page, pdf_pages) -> None:  # type: ignore[no-untyped-def]
    heading = page.xpath("//section[@id='sec:data-sources']/h2")[0]
    assert " ".join(heading.text_content().split()).startswith("Appendix A. Data sources")
    contents = pdf_pages[2]
    assert re.search(r"A\. ?Data sources[ .]+\d+", contents), contents
    assert re.search(r"Sources[ .]+\d+", contents), contents  # the Sources section too
    toc = [" ".join(a.text_content().split()) for a in page.xpath("//nav[@class='toc']//a")]
    assert "Sources" in toc


def test_lettered_and_nested_lists_print_their_letters(page, pdf_pages) -> None:  # type: ignore[no-untyped-def]
    assert page.xpath("//ol[@type='a']/li") and page.xpath("//ol[@type='a']//ol[@type='i']")
    text = "\n".join(pdf_pages)
    for marker, words in (("a.", "whether the household"), ("b.", "since when"),
                          ("c.", "how often supply"), ("ii.", "weekly")):
        assert re.search(rf"{re.escape(marker)} {words}", text), (marker, words)


def test_table_rows_never_split_and_headers_repeat(built: Path) -> None:
    with pdfplumber.open(built / f"{SLUG}.pdf") as pdf:
        table_pages = []
        for number, pdf_page in enumerate(pdf.pages, start=1):
            lines = (pdf_page.extract_text() or "").splitlines()
            rows = [line for line in lines if re.search(r"\d{1,2},\d{3} \d+\.\d%$", line)]
            if rows:
                table_pages.append(number)
                assert "District Households Share connected" in lines, number
            for line in lines:  # a district's row holds its numbers on the same line
                if re.match(r"^(North|South|East|West|Lake|Hill|River)\w* (North|Central|South)$",
                            line):
                    pytest.fail(f"a row split from its numbers on page {number}: {line}")
        assert len(table_pages) >= 2  # the long table does run over a page break
        words = [w["text"] for p in pdf.pages for w in p.extract_words()]
        assert "Massachusetts" in words and not any(w.endswith("-") and w[:-1].isalpha()
                                                   and len(w) > 3 for w in words)


def test_no_glyph_outside_the_page(built: Path) -> None:
    with pdfplumber.open(built / f"{SLUG}.pdf") as pdf:
        for pdf_page in pdf.pages:
            for char in pdf_page.chars:
                assert char["x0"] >= 0 and char["x1"] <= pdf_page.width + 0.5, char["text"]
                assert char["top"] >= 0 and char["bottom"] <= pdf_page.height + 0.5


def test_word_edition_has_numbered_tables_boxes_and_sized_columns(built: Path) -> None:
    with zipfile.ZipFile(built / f"{SLUG}.docx") as docx:
        document = docx.read("word/document.xml").decode()
        styles = docx.read("word/styles.xml").decode()
    text = re.sub(r"<[^>]+>", "", document)
    for words in ("Table 1: Households connected", "Table 3: Codes", "Appendix A.",
                  "see the appendix, Appendix A", "Key findings"):
        assert words in text, words
    assert 'w:styleId="BoxTitle"' in styles and 'w:fill="F1F4F8"' in styles
    assert document.count('w:val="BoxTitle"') == 3
    # the district column gets the room its names need; the numbers the rest
    first_grid = re.search(r"<w:tblGrid>(.*?)</w:tblGrid>", document).group(1)
    widths = [int(w) for w in re.findall(r'w:w="(\d+)"', first_grid)]
    assert len(widths) == 3 and widths[0] > widths[1] and widths[0] > widths[2]


@pytest.mark.parametrize(("written", "rule", "words"), [
    ("@eq:energy", "crossref-kind", "unknown cross-reference '@eq:energy'"),
    ("@tbl:missing", "crossref-target", "'@tbl:missing' points at no table"),
    ("@sec:nowhere", "crossref-target", "'@sec:nowhere' points at no section"),
])
def test_bad_references_are_located_errors(make_project, written: str, rule: str,
                                           words: str) -> None:
    root = make_project("features")
    chapter = root / "chapters/en/03-appendix.md"
    chapter.write_text(chapter.read_text().replace("in @tbl:codes.", f"in {written}."))
    _project, found = check_only(root)
    errors = [d for d in found if d.is_error]
    assert [(d.rule, d.location.line) for d in errors] == [(rule, 3)], errors
    assert words in errors[0].message
    with pytest.raises(BriefError):
        build(root, ["html"], ["en"], None, Reporter(quiet=True))


def test_references_use_the_edition_language() -> None:
    from policybrief.pandoc.filters import crossref

    spanish = {"table_numbered": "Tabla {n}", "figure_numbered": "Figura {n}",
               "section_numbered": "Sección {n}", "appendix_numbered": "Anexo {n}",
               "colon": ":", "quote_open": "«", "quote_close": "»"}
    table = {"t": "Table", "c": [["tbl:x", [], []], [None, [{"t": "Plain", "c": [
        {"t": "Str", "c": "Datos"}]}]], [], [["", [], []], []], [], [["", [], []], []]]}
    cite = {"t": "Cite", "c": [[{"citationId": "tbl:x", "citationPrefix": [],
                                 "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
                                 "citationNoteNum": 1, "citationHash": 0}], []]}
    doc, missing = crossref.apply({"blocks": [table, {"t": "Para", "c": [cite]}]},
                                  spanish.__getitem__)
    assert missing == []
    assert doc["blocks"][1]["c"][0]["c"][1] == [{"t": "Str", "c": "Tabla"}, {"t": "Space"},
                                                {"t": "Str", "c": "1"}]
    label = doc["blocks"][0]["c"][1][1][0]["c"][0]
    assert label["c"][1] == [{"t": "Str", "c": "Tabla"}, {"t": "Space"}, {"t": "Str", "c": "1:"}]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_crowded_cover_stays_on_one_page(make_project, paper: str) -> None:
    """A long title, three authors and a long address fit the cover on either paper."""
    root = make_project("features")
    config = root / "brief.yml"
    text = config.read_text().replace(
        "title: Water Access in Example County",
        "title: Water Access, Affordability and Reliability in the Rural Districts of "
        "Example County, 2016 to 2024")
    text = text.replace("  - name: Ada Example\n    role: Analyst\n", "".join(
        f"  - name: {name} Example\n    role: Senior Analyst, Water and Sanitation\n"
        for name in ("Ada", "Bo", "Cy")))
    text = text.replace("  address: [1 Example Street, Example City]",
                        "  unit: Centre for Public Infrastructure\n"
                        "  address: [1 Example Street, Suite 200, Example City, EX 12345]")
    config.write_text(text + f"paper: {paper}\n")
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True))
    with pdfplumber.open(root / "build/en/water-access.pdf") as pdf:
        cover, colophon = (" ".join((p.extract_text() or "").split()) for p in pdf.pages[:2])
        size = (round(pdf.pages[0].width), round(pdf.pages[0].height))
    assert size == ((612, 792) if paper == "letter" else (595, 842))
    assert "RURAL DISTRICTS" in cover and "Cy Example" in cover and "EX 12345" in cover
    assert colophon.startswith("Edition"), colophon[:80]


def test_url_gives_canonical_and_absolute_language_links(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    config = root / "brief.yml"
    config.write_text(config.read_text() + "url: https://example.org/briefs/labour/\n")
    build(root, ["html"], ["en", "es"], None, Reporter(quiet=True))
    page = lxml_html.fromstring((root / "build/es/fixture-brief.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "https://example.org/briefs/labour/es/fixture-brief.html"]
    alternates = dict(zip(page.xpath("//link[@rel='alternate']/@hreflang"),
                          page.xpath("//link[@rel='alternate']/@href"), strict=True))
    assert alternates == {"es": "https://example.org/briefs/labour/es/fixture-brief.html",
                          "en": "https://example.org/briefs/labour/en/fixture-brief.html"}
    icon = page.xpath("//link[@rel='icon']/@href")[0]
    assert icon.startswith("data:image/svg+xml;base64,")  # no request, no 404
    config.write_text(config.read_text().replace("https://example.org/briefs/labour/",
                                                 "example.org"))
    with pytest.raises(BriefError, match="url must be an http"):
        check_only(root)


def test_a_theme_may_number_appendix_tables_per_appendix(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project("features")
    (root / "theme").mkdir()
    (root / "theme" / "theme.yml").write_text("extends: default\nappendix_numbering: lettered\n")
    config = root / "brief.yml"
    config.write_text(config.read_text() + "theme: ./theme\n")
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    page = lxml_html.fromstring((root / "build/en/water-access.html").read_bytes())
    captions = [c.text_content().split(":")[0] for c in page.xpath("//table/caption")]
    assert captions == ["Table 1", "Table 2", "Table A-1"]
    assert page.xpath("//a[@href='#tbl:codes']")[0].text_content() == "Table A-1"
    (root / "theme" / "theme.yml").write_text("appendix_numbering: by-letter\n")
    with pytest.raises(BriefError, match="appendix_numbering is one of: continuous, lettered"):
        check_only(root)


def test_without_url_no_relative_language_alternates(make_project) -> None:  # type: ignore[no-untyped-def]
    """Search engines refuse relative hreflang links: without brief.yml's url the page
    keeps its visible language switcher and no <link rel=alternate>; the description
    comes from the first paragraph when brief.yml gives none."""
    root = make_project("basic")
    build(root, ["html"], ["en", "es"], None, Reporter(quiet=True))
    page = lxml_html.fromstring((root / "build/en/fixture-brief.html").read_bytes())
    assert page.xpath("//link[@rel='alternate' or @rel='canonical']") == []
    assert page.xpath("//a[@hreflang='es']/@href") == ["../es/fixture-brief.html"]
    description = page.xpath("//meta[@name='description']/@content")[0]
    assert description.startswith("The Palermo Protocol defines") and len(description) <= 161
