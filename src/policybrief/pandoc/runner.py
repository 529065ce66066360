"""Run the pandoc binary that ``pypandoc-binary`` pins.

Options live in defaults files (``pandoc/defaults/*.yaml``), stacked per run, so the
command line holds only what differs per build. Every run is sandboxed: pandoc may
read only the files the command line names.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from policybrief.errors import Diagnostic, EnvironmentFault, Location, PandocError

DEFAULTS = resources.files("policybrief.pandoc") / "defaults"
REINSTALL = "reinstall it with: pip install --force-reinstall pypandoc-binary"


@cache
def pandoc_path() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:  # pypandoc found no pandoc binary
        raise EnvironmentFault(f"pandoc is missing ({' '.join(str(exc).split())}); "
                               f"{REINSTALL}") from None


@cache
def pandoc_version() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_version())
    except OSError as exc:
        raise EnvironmentFault(f"pandoc cannot be run ({' '.join(str(exc).split())}); "
                               f"{REINSTALL}") from None


def defaults_file(name: str) -> str:
    return str(DEFAULTS / f"{name}.yaml")


@dataclass(frozen=True)
class PandocOutput:
    """What one pandoc run wrote, and what it warned about."""

    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


TIME_LIMIT = 300  # seconds for one pandoc run (a chapter parses in well under one)
MEMORY_LIMIT = "4G"  # pandoc's heap (the flagship needs a few hundred MB)


def run_pandoc(
    defaults: list[str],
    args: list[str],
    *,
    cwd: Path,
    stdin: bytes | None = None,
) -> PandocOutput:
    """Run pandoc with the named defaults files; its standard output and warnings."""
    # bounded: nested brackets make pandoc's reader exponential (jgm/pandoc#1735), and a
    # pull request must not hang CI or exhaust its memory
    command = [pandoc_path(), "+RTS", f"-M{MEMORY_LIMIT}", "-RTS"]
    for name in ["common", *defaults]:
        command += ["--defaults", defaults_file(name)]
    command += args
    try:
        proc = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, check=False,
                              timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        raise PandocError(f"pandoc ran for more than {TIME_LIMIT} s: deeply nested brackets, "
                          "spans or emphasis make it run for hours; simplify the nesting") from None
    except OSError as exc:  # missing, not executable, or not a program for this machine
        if exc.filename is not None and str(exc.filename) == str(cwd):
            raise EnvironmentFault(f"cannot run pandoc in {cwd}: the folder is missing "
                                   f"({exc.strerror})", Location(cwd)) from None
        why = "it is missing" if isinstance(exc, FileNotFoundError) else (
            exc.strerror or str(exc))
        raise EnvironmentFault(f"cannot run pandoc ({command[0]}): {why}; {REINSTALL}",
                               Location(Path(command[0]))) from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:  # killed: the machine (memory, a time limit), not the brief
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = str(-proc.returncode)
        raise EnvironmentFault(f"pandoc was stopped by the signal {name} (out of memory or "
                               "a time limit?); free memory and try again")
    if proc.returncode != 0:
        message = " ".join(stderr.split()) or f"pandoc exited with status {proc.returncode}"
        raise PandocError(f"pandoc failed: {message}")
    said = [Diagnostic.warning(f"pandoc: {line}", rule="pandoc")
            for line in stderr.splitlines() if line.strip() and not _TERMS.search(line)]
    return PandocOutput(proc.stdout, said)


# pandoc's own term translations ("Abstract", "Figure") for a language it has none for
# (zh, ar, hi): policybrief prints none of pandoc's terms (its labels come from the
# theme's catalogues), so these say nothing a user could act on.
_TERMS = re.compile(r"Could not load translations for|data file translations/\S+ not found|"
                    r"The term \S+ has no translation defined")


def to_json(ast: dict[str, Any]) -> bytes:
    return json.dumps(ast, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
