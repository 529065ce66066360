"""``brief watch``: rebuild on save, in one warm process.

The process keeps pandoc's and WeasyPrint's Python side loaded and the figure and
output caches warm, so an edit costs only the stages it touches: an unchanged
edition is skipped, unchanged charts come from the cache. A bad edit prints its
located error and the watch goes on; the last good edition stays in place.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from policybrief.errors import BriefError
from policybrief.log import Reporter
from policybrief.pipeline import build

IGNORED = {"build", ".git", ".venv", "node_modules", "__pycache__", ".mypy_cache",
           ".ruff_cache", ".pytest_cache"}


def snapshot(root: Path) -> dict[str, tuple[float, int]]:
    """Modification time and size of every file of the project but outputs and tools'
    folders: any input (a CSL file, an image, a template) may change an edition."""
    state: dict[str, tuple[float, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED and not d.startswith(".venv"))
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            state[str(path)] = (stat.st_mtime, stat.st_size)
    return state


def watch(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
          reporter: Reporter, interval: float = 0.3,
          keep_going: Callable[[], bool] = lambda: True) -> int:
    """Build, then rebuild whenever a source changes; returns the number of builds."""
    root = root.resolve()
    builds = 0
    seen: dict[str, tuple[float, int]] | None = None
    while keep_going():
        current = snapshot(root)
        if current != seen:
            seen = current
            started = time.perf_counter()
            try:
                build(root, formats, langs, out_dir, reporter)
                reporter.step(f"rebuilt in {time.perf_counter() - started:.2f} s; watching...")
            except BriefError as exc:
                print(exc.format(root), flush=True)
            builds += 1
        time.sleep(interval)
    return builds
