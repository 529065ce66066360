"""``brief summary BASE``: the pull request's job summary and annotations, run as the
workflow's step runs it, on a fixture brief with real commits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from policybrief.cli import main
from policybrief.errors import Diagnostic, Location
from policybrief.summary import Review, markdown, text
from tools import edit, git

REPO = Path(__file__).parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "pull-request.yml"
NEW_SOURCE = """
@book{roe-2024,
  title = {Medical Brigades Abroad},
  author = {Roe, Jane},
  year = {2024},
  publisher = {Example Press},
}
"""




@pytest.fixture
def pull_request(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> Path:
    """A brief whose main branch (origin/main, as a pull request's checkout has it) has a
    double space in the introduction, and a pull request that breaks a citation in the
    findings and adds a source."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_project()
    (root / ".gitignore").write_text("/build/\n", encoding="utf-8")
    edit(root / "chapters/en/01-introduction.md", "It was\nadopted", "It  was\nadopted")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The brief")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "checkout", "-q", "-b", "pull-request")
    edit(root / "chapters/en/02-findings.md", "The conclusion follows.[@smith-2015]",
         "The conclusion follows.[@smith-2051]")
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(NEW_SOURCE)
    git(root, "commit", "-q", "-am", "Findings: a new source")
    return root


def run_workflow_step(root: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str],
                                                           str]:
    """The workflow's check step, as the runner runs it (.venv/bin/ is this test's
    environment); returns the process and the job summary it wrote."""
    check = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["check"]
    step = next(s for s in check["steps"] if "brief summary" in str(s.get("run", "")))
    script = str(step["run"]).replace(".venv/bin/", str(Path(sys.executable).parent) + "/")
    summary = tmp_path / "step-summary.md"
    summary.write_text("Earlier step's summary.\n", encoding="utf-8")
    env = {**os.environ, "BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    return proc, summary.read_text(encoding="utf-8")


def groups(body: str) -> list[tuple[str, list[list[str]]]]:
    """The summary's findings: each file's heading and its table's rows (cells)."""
    found: list[tuple[str, list[list[str]]]] = []
    for line in body.split("### Redline", 1)[0].splitlines():
        if line.startswith("#### "):
            found.append((line.removeprefix("#### "), []))
        elif line.startswith("| ") and found and not line.startswith(("| line ", "| ---")):
            found[-1][1].append([cell.strip() for cell in line.strip("|").split(" | ")])
    return found


def test_the_workflow_step_writes_the_summary_and_annotates_changed_files(
        pull_request: Path, tmp_path: Path) -> None:
    proc, summary = run_workflow_step(pull_request, tmp_path)

    # The run fails (a broken citation), after everything is written.
    assert proc.returncode == 1, proc.stderr
    assert "1 errors, 2 warnings" in proc.stderr
    assert "Traceback" not in proc.stderr
    # Annotations: only the files the pull request changed, never the introduction.
    annotations = proc.stdout.splitlines()
    assert len(annotations) == 2, proc.stdout
    assert annotations[0].startswith(
        "::error file=chapters/en/02-findings.md,line=16,col=26,title=citation-unknown::"
        "unknown citation key 'smith-2051'")
    assert annotations[1] == ("::warning file=references.bib,line=29,col=1,"
                              "title=citation-unused::source 'roe-2024' is never cited")
    # The job summary is appended to what earlier steps wrote.
    assert summary.startswith("Earlier step's summary.\n## Review of the brief\n\n"
                              "Findings in the 2 files this pull request changed are also "
                              "annotated on its lines.\n\n### Checks: 1 error, 2 warnings")
    body = summary.removeprefix("Earlier step's summary.\n")
    # Findings grouped by file: the changed files first; the others in the summary only.
    found = groups(body)
    assert [heading for heading, _ in found] == [
        "chapters/en/02-findings.md (changed by this pull request)",
        "references.bib (changed by this pull request)",
        "chapters/en/01-introduction.md (not changed here: reported in this summary only)",
        # the Spanish translation of the edited chapter lags it
        "chapters/es/02-findings.md (not changed here: reported in this summary only)",
    ]
    places = [[(row[0], row[1], row[3]) for row in rows] for _, rows in found]
    assert places[:3] == [[("16:26", "error", "citation-unknown")],
                          [("29:1", "warning", "citation-unused")],
                          [("3:72", "warning", "typography-space")]]
    assert found[0][1][0][2].startswith("unknown citation key 'smith-2051'")
    assert found[2][1][0][2] == "double space"
    assert [rule for _, _, rule in places[3]] == ["translation-stale"]
    # The redline's summary, as brief diff computes it.
    redline = body.split("### Redline against origin/main\n\n", 1)[1]
    assert redline.startswith("Compared with origin/main (")
    assert "**Sources:** 1 added, 0 removed, 0 changed\n" in redline
    assert "| roe-2024 | Medical Brigades Abroad | added |" in redline
    assert "**Figures:** none changed" in redline
    assert "| es | 02-findings.md | 02-findings.md | stale | current |" in redline
    words = re.findall(r"^\| (en|es) \| ([\d,]+) \| ([\d,]+) \| ([^|]+) \|$", redline,
                       flags=re.M)
    assert [w[0] for w in words] == ["en", "es"]
    assert words[1][3].strip() == "0"  # the Spanish text did not change
    en_before, en_after = (int(n.replace(",", "")) for n in words[0][1:3])
    assert en_before > 200 and words[0][3].strip() == f"{en_after - en_before:+,}"


def test_a_clean_pull_request_passes_and_says_so(pull_request: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    git(pull_request, "reset", "-q", "--hard", "origin/main")
    edit(pull_request / "chapters/en/01-introduction.md", "It  was", "It was")
    git(pull_request, "commit", "-q", "-am", "One space")
    code = main(["summary", "origin/main", "--project", str(pull_request), "--annotate"])
    out = capsys.readouterr().out
    assert code == 0
    assert "::" not in out  # nothing to annotate
    assert "### Checks: 0 errors, 0 warnings\n\nNothing to report." in out
    assert "**Sources:** 0 added, 0 removed, 0 changed" in out
    # --strict fails on the warning a change leaves, as brief check --strict does
    edit(pull_request / "chapters/en/02-findings.md", "The conclusion", "The  conclusion")
    assert main(["summary", "origin/main", "--project", str(pull_request), "--strict"]) == 1
    assert main(["summary", "origin/main", "--project", str(pull_request)]) == 0


def test_a_brief_that_does_not_load_is_annotated_not_a_crash(
        pull_request: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(pull_request / "brief.yml", "slug: fixture-brief",
         "slug: fixture-brief\ncolour: blue")
    code = main(["summary", "origin/main", "--project", str(pull_request), "--annotate"])
    captured = capsys.readouterr()
    assert code == 1
    annotation = next(line for line in captured.out.splitlines() if line.startswith("::"))
    assert annotation.startswith("::error file=brief.yml,line=")
    assert "colour" in annotation
    assert "No redline: " in captured.out
    assert "Traceback" not in captured.err


def test_outside_git_it_is_one_line(make_project: Callable[..., Path], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_project()
    assert main(["summary", "origin/main", "--project", str(root)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "is not in a git repository" in err


def test_quoted_text_stays_text() -> None:
    """A finding quotes the brief's text: no link, image, HTML or table cell from it."""
    hostile = "see ![x](https://t.example/p.png) <img src=x> `code` a|b *em* #1\n~~s~~"
    escaped = text(hostile)
    assert "\n" not in escaped
    assert "<" not in escaped and "&lt;img src=x&gt;" in escaped
    for raw in ("![x]", "`code`", "a|b", "*em*", "~~s~~"):
        assert raw not in escaped, raw
    assert r"!\[x\](https://t.example/p.png)" in escaped
    report = Review("origin/main", Path("/repo"), (
        Diagnostic("error", hostile, Location(Path("/repo/chapters/en/x|y.md"), 1, 2), "r"),),
        frozenset({"chapters/en/x|y.md"}), None, "no redline")
    rows = [line for line in markdown(report).splitlines() if line.startswith("| 1:2 ")]
    assert len(rows) == 1 and rows[0].count(" | ") == 3  # the cells stay four
    assert r"#### chapters/en/x\|y.md (changed by this pull request)" in markdown(report)
