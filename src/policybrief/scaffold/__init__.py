"""``brief new``: copy the template brief into a new directory."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from policybrief.errors import BriefError, Location

TEMPLATE = "template"


def create(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise BriefError("directory exists and is not empty", Location(directory))
    source = Path(str(resources.files("policybrief.scaffold") / TEMPLATE))
    shutil.copytree(source, directory, dirs_exist_ok=True)
