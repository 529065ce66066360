"""Benchmark policybrief on the flagship brief (a script, not a test).

    .venv/bin/python bench/run.py [--runs 5] [--write docs/benchmarks.md]
        [--scale 10,30] [--no-watch]

Measures, as the median of N runs each, on a copy of the brief in a temporary
directory: a cold `brief build` of every language and format; a no-op rebuild; a
one-sentence edit then the English PDF; the same edit saved while `brief watch` runs
(from the save to the PDF replaced, five edits per run); a figure-data edit then every
edition; and peak memory (the largest resident set of any one process a command
started, read from ``os.wait4``, and of the watch). For comparison it runs the same
English content through plain pandoc + WeasyPrint (one PDF, endnotes, no checks, no
figures), through pandoc + WeasyPrint with the notes at the page foot (pandoc's
endnotes moved to their calls and floated with ``float: footnote``, nothing else: the
comparator of issue 18's cold-build target) and through pandoc + Typst (the `typst`
package from PyPI), and prints the ratios against the targets. The typst package is
needed only here (`pip install typst`). Then it profiles (cProfile) one more edit then
the English PDF in a new process, and with ``--scale`` builds synthetic briefs N
times the flagship's English text (notes too) to check that time and memory grow
linearly.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
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
# The comparator of the cold-build target: the same pandoc HTML, each endnote moved
# to its call as a span floated to the page foot, nothing else.
FOOTNOTE_PIPELINE = PANDOC_ALONE + r"""
import lxml.html, weasyprint
page = lxml.html.document_fromstring(pandoc("html5"))
for call in page.find_class("footnote-ref"):
    note = page.get_element_by_id(call.get("href")[1:])
    for back in note.find_class("footnote-back"):
        back.drop_tree()
    for paragraph in note.findall("p"):
        paragraph.drop_tag()
    span = lxml.html.Element("span", {"class": "footnote"})
    span.text = note.text
    span.extend(note)
    span.tail = call.tail
    call.getparent().replace(call, span)
for endnotes in page.find_class("footnotes"):
    endnotes.drop_tree()
weasyprint.HTML(string=lxml.html.tostring(page, encoding="unicode")).write_pdf(
    str(root / "footnotes.pdf"),
    stylesheets=[weasyprint.CSS(string=".footnote { float: footnote; }")])
"""
TYPST_PIPELINE = PANDOC_ALONE + r"""
import typst
(root / "brief.typ").write_bytes(pandoc("typst"))
typst.compile(str(root / "brief.typ"), output=str(root / "typst.pdf"))
"""


WATCH_PEAK_MB: list[int] = []
ANALYSIS = "\n## "  # what --write keeps of the file: everything from its first section
COLD = "cold build, `--to pdf,html,docx --lang all`"
NO_OP = "no-op rebuild (every edition)"
EDIT = "one-sentence edit, then `brief build --to pdf` (new process)"
WATCH = "one-sentence edit to PDF in `brief watch` (save to PDF)"
PLAIN = "plain pandoc + WeasyPrint, English PDF (endnotes)"
FOOTNOTES = "pandoc + WeasyPrint, English PDF with notes at the page foot"
TYPST = "pandoc + Typst, English PDF"


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
    """Wall time of one command, and the peak resident set (MB) of the largest single
    process it ran (itself, its worker processes, pandoc), this command's alone."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return elapsed, usage.ru_maxrss // 1024  # Linux: kilobytes


def profile(root: Path, command: list[str], top: int = 30) -> str:
    """cProfile's top entries, cumulative then by own time, of one ``brief`` command
    in a new process."""
    import pstats

    stats_file = root / "brief.prof"
    run([sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "policybrief",
         *command], root)
    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top // 2)
    kept = [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith(
        ("   Ordered by", "   List reduced", "   Random listing")) and "brief.prof" not in line]
    return "\n".join(line.replace(str(REPO), ".").replace(sys.prefix, "<venv>")
                     .replace(str(root), "<brief>") for line in kept)


# `brief build --to pdf` with its steps said (the command says them on a terminal only)
SAID_BUILD = r"""
import time; started = time.perf_counter()
from pathlib import Path
from policybrief.log import Reporter
from policybrief.pipeline import build
reporter = Reporter(quiet=False)
reporter.step(f"imports ({time.perf_counter() - started:.2f} s)")
build(Path("."), ["pdf"], None, None, reporter)
"""


def steps(root: Path, _command: list[str]) -> str:
    """The build's own account of its steps and their times (no profiler), in a new
    process as `brief build --to pdf`."""
    done = subprocess.run([sys.executable, "-c", SAID_BUILD], cwd=root, capture_output=True,
                          text=True, check=True, env={**os.environ, "CI": "1"})
    return "\n".join(line for line in done.stderr.splitlines() if " s)" in line
                     or line.startswith("built"))


def edit_profiles(root: Path) -> str:
    """One more sentence edit, then the English PDF: its steps; another edit, then the
    same under cProfile; and a no-op rebuild of every edition under cProfile."""
    path = root / "chapters/en/03-forced-labor.md"
    sections = []
    for label, action in (("steps", steps), ("profile", profile)):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("including Cuba", f"including Cuba ({label})", 1),
                        encoding="utf-8")
        sections.append(action(root, ["build", "--to", "pdf"]))
    everything = ["build", "--to", "pdf,html,docx", "--lang", "all"]
    run([*BRIEF, *everything], root)  # every output current again: the next is a no-op
    sections.append(profile(root, everything))
    return ("Steps of the edit-rebuild, as the build reports them:\n\n```text\n"
            f"{sections[0]}\n```\n\ncProfile of the edit-rebuild (the profiler slows "
            f"it down):\n\n```text\n{sections[1]}\n```\n\ncProfile of the no-op "
            f"rebuild:\n\n```text\n{sections[2]}\n```")


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
    """A brief `copies` times the flagship's English text and notes (figures placed
    once)."""
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


def note_count(root: Path) -> int:
    """Notes of the English chapters: the house style sets each bracketed citation as
    a note, besides footnotes and inline notes."""
    text = "\n".join(p.read_text(encoding="utf-8")
                     for p in (root / "chapters/en").glob("*.md"))
    return (len(re.findall(r"\[-?@", text)) + text.count("^[")
            + len(re.findall(r"^\[\^[^\]]+\]:", text, re.M)))


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def scaled(tmp: Path, copies: int) -> list[str]:
    """Table rows for one synthetic brief: its PDF and HTML, cold, time and memory."""
    root = synthetic(tmp, copies)
    pdf_seconds, pdf_mb = run([*BRIEF, "build", "--to", "pdf", "--quiet"], root)
    html_seconds, html_mb = run([*BRIEF, "build", "--to", "html", "--quiet"], root)
    pages = page_count(root / "build/en/human-trafficking-in-cubas-medical-missions.pdf")
    notes = note_count(root)
    shutil.rmtree(root)
    return [f"| {copies}x | {pages} | {notes} | {pdf_seconds:.1f} | {pdf_mb} | "
            f"{html_seconds:.1f} | {html_mb} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    parser.add_argument("--scale", default="", metavar="N[,N...]",
                        help="also build synthetic briefs N times the flagship's text")
    parser.add_argument("--no-watch", action="store_true", help="skip `brief watch`")
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    memory: dict[str, int] = {}
    profiled = ""
    scale_rows: list[str] = []

    def measure(name: str, command: list[str], root: Path) -> None:
        seconds, mb = run(command, root)
        results.setdefault(name, []).append(seconds)
        memory[name] = max(memory.get(name, 0), mb)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        all_editions = [*BRIEF, "build", "--to", "pdf,html,docx", "--lang", "all", "--quiet"]
        for _ in range(args.runs):
            root = fresh_copy(tmp)
            measure(COLD, all_editions, root)
            measure(NO_OP, all_editions, root)
            edit_sentence(root)
            measure(EDIT, [*BRIEF, "build", "--to", "pdf", "--quiet"], root)
            edit_figure(root)
            measure("figure-data edit, then every edition", all_editions, root)
            if not args.no_watch:
                results.setdefault(WATCH, []).extend(watch_edits(root))
            measure(PLAIN, [sys.executable, "-c", PLAIN_PIPELINE, str(root)], root)
            measure(FOOTNOTES, [sys.executable, "-c", FOOTNOTE_PIPELINE, str(root)], root)
            with contextlib.suppress(subprocess.CalledProcessError):  # no typst package
                measure(TYPST, [sys.executable, "-c", TYPST_PIPELINE, str(root)], root)
        profiled = edit_profiles(root)
        for copies in [int(n) for n in args.scale.split(",") if n]:
            scale_rows += scaled(tmp, copies)
    table = {name: median(values) for name, values in results.items()}
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {args.runs} runs each, all side by side in one run of `bench/run.py`.",
        "",
        "| measurement | seconds | peak memory of one process |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.2f} | "
          f"{f'{memory[name]} MB' if name in memory else ''} |"
          for name, seconds in table.items()],
        *([f"| peak memory of `brief watch` after {args.runs * 5} edits in {args.runs} "
           f"processes | | {max(WATCH_PEAK_MB)} MB |"] if WATCH_PEAK_MB else []),
        "",
        "| target (issue 18) | measured | met? |",
        "|---|---|---|",
    ]

    def target(name: str, value: float, limit: float, unit: str) -> None:
        verdict = "yes" if value <= limit else f"no ({value / limit:.2f}x the target)"
        shown = f"{value:.0f}" if unit == " MB" else f"{value:.2f}"
        lines.append(f"| {name} ≤ {limit:g}{unit} | {shown}{unit} | {verdict} |")

    target("cold build / pandoc + WeasyPrint with page-foot notes", table[COLD]
           / table[FOOTNOTES], 2.0, "x")
    target("no-op rebuild", table[NO_OP], 0.2, " s")
    peak = max(value for name, value in memory.items()
               if name not in (PLAIN, FOOTNOTES, TYPST))
    target("peak memory of any one process of policybrief", peak, 500, " MB")
    if TYPST in table:
        target("edit, then `brief build --to pdf` / pandoc + Typst's whole PDF",
               table[EDIT] / table[TYPST], 1.0, "x")
        if WATCH in table:
            target("save to PDF in `brief watch` / pandoc + Typst's whole PDF",
                   table[WATCH] / table[TYPST], 0.5, "x")
    if scale_rows:
        lines += ["", "Synthetic briefs (the English chapters repeated N times, notes "
                  "too; one cold build each):", "",
                  "| brief | pages | notes | PDF (s) | PDF peak (MB) | HTML (s) | "
                  "HTML peak (MB) |", "|---|---|---|---|---|---|---|", *scale_rows]
    lines += ["", "Where the time goes after a one-sentence edit, `brief build --to pdf` "
              "in a new process, and in a no-op rebuild.", "", profiled]
    report = "\n".join(lines)
    print(report)
    print(json.dumps({"seconds": table, "peak_mb": memory}))
    if args.write:  # the analysis written below the figures is kept
        previous = args.write.read_text(encoding="utf-8") if args.write.is_file() else ""
        analysis = previous[previous.find(ANALYSIS) + 1:] if ANALYSIS in previous else ""
        args.write.write_text("# Benchmarks\n\n" + report + "\n\n" + analysis,
                              encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
