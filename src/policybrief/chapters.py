"""Chapter discovery and front matter.

Chapters live in ``chapters/<lang>/NN-slug.md``. Their order is ``brief.yml``'s
``chapters`` list when given, else file-name order. A chapter may start with a YAML
front-matter block (``---`` ... ``---``); translations use it to record what they
translate.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policybrief.config.schema import BriefConfig, Organization, TextFields
from policybrief.config.yamlsource import LocatedYaml, load_yaml
from policybrief.errors import BriefError, Location, SourceError, raise_all
from policybrief.model import Chapter, Edition
from policybrief.textfiles import read_text

CHAPTERS_DIR = "chapters"


def split_front_matter(path: Path, text: str) -> tuple[dict[str, object], str, int]:
    """Return (front matter, body, 1-based line where the body starts)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 3)
    if end < 0:
        raise SourceError("front matter opened with '---' is never closed", Location(path, 1, 1))
    block = text[4 : end + 1]
    data = load_yaml(path, block, line_offset=1).data
    if not isinstance(data, dict):
        raise SourceError("front matter must be a YAML mapping", Location(path, 2, 1))
    body_line = text[: end + 5].count("\n") + 1
    return data, text[end + 5 :], body_line


def discover_chapters(root: Path, config: BriefConfig, lang: str,
                      source: LocatedYaml | None = None) -> list[Chapter]:
    """Read the chapters of one language in reading order."""
    folder = root / CHAPTERS_DIR / lang
    def where(index: int) -> Location:
        return source.where(("chapters", index)) if source else Location(root / "brief.yml")

    if config.chapters is not None:
        paths = [folder / name for name in config.chapters]
        errors: list[BriefError] = []
        for i, path in enumerate(paths):
            if path.resolve().parent != folder.resolve():
                errors.append(SourceError(f"a chapter must be a file in chapters/{lang}, not "
                                          f"'{config.chapters[i]}'", where(i)))
            elif not path.is_file():
                errors.append(SourceError(
                    f"chapter listed in brief.yml does not exist: {path.relative_to(root)}",
                    where(i)))
        raise_all(errors)
    else:
        paths = sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []
    for path in paths:
        if not path.resolve().is_relative_to(root.resolve()):
            raise SourceError("chapter is a link to a file outside the project",
                              Location(path))
    if not paths and lang != config.languages[0]:
        return []  # a translation not begun: the translations check names each chapter
    if not paths:
        raise SourceError(
            f"no chapters for language '{lang}' (expected {CHAPTERS_DIR}/{lang}/*.md)",
            Location(root / "brief.yml"),
        )
    chapters = []
    for path in paths:
        front, body, body_line = split_front_matter(path, read_text(path))
        if not body.strip():
            raise SourceError("chapter is empty", Location(path, 1, 1))
        chapters.append(Chapter(path, lang, path.stem, body, body_line, front))
    return chapters


def _organization(config: BriefConfig, over: TextFields | None) -> Organization | None:
    """The publisher as an edition prints it: the language's name and address over
    the source's."""
    base = config.organization
    text = over.organization if over else None
    if base is None or text is None:
        return base
    return replace(base, name=text.name or base.name, unit=text.unit or base.unit,
                   address=list(text.address) if text.address else base.address)


def load_editions(root: Path, config: BriefConfig,
                  source: LocatedYaml | None = None) -> list[Edition]:
    """One edition per language, with the language's overrides applied."""
    editions = []
    for index, lang in enumerate(config.languages):
        over = config.translations.get(lang)
        editions.append(
            Edition(
                lang=lang,
                is_source=index == 0,
                title=(over and over.title) or config.title,
                subtitle=(over and over.subtitle) or config.subtitle,
                date=config.date,
                description=(over and over.description) or config.description,
                keywords=tuple((over and over.keywords) or config.keywords),
                rights=(over and over.rights) or config.rights,
                authors=tuple((over and over.authors) or config.authors),
                chapters=tuple(discover_chapters(root, config, lang, source)),
                organization=_organization(config, over),
            )
        )
    return editions
