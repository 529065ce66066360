"""``brief new``: a complete brief repository an organisation can start from.

The template is copied as it is, except that files Python packaging would drop or
git would treat specially are stored without their leading dot (``gitignore``,
``github/``, ``pre-commit-config.yaml``) and renamed, and the Makefile installs the
policybrief that made the brief (a version, or the folder it was installed from).
"""

from __future__ import annotations

import json
import shutil
from importlib import metadata, resources
from pathlib import Path

from policybrief.errors import BriefError, Location

TEMPLATE = "template"
DOTTED = {"gitignore": ".gitignore", "github": ".github",
          "pre-commit-config.yaml": ".pre-commit-config.yaml"}


def install_spec() -> str:
    """What ``pip install`` needs to get this policybrief: the folder or URL it was
    installed from, else its version from the package index."""
    dist = metadata.distribution("policybrief")
    direct = dist.read_text("direct_url.json")
    if direct:
        url = str(json.loads(direct).get("url", ""))
        if url.startswith("file://"):
            return url.removeprefix("file://")
        if url:
            return f"policybrief @ {url}"
    return f"policybrief=={dist.version}"


def create(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BriefError("exists and is not an empty directory", Location(directory))
    if any(parent.exists() and not parent.is_dir() for parent in directory.parents):
        raise BriefError("a parent of this path is a file", Location(directory))
    source = Path(str(resources.files("policybrief.scaffold") / TEMPLATE))
    shutil.copytree(source, directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for stored, name in DOTTED.items():
        if (directory / stored).exists():
            (directory / stored).rename(directory / name)
    makefile = directory / "Makefile"
    makefile.write_text(makefile.read_text(encoding="utf-8").replace(
        "@POLICYBRIEF@", install_spec()), encoding="utf-8")
