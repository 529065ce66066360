"""Errors that point at the source.

Every problem a user can fix is a :class:`BriefError` carrying, where known, a
:class:`Location`. The CLI prints them as ``path:line:col: error: message`` and exits
1; a fault of the machine (a full disk, a read-only folder, a missing tool: see
:func:`environment_fault`) is an :class:`EnvironmentFault`, one line with the cause and
what to do, also exit 1; anything else is a bug in policybrief and is reported as such.

What a stage has to say without stopping (a check's finding, a pandoc warning, a
note the print layout had to move) is a :class:`Diagnostic`, returned as part of the
stage's result: one type for every warning and error, from the checks to the writer.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Characters a terminal would act on rather than show: C0 and C1 controls, and the
# bidirectional overrides and isolates that reorder what follows ("Trojan Source").
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x07``), so a
    message quoting hostile input is one line that cannot drive the terminal."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}"
                            if ord(m.group()) > 0xff else f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``line`` and ``col`` are 1-based, 0 means unknown."""

    path: Path
    line: int = 0
    col: int = 0

    @classmethod
    def at(cls, path: Path, text: str, offset: int, line_offset: int = 0) -> Location:
        """The line and column of ``offset`` in ``text`` (the contents of ``path``)."""
        line_start = text.rfind("\n", 0, offset) + 1
        return cls(path, text.count("\n", 0, offset) + 1 + line_offset,
                   offset - line_start + 1)

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


# "note": a state worth saying that fails nothing, not even ``--strict`` (a translation
# that lags its source); ``brief check --release`` may promote it to an error.
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Diagnostic:
    """One thing a stage found: ``path:line:col: severity: message [rule]``.

    ``rule`` names the check or stage that said it (``citation-unknown``, ``pandoc``),
    so ``--strict`` can count it and a source can opt out of a rule.
    """

    severity: Severity
    message: str
    location: Location | None = None
    rule: str = ""
    edition: str = ""  # the language of the edition it concerns, where only one

    @classmethod
    def warning(cls, message: str, location: Location | None = None,
                rule: str = "") -> Diagnostic:
        return cls("warning", message, location, rule)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self, root: Path | None = None) -> str:
        where = f"{self.location.display(root)}: " if self.location else ""
        tail = f" [{self.rule}]" if self.rule else ""
        return printable(f"{where}{self.severity}: {self.message}{tail}")

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        loc = self.location
        return {
            "path": loc.relative_path(root) if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }

    def github(self, root: Path | None = None) -> str:
        """A GitHub Actions workflow command: an annotation on the changed line."""
        parts = []
        if self.location:
            parts.append(f"file={self.location.relative_path(root)}")
            if self.location.line:
                parts.append(f"line={self.location.line}")
            if self.location.col:
                parts.append(f"col={self.location.col}")
        parts.append(f"title={self.rule}")
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        command = "notice" if self.severity == "note" else self.severity
        return f"::{command} {','.join(_escape_property(p) for p in parts)}::{message}"

    def as_error(self) -> BriefError:
        tail = f" [{self.rule}]" if self.rule else ""
        return BriefError(f"{self.message}{tail}", self.location)


def _escape_property(part: str) -> str:
    """GitHub workflow-command property values escape %, CR, LF, ':' and ','."""
    name, _, value = part.partition("=")
    for raw, escaped in (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"), (":", "%3A"),
                         (",", "%2C")):
        value = value.replace(raw, escaped)
    return f"{name}={value}"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """In file order (diagnostics without a place first), then by message."""
    return sorted(diagnostics, key=lambda d: (d.location or Location(Path("")), d.message))


def raise_errors(diagnostics: Iterable[Diagnostic]) -> None:
    """Raise the error diagnostics together (warnings are the caller's to report)."""
    raise_all([d.as_error() for d in diagnostics if d.is_error])


class BriefError(Exception):
    """A problem in the brief's input or environment that the user can act on."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def format(self, root: Path | None = None, severity: str = "error") -> str:
        prefix = f"{self.location.display(root)}: " if self.location else ""
        return printable(f"{prefix}{severity}: {self.message}")

    def __reduce__(self) -> tuple[object, ...]:  # errors cross process boundaries
        return (type(self), (self.message, self.location))


class ConfigError(BriefError):
    """brief.yml, a theme or another setting is wrong."""


class SourceError(BriefError):
    """A chapter, data file or other input cannot be read as it is."""


class BibliographyError(BriefError):
    """The BibTeX file or one of its entries is wrong."""


class PandocError(BriefError):
    """pandoc refused a document or is missing."""


class TemplateError(BriefError):
    """A theme or project template failed to render."""


class RenderError(BriefError):
    """An edition could not be laid out or written."""


class EnvironmentFault(BriefError):
    """The machine, not the brief: a full disk, a read-only or forbidden folder, a
    missing or broken tool or system library. One line with the cause and what to do
    (exit 1), never "please report it".

    ``location`` is the file involved (an output, a tool), not a place in a source, so
    it is named inside the message (paths in the project relative to it) rather than
    before it.
    """

    def format(self, root: Path | None = None, severity: str = "error") -> str:
        message = self.message
        if root is not None:
            message = message.replace(f"{root.resolve()}{os.sep}", "")
        return printable(f"{severity}: {message}")


# What the machine said (an errno), and what the user can do about it.
_WRITABLE = "make the folder writable, or build elsewhere (brief build --out DIR)"
_FAULTS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free space and try again"),
    errno.EDQUOT: ("the disk quota is used up", "free space and try again"),
    errno.EROFS: ("the file system is read-only",
                  "build into a writable folder (brief build --out DIR)"),
    errno.EACCES: ("permission denied", _WRITABLE),
    errno.EPERM: ("the operation is not permitted", _WRITABLE),
    errno.EIO: ("the disk reported an input/output error", "check the disk and try again"),
    errno.ENOTDIR: ("a file is in the way of a folder", "remove it and try again"),
    errno.EISDIR: ("a folder is in the way of a file", "remove it and try again"),
    errno.EMFILE: ("too many files are open", "raise the limit (ulimit -n) and try again"),
    errno.ENFILE: ("too many files are open", "raise the limit (ulimit -n) and try again"),
}
_IN_THE_WAY = (errno.ENOTDIR, errno.EISDIR, errno.EEXIST)

PANGO_HELP = "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#installation"


def environment_fault(exc: BaseException, path: Path | None = None,
                      doing: str = "") -> EnvironmentFault | None:
    """The :class:`EnvironmentFault` an exception stands for, or None (a bug).

    ``path`` is the file being worked on, ``doing`` what was done to it ("write"):
    "cannot write build/en/x.pdf: the disk is full; free space and try again".
    Without them the exception's own file name is shown. A file in the way of a
    folder (``EEXIST``) counts only with ``doing``: elsewhere it may be a bug.
    """
    if isinstance(exc, EnvironmentFault):
        return exc
    if isinstance(exc, MemoryError):
        return EnvironmentFault("out of memory; close other programs, or build one "
                                "language at a time (brief build --lang xx)")
    if not isinstance(exc, OSError):
        return None
    if exc.errno is None and "cannot load library" in str(exc):  # cffi's dlopen
        detail = " ".join(str(exc).split())
        return EnvironmentFault(
            f"WeasyPrint cannot load a system library it needs for the PDF edition "
            f"({detail}); install Pango 1.44 or newer (see {PANGO_HELP})")
    known = {**_FAULTS, errno.EEXIST: _FAULTS[errno.ENOTDIR]} if doing else _FAULTS
    if exc.errno not in known:
        return None
    cause, advice = known[exc.errno]
    if advice == _WRITABLE and doing != "write":  # perhaps a source that cannot be read
        advice = "check the permissions of the file and its folder"
    named = exc.filename
    if isinstance(named, bytes):
        named = named.decode(errors="replace")
    if (named is not None and exc.errno in _IN_THE_WAY and path is not None
            and Path(named) in path.parents):
        cause = f"{cause} ({named})"  # a file where the target's folder should be
    where = path if path is not None else Path(named) if named is not None else None
    if where is None:
        return EnvironmentFault(f"{cause}; {advice}")
    text = f"cannot {doing} {where}: {cause}" if doing else f"{where}: {cause}"
    return EnvironmentFault(f"{text}; {advice}", Location(where))


class BriefErrors(BriefError):
    """Several errors found in one pass, reported together before one abort."""

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
