"""Load ``brief.yml`` into a :class:`BriefConfig`, collecting every error first."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, Literal, cast, get_args, get_origin, get_type_hints

from policybrief.config.schema import DATE, LANGUAGE_CODE, SLUG, BriefConfig
from policybrief.config.yamlsource import LocatedYaml, YamlPath, load_yaml
from policybrief.errors import BriefError, ConfigError, raise_all

CONFIG_FILE = "brief.yml"


class _Validator:
    """Turns located YAML into dataclass instances by their type hints."""

    def __init__(self, source: LocatedYaml) -> None:
        self.source = source
        self.errors: list[BriefError] = []

    def error(self, message: str, where: YamlPath) -> None:
        self.errors.append(ConfigError(message, self.source.where(where)))

    def build(self, cls: type, value: Any, where: YamlPath) -> Any:
        if not isinstance(value, dict):
            self.error(f"expected a mapping for {cls.__name__}, got {_kind(value)}", where)
            return None
        hints = get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in value:
            if key not in fields:
                close = difflib.get_close_matches(str(key), list(fields), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(f"unknown key '{key}'{hint}", (*where, key))
        kwargs: dict[str, Any] = {}
        for name, spec in fields.items():
            if name in value:
                kwargs[name] = self.convert(hints[name], value[name], (*where, name))
            elif (
                spec.default is dataclasses.MISSING
                and spec.default_factory is dataclasses.MISSING
            ):
                self.error(f"missing required key '{name}'", where)
        try:
            return cls(**kwargs)
        except TypeError:
            return None

    def convert(self, hint: Any, value: Any, where: YamlPath) -> Any:
        origin = get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in get_args(hint) if a is not type(None)]
            if value is None:
                return None
            return self.convert(options[0], value, where)
        if origin is Literal:
            allowed = get_args(hint)
            if value not in allowed:
                choices = ", ".join(repr(a) for a in allowed)
                self.error(f"expected one of {choices}, got {value!r}", where)
            return value
        if origin is list:
            (item,) = get_args(hint)
            if not isinstance(value, list):
                self.error(f"expected a list, got {_kind(value)}", where)
                return []
            return [self.convert(item, v, (*where, i)) for i, v in enumerate(value)]
        if origin is dict:
            _, item = get_args(hint)
            if not isinstance(value, dict):
                self.error(f"expected a mapping, got {_kind(value)}", where)
                return {}
            return {k: self.convert(item, v, (*where, k)) for k, v in value.items()}
        if dataclasses.is_dataclass(hint):
            return self.build(hint, value, where)  # type: ignore[arg-type]
        if hint is bool:
            if not isinstance(value, bool):
                self.error(f"expected true or false, got {_kind(value)}", where)
            return value
        if hint is str:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.error(f"expected text, got {_kind(value)}", where)
                return ""
            return str(value)
        raise TypeError(f"schema type {hint!r} is not supported")  # a bug, not user input


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", bool: "true/false", str: "text"}.get(
        type(value), type(value).__name__
    )


def _check_values(config: BriefConfig, v: _Validator) -> None:
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
    for lang in config.translations:
        if lang not in config.languages:
            v.error(f"translation for '{lang}', which is not in languages", ("translations", lang))


def load_config(root: Path) -> BriefConfig:
    """Read and validate ``root/brief.yml``; raise every problem at once."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"no {CONFIG_FILE} in {root} (is this a brief? try 'brief new DIR')")
    source = load_yaml(path)
    validator = _Validator(source)
    config = cast(BriefConfig | None, validator.build(BriefConfig, source.data, ()))
    if config is not None and not validator.errors:  # values only once types are right
        _check_values(config, validator)
    raise_all(validator.errors)
    assert config is not None
    return config
