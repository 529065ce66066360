"""Load ``brief.yml`` into a :class:`BriefConfig`, collecting every error first."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

from policybrief.config.schema import DATE, LANGUAGE_CODE, SLUG, BriefConfig
from policybrief.config.validate import SchemaValidator
from policybrief.config.yamlsource import LocatedYaml, load_yaml
from policybrief.errors import ConfigError, Location, raise_all

CONFIG_FILE = "brief.yml"

# Characters no text value may hold: the C0 controls but tab, newline and carriage
# return (XML forbids them: Word cannot open a document with one), DEL, and the
# non-characters U+FFFE and U+FFFF. The same set as writer.FORBIDDEN_IN_MARKUP, which
# checks every output (a sibling layer: each keeps its copy). YAML escapes ("\x01")
# are how a value gets one; written as they are, they are refused by _RAW.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# What YAML itself refuses in a file (its "printable" set): reported with a place here
# rather than as the YAML reader's error without one.
_RAW = re.compile(r"[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _named(character: str) -> str:
    code = ord(character)
    kind = "a control character" if code < 0x20 or 0x7F <= code <= 0x9F else "a non-character"
    return f"U+{code:04X} ({kind})"


def _refuse_raw_characters(path: Path, text: str) -> None:
    found = _RAW.search(text)
    if found is not None:
        at = found.start()
        raise ConfigError(
            f"the character {_named(found.group())} is not allowed in {CONFIG_FILE}; "
            "remove it",
            Location(path, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)))


def _check_text(value: Any, where: tuple[str | int, ...], v: SchemaValidator) -> None:
    """Every text value, at any depth, is free of control characters."""
    if isinstance(value, str):
        found = CONTROL_CHARACTER.search(value)
        if found is not None:
            v.error(f"text may not contain {_named(found.group())}: Word cannot open a "
                    "document with one; remove it", where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, (*where, key), v)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, (*where, index), v)


def known_language(lang: str) -> bool:
    """Whether CLDR (through Babel) has the language: its dates, numbers, plurals."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _check_values(config: BriefConfig, v: SchemaValidator) -> None:
    if not config.languages:
        v.error("at least one language is required", ("languages",))
    for i, lang in enumerate(config.languages):
        if not LANGUAGE_CODE.match(lang):
            v.error(f"'{lang}' is not a BCP 47 language code like 'en', 'pt-BR' or "
                    "'zh-Hans'", ("languages", i))
        elif not known_language(lang):
            v.error(f"'{lang}' is not a language CLDR knows (dates, numbers and plurals "
                    "come from it)", ("languages", i))
    if len(set(config.languages)) != len(config.languages):
        v.error("a language is listed twice", ("languages",))
    if not SLUG.match(config.slug):
        v.error("slug must be lower-case letters, digits and hyphens", ("slug",))
    if config.date and not DATE.match(config.date):
        v.error("date must be YYYY, YYYY-MM or YYYY-MM-DD", ("date",))
    elif config.date:
        parts = [int(p) for p in config.date.split("-")] + [1, 1]
        try:
            dt.date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            v.error(f"date must be a real date ({exc})", ("date",))
    if config.url and not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", config.url):
        v.error("url must be an http(s) address such as https://example.org/briefs/x",
                ("url",))
    for lang in config.translations:
        if lang not in config.languages:
            v.error(f"translation for '{lang}', which is not in languages", ("translations", lang))


def load_config(root: Path) -> BriefConfig:
    """Read and validate ``root/brief.yml``; raise every problem at once."""
    return load_config_source(root)[0]


def load_config_source(root: Path) -> tuple[BriefConfig, LocatedYaml]:
    """The config and where each of its values stands in brief.yml."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"no {CONFIG_FILE} in {root} (is this a brief? try 'brief new DIR')",
                          Location(path))
    try:
        text: str | None = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = None  # load_yaml says where
    if text is not None:
        _refuse_raw_characters(path, text)
    source = load_yaml(path, text)
    validator = SchemaValidator(source)
    _check_text(source.data, (), validator)
    config = cast(BriefConfig | None, validator.build(BriefConfig, source.data, ()))
    if config is not None and not validator.errors:  # values only once types are right
        _check_values(config, validator)
    raise_all(validator.errors)
    assert config is not None
    return config, source
