"""`brief add-language`: a new edition in one command, ready for its translator, and
reported as untranslated (never as a current translation) until it is."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import yaml

from policybrief.cli import main
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only


def test_a_language_is_added_in_one_command(make_project: Callable[..., Path],
                                            capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project("world")
    before = (root / "brief.yml").read_text(encoding="utf-8")
    assert main(["add-language", "it", "--project", str(root)]) == 0
    out = capsys.readouterr().out
    assert "chapters/it/01-introduction.md" in out and "To translate into 'it'" in out
    assert "locales/it.yml: the interface strings" in out  # and where English is
    assert "locales/en.yml" in out

    config_text = (root / "brief.yml").read_text(encoding="utf-8")
    # edited in place: what stood before stands as it was
    assert config_text.split("languages:")[0] == before.split("languages:")[0]
    assert before.split("translations:")[1].rstrip("\n") in config_text
    config = yaml.safe_load(config_text)
    assert config["languages"][-1] == "it"
    assert config["translations"]["it"]["title"] == config["title"]  # to translate
    assert config["translations"]["it"]["organization"]["name"] == "Example Foundation"
    chapter = (root / "chapters/it/02-findings.md").read_text(encoding="utf-8")
    front = yaml.safe_load(chapter.split("---")[1])
    assert front == {"translation-of": "02-findings.md", "untranslated": True}
    assert chapter.endswith((root / "chapters/en/02-findings.md").read_text(
        encoding="utf-8").split("\n", 1)[1])  # the source's text, to translate

    spec = yaml.safe_load((root / "figures/wages/figure.yml").read_text(encoding="utf-8"))
    assert spec["title"]["it"] == spec["title"]["en"] and spec["x"]["it"] == "country_it"
    with (root / "figures/wages/data.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["country_it"] for r in rows] == [r["country_en"] for r in rows]


def test_an_added_language_is_reported_untranslated_and_builds(
        make_project: Callable[..., Path]) -> None:
    root = make_project("basic")
    assert main(["add-language", "pt-BR", "--project", str(root)]) == 0
    _project, found = check_only(root)
    assert not [d for d in found if d.is_error], [d.format() for d in found]
    untranslated = [d for d in found if d.rule == "translation-untranslated"]
    assert len(untranslated) == 2  # one per chapter, not "current", not a parity error
    assert "brief translations --mark-current chapters/pt-BR/" in untranslated[0].message
    build(root, ["html"], ["pt-BR"], None, Reporter(quiet=True))
    html = (root / "build/pt-BR/fixture-brief.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR" dir="ltr">' in html and "março de 2024" in html
    # the file name the message suggests is the one --mark-current takes
    command = untranslated[0].message.split("'")[1].split()
    assert main([*command[1:], "--project", str(root)]) == 0
    _project, found = check_only(root)
    assert len([d for d in found if d.rule == "translation-untranslated"]) == 1


def test_what_cannot_be_added_is_refused_and_nothing_written(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    before = (root / "brief.yml").read_bytes()
    assert main(["add-language", "es", "--project", str(root)]) == 1
    assert "'es' is already one of the brief's languages" in capsys.readouterr().err
    assert main(["add-language", "english", "--project", str(root)]) == 1
    assert "not a BCP 47 language code" in capsys.readouterr().err
    assert (root / "brief.yml").read_bytes() == before
    assert not (root / "chapters/english").exists()


def test_the_source_language_builds_while_another_edition_is_incomplete(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    """Italian is listed but neither translated nor given interface strings: English
    builds (the Italian errors are warnings there), Italian and `brief check` refuse."""
    root = make_project("basic")
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "languages: [en, es]", "languages: [en, es, it]"), encoding="utf-8")
    assert main(["build", "--to", "html", "--lang", "en", "--project", str(root)]) == 0
    err = capsys.readouterr().err
    assert "no interface strings for 'it'" in err and "which this build does not make" in err
    assert (root / "build/en/fixture-brief.html").is_file()
    assert main(["build", "--to", "html", "--lang", "it", "--project", str(root)]) == 1
    err = capsys.readouterr().err
    assert "error: no interface strings for 'it'" in err
    # its untranslated chapters are a state (a note), which a release refuses
    assert "note: no 'it' translation of 01-introduction.md yet" in err
    assert main(["check", "--project", str(root)]) == 1
    assert main(["check", "--release", "--project", str(root)]) == 1
    assert "error: no 'it' translation of 01-introduction.md" in capsys.readouterr().err


def test_brief_yml_is_edited_where_entries_stand_whatever_follows(
        make_project: Callable[..., Path]) -> None:
    """A key after the translations block, and an unknown language, found in review."""
    root = make_project("basic")
    config = root / "brief.yml"
    config.write_text(config.read_text(encoding="utf-8") + "paper: a4\n", encoding="utf-8")
    assert main(["add-language", "it", "--project", str(root)]) == 0
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert data["paper"] == "a4" and data["translations"]["it"]["subtitle"] == "Report"
    assert main(["add-language", "qaa", "--project", str(root)]) == 1  # no CLDR data
    assert not (root / "chapters/qaa").exists()


def test_an_untranslated_copy_is_not_held_to_its_new_language_typography(
        make_project: Callable[..., Path]) -> None:
    """French wants a narrow space before ':'; the copied English text is checked as
    English, once, in its source chapter."""
    root = make_project("basic")
    assert main(["add-language", "fr", "--project", str(root)]) == 0
    _project, found = check_only(root)
    assert [d.format() for d in found if d.rule.startswith("typography")
            and d.location and "fr" in d.location.path.parts] == []
    # translated, the same sentence is held to French rules
    chapter = root / "chapters/fr/02-findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("untranslated: true\n", ""),
                       encoding="utf-8")
    _project, found = check_only(root)
    assert any(d.rule == "typography-high-punctuation" for d in found
               if d.location and d.location.path == chapter.resolve())
