"""Where a cold single-language PDF spends its time, section by section (a script,
not a test): the measurements behind the parallel-layout analysis in
docs/benchmarks.md.

    .venv/bin/python bench/sections.py [--copies 1] [--runs 3]

It copies the flagship (or, with ``--copies N``, the synthetic brief of
``bench/run.py``) to a temporary directory and builds its English PDF in this
process with an empty build directory, timing every layout WeasyPrint does (the
front matter's two, then each top-level section's) and the PDF's writing. What is
not section layout is the serial part a parallel layout could not spread over
cores; the script prints the Amdahl estimate for 2 and 8 cores, with the longest
section as the floor of the parallel part.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import fresh_copy, synthetic


def amdahl(serial: float, sections: list[float], cores: int) -> float:
    """Wall time with the sections spread over ``cores`` workers (longest first onto
    the least loaded; no cost for moving work between processes)."""
    loads = [0.0] * cores
    for seconds in sorted(sections, reverse=True):
        loads[loads.index(min(loads))] += seconds
    return serial + max(loads)


def one_build(root: Path) -> dict[str, Any]:
    """Build the English PDF in this process; every layout and the write timed."""
    from policybrief import pipeline
    from policybrief.builders import pdf
    from policybrief.log import Reporter
    from policybrief.pipeline import build

    # the serial stages, where the build looks them up
    stage_names = [(pipeline, "load_project"), (pipeline, "run_checks"),
              (pipeline, "prepare_edition"), (pipeline, "render_figure"),
              (pdf, "html_sections"), (pdf, "_fonts"), (pdf, "_chart_files"),
              (pdf, "foreign_glyphs")]

    timings: dict[str, Any] = {"sections": [], "front": [], "write": 0.0, "pages": []}
    in_sections = [False]
    original_layout = pdf.PrintRenderer.layout
    original_write = pdf.PrintRenderer.write
    original_sections = pdf.PdfBuilder._sections

    def layout(self: Any, html: str, notes: range, extra_css: str = "") -> Any:
        start = time.perf_counter()
        result = original_layout(self, html, notes, extra_css)
        seconds = time.perf_counter() - start
        if in_sections[0]:
            timings["sections"].append(seconds)
            timings["pages"].append(len(result.pages))
            if timings.get("picklable") is None:
                timings["picklable"] = picklable(result.document)
        else:
            timings["front"].append(seconds)
        return result

    def write(self: Any, pages: list[Any], first: Any) -> bytes:
        start = time.perf_counter()
        data: bytes = original_write(self, pages, first)
        timings["write"] += time.perf_counter() - start
        return data

    def sections(*args: Any, **kwargs: Any) -> Any:
        in_sections[0] = True
        try:
            return original_sections(*args, **kwargs)
        finally:
            in_sections[0] = False

    patches: list[tuple[Any, str, Any]] = [
        (pdf.PrintRenderer, "layout", layout), (pdf.PrintRenderer, "write", write),
        (pdf.PdfBuilder, "_sections", staticmethod(sections))]
    stages: dict[str, float] = {}
    timings["stages"] = stages
    for owner, name in stage_names:
        patches.append((owner, name, timed(getattr(owner, name), name, stages)))
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _new in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        start = time.perf_counter()
        build(root, ["pdf"], ["en"], root / "build", Reporter(quiet=True), force=True)
        timings["total"] = time.perf_counter() - start
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    return timings


def timed(function: Callable[..., Any], name: str,
          into: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.perf_counter() - start
    return wrapper


def picklable(document: Any) -> str:
    """Whether a laid-out document can be sent to another process."""
    try:
        pickle.dumps(document.pages[0])
    except Exception as exc:  # what fails is the finding
        return f"no: {type(exc).__name__}: {str(exc)[:80]}"
    return "yes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    import weasyprint  # noqa: F401 - timed: a new process pays for it

    import policybrief.pipeline  # noqa: F401
    imports = time.perf_counter() - started
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            root = synthetic(Path(tmp), args.copies) if args.copies > 1 \
                else fresh_copy(Path(tmp))
            runs.append(one_build(root))  # build/ is empty: the cache is cold
    best = min(runs, key=lambda r: r["total"])
    total = statistics.median(r["total"] for r in runs) + imports
    sections = [statistics.median(r["sections"][i] for r in runs)
                for i in range(len(best["sections"]))]
    serial = total - sum(sections)
    print(f"{args.copies}x brief, English PDF, cold cache, median of {args.runs} runs")
    print(f"imports {imports:.2f} s; build {total - imports:.2f} s; "
          f"front matter layouts {statistics.median(sum(r['front']) for r in runs):.2f} s; "
          f"writing the PDF {statistics.median(r['write'] for r in runs):.2f} s")
    for name in best["stages"]:
        seconds = statistics.median(r["stages"].get(name, 0.0) for r in runs)
        print(f"  {name}: {seconds:.2f} s")
    print(f"{len(sections)} sections laid out: {sum(sections):.2f} s "
          f"({sum(sections) / total:.0%} of {total:.2f} s); serial part {serial:.2f} s")
    for seconds, pages in zip(sections, best["pages"], strict=True):
        print(f"  section: {seconds:.2f} s, {pages} pages")
    for cores in (2, 8):
        wall = amdahl(serial, sections, cores)
        print(f"{cores} cores: {wall:.2f} s, speed-up {total / wall:.2f}x "
              f"(Amdahl bound {1 / (serial / total + (1 - serial / total) / cores):.2f}x)")
    print(f"a laid-out page can be pickled: {best.get('picklable')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
