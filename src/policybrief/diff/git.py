"""The git side of ``brief diff``: the repository a brief is in, the commit a
revision names, and a commit's files written out of git's object database (the
user's working tree, index and HEAD are never touched)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policybrief.errors import BriefError


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "--literal-pathspecs", "-C", str(cwd), *args],
                              input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise BriefError("git is not installed (brief diff compares git revisions)") from None


def _git_message(proc: subprocess.CompletedProcess[bytes]) -> str:
    return " ".join(proc.stderr.decode("utf-8", "replace").split())


@dataclass(frozen=True)
class Repository:
    top: Path  # the work tree's top folder
    prefix: str  # the brief's folder inside it ("" or "path/to/brief/")

    @classmethod
    def find(cls, root: Path) -> Repository:
        if not root.is_dir():
            raise BriefError(f"no such folder: {root}")
        proc = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
        if proc.returncode != 0:
            raise BriefError(f"{root} is not in a git repository (brief diff compares git "
                             f"revisions of the brief)")
        lines = proc.stdout.decode("utf-8").split("\n")
        return cls(Path(lines[0]), lines[1] if len(lines) > 1 else "")

    def commit(self, revision: str) -> str:
        """The commit a revision names, as a full hash."""
        if not revision or revision.startswith("-"):
            raise BriefError(f"unknown revision '{revision}'")
        proc = _git(self.top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{revision}^{{commit}}")
        if proc.returncode != 0:
            raise BriefError(f"unknown revision '{revision}' (not a commit in {self.top})")
        return proc.stdout.decode("ascii").strip()

    def describe(self, commit: str) -> str:
        proc = _git(self.top, "log", "-1", "--format=%h %s", commit)
        return proc.stdout.decode("utf-8", "replace").strip() or commit[:7]

    def unchanged(self) -> bool:
        """Whether the brief's folder in the working tree is as HEAD has it (nothing
        modified, deleted or new but ignored files): then the redline's "after" is
        that commit, not "the working tree"."""
        proc = _git(self.top / self.prefix if self.prefix else self.top, "status",
                    "--porcelain", "-z", "--untracked-files=all", "--", ".")
        if proc.returncode != 0:
            raise BriefError(f"cannot read the state of the working tree: {_git_message(proc)}")
        return not proc.stdout.strip(b"\0")

    def extract(self, commit: str, target: Path) -> Path:
        """Write the brief's folder as it is in ``commit`` under ``target``; returns the
        brief's root there. Reads git's objects only: the checkout is not touched."""
        args = ["ls-tree", "-r", "-z", commit]
        if self.prefix:
            args += ["--", self.prefix]
        listing = _git(self.top, *args)
        if listing.returncode != 0:
            raise BriefError(f"cannot list the files of {commit[:7]}: {_git_message(listing)}")
        entries: list[tuple[str, str, str]] = []  # mode, object, path
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, obj = meta.decode("ascii").split(" ")
            if kind == "blob":
                entries.append((mode, obj, os.fsdecode(raw_path)))
        objects = sorted({obj for _, obj, _ in entries})
        batch = _git(self.top, "cat-file", "--batch",
                     stdin="".join(f"{o}\n" for o in objects).encode("ascii"))
        if batch.returncode != 0:
            raise BriefError(f"cannot read the files of {commit[:7]}: {_git_message(batch)}")
        blobs = _parse_batch(batch.stdout)
        base = target.resolve()
        for mode, obj, name in entries:
            path = (base / name).resolve()
            if not path.is_relative_to(base):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                os.symlink(os.fsdecode(blobs[obj]), path)
            else:
                path.write_bytes(blobs[obj])
        return base / self.prefix if self.prefix else base


def _parse_batch(out: bytes) -> dict[str, bytes]:
    """``git cat-file --batch`` output: header line, content, newline; per object."""
    blobs: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii").split(" ")
        pos = end + 1
        if len(header) < 3:  # "<object> missing"
            continue
        size = int(header[2])
        blobs[header[0]] = out[pos:pos + size]
        pos += size + 1
    return blobs


__all__ = ["Repository"]
