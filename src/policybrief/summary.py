"""``brief summary BASE``: what a reviewer of a pull request reads first.

GitHub shows two things a workflow says about a pull request: annotations on the
lines of the files it changed, and a job summary (Markdown appended to the file
``$GITHUB_STEP_SUMMARY`` names). This command gives both from the brief's working
tree compared with revision ``BASE`` (``origin/main`` in CI):

* every finding of ``brief check``, grouped by file, in the summary; as annotations
  (``Diagnostic.github``, the lines of ``brief check --format github``) only those in
  files changed since the merge base of ``BASE`` and ``HEAD`` (the files the pull
  request shows), since GitHub puts an annotation elsewhere at the top of the run,
  out of the reviewer's sight;
* the redline's summary, computed as ``brief diff BASE`` computes it
  (:mod:`policybrief.diff.summary`): sources added, removed or changed, figures
  changed, translations stale, word counts per edition.

The exit status is ``brief check``'s (1 on an error, or on a warning with
``--strict``), so a workflow fails when the checks fail, after the summary is written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policybrief.diff.git import Repository
from policybrief.diff.revisions import load_revision, parse_all
from policybrief.diff.summary import (
    FigureChange,
    SourceChange,
    StaleTranslation,
    WordCount,
    compare_figures,
    compare_sources,
    stale_translations,
    word_counts,
)
from policybrief.errors import BriefError, BriefErrors, Diagnostic, EnvironmentFault, printable
from policybrief.pipeline import check_only


@dataclass(frozen=True)
class RedlineSummary:
    """What the redline's summary says, as data (the same lists ``brief diff`` renders)."""

    base_label: str
    sources: tuple[SourceChange, ...]
    figures: tuple[FigureChange, ...]
    stale: tuple[StaleTranslation, ...]
    words: tuple[WordCount, ...]


@dataclass(frozen=True)
class Review:
    """The findings, the files the pull request changed, and the redline's summary."""

    base: str
    top: Path  # the repository's top folder: annotations name files from there
    findings: tuple[Diagnostic, ...]
    changed: frozenset[str]  # paths from ``top``, POSIX style, as git names them
    redline: RedlineSummary | None
    redline_error: str = ""  # why there is no redline summary

    def path_of(self, finding: Diagnostic) -> str:
        """The finding's file from the repository's top ("" when it has none)."""
        if finding.location is None:
            return ""
        return Path(finding.location.relative_path(self.top)).as_posix()

    def annotated(self, finding: Diagnostic) -> bool:
        return self.path_of(finding) in self.changed


def _git(top: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "--literal-pathspecs", "-C", str(top), *args],
                          capture_output=True, check=False)


def changed_files(repo: Repository, base_commit: str) -> frozenset[str]:
    """Files that differ between the merge base of ``base_commit`` and HEAD, and the
    working tree (untracked files included): what the pull request changes."""
    fork = _git(repo.top, "merge-base", base_commit, "HEAD")
    since = fork.stdout.decode("ascii").strip() if fork.returncode == 0 else base_commit
    names: set[str] = set()
    for args in (("diff", "--name-only", "-z", since, "--"),
                 ("ls-files", "--others", "--exclude-standard", "-z")):
        proc = _git(repo.top, *args)
        if proc.returncode != 0:
            message = " ".join(proc.stderr.decode("utf-8", "replace").split())
            raise BriefError(f"cannot list the files changed since {base_commit[:7]}: "
                             f"{message}")
        names.update(os.fsdecode(n) for n in proc.stdout.split(b"\0") if n)
    return frozenset(names)


def _findings(root: Path) -> list[Diagnostic]:
    """``brief check``'s findings; a brief that does not load is its errors."""
    try:
        return check_only(root)[1]
    except EnvironmentFault:
        raise
    except BriefError as exc:
        errors = exc.errors if isinstance(exc, BriefErrors) else [exc]
        return [Diagnostic("error", e.message, e.location, "load") for e in errors]


def redline_summary(root: Path, repo: Repository, base: str) -> RedlineSummary:
    """The summary ``brief diff BASE`` puts above each redline, for the working tree."""
    commit = repo.commit(base)
    where = f"'{repo.prefix.rstrip('/')}'" if repo.prefix else "the repository's top folder"
    label = f"{base} ({repo.describe(commit)})"
    with tempfile.TemporaryDirectory(prefix="policybrief-summary-") as tmp:
        work = Path(tmp).resolve()
        old = load_revision(repo.extract(commit, work / "base"), base, label, where)
        new = load_revision(root, None, "", where)
        parse_all([old, new], [base, None], work)
        langs = list(new.project.config.languages)
        langs += [lang for lang in old.project.config.languages if lang not in langs]
        # figures compare their figure.yml files: read them before the folder goes
        return RedlineSummary(
            label,
            tuple(compare_sources(old.project.bibliography, new.project.bibliography)),
            tuple(compare_figures(old.project, new.project)),
            tuple(stale_translations(old.project, new.project)),
            tuple(word_counts(langs, old.texts, new.texts)))


def review(root: Path, base: str) -> Review:
    """Check the brief in ``root`` and summarise its redline against ``base``."""
    root = root.resolve()
    repo = Repository.find(root)
    changed = changed_files(repo, repo.commit(base))
    findings = _findings(root)
    try:
        redline: RedlineSummary | None = redline_summary(root, repo, base)
        error = ""
    except EnvironmentFault:
        raise
    except BriefError as exc:  # the findings say why, or the base revision is broken
        redline, error = None, exc.format(root)
    return Review(base, repo.top, tuple(findings), changed, redline, error)


# --- Markdown -----------------------------------------------------------------------

# Characters Markdown (GitHub's) reads as syntax inside a line: code, emphasis,
# links and images, table cells, strikethrough, a heading's closing #s. A finding quotes
# the brief's text (a pull request's, so anyone's), which must stay text in the summary;
# every value is written inside a line (a table cell, after a heading's marks).
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~#])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def text(value: str) -> str:
    """``value`` as literal Markdown text on one line: syntax escaped, HTML as
    entities, control characters shown as escapes."""
    flat = " ".join(printable(value).split())
    flat = re.sub(r"[&<>]", lambda m: _HTML[m.group()], flat)
    return _MARKDOWN_SYNTAX.sub(r"\\\1", flat)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _tally(findings: Sequence[Diagnostic]) -> str:
    kinds = [("error", "error"), ("warning", "warning"), ("note", "note")]
    counts = [_count(sum(f.severity == severity for f in findings), noun)
              for severity, noun in kinds]
    return ", ".join(counts[:2] + [c for c in counts[2:] if not c.startswith("0 ")])


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], right: int = 0) -> list[str]:
    """A GFM table; the last ``right`` columns are numbers, aligned right."""
    align = ["---"] * (len(header) - right) + ["---:"] * right
    return ([f"| {' | '.join(header)} |", f"| {' | '.join(align)} |"]
            + [f"| {' | '.join(row)} |" for row in rows])


def _place(finding: Diagnostic) -> str:
    loc = finding.location
    if loc is None or not loc.line:
        return ""
    return f"{loc.line}:{loc.col}" if loc.col else str(loc.line)


def _findings_markdown(report: Review) -> list[str]:
    lines = [f"### Checks: {_tally(report.findings)}", ""]
    if not report.findings:
        return [*lines, "Nothing to report.", ""]
    groups: dict[str, list[Diagnostic]] = {}
    for finding in report.findings:
        groups.setdefault(report.path_of(finding), []).append(finding)
    # the files the pull request changed first (their findings are annotated too)
    order = sorted(groups, key=lambda path: (path not in report.changed, path))
    for path in order:
        found = groups[path]
        if not path:
            title = "The brief as a whole"
        elif path in report.changed:
            title = f"{text(path)} (changed by this pull request)"
        else:
            title = f"{text(path)} (not changed here: reported in this summary only)"
        lines += [f"#### {title}", ""]
        lines += _table(("line", "severity", "finding", "rule"),
                        ((_place(f), f.severity, text(f.message), text(f.rule))
                         for f in found))
        lines.append("")
    return lines


def _sources_markdown(sources: Sequence[SourceChange]) -> list[str]:
    counts = {status: sum(s.status == status for s in sources)
              for status in ("added", "removed", "changed")}
    lines = [f"**Sources:** {counts['added']} added, {counts['removed']} removed, "
             f"{counts['changed']} changed", ""]
    if sources:
        lines += _table(("key", "title", "change"),
                        ((text(s.key), text(s.title), s.status + (
                            f" ({', '.join(text(f.name) for f in s.fields)})"
                            if s.fields else "")) for s in sources))
        lines.append("")
    return lines


def _figures_markdown(figures: Sequence[FigureChange]) -> list[str]:
    if not figures:
        return ["**Figures:** none changed", ""]
    lines = [f"**Figures:** {_count(len(figures), 'figure')} changed", ""]

    def change(figure: FigureChange) -> str:
        if figure.status != "changed":
            return figure.status
        parts = (["data"] if figure.data_changed else []) + \
            (["figure.yml"] if figure.spec_changed else [])
        cells = f", {_count(len(figure.cells), 'cell')}" if figure.cells else ""
        return f"{' and '.join(parts)} changed{cells}"

    lines += _table(("figure", "title", "change"),
                    ((text(f.id), text(f.title), text(change(f))) for f in figures))
    return [*lines, ""]


def _stale_markdown(stale: Sequence[StaleTranslation]) -> list[str]:
    if not stale:
        return ["**Translations:** none stale", ""]
    lines = [f"**Translations:** {_count(len(stale), 'chapter')} stale or missing", ""]
    lines += _table(("language", "chapter", "translates", "status", "before"),
                    ((text(s.lang), text(s.chapter), text(s.source), s.status,
                      s.before or "(none)") for s in stale))
    return [*lines, ""]


def _words_markdown(words: Sequence[WordCount]) -> list[str]:
    lines = ["**Word count** (text and notes):", ""]
    lines += _table(("edition", "before", "after", "difference"),
                    ((text(w.lang), f"{w.before:,}", f"{w.after:,}",
                      f"{w.difference:+,}" if w.difference else "0") for w in words),
                    right=3)
    return [*lines, ""]


def markdown(report: Review) -> str:
    """The job summary: the findings by file, then the redline's summary."""
    lines = ["## Review of the brief", ""]
    annotated = sorted({report.path_of(f) for f in report.findings if report.annotated(f)})
    if annotated:
        lines += [f"Findings in the {_count(len(annotated), 'file')} this pull request "
                  "changed are also annotated on its lines.", ""]
    lines += _findings_markdown(report)
    lines += [f"### Redline against {text(report.base)}", ""]
    if report.redline is None:
        lines += [f"No redline: {text(report.redline_error)}", ""]
    else:
        lines += [f"Compared with {text(report.redline.base_label)}.", ""]
        lines += _sources_markdown(report.redline.sources)
        lines += _figures_markdown(report.redline.figures)
        lines += _stale_markdown(report.redline.stale)
        lines += _words_markdown(report.redline.words)
    return "\n".join(lines)


def annotation_lines(report: Review) -> list[str]:
    """GitHub workflow commands for the findings in the files the pull request changed."""
    return [f.github(report.top) for f in report.findings if report.annotated(f)]


def command(root: Path, base: str, *, strict: bool, annotate: bool,
            markdown_file: Path | None) -> int:
    """The command's output and exit status (``brief check``'s)."""
    report = review(root, base)
    if annotate:
        for line in annotation_lines(report):
            print(line)
    summary = markdown(report)
    if markdown_file is None:
        print(summary)
    else:
        with open(markdown_file, "a", encoding="utf-8") as out:  # GitHub's file: append
            out.write(summary + "\n")
    errors = sum(f.is_error for f in report.findings)
    warnings = sum(f.severity == "warning" for f in report.findings)
    print(f"{errors} errors, {warnings} warnings", file=sys.stderr)
    if report.redline is None:
        print(f"no redline summary: {report.redline_error}", file=sys.stderr)
    return 1 if errors or (strict and warnings) else 0


__all__ = ["RedlineSummary", "Review", "annotation_lines", "changed_files", "command",
           "markdown", "redline_summary", "review", "text"]
