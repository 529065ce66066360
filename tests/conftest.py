"""Fixtures: fixture briefs copied into tmp_path, and builds shared across tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from policybrief.log import Reporter
from policybrief.pipeline import build
from tools import require

ROOTS = Path(__file__).parent / "roots"
FLAGSHIP_2022 = Path(__file__).parent / "data" / "flagship-2022"


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


WORLD_LANGUAGES = ["en", "fr", "es", "ru", "ar", "zh", "hi", "pt", "de"]


@pytest.fixture(scope="session")
def built_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``world`` fixture brief (the six UN languages, Hindi, Portuguese and German)
    built once in every format and language."""
    root = tmp_path_factory.mktemp("built") / "world"
    shutil.copytree(ROOTS / "world", root)
    build(root, ["pdf", "html", "docx"], WORLD_LANGUAGES, None, Reporter(quiet=True))
    return root


@pytest.fixture(scope="session")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``report`` fixture brief (many notes over many pages, charts and a table)
    built once in every format, for the tests of the print, web and Word editions."""
    root = tmp_path_factory.mktemp("built") / "report"
    shutil.copytree(ROOTS / "report", root)
    build(root, ["pdf", "html", "docx"], ["en"], None, Reporter(quiet=True))
    return root / "build"


@pytest.fixture(scope="session")
def flagship_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the frozen 2022 edition of the flagship (``tests/data/flagship-2022``),
    for the fidelity tests; never the live brief at the top of the repository, which
    editors edit."""
    root = tmp_path_factory.mktemp("flagship-2022") / "brief"
    shutil.copytree(FLAGSHIP_2022, root)
    return root


@pytest.fixture(scope="session")
def built_flagship_2022(flagship_2022: Path) -> Path:
    """The frozen 2022 edition built once: English in print and on the web, Spanish on
    the web (what the fidelity tests read)."""
    out = flagship_2022 / "build"
    for formats, langs in ((["html"], ["en", "es"]), (["pdf"], ["en"])):
        result = build(flagship_2022, formats, langs, out, Reporter(quiet=True))
        assert [p for p in result.outputs if not p.is_file()] == []
    return out


# Debian's chromium, driven by Playwright (never a downloaded browser), offline.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
