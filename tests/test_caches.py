"""Stage caches: a stage whose inputs did not change gives its stored result, and what
it gives is what the stage would compute."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from policybrief.log import Reporter
from policybrief.pipeline import build
from policybrief.stagecache import digest, remembered, remembered_json


def test_remembered_keeps_one_result_per_file(tmp_path: Path) -> None:
    path = tmp_path / "stage.json"
    calls: list[str] = []

    def compute(value: bytes) -> Any:
        return lambda: (calls.append("x"), value)[1]

    assert remembered(path, digest("a"), compute(b"first"), bytes) == b"first"
    assert remembered(path, digest("a"), compute(b"other"), bytes) == b"first"
    assert remembered(path, digest("b"), compute(b"second"), bytes) == b"second"
    assert remembered(path, digest("a"), compute(b"third"), bytes) == b"third"  # one entry kept
    assert len(calls) == 3
    assert digest("ab", "c") != digest("a", "bc")  # parts cannot run together


def test_damaged_json_entry_is_computed_again(tmp_path: Path) -> None:
    path = tmp_path / "stage.json"
    key = digest("k")
    assert remembered_json(path, key, lambda: {"n": 1}) == {"n": 1}
    header, _, data = path.read_bytes().partition(b"\n")
    path.write_bytes(header + b"\n" + data[:-3])  # cut short
    assert remembered_json(path, key, lambda: {"n": 2}) == {"n": 2}
    assert remembered_json(path, key, lambda: {"n": 3}) == {"n": 2}
    header, _, data = path.read_bytes().partition(b"\n")
    path.write_bytes(header + b"\n" + data.replace(b"2", b"4"))  # still JSON, but changed
    assert remembered_json(path, key, lambda: {"n": 5}) == {"n": 5}
    path.write_bytes(key.encode() + b"\n[]")  # an old file: no checksum
    assert remembered_json(path, key, lambda: {"n": 6}, dict) == {"n": 6}
    checksum = hashlib.sha256(b"[]").hexdigest()
    path.write_bytes(f"{key} {checksum}\n[]".encode())  # intact, but not what is read
    assert remembered_json(path, key, lambda: {"n": 7}, dict) == {"n": 7}
    assert remembered_json(path, key, lambda: {"n": 8}, dict) == {"n": 7}


def test_citeproc_runs_once_for_the_same_document(make_project) -> None:  # type: ignore[no-untyped-def]
    """The citeproc pass is stored in build/.cache/<lang>/citeproc.json: a build in
    another format of the same chapters takes it from there (the file is not written
    again); an edit makes a new pass."""
    root = make_project(only="en")
    stored = root / "build/.cache/en/citeproc.json"
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    first = stored.stat().st_mtime_ns, stored.read_bytes()
    build(root, ["docx"], ["en"], None, Reporter(quiet=True))  # same chapters: stored
    assert (stored.stat().st_mtime_ns, stored.read_bytes()) == first
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text().replace("follows.", "follows here."))
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert stored.read_bytes() != first[1] and b"\"here.\"" in stored.read_bytes()
    html = (root / "build/en/fixture-brief.html").read_text()
    assert "follows here." in html and "Smith" in html


def test_print_html_sections_are_pandocs_html_for_the_whole(make_project) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from policybrief.builders.base import BuildContext
    from policybrief.builders.pandoc_html import html_body, html_sections, split_sections
    from policybrief.builders.warm import WarmState
    from policybrief.pandoc.filters import inline_notes
    from policybrief.prepare import prepare_edition
    from policybrief.project import load_project

    root = make_project(only="en")
    prepared = prepare_edition(load_project(root), "en", root / "build" / ".cache")
    state = WarmState()
    ctx = BuildContext(prepared, dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                       root / "build" / ".cache", {}, state)
    doc, _notes = inline_notes.apply(prepared.document_for(True))  # as the PDF has it
    whole = html_body(ctx, doc).data.decode()
    sections, _said = html_sections(ctx, doc)
    assert len(sections) == 3  # two chapters and the sources
    assert sections == split_sections(whole)
    assert "\n".join(sections) + "\n" == whole
    assert len(state.sections) == 3
    # after an edit to one section, only that section is converted again
    blocks = list(doc["blocks"])
    last = max(i for i, b in enumerate(blocks) if b["t"] == "Para")
    blocks[last] = {"t": "Para", "c": [{"t": "Str", "c": "Edited."}]}
    edited = {**doc, "blocks": blocks}
    again, _said = html_sections(ctx, edited)
    assert "\n".join(again) + "\n" == html_body(ctx, edited).data.decode()
    assert len(state.sections) == 4  # one new entry: the edited section's
    assert sum(a != b for a, b in zip(again, sections, strict=True)) == 1
