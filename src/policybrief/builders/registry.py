"""The registry of output formats: each builder registers itself.

Builders bundled with policybrief and builders of other packages are found the same
way, through the ``policybrief.formats`` entry point (``pyproject.toml`` declares the
bundled ones), and loaded only when a build asks for their format. Code may also
call :func:`register` (a test, a script that builds with its own format).
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING

from policybrief.errors import BriefError

if TYPE_CHECKING:  # the builders (WeasyPrint, fontTools) load only when a build needs one
    from policybrief.builders.base import Builder

ENTRY_POINT_GROUP = "policybrief.formats"
# The bundled formats come first, in this order; others follow by name.
BUNDLED_ORDER = ("pdf", "html", "docx")

_registered: dict[str, type[Builder]] = {}


def register(cls: type[Builder]) -> type[Builder]:
    """Add a builder class to the registry (usable as a class decorator)."""
    for attribute in ("format", "extension", "media_type"):
        if not isinstance(getattr(cls, attribute, None), str):
            raise TypeError(f"builder {cls.__name__} must set '{attribute}'")
    known = _registered.get(cls.format)
    if known is not None and known is not cls:
        raise ValueError(f"two builders for format '{cls.format}': {known.__name__} and "
                         f"{cls.__name__}")
    _registered[cls.format] = cls
    return cls


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def format_names() -> list[str]:
    """Every format a build can make, without importing any builder."""
    names = set(_entry_points()) | set(_registered)
    bundled = [n for n in BUNDLED_ORDER if n in names]
    return bundled + sorted(names - set(bundled))


def builder_class(name: str) -> type[Builder]:
    """The builder of format ``name``, loaded (and registered) on first use."""
    if name not in _registered:
        entry = _entry_points().get(name)
        if entry is None:
            raise BriefError(f"unknown format '{name}' (known: {', '.join(format_names())})")
        try:
            cls = entry.load()
        except Exception as exc:  # a broken plugin: name it, do not crash
            raise BriefError(f"the builder of format '{name}' ({entry.value}) cannot be "
                             f"loaded: {exc}") from None
        from policybrief.builders.base import Builder

        if not (isinstance(cls, type) and issubclass(cls, Builder)):
            raise BriefError(f"format '{name}': {entry.value} is not a policybrief Builder")
        if cls.format != name:
            raise BriefError(f"format '{name}': {entry.value} builds '{cls.format}'")
        register(cls)
    return _registered[name]


def builder(name: str) -> Builder:
    return builder_class(name)()


def output_name(slug: str, name: str) -> str:
    """The file name of format ``name``'s output: ``<slug>.<extension>``."""
    return f"{slug}.{builder_class(name).extension}"
