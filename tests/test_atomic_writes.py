"""A failed write or a failed build leaves no temporary file behind and the previous
outputs as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policybrief import writer
from policybrief.cli import main
from policybrief.writer import write_atomic

ROOTS = Path(__file__).parent / "roots"


def leftovers(folder: Path) -> list[str]:
    """Temporary files (``.<name>.<random>.tmp``) anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.endswith(".tmp"))


def test_write_atomic_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "deep/er/edition.pdf"  # folders are made
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_mode & 0o777 == 0o644
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["edition.pdf"]


def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("where", ["os.replace", "os.fsync", "os.chmod"])
@pytest.mark.parametrize("durable", [True, False])
def test_a_failed_write_leaves_no_temporary_file_and_the_old_file(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch, where: str, durable: bool) -> None:
    target = tmp_path / "edition.html"
    target.write_bytes(b"previous edition")
    monkeypatch.setattr(writer.os, where.split(".")[1], fail)
    expect_failure = durable or where != "os.fsync"  # a cache write does not fsync
    if expect_failure:
        with pytest.raises(OSError, match="No space left"):
            write_atomic(target, b"new edition", durable=durable)
        assert target.read_bytes() == b"previous edition"
    else:
        write_atomic(target, b"new edition", durable=durable)
        assert target.read_bytes() == b"new edition"
    assert leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C (a BaseException, not an Exception) in the middle of a write."""
    target = tmp_path / "edition.docx"
    target.write_bytes(b"previous")

    def interrupt(*_args):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_data_that_cannot_be_written_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "edition.pdf"
    target.write_bytes(b"previous")
    with pytest.raises(TypeError):
        write_atomic(target, "text, not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_a_folder_in_the_way_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A real failure, not a patched one: the target is a non-empty folder."""
    target = tmp_path / "edition.pdf"
    target.mkdir()
    (target / "keep.txt").write_text("kept")
    with pytest.raises(OSError):
        write_atomic(target, b"data")
    assert (target / "keep.txt").read_text() == "kept"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edition.pdf"]


# ---------------------------------------------------------------------------
# A build whose rendering fails
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``basic`` with its English PDF and HTML built."""
    root = tmp_path_factory.mktemp("atomic") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    assert main(["build", "--project", str(root), "--to", "pdf,html", "--quiet"]) == 0
    return root


def outputs(root: Path) -> dict[str, bytes]:
    """Every file of build/ but the figure cache and the lock, by path."""
    build = root / "build"
    return {str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != ".lock"}


THEME = Path(writer.__file__).parent / "themes/default/templates"

# Each case: the template overridden, a change to it, and what the error says.
BROKEN = {
    "syntax-error": ("print.html.j2", "<body>", "<body>\n{% if %}",
                     "templates/print.html.j2:{line}: error: template syntax error"),
    "unclosed-block": ("web.html.j2", "</body>", "{% for x in toc %}\n</body>",
                       "templates/web.html.j2:"),
    "undefined-variable": ("print.html.j2", "<body>", "<body>\n{{ no_such_variable.title }}",
                           "'no_such_variable' is undefined"),
    "undefined-in-web": ("web.html.j2", "</body>", "{{ no_such_variable }}\n</body>",
                         "'no_such_variable' is undefined"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_failed_render_keeps_the_previous_outputs(good_build: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    capsys, case: str) -> None:
    root = tmp_path / "basic"
    shutil.copytree(good_build, root)
    before = outputs(root)
    assert {"en/fixture-brief.pdf", "en/fixture-brief.html", "manifest.json"} <= set(before)
    name, old, new, message = BROKEN[case]
    text = (THEME / name).read_text(encoding="utf-8")
    assert old in text
    (root / "templates").mkdir()
    with (root / "brief.yml").open("a") as config:  # the templates are trusted
        config.write("templates_code: true\n")
    (root / "templates" / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    message = message.format(line=text[:text.index(old)].count("\n") + 2)  # the added line
    capsys.readouterr()

    code = main(["build", "--project", str(root), "--to", "pdf,html", "--quiet"])

    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
    assert outputs(root) == before  # byte-identical, manifest included
    assert leftovers(root) == []


def test_a_failed_render_of_one_language_writes_no_language(  # type: ignore[no-untyped-def]
        tmp_path: Path, capsys) -> None:
    """Two editions rendered side by side (in worker processes): when the Spanish one
    fails, the English one is not written either, and nothing is left half-done."""
    root = tmp_path / "basic"
    shutil.copytree(ROOTS / "basic", root)
    (root / "templates").mkdir()
    with (root / "brief.yml").open("a") as config:  # the templates are trusted
        config.write("templates_code: true\n")
    text = (THEME / "web.html.j2").read_text(encoding="utf-8")
    (root / "templates/web.html.j2").write_text(text.replace(
        "</body>", "{% if lang == 'es' %}{{ no_such_variable }}{% endif %}\n</body>", 1))

    code = main(["build", "--project", str(root), "--to", "html", "--lang", "all", "--quiet"])

    assert code == 1
    assert "'no_such_variable' is undefined" in capsys.readouterr().err
    build = root / "build"
    assert not (build / "en/fixture-brief.html").exists()
    assert not (build / "es/fixture-brief.html").exists()
    assert not (build / "manifest.json").exists()
    assert leftovers(root) == []
