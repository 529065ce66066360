"""Same inputs, same bytes; two builds into one folder take turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from policybrief.log import Reporter
from policybrief.pipeline import build
from policybrief.writer import build_lock


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
    assert entry["built"] == "2023-11-14T22:13:20Z" and len(entry["fingerprint"]) == 12
    # the editions name the sources they were built from
    html = (root / "one/en/fixture-brief.html").read_text()
    assert f'<meta name="policybrief-sources" content="{entry["fingerprint"]}">' in html
    from pypdf import PdfReader

    info = PdfReader(root / "one/en/fixture-brief.pdf").metadata
    assert info is not None and info.get("/policybriefsources") == entry["fingerprint"]


def file_locks() -> list[tuple[bool, int, str]]:
    """The kernel's file locks (Linux ``/proc/locks``): (waiting?, pid, device:inode)."""
    locks = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        waiting = fields[1] == "->"
        fields = [fields[0], *fields[2:]] if waiting else fields
        locks.append((waiting, int(fields[4]), fields[5]))
    return locks


def test_a_build_waits_while_another_holds_the_output_folder(make_project) -> None:  # type: ignore[no-untyped-def]
    """Two builds into one output folder take turns. This test holds the folder's build
    lock, as a build that got there first does; a build started then, in its own
    process, checks its inputs and waits for that lock (the kernel lists it as waiting),
    having written nothing; once the lock is released it finishes, writing whole files.
    Without the lock the build would run through and write while the lock is held: the
    test would fail."""
    root = make_project(only="en")
    out = root / "build"
    command = [sys.executable, "-m", "policybrief", "build", "--project", str(root),
               "--to", "html,pdf", "--quiet", "--force"]
    before = {lock for waiting, pid, lock in file_locks() if pid == os.getpid()}
    process = None
    try:
        with build_lock(out):
            held = {lock for waiting, pid, lock in file_locks()
                    if pid == os.getpid() and not waiting} - before
            assert len(held) == 1  # the lock is a kernel file lock, held by this process
            process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 300
            while not any(waiting and pid == process.pid and lock in held
                          for waiting, pid, lock in file_locks()):
                assert process.poll() is None, (
                    f"the build did not wait for the lock (exit {process.returncode}): "
                    f"{process.stderr.read() if process.stderr else ''}")
                assert time.monotonic() < deadline, "the build never reached the lock"
                time.sleep(0.05)
            assert process.poll() is None
            assert [p for p in out.rglob("*")
                    if p.suffix in {".pdf", ".html"} or p.name == "manifest.json"] == []
        # released: the waiting build goes on
        assert process.wait(timeout=300) == 0, process.stderr.read() if process.stderr else ""
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    pdf = (out / "en/fixture-brief.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert "</html>" in (out / "en/fixture-brief.html").read_text()
    assert not list(out.rglob("*.tmp"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["outputs"]) == ["en/fixture-brief.html", "en/fixture-brief.pdf"]


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
