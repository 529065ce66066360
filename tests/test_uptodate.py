"""A build with nothing to do answers before the build is even imported."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def brief_build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`brief build` in a new process, reporting which modules it imported."""
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "policybrief", "build",
                           "--project", str(root), "--to", "html", "--quiet", *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})


def built(run: subprocess.CompletedProcess[str]) -> bool:
    """Whether the run imported the build (WeasyPrint, the pipeline)."""
    assert run.returncode == 0, run.stderr[-2000:]
    return "policybrief.pipeline" in run.stderr


def test_an_unchanged_brief_is_answered_without_building(
        make_project: Callable[..., Path]) -> None:
    root = make_project()
    first = brief_build(root)
    assert built(first)
    output = root / "build/en/fixture-brief.html"
    again = brief_build(root)
    assert not built(again)
    assert again.stdout == first.stdout == f"{output}\n"
    # an edit to any input: the build decides again
    chapter = root / "chapters/en/02-findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "The conclusion follows.", "The conclusion now follows."), encoding="utf-8")
    assert built(brief_build(root))
    assert "The conclusion now follows." in output.read_text(encoding="utf-8")
    assert not built(brief_build(root))


def test_a_changed_output_request_or_force_takes_the_real_build(
        make_project: Callable[..., Path]) -> None:
    root = make_project()
    assert built(brief_build(root))
    output = root / "build/en/fixture-brief.html"
    good = output.read_bytes()
    output.write_bytes(b"tampered")
    assert built(brief_build(root))  # an output that is not what the build left
    assert output.read_bytes() == good
    assert built(brief_build(root, "--lang", "es"))  # another request
    assert not built(brief_build(root, "--lang", "es"))
    assert built(brief_build(root, "--force"))
    figure = root / "figures/workers/data.csv"
    figure.write_bytes(figure.read_bytes())  # same bytes, new times: checked by content
    assert built(brief_build(root))
