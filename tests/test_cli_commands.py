"""The commands besides build and check: ``brief figures``, ``brief watch``,
``brief diff``, and what any command does on an internal error (exit 3)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import policybrief.watch
from policybrief.cli import main
from policybrief.log import Reporter

ROOTS = Path(__file__).parent / "roots"
CHAPTER = "chapters/en/02-findings.md"


def copy_basic(target: Path) -> Path:
    shutil.copytree(ROOTS / "basic", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------------------
# brief figures
# ---------------------------------------------------------------------------

def test_figures_redraws_every_chart_in_every_language(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = copy_basic(tmp_path / "basic")

    assert main(["figures", "--project", str(root)]) == 0

    printed = [Path(line) for line in capsys.readouterr().out.splitlines()]
    cache = (root / "build/.cache/figures").resolve()
    assert all(p.parent == cache and p.is_file() for p in printed), printed
    def kind(path: Path) -> str:
        return ".text.svg" if path.name.endswith(".text.svg") else path.suffix

    drawn = sorted((p.name.split(".")[0], p.name.split(".")[1], kind(p)) for p in printed)
    assert drawn == sorted((figure, lang, ext) for figure in ("wages", "workers")
                           for lang in ("en", "es") for ext in (".png", ".svg", ".text.svg"))
    assert sorted(cache.iterdir()) == sorted(printed)
    by_name = {p.name.split(".")[0] + "." + p.name.split(".")[1] + kind(p): p for p in printed}
    assert b"31.243" in by_name["workers.es.text.svg"].read_bytes()  # what print sets
    assert b"31,243" in by_name["workers.en.text.svg"].read_bytes()
    assert b"<text" not in by_name["workers.es.svg"].read_bytes()  # the web's outlines
    assert by_name["wages.en.png"].read_bytes().startswith(b"\x89PNG")

    # Run again: every chart is drawn anew, even over a damaged cache entry.
    damaged = by_name["workers.es.svg"]
    good = damaged.read_bytes()
    damaged.write_bytes(b"not an svg")
    png = by_name["wages.en.png"]
    os.utime(png, ns=(0, 0))
    assert main(["figures", "--project", str(root)]) == 0
    assert [Path(line) for line in capsys.readouterr().out.splitlines()] == printed
    assert damaged.read_bytes() == good  # redrawn, and drawn the same
    assert png.stat().st_mtime_ns != 0


def test_figures_writes_under_out(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = copy_basic(tmp_path / "basic")
    for lang in ("en", "es"):  # one figure left, to draw less
        edit(root / f"chapters/{lang}/02-findings.md", "![](figure:wages){#fig:wages}", "")
    shutil.rmtree(root / "figures/wages")
    out = tmp_path / "elsewhere"
    assert main(["figures", "--project", str(root), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 6  # SVG (outlines), SVG (text), PNG; two languages
    assert all(Path(p).parent == out.resolve() / ".cache/figures" for p in printed)
    assert not (root / "build").exists()


def test_figures_stops_at_bad_data_with_a_located_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = copy_basic(tmp_path / "basic")
    edit(root / "figures/workers/data.csv", "2005,31243", "2005,31x43")
    assert main(["figures", "--project", str(root)]) == 1
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith("figures/workers/data.csv:3:2: error:")
    assert "column 'workers' is numeric but has '31x43'" in line
    assert captured.out == ""
    assert not (root / "build/.cache/figures").exists()


# ---------------------------------------------------------------------------
# brief watch
# ---------------------------------------------------------------------------

def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(path).pages)


def test_watch_rebuilds_after_edits_and_goes_on_after_a_bad_one(  # type: ignore[no-untyped-def]
        tmp_path: Path, capsys) -> None:
    """Driven step by step through ``keep_going``, which watch calls before each look
    at the sources: each step checks what the previous build did, then edits."""
    root = copy_basic(tmp_path / "basic")
    chapter = root / CHAPTER
    pdf = root / "build/en/fixture-brief.pdf"
    seen: dict[str, bytes] = {}
    steps: list[str] = []

    def after_first_build() -> None:
        assert pdf.is_file()
        seen["first"] = pdf.read_bytes()
        edit(chapter, "The conclusion follows.", "The quokka conclusion follows.")

    def after_good_edit() -> None:
        assert pdf.read_bytes() != seen["first"]
        assert "quokka" in pdf_text(pdf)
        seen["good"] = pdf.read_bytes()
        capsys.readouterr()
        edit(chapter, "[@smith-2015]\n", "[@nobody]\n")

    def after_bad_edit() -> None:
        out = capsys.readouterr().out
        text = chapter.read_text(encoding="utf-8")
        line = text[:text.index("[@nobody]")].count("\n") + 1
        assert re.search(rf"^{CHAPTER}:{line}:\d+: error: unknown citation key 'nobody'",
                         out, re.M), out
        assert pdf.read_bytes() == seen["good"]  # the last good edition stays
        edit(chapter, "[@nobody]\n", "[@smith-2015]\n")
        edit(chapter, "The quokka conclusion", "The wombat conclusion")

    def after_fix() -> None:
        text = pdf_text(pdf)
        assert "wombat" in text and "quokka" not in text

    script = [after_first_build, after_good_edit, after_bad_edit, after_fix]

    def keep_going() -> bool:
        if steps:  # a build has run since the last call
            script[len(steps) - 1]()
        steps.append("looked")
        return len(steps) <= len(script)

    builds = policybrief.watch.watch(root, ["pdf"], None, None, Reporter(quiet=True),
                                     interval=0.01, keep_going=keep_going)

    assert builds == 4  # the first build, and one for each of the three edits
    assert len(steps) == 5


def test_watch_looks_past_a_dangling_link(tmp_path: Path) -> None:
    """A file deleted (or a link broken) while the watch looks is not an error."""
    root = copy_basic(tmp_path / "basic")
    before = policybrief.watch.snapshot(root)
    (root / "chapters/en/notes.md").symlink_to(tmp_path / "deleted.md")
    assert policybrief.watch.snapshot(root) == before
    (tmp_path / "deleted.md").write_text("now it exists\n")
    after = policybrief.watch.snapshot(root)
    assert set(after) - set(before) == {str(root / "chapters/en/notes.md")}


def test_watch_command_ends_cleanly_on_ctrl_c(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def interrupted(root, formats, langs, out_dir, reporter, **_options):  # type: ignore[no-untyped-def]
        calls.append((root, formats, langs, out_dir))
        raise KeyboardInterrupt

    monkeypatch.setattr(policybrief.watch, "watch", interrupted)
    assert main(["watch", "--project", str(tmp_path), "--to", "pdf,html", "--lang", "es"]) == 0
    assert calls == [(tmp_path, ["pdf", "html"], ["es"], None)]
    assert capsys.readouterr().err == ""
    assert main(["watch", "--project", str(tmp_path)]) == 0
    assert calls[1] == (tmp_path, ["pdf"], None, None)  # watch's defaults


def test_other_commands_interrupted_exit_130(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import policybrief.pipeline

    def interrupted(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(policybrief.pipeline, "build", interrupted)
    assert main(["build", "--project", str(tmp_path)]) == 130
    assert one_line(capsys.readouterr().err) == "interrupted"


# ---------------------------------------------------------------------------
# brief diff
# ---------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """``basic`` committed in a new git repository (its top folder)."""
    for key, value in {"GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "a@example.org",
                       "GIT_COMMITTER_NAME": "Test Author",
                       "GIT_COMMITTER_EMAIL": "a@example.org",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    root = copy_basic(tmp_path / "brief")
    (root / ".gitignore").write_text("build/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "First draft")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout


EDIT = ("As @fig:workers shows, numbers grew.", "As @fig:workers shows, numbers fell sharply.")


def assert_redline(page: str) -> None:
    """The changed paragraph, as the edition renders it (the cross-reference is
    "Figure 1"), with the old words deleted and the new ones inserted."""
    changed = re.findall(r'<p class="para changed"[^>]*>(.*?)</p>', page, re.S)
    assert len(changed) == 1, page
    assert changed[0].startswith(
        "As Figure 1 shows, numbers <del>grew</del><ins>fell sharply</ins>. ")
    # and it says where the passage stands in the sources
    assert re.search(r">(HEAD:)?chapters/en/02-findings.md:10</span>$", changed[0])


def test_diff_of_the_working_tree_marks_the_edit(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    edit(repo / CHAPTER, *EDIT)
    status = git(repo, "status", "--porcelain")
    head = git(repo, "rev-parse", "HEAD")

    assert main(["diff", "HEAD", "--project", str(repo)]) == 0

    printed = capsys.readouterr().out.splitlines()
    out = (repo / "build/diff").resolve()
    assert printed == [str(out / "en.html"), str(out / "es.html")]
    assert_redline((out / "en.html").read_text(encoding="utf-8"))
    spanish = (out / "es.html").read_text(encoding="utf-8")
    assert "<ins>" not in spanish and "<del>" not in spanish  # the Spanish text is unchanged
    # the repository is left as it was
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "rev-parse", "HEAD") == head


def test_diff_between_two_commits(repo: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    edit(repo / CHAPTER, *EDIT)
    git(repo, "commit", "-q", "-am", "Numbers fell")
    edit(repo / CHAPTER, "numbers fell sharply.", "numbers rose again.")  # not compared
    out = tmp_path / "redlines"

    assert main(["diff", "HEAD~1", "HEAD", "--project", str(repo), "--out", str(out)]) == 0

    assert capsys.readouterr().out.splitlines()[0] == str(out.resolve() / "diff/en.html")
    page = (out / "diff/en.html").read_text(encoding="utf-8")
    assert_redline(page)
    assert "rose again" not in page
    assert not (repo / "build").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-revision"], "unknown revision 'no-such-revision'"),
    (["HEAD", "no-such-revision"], "unknown revision 'no-such-revision'"),
])
def test_diff_of_an_unknown_revision_is_one_line(repo: Path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    assert main(["diff", *args, "--project", str(repo)]) == 1
    captured = capsys.readouterr()
    assert message in one_line(captured.err)
    assert captured.out == ""
    assert not (repo / "build").exists()


def test_diff_outside_a_git_repository_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = copy_basic(tmp_path / "brief")
    assert main(["diff", "HEAD", "--project", str(root)]) == 1
    assert "not in a git repository" in one_line(capsys.readouterr().err)


# ---------------------------------------------------------------------------
# Exit 3: an internal error
# ---------------------------------------------------------------------------

def test_an_internal_error_exits_3_with_a_crash_log(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("something policybrief did not expect")

    monkeypatch.setattr(policybrief.watch, "watch", broken)
    logs = tmp_path / "tmp"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))

    code = main(["watch", "--project", str(tmp_path / "brief")])

    captured = capsys.readouterr()
    assert code == 3
    line = one_line(captured.err)
    assert captured.out == ""
    written = list(logs.iterdir())
    assert len(written) == 1
    log = written[0]
    assert log.name.startswith("policybrief-crash-") and log.suffix == ".log"
    assert str(log) in line and "internal error" in line
    details = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in details
    assert "RuntimeError: something policybrief did not expect" in details
    assert f"argv: ['watch', '--project', '{tmp_path / 'brief'}']" in details
    assert "something policybrief did not expect" not in captured.err  # details in the log
