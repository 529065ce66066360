"""The two revisions compared: each loaded as the build loads a project, and every
edition parsed by the build's own preparation (citeproc included, nothing rendered)
and flattened to text. Editions whose inputs did not change are parsed once.

This is the only module of :mod:`policybrief.diff` that calls the build's stages.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from policybrief.builders.registry import builder_class
from policybrief.config.loader import CONFIG_FILE
from policybrief.diff.flatten import EditionText, edition_text
from policybrief.errors import BriefError, BriefErrors, Location
from policybrief.figures.render import render_figure
from policybrief.figures.style import load_style
from policybrief.i18n import Messages
from policybrief.model import Project

# The build's helpers used by brief diff: load_project, fingerprint, prepare_edition,
# and the chart code (render_figure, load_style) for the charts of changed figures.
from policybrief.prepare import prepare_edition
from policybrief.project import fingerprint, load_project

# The formats whose text the redline compares: it ends with the Sources section when
# either of them does.
READ_AS = ("pdf", "html")


@dataclass
class Revision:
    label: str  # e.g. "HEAD~1 (3c6e0db Add figures)"; "" for the working tree
    project: Project
    texts: dict[str, EditionText] = field(default_factory=dict)
    name: str | None = None  # the revision as the user named it; None: the working tree


def edition_messages(project: Project, lang: str) -> Messages:
    """The interface strings of the edition in ``lang`` (the theme's catalogue, the
    project's over it), as the build gives them to that edition."""
    return project.theme.messages(lang, project.source_lang)


def _relocated(error: BriefError, revision: str, tree: Path) -> BriefError:
    """An error in an extracted revision, pointing at ``REV:path`` instead of a
    temporary folder."""
    if isinstance(error, BriefErrors):
        return BriefErrors([_relocated(e, revision, tree) for e in error.errors])
    location = error.location
    if location is not None:
        path = location.path.resolve()
        if path.is_relative_to(tree):
            name = f"{revision}:{path.relative_to(tree).as_posix()}"
            location = Location(Path(name), location.line, location.col)
    message = error.message.replace(f"{tree}{os.sep}", f"{revision}:")
    message = message.replace(str(tree), f"{revision}:")
    return type(error)(f"{message} (in revision {revision})", location)


def load_revision(root: Path, revision: str | None, label: str, where: str) -> Revision:
    """The brief in ``root``, as revision ``revision`` (None: the working tree) of it;
    ``where`` names the brief's folder in the repository, for the error when a
    revision has no brief there."""
    tree = root.resolve()
    if revision is not None and not (tree / CONFIG_FILE).is_file():
        raise BriefError(f"revision '{revision}' has no {CONFIG_FILE} in {where} (is it a "
                         f"revision of this brief?)")
    try:
        project = load_project(tree)
    except BriefError as exc:
        raise (_relocated(exc, revision, tree) if revision is not None else exc) from None
    return Revision(label, project, name=revision)


def _with_sources(project: Project) -> bool:
    """Whether the text ends with the Sources section: as the print or the web edition
    does (brief.yml's ``sources``, else the format's default)."""
    return any(project.config.sources.get(name, builder_class(name).sources_by_default)
               for name in READ_AS)


def _parse(revision: Revision, lang: str, cache_dir: Path) -> EditionText:
    prepared = prepare_edition(revision.project, lang, cache_dir)
    return edition_text(lang, prepared.document_for(_with_sources(revision.project)))


def _inputs_key(revision: Revision, lang: str) -> str:
    """A digest of everything an edition's parse reads: editions with the same digest
    in both revisions have the same text, and are parsed once."""
    project = revision.project
    digest = hashlib.sha256()
    digest.update(fingerprint(project, project.edition(lang)).encode())
    digest.update(f"{lang}\0".encode())
    messages = edition_messages(project, lang)
    digest.update(json.dumps([messages.strings, messages.fallback], sort_keys=True).encode())
    return digest.hexdigest()


def parse_all(revisions: list[Revision], names: list[str | None], work: Path) -> None:
    """Parse every edition of every revision (editions whose inputs did not change
    only once), a few at a time: the time goes into pandoc, in other processes.
    ``names`` are the revisions as the user named them (None: the working tree)."""
    jobs: dict[str, tuple[int, str]] = {}
    wanted: list[tuple[int, str, str]] = []
    for k, revision in enumerate(revisions):
        for lang in revision.project.config.languages:
            try:
                key = _inputs_key(revision, lang)
            except BriefError as exc:
                raise _error_in(exc, names[k], revision) from None
            jobs.setdefault(key, (k, lang))
            wanted.append((k, lang, key))

    def run(job: tuple[int, str]) -> EditionText:
        k, lang = job
        try:
            return _parse(revisions[k], lang, work / f"cache-{k}")
        except BriefError as exc:
            raise _error_in(exc, names[k], revisions[k]) from None

    with ThreadPoolExecutor(max_workers=min(4, max(1, len(jobs)))) as pool:
        results = dict(zip(jobs, pool.map(run, jobs.values()), strict=True))
    for k, lang, key in wanted:
        revisions[k].texts[lang] = results[key]


def _error_in(error: BriefError, name: str | None, revision: Revision) -> BriefError:
    return error if name is None else _relocated(error, name, revision.project.root)


def draw_chart(revision: Revision, figure_id: str, lang: str, cache_dir: Path) -> Path | None:
    """The chart of figure ``figure_id`` in ``lang`` as this revision's data and
    figure.yml draw it, by the build's own chart code and the revision's theme (SVG);
    None for a table, a figure the revision lacks, or a figure drawn by Python code
    the revision's brief.yml does not trust (``figure_code``)."""
    project = revision.project
    figure = project.figures.get(figure_id)
    if figure is None or figure.spec.kind == "table" or (
            figure.spec.kind == "custom" and not project.config.figure_code):
        return None
    if lang not in project.config.languages:  # an edition this revision did not have
        lang = project.source_lang
    try:
        return render_figure(figure, load_style(project.theme, lang), lang, cache_dir).svg
    except BriefError as exc:
        raise _error_in(exc, revision.name, revision) from None


__all__ = ["Revision", "draw_chart", "edition_messages", "load_revision", "parse_all"]
