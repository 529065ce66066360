"""The order of one build, said once:

project (config, theme, chapters, bibliography, figures) -> checks -> prepared
editions (pandoc, citeproc, transforms) -> charts -> builders -> atomic writes.

Everything is read and rendered in memory first; outputs are written only when
every requested edition has rendered, each by an atomic rename.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from policybrief.builders.base import BuildContext
from policybrief.builders.registry import builder, builder_class, format_names, output_name
from policybrief.builders.warm import WarmState
from policybrief.checks import run_checks
from policybrief.config.loader import CONFIG_FILE
from policybrief.errors import (
    BriefError,
    ConfigError,
    Diagnostic,
    Location,
    raise_all,
    raise_errors,
)
from policybrief.figures.render import render_figure
from policybrief.figures.style import load_style
from policybrief.log import Reporter
from policybrief.model import Project
from policybrief.prepare import parsed_problems, prepare_edition
from policybrief.project import fingerprint, load_project
from policybrief.writer import Manifest, build_lock, verify_output, write_all


def build_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


@dataclass
class BuildResult:
    outputs: list[Path]
    diagnostics: list[Diagnostic]


def tool_versions() -> dict[str, str]:
    from importlib.metadata import version

    from policybrief import __version__
    from policybrief.pandoc.runner import pandoc_version

    return {"policybrief": __version__, "pandoc": pandoc_version(),
            "weasyprint": version("weasyprint"), "matplotlib": version("matplotlib")}


def format_problems(project: Project, formats: list[str] | None = None) -> list[BriefError]:
    """What stops a format from building: an unknown name in brief.yml's ``sources``,
    or a theme file the format needs (all formats when ``formats`` is None)."""
    known = format_names()
    problems: list[BriefError] = []
    for name in project.config.sources:
        if name not in known:
            problems.append(ConfigError(
                f"unknown format '{name}' (known: {', '.join(known)})",
                project.config_location("sources", name)))
    for name in formats if formats is not None else known:
        try:
            cls = builder_class(name)
            project.theme.require(cls.theme_files, f"the {name} format")
        except BriefError as exc:
            problems.append(exc)
    return problems


@dataclass(frozen=True)
class EditionJob:
    """What one worker process needs to render one edition (all plain data)."""

    project: Project  # as the parent read it
    lang: str
    formats: tuple[str, ...]
    out_dir: Path
    epoch: int
    fingerprint: str  # of the edition's inputs, as the parent computed it
    state: WarmState | None = None  # kept by a process that builds again (brief watch)


@dataclass
class EditionResult:
    lang: str
    outputs: list[tuple[str, Path, bytes]]  # format, target, bytes
    steps: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def render_edition(job: EditionJob) -> EditionResult:
    """Prepare one edition and render it in the requested formats (in memory)."""
    project = job.project
    cache_dir = job.out_dir / ".cache"
    state = job.state or WarmState()
    steps: list[str] = []
    started = time.perf_counter()
    prepared = prepare_edition(project, job.lang, cache_dir)
    steps.append(f"[3/4] {job.lang}: parsed {len(prepared.edition.chapters)} chapters with "
                 f"citeproc ({time.perf_counter() - started:.2f} s)")
    started = time.perf_counter()
    builders = [builder(fmt) for fmt in job.formats]
    charts = {}
    if any(b.needs_charts for b in builders):
        house_style = load_style(project.theme, job.lang)
        charts = {f.id: render_figure(f, house_style, job.lang, cache_dir)
                  for f in prepared.figures if f.spec.kind != "table"}
        steps.append(f"[3/4] {job.lang}: {len(charts)} charts drawn or taken from the cache "
                     f"({time.perf_counter() - started:.2f} s)")
    slug = project.config.slug
    ctx = BuildContext(
        prepared=prepared, build_date=dt.datetime.fromtimestamp(job.epoch, tz=dt.UTC),
        cache_dir=cache_dir, output_names={"pdf": f"{slug}.pdf", "docx": f"{slug}.docx"},
        state=state, charts=charts, fingerprint=job.fingerprint)
    outputs = []
    said = list(prepared.diagnostics)
    for fmt, made_by in zip(job.formats, builders, strict=True):
        target = job.out_dir / job.lang / f"{slug}.{made_by.extension}"
        started = time.perf_counter()
        rendered = made_by.build(ctx)
        outputs.append((fmt, target, rendered.data))
        said += [d for d in rendered.diagnostics if d not in said]
        steps.append(f"[4/4] {job.lang}: rendered {job.lang}/{target.name} "
                     f"({time.perf_counter() - started:.2f} s)")
    said += [Diagnostic.warning(f"no '{job.lang}' text for interface string '{key}'",
                                Location(project.root / "locales" / f"{job.lang}.yml"),
                                "i18n-missing")
             for key in sorted(prepared.messages.missing)]
    return EditionResult(job.lang, outputs, steps, said)


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


def _wanted_languages(project: Project, langs: list[str] | None) -> list[str]:
    known = [e.lang for e in project.editions]
    wanted = known if langs == ["all"] else langs or [known[0]]
    unknown = [lang for lang in wanted if lang not in known]
    if unknown:
        raise ConfigError(f"no edition in language '{unknown[0]}' (brief.yml has: "
                          f"{', '.join(known)})", Location(project.root / CONFIG_FILE))
    return wanted


def build(root: Path, formats: list[str], langs: list[str] | None, out_dir: Path | None,
          reporter: Reporter, force: bool = False, state: WarmState | None = None,
          ) -> BuildResult:
    """Check, then render what is out of date, then write it all atomically.

    ``state``: what this process keeps for its next build (``brief watch``: the
    layout and paint of every page); a one-off build starts from nothing."""
    started = time.perf_counter()
    project = load_project(root)
    reporter.root = project.root
    reporter.step(f"[1/4] read {sum(len(e.chapters) for e in project.editions)} chapters "
                  f"in {len(project.editions)} languages, "
                  f"{len(project.bibliography.entries)} sources")
    wanted = _wanted_languages(project, langs)
    raise_all(format_problems(project, formats))
    out_dir = (out_dir or project.root / "build").resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError("the output directory is a file", Location(out_dir))
    date = build_date()
    epoch = int(date.timestamp())
    fixed_date = bool(os.environ.get("SOURCE_DATE_EPOCH"))
    slug = project.config.slug
    versions = tool_versions()
    theme_digest = project.theme.digest

    # Keys are computed once, from the inputs as read before rendering: an edit saved
    # during the build then makes the next build see a different key and rebuild.
    fingerprints = {e.lang: fingerprint(project, e) for e in project.editions}
    keys = {(lang, fmt): hashlib.sha256("\n".join([
        fingerprints[lang], theme_digest, fmt, json.dumps(versions, sort_keys=True),
        str(epoch) if fixed_date else ""]).encode()).hexdigest()
        for lang in wanted for fmt in formats}
    targets = {(lang, fmt): out_dir / lang / output_name(slug, fmt)
               for lang in wanted for fmt in formats}
    # The checks cover every language: they were passed for exactly these inputs when
    # the manifest recorded this project key.
    project_key = hashlib.sha256(
        "\n".join([*fingerprints.values(), theme_digest]).encode()).hexdigest()
    previous = Manifest.load(out_dir)
    if not force and previous.checked == project_key and all(
            previous.is_current(targets[k], keys[k]) for k in keys):
        reporter.step(f"[2/4] all {len(keys)} outputs are up to date")
        return BuildResult(list(targets.values()), [])
    found = only_built(run_checks(project), project, wanted)
    for diagnostic in found:
        if not diagnostic.is_error:
            reporter.report(diagnostic)
    raise_errors(found)
    reporter.step("[2/4] checks passed")

    with build_lock(out_dir):
        manifest = Manifest.load(out_dir)
        jobs = []
        for lang in wanted:
            stale = [f for f in formats
                     if force or not manifest.is_current(targets[(lang, f)], keys[(lang, f)])]
            if stale:
                jobs.append(EditionJob(project, lang, tuple(stale), out_dir, epoch,
                                       fingerprints[lang], state))
        up_to_date = len(wanted) * len(formats) - sum(len(j.formats) for j in jobs)
        if up_to_date:
            reporter.step(f"[3/4] {up_to_date} outputs already up to date")
        results = _run_jobs(jobs, in_process=state is not None)
        for result in results:
            for line in result.steps:
                reporter.step(line)
            for diagnostic in result.diagnostics:
                reporter.report(diagnostic)
                found.append(diagnostic)
        # Every output is checked (a reader can open it), then all are written as one
        # transaction with the manifest: each written and flushed first, then all
        # renamed, the manifest last; a failure before the renames changes nothing.
        home = project.root.resolve()
        for result in results:
            for _fmt, target, data in result.outputs:
                verify_output(target, data, str(target.relative_to(home))
                              if target.is_relative_to(home) else str(target))
        written = []
        for result in results:
            for fmt, target, data in result.outputs:
                manifest.record(target, data, keys[(result.lang, fmt)], result.lang, fmt,
                                fingerprints[result.lang], date, versions)
                written.append((target, data))
        manifest.checked = project_key
        write_all([*written, (manifest.path, manifest.encode())])
    reporter.step(f"built {len(written)} files in {time.perf_counter() - started:.1f} s")
    return BuildResult([targets[(lang, f)] for lang in wanted for f in formats], found)


def redraw_figures(root: Path, out_dir: Path | None) -> list[Path]:
    """Draw every figure in every language, ignoring the cache (``brief figures``)."""
    project = load_project(root)
    raise_errors(run_checks(project))
    cache_dir = (out_dir or project.root / "build").resolve() / ".cache"
    styles = {lang: load_style(project.theme, lang) for lang in project.config.languages}
    paths = []
    for figure in project.figures.values():
        if figure.spec.kind == "table":
            continue
        for lang in project.config.languages:
            drawn = render_figure(figure, styles[lang], lang, cache_dir, force=True)
            paths += [drawn.svg, *([drawn.text_svg] if drawn.text_svg else []), drawn.png]
    return paths


def edition_of(diagnostic: Diagnostic, project: Project) -> str:
    """The language of the one edition a finding concerns: a translated chapter's, a
    language's catalogue, or what the check said; "" when it concerns them all."""
    if diagnostic.edition:
        return diagnostic.edition
    location = diagnostic.location
    if location is None:
        return ""
    try:
        parts = location.path.resolve().relative_to(project.root.resolve()).parts
    except ValueError:
        return ""
    if len(parts) >= 2 and parts[0] == "chapters" and parts[1] in project.config.languages:
        return parts[1]
    if len(parts) == 2 and parts[0] == "locales" and parts[1].endswith(".yml"):
        return parts[1][:-4]
    return ""


def only_built(found: list[Diagnostic], project: Project,
               wanted: list[str]) -> list[Diagnostic]:
    """An error in an edition this build does not make is a warning here: the English
    edition builds while the French one is being translated (``brief check`` and a
    build of that edition still refuse it). The source language's errors always count."""
    others = set(project.config.languages[1:]) - set(wanted)
    if not others:
        return found
    out = []
    for diagnostic in found:
        lang = edition_of(diagnostic, project)
        if diagnostic.severity == "note" and lang in others:
            continue  # a translation's state: said when that edition is built or checked
        if diagnostic.is_error and lang in others:
            diagnostic = replace(diagnostic, severity="warning",
                                 message=f"{diagnostic.message} (in the {lang} edition, "
                                 "which this build does not make)")
        out.append(diagnostic)
    return out


def check_only(root: Path, release: bool = False) -> tuple[Project, list[Diagnostic]]:
    """``brief check``: every check, and every format's needs, as the build sees them.
    ``release``: every edition must be current with its source as well."""
    from policybrief.checks.translations import for_release

    project = load_project(root)
    problems = [Diagnostic("error", e.message, e.location, "format")
                for e in format_problems(project)]
    found = run_checks(project)
    if release:
        found = for_release(found)
    # the parsed document's check speaks for chapters the text scan found clean (it
    # sees what the scan cannot: entities decoded, reference-style images), so that
    # nothing is said twice
    flagged = {d.location.path for d in found if d.is_error and d.location is not None}
    problems += parsed_problems(project, project.root / "build" / ".cache", flagged)
    return project, sorted(found + problems,
                           key=lambda d: (d.location or Location(Path("")), d.message))


__all__ = ["BriefError", "build", "check_only"]
