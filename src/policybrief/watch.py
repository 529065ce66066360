"""``brief watch``: rebuild on save, in one warm process.

The process keeps pandoc's and WeasyPrint's Python side loaded and the figure and
output caches warm, so an edit costs only the stages it touches: an unchanged
edition is skipped, unchanged charts come from the cache. A bad edit prints its
located error and the watch goes on; the last good edition stays in place.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

from policybrief.builders.warm import WarmState
from policybrief.errors import BriefError, environment_fault
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


def settle() -> None:
    """Collect garbage now, between builds, and set what survives aside (gc.freeze), so
    the collector does not walk the kept layouts and painted pages in the middle of
    the next build: that walk cost a tenth of a second per build."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def watch(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
          reporter: Reporter, interval: float = 0.1,
          keep_going: Callable[[], bool] = lambda: True) -> int:
    """Build, then rebuild whenever a source changes; returns the number of builds."""
    root = root.resolve()
    try:
        return _watch(root, formats, langs, out_dir, reporter, interval, keep_going)
    finally:
        gc.unfreeze()


def _watch(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
           reporter: Reporter, interval: float, keep_going: Callable[[], bool]) -> int:
    builds = 0
    seen: dict[str, tuple[float, int]] | None = None
    state = WarmState(keep_paint=True)  # every section's layout and paint, kept
    while keep_going():
        current = snapshot(root)
        if current != seen:
            seen = current
            started = time.perf_counter()
            try:
                # The first build lays out every section even when the outputs are
                # up to date, so that the first edit is as quick as the next ones.
                build(root, formats, langs, out_dir, reporter, force=builds == 0, state=state)
                reporter.step(f"rebuilt in {time.perf_counter() - started:.2f} s; watching...")
            except BriefError as exc:
                print(exc.format(root), flush=True)
            except (OSError, MemoryError) as exc:
                # a full disk while writing a cache: say so and keep watching, since
                # freeing space needs no restart; anything else is a bug and stops
                filename = getattr(exc, "filename", None)
                fault = environment_fault(exc, Path(filename) if filename else None, "write")
                if fault is None:
                    raise
                print(fault.format(root), flush=True)
            builds += 1
            settle()
        time.sleep(interval)
    return builds
