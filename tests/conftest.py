"""Fixtures: fixture briefs copied into tmp_path, and builds shared across tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from policybrief.log import Reporter
from policybrief.pipeline import BuildResult, build

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Copy ``tests/roots/<name>`` into a temporary directory and return it."""

    def make(name: str = "basic", only: str | None = None) -> Path:
        """With ``only``, the copy keeps that one language (for tests of one error)."""
        target = tmp_path / name
        shutil.copytree(ROOTS / name, target)
        if only:
            config = target / "brief.yml"
            text = config.read_text(encoding="utf-8")
            text = re.sub(r"^languages: .*$", f"languages: [{only}]", text, flags=re.M)
            text = text.split("\ntranslations:")[0] + "\n"
            config.write_text(text, encoding="utf-8")
        return target

    return make


@pytest.fixture(scope="session")
def built_basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``basic`` fixture brief built once in every format and language."""
    root = tmp_path_factory.mktemp("built") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    build(root, ["pdf", "html", "docx"], ["en", "es"], None, Reporter(quiet=True))
    return root / "build"


@pytest.fixture(scope="session")
def built_flagship(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flagship brief (the repository's own content), English, all formats."""
    out = tmp_path_factory.mktemp("flagship")
    result: BuildResult = build(REPO, ["pdf", "html", "docx"], ["en"], out, Reporter(quiet=True))
    assert result.outputs
    return out
