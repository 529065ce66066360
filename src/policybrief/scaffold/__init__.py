"""``brief new``: copy the template brief into a new directory."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from policybrief.errors import BriefError, Location

TEMPLATE = "template"


def create(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BriefError("exists and is not an empty directory", Location(directory))
    if any(parent.exists() and not parent.is_dir() for parent in directory.parents):
        raise BriefError("a parent of this path is a file", Location(directory))
    source = Path(str(resources.files("policybrief.scaffold") / TEMPLATE))
    shutil.copytree(source, directory, dirs_exist_ok=True)
