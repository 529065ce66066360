"""Interface strings and locale formats per edition.

Strings come from the theme's catalogues (``locales/<lang>.yml``, read by
:mod:`policybrief.theme`); a string missing in an edition's language is recorded, so
``brief check`` can report it instead of printing English in a Spanish edition.
Dates and numbers are formatted by Babel (CLDR data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_skeleton

# A catalogue's value: text, text per CLDR plural category ("one", "other"...), or
# (for the few entries that are lists, as section_numerals) a list of texts.
Text = str | dict[str, str] | list[str]
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


@dataclass
class Messages:
    lang: str
    strings: dict[str, Text]
    fallback: dict[str, Text]
    missing: set[str] = field(default_factory=set)

    def _value(self, key: str) -> Text:
        if key in self.strings:
            return self.strings[key]
        self.missing.add(key)
        return self.fallback.get(key, key)

    def __call__(self, key: str) -> str:
        value = self._value(key)
        if isinstance(value, list):
            return " ".join(value)
        return value if isinstance(value, str) else value["other"]

    def count(self, key: str, n: int, **values: object) -> str:
        """The text of ``key`` for the count ``n``, in the plural form the language
        uses for it (CLDR rules through Babel: Russian 1, 2, 5 take three forms),
        with ``{n}`` and ``values`` filled in."""
        return plural_text(self._value(key), self.lang, n).format(n=n, **values)

    def numbered(self, key: str, n: object) -> str:
        """A label with its number: ``figure_numbered`` -> 'Figure 3', '图3'."""
        return self(key).format(n=n)


def all_text(value: Text) -> str:
    """Every character a catalogue value may print (all its plural forms or items)."""
    if isinstance(value, str):
        return value
    return " ".join(value.values() if isinstance(value, dict) else value)


def plural_text(value: Text, lang: str, n: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(value)
    from babel import UnknownLocaleError

    try:
        category = babel_locale(lang).plural_form(abs(n))
    except (UnknownLocaleError, ValueError):
        category = "one" if n == 1 else "other"
    return value.get(category, value["other"])


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
    return str(format_skeleton(skeleton, date, locale=babel_locale(lang)))


def format_day(day: dt.date, lang: str) -> str:
    """A day written the language's way: '3 December 2026', '2026年12月3日'."""
    return str(format_skeleton("yMMMMd", day, locale=babel_locale(lang)))


def gap_after(text: str) -> str:
    """The space that follows ``text`` before the next word: none after a full-width
    mark ('图1：', '。'), which carries its own space, else one."""
    import unicodedata

    return "" if text and unicodedata.east_asian_width(text[-1]) in ("F", "W") else " "


def language_name(code: str, in_lang: str) -> str:
    """'es' in English is 'Spanish'; in Spanish, 'español'."""

    return str(babel_locale(code).get_display_name(babel_locale(in_lang)) or code)


def maximized(lang: str) -> tuple[str, str, str]:
    """A BCP 47 code's language, script and region, those it leaves out filled in
    from CLDR's likely subtags: 'hi' -> ('hi', 'Deva', 'IN'), 'zh-Hant' -> ('zh',
    'Hant', 'TW'), 'pa-PK' -> ('pa', 'Arab', 'PK'); '' where CLDR knows none."""
    from babel.core import get_global

    parts = lang.replace("_", "-").split("-")
    language = parts[0].lower()
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), "")
    region = next((p.upper() for p in parts[1:]
                   if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())), "")
    subtags = get_global("likely_subtags")
    keys = ["_".join(k for k in (language, script, region) if k),
            f"{language}_{region}" if region else "", f"{language}_{script}" if script else "",
            language]
    likely = next((str(subtags[k]) for k in keys if k and k in subtags), "").split("_")
    script = script or next((p for p in likely[1:] if len(p) == 4), "")
    region = region or next((p for p in likely[1:] if len(p) in (2, 3)), "")
    return language, script, region


def citeproc_lang(lang: str) -> str:
    """The code citeproc finds an edition's CSL locale by: a bare language with its
    likeliest region, 'hi' -> 'hi-IN' (citeproc has no locale for bare 'hi'), 'pt' ->
    'pt-BR' (citeproc would take Portugal's, CLDR's 'pt' is Brazil's), 'zh-Hant' ->
    'zh-TW'; a code that names its region is kept."""
    language, _script, region = maximized(lang)
    named = lang.replace("_", "-").split("-")[1:]
    if region and region in (p.upper() for p in named):
        return lang
    return f"{language}-{region}" if region else lang


def babel_locale(lang: str) -> Any:
    """The Babel locale of a BCP 47 code ('pt-BR', 'zh-Hans')."""
    from babel import Locale

    return Locale.parse(lang.replace("-", "_"))

