"""BibTeX as Zotero (Better BibTeX) writes it: LaTeX decoded, and the BibTeX -> CSL-JSON
mapping of ``policybrief.bibliography`` compared field by field with pandoc's own
biblatex reader (``pandoc -f biblatex -t csljson``).

Two corpora: ``tests/roots/zotero/references.bib`` (a Better BibTeX export: every entry
type a brief cites, LaTeX escapes, a corporate author, ``number`` on an article, eprint,
editors, translators) and ``EDGE_CASES`` below (what hand-edited files hold: BibTeX's
``year``/``month``, ``school``, ``maintitle``, lists joined by "and", a bare ``%``,
per-language fields). Both sides are compared as citeproc reads them (each list read
back by ``pandoc -f csljson``, which e.g. moves "de la" of a family name to a particle).
Every difference must be one of ``ALLOWED``, each with its reason; every entry of
``ALLOWED`` must occur, so the list stays true.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypandoc
import pytest
from lxml import html

from policybrief.bibliography import (
    entry_to_csl,
    latex_to_csl,
    latex_to_text,
    load_bibliography,
    parse_names,
)
from policybrief.checks.bibliography import lost_fields
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only

ZOTERO = Path(__file__).parent / "roots" / "zotero"
PANDOC = pypandoc.get_pandoc_path()

EDGE_CASES = r"""
@phdthesis{edge-phdthesis,
  title = {Wage Theft in Example Ports},
  author = {Kim, Min-jun},
  school = {Example University},
  year = {2012},
  month = mar
}
@mastersthesis{edge-mastersthesis,
  title = {Example Remittances},
  author = {Nowak, Anna},
  school = {Example College},
  date = {2011}
}
@techreport{edge-techreport,
  title = {Fees and {{Visa}} Costs},
  author = {{Example Bureau of Statistics}},
  institution = {Example Bureau of Statistics and Example Ministry of Labour},
  address = {Example City and Other City},
  type = {techreport},
  number = {4},
  year = {2019}
}
@unpublished{edge-speech,
  title = {Remarks on Example Labour Standards},
  author = {Moreau, Claire},
  eventtitle = {Example Forum on Migration},
  venue = {Example City},
  eventdate = {2019-05-02},
  date = {2019-05-02}
}
@inproceedings{edge-inproceedings,
  title = {Fee Caps That Work},
  author = {Singh, Priya and Smith, Jr., John},
  booktitle = {Proceedings of the Example Conference},
  maintitle = {Example Conference Series},
  volume = {2},
  part = {1},
  pages = {5--9},
  publisher = {{Example Society}},
  date = {2018}
}
@book{edge-mvbook,
  title = {Volume on Example Fees},
  maintitle = {Collected Example Studies},
  author = {Tanaka, Hiro and Okoye, J.G.},
  volumes = {3},
  publisher = {{Example House}},
  date = {2017},
  langid = {british}
}
@article{edge-issue-alone,
  title = {Example Survey Results},
  author = {Ali, Sara and others},
  journaltitle = {Example Quarterly},
  volume = {9},
  issue = {Spring},
  pages = {1--4},
  date = {2016}
}
@article{edge-number-and-issue,
  title = {\emph{Kafala} and \textsc{Fees}: \mkbibquote{Example} Notes},
  author = {Haddad, Omar},
  journaltitle = {Example Review},
  number = {2},
  issue = {Summer},
  date = {2015},
  langid = {spanish}
}
@report{edge-per-language,
  title = {Example Report on Fees},
  title-es = {Informe de ejemplo sobre tasas},
  location = {Example City},
  location-es = {Ciudad Ejemplo},
  institution = {{Example Council}},
  policybrief-ignore = {source-urldate},
  date = {2014}
}
@online{edge-eprint,
  title = {Fees and Wages: {{A}} Model},
  author = {Ivanova, Olga and family=Berg, given=Pieter, prefix=van der, useprefix=false},
  eprint = {1901.00002},
  eprinttype = {arxiv},
  date = {2019-01-02},
  urldate = {2019-02-01},
  note = {Working draft},
  addendum = {Revised 2020},
  pubstate = {inpress}
}
@misc{edge-percent,
  title = {Fees Up 30% in a Year},
  author = {Example, Ada},
  howpublished = {Press release},
  date = {2013}
}
@book{edge-useprefix-false,
  title = {Example Corridor Notes},
  author = {de Wit, Jan},
  publisher = {{Example Press}},
  date = {2012},
  options = {useprefix=false},
  langid = {english},
  langidopts = {variant=british}
}
@online{edge-jstor,
  title = {Example Archive Item},
  eprint = {123456},
  eprinttype = {jstor},
  date = {2010},
  organization = {Example Archive},
  doi = {10.5555/ex\_ample}
}
"""


# ------------------------------------------------------------- intended differences

NAME_VARIABLES = {"author", "editor", "translator", "director", "container-author"}


def _recased(field: str, theirs: Any, ours: Any) -> bool:
    return (field in {"title", "title-short", "container-title", "collection-title",
                      "volume-title", "original-title", "event"}
            and isinstance(theirs, str) and isinstance(ours, str)
            and theirs.casefold() == ours.casefold())


def _short_title_from_colon(field: str, theirs: Any, ours: Any) -> bool:
    return field == "title-short" and ours is None and isinstance(theirs, str)


def _particle_kept(field: str, theirs: Any, ours: Any) -> bool:
    def moved(names: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{("non-dropping-particle" if k == "dropping-particle" else k): v
                 for k, v in name.items()} for name in names]
    return field in NAME_VARIABLES and moved(theirs) == ours


def _lists_kept(field: str, theirs: Any, ours: Any) -> bool:
    return (field in {"publisher", "publisher-place"} and isinstance(ours, str)
            and theirs == ours.replace(" and ", "; "))


def _verbatim_unescaped(field: str, theirs: Any, ours: Any) -> bool:
    return field in {"URL", "DOI"} and theirs.replace("\\_", "_") == ours


def _braces_of_type(field: str, theirs: Any, ours: Any) -> bool:
    return field == "genre" and re.sub(r"[{}]", "", theirs) == ours


def _misc_is_document(field: str, theirs: Any, ours: Any) -> bool:
    return field == "type" and theirs == "" and ours == "document"


def _bare_percent(field: str, theirs: Any, ours: Any) -> bool:
    return (field == "title" and isinstance(ours, str) and "%" in ours
            and ours.casefold().startswith(theirs.casefold())
            and ours[len(theirs)] == "%")


def _issue_alone(field: str, theirs: Any, ours: Any) -> bool:
    return field == "issue" and theirs is None and isinstance(ours, str)


Rule = Callable[[str, Any, Any], bool]

# name -> (why we differ from pandoc on purpose, how to recognise that difference)
ALLOWED: dict[str, tuple[str, Rule]] = {
    "recased": (
        "pandoc re-cases English titles (title, short title, book, series, event) to "
        "sentence case; a brief prints titles exactly as its sources give them, so the "
        "two agree but for case", _recased),
    "short-title-from-colon": (
        "pandoc makes the part of a title before its colon the short title; we take a "
        "short title only from shorttitle (or a title with a subtitle field), so repeat "
        "notes name the source as the report does", _short_title_from_colon),
    "particle-kept": (
        "a lowercase particle (de, van der) stays with the family name, as the house "
        "style prints it ('de Sousa, Marcelo'); pandoc follows biblatex's default "
        "useprefix=false and drops it ('Sousa, Marcelo de'); an entry may say "
        "options = {useprefix=false}, and then both agree", _particle_kept),
    "lists-kept": (
        "publisher and location are printed as written: pandoc splits them at 'and' "
        "('Example Ministry; Example Office'), which breaks corporate names such as "
        "'Bureau of Statistics and Census' that a hand-edited file leaves unbraced",
        _lists_kept),
    "verbatim-unescaped": (
        "a URL or DOI is verbatim, but hand-edited files escape its underscores for "
        "LaTeX ('\\_'); pandoc keeps the backslash (a broken link), we undo the escape; "
        "'%' and everything else are kept", _verbatim_unescaped),
    "type-braces": (
        "pandoc copies the raw 'type' field ('{PhD} thesis'); we decode it like every "
        "other field ('PhD thesis')", _braces_of_type),
    "misc-is-document": (
        "pandoc gives @misc no CSL type (''); we give it CSL 1.0.2's generic 'document'",
        _misc_is_document),
    "bare-percent": (
        "a bare '%' in a hand-written title is a percent sign to its author; pandoc reads "
        "it as a LaTeX comment and cuts the title there ('Fees up 30')", _bare_percent),
    "issue-alone": (
        "an article's 'issue' without 'number' (a common BibTeX habit) is kept as the "
        "issue; pandoc drops it unless 'number' is present", _issue_alone),
}
# Fields pandoc ignores and we read, with no CSL variable in the English edition either
# (so no difference shows): per-language fields (title-es, location-es: they replace
# title and location in that edition, see test_per_language_fields_win_in_their_edition),
# origlanguage (origtitle becomes the title in that language's edition),
# policybrief-ignore (checks a source opts out of), file and eprintclass (pandoc drops
# them too).


def pandoc(args: list[str], text: str) -> list[dict[str, Any]]:
    done = subprocess.run([PANDOC, *args], input=text, capture_output=True, text=True,
                          check=True, encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(done.stdout)
    return items


def as_citeproc_reads(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item
            for item in pandoc(["-f", "csljson", "-t", "csljson"], json.dumps(items))}


@dataclass(frozen=True)
class Difference:
    key: str
    field: str
    theirs: Any
    ours: Any
    rule: str | None


def compare(bib: Path) -> tuple[list[Difference], set[str]]:
    """Every field where ours and pandoc's differ, and the fields where they agree."""
    theirs = as_citeproc_reads(pandoc(["-f", "biblatex", "-t", "csljson", str(bib)], ""))
    ours = as_citeproc_reads(load_bibliography(bib).to_csl("en"))
    assert set(theirs) == set(ours)
    differences, agreed = [], set()
    for key in sorted(theirs):
        for name in sorted(set(theirs[key]) | set(ours[key])):
            a, b = theirs[key].get(name), ours[key].get(name)
            if a == b:
                agreed.add(name)
                continue
            rule = next((r for r, (_, ok) in ALLOWED.items() if ok(name, a, b)), None)
            differences.append(Difference(key, name, a, b, rule))
    return differences, agreed


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Difference], set[str]]:
    edge = tmp_path_factory.mktemp("bib") / "edge.bib"
    edge.write_text(EDGE_CASES, encoding="utf-8")
    zotero, agreed = compare(ZOTERO / "references.bib")
    more, agreed_more = compare(edge)
    return zotero + more, agreed | agreed_more


def test_every_difference_from_pandoc_is_documented(
        compared: tuple[list[Difference], set[str]]) -> None:
    differences, _ = compared
    undocumented = [d for d in differences if d.rule is None]
    assert undocumented == []


def test_every_documented_difference_occurs(
        compared: tuple[list[Difference], set[str]]) -> None:
    differences, _ = compared
    assert {d.rule for d in differences} == set(ALLOWED)


def test_the_rest_agrees_with_pandoc(compared: tuple[list[Difference], set[str]]) -> None:
    """The fields that agree exactly somewhere include every kind the corpora exercise
    (short titles, series and volume titles differ from pandoc's in case only)."""
    _, agreed = compared
    assert agreed >= {
        "type", "author", "editor", "translator", "issued", "accessed", "event-date",
        "container-title", "container-title-short", "collection-number", "volume",
        "issue", "number", "page", "number-of-pages", "number-of-volumes", "edition",
        "genre", "publisher", "publisher-place", "event-place", "URL", "DOI", "ISBN",
        "ISSN", "language", "note", "abstract", "keyword", "status", "title",
    }


def test_zotero_differences_are_only_case_and_the_documented_few(
        compared: tuple[list[Difference], set[str]]) -> None:
    differences, _ = compared
    zotero_keys = set(load_bibliography(ZOTERO / "references.bib").entries)
    rules = {d.rule for d in differences if d.key in zotero_keys}
    assert rules == {"recased", "short-title-from-colon", "particle-kept",
                     "verbatim-unescaped", "type-braces", "misc-is-document"}


# ------------------------------------------------------------------- our mapping


def test_article_number_is_the_issue_and_pages_a_range() -> None:
    bib = load_bibliography(ZOTERO / "references.bib")
    item = entry_to_csl(bib.entries["sanchez-2021"], "en")
    assert item["type"] == "article-journal"
    assert item["issue"] == "3" and "number" not in item
    assert item["page"] == "45-67"  # as pandoc stores it; citeproc prints 45–67
    assert item["volume"] == "12"
    assert item["author"] == [{"family": "Sánchez", "given": "María"},
                              {"family": "Müller", "given": "Jörg"}]
    assert item["title"] == "Seasonal Work and the State: Evidence from NATO Members"
    assert item["title-short"] == "Seasonal Work and the State"
    assert item["container-title-short"] == "J. Ex. Lab. Stud."
    assert item["issued"] == {"date-parts": [[2021, 5]]}
    assert item["abstract"] == "Workers & employers in 50% of the cases we studied."
    assert item["language"] == "en-US"


def test_book_series_number_corporate_author_editor_translator() -> None:
    item = entry_to_csl(load_bibliography(ZOTERO / "references.bib")
                        .entries["example-institute-2019"], "en")
    assert item["author"] == [{"literal": "Example Institute for Policy Research"}]
    assert item["editor"] == [{"family": "Ibáñez", "given": "Carlos"}]
    assert item["translator"] == [{"family": "Dupont", "given": "Françoise"}]
    assert item["collection-title"] == "Example Policy Series"
    assert item["collection-number"] == "7" and "number" not in item
    assert item["publisher"] == "Example University Press"


@pytest.mark.parametrize(("latex", "text"), [
    (r"S{\'a}nchez", "Sánchez"),
    (r"M{\"u}ller", "Müller"),
    (r"Ib{\'a}{\~n}ez", "Ibáñez"),
    (r"Nguy{\~{\^e}}n", "Nguyễn"),
    (r"{\O}stergaard", "Østergaard"),
    (r"Fran{\c c}oise", "Françoise"),
    (r"Workers \& Employers", "Workers & Employers"),
    ("{{NATO}} and {UN}", "NATO and UN"),
    ("pages 45--67", "pages 45–67"),
    ("a---b", "a—b"),
    (r"50\% of \$5", "50% of $5"),
    ("30% of fees", "30% of fees"),  # a bare % is not a LaTeX comment here
    ("Workers' Union", "Workers’ Union"),
    ("``quoted''", "“quoted”"),
    (r"\mkbibquote{Fees}", "“Fees”"),
    (r"see \url{https://example.org/a_b%20c}", "see https://example.org/a_b%20c"),
    ("Example\n   City", "Example City"),
    ("1~000", "1\u00a0000"),
])
def test_latex_decodes_to_unicode(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_csl_keeps_emphasis_as_csl_markup() -> None:
    assert latex_to_csl(r"On \emph{Kafala}") == "On <i>Kafala</i>"
    assert latex_to_text(r"On \emph{Kafala}") == "On Kafala"
    assert latex_to_csl(r"\textsc{Fees}") == \
        '<span style="font-variant:small-caps;">Fees</span>'


def test_urls_and_dois_are_not_decoded() -> None:
    item = entry_to_csl(load_bibliography(ZOTERO / "references.bib").entries["doe-2023"],
                        "en")
    assert item["URL"] == "https://news.example.com/2023/02/review_rules?ref=brief%20a"
    item = entry_to_csl(load_bibliography(ZOTERO / "references.bib")
                        .entries["sanchez-2021"], "en")
    assert item["DOI"] == "10.5555/example.2021.003"


def test_names_corporate_particles_suffixes_and_extended_format() -> None:
    assert parse_names(r"{Example Institute} and L{\'o}pez Ruiz, {\'A}lvaro") == [
        {"literal": "Example Institute"},
        {"family": "López Ruiz", "given": "Álvaro"},
    ]
    assert parse_names("van der Berg, Pieter and Smith, Jr., John and J.G. Okoye") == [
        {"family": "Berg", "given": "Pieter", "non-dropping-particle": "van der"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"family": "Okoye", "given": "J. G."},
    ]
    assert parse_names("family=Cruz, given=Elena, prefix=de la, useprefix=true") == [
        {"family": "Cruz", "given": "Elena", "non-dropping-particle": "de la"}]


def test_per_language_fields_win_in_their_edition(tmp_path: Path) -> None:
    path = tmp_path / "edge.bib"
    path.write_text(EDGE_CASES, encoding="utf-8")
    entry = load_bibliography(path).entries["edge-per-language"]
    assert entry_to_csl(entry, "es")["title"] == "Informe de ejemplo sobre tasas"
    assert entry_to_csl(entry, "es")["publisher-place"] == "Ciudad Ejemplo"
    assert entry_to_csl(entry, "en")["title"] == "Example Report on Fees"
    assert "title-es" not in entry_to_csl(entry, "en")


# ------------------------------------------------------------- a swallowed field


def entry_from(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "references.bib"
    path.write_text(text, encoding="utf-8")
    return next(iter(load_bibliography(path).entries.values()))


@pytest.mark.parametrize("text", [
    "@online{politico,\n  title = {X},\n  organization = {Politico}\n"
    "  url = {https://example.com/x},\n  urldate = {2022-01-01},\n}\n",
    '@online{politico,\n  title = {X},\n  organization = "Politico"\n'
    '  url = "https://example.com/x",\n  urldate = {2022-01-01},\n}\n',
    "@online{politico,\n  title = {X},\n  organization = Politico\n"
    "  url = {https://example.com/x},\n  urldate = {2022-01-01},\n}\n",
])
def test_a_missing_comma_is_a_located_warning(tmp_path: Path, text: str) -> None:
    findings = lost_fields(entry_from(tmp_path, text))
    assert [(d.severity, d.rule, d.location.line if d.location else 0)
            for d in findings] == [("warning", "source-lost-field", 3)]
    assert "'organization' holds 'url = ...'" in findings[0].message


def test_a_url_swallowing_the_next_field_is_found(tmp_path: Path) -> None:
    text = ("@online{a,\n  title = {X},\n  url = {https://example.com/?a=b&c=d}\n"
            "  urldate = {2022-01-01}\n}\n")
    findings = lost_fields(entry_from(tmp_path, text))
    assert [d.location.line if d.location else 0 for d in findings] == [3]


@pytest.mark.parametrize("value", [
    "The Equation E = mc2 in Policy",
    "Fees where n = 120 workers, type of visa = seasonal",
    "https://example.org/?url=https://x.org&title=y",
])
def test_equals_signs_in_prose_or_urls_are_not_lost_fields(tmp_path: Path,
                                                           value: str) -> None:
    text = f"@online{{a,\n  title = {{{value}}},\n  url = {{https://example.org}},\n}}\n"
    assert lost_fields(entry_from(tmp_path, text)) == []


def test_brief_check_warns_at_the_swallowing_field(tmp_path: Path) -> None:
    root = tmp_path / "zotero"
    shutil.copytree(ZOTERO, root)
    bib = root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace("  organization = {Example News},\n  langid = {english}",
                        "  organization = {Example News}\n  langid = {english}")
    bib.write_text(text, encoding="utf-8")
    line = text[:text.index("organization = {Example News}")].count("\n") + 1
    _, diagnostics = check_only(root)
    lost = [d for d in diagnostics if d.rule == "source-lost-field"]
    assert [(d.location.line if d.location else 0) for d in lost] == [line]


# ---------------------------------------------------------- the Zotero fixture brief


@pytest.fixture(scope="module")
def zotero_notes(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("built") / "zotero"
    shutil.copytree(ZOTERO, root)
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    tree = html.parse(str(root / "build" / "en" / "fixture-zotero.html"))
    return [li.text_content().strip()
            for li in tree.xpath('//section[@id="footnotes"]/ol/li')]


def test_zotero_brief_prints_decoded_names(zotero_notes: list[str]) -> None:
    text = "\n".join(zotero_notes)
    for name in ("María Sánchez", "Jörg Müller", "Carlos Ibáñez", "Françoise Dupont",
                 "Åsa Lindqvist", "Văn An Nguyễn", "Søren Østergaard", "Lucía García",
                 "Elena de la Cruz", "Álvaro López Ruiz", "Pieter van der Berg"):
        assert name in text, name
    assert "\\" not in text and "{" not in text and "}" not in text
    assert "’anchez" not in text


def test_zotero_brief_prints_the_article_issue_and_pages(zotero_notes: list[str]) -> None:
    first = zotero_notes[0]
    assert first.startswith("María Sánchez and Jörg Müller, “Seasonal Work and the State: "
                            "Evidence from NATO Members,”")
    assert "Journal of Example Labour Studies 12, no. 3 (May 2021): 45–67" in first


def test_zotero_brief_prints_every_kind_of_source(zotero_notes: list[str]) -> None:
    text = "\n".join(zotero_notes)
    assert "Example Institute for Policy Research, Handbook of Example Policy, 2nd ed." \
        in text
    assert "Working Paper WP-17" in text
    assert "“Fees & Fines: A Worker’s Account,” The Example Times" in text
    assert "PhD thesis, Example University" in text
    assert "Example Workers’ Union v. State of Example" in text
    assert "review_rules?ref=brief%20a" in text
    assert "Migration and the Gulf Economies: Example Cases" in text


def test_zotero_brief_has_no_false_warning(tmp_path: Path) -> None:
    root = tmp_path / "zotero"
    shutil.copytree(ZOTERO, root)
    _, diagnostics = check_only(root)
    assert diagnostics == []
