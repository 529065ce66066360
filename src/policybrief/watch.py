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
from dataclasses import dataclass
from pathlib import Path

from policybrief.builders.warm import WarmState
from policybrief.errors import BriefError, BriefErrors, environment_fault
from policybrief.log import Reporter
from policybrief.pipeline import BuildResult, build

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


@dataclass
class Outcome:
    """What one rebuild gave: the outputs, or the problems that stopped it (the last
    good outputs then stay in place)."""

    result: BuildResult | None  # None when it failed
    problems: list[BriefError]
    seconds: float

    @property
    def built(self) -> bool:
        return not self.problems

    @property
    def outputs(self) -> list[Path]:
        return self.result.outputs if self.result is not None else []


class WarmBuilds:
    """Successive builds of one project in one process, each reusing the layouts and
    paint the previous ones kept: ``brief watch`` and ``brief preview`` both rebuild
    through this, and differ only in how they learn of a change and show the result."""

    def __init__(self, root: Path, langs: list[str] | None, out_dir: Path | None,
                 reporter: Reporter) -> None:
        self.root = root.resolve()
        self.langs = langs
        self.out_dir = out_dir
        self.reporter = reporter
        self.state = WarmState(keep_paint=True)  # every section's layout and paint, kept
        self.warmed: set[str] = set()  # formats built once in full, so their layouts are kept

    def rebuild(self, formats: list[str]) -> Outcome:
        """Build what changed; a problem in the brief, or a full disk, is returned (the
        user can fix it without a restart), anything else is a bug and is raised."""
        started = time.perf_counter()
        try:
            # The first build of a format lays out every section even when the outputs
            # are up to date, so that the first edit is as quick as the next ones.
            result = build(self.root, formats, self.langs, self.out_dir, self.reporter,
                           force=not self.warmed.issuperset(formats), state=self.state)
        except BriefError as exc:
            return Outcome(None, exc.errors if isinstance(exc, BriefErrors) else [exc],
                           time.perf_counter() - started)
        except (OSError, MemoryError) as exc:
            filename = getattr(exc, "filename", None)
            fault = environment_fault(exc, Path(filename) if filename else None, "write")
            if fault is None:
                raise
            return Outcome(None, [fault], time.perf_counter() - started)
        self.warmed.update(formats)
        return Outcome(result, [], time.perf_counter() - started)


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
    warm = WarmBuilds(root, langs, out_dir, reporter)
    while keep_going():
        current = snapshot(root)
        if current != seen:
            seen = current
            outcome = warm.rebuild(formats)
            if outcome.built:
                reporter.step(f"rebuilt in {outcome.seconds:.2f} s; watching...")
            for problem in outcome.problems:
                print(problem.format(root), flush=True)
            builds += 1
            settle()
        time.sleep(interval)
    return builds
