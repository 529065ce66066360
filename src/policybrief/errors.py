"""Errors that point at the source.

Every problem a user can fix is a :class:`BriefError` carrying a category and, where
known, a :class:`Location`. The CLI prints them as ``path:line:col: error: message``
and exits 1; anything else is a bug in policybrief and is reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``line`` and ``col`` are 1-based, 0 means unknown."""

    path: Path
    line: int = 0
    col: int = 0

    def relative_path(self, root: Path | None = None) -> str:
        """The path, relative to ``root`` when it is inside it."""
        if root is not None and self.path.resolve().is_relative_to(root.resolve()):
            return str(self.path.resolve().relative_to(root.resolve()))
        return str(self.path)

    def display(self, root: Path | None = None) -> str:
        text = self.relative_path(root)
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text


class BriefError(Exception):
    """A problem in the brief's input or environment that the user can act on."""

    category = "error"

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def format(self, root: Path | None = None, severity: str = "error") -> str:
        prefix = f"{self.location.display(root)}: " if self.location else ""
        return f"{prefix}{severity}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:  # errors cross process boundaries
        return (type(self), (self.message, self.location))


class ConfigError(BriefError):
    category = "config"


class SourceError(BriefError):
    category = "source"


class BibliographyError(BriefError):
    category = "bibliography"


class CitationError(BriefError):
    category = "citation"


class NoteError(BriefError):
    category = "note"


class PandocError(BriefError):
    category = "pandoc"


class TemplateError(BriefError):
    category = "template"


class RenderError(BriefError):
    category = "render"


class BriefErrors(BriefError):
    """Several errors found in one pass, reported together before one abort."""

    category = "multiple"

    def __init__(self, errors: Iterable[BriefError]) -> None:
        self.errors = sorted(
            errors, key=lambda e: (e.location or Location(Path("")), e.message)
        )
        super().__init__(f"{len(self.errors)} errors")

    def format(self, root: Path | None = None, severity: str = "error") -> str:
        return "\n".join(e.format(root, severity) for e in self.errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (BriefErrors, (self.errors,))


def raise_all(errors: list[BriefError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BriefErrors(errors)
