"""Run the pandoc binary that ``pypandoc-binary`` pins.

Options live in defaults files (``pandoc/defaults/*.yaml``), stacked per run, so the
command line holds only what differs per build. Every run is sandboxed: pandoc may
read only the files the command line names.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from policybrief.errors import Diagnostic, PandocError

DEFAULTS = resources.files("policybrief.pandoc") / "defaults"


@cache
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@cache
def pandoc_version() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_version())


def defaults_file(name: str) -> str:
    return str(DEFAULTS / f"{name}.yaml")


@dataclass(frozen=True)
class PandocOutput:
    """What one pandoc run wrote, and what it warned about."""

    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


def run_pandoc(
    defaults: list[str],
    args: list[str],
    *,
    cwd: Path,
    stdin: bytes | None = None,
) -> PandocOutput:
    """Run pandoc with the named defaults files; its standard output and warnings."""
    command = [pandoc_path()]
    for name in ["common", *defaults]:
        command += ["--defaults", defaults_file(name)]
    command += args
    proc = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, check=False)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        message = " ".join(stderr.split()) or f"pandoc exited with status {proc.returncode}"
        raise PandocError(f"pandoc failed: {message}")
    said = [Diagnostic.warning(f"pandoc: {line}", rule="pandoc")
            for line in stderr.splitlines() if line.strip()]
    return PandocOutput(proc.stdout, said)


def to_json(ast: dict[str, Any]) -> bytes:
    return json.dumps(ast, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
