"""The command line: exit codes, one located line per error, outputs kept safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policybrief.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def build_html(capsys: pytest.CaptureFixture[str], root: Path) -> Path:
    code, err = run(capsys, "build", "--project", str(root), "--to", "html", "--quiet")
    assert code == 0, err
    return root / "build" / "en" / "fixture-brief.html"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_INPUTS = [
    # (file, old, new, expected location prefix, expected message)
    ("chapters/en/02-findings.md", "[@smith-2015]", "[@nobody-1999]",
     "chapters/en/02-findings.md:16:26:", "unknown citation key 'nobody-1999'"),
    ("chapters/en/01-introduction.md",
     "[^repeat]: As noted in the protocol commentary.[@protocol-2000]", "",
     "chapters/en/01-introduction.md:12:32:", "footnote reference [^repeat] has no definition"),
    ("references.bib", "@article{smith-2015,", "@article{smith-2015\n  title = {x",
     "references.bib:19:1:", "cannot parse this entry"),
    ("brief.yml", "slug: fixture-brief", "slug: fixture-brief\ncolour: blue",
     "brief.yml:4:1:", "unknown key 'colour'"),
    ("brief.yml", "title: Fixture", "title: [Fixture",
     "brief.yml:2:9:", "invalid YAML"),
    ("brief.yml", "slug: fixture-brief",
     "slug: fixture-brief\nchapters: [01-introduction.md, 03-missing.md]",
     "brief.yml:4:32:", "chapter listed in brief.yml does not exist: chapters/en/03-missing.md"),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "message"), BAD_INPUTS)
def test_bad_input_is_one_located_line_and_keeps_old_output(
    make_project, capsys, file, old, new, where, message  # type: ignore[no-untyped-def]
) -> None:
    root = make_project(only="en")
    output = build_html(capsys, root)
    before = output.read_bytes()
    edit(root / file, old, new)
    code, err = run(capsys, "build", "--project", str(root), "--to", "html", "--quiet")
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(where) and ": error: " in lines[0]
    assert message in lines[0]
    assert "Traceback" not in err
    assert output.read_bytes() == before


def test_non_utf8_chapter_is_located(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    path = root / "chapters/en/02-findings.md"
    path.write_bytes(path.read_bytes().replace(b"conclusion", b"concl\xe9sion"))
    code, err = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert "chapters/en/02-findings.md:16:" in err and "not UTF-8" in err


def test_usage_errors_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(capsys, "build", "--to", "epub")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys)[0] == 2


def test_help_and_version(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--version"]) == 0
    assert "policybrief" in capsys.readouterr().out
    for command in ("build", "check", "new"):
        assert main([command, "--help"]) == 0
        assert "usage: brief " + command in capsys.readouterr().out


def test_check_passes_on_fixture(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    code, err = run(capsys, "check", "--project", str(make_project()))
    assert code == 0 and "0 errors, 0 warnings" in err


def test_unknown_edition_language(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    code, err = run(capsys, "build", "--project", str(make_project()), "--lang", "fr")
    assert code == 1 and "no edition in language 'fr'" in err


def test_new_brief_builds(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "my-brief"
    assert main(["new", str(target)]) == 0
    assert (target / "brief.yml").is_file()
    code, err = run(capsys, "build", "--project", str(target), "--quiet")
    assert code == 0, err
    for ext in ("pdf", "html", "docx"):
        assert (target / "build" / "en" / f"new-brief.{ext}").stat().st_size > 1000
    assert main(["new", str(target)]) == 1  # not empty any more
    assert main(["check", "--strict", "--project", str(target)]) == 0
    html = (target / "build" / "en" / "new-brief.html").read_text()
    for shown in ('class="box box-key-findings"', "Table 1:", "Figure 1:",
                  'class="table-ref"', "Appendix A.", 'class="footnote-ref"'):
        assert shown in html, shown  # every authoring feature is shown


def test_new_brief_is_a_complete_repository(tmp_path: Path) -> None:
    import subprocess
    import sys

    import yaml

    target = tmp_path / "repo"
    assert main(["new", str(target)]) == 0
    assert {".gitignore", ".github", ".pre-commit-config.yaml", "CONTRIBUTING.md",
            "Makefile"} <= {p.name for p in target.iterdir()}
    makefile = (target / "Makefile").read_text()
    ours = (Path(__file__).parent.parent / "Makefile").read_text()
    targets = set(re.findall(r"^\.PHONY: (.*)$", ours, re.M)[0].split())
    assert targets <= set(re.findall(r"^\.PHONY: (.*)$", makefile, re.M)[0].split())
    assert "@POLICYBRIEF@" not in makefile and "POLICYBRIEF ?= " in makefile
    workflow = target / ".github" / "workflows" / "pull-request.yml"
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(workflow)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    assert jobs["build"]["strategy"]["matrix"]["lang"] == (
        "${{ fromJSON(needs.check.outputs.languages) }}")  # from brief.yml, not a copy


def test_cli_formats_are_the_registered_builders(capsys) -> None:  # type: ignore[no-untyped-def]
    from policybrief.builders.registry import format_names
    from policybrief.cli import make_parser

    parser = make_parser()
    for name in format_names():
        assert parser.parse_args(["build", "--to", name]).to == [name]
    assert main(["build", "--to", "pdf,epub"]) == 2
    assert "unknown format 'epub' (choose from pdf, html, docx" in capsys.readouterr().err


def test_lang_all_builds_every_language(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    code, err = run(capsys, "build", "--project", str(root), "--to", "html", "--lang", "all",
                    "--quiet")
    assert code == 0, err
    assert sorted(p.parent.name for p in (root / "build").glob("*/fixture-brief.html")) == [
        "en", "es"]


def test_a_reader_that_goes_away_is_not_a_crash(make_project) -> None:  # type: ignore[no-untyped-def]
    """`brief translations | head -1`: the pipe closes before the tool writes."""
    import subprocess
    import sys

    root = make_project()
    proc = subprocess.Popen([sys.executable, "-m", "policybrief", "translations",
                             "--project", str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the tool has read the brief, let alone printed
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "internal error" not in err and "Traceback" not in err, err
