"""Validate located YAML against dataclass schemas by their type hints.

Used for ``brief.yml`` and for figure specs: the dataclasses are the schema, so an
option cannot be documented in one place and checked in another. Unknown keys are
errors with a suggestion; all errors are collected before one abort.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, Literal, get_args, get_origin, get_type_hints

from policybrief.config.yamlsource import LocatedYaml, YamlPath
from policybrief.errors import BriefError, ConfigError


class SchemaValidator:
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
            # Prefer the option whose shape matches the value (text vs list vs mapping).
            for option in options:
                base = get_origin(option) or option
                if isinstance(base, type) and isinstance(value, base):
                    return self.convert(option, value, where)
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
