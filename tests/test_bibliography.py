from pathlib import Path

import pytest

from policybrief.bibliography import entry_to_csl, load_bibliography, parse_names
from policybrief.errors import BibliographyError, BriefError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "references.bib"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """\
@online{hrw-2020,
  title = {Cuba: Repressive Rules for Doctors Working Abroad},
  title-es = {Cuba: normas represivas},
  organization = {{Ministry of Foreign Trade and Foreign Investment}},
  author = {{Human Rights Watch} and Vidwans, Prachi and Malaak Jamal},
  date = {2020-03-22},
  urldate = {2022-06-27},
  url = {https://example.org/a--b},
}
"""


def test_entry_converts_to_csl_keeping_case(tmp_path: Path) -> None:
    bib = load_bibliography(write(tmp_path, ENTRY))
    item = bib.to_csl("en")[0]
    assert item["title"] == "Cuba: Repressive Rules for Doctors Working Abroad"
    assert item["type"] == "webpage"
    assert item["publisher"] == "Ministry of Foreign Trade and Foreign Investment"
    assert item["issued"] == {"date-parts": [[2020, 3, 22]]}
    assert item["accessed"] == {"date-parts": [[2022, 6, 27]]}
    assert item["URL"] == "https://example.org/a--b"  # URLs are verbatim


def test_names_corporate_and_personal() -> None:
    names = parse_names("{Human Rights Watch} and Vidwans, Prachi and Malaak Jamal")
    assert names == [
        {"literal": "Human Rights Watch"},
        {"family": "Vidwans", "given": "Prachi"},
        {"family": "Jamal", "given": "Malaak"},
    ]


def test_per_language_field_wins_in_its_edition(tmp_path: Path) -> None:
    bib = load_bibliography(write(tmp_path, ENTRY))
    assert bib.to_csl("es")[0]["title"] == "Cuba: normas represivas"
    assert bib.to_csl("en")[0]["title"].startswith("Cuba: Repressive")


def test_original_title_used_in_its_language(tmp_path: Path) -> None:
    text = ENTRY.replace("  title-es = {Cuba: normas represivas},\n",
                         "  origtitle = {Título original},\n  origlanguage = {spanish},\n")
    entry = load_bibliography(write(tmp_path, text)).entries["hrw-2020"]
    assert entry_to_csl(entry, "es")["title"] == "Título original"
    assert entry_to_csl(entry, "en")["title"].startswith("Cuba: Repressive")


def test_unterminated_entry_is_located(tmp_path: Path) -> None:
    text = ENTRY + "\n@online{broken,\n  title = {never closed,\n\n@misc{ok, title={x}}\n"
    with pytest.raises(BibliographyError) as info:
        load_bibliography(write(tmp_path, text))
    assert info.value.location is not None and info.value.location.line == 11
    assert "cannot parse this entry" in info.value.message


def test_duplicate_key_is_located(tmp_path: Path) -> None:
    with pytest.raises(BibliographyError) as info:
        load_bibliography(write(tmp_path, ENTRY + "\n" + ENTRY))
    assert info.value.location is not None and info.value.location.line == 11
    assert "duplicate entry key 'hrw-2020'" in info.value.message


def test_bad_urldate_points_at_field(tmp_path: Path) -> None:
    with pytest.raises(BibliographyError) as info:
        load_bibliography(write(tmp_path, ENTRY.replace("2022-06-27", "27 June 2022")))
    assert info.value.location is not None and info.value.location.line == 7
    assert "urldate" in info.value.message


def test_unknown_type_and_missing_title(tmp_path: Path) -> None:
    with pytest.raises(BriefError) as info:
        load_bibliography(write(tmp_path, "@webthing{a, url={x}}\n"))
    text = info.value.format()
    assert "unknown entry type '@webthing'" in text and "has no title" in text
