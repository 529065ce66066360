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
from typing import Any

from policybrief.writer import write_atomic


def digest(*parts: bytes | str) -> str:
    """A key for a stage's inputs (each part length-prefixed, so parts cannot run together)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def remembered(path: Path, key: str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``, or the bytes stored at ``path`` when they were stored under ``key``.

    The file holds the key on its first line, then the bytes as they are (no
    re-encoding: a stage's output is often pandoc's JSON, hundreds of kilobytes).
    A missing or foreign file is a miss.
    """
    try:
        with path.open("rb") as handle:  # the key line first: a stale value is not read
            if handle.readline().rstrip(b"\n") == key.encode("ascii"):
                return handle.read()
    except OSError:
        pass
    value = compute()
    write_atomic(path, key.encode("ascii") + b"\n" + value, durable=False)
    return value


def remembered_json(path: Path, key: str, compute: Callable[[], Any]) -> Any:
    """:func:`remembered` for a JSON value; a damaged file is a miss."""
    def encoded() -> bytes:
        return json.dumps(compute(), ensure_ascii=False, separators=(",", ":")).encode()

    try:
        return json.loads(remembered(path, key, encoded))
    except ValueError:
        path.unlink(missing_ok=True)
        return json.loads(remembered(path, key, encoded))
