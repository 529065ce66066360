"""The print edition, checked as a reader and a printer would: notes on their pages,
a table of contents that tells the truth, nothing off the page, fonts embedded,
metadata and tags present, no empty or overfull pages."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pypdfium2
import pytest
from pypdf import PdfReader

from policybrief.builders.pdf import misplaced_footnotes

MM = 72 / 25.4  # points per millimetre
NOTES = 57  # the notes of the ``report`` fixture brief
NOTE = re.compile(r"^(\d{1,3})\. (?=\S)", flags=re.M)  # "12. Smith..." (not "1. " of a list)


@pytest.fixture(scope="module")
def report_pdf(built_report: Path) -> Path:
    """The ``report`` fixture brief: five sections, notes over eight pages, two charts
    and a table, long links in notes and captions, a cover with every field."""
    return built_report / "en" / "fixture-report.pdf"


def test_notes_in_order_page_by_page(report_pdf: Path) -> None:
    """Each page's notes continue where the last page's stopped: 1..57, none twice."""
    seen: list[int] = []
    pages_with_notes = 0
    for page in PdfReader(report_pdf).pages:
        numbers = [int(n) for n in NOTE.findall(page.extract_text() or "")]
        seen += numbers
        pages_with_notes += bool(numbers)
    assert seen == list(range(1, NOTES + 1))
    assert pages_with_notes >= 6  # the notes really run over many pages


def outline_pages(reader: PdfReader) -> dict[str, int]:
    pages: dict[str, int] = {}

    def visit(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                visit(item)
            else:
                pages[" ".join(item.title.split())] = reader.get_destination_page_number(item) + 1

    visit(reader.outline)
    return pages


def test_toc_page_numbers_match_the_headings(report_pdf: Path) -> None:
    reader = PdfReader(report_pdf)
    bookmarks = {" ".join(b.replace(".", " ").split()): page
                 for b, page in outline_pages(reader).items()}
    toc_page = next(p for p in reader.pages if (p.extract_text() or "").startswith("Contents"))
    lines = (toc_page.extract_text() or "").splitlines()[1:]
    entries: list[str] = []
    pending = ""
    for line in lines:  # a long title wraps: its page number ends the last of its lines
        pending = f"{pending} {line}".strip()
        if re.search(r"(?: \.)+ \d+$", pending):
            entries.append(pending)
            pending = ""
    assert pending == "", f"contents line without a page number: {pending!r}"
    # the five sections, their six subsections (not the levels below) and the sources
    assert len(entries) == 12, entries
    pages = []
    for entry in entries:
        match = re.fullmatch(r"(.+?)(?: \.)+ (\d+)", entry)
        assert match, entry
        title = " ".join(match[1].replace(".", " ").split())
        assert title in bookmarks, f"contents entry without a bookmark: {title!r}"
        assert bookmarks[title] == int(match[2]), (title, bookmarks[title], match[2])
        pages.append(int(match[2]))
    assert pages == sorted(pages) and pages[-1] > pages[0]


def test_top_level_sections_are_bookmarked_and_numbered(report_pdf: Path) -> None:
    titles = list(outline_pages(PdfReader(report_pdf)))
    numbered = [t for t in titles if re.match(r"[IVX]+\. ", t)]
    assert numbered == ["I. Summary", "II. Definitions", "III. Recruitment", "IV. Wages",
                        "V. Conclusion"]
    # subsections are bookmarked too, unnumbered, down to the fourth level
    assert {"The Palermo Protocol", "Debt at Departure", "Interest and Deductions"} <= set(titles)


def test_no_text_outside_the_page(report_pdf: Path) -> None:
    chars = 0
    with pdfplumber.open(report_pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                assert char["x0"] >= 10 * MM and char["x1"] <= page.width - 10 * MM, (
                    number, char["text"], char["x0"], char["x1"])
                assert char["top"] >= 8 * MM and char["bottom"] <= page.height - 8 * MM, (
                    number, char["text"])
                chars += 1
    assert chars > 10_000  # every page was read


def test_fonts_are_embedded(report_pdf: Path) -> None:
    reader = PdfReader(report_pdf)
    fonts = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            fonts += 1
    assert fonts > 0


def test_metadata_language_and_structure(report_pdf: Path) -> None:
    reader = PdfReader(report_pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Seasonal Workers Abroad"
    assert meta.author == "Ada Example"
    assert meta.subject and meta.subject.startswith("How recruitment fees, withheld wages")
    assert str(meta.get("/Keywords")) == ("forced labour, seasonal work, recruitment fees, "
                                          "wage theft")
    assert re.fullmatch(r"[0-9a-f]{12}", str(meta.get("/policybriefsources")))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and "/MarkInfo" in root


def test_cover_and_colophon(report_pdf: Path) -> None:
    reader = PdfReader(report_pdf)
    cover = reader.pages[0].extract_text() or ""
    for text in ("EXAMPLE FOUNDATION", "SEASONAL WORKERS", "REPORT", "MAY 2023", "Ada Example",
                 "Research Fellow", "Centre for Labour Studies", "250 Example Street, #4",
                 "Example City, EX 10001", "example.org"):
        assert text in cover, text
    colophon = reader.pages[1].extract_text() or ""
    assert "Cite as:" in colophon and "English edition" in colophon
    assert "Sources fingerprint" in colophon
    assert re.search(r"Built\s*[A-Z][a-z]+ \d{1,2}, \d{4}", colophon)  # the language's date
    assert "Cite as: " in colophon  # a space after the label's colon
    assert "©" not in colophon and "Licen" not in colophon  # none configured: none invented


def page_images(path: Path, scale: float = 0.4):  # type: ignore[no-untyped-def]
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            yield pdf[index].render(scale=scale).to_pil().convert("L")
    finally:
        pdf.close()


def test_no_empty_or_overfull_pages(report_pdf: Path) -> None:
    scale = 0.4
    band = int(12 * MM * scale)  # outer 12 mm, inside the 22–24 mm side margins
    pages = 0
    for number, image in enumerate(page_images(report_pdf, scale), start=1):
        pages += 1
        width, height = image.size
        pixels = image.load()
        dark = sum(1 for x in range(0, width, 2) for y in range(0, height, 2) if pixels[x, y] < 200)
        assert dark > 50, f"page {number} is empty"
        if number == 1:  # the cover is a full-bleed colour page
            continue
        margin_ink = sum(1 for x in [*range(band), *range(width - band, width)]
                         for y in range(height) if pixels[x, y] < 200)
        assert margin_ink == 0, f"page {number} has ink in its side margins"
    assert pages >= 10


def test_letter_paper_rights_and_archive_switches(make_project) -> None:  # type: ignore[no-untyped-def]
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    root = make_project()
    config = root / "brief.yml"
    config.write_text(config.read_text() + "paper: letter\narchive: true\n"
                      "rights: © 2024 Example Foundation. CC BY 4.0.\n")
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True))
    reader = PdfReader(root / "build/en/fixture-brief.pdf")
    box = reader.pages[2].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert "© 2024 Example Foundation. CC BY 4.0." in (reader.pages[1].extract_text() or "")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in xmp and "pdfaid:conformance" in xmp


def fake_document(pages: list[tuple[list[str], list[str]]]) -> SimpleNamespace:
    """A stand-in for WeasyPrint's laid-out document: per page, calls and set notes."""
    def box(name: str, ident: str, children: list | None = None) -> SimpleNamespace:  # type: ignore[type-arg]
        element = SimpleNamespace(get=lambda key, default="": ident if key == "id" else default)
        return SimpleNamespace(element_tag=name, element=element, children=children or [],
                               descendants=lambda: [])

    out = []
    for calls, notes in pages:
        body = SimpleNamespace(descendants=lambda calls=calls: [
            type("InlineBox", (), {"element_tag": "span::footnote-call",
                                   "element": box("span", c).element})() for c in calls])
        area = type("FootnoteAreaBox", (), {"children": [box("span", n) for n in notes]})()
        out.append(SimpleNamespace(_page_box=SimpleNamespace(children=[body, area])))
    return SimpleNamespace(pages=out)


def test_footnote_check_names_lost_and_moved_notes() -> None:
    document = fake_document([(["fn1", "fn2"], ["fn1"]), (["fn3"], ["fn2", "fn3"])])
    expected = {2: "note 2 called on page 1 but set on page 2"}
    assert misplaced_footnotes(document, range(1, 4)) == expected
    lost = fake_document([(["fn1", "fn2"], ["fn1"])])
    assert misplaced_footnotes(lost, range(1, 3)) == {2: "note 2 set 0 times"}


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

    def visit(items: list, depth: int = 0) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    visit(reader.outline)
    return out


def _link_targets(reader: PdfReader) -> list[str]:
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                action = annotation.get("/A")
                targets.append(str(annotation.get("/Dest") or (action or {}).get("/URI")))
    return sorted(targets)


def test_section_layout_matches_whole_document_layout(make_project) -> None:  # type: ignore[no-untyped-def]
    """Laying out each top-level section on its own (the default) gives the same pages as
    laying out the whole edition at once: text layer, page count, outline, links."""
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    root = make_project()
    build(root, ["pdf"], ["en"], root / "sections", Reporter(quiet=True))
    config = root / "brief.yml"
    config.write_text(config.read_text() + "print_layout: whole\n")
    build(root, ["pdf"], ["en"], root / "whole", Reporter(quiet=True))
    sections = PdfReader(root / "sections/en/fixture-brief.pdf")
    whole = PdfReader(root / "whole/en/fixture-brief.pdf")
    assert len(sections.pages) == len(whole.pages) >= 6

    def text(page) -> str:  # type: ignore[no-untyped-def]
        # the sources fingerprint differs: brief.yml differs by the layout switch
        return re.sub(r"Sources fingerprint\s*[0-9a-f]{12}", "", page.extract_text() or "")

    for number, (a, b) in enumerate(zip(sections.pages, whole.pages, strict=True), start=1):
        assert text(a) == text(b), f"page {number} differs"
    assert _outline(sections) == _outline(whole)
    assert _link_targets(sections) == _link_targets(whole)
    contents = next(p.extract_text() for p in sections.pages
                    if (p.extract_text() or "").startswith("Contents"))
    assert re.search(r"Findings[ .]+\d+", contents)


def test_unchanged_sections_are_not_laid_out_again(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In one process (brief watch), an edit lays out only the section it touches and
    the front matter (its contents and fingerprint change); the front matter laid out to
    count its pages, the untouched chapter and the sources come from the cache."""
    import weasyprint

    from policybrief.builders.warm import WarmState
    from policybrief.pipeline import EditionJob, render_edition
    from policybrief.project import fingerprint, load_project

    laid_out: list[str] = []  # the text of every document WeasyPrint lays out
    render = weasyprint.HTML.render

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        laid_out.append(" ".join("".join(self.etree_element.itertext()).split()))
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", spy)
    root = make_project(only="en")
    state = WarmState(keep_paint=True)  # what brief watch keeps between builds

    def job() -> EditionJob:
        project = load_project(root)
        return EditionJob(project, "en", ("pdf",), root / "build", 0,
                          fingerprint(project, project.edition("en")), state)

    render_edition(job())
    # the front matter twice (to count its pages, then with the contents), the two
    # chapters and the sources
    assert len(laid_out) == 5, laid_out
    laid_out.clear()
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text().replace("The conclusion follows.",
                                                   "The revised conclusion follows."))
    render_edition(job())
    assert len(laid_out) == 2, laid_out
    section, front = laid_out
    assert "The revised conclusion follows." in section and "Palermo" not in section
    assert "Contents" in front and "revised" not in front


def test_replayed_pages_give_the_same_bytes_as_painted_ones(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """brief watch replays the paint of unchanged pages; the PDF must be the one a cold
    build of the same sources writes, byte for byte. The first chapter shows glyphs
    nothing before it shows, so their order in the fonts (which reaches the bytes)
    comes from replayed pages after an edit to the second chapter; an edit to the
    first chapter then replays the pages after it."""
    import subprocess
    import sys

    from policybrief.builders import weasy
    from policybrief.builders.warm import WarmState
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project(only="en")
    replays: list[int] = []
    state = WarmState(keep_paint=True)
    replay = weasy.PaintRecord.replay
    monkeypatch.setattr(weasy.PaintRecord, "replay",
                        lambda self, stream: (replays.append(1), replay(self, stream))[1])
    first = root / "chapters/en/01-introduction.md"
    second = root / "chapters/en/02-findings.md"
    first.write_text(first.read_text().replace(
        "It was\nadopted in 2000.", "It was\nadopted in 2000 (quixotic jazz: 42% of ½ & #7)."))

    def same_as_cold_build(edit: Path, old: str, new: str) -> None:
        replays.clear()
        edit.write_text(edit.read_text().replace(old, new))
        build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
        assert replays  # pages of the sections the edit did not touch were replayed
        subprocess.run([sys.executable, "-m", "policybrief", "build", "--to", "pdf",
                        "--force", "--quiet", "--project", str(root), "--out",
                        str(root / "cold")], check=True, capture_output=True)
        warm = (root / "build/en/fixture-brief.pdf").read_bytes()
        text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(warm)).pages)
        assert new in " ".join(text.split())  # the warm build shows the edit
        assert (root / "cold/en/fixture-brief.pdf").read_bytes() == warm

    build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
    same_as_cold_build(second, "The conclusion follows.", "The conclusion follows now.")
    same_as_cold_build(first, "We interviewed two", "We interviewed exactly two")
    records = [page.__dict__.get(weasy.ATTRIBUTE)
               for layout in state.layouts.values() for page in layout.pages]
    # pages drawing the figures (images and groups, named by a running count) are
    # painted every time; text pages are replayed
    assert False in records and any(isinstance(r, weasy.PaintRecord) for r in records)


def test_replay_keeps_first_glyph_text_and_code_block_numbers(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two ways a warm build could differ from a cold one (found in review): the text of
    a glyph is set by the first page showing it (U+FB01 typed, or the "fi" ligature),
    and pandoc numbers code blocks without an id across the whole document."""
    import shutil
    import subprocess
    import sys

    from policybrief.builders.warm import WarmState
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project(only="en")
    state = WarmState(keep_paint=True)
    shutil.rmtree(root / "figures")
    first = root / "chapters/en/01-introduction.md"
    second = root / "chapters/en/02-findings.md"
    code = "\n\n```python\nprint(1)\n```\n"
    first.write_text("# Introduction\n\nA \ufb01le was opened.[@ilo-1930]" + code)
    second.write_text("# Findings\n\nThe financial office confirmed it.[@smith-2015]" + code)
    pdf = root / "build/en/fixture-brief.pdf"

    def cold_build() -> bytes:
        subprocess.run([sys.executable, "-m", "policybrief", "build", "--to", "pdf", "--force",
                        "--quiet", "--project", str(root), "--out", str(root / "cold")],
                       check=True, capture_output=True)
        return (root / "cold/en/fixture-brief.pdf").read_bytes()

    build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
    second.write_text(second.read_text().replace("confirmed", "has confirmed"))
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
    assert pdf.read_bytes() == cold_build()
    first.write_text(first.read_text().replace("\ufb01le", "note"))
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
    assert pdf.read_bytes() == cold_build()
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "financial" in text and "\ufb01" not in text


def test_glyphs_are_read_from_the_page_operators() -> None:
    from policybrief.builders.weasy import shown_glyphs

    assert shown_glyphs([b"/ABCDEF 9 Tf", b"[<00410042>-20<0043>] TJ"]) == [
        ("ABCDEF", 0x41), ("ABCDEF", 0x42), ("ABCDEF", 0x43)]
    assert shown_glyphs([b"/F 9 Tf", b"[<4142>] TJ", b"(x) Tj"]) is None
    assert shown_glyphs([b"/F 9 Tf", b"[<414>] TJ"]) is None  # not 4-digit glyph ids


def test_paint_replay_is_off_on_an_unverified_weasyprint(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Paint replay reads WeasyPrint's private stream: with another version installed
    it is off, the build log says so, and every page is painted as WeasyPrint does."""
    from policybrief.builders import weasy
    from policybrief.builders.warm import WarmState
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    monkeypatch.setattr(weasy, "installed_version", lambda: "71.0")
    root = make_project(only="en")
    state = WarmState(keep_paint=True)
    result = build(root, ["pdf"], ["en"], None, Reporter(quiet=True), state=state)
    said = [d.message for d in result.diagnostics if d.rule == "print-layout"]
    assert any("paint replay is off: WeasyPrint 71.0 is installed" in m for m in said), said
    pages = [page for layout in state.layouts.values() for page in layout.pages]
    assert pages and not any(weasy.ATTRIBUTE in page.__dict__ or "paint" in page.__dict__
                             for page in pages)


def test_chinese_lines_are_justified_between_their_characters() -> None:
    """Every line but the last reaches the right edge of the column, whether it is
    all Chinese (no space to stretch) or mixed with Latin words (see weasy)."""
    import weasyprint

    from policybrief.builders import weasy

    assert weasy.install_cjk_justification()
    text = ("《巴勒莫议定书》对贩运人口作出了定义。该议定书于2000年通过。其定义涵盖强迫劳动。"
            "强迫劳动是贩运人口的一种形式，而非较轻的罪行。国际劳工组织对此表示赞同，"
            "ILO Convention No. 29 亦然。我们访谈了两名工人。第二条注释重复引用了一个来源。")
    html = ('<html lang="zh"><head><meta charset="utf-8"><style>@page { size: 120mm 200mm; '
            'margin: 10mm } body { margin: 0; font: 10pt "Noto Serif CJK SC" } '
            f'p {{ text-align: justify; margin: 0 }}</style></head><body><p>{text}</p>'
            '</body></html>')
    data = weasyprint.HTML(string=html).write_pdf()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = pdf.pages[0].chars
    lines: dict[int, list[float]] = {}
    for char in chars:
        lines.setdefault(round(char["top"]), []).append(char["x1"])
    ends = [max(xs) for _top, xs in sorted(lines.items())]
    edge = (120 - 10) / 25.4 * 72
    assert len(ends) >= 4, ends
    assert all(abs(end - edge) < 0.5 for end in ends[:-1]), (edge, ends)
    assert ends[-1] < edge - 5  # the last line is not stretched
