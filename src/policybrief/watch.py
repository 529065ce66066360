"""``brief watch``: rebuild on save, in one warm process.

The process keeps pandoc's and WeasyPrint's Python side loaded and the figure and
output caches warm, so an edit costs only the stages it touches: an unchanged
edition is skipped, unchanged charts come from the cache. A bad edit prints its
located error and the watch goes on; the last good edition stays in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from policybrief.errors import BriefError
from policybrief.log import Reporter
from policybrief.pipeline import build

WATCHED = ("brief.yml", "references.bib", "chapters", "figures", "styles", "templates",
           "locales")


def snapshot(root: Path) -> dict[str, tuple[float, int]]:
    """Modification time and size of every source file."""
    state: dict[str, tuple[float, int]] = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for file in files:
            if file.is_file():
                stat = file.stat()
                state[str(file)] = (stat.st_mtime, stat.st_size)
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
