"""The house's shape: the import-layer contract holds, and a format added from outside
the package builds with ``brief build --to`` like the bundled ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policybrief.builders.registry import builder_class, format_names

REPO = Path(__file__).parent.parent


def test_import_layers_and_no_cycles() -> None:
    """`lint-imports` (import-linter) keeps both contracts of pyproject.toml."""
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_bundled_formats_declare_what_they_are() -> None:
    assert format_names()[:3] == ["pdf", "html", "docx"]
    media = {name: builder_class(name).media_type for name in ("pdf", "html", "docx")}
    assert media["pdf"] == "application/pdf" and media["html"] == "text/html"
    assert media["docx"].endswith("wordprocessingml.document")
    assert builder_class("docx").sources_by_default is False
    assert "css/print.css" in builder_class("pdf").theme_files


PLAIN_TEXT_BUILDER = '''
"""A plain-text edition: a format that lives outside policybrief."""
from policybrief.builders.base import BuildContext, Builder, Rendered
from policybrief.pandoc.ast import stringify


class PlainTextBuilder(Builder):
    format = "plain"
    extension = "txt"  # not the format's name: the output path comes from the registry
    media_type = "text/plain"
    needs_charts = False
    sources_by_default = False

    def build(self, ctx: BuildContext) -> Rendered:
        lines = [ctx.edition.title, ""]
        for block in ctx.document_for(self)["blocks"]:
            text = stringify(block).strip()
            if text:
                lines += [text, ""]
        return Rendered("\\n".join(lines).encode("utf-8"))
'''


def install_plugin(site: Path, package: str, files: dict[str, str],
                   entry_points: dict[str, dict[str, str]]) -> None:
    """A package as pip installs it: its folder and a ``.dist-info`` with entry points."""
    for name, text in files.items():
        path = site / package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    info = site / f"{package}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n")
    groups = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in items.items()) + "\n"
                     for group, items in entry_points.items())
    (info / "entry_points.txt").write_text(groups)


def run_brief(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run([sys.executable, "-m", "policybrief", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_a_format_registered_from_outside_builds(make_project, tmp_path: Path) -> None:
    root = make_project("basic")
    site = tmp_path / "site"
    install_plugin(site, "pb_plaintext", {"__init__.py": PLAIN_TEXT_BUILDER},
                   {"policybrief.formats": {"plain": "pb_plaintext:PlainTextBuilder"}})
    usage = run_brief(["build", "--help"], site, root)
    assert "pdf,html,docx,plain" in " ".join(usage.stdout.split())
    proc = run_brief(["build", "--to", "plain", "--lang", "all", "--quiet"], site, root)
    assert proc.returncode == 0, proc.stderr
    text = (root / "build" / "en" / "fixture-brief.txt").read_text(encoding="utf-8")
    assert text.startswith("Fixture Brief on Labour Rights\n")
    assert (root / "build" / "es" / "fixture-brief.txt").is_file()
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    entry = manifest["outputs"]["en/fixture-brief.txt"]
    assert entry["format"] == "plain" and entry["lang"] == "en"
    built = (root / "build" / "en" / "fixture-brief.txt").stat().st_mtime_ns
    again = run_brief(["build", "--to", "plain"], site, root)  # up to date: not rebuilt
    assert again.returncode == 0, again.stderr
    assert (root / "build" / "en" / "fixture-brief.txt").stat().st_mtime_ns == built
    # without the package, the format is unknown: a usage error naming the known ones
    gone = run_brief(["build", "--to", "plain"], tmp_path / "empty", root)
    assert gone.returncode == 2 and "unknown format 'plain'" in gone.stderr


def test_a_broken_format_plugin_is_named_not_a_crash(make_project, tmp_path: Path) -> None:
    root = make_project("basic", only="en")
    site = tmp_path / "site"
    install_plugin(site, "pb_broken", {"__init__.py": "raise ImportError('no such thing')\n"},
                   {"policybrief.formats": {"broken": "pb_broken:Builder"}})
    proc = run_brief(["build", "--to", "broken"], site, root)
    assert proc.returncode == 1, proc.stderr
    assert "format 'broken'" in proc.stderr and "no such thing" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("value", ["{epub: true}", "{pdf: yes, word: false}"])
def test_sources_keys_are_format_names(make_project, value: str) -> None:
    from policybrief.cli import main

    root = make_project("basic", only="en")
    config = root / "brief.yml"
    config.write_text(config.read_text() + f"sources: {value}\n")
    assert main(["check", "--project", str(root)]) == 1
