"""Atomic outputs: a failed or interrupted build never leaves a half-written or
clobbered edition behind. Every output of a build is written to a temporary file
beside its target and flushed to disk; only when all of them are written are they
renamed into place, the manifest last (:func:`write_all`). Builds of one output
directory take turns (a lock), and ``manifest.json`` records what each edition was
built from, so an unchanged edition is not built again and a reader can tell which
revision of the sources an edition came from.

What is written is checked first: an HTML edition holds no character that HTML and
XML forbid, and every XML part of a DOCX parses (:func:`verify_output`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from policybrief.errors import RenderError, environment_fault

# Characters no output may hold: the C0 controls but tab, newline and carriage return
# (XML forbids them, so Word cannot open a document with one), DEL, the non-characters
# U+FFFE and U+FFFF, and lone surrogates. config/loader.py refuses the same set in
# brief.yml (a sibling layer: it keeps its own copy).
FORBIDDEN_IN_MARKUP = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` for XML written by hand: ``& < > "`` escaped, forbidden characters
    dropped."""
    text = FORBIDDEN_IN_MARKUP.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _stage(path: Path, data: bytes, durable: bool) -> str:
    """Write ``data`` to a new temporary file beside ``path`` (flushed to disk when
    ``durable``) and return its name; on any failure, remove it and re-raise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error, naming the target rather than its temporary file."""
    if exc.errno is None:
        return exc
    named = OSError(exc.errno, exc.strerror, str(path))  # the errno's own subclass
    named.__cause__ = exc
    return named


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one step (same-directory rename).

    ``durable`` flushes the data to disk before the rename (outputs); cache files skip
    it, since a cache entry lost in a crash is only computed again. An ``OSError``
    names ``path``, not the temporary file.
    """
    try:
        tmp = _stage(path, data, durable)
        try:
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _naming(exc, path) from exc


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (where the file system allows it)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write ``files`` (target, bytes) as one transaction, in two phases.

    1. Every file's data goes to a temporary file beside its target and is flushed to
       disk. A failure here (a full disk, a read-only folder) removes every temporary
       file: every target is as it was.
    2. Only then are they renamed into place, in the order given (the manifest last).
       A rename needs no new space; should one fail all the same, the files already
       renamed are put back from hard links to the previous ones, kept until the end
       (where the file system has no hard links, a file renamed stays new).

    A fault of the machine is raised as an :class:`EnvironmentFault` naming the file.
    """
    staged: list[tuple[Path, str]] = []  # target, temporary file
    kept: dict[Path, str] = {}  # target -> a hard link to the previous file
    fresh: set[Path] = set()  # targets there was no file at before
    renamed: list[Path] = []
    current = Path()
    try:
        for current, data in files:
            staged.append((current, _stage(current, data, durable=True)))
        for target, tmp in staged:
            if not target.exists():
                fresh.add(target)
            elif target.is_file():
                link = f"{tmp[:-len('.tmp')]}.old.tmp"
                with suppress(OSError):
                    os.link(target, link)
                    kept[target] = link
        for current, tmp in staged:
            os.replace(tmp, current)
            renamed.append(current)
    except BaseException as exc:
        for target in reversed(renamed):  # put back what was renamed
            with suppress(OSError):
                if target in kept:
                    os.replace(kept.pop(target), target)
                elif target in fresh:
                    target.unlink()
        for name in [tmp for _target, tmp in staged] + list(kept.values()):
            Path(name).unlink(missing_ok=True)
        fault = environment_fault(exc, current, "write")
        if fault is not None and fault is not exc:
            raise fault from exc
        raise
    for name in kept.values():
        with suppress(OSError):  # written all the same: a stray link is only untidy
            Path(name).unlink(missing_ok=True)
    for folder in sorted({target.parent for target, _tmp in staged}):
        _sync_folder(folder)


def verify_output(target: Path, data: bytes, shown: str) -> None:
    """Refuse an output that a reader cannot open, by its extension: an HTML edition
    must be UTF-8 without a character HTML and XML forbid; every XML part of a DOCX
    must parse. ``shown`` names the output in the error (one line)."""
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        _verify_html(data, shown)
    elif suffix == ".docx":
        _verify_docx(data, shown)


def _verify_html(data: bytes, shown: str) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError(f"{shown} would not be UTF-8 text (byte {exc.start}); "
                          "this is a bug in the theme or policybrief") from None
    found = FORBIDDEN_IN_MARKUP.search(text)
    if found is not None:
        start = found.start()
        before = _readable(text[max(0, start - 120):start])[-30:]
        after = _readable(text[start + 1:start + 120])[:30]
        near = f"{before}\\u{ord(found.group()):04x}{after}".strip()
        raise RenderError(
            f"{shown} would contain the control character U+{ord(found.group()):04X}, "
            f"which HTML and XML forbid (near '{near}'); remove it from the sources")


def _readable(html: str) -> str:
    """A piece of HTML as its text shows (tags cut at either end too), on one line."""
    text = re.sub(r"<[^>]*>|^[^<]*>|<[^>]*$", " ", html)
    text = FORBIDDEN_IN_MARKUP.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return ((" " if text[:1].isspace() else "") + " ".join(text.split())
            + (" " if text[-1:].isspace() else ""))


def _verify_docx(data: bytes, shown: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if "word/document.xml" not in names:
                raise RenderError(f"{shown} would not be a Word document: it has no "
                                  "word/document.xml")
            for name in names:
                if name.endswith((".xml", ".rels")):
                    try:
                        ET.fromstring(package.read(name))
                    except ET.ParseError as exc:
                        raise RenderError(
                            f"{shown} would not open in Word: {name} is not well-formed "
                            f"XML ({' '.join(str(exc).split())})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise RenderError(f"{shown} would not be a Word document (a broken ZIP "
                          f"package: {exc})") from None


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output directory; a second one waits its turn."""
    lock = out_dir / ".lock"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "w")  # noqa: SIM115 (closed below, after the lock)
    except OSError as exc:  # the first write of a build: a read-only folder shows here
        fault = environment_fault(exc, lock, "write")
        if fault is None:
            raise
        raise fault from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Manifest:
    """``<out>/manifest.json``: every output with its hash and its inputs' fingerprint."""

    path: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    checked: str = ""  # the project key whose sources last passed the checks

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = out_dir / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(data.get("outputs", {})), str(data.get("checked", "")))
        except (OSError, ValueError, AttributeError):
            return cls(path)

    def _name(self, target: Path) -> str:
        return str(target.relative_to(self.path.parent))

    def is_current(self, target: Path, key: str) -> bool:
        entry = self.outputs.get(self._name(target))
        if not entry or entry.get("key") != key or not target.is_file():
            return False
        return bool(hashlib.sha256(target.read_bytes()).hexdigest() == entry.get("sha256"))

    def record(self, target: Path, data: bytes, key: str, lang: str, fmt: str, fingerprint: str,
               built: dt.datetime, versions: dict[str, str]) -> None:
        self.outputs[self._name(target)] = {
            "lang": lang, "format": fmt, "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data), "fingerprint": fingerprint, "key": key,
            "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"), "tools": versions,
        }

    def encode(self) -> bytes:
        """The manifest as written (for :func:`write_all` with the outputs)."""
        body = {"checked": self.checked, "outputs": dict(sorted(self.outputs.items()))}
        return (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode()

    def save(self) -> None:
        write_atomic(self.path, self.encode())
