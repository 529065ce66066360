"""Citation styles as citeproc is given them (``policybrief.csl``): a dependent style
never reaches the network, and every edition's title marks are the catalogue's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from policybrief import csl
from policybrief.errors import ConfigError
from policybrief.pipeline import check_only

DEPENDENT = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-US">
  <info>
    <title>A journal</title>
    <id>http://www.zotero.org/styles/a-journal</id>
    <link href="http://www.zotero.org/styles/{parent}" rel="independent-parent"/>
    <updated>2020-01-01T00:00:00+00:00</updated>
  </info>
</style>
"""


def test_a_dependent_style_takes_its_installed_parent(tmp_path: Path) -> None:
    style = tmp_path / "journal.csl"
    style.write_text(DEPENDENT.format(parent="apa"), encoding="utf-8")
    assert csl.independent(style) == csl.packaged_styles() / "apa.csl"


def test_a_dependent_style_whose_parent_is_not_installed_is_refused_at_its_link(
        tmp_path: Path) -> None:
    """Pandoc would fetch the parent's URL (it does, even with --sandbox)."""
    style = tmp_path / "journal.csl"
    style.write_text(DEPENDENT.format(parent="no-such-style-anywhere"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        csl.independent(style)
    assert caught.value.location is not None and caught.value.location.line == 6
    assert "does not fetch styles from the network" in caught.value.message


def test_a_brief_with_an_unresolvable_dependent_style_fails_its_checks(
        make_project: Callable[..., Path]) -> None:
    root = make_project(only="en")
    (root / "journal.csl").write_text(DEPENDENT.format(parent="no-such-style-anywhere"),
                                      encoding="utf-8")
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "style: house-notes.csl", "style: journal.csl"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        check_only(root)
    assert caught.value.location is not None
    assert caught.value.location.path.name == "journal.csl"


def test_a_style_that_is_not_xml_is_refused_where_it_breaks(tmp_path: Path) -> None:
    style = tmp_path / "broken.csl"
    style.write_text('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n'
                     "  <info>\n</style>\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        csl.independent(style)
    assert caught.value.location is not None and caught.value.location.line == 4


def test_title_marks_replace_the_styles_own_for_the_editions_language(tmp_path: Path) -> None:
    source = (csl.packaged_styles() / "chicago-author-date-17th-edition.csl").read_bytes()
    marks = csl.Quotes("《", "》", "“", "”")
    once = csl.edition_style(source, tmp_path / "s.csl", "zh", marks)
    twice = csl.edition_style(once, tmp_path / "s.csl", "zh", marks)
    root = etree.fromstring(twice)
    ns = {"c": csl.CSL}
    locales = root.xpath("c:locale[@xml:lang='zh']", namespaces=ns)
    assert len(locales) == 1  # added once, then replaced in place
    terms = {t.get("name"): t.text for t in locales[0].xpath("c:terms/c:term", namespaces=ns)}
    assert terms == {"open-quote": "《", "close-quote": "》", "open-inner-quote": "“",
                     "close-inner-quote": "”"}
    assert locales[0].getprevious().tag == f"{{{csl.CSL}}}info"  # where CSL wants locales


def test_portuguese_citations_quote_titles_as_the_text_does(built_world: Path) -> None:
    """pt is Brazilian (CLDR): “ ”; citeproc's own pt locale would give Portugal's « »."""
    html = (built_world / "build/pt/fixture-brief.html").read_text(encoding="utf-8")
    assert "“Palermo Protocol”" in html and "«" not in html
    chinese = (built_world / "build/zh/fixture-brief.html").read_text(encoding="utf-8")
    assert "《Palermo Protocol》" in chinese


def test_locator_labels_typed_in_the_source_language_are_read_in_every_edition(
        built_world: Path) -> None:
    """Translations copy their citations untouched ("[@smith-2015, p. 14]"): German
    citeproc, whose label is "S.", would print "p. 14" as typed and lose its ibid."""
    for lang in ("de", "ru", "zh", "ar", "pt", "hi"):
        html = (built_world / f"build/{lang}/fixture-brief.html").read_text(encoding="utf-8")
        notes = html.split('role="doc-endnotes"', 1)[1]
        assert "p. 14" not in notes and "pp. 3–5" not in notes, lang
    german = (built_world / "build/de/fixture-brief.html").read_text(encoding="utf-8")
    assert "Seite 14" in german and "Seiten 3–5" in german


def test_a_citations_parts_are_joined_the_languages_way(built_world: Path) -> None:
    """The style's ", " becomes the catalogue's part_separator: "，" in Chinese, "، "
    in Arabic; English and the other languages keep ", "."""
    def notes(lang: str) -> str:
        import re

        html = (built_world / f"build/{lang}/fixture-brief.html").read_text(encoding="utf-8")
        return re.sub(r"<[^>]+>", "", html.split('role="doc-endnotes"', 1)[1])

    assert "OHCHR，2000年11月15日，" in notes("zh")
    assert "Collective، " in notes("ar") and "OHCHR، " in notes("ar")
    assert "OHCHR, 15 Nov. 2000, " in notes("en")


def test_the_probe_reads_every_label_the_source_language_types(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    """Through citeproc itself: English's labels, the house style's own ("art." for
    the legal article, kept as the "opus" term), the first one too (citeproc
    capitalises a note's first letter)."""
    from policybrief.prepare import _typed_labels
    from policybrief.project import load_project

    labels = _typed_labels(load_project(make_project(only="en")), tmp_path)
    assert labels["book"]["long"] == ["book", "books"]  # the first the probe prints
    assert labels["page"] == {"long": ["page", "pages"], "short": ["p.", "pp."]}
    assert labels["opus"]["short"] == ["art.", "arts."]
    assert set(labels) <= set(csl.LOCATOR_TERMS) and len(labels) >= 12
    assert csl.read_labels("[1] Probe ⟦page|short|s|p.⟧⟦page|short|p|pp.⟧") == {
        "page": {"short": ["p.", "pp."]}}


def test_a_language_citeproc_has_no_locale_for_is_warned_about(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    """Swahili: neither pandoc's citeproc nor the style has its terms. Hindi, whose
    locale citeproc files under hi-IN, is found through CLDR's likeliest region."""
    from policybrief.prepare import _citation_locale
    from policybrief.project import load_project

    project = load_project(make_project(only="en"))
    swahili = _citation_locale(project, "sw", tmp_path)
    assert len(swahili) == 1 and "'sw'" in swahili[0].message
    assert swahili[0].rule == "citation-locale"
    assert _citation_locale(project, "hi", tmp_path) == []


def test_a_style_with_an_entity_is_refused_where_it_is_used(tmp_path: Path) -> None:
    """lxml leaves the entity unresolved (no DTD is read); written back without its
    DOCTYPE the style would break citeproc with an error that names no file."""
    style = tmp_path / "entity.csl"
    style.write_text('<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY org "Org">]>\n'
                     '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0">\n'
                     "  <info><title>&org;</title></info>\n</style>\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        csl.independent(style)
    assert "entity" in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == 4


def test_a_regions_locale_does_not_reach_the_languages_other_regions(tmp_path: Path) -> None:
    """The house style's Simplified Chinese terms (zh-CN) in a zh-TW edition: pandoc's
    citeproc applies them to any zh (checked), so the edition's style leaves them out
    and the Traditional edition keeps citeproc's own terms (頁, 及)."""
    from policybrief.pandoc.runner import run_pandoc
    from policybrief.prepare import _LOCALE_PROBE

    house = Path(csl.__file__).parent / "themes/default/csl/house.csl"
    marks = csl.Quotes("“", "”", "‘", "’")

    def cited(lang: str) -> str:
        style = tmp_path / f"{lang}.csl"
        style.write_bytes(csl.edition_style(house.read_bytes(), house, lang, marks))
        probe = _LOCALE_PROBE.replace("p. 3", "page 3").replace("p. 4", "page 4")
        return run_pandoc(["parse"], ["--citeproc", "--csl", str(style), "-t", "plain",
                                      f"--metadata=lang:{lang}"], cwd=tmp_path,
                          stdin=probe.encode("utf-8")).data.decode("utf-8")

    traditional, simplified = cited("zh-TW"), cited("zh-CN")
    assert "和" in simplified and "和" not in traditional and "及" in traditional
    assert "Ibidem" in cited("pt-BR") and "Ibidem" not in cited("pt-PT")


@pytest.mark.parametrize(("lang", "code"), [
    ("hi", "hi-IN"), ("pt", "pt-BR"), ("zh-Hant", "zh-TW"), ("zh", "zh-CN"),
    ("en", "en-US"), ("es", "es-ES"), ("en-GB", "en-GB"), ("es-419", "es-419"),
    ("pt-PT", "pt-PT")])
def test_citeproc_is_asked_for_a_language_with_its_likeliest_region(lang: str,
                                                                    code: str) -> None:
    from policybrief.i18n import citeproc_lang

    assert citeproc_lang(lang) == code
