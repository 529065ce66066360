"""Same inputs, same bytes; two builds at once both finish, one after the other."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from policybrief.log import Reporter
from policybrief.pipeline import build


def test_two_clean_builds_are_byte_identical(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project()
    for out in ("one", "two"):
        build(root, ["pdf", "html", "docx"], ["en", "es"], root / out, Reporter(quiet=True))
    files = sorted(p.relative_to(root / "one") for p in (root / "one").glob("[a-z]*/*.*"))
    assert len(files) == 6
    for name in files:
        assert (root / "one" / name).read_bytes() == (root / "two" / name).read_bytes(), name
    manifest = json.loads((root / "one/manifest.json").read_text())
    entry = manifest["outputs"]["en/fixture-brief.pdf"]
    assert entry["built"] == "2023-11-14T22:13:20Z" and len(entry["sources"]) == 12
    # the editions name the sources they were built from
    html = (root / "one/en/fixture-brief.html").read_text()
    assert f'<meta name="policybrief-sources" content="{entry["sources"]}">' in html
    from pypdf import PdfReader

    info = PdfReader(root / "one/en/fixture-brief.pdf").metadata
    assert info is not None and info.get("/policybriefsources") == entry["sources"]


def test_concurrent_builds_take_turns(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    command = [sys.executable, "-m", "policybrief", "build", "--project", str(root),
               "--to", "html,pdf", "--quiet", "--force"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert second.wait(timeout=300) == 0, second.stderr.read() if second.stderr else ""
    pdf = (root / "build/en/fixture-brief.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert not list((root / "build").rglob("*.tmp"))
    json.loads((root / "build/manifest.json").read_text())


def test_unchanged_build_is_skipped_and_edit_is_not(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    output = root / "build/en/fixture-brief.html"
    stamp = output.stat().st_mtime_ns
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert output.stat().st_mtime_ns == stamp  # not written again
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text().replace("follows.", "follows here."))
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert "follows here." in output.read_text()
    assert Path(output).stat().st_mtime_ns != stamp
