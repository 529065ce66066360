"""Every language an international organisation publishes in: the ``world`` fixture
(ar, zh, en, fr, ru, es, hi, pt, de) built in every format, and per language the
fonts, direction, labels, dates and note calls of each edition.

Scripts the authors cannot read are checked mechanically: every character of the PDF
text layer is drawn by one of the theme's fonts (no fallback, no missing glyph), the
fonts of the edition's own script are embedded, and the charts are drawn with them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import WORLD_LANGUAGES

from policybrief.errors import BriefError
from policybrief.fonts import language_script
from policybrief.i18n import format_brief_date
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only

LOCALES = Path(__file__).parent.parent / "src/policybrief/themes/default/locales"
SLUG = "fixture-brief"
# The family each script's text must be printed in (the theme's fonts.yml).
SCRIPT_FAMILY = {"Latn": "Latn", "Cyrl": "Latn", "Arab": "Arab", "Hani": "Hani",
                 "Deva": "Deva"}
CHART_FONT = {"Latn": "NotoSans-", "Cyrl": "NotoSans-", "Arab": "NotoSansArabic-",
              "Hani": "NotoSansCJKsc-", "Deva": "NotoSansDevanagari-"}


def catalogue(lang: str) -> dict[str, object]:
    data = yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def pdf_text_and_fonts(path: Path) -> tuple[str, set[str]]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    return "".join(c["text"] for c in chars), {c["fontname"].split("+", 1)[-1] for c in chars}


@pytest.mark.parametrize("lang", WORLD_LANGUAGES)
def test_every_glyph_is_printed_in_the_themes_fonts(built_world: Path, lang: str) -> None:
    text, fonts = pdf_text_and_fonts(built_world / f"build/{lang}/{SLUG}.pdf")
    assert fonts and all(f.startswith("PB-") for f in fonts), fonts
    script = SCRIPT_FAMILY[language_script(lang)]
    assert any(f.startswith(f"PB-Serif-{script}") for f in fonts), fonts  # the text
    assert any(f.startswith(f"PB-Sans-{script}") for f in fonts), fonts  # the headings
    assert "\ufffd" not in text and len(text) > 1500


@pytest.mark.parametrize("lang", WORLD_LANGUAGES)
def test_the_web_edition_declares_language_direction_and_its_own_fonts(
        built_world: Path, lang: str) -> None:
    html = (built_world / f"build/{lang}/{SLUG}.html").read_text(encoding="utf-8")
    direction = "rtl" if lang == "ar" else "ltr"
    assert re.search(rf'<html lang="{lang}" dir="{direction}">', html)
    script = SCRIPT_FAMILY[language_script(lang)]
    assert re.search(rf'@font-face \{{ font-family: "PB Serif {script}"; '
                     r'src: url\(data:font/woff2;base64,', html)
    assert re.search(rf'--serif: "PB Serif {script}"', html)  # its own script first
    # other editions are named in their own language and direction
    assert '<a href="../ar/' in html or lang == "ar"
    if lang != "ar":
        assert re.search(r'hreflang="ar" lang="ar" dir="rtl">العربية</a>', html)


@pytest.mark.parametrize("lang", WORLD_LANGUAGES)
def test_labels_dates_and_interface_are_the_languages(built_world: Path, lang: str) -> None:
    html = (built_world / f"build/{lang}/{SLUG}.html").read_text(encoding="utf-8")
    words = catalogue(lang)
    label = str(words["figure_numbered"]).format(n=1) + str(words["colon"])
    assert f'<span class="figure-label">{label}</span>' in html, label
    assert format_brief_date("2024-03", lang) in html
    assert f">{words['contents']}<" in html
    assert f"{words['source']}{words['colon']}" in html  # under every figure
    if lang == "en":
        return
    text, _fonts = pdf_text_and_fonts(built_world / f"build/{lang}/{SLUG}.pdf")
    english = catalogue("en")
    for key in ("contents", "cite_as", "published_by", "other_editions", "source", "notes"):
        theirs, ours = str(english[key]), str(words[key])
        if theirs != ours:  # no English interface string in the print edition
            assert theirs not in text, (key, theirs)
    assert "Figure 1" not in text or words["figure_numbered"] == "Figure {n}"
    if lang == "zh":  # "Cite as": parts joined with "，", not the list's "、"
        flat = "".join(text.split())
        assert "引用格式：" in flat
        line = flat.split("引用格式：", 1)[1][:40]
        assert "，《" in line and "、" not in line, line  # a title in 《 》


def test_arabic_word_edition_runs_right_to_left(built_world: Path) -> None:
    with zipfile.ZipFile(built_world / f"build/ar/{SLUG}.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        styles = docx.read("word/styles.xml").decode("utf-8")
    defaults = styles.split("<w:pPrDefault>", 1)[1].split("</w:pPrDefault>", 1)[0]
    assert "<w:bidi" in defaults  # every paragraph right to left, unless it says not
    assert 'w:bidi="ar"' in styles  # Word's language for the complex script
    assert "<w:bidi" in document.split("<w:sectPr", 1)[1]  # the section too
    assert document.count("<w:bidi") > 10 and "<w:rtl" in document  # pandoc's own marks
    assert 'w:cs="Noto Naskh Arabic"' in styles  # Word's complex-script font slot
    with zipfile.ZipFile(built_world / f"build/en/{SLUG}.docx") as docx:
        assert "<w:bidi />" not in docx.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize("lang", WORLD_LANGUAGES)
def test_charts_are_drawn_with_the_editions_fonts(built_world: Path, lang: str) -> None:
    drawn = [p for p in (built_world / "build/.cache/figures").glob(f"wages.{lang}.*.svg")
             if not p.name.endswith(".text.svg")]
    assert len(drawn) == 1, drawn
    svg = drawn[0].read_text(encoding="utf-8")
    prefix = CHART_FONT[language_script(lang)]
    assert re.search(rf'<path id="{re.escape(prefix)}', svg), prefix
    assert "<text" not in svg  # outlines: the same glyphs in every edition and format


def test_note_calls_stand_where_the_language_puts_them(built_world: Path) -> None:
    """French and Russian put the note call before the full stop; English after."""
    def first_note(lang: str) -> str:
        html = (built_world / f"build/{lang}/{SLUG}.html").read_text(encoding="utf-8")
        match = re.search(r'(.)<span class="citation"[^>]*><a href="#fn1" '
                          r'class="footnote-ref"[^>]*><sup>1</sup></a></span>(.)', html)
        assert match, lang
        return match.group(1) + match.group(2)

    assert first_note("en") == ". "  # "persons.¹ It was..."
    assert first_note("fr")[1] == "."  # "personnes¹. Il a été..."
    assert first_note("ru")[1] == "."


def test_a_character_without_a_font_is_refused_where_it_stands(
        make_project: Callable[..., Path]) -> None:
    """Tifinagh (Tamazight) is in no font of the default theme: a located error naming
    the script, from `brief check` and from the build, before anything is laid out."""
    root = make_project("basic", only="en")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nThe word ⵜⴰⵎⴰⵣⵉⵖⵜ.\n",
                       encoding="utf-8")
    line = chapter.read_text(encoding="utf-8").count("\n")
    _project, found = check_only(root)
    errors = [d for d in found if d.rule == "font-missing"]
    assert errors and errors[0].location is not None
    assert (errors[0].location.path.name, errors[0].location.line) == ("02-findings.md", line)
    assert "(U+2D5C, Tifinagh) has no glyph" in errors[0].message
    assert "declares no font for Tifinagh in fonts.yml" in errors[0].message
    with pytest.raises(BriefError) as refused:
        build(root, ["pdf"], ["en"], None, Reporter(quiet=True))
    assert "Tifinagh) has no glyph" in refused.value.format(root)
    assert not (root / "build/en/fixture-brief.pdf").exists()


def test_a_declared_font_not_on_the_machine_names_its_package(
        make_project: Callable[..., Path]) -> None:
    root = make_project("basic", only="en")
    theme = root / "theme"
    theme.mkdir()
    (theme / "theme.yml").write_text("extends: default\n", encoding="utf-8")
    declared = (LOCALES.parent / "fonts.yml").read_text(encoding="utf-8")
    (theme / "fonts.yml").write_text(declared.replace(
        "packages:", "packages:\n  PolicybriefTest-Tifinagh.ttf: fonts-noto-extra").replace(
        "mono:", "  Tfng: [PolicybriefTest-Tifinagh.ttf]\nmono:"), encoding="utf-8")
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: ./theme\n",
                      encoding="utf-8")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nThe word ⵜⴰⵎⴰⵣⵉⵖⵜ.\n",
                       encoding="utf-8")
    _project, found = check_only(root)
    errors = [d.message for d in found if d.rule == "font-missing"]
    assert errors and ("the theme's Tifinagh font PolicybriefTest-Tifinagh.ttf is not on "
                       "this machine (install Debian's fonts-noto-extra" in errors[0]), errors


def test_the_pdf_is_read_back_for_fonts_the_theme_did_not_declare() -> None:
    import weasyprint

    from policybrief.builders.pdf import foreign_glyphs

    pdf = weasyprint.HTML(string='<p style="font-family: \'DejaVu Sans\'">Tofu</p>').write_pdf()
    assert foreign_glyphs(pdf) == [(1, "DejaVu-Sans", "Tfou")]
    assert foreign_glyphs(pdf, ("DejaVu-Sans",)) == []  # a font the theme's CSS declares


def test_chinese_references_glued_to_the_text_are_refused_with_the_bracket_form(
        make_project: Callable[..., Path]) -> None:
    root = make_project("world")
    chapter = root / "chapters/zh/02-findings.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("如[@fig:workers]所示", "如@fig:workers所示"),
                       encoding="utf-8")
    _project, found = check_only(root)
    glued = [d for d in found if d.rule == "crossref-glued"]
    assert len(glued) == 1 and "write it in brackets, [@fig:workers]" in glued[0].message
    assert glued[0].location is not None and glued[0].location.path.name == "02-findings.md"


def test_french_high_punctuation_gets_its_narrow_space(built_world: Path,
                                                       make_project: Callable[..., Path]) -> None:
    html = (built_world / f"build/fr/{SLUG}.html").read_text(encoding="utf-8")
    assert "Figure 1\u202f:" in html and "Source\u202f:" in html
    root = make_project("world")
    chapter = root / "chapters/fr/02-findings.md"
    # a sentence added to the last paragraph (a paragraph of its own would be one more
    # than the source has: an alignment error)
    chapter.write_text(chapter.read_text(encoding="utf-8").rstrip("\n")
                       + " Vraiment? Oui: «mot».\n", encoding="utf-8")
    _project, found = check_only(root)
    spaced = [d for d in found if d.rule == "typography-high-punctuation"]
    assert [d.message.split("'")[1] for d in spaced] == ["?", ":", "«", "»"]
    build(root, ["html"], ["fr"], None, Reporter(quiet=True))
    html = (root / f"build/fr/{SLUG}.html").read_text(encoding="utf-8")
    assert "Vraiment\u202f? Oui\u202f: «\u202fmot\u202f»." in html


def test_arabic_bar_charts_read_from_the_right(built_world: Path) -> None:
    """Horizontal bars in Arabic: the categories on the right, the bars growing left,
    each value beyond its bar's end, written without the marks that turn it round."""
    chart = next(p for p in (built_world / "build/.cache/figures").glob("wages.ar.*.text.svg"))
    texts = {" ".join(t.split()): float(x) for x, t in re.findall(
        r'<text[^>]*x="([\d.]+)"[^>]*>([^<]*)</text>', chart.read_text(encoding="utf-8"))}
    # amounts by the currency's Arabic name (ar.yml's currency_display), not CLDR's "US$"
    assert texts["ناميبيا"] > texts["3,000 دولار أمريكي"] > texts["25,000 دولار أمريكي"], texts
    english = next(p for p in (built_world / "build/.cache/figures").glob("wages.en.*.text.svg"))
    texts = {" ".join(t.split()): float(x) for x, t in re.findall(
        r'<text[^>]*x="([\d.]+)"[^>]*>([^<]*)</text>', english.read_text(encoding="utf-8"))}
    assert texts["Namibia"] < texts["$3,000"] < texts["$25,000"], texts


def test_only_french_gets_the_space_before_high_punctuation() -> None:
    """German »quotes« and a colon after a space stay as written (found in review)."""
    from policybrief.pandoc.filters import punctuation

    german = {"blocks": [{"t": "Para", "c": [
        {"t": "Str", "c": "Er"}, {"t": "Space"}, {"t": "Str", "c": "sagte"}, {"t": "Space"},
        {"t": "Str", "c": "»Hallo«"}, {"t": "Space"}, {"t": "Str", "c": ":hover"}]}]}
    assert punctuation.apply(german, "", ("„", "“", "‚", "‘")) == german
    french = {"blocks": [{"t": "Para", "c": [{"t": "Str", "c": "Quoi?!"}]}]}
    assert punctuation.apply(french, "\u202f", ("«\u202f", "\u202f»", "“", "”"))[
        "blocks"][0]["c"] == [{"t": "Str", "c": "Quoi\u202f?!"}]


@pytest.mark.parametrize(("lang", "script"), [("ar", "Arab"), ("pa-PK", "Arab"),
                                              ("sd-IN", "Deva"), ("zh-Hant", "Hani"),
                                              ("ja-Jpan", "Hani"), ("pt-BR", "Latn"),
                                              ("he", "Hebr"), ("sr-Latn", "Latn")])
def test_a_languages_script_follows_its_region_and_script_subtags(lang: str,
                                                                   script: str) -> None:
    assert language_script(lang) == script


def test_a_theme_without_fonts_yml_builds_with_its_own_stylesheet_fonts(
        make_project: Callable[..., Path]) -> None:
    """A theme that declares no fonts is not refused for every character, and its
    charts are drawn with matplotlib's own fonts (found in review)."""
    import shutil

    root = make_project("basic", only="en")
    theme = root / "theme"
    shutil.copytree(LOCALES.parent, theme)
    (theme / "theme.yml").write_text("name: own\n", encoding="utf-8")
    (theme / "fonts.yml").unlink()
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: ./theme\n"
                      "templates_code: true\n", encoding="utf-8")
    _project, found = check_only(root)
    assert not [d for d in found if d.is_error], [d.format() for d in found]
    build(root, ["pdf", "html"], ["en"], None, Reporter(quiet=True))
    assert "@font-face" not in (root / f"build/en/{SLUG}.html").read_text(encoding="utf-8")


def test_a_damaged_font_is_a_located_error(make_project: Callable[..., Path]) -> None:
    root = make_project("basic", only="en")
    theme = root / "theme"
    (theme / "fonts").mkdir(parents=True)
    (theme / "theme.yml").write_text("extends: default\n", encoding="utf-8")
    (theme / "fonts/NotoSerif-Regular.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 8)
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: ./theme\n"
                      "templates_code: true\n", encoding="utf-8")
    with pytest.raises(BriefError) as refused:
        check_only(root)
    assert "font NotoSerif-Regular.ttf is damaged" in refused.value.format(root)


def test_latin_sources_in_an_arabic_edition_keep_their_own_direction(
        built_world: Path) -> None:
    """English titles cited in Arabic notes, and the Sources, are isolated left to right,
    as <bdi> would (their commas and quotation marks stay on their side)."""
    arabic = (built_world / f"build/ar/{SLUG}.html").read_text(encoding="utf-8")
    assert re.search(r'<span dir="ltr">[^<]*<span>[^<]*Forced Labour', arabic)
    # a source wholly in Latin script is isolated whole; one framed by citeproc's Arabic
    # terms ("العدد 4"), only in its Latin runs, so its numbers keep their order
    entries = re.findall(r'<div id="ref-[^"]*" class="csl-entry"([^>]*)>(.*?)</div>', arabic,
                         re.S)
    assert len(entries) == 3
    whole = [body for attrs, body in entries if 'dir="ltr"' in attrs]
    framed = [body for attrs, body in entries if 'dir="ltr"' not in attrs]
    assert whole and framed
    assert all('<span dir="ltr">' in body and ("العدد" in body or "تشرين" in body)
               for body in framed)
    english = (built_world / f"build/en/{SLUG}.html").read_text(encoding="utf-8")
    assert 'dir="ltr" role="listitem"' not in english


@pytest.mark.parametrize("lang", WORLD_LANGUAGES)
def test_numbers_and_note_terms_are_the_languages(built_world: Path, lang: str) -> None:
    """The chart's numbers in the language's digits and separators (CLDR), and the
    notes' "ibid." in the language's own term (the house style's locale for each)."""
    from babel.numbers import format_decimal

    chart = next(p for p in (built_world / "build/.cache/figures").glob(
        f"workers.{lang}.*.text.svg")).read_text(encoding="utf-8")
    number = format_decimal(31243, format="#,##0", locale=lang).replace("\u200f", "")
    assert number in chart.replace("\u200f", ""), number
    html = (built_world / f"build/{lang}/{SLUG}.html").read_text(encoding="utf-8")
    notes = html.split('role="doc-endnotes"', 1)[1]
    own_term = {"de": "Ebd.", "ru": "Там же", "zh": "同上", "ar": "المرجع نفسه",
                "hi": "वही", "pt": "Ibidem"}
    if lang in own_term:  # French and Spanish write "Ibid." too
        assert own_term[lang] in notes and "Ibid." not in notes, lang
    stop = str(catalogue(lang)["full_stop"])
    if stop != ".":  # a note ends with the language's full stop: "同上。", "वही।"
        assert own_term[lang] + stop in notes, lang


def test_sections_are_numbered_the_languages_way(built_world: Path) -> None:
    """brief.yml's roman numbering as each language writes it: 一、 in Chinese, أولاً -
    in UN Arabic (in the headings, the contents and cross-references), I. elsewhere."""
    chinese = (built_world / f"build/zh/{SLUG}.html").read_text(encoding="utf-8")
    assert '<span class="section-number">一、</span>导言' in chinese
    assert '<span class="toc-number">一、</span>' in chinese
    arabic = (built_world / f"build/ar/{SLUG}.html").read_text(encoding="utf-8")
    assert '<span class="section-number" dir="rtl">أولاً -</span>' in arabic
    assert '<span class="toc-number" dir="rtl">ثانياً -</span>' in arabic
    german = (built_world / f"build/de/{SLUG}.html").read_text(encoding="utf-8")
    assert '<span class="section-number">I.</span>' in german
    text, _fonts = pdf_text_and_fonts(built_world / f"build/zh/{SLUG}.pdf")
    assert "一、导言" in "".join(text.split())
