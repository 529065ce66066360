"""External tools some tests need (Debian's chromium and LibreOffice, axe-core from
npm). On a developer's machine without them those tests skip, saying how to install
them; under CI (POLICYBRIEF_REQUIRE_TOOLS=1, set by .ci/run) a missing tool fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

NODE_MODULES = Path(__file__).parent / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = {
    "chromium": "apt-get install chromium",
    "soffice": "apt-get install libreoffice-writer-nogui",
    "java": "apt-get install default-jre-headless",
    "axe-core": "(cd tests/browser && npm ci)",
    "vnu": "(cd tests/browser && npm ci)",
}
FILES = {"axe-core": AXE, "vnu": VNU}


def require(tool: str) -> str:
    """The tool's path, or skip/fail with how to install it."""
    path = (str(FILES[tool]) if FILES[tool].is_file() else None) if tool in FILES \
        else shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed: {INSTALL[tool]}"
    if os.environ.get("POLICYBRIEF_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)


def chart_project(root: Path, figures: dict[str, tuple[str, str]]) -> tuple[Any, Any]:
    """Figures written as ``figures/<id>/{figure.yml,data.csv}`` under ``root`` (id ->
    (spec, data)), loaded for English and Spanish, with the default theme's chart style."""
    from policybrief.figures.spec import load_figures
    from policybrief.figures.style import load_style
    from policybrief.theme import load_theme

    for figure_id, (spec, data) in figures.items():
        folder = root / "figures" / figure_id
        folder.mkdir(parents=True)
        (folder / "figure.yml").write_text(spec, encoding="utf-8")
        (folder / "data.csv").write_text(data, encoding="utf-8")
    loaded = load_figures(root, ["en", "es"])
    assert sorted(loaded) == sorted(figures)
    return loaded, load_style(load_theme("default", Path(__file__).parent / "roots" / "basic"))


# Repositories made by tests: a fixed author, no signing, branch "main".
GIT = ["git", "-c", "user.name=Test Author", "-c", "user.email=test@example.org",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(root: Path, *args: str) -> str:
    """``git -C root ARGS``; its output."""
    import subprocess

    return subprocess.run([*GIT, "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` (a second would be a test bug)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
