"""Hostile and malformed BibTeX: nothing is read wrongly without a word (issue 17).

One table: each row is a case id, the ``.bib`` text, and what must come of it —
``Csl``: the entry as ``load_bibliography`` reads it and ``entry_to_csl`` converts it;
``Refused``: ``brief check`` (``check_only`` on a copy of ``tests/roots/basic`` with the
text appended to its ``references.bib``) stops with exactly these errors, each at its
line of the case's text; ``Warned``: ``brief check`` passes, with exactly these
warnings of the bibliography's rules at their lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policybrief.bibliography import entry_to_csl, load_bibliography
from policybrief.errors import BriefError, BriefErrors
from policybrief.pipeline import check_only


def bib(*lines: str) -> str:
    """A case's text, one argument a line (so line numbers can be read off the table)."""
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Csl:
    """Entry ``key`` in the edition in ``lang``: these CSL variables (None: absent)."""

    key: str
    fields: dict[str, Any]
    lang: str = "en"


@dataclass(frozen=True)
class Refused:
    """Exactly these errors: (line in the case's text, regular expression)."""

    each: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Warned:
    """Exactly these warnings of the bibliography's rules: (line, rule, expression)."""

    each: tuple[tuple[int, str, str], ...]


Expected = Csl | Refused | Warned
BIBLIOGRAPHY_RULES = {"source-syntax", "source-lost-field", "source-fields", "source-url",
                      "source-doi", "source-urldate"}

CASES: list[tuple[str, str, Expected]] = [
    # ---------------------------------------------------------------- LaTeX to text
    ("latex-accents-ampersand-italic-eszett", bib(
        "@book{cafe,",
        r"  title = {Caf{\'e} \& M{\"u}ller: \textit{Italic} Stra{\ss}e},",
        "  publisher = {P}, year = 2020,",
        "}"), Csl("cafe", {"title": "Café & Müller: <i>Italic</i> Straße"})),
    ("latex-in-names-and-corporate-name", bib(
        "@book{names,",
        r"  author = {M{\"u}ller, J{\"o}rg and {\v{S}koda Auto}},",
        "  title = {T}, publisher = {P}, year = 2020,",
        "}"), Csl("names", {"author": [{"family": "Müller", "given": "Jörg"},
                                        {"literal": "Škoda Auto"}]})),
    ("latex-quotes-dashes-emphasis", bib(
        "@misc{quotes,",
        r"  title = {``Quoted'' -- a \emph{study} of 1990--2000},",
        "}"), Csl("quotes", {"title": "“Quoted” – a <i>study</i> of 1990–2000"})),
    ("field-digits-that-are-not-numbers", bib(
        "@book{digits, title = {T}, publisher = {P}, year = 2020, month = 3, day = {²},",
        "  series = {²}}"),
     Csl("digits", {"issued": {"date-parts": [[2020, 3]]}, "collection-title": "²"})),
    # ------------------------------------------------------------- @string and #
    ("string-macro-expanded", bib(
        "@string{hrw = {Human Rights Watch}}",
        "@report{macro, title = {T}, institution = hrw, year = 2020}"),
     Csl("macro", {"publisher": "Human Rights Watch"})),
    ("string-concatenation", bib(
        "@string{hrw = {Human Rights Watch}}",
        '@misc{concat, title = "Report of " # hrw # { on } # 2020}'),
     Csl("concat", {"title": "Report of Human Rights Watch on 2020"})),
    ("string-defined-through-string", bib(
        '@string{human = "Human"}',
        '@string{hr = human # " Rights"}',
        "@misc{nested, title = hr # { Watch}}"),
     Csl("nested", {"title": "Human Rights Watch"})),
    ("string-names-ignore-case", bib(
        "@string{HRW = {Human Rights Watch}}",
        "@misc{upper, title = hrw}"), Csl("upper", {"title": "Human Rights Watch"})),
    ("string-month-macro-and-number-concatenation", bib(
        '@misc{months, title = {T}, year = 2021, month = mar, pages = 3 # "--" # 9}'),
     Csl("months", {"issued": {"date-parts": [[2021, 3]]}, "page": "3-9"})),
    ("string-quoted-parts-concatenated", bib(
        '@misc{quoted, title = "Forced" # " " # "Labour"}'),
     Csl("quoted", {"title": "Forced Labour"})),
    ("string-undefined-macro", bib(
        "@misc{undefined,",
        "  title = {T},",
        "  publisher = acm,",
        "}"), Refused(((3, r"'acm' is no @string's name"),))),
    ("string-defined-through-itself", bib(
        "@string{a = b}",
        "@string{b = a}",
        "@misc{loop, title = a}"), Refused(((2, r"@string 'a' .* is defined through itself"),))),
    ("string-expansion-bomb", bib(
        "@string{s0 = {xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}}",
        *(f"@string{{s{i + 1} = s{i} # s{i} # s{i} # s{i}}}" for i in range(20)),
        "@misc{bomb, title = s20}"), Refused(((7, r"@string 's6' expands to more than "
                                               r"100,000 characters"),))),
    ("string-defined-twice", bib(
        "@string{hrw = {Human Rights Watch}}",
        "@string{hrw = {Someone Else}}",
        "@misc{twice, title = hrw}"), Refused(((2, r"@string 'hrw' is defined twice "
                                               r"\(first on line \d+\)"),))),
    ("string-names-differing-in-case", bib(
        "@string{hrw = {Human Rights Watch}}",
        "@string{HRW = {Someone Else}}",
        "@misc{case, title = hrw}"), Refused(((2, r"'HRW' differs from 'hrw' .* only in "
                                              r"case"),))),
    # ---------------------------------------------------------------- crossref
    ("crossref-incollection-inherits-from-collection", bib(
        "@incollection{chapter,",
        "  author = {Roe, Ann}, title = {A Chapter}, pages = {3--9},",
        "  crossref = {volume},",
        "}",
        "@collection{volume,",
        "  editor = {Poe, Ed}, title = {The Volume}, shorttitle = {Vol},",
        "  publisher = {Pub}, location = {Paris}, date = {2019},",
        "}"), Csl("chapter", {"title": "A Chapter", "container-title": "The Volume",
                              "editor": [{"family": "Poe", "given": "Ed"}],
                              "publisher": "Pub", "publisher-place": "Paris",
                              "issued": {"date-parts": [[2019]]}, "title-short": None})),
    ("crossref-language-fields-follow-the-mapping", bib(
        "@incollection{capitulo, title = {A Chapter}, crossref = {tomo}}",
        "@collection{tomo, title = {The Volume}, title-es = {El tomo}, date = {2019}}"),
     Csl("capitulo", {"container-title": "El tomo", "title": "A Chapter"}, lang="es")),
    ("crossref-inbook-author-is-also-bookauthor", bib(
        "@inbook{part, title = {Part One}, crossref = {whole}}",
        "@book{whole, author = {Doe, John}, title = {Whole}, subtitle = {Sub},",
        "  publisher = {P}, year = 2001}"),
     Csl("part", {"author": [{"family": "Doe", "given": "John"}],
                  "container-author": [{"family": "Doe", "given": "John"}],
                  "container-title": "Whole: Sub", "title": "Part One"})),
    ("crossref-own-year-beats-parent-date", bib(
        "@incollection{own, title = {Ch}, year = 2020, crossref = {dated}}",
        "@collection{dated, title = {Book}, date = {2001-05}}"),
     Csl("own", {"issued": {"date-parts": [[2020]]}, "container-title": "Book"})),
    ("crossref-chain-to-mvcollection", bib(
        "@incollection{leaf, title = {Ch}, crossref = {tome}}",
        "@collection{tome, title = {Tome Two}, crossref = {works}}",
        "@mvcollection{works, title = {Works}, publisher = {P}, date = 1999}"),
     Csl("leaf", {"container-title": "Works", "volume-title": "Tome Two",
                  "publisher": "P", "issued": {"date-parts": [[1999]]}})),
    ("crossref-article-from-periodical", bib(
        "@article{paper, author = {X, Y}, title = {Art}, crossref = {journal}}",
        "@periodical{journal, title = {Journal of Things}, year = 2001, volume = 3}"),
     Csl("paper", {"container-title": "Journal of Things", "volume": "3",
                   "title": "Art"})),
    ("crossref-options-not-inherited", bib(
        "@misc{child, title = {C}, crossref = {parent}}",
        "@misc{parent, title = {P}, author = {de Sousa, Marcelo},",
        "  options = {useprefix=false}}"),
     Csl("child", {"author": [{"family": "Sousa", "given": "Marcelo",
                                "non-dropping-particle": "de"}], "title": "C"})),
    ("crossref-satisfies-what-the-type-needs", bib(
        "@incollection{needs, author = {Roe, Ann}, title = {Ch}, crossref = {gives}}",
        "@collection{gives, editor = {Poe, Ed}, title = {Book}, publisher = {P},",
        "  date = {2019}}"), Warned(())),
    ("crossref-inherited-doi-checked-once-at-the-parent", bib(
        "@misc{doi-child, title = {C}, crossref = {doi-parent}}",
        "@misc{doi-parent, title = {P},",
        "  doi = {doi:12/34}}"),
     Warned(((3, "source-doi", r"'doi-parent' has a malformed DOI"),))),
    ("crossref-to-no-entry", bib(
        "@misc{orphan,",
        "  title = {T},",
        "  crossref = {smith-2016},",
        "}"), Refused(((3, r"crossref 'smith-2016' is no entry's key \(did you mean "
                          r"'smith-2015'\?\)"),))),
    ("crossref-loop", bib(
        "@misc{hen, title = {H}, crossref = {egg}}",
        "@misc{egg, title = {E}, crossref = {hen}}"),
     Refused(((2, r"crossref makes a loop \(hen -> egg -> hen\)"),))),
    ("crossref-matching-only-without-case", bib(
        "@misc{kid, title = {K}, crossref = {Mother}}",
        "@misc{mother, title = {M}}"),
     Refused(((1, r"crossref 'Mother' matches entry 'mother' only when case is ignored"),))),
    # ------------------------------------------------------------ keys and fields
    ("key-differing-only-in-case", bib(
        "@misc{roe-2020, title = {First}}",
        "",
        "@misc{Roe-2020, title = {Second}}"),
     Refused(((3, r"entry key 'Roe-2020' differs from 'roe-2020' \(line \d+\) only in "
                  r"case"),))),
    ("key-given-twice", bib(
        "@misc{twin, title = {First}}",
        "@misc{twin, title = {Second}}"),
     Refused(((2, r"duplicate entry key 'twin' \(first on line \d+\)"),))),
    ("key-with-a-space", bib(
        "@misc{two words, title = {T}}"),
     Refused(((1, r"entry key 'two words' is empty or holds a space"),))),
    ("field-given-twice", bib(
        "@misc{double,",
        "  title = {First},",
        "  title = {Second},",
        "}"), Refused(((3, r"field 'title' is given twice \(first on line \d+\)"),))),
    ("field-given-twice-in-another-case", bib(
        "@misc{cased,",
        "  title = {First},",
        "  TITLE = {Second},",
        "}"), Refused(((3, r"field 'title' is given twice"),))),
    ("field-name-with-a-space", bib(
        "@misc{spaced,",
        "  title = {T},",
        "  pub lisher = {P},",
        "}"), Refused(((3, r"'pub lisher' is not a field name"),))),
    ("field-without-value", bib(
        "@misc{empty,",
        "  title = {T},",
        "  note = ,",
        "}"), Refused(((3, r"field 'note' has no value"),))),
    # ------------------------------------------------- braces, quotes, parse errors
    ("stray-brace-cuts-off-the-next-fields", bib(
        "@misc{cut,",
        "  title = {Cut}},",
        "  author = {Lost, Author},",
        "  year = 2020,",
        "}"), Refused(((3, r"text after entry 'cut' \('author = \.\.\.'\) is outside every "
                          r"entry, so it is lost: did a '}' on line \d+ close the "
                          r"entry early\?"),))),
    ("stray-brace-inside-a-value", bib(
        "@misc{inner,",
        "  title = {Fo}o},",
        "  year = 2020,",
        "}"), Refused(((2, r"'\{Fo\}o' is not a BibTeX value: text outside its braces"),
                       (3, r"\('year = \.\.\.'\) is outside every entry")))),
    ("text-after-a-closing-quote", bib(
        "@misc{trailing,",
        '  title = "Forced" Labour,',
        "}"), Refused(((2, r"'\"Forced\" Labour' is not a BibTeX value"),))),
    ("stray-fields-after-a-string", bib(
        "@string{org = {Org}}",
        "  author = {Nobody},",
        "@misc{after, title = org}"),
     Refused(((2, r"text outside every entry \('author = \.\.\.'\) reads as a field"),))),
    ("entry-never-closed", bib(
        "@misc{open,",
        "  title = {Never closed,",
        "",
        "@misc{next, title = {N}}"), Refused(((1, r"cannot parse this entry"),))),
    ("field-without-equals-sign", bib(
        "@misc{noequals,",
        "  title {T},",
        "}"), Refused(((1, r"cannot parse this entry: syntax error \(.*Expected a `=`"),))),
    # ----------------------------------------------- read differently: warnings
    ("field-commented-out-with-percent", bib(
        "@misc{percent,",
        "  title = {T},",
        "  % note = {Draft},",
        "}"), Warned(((3, "source-syntax", r"commented out with % .* BibTeX refuses it"),))),
    ("percent-comment-before-a-field", bib(
        "@misc{percent2,",
        "  % an old remark",
        "  title = {T},",
        "}"), Warned(((3, "source-syntax", r"field 'title' is read, the comment ignored"),))),
    ("lone-stray-brace-after-an-entry", bib(
        "@misc{lone, title = {T}}",
        "}"), Warned(((2, "source-syntax", r"'\}' after entry 'lone' is outside every "
                                         r"entry"),))),
    ("month-not-a-month", bib(
        "@misc{month,",
        "  title = {T}, year = 2020,",
        '  month = 10 # "~" # jan,',
        "}"), Warned(((3, "source-syntax", r"month '10~January' is not a month"),))),
    ("preamble-not-used", bib(
        r'@preamble{"\newcommand{\noopsort}[1]{}"}'),
     Warned(((1, "source-syntax", r"@preamble is not used"),))),
    ("missing-comma-swallows-the-next-field", bib(
        "@misc{swallow,",
        "  title = {T},",
        "  organization = {Politico}",
        "  url = {https://example.com/x},",
        "}"), Warned(((3, "source-lost-field", r"is a comma missing after organization"),))),
]


@pytest.mark.parametrize(("text", "expected"), [(text, expected) for _, text, expected in CASES],
                         ids=[case_id for case_id, _, _ in CASES])
def test_hostile_bibtex(text: str, expected: Expected, tmp_path: Path,
                        make_project: Callable[..., Path]) -> None:
    if isinstance(expected, Csl):
        path = tmp_path / "references.bib"
        path.write_text(text, encoding="utf-8")
        bibliography = load_bibliography(path)
        assert bibliography.diagnostics == []
        item = entry_to_csl(bibliography.entries[expected.key], expected.lang)
        assert {name: item.get(name) for name in expected.fields} == expected.fields
        return
    root = make_project("basic", only="en")
    path = root / "references.bib"
    original = path.read_text(encoding="utf-8")
    offset = original.count("\n") + 1  # the case starts after one blank line
    path.write_text(original + "\n" + text, encoding="utf-8")
    if isinstance(expected, Refused):
        with pytest.raises(BriefError) as info:
            check_only(root)
        found = info.value.errors if isinstance(info.value, BriefErrors) else [info.value]
        assert all(e.location is not None and e.location.path == path for e in found), \
            [e.format() for e in found]
        assert len(found) == len(expected.each), [e.format() for e in found]
        for error, (line, pattern) in zip(found, expected.each, strict=True):
            assert error.location is not None
            assert (error.location.line - offset, error.location.col) == (line, 1), \
                error.format()
            assert re.search(pattern, error.message), error.format()
        return
    _, diagnostics = check_only(root)
    assert not [d for d in diagnostics if d.is_error], [d.format() for d in diagnostics]
    found_warnings = [d for d in diagnostics if d.rule in BIBLIOGRAPHY_RULES]
    assert len(found_warnings) == len(expected.each), [d.format() for d in found_warnings]
    for warning, (line, rule, pattern) in zip(found_warnings, expected.each, strict=True):
        assert warning.location is not None and warning.location.path == path
        assert (warning.location.line - offset, warning.rule) == (line, rule), warning.format()
        assert re.search(pattern, warning.message), warning.format()


def test_the_table_covers_every_class() -> None:
    ids = [case_id for case_id, _, _ in CASES]
    assert len(ids) == len(set(ids)) >= 20
    for prefix in ("latex-", "string-", "crossref-", "key-", "field-", "stray-"):
        assert any(i.startswith(prefix) for i in ids), prefix


# --------------------------------------------------------------------- fuzzing

_PIECES = st.sampled_from([
    "@misc{", "@string{", "@article(", "@preamble{", "@comment{", "k", "K", "title", "=",
    ",", "{", "}", "(", ")", '"', "#", "%", "\\", "\n", " ", "jan", "x", "1", "crossref",
    "{k}", "@", "\\'e", "\\textit{", "--", "²", "month", "day", "series", "year", "date",
    "@incollection{", "@collection{", "booktitle", "2020", "title-es",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_is_read_or_refused_with_a_location(tmp_path_factory: pytest.TempPathFactory,
                                                      text: str) -> None:
    """Whatever the text, reading it either succeeds or fails with located errors (never
    a crash, never an unlocated complaint)."""
    path = tmp_path_factory.mktemp("fuzz") / "references.bib"
    path.write_text(text, encoding="utf-8")
    try:
        bibliography = load_bibliography(path)
    except BriefErrors as errors:
        assert all(e.location is not None and e.location.line >= 1 for e in errors.errors)
    except BriefError as error:
        assert error.location is not None and error.location.line >= 1
    else:
        for entry in bibliography.entries.values():
            entry_to_csl(entry, "en")
        assert all(d.location is not None for d in bibliography.diagnostics)


def test_a_crossref_parent_is_used_through_its_cited_child_and_checked_once(
        make_project: Callable[..., Path]) -> None:
    """A parent printed through its cited child is not "never cited"; an address it
    gives its children is refused once, at the parent, not again at each child."""
    root = make_project("basic", only="en")
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + "\n".join((
        "@incollection{part, title = {A Chapter}, crossref = {whole}}",
        "@collection{whole, editor = {Poe, Ed}, title = {Book}, publisher = {P},",
        "  date = {2019}, url = {javascript:alert(1)}}")) + "\n", encoding="utf-8")
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAs shown.[@part]\n",
                       encoding="utf-8")
    _, diagnostics = check_only(root)
    unused = [d.message for d in diagnostics if d.rule == "citation-unused"]
    assert not any("'whole'" in m or "'part'" in m for m in unused), unused
    addresses = [d for d in diagnostics if d.rule == "source-address"]
    assert [d.message.split(" (")[0] for d in addresses] == [
        "'whole' url: a link to 'javascript:' is not allowed"], addresses
    assert addresses[0].location is not None and addresses[0].location.line > 1
