"""The quotation check (``checks/quotations.py``): in a translated edition, a quotation
marked as our translation whose source is in the edition's language is an error; an
unmarked one whose source is in another language is a warning. Built on the ``basic``
fixture, with sources of known languages added and a Spanish chapter of cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.checks.quotations import check, quotations, source_languages
from policybrief.cli import main
from policybrief.errors import Diagnostic
from policybrief.model import Chapter
from policybrief.pipeline import check_only
from policybrief.project import load_project

SOURCES = """
@online{granma-es,
  title = {Artículo}, publisher = {{Granma}}, date = {2022}, urldate = {2022-06-27},
  url = {https://example.org/granma}, langid = {spanish},
}
@online{diario-es,
  title = {Otro artículo}, publisher = {{Diario}}, date = {2022}, urldate = {2022-06-27},
  url = {https://example.org/diario}, langid = {es},
}
@online{report-en,
  title = {Report}, publisher = {{Example}}, date = {2022}, urldate = {2022-06-27},
  url = {https://example.org/report}, langid = {english},
}
@online{treaty-en-es,
  title = {Treaty}, title-es = {Tratado}, publisher = {{UN}}, date = {2000},
  urldate = {2022-06-27}, url = {https://example.org/treaty}, langid = {english},
  langid-es = {spanish},
}
@legislation{code-translated,
  title = {Penal Code}, origtitle = {Código Penal}, origlanguage = {spanish},
  date = {1987}, url = {https://example.org/code}, langid = {english},
}
@online{unknown-language,
  title = {Sin idioma}, date = {2022}, urldate = {2022-06-27},
  url = {https://example.org/unknown},
}
"""

# One case a paragraph; the file's line numbers are in the comments of the tests.
CASES = """---
translation-of: 02-findings.md
---
# Hallazgos

Según el diario, fue una [«campaña»]{.translated-quote} de difamación.[@granma-es]

El informe habla de [«coacción»]{.translated-quote}.[@report-en]

Los médicos son «misioneros de la Revolución».[@report-en]

El diario habla de «solidaridad».[@granma-es]

Normas de «soft law» como los Principios[@report-en] obligan a los Estados.

El diario denunció una [«campaña»]{.translated-quote}. Otra frase lo dice.[@granma-es]

Acusó a EE. UU. y a [«sus aliados»]{.translated-quote} de atacar a Cuba.[@diario-es]

Una nota.^[@report-en [p. 3]. El informe señala que «la Constitución es totalitaria».]

El Protocolo busca [«proteger a las víctimas»]{.published-translation}.[@report-en]

> Cita larga del informe, en forma de cita en bloque.[@report-en]

Se habló de una [«campaña»]{.translated-quote}.[@granma-es; @report-en]

Y de una [«ofensiva»]{.translated-quote}, según dos diarios.[@granma-es; @diario-es]

Oficial: «proteger».[@treaty-en-es] Y [«otro texto»]{.translated-quote}.[@treaty-en-es]

El código castiga a quien [«abandone»]{.translated-quote} su misión.[@code-translated]

El informe dice «algo»[^fuente] sobre ello.

[^fuente]: @report-en, p. 3.

Sin idioma: [«texto»]{.translated-quote}.[@unknown-language] Y «otro».[@unknown-language]

La cita «en el texto»,[@report-en] y la [«marcada»]{.translated-quote} [véase @granma-es].
"""


@pytest.fixture
def cases(make_project) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_project()
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(SOURCES)
    (root / "chapters/es/02-findings.md").write_text(CASES, encoding="utf-8")
    return root


def found(root: Path) -> list[tuple[str, int, int]]:
    """The check's findings: (severity, line, column)."""
    findings: list[Diagnostic] = check(load_project(root))
    return [(d.severity, d.location.line, d.location.col) for d in findings if d.location]


def test_each_case_found_where_it_stands(cases: Path) -> None:
    assert found(cases) == [
        ("error", 6, 26),  # marked, Spanish source right after the sentence
        ("warning", 10, 17),  # unmarked, English source right after the quotation
        # line 12: unmarked, Spanish source; 14: a term, words before the citation;
        # 16: the citation is in the next sentence
        ("error", 18, 21),  # "EE. UU." does not end the sentence
        ("warning", 20, 53),  # in a note, the citation the note opens with
        # line 22: a published translation
        ("warning", 24, 1),  # a block quote, by the citation ending it
        # line 26: sources in two languages
        ("error", 28, 10),  # every source of the citation in Spanish
        ("error", 30, 39),  # langid-es: the Spanish edition cites the Spanish version
        ("error", 32, 27),  # origlanguage: the original's wording exists in Spanish
        ("warning", 34, 17),  # a note reference whose note cites the source
        # line 38: a source of unknown language
        ("warning", 40, 9),  # the citation after the comma
        ("error", 40, 41),  # a citation later in the sentence, with prose in its brackets
    ]


def test_messages_name_the_language_and_the_source(cases: Path) -> None:
    findings = check(load_project(cases))
    error, warning = findings[0], findings[1]
    assert error.rule == "quotation-translated-original"
    assert error.message.startswith("quoted from a Spanish source ('granma-es'): print its "
                                    "original wording, not a translation")
    assert warning.rule == "quotation-unmarked-translation"
    assert warning.message.startswith("unmarked quotation from an English source "
                                      "('report-en') in the Spanish edition: mark it")


def test_brief_check_says_one_line_per_finding(cases: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--project", str(cases)]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "quotation-" in line]
    assert len(lines) == 11
    assert lines[0] == (
        "chapters/es/02-findings.md:6:26: error: quoted from a Spanish source "
        "('granma-es'): print its original wording, not a translation (remove the "
        "translated-quote mark; if its wording cannot be found, say so: "
        "{.translated-quote original=\"unavailable\"}) [quotation-translated-original]")


def test_a_corrected_chapter_passes(cases: Path) -> None:
    path = cases / "chapters/es/02-findings.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[«campaña»]{.translated-quote} de", "«campaña» de")
    text = text.replace("«misioneros de la Revolución»",
                        "[«misioneros de la Revolución»]{.translated-quote}")
    path.write_text(text, encoding="utf-8")
    assert ("error", 6, 26) not in found(cases)
    assert ("warning", 10, 17) not in found(cases)
    assert len(found(cases)) == 9


def test_a_quotation_whose_original_cannot_be_found_stays_marked(cases: Path) -> None:
    """Our translation of a Spanish source we have only through an English report:
    marked, and saying why, it is no error (the † still prints)."""
    path = cases / "chapters/es/02-findings.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[«campaña»]{.translated-quote} de",
                                 '[«campaña»]{.translated-quote original="unavailable"} de'),
                    encoding="utf-8")
    assert ("error", 6, 26) not in found(cases)
    assert len(found(cases)) == 10


def test_the_source_edition_and_untranslated_chapters_are_not_checked(cases: Path) -> None:
    english = cases / "chapters/en/02-findings.md"
    english.write_text(english.read_text(encoding="utf-8")
                       + "\nA “campaign”.[@granma-es]\n", encoding="utf-8")
    assert len(found(cases)) == 11
    spanish = cases / "chapters/es/02-findings.md"
    spanish.write_text(spanish.read_text(encoding="utf-8").replace(
        "translation-of: 02-findings.md", "translation-of: 02-findings.md\nuntranslated: true"),
        encoding="utf-8")
    assert found(cases) == []


def test_the_basic_fixture_has_no_finding(make_project) -> None:  # type: ignore[no-untyped-def]
    _, findings = check_only(make_project())
    assert [f for f in findings if f.rule.startswith("quotation-")] == []


def test_languages_of_a_source() -> None:
    from policybrief.bibliography import BibEntry
    from policybrief.errors import Location

    def entry(**fields: str) -> BibEntry:
        return BibEntry("k", "online", fields, Location(Path("r.bib"), 1, 1))

    assert source_languages(entry(langid="spanish"), "es") == {"es"}
    assert source_languages(entry(langid="es-ES"), "en") == {"es"}
    assert source_languages(entry(langid="Brazilian"), "pt-BR") == {"pt"}
    assert source_languages(entry(language="english and french"), "fr") == {"en", "fr"}
    assert source_languages(entry(hyphenation="german"), "de") == {"de"}
    assert source_languages(entry(langid="english", **{"langid-fr": "french"}), "fr") == {"fr"}
    assert source_languages(entry(langid="english", origlanguage="russian"), "ru") \
        == {"en", "ru"}
    assert source_languages(entry(title="x"), "es") == set()


def test_any_language_with_its_own_marks() -> None:
    """French (« » with spaces) and German („ “), and straight quotes in any language."""
    french = Chapter(Path("fr.md"), "fr", "c",
                     "Il parle de « solidarité ».[@a] Puis [« campagne »]{.translated-quote}."
                     "[@b]\n", 1)
    found_fr = quotations(french, ("«", "»"))
    assert [(q.start, q.marked, q.sources) for q in found_fr] == [
        (12, False, ("a",)), (37, True, ("b",))]
    german = Chapter(Path("de.md"), "de", "c",
                     "Er nennt es „Solidarität“.[@a] Sie sagt \"Kampagne\".[@b]\n", 1)
    assert [(q.start, q.sources) for q in quotations(german, ("„", "“"))] == [
        (12, ("a",)), (40, ("b",))]
