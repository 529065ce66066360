from pathlib import Path

from policybrief.markdown_scan import citations
from policybrief.model import Chapter
from policybrief.pipeline import check_only


def chapter(text: str, body_line: int = 1) -> Chapter:
    return Chapter(Path("c.md"), "en", "c", text, body_line)


def test_citation_scan_skips_urls_code_and_email() -> None:
    text = (
        "See [@a, p. 3] and @b.\n"
        "Mail x@example.org, code `@c`, <https://ex.org/@d>, [l](https://ex.org/@e) "
        "https://ex.org/public/@ed_norm/x and [-@f]. Figure @fig:one.\n"
    )
    keys = [m.value for m in citations(chapter(text))]
    assert keys == ["a", "b", "f"]


def test_citation_locations_include_front_matter_offset() -> None:
    marks = list(citations(chapter("x\n\nText [@key].", body_line=4)))
    assert marks[0].location.line == 6 and marks[0].location.col == 8


def test_unknown_key_with_suggestion(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / "chapters/en/02-findings.md"
    path.write_text(path.read_text().replace("[@smith-2015]", "[@smith-2051]"))
    _, findings = check_only(root)
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1
    finding = errors[0]
    assert finding.rule == "citation-unknown"
    assert "did you mean 'smith-2015'" in finding.message
    assert finding.location is not None and finding.location.path == path.resolve()
    assert finding.location.line == 16


def test_unused_source_is_a_warning(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{unused, title = {Never cited}}\n")
    _, findings = check_only(root)
    assert [(f.severity, f.rule) for f in findings] == [("warning", "citation-unused")]


def test_footnote_reference_and_definition_must_match(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / "chapters/en/01-introduction.md"
    text = path.read_text().replace("[^repeat]:", "[^repaet]:")
    path.write_text(text)
    _, findings = check_only(root)
    rules = sorted(f.rule for f in findings)
    assert rules == ["note-undefined", "note-unreferenced"]
    lines = sorted(f.location.line for f in findings if f.location)
    assert lines == [12, 14]


def test_clean_fixture_has_no_findings(make_project) -> None:  # type: ignore[no-untyped-def]
    _, findings = check_only(make_project())
    assert findings == []


def test_notes_shown_in_code_are_not_notes() -> None:
    from policybrief.checks.notes import definition_texts, inline_notes

    text = ("A real note.^[Said here.]\n\n```markdown\nWrite ^[] or:\n\n[^x]: \n```\n\n"
            "[^y]: Defined here.\n")
    assert inline_notes(chapter(text)) == [("Said here.", 12)]
    assert definition_texts(chapter(text)) == {"y": (" Defined here.\n", text.index("[^y]"))}
