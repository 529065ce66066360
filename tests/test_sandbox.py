"""The print edition's URL fetcher is the security boundary between a brief's files
(which come with its pull requests) and the machine that builds it: WeasyPrint may
read the project's and the theme's files and small ``data:`` URLs, nothing else.

Tested directly (each refusal is recorded and raised) and end to end (a template
override that asks for a file outside the project fails the build with one line, and
writes no PDF)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policybrief.builders import weasy
from policybrief.cli import main
from policybrief.theme import load_theme

ROOTS = Path(__file__).parent / "roots"
BUNDLED = Path(weasy.__file__).parent.parent / "themes/default"
TEMPLATE = BUNDLED / "templates/print.html.j2"


# ---------------------------------------------------------------------------
# The fetcher on its own
# ---------------------------------------------------------------------------

@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """A project and a theme folder (the allowed roots), and files beside them."""
    project = tmp_path / "project"
    theme = tmp_path / "theme"
    sibling = tmp_path / "project-private"  # shares the project's name as a prefix
    outside = tmp_path / "outside"
    for folder in (project / "css", theme / "fonts", sibling, outside):
        folder.mkdir(parents=True)
    (project / "css/print.css").write_text("body { color: black }")
    (project / "notes.txt").write_text("inside")
    (theme / "fonts/serif.ttf").write_bytes(b"\x00\x01font")
    (sibling / "secret.txt").write_text("SIBLING SECRET")
    (outside / "secret.txt").write_text("OUTSIDE SECRET")
    (project / "alias.css").symlink_to(project / "css/print.css")  # stays inside
    (project / "leak.css").symlink_to(outside / "secret.txt")  # points outside
    (project / "leaky-dir").symlink_to(outside, target_is_directory=True)
    return {"project": project, "theme": theme, "sibling": sibling, "outside": outside}


def fetcher(places: dict[str, Path], fallback=None):  # type: ignore[no-untyped-def]
    return weasy.fetcher_class()([places["project"], places["theme"]], fallback)


def read(response) -> bytes:  # type: ignore[no-untyped-def]
    try:
        data: bytes = response.read()
        return data
    finally:
        response.close()


def test_files_under_the_roots_are_served(places) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    project, theme = places["project"], places["theme"]
    assert read(sandbox.fetch((project / "css/print.css").as_uri())) == b"body { color: black }"
    assert read(sandbox.fetch((theme / "fonts/serif.ttf").as_uri())) == b"\x00\x01font"
    # '..' that stays inside, a symlink that stays inside, an escaped name
    assert read(sandbox.fetch(f"file://{project}/css/../notes.txt")) == b"inside"
    assert read(sandbox.fetch((project / "alias.css").as_uri())) == b"body { color: black }"
    assert read(sandbox.fetch(f"file://{project}/n%6Ftes.txt")) == b"inside"
    assert sandbox.refused == []


def test_small_data_urls_are_served(places) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    assert read(sandbox.fetch("data:text/plain;base64,aGVsbG8=")) == b"hello"
    at_limit = "data:," + "a" * (weasy.DATA_URL_LIMIT - len("data:,"))
    assert len(at_limit) == weasy.DATA_URL_LIMIT
    assert len(read(sandbox.fetch(at_limit))) == weasy.DATA_URL_LIMIT - len("data:,")
    assert sandbox.refused == []


def test_an_oversized_data_url_is_refused(places) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    too_big = "data:," + "a" * (weasy.DATA_URL_LIMIT - len("data:,") + 1)
    with pytest.raises(ValueError, match="too large"):
        sandbox.fetch(too_big)
    assert sandbox.refused == ["data: URL over 5 MB"]  # said briefly, not the whole URL


REFUSED = {
    "http": lambda p: "http://example.org/track.css",
    "https": lambda p: "https://example.org/font.woff2",
    "ftp": lambda p: "ftp://example.org/secret.txt",
    "no-scheme-known": lambda p: "gopher://example.org/1",
    "javascript": lambda p: "javascript:alert(1)",
    "etc-passwd": lambda p: "file:///etc/passwd",
    "outside-file": lambda p: (p["outside"] / "secret.txt").as_uri(),
    "dot-dot": lambda p: f"file://{p['project']}/../outside/secret.txt",
    "dot-dot-escaped": lambda p: f"file://{p['project']}/%2e%2e/outside/secret.txt",
    "dot-dot-deep": lambda p: f"file://{p['project']}/css/../../../../../../etc/passwd",
    "name-prefix": lambda p: (p["sibling"] / "secret.txt").as_uri(),
    "symlink-to-outside": lambda p: (p["project"] / "leak.css").as_uri(),
    "symlinked-folder": lambda p: (p["project"] / "leaky-dir/secret.txt").as_uri(),
}
# In the project, but nothing to read: refused too, and said to be missing.
MISSING = {
    "a-folder": lambda p: p["project"].as_uri() + "/",
    "missing-file": lambda p: (p["project"] / "nothing-here.css").as_uri(),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_everything_else_is_refused_and_recorded(places, case: str) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    url = REFUSED[case](places)
    with pytest.raises(ValueError, match="outside the project refused"):
        sandbox.fetch(url)
    assert sandbox.refused == [url]


@pytest.mark.parametrize("case", list(MISSING))
def test_what_is_not_a_file_in_the_project_is_refused_as_missing(places, case: str) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    url = MISSING[case](places)
    with pytest.raises(ValueError, match="resource not found"):
        sandbox.fetch(url)
    assert sandbox.refused == [f"{url} (no such file)"]


def test_refusals_accumulate_and_do_not_stop_later_fetches(places) -> None:  # type: ignore[no-untyped-def]
    sandbox = fetcher(places)
    for url in ("file:///etc/passwd", "https://example.org/x.css"):
        with pytest.raises(ValueError):
            sandbox.fetch(url)
    assert read(sandbox.fetch((places["project"] / "notes.txt").as_uri())) == b"inside"
    assert sandbox.refused == ["file:///etc/passwd", "https://example.org/x.css"]


def test_fallback_finds_a_file_in_the_theme_below(places) -> None:  # type: ignore[no-untyped-def]
    """An overriding stylesheet's ``url(../fonts/serif.ttf)`` is found in the theme it
    extends; a file no layer has is refused."""
    asked: list[Path] = []

    def fallback(path: Path) -> Path | None:
        asked.append(path)
        candidate = places["theme"] / path.relative_to(places["project"])
        return candidate if candidate.is_file() else None

    sandbox = fetcher(places, fallback)
    url = (places["project"] / "fonts/serif.ttf").as_uri()
    assert read(sandbox.fetch(url)) == b"\x00\x01font"
    missing = (places["project"] / "fonts/none.ttf").as_uri()
    with pytest.raises(ValueError):
        sandbox.fetch(missing)
    assert sandbox.refused == [f"{missing} (no such file)"]
    assert set(asked) == {places["project"] / "fonts/serif.ttf",
                          places["project"] / "fonts/none.ttf"}
    # the fallback is asked only for paths under the roots
    with pytest.raises(ValueError):
        sandbox.fetch((places["outside"] / "nothing.ttf").as_uri())
    assert places["outside"] / "nothing.ttf" not in asked


def test_fallback_cannot_lead_outside_the_roots(tmp_path: Path) -> None:
    """The theme's fallback must not open a way around the symlink check.

    A URL under the bundled theme's folder that names a file the bundled theme lacks
    is looked up through every layer of the theme, the project's ``templates/`` first
    (``Theme.fallback`` -> ``Theme.find``); the path found there is read as it is. A
    project file ``templates/leak.txt`` that links to a file outside the project is
    refused when asked for directly, and must be refused through the fallback too."""
    project = tmp_path / "brief"
    shutil.copytree(ROOTS / "basic", project)
    secret = tmp_path / "secret.txt"
    secret.write_text("OUTSIDE SECRET")
    (project / "templates").mkdir()
    (project / "templates/leak.txt").symlink_to(secret)
    theme = load_theme("default", project)
    sandbox = weasy.fetcher_class()([project, *theme.folders], theme.fallback)
    with pytest.raises(ValueError):  # directly: refused
        sandbox.fetch((project / "templates/leak.txt").as_uri())
    bundled = theme.folders[-1]
    assert not (bundled / "templates/leak.txt").exists()
    url = (bundled / "templates/leak.txt").as_uri()
    try:
        served = read(sandbox.fetch(url))
    except ValueError:
        served = b""
    assert b"OUTSIDE SECRET" not in served, "the fallback served a file outside the roots"
    assert len(sandbox.refused) == 2


# ---------------------------------------------------------------------------
# End to end: `brief build --to pdf` with a template override
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``basic`` with its English PDF built (the fonts, stylesheet and charts it loads
    all pass the sandbox)."""
    root = tmp_path_factory.mktemp("sandbox") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    assert main(["build", "--project", str(root), "--to", "pdf", "--quiet"]) == 0
    assert (root / "build/en/fixture-brief.pdf").is_file()
    return root


def override(root: Path, head: str = "", body: str = "") -> None:
    """A project template ``templates/print.html.j2``: the default one, plus ``head``
    before ``</head>`` and ``body`` after ``<body>``."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "</head>" in text and "<body>" in text
    text = text.replace("</head>", head + "\n</head>", 1).replace("<body>", "<body>\n" + body, 1)
    (root / "templates").mkdir(exist_ok=True)
    with (root / "brief.yml").open("a") as config:  # the templates are trusted
        config.write("templates_code: true\n")
    (root / "templates/print.html.j2").write_text(text, encoding="utf-8")


def temporary_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def assert_refused_in_one_line(err: str, url_part: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "outside the project" in lines[0]
    assert url_part in lines[0]
    assert "Traceback" not in err


# Each case: what the override adds (head, body), a part of the refused URL in the
# error, and the files to make outside or inside the project.
INJECTIONS = {
    "stylesheet-etc-hostname": ('<link rel="stylesheet" href="file:///etc/hostname">', "",
                                "file:///etc/hostname"),
    "image-etc-passwd": ("", '<img src="file:///etc/passwd" alt="">', "file:///etc/passwd"),
    "attachment-etc-passwd": ('<link rel="attachment" href="file:///etc/passwd">', "",
                              "file:///etc/passwd"),
    "relative-dot-dot": ("", '<img src="../outside/secret.png" alt="">', "/outside/secret.png"),
    "symlink-in-project": ('<link rel="stylesheet" href="leak.css">', "", "/leak.css"),
    "remote-stylesheet": ('<link rel="stylesheet" href="https://example.org/track.css">', "",
                          "https://example.org/track.css"),
    # templates/leak.css links outside; asked for under the bundled theme's folder
    # (which lacks it), the theme's fallback finds it in the project's templates/
    "symlink-through-theme-fallback": (
        f'<link rel="stylesheet" href="{(BUNDLED / "templates/leak.css").as_uri()}">', "",
        "/templates/leak.css"),
}


@pytest.mark.parametrize("case", list(INJECTIONS))
def test_override_reaching_outside_fails_and_keeps_the_good_pdf(  # type: ignore[no-untyped-def]
        good_build: Path, tmp_path: Path, capsys, case: str) -> None:
    root = tmp_path / "basic"
    shutil.copytree(good_build, root, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_text("OUTSIDE SECRET")
    (outside / "leak.css").write_text('.cover-title::after { content: "OUTSIDE SECRET" }')
    pdf = root / "build/en/fixture-brief.pdf"
    before = pdf.read_bytes()
    manifest = (root / "build/manifest.json").read_bytes()
    head, body, url_part = INJECTIONS[case]
    override(root, head, body)
    (root / "leak.css").symlink_to(outside / "leak.css")
    (root / "templates/leak.css").symlink_to(outside / "leak.css")
    capsys.readouterr()

    code = main(["build", "--project", str(root), "--to", "pdf", "--quiet"])

    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert_refused_in_one_line(captured.err, url_part)
    assert captured.out == ""
    assert pdf.read_bytes() == before
    assert (root / "build/manifest.json").read_bytes() == manifest
    assert temporary_files(root / "build") == []


def test_override_reaching_outside_writes_no_pdf(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "basic"
    shutil.copytree(ROOTS / "basic", root)
    override(root, body='<img src="file:///etc/passwd" alt="">')

    code = main(["build", "--project", str(root), "--to", "pdf", "--quiet"])

    captured = capsys.readouterr()
    assert code == 1
    assert_refused_in_one_line(captured.err, "file:///etc/passwd")
    assert not (root / "build/en/fixture-brief.pdf").exists()
    assert not (root / "build/manifest.json").exists()
    assert temporary_files(root) == []


def test_no_file_outside_the_project_reaches_the_pdf(good_build: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                     capsys) -> None:
    """What the fallback hole costs: a PR that adds ``templates/leak.txt`` (a link to a
    file outside the project) and a template asking for it as a PDF attachment under
    the bundled theme's folder gets that file embedded in the published PDF. Whatever
    the build's exit status, the outside file must not be in the PDF."""
    from pypdf import PdfReader

    root = tmp_path / "basic"
    shutil.copytree(good_build, root, symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("OUTSIDE SECRET\n")
    url = (BUNDLED / "templates/leak.txt").as_uri()
    override(root, head=f'<link rel="attachment" href="{url}">')
    (root / "templates/leak.txt").symlink_to(secret)

    code = main(["build", "--project", str(root), "--to", "pdf", "--quiet"])

    capsys.readouterr()
    pdf = root / "build/en/fixture-brief.pdf"
    attachments = dict(PdfReader(pdf).attachments)
    assert all(b"OUTSIDE SECRET" not in data for files in attachments.values()
               for data in files), f"exit {code}; attachments: {list(attachments)}"
    assert b"OUTSIDE SECRET" not in pdf.read_bytes()
