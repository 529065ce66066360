"""``brief diff``'s engine: a redline of the brief between two git revisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
import yaml

import policybrief
from policybrief.diff import redline
from policybrief.diff.labels import NAMES
from policybrief.errors import BriefError
from tools import edit, git


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)



def checkout_state(root: Path) -> tuple[str, str, str, str]:
    """What must not change: working tree and index, HEAD, worktrees, stashes."""
    return (git(root, "status", "--porcelain", "--untracked-files=all"),
            git(root, "rev-parse", "HEAD"), git(root, "worktree", "list"),
            git(root, "stash", "list"))


@pytest.fixture
def make_repo(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
              tmp_path: Path) -> Callable[..., Path]:
    """A fixture brief committed to a new git repository (build/ ignored, as a brief's
    repository does)."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    def make(only: str | None = "en") -> Path:
        root = make_project(only=only)
        (root / ".gitignore").write_text("/build/\n", encoding="utf-8")
        git(root, "init", "-q")
        commit_all(root, "The brief")
        return root

    return make


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def texts(tree: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


# Marks in the text, outside notes; and notes by how they changed.
TEXT_DEL = "//article//del[not(@class='note') and not(ancestor::*[@class='note'])]"
TEXT_INS = "//article//ins[not(@class='note') and not(ancestor::*[@class='note'])]"


def notes(tree: lxml.html.HtmlElement, change: str) -> list[str]:
    return texts(tree, f"//article//*[@data-note-change='{change}']")


def test_redline_between_commits(make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    intro = root / "chapters/en/01-introduction.md"
    edit(intro, "Its definition covers forced labour.", "Its definition includes forced labour.")
    edit(intro, "^[Interviews held in 2023; compare @smith-2015 [pp. 3–5].]", "")
    edit(root / "chapters/en/02-findings.md", "Workers must ask permission to travel:",
         "Workers must ask permission to travel:[@ilo-1930]")
    edit(root / "figures/workers/data.csv", "2005,31243", "2005,31250")
    commit_all(root, "Edits")
    before = checkout_state(root)

    written = redline(root, "HEAD~1", "HEAD", None)

    assert written == [root / "build" / "diff" / "en.html"]
    assert checkout_state(root) == before
    tree = parse(written[0])
    assert tree.get("lang") == "en"
    assert tree.xpath("//article/@lang") == ["en"]

    # The sentence: one word out, one in; nothing else in the text.
    assert texts(tree, TEXT_DEL) == ["covers"]
    assert texts(tree, TEXT_INS) == ["includes"]
    # The removed note is deleted, the added citation's note inserted, no note changed;
    # the later notes, renumbered, are not marked.
    deleted = notes(tree, "deleted")
    assert len(deleted) == 1 and deleted[0].startswith("deleted note Interviews held in 2023")
    inserted = notes(tree, "inserted")
    assert inserted == ["6 “Forced Labour Convention” International Labour Organization."]
    assert notes(tree, "changed") == []
    kept = notes(tree, "none")
    assert len(kept) == 9
    # a citation inside a note prints in parentheses, before the punctuation it followed
    assert "5 As noted in the protocol commentary (“Palermo Protocol” OHCHR)." in kept
    renumbered = tree.xpath("//article//*[@data-note-change='none'][@title]")
    assert [e.get("title") for e in renumbered] == ["note 6 before"]
    assert kept[-1] == ("10 Smith and Research Collective, “Forced Labour in State "
                        "Programmes.”")
    # Exactly the three paragraphs touched are marked as changed.
    changed = tree.xpath("//article/*[contains(@class, 'changed') or "
                         "contains(@class, 'inserted') or contains(@class, 'deleted')]")
    assert [e.get("id") for e in changed] == ["change-1", "change-2", "change-3"]
    assert [" ".join(e.text_content().split())[:20] for e in changed] == [
        "The Palermo Protocol", "We interviewed two w", "Workers must ask per"]
    assert tree.xpath("//article/@data-changes") == ["3"]

    # Summary: no source added, removed or changed; the figure's one changed cell.
    sources = tree.xpath("//section[@id='summary-sources']")[0]
    assert (sources.get("data-added"), sources.get("data-removed"),
            sources.get("data-changed")) == ("0", "0", "0")
    assert "No sources added, removed or changed." in sources.text_content()
    figures = tree.xpath("//section[@id='summary-figures']//div[@class='figure-change "
                         "figure-changed']")
    assert [f.get("id") for f in figures] == ["figure-workers"]
    rows = [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in figures[0].xpath(".//table[@class='cells']/tbody/tr")]
    assert rows == [["2005", "workers", "31243", "31250"]]
    assert figures[0].xpath(".//td[contains(@class, 'before')]/del/text()") == ["31243"]
    assert figures[0].xpath(".//td[contains(@class, 'after')]/ins/text()") == ["31250"]
    # One language: no translation to go stale. Words: a 16-word note out, 6 in.
    assert tree.xpath("//section[@id='summary-translations']/@data-stale") == ["0"]
    words = texts(tree, "//section[@id='summary-words']//tbody/tr[@data-lang='en']/td")
    assert words[0] == "English"
    assert int(words[2]) - int(words[1]) == -10
    assert words[3] == "-10"
    # The revisions compared are named.
    assert texts(tree, "//dd[@class='base-revision']")[0].startswith("HEAD~1 (")
    assert texts(tree, "//dd[@class='head-revision']")[0].endswith(" Edits)")


def test_redline_against_the_working_tree(make_repo: Callable[..., Path],
                                          tmp_path: Path) -> None:
    root = make_repo()
    intro = root / "chapters/en/01-introduction.md"
    edit(intro, "It was\nadopted in 2000.", "It was\nadopted in November 2000.")
    edit(intro, "As noted in the protocol commentary.",
         "As noted in the official protocol commentary.")
    before = checkout_state(root)
    assert before[0].strip() == "M chapters/en/01-introduction.md"

    written = redline(root, "HEAD", None, tmp_path / "out")

    assert written == [tmp_path / "out" / "diff" / "en.html"]
    assert not (root / "build").exists()
    assert checkout_state(root) == before
    tree = parse(written[0])
    assert texts(tree, TEXT_INS) == ["November"]
    assert texts(tree, TEXT_DEL) == []
    # A changed note shows its change inside the note, where it is called.
    changed = tree.xpath("//article//*[@data-note-change='changed']")
    assert len(changed) == 1
    assert [t.strip() for t in changed[0].xpath(".//ins/text()")] == ["official"]
    assert changed[0].xpath(".//del") == []
    assert notes(tree, "inserted") == notes(tree, "deleted") == []
    assert "working tree" in texts(tree, "//dd[@class='head-revision']")[0]
    assert tree.xpath("//section[@id='summary-figures']/@data-changed") == ["0"]
    words = texts(tree, "//section[@id='summary-words']//tbody/tr[@data-lang='en']/td")
    assert words[3] == "+2"


def test_two_languages_stale_translation(make_repo: Callable[..., Path]) -> None:
    root = make_repo(only=None)
    # Unchanged: both editions, no changes, every translation current.
    unchanged = redline(root, "HEAD", None, None)
    assert [p.name for p in unchanged] == ["en.html", "es.html"]
    for path in unchanged:
        tree = parse(path)
        assert tree.xpath("//article/@data-changes") == ["0"]
        assert tree.xpath("//section[@id='summary-translations']/@data-stale") == ["0"]

    edit(root / "chapters/en/01-introduction.md", "The ILO\nagrees.", "The ILO\nfully agrees.")
    before = checkout_state(root)
    en, es = redline(root, "HEAD", None, None)
    assert checkout_state(root) == before

    english = parse(en)
    assert texts(english, TEXT_INS) == ["fully"]  # once: the pull quote's copy is not text
    spanish = parse(es)
    assert spanish.get("lang") == "es"
    assert spanish.xpath("//article/@data-changes") == ["0"]
    assert texts(spanish, TEXT_INS) == texts(spanish, TEXT_DEL) == []
    for tree in (english, spanish):
        rows = tree.xpath("//section[@id='summary-translations']//tbody/tr")
        assert [(r.get("data-lang"), r.get("data-chapter")) for r in rows] == [
            ("es", "01-introduction.md")]
        assert "6: [Forced labour is a form of trafficking" in rows[0].text_content()
    cells = texts(english, "//section[@id='summary-translations']//tbody/tr/td")
    assert cells[3:5] == ["stale", "current"]
    cells = texts(spanish, "//section[@id='summary-translations']//tbody/tr/td")
    assert cells[3:5] == ["desactualizado", "al día"]
    words = texts(spanish, "//section[@id='summary-words']//tbody/tr[@data-lang='es']/td")
    assert words[3] == "0"


def test_labels_come_from_each_editions_catalogue(make_repo: Callable[..., Path]) -> None:
    root = make_repo(only=None)
    # A project's locales/es.yml overrides the theme's Spanish strings, the report's too.
    (root / "locales").mkdir()
    (root / "locales/es.yml").write_text(
        "diff_title: Cambios revisados\ndiff_legend: Leyenda del proyecto.\n", encoding="utf-8")

    en, es = redline(root, "HEAD", None, None)

    spanish = parse(es)
    assert spanish.get("lang") == "es"
    assert texts(spanish, "//header/h1") == [
        "Cambios revisados: Informe de prueba sobre derechos laborales"]
    assert spanish.xpath("//nav[@class='changes']/@aria-label") == ["Cambios revisados"]
    assert texts(spanish, "//p[@class='legend']") == ["Leyenda del proyecto."]
    # The other labels are the theme's Spanish ones.
    assert texts(spanish, "//dl[@class='revisions']/dt") == ["Antes", "Después"]
    assert texts(spanish, "//dd[@class='head-revision']") == [
        "copia de trabajo (con los cambios sin confirmar)"]
    assert texts(spanish, "//section[@id='summary']/h2") == ["Resumen"]
    # The English edition keeps the theme's English labels.
    english = parse(en)
    assert english.get("lang") == "en"
    assert texts(english, "//header/h1") == ["Changes: Fixture Brief on Labour Rights"]
    assert texts(english, "//dl[@class='revisions']/dt") == ["Before", "After"]
    assert texts(english, "//section[@id='summary']/h2") == ["Summary"]


LOCALES = Path(policybrief.__file__).parent / "themes/default/locales"
# one catalogue per language (a regional one, pt-PT.yml, holds only what differs)
CATALOGUES = sorted(p.name for p in LOCALES.glob("*.yml") if "-" not in p.stem)


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_label_is_in_the_themes_catalogues(catalogue: str) -> None:
    strings = yaml.safe_load((LOCALES / catalogue).read_text(encoding="utf-8"))
    assert sorted(k for k in strings if k.startswith("diff_")) == sorted(
        f"diff_{name}" for name in NAMES)


def test_unknown_revision(make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    with pytest.raises(BriefError, match="unknown revision 'no-such-revision'"):
        redline(root, "no-such-revision", None, None)
    with pytest.raises(BriefError, match="unknown revision 'HEAD~5'"):
        redline(root, "HEAD", "HEAD~5", None)
    with pytest.raises(BriefError, match="unknown revision '--output=x'"):
        redline(root, "--output=x", None, None)
    assert not (root / "build").exists()


def test_not_a_git_repository(make_project: Callable[..., Path], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_project(only="en")
    with pytest.raises(BriefError, match="is not in a git repository"):
        redline(root, "HEAD~1", None, None)


def test_revision_without_the_brief(make_project: Callable[..., Path], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("Nothing yet.\n", encoding="utf-8")
    git(root, "init", "-q")
    commit_all(root, "Start")
    make_project(only="en").rename(root / "brief")
    commit_all(root, "The brief")
    with pytest.raises(BriefError, match=r"revision 'HEAD~1' has no brief\.yml in 'brief'"):
        redline(root / "brief", "HEAD~1", "HEAD", None)
    # The brief in a subfolder of its repository is compared like any other.
    assert [p.name for p in redline(root / "brief", "HEAD", None, None)] == ["en.html"]


def test_error_in_old_revision_points_at_it(make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    bib = root / "references.bib"
    edit(bib, "date      = {1930},", "date      = {1930-13},")
    commit_all(root, "A broken date")
    edit(bib, "date      = {1930-13},", "date      = {1930},")
    commit_all(root, "Fixed")
    with pytest.raises(BriefError) as caught:
        redline(root, "HEAD~1", "HEAD", None)
    message = caught.value.format()
    assert message.startswith("HEAD~1:references.bib:")
    assert "is not a date" in message and "(in revision HEAD~1)" in message
    assert "/tmp" not in message


# --- issue 16: the "after" label, deleted notes, charts, every label, file:line ---


def test_after_names_the_commit_when_the_working_tree_is_unchanged(
        make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    commit = git(root, "log", "-1", "--format=%h %s").strip()
    (root / "build").mkdir()
    (root / "build" / "stray.txt").write_text("ignored\n", encoding="utf-8")  # /build/ ignored

    tree = parse(redline(root, "HEAD", None, None)[0])

    assert texts(tree, "//dd[@class='head-revision']") == [f"HEAD ({commit})"]
    assert texts(tree, "//dd[@class='base-revision']") == [f"HEAD ({commit})"]
    # A new file in the brief's folder is a change of the working tree: named as such.
    (root / "chapters/en/notes-to-self.txt").write_text("draft\n", encoding="utf-8")
    tree = parse(redline(root, "HEAD", None, None)[0])
    assert texts(tree, "//dd[@class='head-revision']") == [
        "working tree (uncommitted changes included)"]


def test_deleted_note_shows_no_number(make_repo: Callable[..., Path]) -> None:
    root = make_repo(only=None)
    # Note 5 goes: every later note is renumbered, so its old number now belongs to
    # the note after it.
    edit(root / "chapters/en/01-introduction.md",
         "^[Interviews held in 2023; compare @smith-2015 [pp. 3–5].]", "")
    edit(root / "chapters/es/01-introduction.md",
         "^[Entrevistas realizadas en 2023; véase @smith-2015 [pp. 3–5].]", "")

    en, es = redline(root, "HEAD", None, None)

    for path, label, text, after in (
            (en, "deleted note", "Interviews held in 2023", "As noted in the protocol"),
            (es, "nota suprimida", "Entrevistas realizadas en 2023", "Como se indica")):
        tree = parse(path)
        deleted = tree.xpath("//article//*[@data-note-change='deleted']")
        assert len(deleted) == 1
        assert deleted[0].xpath(".//*[@class='note-number']") == []
        assert deleted[0].xpath("./*[@class='note-label']/text()") == [label]
        assert deleted[0].xpath("./del")[0].text_content().startswith(text)
        # number 5 is the next note's now, shown with it, unchanged
        fifth = tree.xpath("//article//*[@data-note-change='none']"
                           "[*[@class='note-number']='5']")
        assert len(fifth) == 1 and " ".join(fifth[0].text_content().split()).startswith(
            f"5 {after}")


def _svg(src: str) -> bytes:
    import base64

    prefix = "data:image/svg+xml;base64,"
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix):])


def test_changed_figure_shows_its_chart_before_and_after(make_repo: Callable[..., Path],
                                                        tmp_path: Path) -> None:
    from policybrief.figures.render import render_figure
    from policybrief.figures.style import load_style
    from policybrief.project import load_project

    root = make_repo(only=None)
    project = load_project(root)  # the old data, drawn by the build's own chart code
    old_chart = render_figure(project.figures["workers"], load_style(project.theme, "es"),
                              "es", tmp_path / "cache").svg.read_bytes()
    edit(root / "figures/workers/data.csv", "2005,31243", "2005,41243")
    commit_all(root, "More workers")

    en, es = redline(root, "HEAD~1", "HEAD", None)

    spanish = parse(es)
    figure = spanish.xpath("//div[@id='figure-workers']")[0]
    charts = figure.xpath(".//div[@class='charts']/figure")
    assert [c.get("class") for c in charts] == ["chart chart-before", "chart chart-after"]
    assert [c.findtext("figcaption") for c in charts] == ["Antes", "Después"]
    assert charts[0].xpath("img/@alt")[0].startswith("Gráfico de barras: 6.190 trabajadores")
    before, after = (_svg(c.xpath("img/@src")[0]) for c in charts)
    assert before == old_chart
    assert after != before and after.startswith(b"<?xml") and b"<svg" in after
    # The other figure did not change: no chart for it; the table of cells stays.
    assert spanish.xpath("//div[@id='figure-wages']") == []
    assert texts(figure, ".//table[@class='cells']//td[contains(@class, 'after')]") == [
        "41243"]
    assert len(parse(en).xpath("//div[@id='figure-workers']//div[@class='charts']/figure")) == 2


def test_every_label_is_in_the_editions_language(make_repo: Callable[..., Path]) -> None:
    root = make_repo(only=None)
    bib = root / "references.bib"
    edit(bib, "@legislation{ilo-1930,", "@legislation{extra-2001,\n  title = {Extra},\n"
         "  publisher = {X},\n  date = {2001},\n}\n\n@legislation{ilo-1930,")
    edit(bib, "pages        = {1--20},", "pages        = {1--21},")
    edit(root / "figures/workers/data.csv", "2005,31243", "2005,31250")
    edit(root / "figures/workers/figure.yml", "title: {en: Workers abroad,",
         "title: {en: Workers sent abroad,")
    edit(root / "chapters/en/01-introduction.md", "The ILO\nagrees.", "The ILO\nfully agrees.")
    edit(root / "chapters/es/01-introduction.md",
         "^[Entrevistas realizadas en 2023; véase @smith-2015 [pp. 3–5].]", "")
    edit(root / "chapters/es/02-findings.md", "\n> ", "\nUn párrafo nuevo.\n\n> ")

    _, es = redline(root, "HEAD", None, None)

    spanish = parse(es)
    shown = " ".join(spanish.body.text_content().split())
    # Counts take the language's plural forms, joined by its list separator.
    assert texts(spanish, "//p[@class='sources-counts']") == [
        "1 añadida, 0 suprimidas, 1 modificada"]
    figure = spanish.xpath("//div[@id='figure-workers']/p")[0]
    assert " ".join(figure.text_content().split()) == (
        "workers — Trabajadores en el exterior: datos modificados, figure.yml modificado")
    assert texts(spanish, "//section[@id='summary-words']//tbody/tr/td[1]") == [
        "inglés", "español"]
    assert texts(spanish, "//section[@id='summary-translations']//tbody/tr/td[2]") == [
        "español"]
    assert spanish.xpath("//title/text()")[0].endswith("(español)")
    assert "nota suprimida" in shown
    # No English label anywhere: every English string of the report that Spanish says
    # differently is absent from the Spanish page.
    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    spanish_strings = yaml.safe_load((LOCALES / "es.yml").read_text(encoding="utf-8"))
    for name in NAMES:
        value, theirs = english[f"diff_{name}"], spanish_strings[f"diff_{name}"]
        for form in (value.values() if isinstance(value, dict) else [value]):
            words = " ".join(str(form).split()).split("{")[0].strip()
            if len(words) > 3 and words != theirs and words not in str(theirs):
                assert words not in shown, f"English '{words}' ({name}) in the Spanish report"
    assert "English" not in shown and "Spanish" not in shown


def test_changed_passages_name_their_file_and_line(make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    edit(root / "chapters/en/02-findings.md", "II.  To change residence.",
         "II.  To change their residence.")
    edit(root / "chapters/en/01-introduction.md", "## Method\n\n", "## Method\n\nA new one.\n\n")
    edit(root / "figures/workers/figure.yml", "title: {en: Workers abroad,",
         "title: {en: Workers sent abroad,")
    commit_all(root, "Edits")
    edit(root / "chapters/en/02-findings.md",
         "> Long quotation from the report, set as a block quotation.[@ilo-1930]\n\n", "")
    commit_all(root, "Quotation out")

    tree = parse(redline(root, "HEAD~2", "HEAD", None)[0])

    changed = tree.xpath("//article/*[@id]")
    places = [(" ".join(e.text_content().split())[:14],
               e.xpath("./span[@class='where']/text()")) for e in changed]
    assert places == [
        ("A new one. HEA", ["HEAD:chapters/en/01-introduction.md:11"]),
        ("II. To change ", ["HEAD:chapters/en/02-findings.md:6"]),
        # a deleted passage: where it stood in the old revision
        ("Long quotation", ["HEAD~2:chapters/en/02-findings.md:8"]),
        ("Figure 1: Work", ["HEAD:figures/workers/figure.yml:5"]),
    ]
    assert tree.xpath("//span[@class='where']/@title")[0] == (
        "Where this passage stands in the sources (file:line)")


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_counted_labels_print_their_count(catalogue: str) -> None:
    from policybrief.i18n import Messages

    strings = yaml.safe_load((LOCALES / catalogue).read_text(encoding="utf-8"))
    messages = Messages(catalogue.removesuffix(".yml"), strings, {})
    for name in ("sources_added", "sources_removed", "sources_changed", "changes"):
        for n in (0, 1, 2, 5, 21):
            assert str(n) in messages.count(f"diff_{name}", n)
    assert messages.missing == set()
