"""The README's `brief --help` block is the real output, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.cli import make_parser

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_help_block_matches(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    expected = make_parser().format_help().strip()
    block = re.search(r"```text\n(usage: brief .*?)```", README, flags=re.S)
    assert block is not None
    assert block.group(1).strip() == expected


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make pdf", "make test"]


def test_every_documented_subcommand_exists() -> None:
    parser = make_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name in re.findall(r"^- `brief ([\w-]+)", README, flags=re.M):
        assert name in subparsers.choices, name


def test_the_safety_section_states_the_limits_the_code_enforces() -> None:
    """The README's limits are the code's: a limit changed in one place only fails."""
    from policybrief import bibliography, imagefiles, safety, textfiles
    from policybrief.checks import notes
    from policybrief.config import yamlsource
    from policybrief.figures import spec
    from policybrief.pandoc import runner

    section = README.split("## Safety", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in section.splitlines() if line.startswith("| ") and line.count("|") == 4}
    assert rows["a text file (chapter, `references.bib`, data, YAML)"] == \
        f"{textfiles.MAX_FILE_BYTES // 1024 // 1024} MB"
    assert rows["Markdown nesting (quotes, lists, divs, notes, emphasis)"] == \
        f"{safety.MAX_NESTING} levels"
    assert rows["YAML nesting; anchors and aliases"].startswith(f"{yamlsource.MAX_DEPTH} levels")
    assert rows["notes in one chapter"] == f"{notes.MAX_NOTES:,}"
    assert rows["sources in `references.bib` (counted before parsing)"] == \
        f"{bibliography.MAX_SOURCES:,}"
    assert rows["a BibTeX `@string` expansion; `@string` chain; `crossref` chain"] == (
        f"{bibliography.MAX_MACRO_LENGTH:,} characters; {bibliography.MAX_MACRO_DEPTH}; "
        f"{bibliography.MAX_CROSSREF_DEPTH}")
    assert rows["rows in one figure's data; a value's magnitude"] == \
        f"{spec.MAX_ROWS:,}; 10^{len(str(int(spec.MAX_MAGNITUDE))) - 1}"
    assert rows["categories in a bar, range or timeline chart"] == f"{spec.MAX_CATEGORIES}"
    assert rows["an image"] == (f"{imagefiles.MAX_PIXELS // 1_000_000} megapixels, "
                                f"{imagefiles.MAX_BYTES // 1_000_000} MB")
    assert rows["one pandoc run"].startswith(f"{runner.TIME_LIMIT} s")
