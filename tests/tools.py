"""External tools some tests need (Debian's chromium and LibreOffice, axe-core from
npm). On a developer's machine without them those tests skip, saying how to install
them; under CI (POLICYBRIEF_REQUIRE_TOOLS=1, set by .ci/run) a missing tool fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = {
    "chromium": "apt-get install chromium",
    "soffice": "apt-get install libreoffice-writer-nogui",
    "axe-core": "(cd tests/browser && npm ci)",
}


def require(tool: str) -> str:
    """The tool's path, or skip/fail with how to install it."""
    path = str(AXE) if tool == "axe-core" and AXE.is_file() else shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed: {INSTALL[tool]}"
    if os.environ.get("POLICYBRIEF_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)
