"""Benchmark policybrief on the flagship brief (a script, not a test).

    .venv/bin/python bench/run.py [--runs 5] [--write docs/benchmarks.md]

Measures, as the median of N runs each, on a copy of the brief in a temporary
directory: a cold `brief build` of every language and format; a no-op rebuild; a
one-sentence edit then the English PDF; the same edit saved while `brief watch` runs
(from the save to the PDF replaced, five edits per run); a figure-data edit then every
edition; and peak memory (the largest resident set of any process, and of the watch).
For comparison it runs the same English content through plain pandoc + WeasyPrint
(one PDF, no checks, no figures) and through pandoc + Typst (the `typst` package
from PyPI), and prints the ratios. The typst package is needed only here (`pip install typst`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BRIEF = [sys.executable, "-m", "policybrief"]
# The same English text through pandoc alone, without figure placements (these
# pipelines have no figures); `to` is the pandoc output format.
PANDOC_ALONE = r"""
import sys, subprocess, pypandoc
from pathlib import Path
root = Path(sys.argv[1])
text = "\n\n".join(p.read_text() for p in sorted((root / "chapters/en").glob("*.md")))
text = "\n".join(l for l in text.splitlines() if not l.startswith("![](figure:"))
def pandoc(to):
    return subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "--citeproc",
        "--bibliography", str(root / "references.bib"),
        "--csl", str(root / "src/policybrief/themes/default/csl/house.csl"), "-s", "-t", to,
        "--metadata", "title=Brief"], input=text.encode(), capture_output=True,
        check=True).stdout
"""
PLAIN_PIPELINE = PANDOC_ALONE + r"""
import weasyprint
weasyprint.HTML(string=pandoc("html5").decode()).write_pdf(str(root / "plain.pdf"))
"""
TYPST_PIPELINE = PANDOC_ALONE + r"""
import typst
(root / "brief.typ").write_bytes(pandoc("typst"))
typst.compile(str(root / "brief.typ"), output=str(root / "typst.pdf"))
"""


WATCH_PEAK_MB: list[int] = []
ANALYSIS = "## Against the targets"


def watch_edits(root: Path, edits: int = 5) -> list[float]:
    """Seconds from saving a one-sentence edit to the English PDF being replaced, with
    `brief watch` running (as an editor uses it: its poll interval included)."""
    pdf = root / "build/en/human-trafficking-in-cubas-medical-missions.pdf"
    chapter = root / "chapters/en/03-forced-labor.md"
    watcher = subprocess.Popen([*BRIEF, "watch", "--to", "pdf"], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    times = []
    try:
        assert watcher.stderr is not None  # where progress goes
        for line in watcher.stderr:  # the first build: every section laid out
            if "watching" in line:
                break
        threading.Thread(target=watcher.stderr.read, daemon=True).start()  # keep draining
        for n in range(edits):
            time.sleep(0.5)  # the collector runs between builds; editors pause too
            before = pdf.stat().st_mtime_ns
            text = chapter.read_text(encoding="utf-8")
            chapter.write_text(text.replace("including Cuba", f"including Cuba {n}", 1),
                               encoding="utf-8")
            start = time.perf_counter()
            while pdf.stat().st_mtime_ns == before:
                if time.perf_counter() - start > 60:
                    raise RuntimeError("brief watch did not rebuild within a minute")
                time.sleep(0.005)
            times.append(time.perf_counter() - start)
        status = Path(f"/proc/{watcher.pid}/status")
        if status.is_file():  # Linux: the watch process's peak resident set
            peak = next(int(line.split()[1]) // 1024 for line in status.read_text().splitlines()
                        if line.startswith("VmHWM:"))
            WATCH_PEAK_MB.append(peak)
    finally:
        watcher.terminate()
        watcher.wait()
    return times


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of one command and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(after, before) // 1024


def fresh_copy(tmp: Path) -> Path:
    target = tmp / "brief"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
        ".venv", "build", ".git", "node_modules", "__pycache__", "*.egg-info"))
    return target


def edit_sentence(root: Path) -> None:
    """One sentence of one chapter changes (each run starts from a fresh copy)."""
    path = root / "chapters/en/03-forced-labor.md"
    text = path.read_text(encoding="utf-8")
    assert "including Cuba." in text
    path.write_text(text.replace("including Cuba.", "including Cuba (edited).", 1),
                    encoding="utf-8")


def edit_figure(root: Path) -> None:
    """One value of one figure's data changes."""
    path = root / "figures/venezuela-health-workers/data.csv"
    text = path.read_text(encoding="utf-8")
    assert ",6190," in text
    path.write_text(text.replace(",6190,", ",6191,"), encoding="utf-8")


def synthetic(tmp: Path, copies: int) -> Path:
    """A brief `copies` times the flagship's English text (figures placed once)."""
    root = fresh_copy(tmp)
    shutil.rmtree(root / "chapters" / "es")
    config = root / "brief.yml"
    text = config.read_text(encoding="utf-8").replace("languages: [en, es]", "languages: [en]")
    config.write_text(text.split("\ntranslations:")[0] + "\n", encoding="utf-8")
    originals = sorted((root / "chapters/en").glob("*.md"))
    for copy in range(2, copies + 1):
        for path in originals:
            body = path.read_text(encoding="utf-8")
            body = "\n".join(line for line in body.splitlines()
                             if not line.startswith("![](figure:"))
            body = body.replace("\n# ", f"\n# (part {copy}) ", 1) if not body.startswith("# ") \
                else f"# (part {copy}) " + body[2:]
            (path.parent / f"{copy:02d}-{path.name}").write_text(body, encoding="utf-8")
    for path in originals:
        path.rename(path.parent / f"01-{path.name}")
    return root


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also build one synthetic brief N times the flagship's text")
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    memory = 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        all_editions = [*BRIEF, "build", "--lang", "all", "--quiet"]
        for _ in range(args.runs):
            root = fresh_copy(tmp)
            seconds, mb = run(all_editions, root)
            results.setdefault("cold build, 2 languages x 3 formats", []).append(seconds)
            memory = max(memory, mb)
            seconds, _ = run(all_editions, root)
            results.setdefault("no-op rebuild (every edition)", []).append(seconds)
            edit_sentence(root)
            seconds, mb = run([*BRIEF, "build", "--to", "pdf", "--quiet"], root)
            results.setdefault("one-sentence edit, then the English PDF", []).append(seconds)
            memory = max(memory, mb)
            edit_figure(root)
            seconds, mb = run(all_editions, root)
            results.setdefault("figure-data edit, then every edition", []).append(seconds)
            memory = max(memory, mb)
            results.setdefault("one-sentence edit to PDF in `brief watch` (save to PDF)",
                               []).extend(watch_edits(root))
            seconds, _ = run([sys.executable, "-c", PLAIN_PIPELINE, str(root)], root)
            results.setdefault("plain pandoc + WeasyPrint, English PDF", []).append(seconds)
            try:
                seconds, _ = run([sys.executable, "-c", TYPST_PIPELINE, str(root)], root)
                results.setdefault("pandoc + Typst, English PDF", []).append(seconds)
            except subprocess.CalledProcessError:
                pass
        if args.scale:
            root = synthetic(tmp, args.scale)
            # (peak memory is the largest of any process so far: the PDF's comes first)
            seconds, mb = run([*BRIEF, "build", "--to", "pdf", "--quiet"], root)
            results[f"{args.scale}x brief: English PDF"] = [seconds]
            results[f"{args.scale}x brief: peak memory of the PDF build (MB)"] = [float(mb)]
            seconds, _ = run([*BRIEF, "build", "--to", "html", "--quiet"], root)
            results[f"{args.scale}x brief: English HTML"] = [seconds]
    table = {name: median(values) for name, values in results.items()}
    plain = table["plain pandoc + WeasyPrint, English PDF"]
    typst_time = table.get("pandoc + Typst, English PDF")
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {args.runs} runs each, all side by side in one run of `bench/run.py`.",
        "",
        "| measurement | seconds |",
        "|---|---|",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in table.items()],
        f"| peak memory of one process | {memory} MB |",
        *([f"| peak memory of `brief watch` after {args.runs * 5} edits in {args.runs} "
           f"processes | {max(WATCH_PEAK_MB)} MB |"] if WATCH_PEAK_MB else []),
        "",
        "| ratio | value |",
        "|---|---|",
        f"| cold build of all six editions / plain pipeline's one English PDF | "
        f"{table['cold build, 2 languages x 3 formats'] / plain:.2f} |",
        f"| one-sentence edit to PDF / plain pipeline | "
        f"{table['one-sentence edit, then the English PDF'] / plain:.2f} |",
    ]
    watch_time = table["one-sentence edit to PDF in `brief watch` (save to PDF)"]
    lines.append(f"| one-sentence edit to PDF in `brief watch` / plain pipeline | "
                 f"{watch_time / plain:.2f} |")
    if typst_time:
        lines.append(f"| one-sentence edit to PDF / pandoc + Typst whole PDF | "
                     f"{table['one-sentence edit, then the English PDF'] / typst_time:.2f} |")
        lines.append(f"| one-sentence edit to PDF in `brief watch` / pandoc + Typst whole PDF | "
                     f"{watch_time / typst_time:.2f} |")
    report = "\n".join(lines)
    print(report)
    print(json.dumps({"seconds": table, "peak_mb": memory}))
    if args.write:  # the analysis written below the figures is kept
        previous = args.write.read_text(encoding="utf-8") if args.write.is_file() else ""
        analysis = previous[previous.find(ANALYSIS):] if ANALYSIS in previous else ""
        args.write.write_text("# Benchmarks\n\n" + report + "\n\n" + analysis,
                              encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
