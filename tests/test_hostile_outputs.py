"""Hostile environments and outputs nobody can open (issue 17): a full disk, a read-only
or forbidden folder, a missing or broken pandoc, Pango that does not load, control
characters that would make a DOCX Word cannot open.

Every case is one row of ``CASES``: a setup (it edits a copy of an already built brief
or patches the machine, and returns the build's options) and a fragment of the one
error line expected. Each row checks the same contract: exit 1, one line on stderr
(warnings aside), nothing on stdout, no traceback, never "please report it", every
previous output and ``manifest.json`` byte-identical, no temporary file left.

Then the build's transaction: a disk that fills up at the 1st, 4th or 7th file of a
build in every format and both languages changes nothing, and the same build with
room writes every output and then the manifest.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import importlib.abc
import io
import json
import os
import shutil
import sys
import zipfile
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from policybrief import log, writer
from policybrief.builders import docx
from policybrief.cli import main
from policybrief.config.loader import load_config
from policybrief.errors import EnvironmentFault, RenderError
from policybrief.log import Reporter
from policybrief.pandoc import runner
from policybrief.pipeline import build
from policybrief.writer import verify_output, write_all

ROOTS = Path(__file__).parent / "roots"
FORMATS = ["pdf", "html", "docx"]
LANGS = ["en", "es"]
SLUG = "fixture-brief"


def outputs(root: Path) -> dict[str, bytes]:
    """Every file of build/ but the caches and the lock, by path."""
    out = root / "build"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != ".lock"}


def leftovers(folder: Path) -> list[str]:
    """Temporary files (``.<name>.<random>.tmp``) anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.tmp"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``basic`` built in every format and language: the build each case must keep."""
    root = tmp_path_factory.mktemp("hostile") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    build(root, FORMATS, LANGS, None, Reporter(quiet=True))
    return root


# ---------------------------------------------------------------------------
# Faults of the machine, injected
# ---------------------------------------------------------------------------

class DiskFull:
    """``os.write`` or ``os.fsync`` on a disk that fills up at the ``nth`` temporary
    file written under ``folder`` (outputs and manifest, or with ``cache`` the cache),
    and stays full."""

    def __init__(self, real: Callable[..., Any], nth: int, folder: Path,
                 cache: bool = False, code: int = errno.ENOSPC) -> None:
        self.real, self.nth, self.folder = real, nth, str(folder.resolve())
        self.cache, self.code = cache, code
        self.seen: list[str] = []

    def __call__(self, fd: int, *args: Any) -> Any:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if (name.startswith(self.folder) and name.endswith(".tmp")
                and ("/.cache/" in name) == self.cache):
            if name not in self.seen:
                self.seen.append(name)
            if len(self.seen) >= self.nth:
                raise OSError(self.code, os.strerror(self.code))
        return self.real(fd, *args)


def refuse_writes(root: Path, patch: pytest.MonkeyPatch, code: int) -> None:
    """Nothing under build/ may be created or opened for writing (a read-only mount,
    or a folder of another user: as root, chmod alone would not stop the writes)."""
    folder = str((root / "build").resolve())

    def inside(name: Any) -> bool:
        return (isinstance(name, str | os.PathLike)
                and os.path.abspath(os.fspath(name)).startswith(folder))

    def refuse(name: Any) -> None:
        raise OSError(code, os.strerror(code), os.fspath(name))

    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if inside(file) and set(mode) & set("wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if inside(path):
            refuse(path)
        real_mkdir(path, *args, **kwargs)

    patch.setattr(builtins, "open", fake_open)
    patch.setattr(io, "open", fake_open)
    patch.setattr(os, "open", fake_os_open)
    patch.setattr(os, "mkdir", fake_mkdir)


WEASYPRINT_BANNER = ("\n-----\n\nWeasyPrint could not import some external libraries. "
                     "Please carefully follow the installation steps before reporting an "
                     "issue:\nhttps://doc.courtbouillon.org/weasyprint/stable/\n\n-----\n")


class NoPango(importlib.abc.MetaPathFinder):
    """``import weasyprint`` as on a machine without Pango: WeasyPrint prints its
    banner on stdout, then cffi's dlopen raises."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname.split(".")[0] != "weasyprint":
            return None
        print(WEASYPRINT_BANNER)
        raise OSError("cannot load library 'pango-1.0-0': pango-1.0-0: cannot open shared "
                      "object file: No such file or directory.  Additionally, "
                      "ctypes.util.find_library() did not manage to locate a library "
                      "called 'pango-1.0-0'")


def a_tool(root: Path, text: str, mode: int) -> str:
    """A file standing where pandoc should be."""
    path = root / "tools" / "pandoc"
    path.parent.mkdir()
    path.write_text(text)
    path.chmod(mode)
    return str(path)


# ---------------------------------------------------------------------------
# Setups: each changes the copy of the brief or the machine, returns the options
# ---------------------------------------------------------------------------

Setup = Callable[[Path, pytest.MonkeyPatch], list[str]]
AGAIN = ["--to", "html,docx", "--lang", "en", "--force"]  # write two outputs again


def disk_full(hook: str, nth: int, cache: bool = False, code: int = errno.ENOSPC) -> Setup:
    def setup(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
        if cache:  # computed again, so written again
            (root / "build/.cache/en/citeproc.json").unlink()
        patch.setattr(os, hook, DiskFull(getattr(os, hook), nth, root / "build", cache, code))
        return AGAIN
    return setup


def read_only(code: int) -> Setup:
    def setup(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
        refuse_writes(root, patch, code)
        return AGAIN
    return setup


def file_in_the_way(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    (root / "out").mkdir()
    shutil.copytree(root / "build/.cache", root / "out/.cache")
    (root / "out/en").write_text("a file where the folder of the English edition goes")
    return [*AGAIN, "--out", str(root / "out")]


def out_is_a_file(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    (root / "out").write_text("not a folder")
    return [*AGAIN, "--out", str(root / "out")]


def pandoc_at(make: Callable[[Path], str]) -> Setup:
    def setup(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
        path = make(root)
        patch.setattr(runner, "pandoc_path", lambda: path)
        return AGAIN
    return setup


def pandoc_not_found(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    import pypandoc

    def nowhere() -> str:
        raise OSError("No pandoc was found: either install pandoc and add it to your "
                      "PATH or call pypandoc.download_pandoc(...)")

    patch.setattr(pypandoc, "get_pandoc_path", nowhere)
    runner.pandoc_path.cache_clear()  # found again, with the real one, once undone
    return AGAIN


def pango_missing(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
        patch.delitem(sys.modules, name)
    patch.setattr(sys, "meta_path", [NoPango(), *sys.meta_path])
    return ["--to", "pdf", "--lang", "en", "--force"]


def config(old: str, new: str) -> Setup:
    def setup(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
        edit(root / "brief.yml", old, new)
        return ["--to", "html,docx", "--lang", "all"]
    return setup


def raw_in_config(character: str) -> Setup:
    def setup(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
        edit(root / "brief.yml", "Labour Rights", f"Labour{character} Rights")
        return ["--to", "docx", "--lang", "en"]
    return setup


def in_chapter(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    with (root / "chapters/en/02-findings.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\nA bell \x07 rings here.\n")
    return ["--to", "html", "--lang", "en"]


def leaky_docx_helper(root: Path, patch: pytest.MonkeyPatch) -> list[str]:
    """A raw-XML helper that lets a forbidden character through (as ``_paragraph``
    did): the check before writing stops the DOCX."""
    patch.setattr(docx, "_contents_blocks", lambda ctx: [
        {"t": "RawBlock", "c": ["openxml", "<w:p><w:r><w:t>Con\x01tents</w:t></w:r></w:p>"]}])
    return ["--to", "docx", "--lang", "en", "--force"]


def killed_pandoc(root: Path) -> str:
    return a_tool(root, "#!/bin/sh\nkill -9 $$\n", 0o755)


CASES: list[tuple[str, Setup, str]] = [
    # -- the machine: a full disk (at an output, the next, the manifest, the cache)
    ("disk-full-first-output", disk_full("fsync", 1),
     f"error: cannot write build/en/{SLUG}.html: the disk is full; free space and try again"),
    ("disk-full-second-output", disk_full("write", 2),
     f"error: cannot write build/en/{SLUG}.docx: the disk is full"),
    ("disk-full-manifest", disk_full("write", 3),
     "error: cannot write build/manifest.json: the disk is full"),
    ("disk-full-cache", disk_full("write", 1, cache=True),
     "error: build/.cache/en/citeproc.json: the disk is full; free space and try again"),
    ("disk-quota", disk_full("write", 1, code=errno.EDQUOT),
     "the disk quota is used up; free space and try again"),
    ("disk-io-error", disk_full("fsync", 1, code=errno.EIO),
     "the disk reported an input/output error; check the disk"),
    # -- the machine: folders that cannot be written
    ("read-only-build", read_only(errno.EROFS),
     "error: cannot write build/.lock: the file system is read-only; build into a "
     "writable folder "
     "(brief build --out DIR)"),
    ("build-of-another-user", read_only(errno.EACCES),
     "error: cannot write build/.lock: permission denied; make the folder writable"),
    ("build-not-permitted", read_only(errno.EPERM),
     "error: cannot write build/.lock: the operation is not permitted"),
    ("file-in-the-way", file_in_the_way,
     f"error: cannot write out/en/{SLUG}.html: a file is in the way of a folder (out/en); "
     "remove it"),
    ("output-folder-is-a-file", out_is_a_file, "error: the output directory is a file"),
    # -- the machine: pandoc missing or broken, Pango missing
    ("pandoc-missing", pandoc_at(lambda root: "/nonexistent/bin/pandoc"),
     "error: cannot run pandoc (/nonexistent/bin/pandoc): it is missing; reinstall it with: "
     "pip install --force-reinstall pypandoc-binary"),
    ("pandoc-not-found-by-pypandoc", pandoc_not_found,
     "error: pandoc is missing (No pandoc was found"),
    ("pandoc-not-executable", pandoc_at(lambda root: a_tool(root, "pandoc", 0o644)),
     "error: cannot run pandoc (tools/pandoc): Permission denied; reinstall it"),
    ("pandoc-not-a-program", pandoc_at(lambda root: a_tool(root, "not a program", 0o755)),
     "error: cannot run pandoc (tools/pandoc): Exec format error; reinstall it"),
    ("pandoc-killed", pandoc_at(killed_pandoc),
     "error: pandoc was stopped by the signal SIGKILL (out of memory or a time limit?)"),
    ("pango-missing", pango_missing,
     "error: WeasyPrint cannot load a system library it needs for the PDF edition "
     "(cannot load library 'pango-1.0-0'"),
    # -- control characters: refused in brief.yml with a place, never in an output
    ("control-in-title", config("title: Fixture Brief on Labour Rights",
                                'title: "Fixture\\x01 Brief"'),
     "brief.yml:1:1: error: text may not contain U+0001 (a control character): Word "
     "cannot open a document with one; remove it"),
    ("escape-in-organization", config("name: Example Foundation",
                                      'name: "Example \\e[31mFoundation"'),
     "brief.yml:9:3: error: text may not contain U+001B (a control character)"),
    ("delete-in-role", config("role: Research Fellow", 'role: "Research\\x7fFellow"'),
     "brief.yml:7:5: error: text may not contain U+007F (a control character)"),
    ("non-character-in-address", config("1 Example Street", '"1 Example\\uFFFE Street"'),
     "brief.yml:10:13: error: text may not contain U+FFFE (a non-character)"),
    ("vertical-tab-in-translation", config("title: Informe de prueba sobre derechos laborales",
                                           'title: "Informe\\v de prueba"'),
     "brief.yml:16:5: error: text may not contain U+000B (a control character)"),
    ("form-feed-in-url", config("url: https://example.org", 'url: "https://example.org\\f"'),
     "brief.yml:11:3: error: text may not contain U+000C (a control character)"),
    ("raw-control-in-config", raw_in_config("\x01"),
     "brief.yml:1:31: error: the character U+0001 (a control character) is not allowed in "
     "brief.yml; remove it"),
    ("raw-c1-control-in-config", raw_in_config("\x9b"),
     "brief.yml:1:31: error: the character U+009B (a control character) is not allowed"),
    ("escape-in-a-key", config("slug: fixture-brief", 'slug: fixture-brief\n"x\\e[2J": 1'),
     "brief.yml:4:1: error: unknown key 'x\\x1b[2J'"),  # shown, not sent to the terminal
    # found by the checks where it stands, before anything is rendered
    ("control-in-chapter", in_chapter,
     "chapters/en/02-findings.md:18:8: error: the control character U+0007 cannot be "
     "printed in any edition"),
    ("control-in-raw-docx-xml", leaky_docx_helper,
     f"error: build/en/{SLUG}.docx would not open in Word: word/document.xml is not "
     "well-formed XML (not well-formed (invalid token)"),
]


@pytest.mark.parametrize(("setup", "fragment"),
                         [pytest.param(s, f, id=i) for i, s, f in CASES])
def test_hostile_case(previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str], setup: Setup,
                      fragment: str) -> None:
    root = tmp_path / "basic"
    shutil.copytree(previous, root)
    before = outputs(root)
    options = setup(root, monkeypatch)
    capsys.readouterr()

    code = main(["build", "--project", str(root), "--quiet", *options])

    out, err = capsys.readouterr()
    monkeypatch.undo()
    said = [line for line in err.splitlines() if line.strip() and ": warning: " not in line]
    assert code == 1, err
    assert len(said) == 1, err
    assert fragment in said[0], err
    assert "Traceback" not in err and "please report" not in err, err
    assert not [c for c in said[0] if ord(c) < 32 or 0x7F <= ord(c) <= 0x9F], said[0]
    assert out == ""  # stdout lists outputs, and nothing was built
    assert outputs(root) == before
    assert leftovers(root) == []


def test_the_cases_cover_every_class() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))
    for word in ("disk", "read-only", "pandoc", "pango", "control", "raw"):
        assert any(word in i for i in ids), word


# ---------------------------------------------------------------------------
# One build, one transaction
# ---------------------------------------------------------------------------

WRITTEN = [f"{lang}/{SLUG}.{ext}" for lang in LANGS for ext in FORMATS] + ["manifest.json"]


def staged_as(temporary: str, root: Path) -> str:
    """The target of a temporary file (``.<name>.<random>.tmp``), from build/."""
    path = Path(temporary)
    name = path.name[1:].rsplit(".", 2)[0]
    return str(path.parent.relative_to((root / "build").resolve()) / name)


def test_a_full_disk_during_a_build_changes_nothing(
        make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project()
    build(root, FORMATS, LANGS, None, Reporter(quiet=True))
    before = outputs(root)
    assert sorted(before) == sorted(WRITTEN)
    edit(root / "brief.yml", "date: 2024-03", "date: 2024-05")  # every output changes

    for hook, nth in (("write", 1), ("fsync", 4), ("write", 7)):
        with monkeypatch.context() as patch:
            full = DiskFull(getattr(os, hook), nth, root / "build")
            patch.setattr(os, hook, full)
            with pytest.raises(EnvironmentFault) as caught:
                build(root, FORMATS, LANGS, None, Reporter(quiet=True))
        # the files are written (staged) in this order, the manifest last
        assert [staged_as(n, root) for n in full.seen] == WRITTEN[:nth]
        line = caught.value.format(root)
        assert line == (f"error: cannot write build/{WRITTEN[nth - 1]}: the disk is full; "
                        "free space and try again")
        assert outputs(root) == before, (hook, nth)  # byte-identical, manifest included
        assert leftovers(root) == [], (hook, nth)

    # with room on the disk, the same build writes everything, then the manifest
    build(root, FORMATS, LANGS, None, Reporter(quiet=True))
    after = outputs(root)
    assert sorted(after) == sorted(WRITTEN)
    assert all(after[name] != before[name] for name in WRITTEN)
    recorded = json.loads(after["manifest.json"])["outputs"]
    assert {name: entry["sha256"] for name, entry in recorded.items()} == {
        name: hashlib.sha256(after[name]).hexdigest() for name in WRITTEN[:-1]}
    assert leftovers(root) == []


# ---------------------------------------------------------------------------
# The writer and the raw-XML helpers, directly
# ---------------------------------------------------------------------------

def three_files(tmp_path: Path) -> list[tuple[Path, bytes]]:
    """Two targets with a previous version and one new (in a folder not yet made)."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en/a.pdf").write_bytes(b"old a")
    (tmp_path / "manifest.json").write_bytes(b"old manifest")
    return [(tmp_path / "en/a.pdf", b"new a"), (tmp_path / "es/b.pdf", b"new b"),
            (tmp_path / "manifest.json", b"new manifest")]


def state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("nth", [1, 2, 3])
@pytest.mark.parametrize("hook", ["write", "fsync", "replace"])
def test_write_all_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     hook: str, nth: int) -> None:
    """A fault at the nth file, while writing (phase 1) or renaming (phase 2, where the
    files already renamed are put back), leaves every file as it was."""
    files = three_files(tmp_path)
    before = state(tmp_path)
    if hook == "replace":
        calls: list[str] = []
        real = os.replace

        def replace(src: Any, dst: Any) -> None:
            if str(src).endswith(".tmp") and not str(src).endswith(".old.tmp"):
                calls.append(str(dst))
                if len(calls) == nth:
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
            real(src, dst)

        monkeypatch.setattr(os, "replace", replace)
    else:
        monkeypatch.setattr(os, hook, DiskFull(getattr(os, hook), nth, tmp_path))
    with pytest.raises(EnvironmentFault) as caught:
        write_all(files)
    monkeypatch.undo()
    assert str(files[nth - 1][0]) in caught.value.message
    assert "\n" not in caught.value.format(tmp_path)
    after = state(tmp_path)
    assert after == before
    assert leftovers(tmp_path) == []


def test_write_all_writes_every_file(tmp_path: Path) -> None:
    files = three_files(tmp_path)
    write_all(files)
    assert state(tmp_path) == {"en/a.pdf": b"new a", "es/b.pdf": b"new b",
                               "manifest.json": b"new manifest"}
    assert all(p.stat().st_mode & 0o777 == 0o644 for p, _ in files)


def test_raw_xml_helpers_drop_what_xml_forbids() -> None:
    ctx = SimpleNamespace(messages=lambda key: f"{key}\x01\x0b\x7f\ufffe <&> \"quoted\"\t")
    xml = docx._paragraph("Example\x00 Foundation\x1b[31m & <Co>", "Author")
    xml += docx._contents_blocks(ctx)[0]["c"][1]  # type: ignore[arg-type]
    wrapped = f'<w:body xmlns:w="{docx.W}">{xml}</w:body>'.encode()
    texts = [t.text for t in ET.fromstring(wrapped).iter(f"{{{docx.W}}}t")]
    assert texts == ["Example Foundation[31m & <Co>", "contents <&> \"quoted\"\t",
                     "contents_update <&> \"quoted\"\t"]


def broken_docx(part: str, text: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr("word/document.xml", b"<document/>")
        package.writestr(part, text)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "fragment"), [
    ("x.docx", broken_docx("word/footnotes.xml", b"<footnotes>\x01</footnotes>"),
     "x.docx would not open in Word: word/footnotes.xml is not well-formed XML"),
    ("x.docx", broken_docx("docProps/core.xml", b"<core>&#1;</core>"),
     "docProps/core.xml is not well-formed XML (reference to invalid character number"),
    ("x.docx", b"PK not a zip", "x.docx would not be a Word document (a broken ZIP"),
    ("x.html", b"<p>form\x0cfeed</p>", "x.html would contain the control character U+000C"),
    ("x.html", b"<p>\xff</p>", "x.html would not be UTF-8 text"),
])
def test_an_output_no_reader_can_open_is_refused(name: str, data: bytes,
                                                 fragment: str) -> None:
    with pytest.raises(RenderError) as caught:
        verify_output(Path(name), data, name)
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message


def test_what_the_build_writes_passes_its_check(previous: Path) -> None:
    for name, data in outputs(previous).items():
        verify_output(Path(name), data, name)
        if name.endswith(".html"):
            assert not writer.FORBIDDEN_IN_MARKUP.search(data.decode("utf-8"))


def test_tab_newline_and_carriage_return_are_text(make_project: Callable[..., Path]) -> None:
    root = make_project()
    edit(root / "brief.yml", "subtitle: Report", 'subtitle: "Report\\tone\\r\\ntwo"')
    assert load_config(root).subtitle == "Report\tone\r\ntwo"


def test_stdout_lists_only_the_outputs(previous: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """What a library prints while building never reaches stdout."""
    root = tmp_path / "basic"
    shutil.copytree(previous, root)
    real = docx.DocxBuilder.build

    def chatty(self: docx.DocxBuilder, ctx: Any) -> Any:
        print("WeasyPrint could not import some external libraries.")
        return real(self, ctx)

    monkeypatch.setattr(docx.DocxBuilder, "build", chatty)
    monkeypatch.setattr(log, "default_quiet", lambda: False)
    for quiet in (["--quiet"], []):
        assert main(["build", "--project", str(root), "--to", "docx", "--force",
                     *quiet]) == 0
        out, err = capsys.readouterr()
        assert out.splitlines() == [str((root / f"build/en/{SLUG}.docx").resolve())]
        assert ("WeasyPrint could not import" in err) == (not quiet)  # --quiet: nowhere
