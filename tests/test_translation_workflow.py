"""Translations may lag; the source language never waits.

An English pull request (real commits) that adds a source and deletes a note checks
and builds clean in English; Spanish is reported stale, still builds from its own text
with a "translation in progress" line, and ``check --release`` refuses it. The stale
paragraphs are shown with the source's word diff and the paragraph to revise; they can
be marked current one by one. A current translation that omits or adds a paragraph is
a located error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.pipeline import check_only
from tools import edit, git

EPOCH = "1700000000"  # 2023-11-14




NEW_SOURCE = """
@report{jones-2021,
  author    = {Jones, Ann},
  title     = {Medical Workers Abroad},
  publisher = {{Example Institute}},
  date      = {2021},
  url       = {https://example.org/jones-2021},
}
"""


@pytest.fixture
def english_pull_request(make_project, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The basic brief in git, its Spanish marked current, then an English-only commit
    that adds a source and deletes a note."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_project()
    for name in ("01-introduction.md", "02-findings.md"):
        assert main(["translations", "--project", str(root), "--mark-current",
                     f"chapters/es/{name}"]) == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    edit(root / "chapters/en/02-findings.md", "The conclusion follows.[@smith-2015]",
         "The conclusion follows from both reports.[@smith-2015; @jones-2021]")
    edit(root / "chapters/en/01-introduction.md",
         "We interviewed two workers.^[Interviews held in 2023; compare @smith-2015 "
         "[pp. 3–5].]\n", "We interviewed two workers.\n")
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(NEW_SOURCE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "English: a new source, a note removed")
    return root


def test_english_pull_request_checks_clean_while_spanish_is_stale(
        english_pull_request: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = english_pull_request
    _, found = check_only(root)
    assert [f for f in found if f.severity != "note"] == []
    stale = sorted((f.location.path.name, f.severity) for f in found
                   if f.rule == "translation-stale" and f.location)
    assert stale == [("01-introduction.md", "note"), ("02-findings.md", "note")]
    # --strict fails on warnings, not on a translation's state
    assert main(["check", "--strict", "--project", str(root)]) == 0
    assert "0 errors, 0 warnings, 2 notes" in capsys.readouterr().err

    _, released = check_only(root, release=True)
    assert sorted(f.rule for f in released if f.is_error) == ["translation-stale"] * 2
    assert main(["check", "--release", "--project", str(root)]) == 1


def test_english_builds_and_spanish_builds_with_a_translation_in_progress_line(
        english_pull_request: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = english_pull_request
    assert main(["build", "--project", str(root), "--to", "html", "--lang", "en,es",
                 "--quiet"]) == 0
    english = (root / "build/en/fixture-brief.html").read_text(encoding="utf-8")
    spanish = (root / "build/es/fixture-brief.html").read_text(encoding="utf-8")
    assert 'class="translation-banner"' not in english
    assert "from both reports" in english
    banner = ('<p class="translation-banner" role="note">Traducción en curso: esta edición '
              "se basa en el original del 14 de noviembre de 2023")
    assert banner in spanish
    assert "La conclusión es la siguiente." in spanish  # its own text, as translated
    assert "translation-stale" in capsys.readouterr().err  # building Spanish says it
    # the Word edition says it on its title page (reviewers work in it)
    assert main(["build", "--project", str(root), "--to", "docx", "--lang", "en,es",
                 "--quiet"]) == 0
    capsys.readouterr()
    import zipfile

    def word_text(lang: str) -> str:
        with zipfile.ZipFile(root / f"build/{lang}/fixture-brief.docx") as docx:
            xml = docx.read("word/document.xml").decode("utf-8")
        return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))

    assert ("Traducción en curso: esta edición se basa en el original del 14 de noviembre "
            "de 2023") in word_text("es")
    assert "Traducción en curso" not in word_text("en")
    assert "Translation in progress" not in word_text("en")
    # an English-only build says nothing of the Spanish edition's state
    assert main(["build", "--project", str(root), "--to", "html", "--force"]) == 0
    assert "translation-stale" not in capsys.readouterr().err


def test_stale_paragraphs_are_shown_with_the_source_word_diff(
        english_pull_request: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = english_pull_request
    assert main(["translations", "--project", str(root)]) == 0
    out = capsys.readouterr().out
    assert ("chapters/en/02-findings.md:16: changed\n"
            "  source: The conclusion [-follows.[@smith-2015]-] {+follows from both "
            "reports.[@smith-2015; @jones-2021]+}\n"
            "  es: chapters/es/02-findings.md:22: La conclusión es la siguiente.[@smith-2015]"
            ) in out
    assert ("chapters/en/01-introduction.md:11: changed\n"
            "  source: We interviewed two [-workers.^[Interviews held in 2023; compare "
            "@smith-2015 [pp. 3–5].]-] {+workers.+} A second note repeats a source.[^repeat]\n"
            "  es: chapters/es/01-introduction.md:16: Entrevistamos a dos trabajadores.^["
            ) in out


def test_a_stale_paragraph_is_marked_current_on_its_own(
        english_pull_request: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = english_pull_request
    spanish = root / "chapters/es/02-findings.md"
    edit(spanish, "La conclusión es la siguiente.[@smith-2015]",
         "La conclusión se desprende de ambos informes.[@smith-2015; @jones-2021]")
    assert main(["translations", "--project", str(root), "--mark-current",
                 "chapters/es/02-findings.md:22"]) == 0
    assert "marked current: " in capsys.readouterr().out
    _, found = check_only(root)
    stale = [f.location.path.name for f in found
             if f.rule == "translation-stale" and f.location]
    assert stale == ["01-introduction.md"]  # the other chapter still lags
    assert [f for f in found if f.is_error] == []
    # a line that is not the start of a paragraph's block still names that paragraph
    intro = "chapters/es/01-introduction.md"
    assert main(["translations", "--project", str(root), "--mark-current",
                 f"{intro}:999"]) == 1
    assert f"{intro}:999:1: error: no paragraph at this line" in capsys.readouterr().err


def _current(make_project, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_project()
    assert main(["translations", "--project", str(root), "--mark-current",
                 "chapters/es/02-findings.md"]) == 0
    return root


def test_an_omitted_paragraph_is_a_located_error(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = _current(make_project, monkeypatch)
    edit(root / "chapters/es/02-findings.md",
         "Como muestra @fig:workers, las cifras crecieron.\n\n", "")
    _, found = check_only(root)
    errors = [f for f in found if f.rule == "translation-alignment"]
    assert len(errors) == 1, found
    assert errors[0].location is not None
    assert (errors[0].location.path.name, errors[0].location.line) == ("02-findings.md", 16)
    assert "a paragraph is missing before this one: 02-findings.md:10 “As @fig:workers " \
           "shows, numbers grew.”" in errors[0].message


def test_an_extra_paragraph_is_a_located_error(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = _current(make_project, monkeypatch)
    edit(root / "chapters/es/02-findings.md", "La conclusión es la siguiente.",
         "Un párrafo que el original no tiene, con 2024 cifras.\n\n"
         "La conclusión es la siguiente.")
    _, found = check_only(root)
    errors = [f for f in found if f.rule == "translation-alignment"]
    assert len(errors) == 1, found
    assert errors[0].location is not None and errors[0].location.line == 22
    assert "this paragraph has no source paragraph in 02-findings.md" in errors[0].message


def test_figure_texts_config_and_bibliography_fields_go_stale_too(
        make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    _, found = check_only(root)
    assert [f for f in found if f.rule.startswith("translation")] == []  # all recorded
    edit(root / "figures/workers/figure.yml", "Bar chart: 6,190 workers",
         "Bar chart: 6,190 migrant workers")
    edit(root / "references.bib", "title     = {Forced Labour Convention}",
         "title     = {Forced Labour Convention, 1930 (No. 29)}")
    edit(root / "brief.yml", "subtitle: Report", "subtitle: Policy report")
    _, found = check_only(root)
    stale = sorted((f.location.path.name, f.location.line) for f in found
                   if f.rule == "translation-text-stale" and f.location)
    assert stale == [("brief.yml", 17), ("figure.yml", 6), ("references.bib", 12)]
    assert all(f.severity == "note" for f in found if f.rule == "translation-text-stale")
    _, released = check_only(root, release=True)
    assert len([f for f in released if f.rule == "translation-text-stale" and f.is_error]) == 3
    assert main(["translations", "--project", str(root)]) == 0
    out = capsys.readouterr().out
    assert "  es  stale      figures/workers/figure.yml alt" in out
    assert "  es  stale      references.bib ilo-1930 title-es" in out
    for name in ("figures/workers/figure.yml", "references.bib", "brief.yml"):
        assert main(["translations", "--project", str(root), "--lang", "es",
                     "--mark-current", name]) == 0
    _, found = check_only(root)
    assert [f for f in found if f.rule.startswith("translation")] == []


def test_mark_current_refuses_what_it_cannot_mark(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    cases = [
        (["--mark-current", "figures/nothing/figure.yml"], "error: no such file"),
        (["--lang", "xx", "--mark-current", "brief.yml"], "'xx' is not a translated edition"),
        (["--lang", "en", "--mark-current", "brief.yml"], "'en' is not a translated edition"),
        (["--mark-current", "figures/workers/data.csv"], "has no translated texts"),
    ]
    for args, message in cases:
        assert main(["translations", "--project", str(root), *args]) == 1, args
        assert message in capsys.readouterr().err, args
    assert not (root / "chapters/xx").exists() and \
        not (root / "chapters/en/translated-texts.yml").exists()
    record = root / "chapters/es/translated-texts.yml"
    record.unlink()  # a file with nothing to mark writes no record
    assert main(["translations", "--project", str(root), "--mark-current",
                 "figures/workers/data.csv"]) == 1
    assert not record.exists()


def test_old_wording_is_found_when_the_brief_is_a_folder_of_a_repository(
        make_project, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    brief = make_project()
    top = brief.parent / "repository"
    shutil.move(str(brief), str(top / "briefs" / "basic"))
    root = top / "briefs" / "basic"
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    edit(root / "chapters/en/02-findings.md", "The conclusion follows.",
         "The conclusion now follows.")
    assert main(["translations", "--project", str(root)]) == 0
    assert "source: The conclusion {+now+} follows.[@smith-2015]" in capsys.readouterr().out
