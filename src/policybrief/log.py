"""Progress steps and located warnings.

A terminal gets a line per stage with its time; CI and ``--quiet`` get only warnings
and errors. Warnings are counted so ``--strict`` can turn them into a failure.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from policybrief.errors import Diagnostic


@dataclass
class Reporter:
    """Writes progress to a stream; collects warnings."""

    quiet: bool = False
    root: Path | None = None
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    warnings: list[str] = field(default_factory=list)

    def step(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def report(self, diagnostic: Diagnostic) -> None:
        """Print a diagnostic as ``path:line:col: severity: message [rule]``."""
        line = diagnostic.format(self.root)
        self.warnings.append(line)
        print(line, file=self.stream, flush=True)


def default_quiet() -> bool:
    """Quiet when not on a terminal or in CI."""
    import os

    return bool(os.environ.get("CI")) or not sys.stderr.isatty()
