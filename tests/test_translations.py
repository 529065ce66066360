"""Translated editions kept in step: parity errors, stale chapters, --mark-current."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.pipeline import check_only


def findings_of(root: Path):  # type: ignore[no-untyped-def]
    _, findings = check_only(root)
    return findings


def test_fixture_translations_are_current(make_project) -> None:  # type: ignore[no-untyped-def]
    assert findings_of(make_project()) == []


def test_removing_a_citation_fails_parity_at_that_line(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    path = root / "chapters/es/01-introduction.md"
    text = path.read_text()
    removed = text.replace("Fue\nadoptado en 2000.[@protocol-2000]", "Fue\nadoptado en 2000.")
    path.write_text(removed)
    errors = [f for f in findings_of(root) if f.severity == "error"]
    assert len(errors) == 1
    assert errors[0].rule == "translation-parity"
    assert errors[0].location is not None and errors[0].location.path == path.resolve()
    assert errors[0].location.line == 8  # the next citation now stands where this one was
    assert "citation 2 differs" in errors[0].message
    assert "at chapters/en/01-introduction.md:4:" in errors[0].message


def test_changing_a_locator_fails_parity(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    path = root / "chapters/es/02-findings.md"
    path.write_text(path.read_text().replace("[@smith-2015, p. 14]", "[@smith-2015, p. 15]", 1))
    errors = [f for f in findings_of(root) if f.severity == "error"]
    assert [e.rule for e in errors] == ["translation-parity"]
    assert "@smith-2015, p. 15" in errors[0].message and "@smith-2015, p. 14" in errors[0].message


def test_missing_figure_or_pull_quote_fails_parity(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    path = root / "chapters/es/02-findings.md"
    path.write_text(path.read_text().replace("![](figure:wages){#fig:wages}", ""))
    intro = root / "chapters/es/01-introduction.md"
    intro.write_text(intro.read_text().replace("{.pull-quote}", ""))
    messages = [f.message for f in findings_of(root) if f.severity == "error"]
    assert any("1 figures here but 2" in m for m in messages), messages
    assert any("0 pull quotes here but 1" in m for m in messages), messages


def test_edited_source_paragraph_makes_translation_stale(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    source = root / "chapters/en/02-findings.md"
    source.write_text(source.read_text().replace("The conclusion follows.",
                                                 "The conclusion, revised, follows."))
    stale = [f for f in findings_of(root) if f.rule == "translation-stale"]
    assert len(stale) == 1
    assert stale[0].location is not None
    assert stale[0].location.path.name == "02-findings.md"
    assert "es" in stale[0].location.path.parts
    assert "02-findings.md: line 16: “The conclusion, revised, follows." in stale[0].message
    assert main(["translations", "--project", str(root)]) == 0
    assert "stale    line 16" in capsys.readouterr().out
    spanish = str(root / "chapters/es/02-findings.md")
    assert main(["translations", "--project", str(root), "--mark-current", spanish]) == 0
    assert findings_of(root) == []


def test_missing_translation_is_a_state_and_a_release_error(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    (root / "chapters/es/02-findings.md").unlink()
    found = findings_of(root)
    assert [f.severity for f in found if f.rule == "translation-missing"] == ["note"]
    assert not [f for f in found if f.is_error]
    _, released = check_only(root, release=True)
    errors = [f for f in released if f.is_error]
    assert [e.rule for e in errors] == ["translation-missing"]
    assert "no 'es' translation of 02-findings.md" in errors[0].message


LOCALES = Path(__file__).parent.parent / "src/policybrief/themes/default/locales"
TRANSLATED = sorted(p.stem for p in LOCALES.glob("*.yml") if p.name != "en.yml"
                    and "-" not in p.stem)
# A regional catalogue (pt-PT) holds only what differs from its language's (pt).
REGIONAL = sorted(p.stem for p in LOCALES.glob("*-*.yml"))


def test_the_theme_has_translated_locales() -> None:
    assert (LOCALES / "en.yml").is_file()
    assert "es" in TRANSLATED  # the parametrized test below is not silently empty


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_interface_string_exists_in_each_theme_language(lang: str) -> None:
    import yaml

    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    other = yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8"))
    assert sorted(english) == sorted(other)


@pytest.mark.parametrize("lang", REGIONAL)
def test_a_regional_catalogue_overrides_its_languages_strings(lang: str, tmp_path: Path) -> None:
    import yaml

    from policybrief.theme import load_theme

    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    regional = yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8"))
    base = yaml.safe_load((LOCALES / f"{lang.split('-')[0]}.yml").read_text(encoding="utf-8"))
    assert regional and set(regional) <= set(english)
    theme = load_theme("default", tmp_path)
    merged = theme.catalogue(lang)
    assert sorted(merged) == sorted(english)
    assert all(merged[k] == regional[k] for k in regional)
    assert any(base[k] != regional[k] for k in regional)  # it does override something


def test_a_projects_catalogue_written_before_the_newer_settings_still_works(
        tmp_path: Path) -> None:
    """title_open/title_close default to the catalogue's own quotation marks and
    currency_display to CLDR's symbol: a locales/it.yml from an older release is not
    suddenly missing strings."""
    from policybrief.theme import load_theme

    (tmp_path / "locales").mkdir()
    (tmp_path / "locales/it.yml").write_text(
        'quote_open: "«"\nquote_close: "»"\nnotes: Note\n', encoding="utf-8")
    italian = load_theme("default", tmp_path).catalogue("it")
    assert (italian["title_open"], italian["title_close"]) == ("«", "»")
    assert italian["currency_display"] == "symbol"
    assert load_theme("default", tmp_path).catalogue("sw") == {}  # no catalogue: none
