"""Atomic outputs: a failed or interrupted build never leaves a half-written or
clobbered edition behind. Write to a temporary file beside the target, then rename.
Builds of one output directory take turns (a lock), and ``manifest.json`` records
what each edition was built from, so an unchanged edition is not built again and a
reader can tell which revision of the sources an edition came from.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one step (same-directory rename).

    ``durable`` flushes the data to disk before the rename (outputs); cache files skip
    it, since a cache entry lost in a crash is only computed again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output directory; a second one waits its turn."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as handle:
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

    def save(self) -> None:
        body = {"checked": self.checked, "outputs": dict(sorted(self.outputs.items()))}
        write_atomic(self.path, (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode())
