"""Every `brief check` rule fires on a minimal bad input, with its location (that the
flagship brief passes `brief check --strict` is in test_flagship.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policybrief.cli import main
from policybrief.pipeline import check_only

INTRO = "chapters/en/01-introduction.md"
FINDINGS = "chapters/en/02-findings.md"
BIB = "references.bib"

# (file, old text, new text, rule, severity, line)
CASES = [
    (INTRO, "[@protocol-2000, art. 3]", "[@protocl-2000, art. 3]", "citation-unknown", "error", 4),
    (BIB, "@article{smith-2015,\n", "@misc{spare, title = {Spare}}\n\n@article{smith-2015,\n",
     "citation-unused", "warning", 19),
    (BIB, "  journaltitle = {Anti-Trafficking Review},\n", "", "source-fields", "warning", 19),
    (BIB, "@legislation{ilo-1930,", "@jurisdiction{ilo-1930,", "source-fields", "warning", 10),
    (BIB, "@legislation{ilo-1930,\n  title     = {Forced Labour Convention},\n"
          "  title-es  = {Convenio sobre el trabajo forzoso},\n"
          "  publisher = {{International Labour Organization}},\n"
          "  date      = {1930},\n  urldate   = {2022-06-27},\n",
     "@online{ilo-1930,\n  title     = {Forced Labour Convention},\n"
     "  publisher = {{International Labour Organization}},\n  date      = {1930},\n",
     "source-urldate", "warning", 10),
    (BIB, "url          = {https://example.org/smith-2015}", "url = {example.org/smith 2015}",
     "source-url", "warning", 26),
    (BIB, "url          = {https://example.org/smith-2015}", "doi = {doi:12/34}",
     "source-doi", "warning", 26),
    (INTRO, "[^repeat]: As noted", "[^other]: As noted", "note-unreferenced", "error", 14),
    (INTRO, "^[Interviews held in 2023; compare @smith-2015 [pp. 3–5].]", "^[ ]",
     "note-empty", "error", 11),
    (INTRO, "^[Interviews held in 2023;", "^[See Forced Labour in State Programmes, 2015;",
     "note-hand-typed", "warning", 11),
    (INTRO, "[^repeat]: As noted in the protocol commentary.[@protocol-2000]",
     "[^repeat]: As noted in [^repeat].", "note-loop", "error", 14),
    (FINDINGS, "![](figure:wages)", "![](figure:wagez)", "figure-unknown", "error", 14),
    (FINDINGS, "![](figure:wages){#fig:wages}", "", "figure-unused", "warning", 1),
    ("figures/wages/figure.yml", "key: ilo-1930", "key: ilo-1931", "figure-source", "error", 10),
    (FINDINGS, "# Findings", "# Findings\n\n### Too deep", "heading-skip", "warning", 3),
    (FINDINGS, "# Findings", "## Findings", "heading-first", "warning", 1),
    (FINDINGS, "# Findings", "Findings come first.\n\n# Findings", "heading-first", "warning", 1),
    (FINDINGS, "The conclusion follows.", "::: {.box}\nThe conclusion follows.",
     "fenced-div", "error", 16),
    (FINDINGS, "The conclusion follows.", "The conclusion <script>alert(1)</script> follows.",
     "raw-html", "error", 16),
    (FINDINGS, "The conclusion follows.", "If $a<b$, <script>alert(1)</script> $c>d$.",
     "raw-html", "error", 16),  # math is masked, not what stands between
    (FINDINGS, "The conclusion follows.", "![map](https://example.org/map.png)",
     "image", "error", 16),
    (FINDINGS, "The conclusion follows.", "![pw](../../../../etc/passwd)", "image", "error", 16),
    (FINDINGS, "The conclusion follows.", 'The "conclusion" follows.',
     "typography-quotes", "warning", 16),
    (FINDINGS, "The conclusion follows.", "The conclusion  follows.",
     "typography-space", "warning", 16),
    (FINDINGS, "The conclusion follows.", "The conclusion -- it follows.",
     "typography-dash", "warning", 16),
    (FINDINGS, "The conclusion follows.", "Article No. 29 follows.",
     "typography-nbsp", "warning", 16),
    (INTRO, "two workers.^[", "two workers. ^[", "typography-note-space", "warning", 11),
]

THEME_LOCALES = Path(__file__).parent.parent / "src/policybrief/themes/default/locales"


@pytest.mark.parametrize(("file", "old", "new", "rule", "severity", "line"), CASES,
                         ids=[f"{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_with_location(make_project, file, old, new, rule, severity, line) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, findings = check_only(root)
    hits = [f for f in findings if f.rule == rule]
    assert hits, [f.format(root) for f in findings]
    assert hits[0].severity == severity
    assert hits[0].location is not None and hits[0].location.line == line, hits[0].format(root)


def test_translation_rules(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    spanish = root / "chapters/es/01-introduction.md"
    text = spanish.read_text()
    spanish.write_text(text.split("---\n", 2)[2])  # drop the front matter
    _, findings = check_only(root)
    assert {f.rule for f in findings} == {"translation-untracked"}


def test_github_and_json_formats(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / FINDINGS
    path.write_text(path.read_text().replace("[@smith-2015]", "[@smith-2051]"))
    assert main(["check", "--project", str(root), "--format", "github"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["::error file=chapters/en/02-findings.md,line=16,col=26,"
                   "title=citation-unknown::unknown citation key 'smith-2051' "
                   "(did you mean 'smith-2015'?)"]
    assert main(["check", "--project", str(root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["rule"] == "citation-unknown" and data[0]["line"] == 16


def test_github_annotations_name_files_from_the_repository_top(
        make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A brief kept in a folder of a larger repository: GitHub wants the file's path
    from the repository's top."""
    import shutil
    import subprocess

    brief = make_project(only="en")
    top = brief.parent / "repository"
    shutil.move(str(brief), str(top / "briefs" / "labour"))
    root = top / "briefs" / "labour"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    path = root / FINDINGS
    path.write_text(path.read_text().replace("[@smith-2015]", "[@smith-2051]"))
    assert main(["check", "--project", str(root), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("::error file=briefs/labour/chapters/en/02-findings.md,line=16,")


def test_strict_turns_warnings_into_failure(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / FINDINGS
    path.write_text(path.read_text().replace("The conclusion follows.", "The  conclusion."))
    assert main(["check", "--project", str(root)]) == 0
    assert main(["check", "--project", str(root), "--strict"]) == 1


def test_missing_interface_strings_are_errors(make_project) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = make_project(only="en")
    shutil.rmtree(root / "figures")
    config = root / "brief.yml"
    config.write_text(config.read_text().replace("languages: [en]", "languages: [en, it]"))
    (root / "chapters/it").mkdir()
    for path in (root / "chapters/en").glob("*.md"):
        text = path.read_text()
        text = text.replace("![](figure:workers){#fig:workers}", "")
        text = text.replace("![](figure:wages){#fig:wages}", "").replace("@fig:workers", "it")
        path.write_text(text)
        (root / "chapters/it" / path.name).write_text(text)
    # no catalogue for Italian anywhere: one error, saying what to translate and where
    _, findings = check_only(root)
    missing = [f for f in findings if f.rule == "i18n-missing"]
    assert len(missing) == 1, [f.format() for f in missing]
    assert "no interface strings for 'it': copy " in missing[0].message
    assert "themes/default/locales/en.yml to locales/it.yml" in missing[0].message
    assert missing[0].location is not None and missing[0].location.line == 12
    # a catalogue that lacks two strings: each is named
    (root / "locales").mkdir()
    english = (THEME_LOCALES / "en.yml").read_text(encoding="utf-8").splitlines()
    (root / "locales/it.yml").write_text("\n".join(
        line for line in english if not line.startswith(("contents:", "notes:"))) + "\n",
        encoding="utf-8")
    _, findings = check_only(root)
    missing = [f for f in findings if f.rule == "i18n-missing"]
    assert sorted(f.message.split("'")[3] for f in missing) == ["contents", "notes"]
    assert all("no 'it' text" in f.message for f in missing)
