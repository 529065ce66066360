"""One remembered result per stage: the last input's key and what it produced.

A stage whose inputs did not change since the last build (the citeproc pass after
an edit that only touched a figure, the figure sources after a sentence edit)
returns its previous result instead of running pandoc again. One file per stage
and edition, so the cache does not grow with the number of edits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from policybrief.writer import write_atomic

T = TypeVar("T")


def digest(*parts: bytes | str) -> str:
    """A key for a stage's inputs (each part length-prefixed, so parts cannot run together)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def remembered(path: Path, key: str, compute: Callable[[], bytes],
               read: Callable[[bytes], T]) -> T:
    """``read(compute())``, or ``read`` of the bytes stored at ``path`` under ``key``.

    The file holds the key and a checksum of the bytes on its first line, then the
    bytes as they are (no re-encoding: a stage's output is often pandoc's JSON,
    hundreds of kilobytes). A missing, foreign or damaged file, or one ``read``
    refuses with a ValueError (written by another version), is a miss.
    """
    try:
        with path.open("rb") as handle:  # the key line first: a stale value is not read
            stored_key, _, checksum = handle.readline().rstrip(b"\n").partition(b" ")
            if stored_key == key.encode("ascii"):
                value = handle.read()
                if hashlib.sha256(value).hexdigest().encode("ascii") == checksum:
                    return read(value)
    except (OSError, ValueError):
        pass
    value = compute()
    header = f"{key} {hashlib.sha256(value).hexdigest()}\n".encode("ascii")
    write_atomic(path, header + value, durable=False)
    return read(value)


def remembered_json(path: Path, key: str, compute: Callable[[], Any],
                    kind: type = object) -> Any:
    """:func:`remembered` for a JSON value of type ``kind``."""
    def read(data: bytes) -> Any:
        value = json.loads(data)
        if not isinstance(value, kind):
            raise ValueError(f"not a {kind.__name__}")
        return value

    return remembered(path, key, lambda: json.dumps(
        compute(), ensure_ascii=False, separators=(",", ":")).encode(), read)
