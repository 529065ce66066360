"""The plain data one build passes from stage to stage."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.config.schema import Author, BriefConfig, Organization
from policybrief.errors import Location

if TYPE_CHECKING:
    from policybrief.bibliography import Bibliography
    from policybrief.config.yamlsource import LocatedYaml
    from policybrief.figures.spec import Figure
    from policybrief.theme import Theme


@dataclass(frozen=True)
class Chapter:
    """One Markdown file of one language edition."""

    path: Path
    lang: str
    slug: str  # file stem, e.g. "01-executive-summary"
    text: str  # the body, front matter removed
    body_line: int  # 1-based line of the body's first line in the file
    front_matter: dict[str, object] = field(default_factory=dict)

    @cached_property
    def _line_starts(self) -> list[int]:
        """The offset of every line's first character in the body, found once (a
        chapter may have 100,000 marks to locate; counting newlines from the start for
        each of them made ``brief check`` quadratic)."""
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        return starts

    def location(self, offset: int) -> Location:
        """Where ``offset`` into the body is in the file."""
        if offset < 0:
            offset = 0
        starts = self._line_starts
        index = bisect_right(starts, offset) - 1
        return Location(self.path, index + self.body_line, offset - starts[index] + 1)


@dataclass(frozen=True)
class Edition:
    """The brief in one language: the base config with that language's overrides."""

    lang: str
    is_source: bool
    title: str
    subtitle: str
    date: str
    description: str
    keywords: tuple[str, ...]
    rights: str
    authors: tuple[Author, ...]
    chapters: tuple[Chapter, ...]
    organization: Organization | None = None  # in this edition's language


@dataclass(frozen=True)
class Project:
    """Everything read from the project directory before anything is written: the
    config, the theme, every edition's chapters, the bibliography and the figures."""

    root: Path
    config: BriefConfig
    theme: Theme
    editions: tuple[Edition, ...]
    bibliography: Bibliography
    citation_style: Path  # the CSL file, resolved as brief.yml's ``style`` says
    figures: dict[str, Figure] = field(default_factory=dict)
    config_source: LocatedYaml | None = None  # where each option stands in brief.yml

    @property
    def source_lang(self) -> str:
        return self.config.languages[0]

    @cached_property
    def note_style(self) -> bool:
        """Whether the citation style puts citations in notes (else: author-date or
        numeric, whose readers need the reference list in every edition); the CSL file
        is read once."""
        head = self.citation_style.read_text(encoding="utf-8", errors="replace")[:4000]
        return 'citation-format="note"' in head

    def config_location(self, *key: str | int) -> Location:
        if self.config_source is None:
            return Location(self.root / "brief.yml")
        return self.config_source.where(key)

    @property
    def organization(self) -> Organization | None:
        return self.config.organization

    def edition(self, lang: str) -> Edition:
        for edition in self.editions:
            if edition.lang == lang:
                return edition
        raise KeyError(lang)
