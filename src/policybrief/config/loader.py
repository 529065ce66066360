"""Load ``brief.yml`` into a :class:`BriefConfig`, collecting every error first."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import cast

from policybrief.config.schema import DATE, LANGUAGE_CODE, SLUG, BriefConfig
from policybrief.config.validate import SchemaValidator
from policybrief.config.yamlsource import LocatedYaml, load_yaml
from policybrief.errors import ConfigError, Location, raise_all

CONFIG_FILE = "brief.yml"


def _check_values(config: BriefConfig, v: SchemaValidator) -> None:
    if not config.languages:
        v.error("at least one language is required", ("languages",))
    for i, lang in enumerate(config.languages):
        if not LANGUAGE_CODE.match(lang):
            v.error(f"'{lang}' is not a language code like 'en' or 'es'", ("languages", i))
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
    source = load_yaml(path)
    validator = SchemaValidator(source)
    config = cast(BriefConfig | None, validator.build(BriefConfig, source.data, ()))
    if config is not None and not validator.errors:  # values only once types are right
        _check_values(config, validator)
    raise_all(validator.errors)
    assert config is not None
    return config, source
