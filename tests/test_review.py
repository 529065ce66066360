"""``brief review``: a Word edition marked up as Word does (tracked insertions and
deletions, a comment, a change inside a citation's note) brought back to the Markdown,
reported at each change's line and column and, with ``--apply``, written where safe."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from policybrief.cli import main
from policybrief.log import Reporter
from policybrief.pipeline import build
from tools import git

ROOTS = Path(__file__).parent / "roots"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DATE = "2024-05-02T10:00:00Z"
INTRO = "chapters/en/01-introduction.md"
FINDINGS = "chapters/en/02-findings.md"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The ``basic`` brief (English) committed to a new repository and its Word
    edition built once: the project as built, and the DOCX's bytes."""
    root = tmp_path_factory.mktemp("review") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    config = root / "brief.yml"
    text = config.read_text(encoding="utf-8").split("\ntranslations:")[0]
    config.write_text(re.sub(r"^languages: .*$", "languages: [en]", text, flags=re.M) + "\n",
                      encoding="utf-8")
    (root / ".gitignore").write_text("/build/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The brief")
    build(root, ["docx"], ["en"], None, Reporter(quiet=True))
    return root, (root / "build" / "en" / "fixture-brief.docx").read_bytes()


@pytest.fixture
def project(built: tuple[Path, bytes], tmp_path: Path) -> Path:
    """A fresh copy of the built project for one test (tests edit it)."""
    target = tmp_path / "basic"
    shutil.copytree(built[0], target)
    return target


# ---------------------------------------------------- marking up as Word does


def _paragraph(root: etree._Element, starts: str) -> etree._Element:
    found = [p for p in root.iter(_w("p"))
             if "".join(p.itertext()).strip().startswith(starts)]
    assert len(found) == 1, starts
    return found[0]


def _run(text: str, deleted: bool = False) -> etree._Element:
    run = etree.Element(_w("r"))
    t = etree.SubElement(run, _w("delText" if deleted else "t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _split(paragraph: etree._Element, words: str) -> tuple[etree._Element, etree._Element]:
    """The run holding ``words`` split in three; returns (run before, run after) with
    the words' own run removed, so a tracked change can stand between them."""
    for run in paragraph.iter(_w("r")):
        t = run.find("w:t", NS)
        if t is not None and t.text and words in t.text:
            head, _, tail = t.text.partition(words)
            before, after = _run(head), _run(tail)
            parent = run.getparent()
            index = parent.index(run)
            parent.remove(run)
            parent.insert(index, before)
            parent.insert(index + 1, after)
            return before, after
    raise AssertionError(words)


def _tracked(kind: str, text: str, number: int) -> etree._Element:
    change = etree.Element(_w(kind), {_w("id"): str(number), _w("author"): "Editor",
                                      _w("date"): DATE})
    change.append(_run(text, deleted=kind == "del"))
    return change


def replace(paragraph: etree._Element, words: str, new: str, number: int) -> None:
    """``words`` deleted and ``new`` inserted (Word's tracked replacement)."""
    before, _after = _split(paragraph, words)
    deletion = _tracked("del", words, number)
    before.addnext(deletion)
    if new:
        deletion.addnext(_tracked("ins", new, number + 1))


def insert(paragraph: etree._Element, at: str, new: str, number: int) -> None:
    """``new`` inserted before the words ``at``."""
    before, after = _split(paragraph, at)
    after.find("w:t", NS).text = at + after.find("w:t", NS).text
    before.addnext(_tracked("ins", new, number))


def comment(paragraph: etree._Element, words: str, text: str) -> etree._Element:
    """A comment on ``words`` (range marks and reference in the paragraph), and the
    comment itself for word/comments.xml."""
    before, after = _split(paragraph, words)
    after.find("w:t", NS).text = words + after.find("w:t", NS).text
    start = etree.Element(_w("commentRangeStart"), {_w("id"): "0"})
    before.addnext(start)
    # the commented words as their own run, then the range's end and the reference
    after.find("w:t", NS).text = after.find("w:t", NS).text[len(words):]
    words_run = _run(words)
    start.addnext(words_run)
    end = etree.Element(_w("commentRangeEnd"), {_w("id"): "0"})
    words_run.addnext(end)
    reference = etree.Element(_w("r"))
    etree.SubElement(reference, _w("commentReference"), {_w("id"): "0"})
    end.addnext(reference)
    note = etree.Element(_w("comment"), {_w("id"): "0", _w("author"): "Reviewer",
                                         _w("date"): DATE, _w("initials"): "R"})
    para = etree.SubElement(note, _w("p"))
    para.append(_run(text))
    return note


def mark_up(docx: bytes) -> bytes:
    """The edits of a review, made in the package's XML as Word writes them."""
    package = zipfile.ZipFile(io.BytesIO(docx))
    document = etree.fromstring(package.read("word/document.xml"))
    notes = etree.fromstring(package.read("word/footnotes.xml"))
    replace(_paragraph(document, "We interviewed"), "two", "three", 101)
    insert(_paragraph(document, "The Palermo Protocol"), "defines", "also ", 103)
    replace(_paragraph(document, "As Figure 1 shows"), "numbers ", "", 104)
    replace(_paragraph(document, "Workers must ask"), "must ", "", 105)  # edited since
    # a citation's note: its words are the bibliography's
    replace(_paragraph(notes, "\u201cProtocol to Prevent"), "Suppress", "Stop", 107)
    insert(_paragraph(notes, "As noted in the protocol"), "commentary", "legal ", 109)
    note = comment(_paragraph(document, "To leave the host"), "host country",
                   "Which country?")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename == "word/document.xml":
                data = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
            elif info.filename == "word/footnotes.xml":
                data = etree.tostring(notes, xml_declaration=True, encoding="UTF-8")
            elif info.filename == "word/comments.xml":  # pandoc writes it empty
                comments = etree.fromstring(data)
                comments.append(note)
                data = etree.tostring(comments, xml_declaration=True, encoding="UTF-8")
            dst.writestr(info, data)
    return out.getvalue()


def _col(path: Path, line: int, words: str) -> int:
    return path.read_text(encoding="utf-8").split("\n")[line - 1].index(words) + 1


def _bib(root: Path, words: str) -> str:
    lines = (root / "references.bib").read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if words in text)
    return f"references.bib:{line}:{lines[line - 1].index(words) + 1}"


# ------------------------------------------------------------------- tests


def test_word_edition_records_commit_and_paragraph_bookmarks(
        built: tuple[Path, bytes]) -> None:
    root, docx = built
    package = zipfile.ZipFile(io.BytesIO(docx))
    custom = etree.fromstring(package.read("docProps/custom.xml"))
    properties = {p.get("name"): "".join(p.itertext()) for p in custom}
    assert properties["policybrief-commit"] == git(root, "rev-parse", "HEAD").strip()
    assert properties["policybrief-chapter-1"] == INTRO
    assert properties["policybrief-chapter-2"] == FINDINGS
    names = re.findall(r'w:name="([^"]+)"', package.read("word/document.xml").decode()
                       + package.read("word/footnotes.xml").decode())
    ours = [n for n in names if n.startswith("pb")]
    # Word's rule for a bookmark's name, and every name once
    assert all(re.fullmatch(r"[A-Za-z]\w{0,39}", n) for n in ours)
    assert len(ours) == len(set(ours))
    # the paragraph at line 11 of the introduction, with its fingerprint
    from policybrief.project import load_project
    from policybrief.translations import paragraphs

    chapter = load_project(root).editions[0].chapters[0]
    at_11 = next(p for p in paragraphs(chapter) if p.line == 11)
    assert f"pb_1_11_{at_11.fingerprint}" in ours
    assert "pb_1_14_" in " ".join(ours)  # the footnote's own paragraph


def marked_copy(built: tuple[Path, bytes], tmp_path: Path) -> Path:
    """The built Word edition with an editor's tracked changes and comments."""
    marked = tmp_path / "marked.docx"
    marked.write_bytes(mark_up(built[1]))
    return marked


def test_review_reports_each_change_and_comment_where_it_stands(
        project: Path, built: tuple[Path, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    marked = marked_copy(built, tmp_path)
    intro, findings = project / INTRO, project / FINDINGS
    before = {p: p.read_bytes() for p in (intro, findings)}
    assert main(["review", str(marked), "--project", str(project)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{INTRO}:3:{_col(intro, 3, 'defines')}: review: change by Editor: {{+also+}}",
        f"{INTRO}:11:{_col(intro, 11, 'two')}: review: change by Editor: [-two-]{{+three+}}",
        f"{INTRO}:14:{_col(intro, 14, 'commentary')}: review: change by Editor: {{+legal+}}",
        f"{FINDINGS}:3:{_col(findings, 3, 'must')}: review: change by Editor: [-must-]",
        f"{FINDINGS}:5:{_col(findings, 5, 'host')}: review: comment by Reviewer: "
        "Which country?",
        f"{FINDINGS}:10:{_col(findings, 10, 'numbers')}: review: change by Editor: "
        "[-numbers-]",
        f"{_bib(project, 'Suppress')}: review: change by Editor: [-Suppress-]{{+Stop+}} "
        "(entry protocol-2000)",
    ]
    assert {p: p.read_bytes() for p in before} == before  # a report writes nothing


def test_apply_writes_safe_changes_and_refuses_the_rest(
        project: Path, built: tuple[Path, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    marked = marked_copy(built, tmp_path)
    intro, findings = project / INTRO, project / FINDINGS
    # an author edits a paragraph after the Word edition was built
    edited = findings.read_text(encoding="utf-8").replace(
        "Workers must ask permission", "Workers must ask for permission")
    findings.write_text(edited, encoding="utf-8")
    intro_lines = intro.read_text(encoding="utf-8").split("\n")
    findings_lines = edited.split("\n")
    bib = (project / "references.bib").read_bytes()

    assert main(["review", str(marked), "--project", str(project), "--apply"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{FINDINGS}:3:{_col(findings, 3, 'must')}: error: not applied: the paragraph "
        "changed since the Word edition was built: change by Editor: [-must-]",
        f"{_bib(project, 'Suppress')}: error: not applied: this is a citation, written from "
        "the bibliography; edit entry protocol-2000: change by Editor: "
        "[-Suppress-]{+Stop+} (entry protocol-2000)",
    ]
    new_intro = intro.read_text(encoding="utf-8").split("\n")
    new_findings = findings.read_text(encoding="utf-8").split("\n")
    assert new_intro[2].startswith("The Palermo Protocol also defines trafficking")
    assert new_intro[10] == "We interviewed three workers.^[Interviews held in 2023; " \
                            "compare @smith-2015 [pp. 3–5].]"
    assert new_intro[13] == "[^repeat]: As noted in the protocol legal commentary." \
                            "[@protocol-2000]"
    assert new_findings[9] == "As @fig:workers shows, grew."
    assert new_findings[2] == "Workers must ask for permission to travel:"  # refused
    # every other line byte for byte as it was; the bibliography untouched
    changed = {3, 11, 14}
    assert [x for i, x in enumerate(new_intro, 1) if i not in changed] == \
           [x for i, x in enumerate(intro_lines, 1) if i not in changed]
    assert [x for i, x in enumerate(new_findings, 1) if i != 10] == \
           [x for i, x in enumerate(findings_lines, 1) if i != 10]
    assert (project / "references.bib").read_bytes() == bib


def test_a_word_file_without_bookmarks_is_one_located_error(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:p><w:r>'
                                              "<w:t>Hello</w:t></w:r></w:p></w:body>"
                                              "</w:document>")
    plain.write_bytes(out.getvalue())
    assert main(["review", str(plain), "--project", str(project)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.endswith("plain.docx: error: this Word file has no policybrief paragraph "
                        "bookmarks: build it with brief build --to docx, and review that file")


def test_outside_a_repository_no_commit_is_recorded(tmp_path: Path) -> None:
    from policybrief.builders.docx import source_commit

    assert source_commit(tmp_path) is None


def test_words_are_found_only_where_they_are_unambiguous() -> None:
    from policybrief.review import locate

    source = "The *ILO* agrees.[@ilo] The ILO said\nthe same as the ILO."
    # a deletion found by the words around it, across a line break and a citation
    assert locate(source, "The ILO said ", "the", " same as") == (37, 40)
    assert locate(source, "agrees. ", "The", " ILO said") == (24, 27)
    # an insertion inside a word needs the rest of the word around it
    assert isinstance(locate("such as", "Health h", "", "as"), str)
    # twice the same words, context and all: refused
    assert locate("a b a b", "", "a", " b").startswith("the words occur more than once")
