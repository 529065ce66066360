"""Translation exchange with CAT tools: XLIFF 2.0 and PO out, translations back in."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from lxml import etree

from policybrief.cli import main
from policybrief.exchange.segments import plain, segment
from policybrief.pipeline import check_only
from tools import require

XLF = "{urn:oasis:names:tc:xliff:document:2.0}"


def chapters_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "chapters").rglob("*.md"))}


def export(root: Path, lang: str, fmt: str) -> Path:
    out = root / "build" / f"{lang}.{'po' if fmt == 'po' else 'xlf'}"
    assert main(["translations", "--project", str(root), "export", "--lang", lang,
                 "--format", fmt, "--out", str(out)]) == 0
    return out


def import_(root: Path, path: Path) -> int:
    return main(["translations", "--project", str(root), "import", str(path)])


@pytest.mark.parametrize("text", [
    "# Introduction {#sec:intro}",
    "I.  To leave the host country.[@smith-2015, p. 14]\nII.  To change residence.",
    "As @fig:workers shows, *numbers* grew by **31,243** (see [the table](#tbl:x)).",
    "We interviewed two workers.^[Interviews held in 2023; compare @smith-2015 [pp. 3–5].]",
    "> A quotation with `code`, <span>HTML</span>, a URL https://example.org/a_b and \\*.",
    "[«Cita»]{.translated-quote}[^note] and $x^2$ and snake_case_words.",
    "Unbalanced [bracket and *emphasis without end",
])
def test_segments_give_back_the_paragraph_exactly(text: str) -> None:
    assert plain(segment(text)) == text


def test_a_reference_glued_to_a_word_is_bracketed_on_import() -> None:
    from policybrief.exchange import unglued
    from policybrief.exchange.segments import Code

    parts = unglued(["如", Code("@fig:workers", "1"), "所示。"])
    assert plain(parts) == "如[@fig:workers]所示。"
    assert plain(unglued([Code("@fig:workers", "1"), " shows"])) == "@fig:workers shows"


def test_codes_protect_markdown_and_leave_the_words() -> None:
    parts = segment("As @fig:workers shows, *numbers* grew.[@smith-2015, p. 14]")
    assert [type(p).__name__ for p in parts] == ["str", "Code", "str", "Pair", "str", "Code"]
    assert parts[1].data == "@fig:workers"  # type: ignore[union-attr]
    assert parts[5].data == "[@smith-2015, p. 14]"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["xliff", "po"])
def test_export_then_import_unchanged_is_byte_identical(
        make_project: Callable[..., Path], fmt: str) -> None:
    root = make_project("world")
    before = chapters_of(root)
    for lang in ("es", "fr", "ar", "zh", "hi", "ru"):
        assert import_(root, export(root, lang, fmt)) == 0
    assert chapters_of(root) == before


def test_xliff_is_read_by_a_cat_tool_library(make_project: Callable[..., Path]) -> None:
    from translate.storage import xliff2

    root = make_project("basic")
    path = export(root, "es", "xliff")
    store = xliff2.Xliff2File.parsefile(str(path))
    ids = [u.getid() for u in store.units]
    assert ids[:3] == ["01-introduction.md:p1", "01-introduction.md:p2",
                       "01-introduction.md:p3"]
    assert len(ids) == len(set(ids)) == 12 + 8  # paragraphs, then texts outside chapters
    second = store.units[1]
    assert second.source.startswith("The Palermo Protocol defines trafficking")
    assert second.target.startswith("El Protocolo de Palermo define la trata")
    tree = etree.parse(str(path))
    segments = tree.findall(f".//{XLF}segment")
    assert {s.get("state") for s in segments} == {"final"}  # all current
    protected = tree.findall(f".//{XLF}source/{XLF}ph[@canDelete='no']")
    assert len(protected) >= 10
    # every code refers to data the unit carries
    for unit in tree.iter(f"{XLF}unit"):
        data = {d.get("id") for d in unit.iter(f"{XLF}data")}
        for code in unit.iter(f"{XLF}ph"):
            assert code.get("dataRef") in data


def test_po_passes_msgfmt_check(make_project: Callable[..., Path]) -> None:
    msgfmt = require("msgfmt")
    root = make_project("world")
    for lang in ("es", "zh"):
        path = export(root, lang, "po")
        run = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)],
                             capture_output=True, text=True)
        assert run.returncode == 0 and run.stderr == "", run.stderr
    catalogue = polib.pofile(str(root / "build/zh.po"))
    assert catalogue.metadata["Language"] == "zh"
    assert all(not e.fuzzy and e.msgstr for e in catalogue)


def test_a_broken_placeholder_refuses_the_file_at_its_line(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    path = export(root, "es", "xliff")
    text = path.read_text(encoding="utf-8")
    target = "Su definición abarca el trabajo forzoso.<ph id=\"3\" dataRef=\"d2\" " \
             "canDelete=\"no\"/></target>"
    assert text.count(target) == 1
    line = text[:text.index(target)].count("\n") + 1
    # the translator's edit: a new sentence, and the citation's code lost
    path.write_text(text.replace(target, "Su definición abarca el trabajo forzoso.</target>")
                    .replace("Fue\nadoptado en 2000.", "Se adoptó en 2000."), encoding="utf-8")
    before = chapters_of(root)
    assert import_(root, path) == 1
    err = capsys.readouterr().err
    assert re.search(rf"es\.xlf:{line - 1}:1: error: unit '01-introduction.md:p2': its "
                     r"citations, notes and markers differ from the source's \(missing "
                     r"@protocol-2000 \(3\)\)", err), err
    assert chapters_of(root) == before  # nothing written, not even the good units


def test_unknown_or_doubled_codes_and_entities_are_refused(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    path = export(root, "es", "po")
    catalogue = polib.pofile(str(path))
    entry = next(e for e in catalogue if e.msgctxt == "01-introduction.md:p2")
    entry.msgstr = entry.msgstr.replace('<x id="3"/>', '<x id="3"/><x id="3"/><x id="9"/>')
    catalogue.save(str(path))
    assert import_(root, path) == 1
    assert "es.po:" in (err := capsys.readouterr().err)
    assert "placeholder id '9' is not one of this paragraph's codes" in err
    xliff = export(root, "es", "xliff")
    data = xliff.read_bytes().replace(
        b"<xliff ", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xliff ', 1)
    xliff.write_bytes(data)
    assert import_(root, xliff) == 1
    assert "a DOCTYPE or entity declaration is not allowed here" in capsys.readouterr().err


def test_a_new_language_is_translated_in_a_cat_tool_and_imported(
        make_project: Callable[..., Path]) -> None:
    root = make_project("basic")
    assert main(["add-language", "fr", "--project", str(root)]) == 0
    path = export(root, "fr", "po")
    catalogue = polib.pofile(str(path))
    assert all(e.msgstr == "" for e in catalogue)  # nothing translated yet
    for entry in catalogue:  # a "translation" that keeps every tag
        entry.msgstr = re.sub(r"(^|>)([^<]+)", lambda m: m.group(1) + "FR " + m.group(2),
                              entry.msgid, count=1)
    last = [e for e in catalogue if e.msgctxt.startswith("02-findings.md:")][-1]
    last.flags.append("fuzzy")  # not reviewed: not current
    catalogue.save(str(path))
    assert import_(root, path) == 0
    french = (root / "chapters/fr/02-findings.md").read_text(encoding="utf-8")
    assert "untranslated" not in french
    assert "FR Workers must ask permission to travel:" in french
    assert "I.  FR To leave the host country.[@smith-2015, p. 14]" in french
    assert "FR As @fig:workers shows" in french
    # the texts outside the chapters came in too, each where it stands
    assert "fr: \"FR Bar chart: 6,190 workers" in \
        (root / "figures/workers/figure.yml").read_text(encoding="utf-8")
    _, found = check_only(root)
    assert not [f for f in found if f.is_error], [f.format() for f in found]
    stale = [f for f in found if f.rule == "translation-stale"]
    assert [f.location.path.name for f in stale if f.location] == ["02-findings.md"]
    assert [f.rule for f in found if f.location and f.location.path.parent.name == "fr"
            and f.rule.startswith("translation") and f.rule != "translation-stale"] == []


def test_a_stale_paragraph_exported_and_translated_comes_back_current(
        make_project: Callable[..., Path]) -> None:
    root = make_project("basic")
    assert main(["translations", "--project", str(root), "--mark-current",
                 "chapters/es/02-findings.md"]) == 0
    english = root / "chapters/en/02-findings.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "The conclusion follows.", "The conclusion follows from the data."), encoding="utf-8")
    path = export(root, "es", "xliff")
    tree = etree.parse(str(path))
    unit = tree.find(f".//{XLF}unit[@id='02-findings.md:p8']")
    assert unit is not None
    segment_ = unit.find(f"{XLF}segment")
    assert segment_ is not None
    assert (segment_.get("state"), segment_.get("subState")) == ("translated",
                                                                 "policybrief:stale")
    target = segment_.find(f"{XLF}target")
    assert target is not None and target.text == "La conclusión es la siguiente."
    target.text = "La conclusión se desprende de los datos."
    segment_.set("state", "final")
    del segment_.attrib["subState"]
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert import_(root, path) == 0
    spanish = (root / "chapters/es/02-findings.md").read_text(encoding="utf-8")
    assert "La conclusión se desprende de los datos.[@smith-2015]" in spanish
    _, found = check_only(root)
    assert [f for f in found if f.rule.startswith("translation")] == []


def test_a_file_exported_before_the_source_changed_is_refused(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    path = export(root, "es", "xliff")
    english = root / "chapters/en/02-findings.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "The conclusion follows.", "The conclusion now follows."), encoding="utf-8")
    assert import_(root, path) == 1
    assert ("unit '02-findings.md:p8': the source paragraph (chapters/en/02-findings.md:16) "
            "changed since this file was exported") in capsys.readouterr().err


def test_the_flagship_spanish_round_trips(tmp_path: Path) -> None:
    flagship = Path(__file__).parent.parent
    root = tmp_path / "flagship"
    root.mkdir()
    for name in ("brief.yml", "references.bib"):
        shutil.copy(flagship / name, root / name)
    for folder in ("chapters", "figures"):
        shutil.copytree(flagship / folder, root / folder)
    before = chapters_of(root)
    for fmt in ("xliff", "po"):
        assert import_(root, export(root, "es", fmt)) == 0
    assert chapters_of(root) == before


@pytest.mark.parametrize(("typed", "message"), [
    ("Fue adoptado.\n \n# Encabezado inyectado", "must be one paragraph"),
    ("Fue&#13;adoptado.", "must be one paragraph"),
    ("Fue adoptado.[@smith-2015]", "Markdown or HTML typed as text ([@smith-2015])"),
    ("Fue &lt;script&gt;alert(1)&lt;/script&gt; adoptado.", "Markdown or HTML typed as text"),
])
def test_markdown_typed_in_a_translation_is_refused(
        make_project: Callable[..., Path], capsys, typed: str, message: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project("basic")
    path = export(root, "es", "xliff")
    text = path.read_text(encoding="utf-8")
    old = "Fue\nadoptado en 2000."
    assert text.count(old) == 1
    path.write_text(text.replace(old, typed), encoding="utf-8")
    before = chapters_of(root)
    assert import_(root, path) == 1
    assert message in capsys.readouterr().err
    assert chapters_of(root) == before


def test_what_cat_tools_leave_in_files_is_read_as_meant(
        make_project: Callable[..., Path]) -> None:
    """An empty <target/> is "not translated"; msgmerge's obsolete "#~" entries are not
    part of the work; a key followed by a hyphen is bracketed, not lengthened."""
    from policybrief.exchange import unglued
    from policybrief.exchange.segments import Code

    assert plain(unglued(["Die ", Code("@fig:workers", "1"), "-Grafik"])) == \
        "Die [@fig:workers]-Grafik"
    root = make_project("basic")
    before = chapters_of(root)
    path = export(root, "es", "xliff")
    text = path.read_text(encoding="utf-8")
    first = re.search(r"<target xml:space=\"preserve\">.*?</target>", text, re.S)
    assert first is not None
    path.write_text(text.replace(first.group(0), "<target/>", 1), encoding="utf-8")
    assert import_(root, path) == 0
    po = export(root, "es", "po")
    with po.open("a", encoding="utf-8") as handle:
        handle.write('\n#~ msgctxt "01-introduction.md:p4"\n#~ msgid "<x id=\\"1\\"/>Method"\n'
                     '#~ msgstr "<x id=\\"1\\"/>Método antiguo"\n')
    assert import_(root, po) == 0
    assert chapters_of(root) == before


def test_figure_config_and_bibliography_texts_travel_too(
        make_project: Callable[..., Path], capsys) -> None:  # type: ignore[no-untyped-def]
    """A figure's alt text went stale; the translator revises it and two other texts;
    each is written where it stands and nothing else of the files changes."""
    root = make_project("basic")
    figure = root / "figures/workers/figure.yml"
    figure.write_text(figure.read_text(encoding="utf-8").replace(
        "Bar chart: 6,190 workers", "Bar chart: 6,190 migrant workers"), encoding="utf-8")
    path = export(root, "es", "xliff")
    tree = etree.parse(str(path))
    units = {u.get("id"): u for u in tree.iter(f"{XLF}unit")}
    assert {"text:figures_workers_figure.yml_alt", "text:brief.yml_translations.es.title",
            "text:references.bib_ilo-1930_title-es"} <= units.keys()
    alt = units["text:figures_workers_figure.yml_alt"].find(f"{XLF}segment")
    assert alt is not None and alt.get("subState") == "policybrief:stale"

    def translate(unit_id: str, text: str) -> None:
        segment_ = units[unit_id].find(f"{XLF}segment")
        assert segment_ is not None
        target = segment_.find(f"{XLF}target")
        assert target is not None
        target.text = text
        segment_.set("state", "final")
        segment_.attrib.pop("subState", None)

    translate("text:figures_workers_figure.yml_alt", "Gráfico de barras: 6.190 trabajadores "
              "migrantes en 2002, 31.243 en 2005, 29.296 en 2008.")
    translate("text:brief.yml_translations.es.title", 'Informe: derechos "laborales"')
    translate("text:references.bib_ilo-1930_title-es", "Convenio sobre el trabajo forzoso, 1930")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    brief_before = (root / "brief.yml").read_text(encoding="utf-8")
    assert import_(root, path) == 0
    assert "    title: \"Informe: derechos \\\"laborales\\\"\"\n" in \
        (root / "brief.yml").read_text(encoding="utf-8")
    assert len((root / "brief.yml").read_text(encoding="utf-8").splitlines()) == \
        len(brief_before.splitlines())
    assert "title-es  = {Convenio sobre el trabajo forzoso, 1930}," in \
        (root / "references.bib").read_text(encoding="utf-8")
    assert 'es: "Gráfico de barras: 6.190 trabajadores migrantes en 2002' in \
        figure.read_text(encoding="utf-8")
    _, found = check_only(root)
    assert [f for f in found if f.rule.startswith("translation")] == []  # all current
    # a BibTeX field the translator unbalanced is refused, located
    path = export(root, "es", "po")
    catalogue = polib.pofile(str(path))
    entry = next(e for e in catalogue if e.msgctxt == "text:references.bib_ilo-1930_title-es")
    entry.msgstr = "Convenio}, url = {javascript:alert(1)"
    catalogue.save(str(path))
    before = (root / "references.bib").read_bytes()
    assert import_(root, path) == 1
    assert "the braces of a BibTeX field must balance" in capsys.readouterr().err
    assert (root / "references.bib").read_bytes() == before
