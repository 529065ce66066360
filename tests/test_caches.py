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


def test_citeproc_runs_once_for_the_same_document(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policybrief import pipeline

    root = make_project(only="en")
    runs: list[list[str]] = []
    run_pandoc = pipeline.run_pandoc

    def counted(defaults: list[str], *args: Any, **kwargs: Any) -> bytes:
        runs.append(defaults)
        return run_pandoc(defaults, *args, **kwargs)

    monkeypatch.setattr(pipeline, "run_pandoc", counted)
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert runs.count(["cite"]) == 1
    build(root, ["docx"], ["en"], None, Reporter(quiet=True))  # same chapters: stored
    assert runs.count(["cite"]) == 1
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text().replace("follows.", "follows here."))
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    assert runs.count(["cite"]) == 2
    html = (root / "build/en/fixture-brief.html").read_text()
    assert "follows here." in html and "Smith" in html


def test_print_html_sections_are_pandocs_html_for_the_whole(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policybrief.builders import html as html_builder
    from policybrief.builders import pdf as pdf_builder

    root = make_project(only="en")
    seen: list[tuple[Any, Any]] = []
    by_section = html_builder.html_sections
    monkeypatch.setattr(pdf_builder, "html_sections",
                        lambda ctx, doc: (seen.append((ctx, doc)), by_section(ctx, doc))[1])
    build(root, ["pdf"], ["en"], None, Reporter(quiet=True))
    ctx, doc = seen[-1]
    whole = html_builder.html_body(ctx, doc)
    html_builder._converted.clear()
    assert by_section(ctx, doc) == html_builder.split_sections(whole)
    assert "\n".join(by_section(ctx, doc)) + "\n" == whole
    # after an edit to one section, only that section goes through pandoc again
    converted: list[int] = []
    html_body = html_builder.html_body

    def counted(ctx: Any, doc: Any, *args: Any) -> str:
        converted.append(len(doc["blocks"]))
        return html_body(ctx, doc, *args)

    monkeypatch.setattr(html_builder, "html_body", counted)
    blocks = list(doc["blocks"])
    last = max(i for i, b in enumerate(blocks) if b["t"] == "Para")
    blocks[last] = {"t": "Para", "c": [{"t": "Str", "c": "Edited."}]}
    edited = {**doc, "blocks": blocks}
    assert "\n".join(by_section(ctx, edited)) + "\n" == html_body(ctx, edited)
    assert len(converted) == 1 and converted[0] < len(blocks)  # the edited section only
