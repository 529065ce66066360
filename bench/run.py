"""Benchmark policybrief on the flagship brief (a script, not a test).

    .venv/bin/python bench/run.py [--runs 5] [--write docs/benchmarks.md]

Measures, as the median of N runs each, on a copy of the brief in a temporary
directory: a cold `brief build` of every language and format; a no-op rebuild; a
one-sentence edit then the English PDF; a figure-data edit then every edition; and
peak memory (the largest resident set of any process). For comparison it runs the
same English content through plain pandoc + WeasyPrint (one PDF, no checks, no
figures) and through pandoc + Typst (the `typst` package from PyPI), and prints the
ratios. The typst package is needed only here (`pip install typst`).
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
        "--csl", str(root / "styles/house-notes.csl"), "-s", "-t", to,
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


WARM_EDITS = r"""
import sys, time
from pathlib import Path
from policybrief.log import Reporter
from policybrief.pipeline import build
root = Path(sys.argv[1])
build(root, ["pdf"], None, None, Reporter(quiet=True))
chapter = root / "chapters/en/03-forced-labor.md"
times = []
for n in range(3):
    chapter.write_text(chapter.read_text().replace("including Cuba", f"including Cuba {n}", 1))
    start = time.perf_counter()
    build(root, ["pdf"], None, None, Reporter(quiet=True))
    times.append(time.perf_counter() - start)
print(sorted(times)[1])
"""


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
            warm = subprocess.run([sys.executable, "-c", WARM_EDITS, str(root)], cwd=root,
                                  capture_output=True, text=True, check=True)
            results.setdefault("one-sentence edit to PDF in a warm process (brief watch)",
                               []).append(float(warm.stdout.strip().splitlines()[-1]))
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
        "",
        "| ratio | value |",
        "|---|---|",
        f"| cold build of all six editions / plain pipeline's one English PDF | "
        f"{table['cold build, 2 languages x 3 formats'] / plain:.2f} |",
        f"| one-sentence edit to PDF / plain pipeline | "
        f"{table['one-sentence edit, then the English PDF'] / plain:.2f} |",
    ]
    if typst_time:
        lines.append(f"| one-sentence edit to PDF / pandoc + Typst whole PDF | "
                     f"{table['one-sentence edit, then the English PDF'] / typst_time:.2f} |")
    report = "\n".join(lines)
    print(report)
    print(json.dumps({"seconds": table, "peak_mb": memory}))
    if args.write:
        args.write.write_text("# Benchmarks\n\n" + report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
