"""Interface strings and locale formats per edition.

Strings come from the theme's catalogues (``locales/<lang>.yml``, read by
:mod:`policybrief.theme`); a string missing in an edition's language is recorded, so
``brief check`` can report it instead of printing English in a Spanish edition.
Dates and numbers are formatted by Babel (CLDR data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel.dates import format_skeleton


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
