"""Interface strings and locale formats per edition.

Strings come from the theme's catalogues (``themes/<theme>/locales/<lang>.yml``,
overridable by a project ``locales/<lang>.yml``); a string missing in an edition's
language is recorded, so ``brief check`` can report it instead of printing English
in a Spanish edition. Dates and numbers are formatted by Babel (CLDR data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from babel.dates import format_skeleton

from policybrief.config.yamlsource import load_yaml
from policybrief.errors import ConfigError, Location


@dataclass
class Messages:
    lang: str
    strings: dict[str, str]
    fallback: dict[str, str]
    missing: set[str] = field(default_factory=set)

    def __call__(self, key: str) -> str:
        if key in self.strings:
            return self.strings[key]
        self.missing.add(key)
        return self.fallback.get(key, key)


def _catalogue(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = load_yaml(path).data
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError("a locale catalogue maps names to text", Location(path, 1, 1))
    return {str(k): v for k, v in data.items()}


def catalogue(theme_dir: Path, project_root: Path, lang: str) -> dict[str, str]:
    """One language's strings: the project's catalogue over the theme's."""
    return {**_catalogue(theme_dir / "locales" / f"{lang}.yml"),
            **_catalogue(project_root / "locales" / f"{lang}.yml")}


def load_messages(theme_dir: Path, project_root: Path, lang: str, source_lang: str) -> Messages:
    """The edition's strings, falling back to the source language's, then English."""
    def merged(code: str) -> dict[str, str]:
        return catalogue(theme_dir, project_root, code)

    return Messages(lang, merged(lang), merged("en") | merged(source_lang))


def parse_iso_date(value: str) -> tuple[dt.date, str]:
    """A brief's date (YYYY, YYYY-MM, YYYY-MM-DD) and the precision it was given in."""
    parts = [int(p) for p in value.split("-")]
    precision = ["year", "month", "day"][len(parts) - 1]
    while len(parts) < 3:
        parts.append(1)
    return dt.date(parts[0], parts[1], parts[2]), precision


def format_brief_date(value: str, lang: str) -> str:
    """'2022-08' -> 'August 2022' (en), 'agosto de 2022' (es)."""
    if not value:
        return ""
    date, precision = parse_iso_date(value)
    skeleton = {"year": "y", "month": "yMMMM", "day": "yMMMMd"}[precision]
    return str(format_skeleton(skeleton, date, locale=lang))


def language_name(code: str, in_lang: str) -> str:
    """'es' in English is 'Spanish'; in Spanish, 'español'."""
    from babel import Locale

    return str(Locale.parse(code).get_display_name(in_lang) or code)
