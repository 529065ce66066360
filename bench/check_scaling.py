"""How `brief check` grows with the number of notes (a script, not a test).

    .venv/bin/python bench/check_scaling.py [--sizes 1000,10000,100000] [--runs 3]

For each size N it copies ``tests/roots/basic`` (English only) into a temporary
directory, adds one chapter with N notes (footnotes, and every tenth an inline note;
ten to a paragraph), each citing its own source, and N matching entries in
``references.bib`` whose titles are long enough for the check that looks for
hand-typed source titles in notes. Then it times ``policybrief.pipeline.check_only``:
cold (pandoc parses the chapter) and warm (the parse comes from ``build/.cache``; the
median of ``--runs`` runs), and, of the warm time, reading the project
(``load_project``: bibtexparser) and the checks alone (``run_checks``).

The documented limits (notes per chapter, sources, the 4 MB file size) would refuse the
larger sizes at once, which says nothing about how the checks scale; so the script
raises them for the scaling runs, and then times the largest size once more with the
limits as shipped, which must be refused quickly with a located error. The times
should grow about linearly: N ten times larger, time about ten times longer.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASIC = REPO / "tests" / "roots" / "basic"
sys.path.insert(0, str(REPO / "src"))

from policybrief import bibliography, textfiles  # noqa: E402
from policybrief.checks import notes, run_checks  # noqa: E402
from policybrief.errors import BriefError  # noqa: E402
from policybrief.pipeline import check_only  # noqa: E402
from policybrief.project import load_project  # noqa: E402


def make_brief(parent: Path, count: int) -> Path:
    """The basic fixture, English only, with a chapter of ``count`` notes."""
    root = parent / f"notes-{count}"
    shutil.copytree(BASIC, root)
    config = root / "brief.yml"
    text = config.read_text(encoding="utf-8").replace("languages: [en, es]", "languages: [en]")
    config.write_text(text.split("\ntranslations:")[0] + "\n", encoding="utf-8")
    shutil.rmtree(root / "chapters" / "es")
    paragraphs, definitions = [], []
    for i in range(count):  # ten notes a paragraph; every tenth an inline note
        if i % 10 == 9:
            paragraphs.append(f"Finding {i}.^[Compare [@s{i}, p. 3].]\n\n")
        else:
            paragraphs.append(f"Finding {i}.[^{i}] ")
            definitions.append(f"[^{i}]: See [@s{i}].\n")
    chapter = "# Notes\n\n" + "".join(paragraphs) + "\n\n" + "".join(definitions)
    (root / "chapters" / "en" / "03-notes.md").write_text(chapter, encoding="utf-8")
    entries = [f"@report{{s{i}, title = {{Labour Conditions in Region Number {i}}}, "
               f"institution = {{Institute}}, date = {{2020}}}}\n" for i in range(count)]
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n" + "".join(entries))
    return root


@contextmanager
def limits_raised() -> Iterator[None]:
    """The limits out of the way, so the checks run in full at every size."""
    saved = (textfiles.MAX_FILE_BYTES, notes.MAX_NOTES, bibliography.MAX_SOURCES)
    textfiles.MAX_FILE_BYTES = 1 << 30
    notes.MAX_NOTES = bibliography.MAX_SOURCES = 1 << 30
    try:
        yield
    finally:
        textfiles.MAX_FILE_BYTES, notes.MAX_NOTES, bibliography.MAX_SOURCES = saved


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'notes':>8} {'chapter':>9} {'cold check':>11} {'warm check':>11} "
          f"{'of it: load':>12} {'checks':>8} {'per note':>10}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            root = make_brief(Path(tmp), count)
            size = (root / "chapters/en/03-notes.md").stat().st_size
            with limits_raised():
                cold = timed(partial(check_only, root))
                warm = statistics.median(timed(partial(check_only, root))
                                         for _ in range(args.runs))
                load = timed(partial(load_project, root))
                project = load_project(root)
                checks = statistics.median(timed(partial(run_checks, project))
                                           for _ in range(args.runs))
            rows.append((count, warm))
            print(f"{count:>8} {size / 1e6:>7.2f}MB {cold:>10.2f}s {warm:>10.2f}s "
                  f"{load:>11.2f}s {checks:>7.2f}s {warm / count * 1e6:>8.1f}µs", flush=True)
        if len(rows) > 1:
            (n0, t0), (n1, t1) = rows[0], rows[-1]
            print(f"\n{n1 // n0}x the notes took {t1 / t0:.1f}x the time (warm check)")
        largest = Path(tmp) / f"notes-{sizes[-1]}"
        start = time.perf_counter()
        try:
            _, found = check_only(largest)
            said = [d.format(largest) for d in found if d.is_error][:3]
        except BriefError as exc:  # a limit refused the project as it loaded
            said = [exc.format(largest)]
        took = time.perf_counter() - start
        print(f"\nWith the limits as shipped, {sizes[-1]} notes: {took:.2f}s")
        for line in said:
            print(f"  {line}")


if __name__ == "__main__":
    main()
