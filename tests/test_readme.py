"""The README's `brief --help` block is the real output, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.cli import make_parser

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_help_block_matches(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    expected = make_parser().format_help().strip()
    block = re.search(r"```text\n(usage: brief .*?)```", README, flags=re.S)
    assert block is not None
    assert block.group(1).strip() == expected


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make pdf", "make test"]


def test_every_documented_subcommand_exists() -> None:
    parser = make_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name in re.findall(r"^- `brief (\w+)", README, flags=re.M):
        assert name in subparsers.choices, name
