"""Themes: the bundled default, a project folder that extends it, and a theme
installed as a package; each file checked when the theme is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest
from tests.test_architecture import install_plugin, run_brief

from policybrief.cli import main
from policybrief.errors import ConfigError
from policybrief.log import Reporter
from policybrief.pipeline import build, check_only
from policybrief.project import load_project
from policybrief.theme import load_theme

DEFAULT = Path(__file__).parent.parent / "src" / "policybrief" / "themes" / "default"
MARKER = '<meta name="x-house" content="{}">'


def set_option(root: Path, key: str, value: str) -> None:
    config = root / "brief.yml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith(f"{key}:")]
    config.write_text("\n".join([*lines, f"{key}: {value}"]) + "\n")


def web_template_with(marker: str) -> str:
    text = (DEFAULT / "templates" / "web.html.j2").read_text()
    return text.replace("<head>", "<head>\n" + marker, 1)


def pdf_fonts(path: Path) -> set[str]:
    fonts = set()
    for page in pypdf.PdfReader(path).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def test_a_project_theme_folder_overrides_single_files(make_project) -> None:
    root = make_project("basic", only="en")
    theme = root / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "css").mkdir()
    (theme / "theme.yml").write_text("extends: default\n")
    (theme / "templates" / "web.html.j2").write_text(web_template_with(MARKER.format("folder")))
    # the stylesheet says where the default's fonts are relative to itself: they are
    # found in the theme it extends
    css = (DEFAULT / "css" / "print.css").read_text()
    (theme / "css" / "print.css").write_text(
        css + '\n@page { @bottom-left { content: "ACME HOUSE STYLE"; } }\n'
        '@font-face { font-family: "House Serif"; src: url(../fonts/NotoSerif-Bold.ttf); }\n'
        'h1 { font-family: "House Serif"; }\n')
    set_option(root, "theme", "./theme")
    with pytest.raises(ConfigError, match="set 'templates_code: true'") as refused:
        load_project(root)  # the project's own templates are code: allowed when said so
    assert refused.value.location is not None and refused.value.location.line > 1
    set_option(root, "templates_code", "true")
    build(root, ["pdf", "html"], ["en"], None, Reporter(quiet=True))
    html = (root / "build" / "en" / "fixture-brief.html").read_text()
    assert MARKER.format("folder") in html
    assert "skip-link" in html  # the rest of the template is the default's
    pdf = root / "build" / "en" / "fixture-brief.pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "ACME HOUSE STYLE" in text
    fonts = pdf_fonts(pdf)  # the theme's own font, found where the default keeps them
    assert any(f.startswith("House-Serif") for f in fonts), fonts
    assert any(f.startswith("PB-Serif-Latn") for f in fonts), fonts  # and the build's
    # a change to the theme folder makes the outputs stale
    before = (root / "build" / "en" / "fixture-brief.html").stat().st_mtime_ns
    (theme / "templates" / "web.html.j2").write_text(web_template_with(MARKER.format("v2")))
    build(root, ["html"], ["en"], None, Reporter(quiet=True))
    after = root / "build" / "en" / "fixture-brief.html"
    assert after.stat().st_mtime_ns != before and MARKER.format("v2") in after.read_text()


def test_an_installed_theme_package_builds(make_project, tmp_path: Path) -> None:
    root = make_project("basic", only="en")
    site = tmp_path / "site"
    install_plugin(site, "acme_theme", {
        "__init__.py": '"""ACME\'s house style for policybrief."""\n',
        "theme.yml": "name: acme\nextends: default\n",
        "templates/web.html.j2": web_template_with(MARKER.format("package")),
        "locales/en.yml": "notes: Endnotes\n",
    }, {"policybrief.themes": {"acme": "acme_theme"}})
    set_option(root, "theme", "acme")
    proc = run_brief(["build", "--to", "html", "--quiet"], site, root)
    assert proc.returncode == 0, proc.stderr
    html = (root / "build" / "en" / "fixture-brief.html").read_text()
    assert MARKER.format("package") in html
    assert '<h2 class="notes-heading">Endnotes</h2>' in html  # one string overridden
    checked = run_brief(["check"], site, root)
    assert checked.returncode == 0, checked.stderr


def test_unknown_theme_is_a_located_error(make_project) -> None:
    root = make_project("basic", only="en")
    set_option(root, "theme", "acme")
    with pytest.raises(ConfigError) as error:
        load_project(root)
    assert error.value.location is not None and error.value.location.line > 1
    assert "unknown theme 'acme'" in error.value.message and "default" in error.value.message


def test_a_complete_theme_lacking_files_is_refused(make_project, capsys) -> None:
    root = make_project("basic", only="en")
    shutil.copytree(DEFAULT, root / "bare")
    (root / "bare" / "csl" / "house.csl").unlink()
    (root / "bare" / "css" / "web.css").unlink()
    set_option(root, "theme", "./bare")
    set_option(root, "templates_code", "true")
    assert main(["check", "--project", str(root)]) == 1
    err = capsys.readouterr().err
    assert "brief.yml:" in err and "lacks csl/house.csl" in err
    (root / "bare" / "csl" / "house.csl").write_text(
        (DEFAULT / "csl" / "house.csl").read_text())
    _project, found = check_only(root)
    assert [d.message for d in found if d.is_error] == [
        "theme './bare' lacks css/web.css (needed by the html format)"]


def test_a_theme_may_not_extend_itself_or_leave_the_project(make_project) -> None:
    root = make_project("basic", only="en")
    (root / "loop").mkdir()
    (root / "loop" / "theme.yml").write_text("extends: ./\n")
    with pytest.raises(ConfigError, match="extends itself"):
        load_theme("./loop", root)
    with pytest.raises(ConfigError, match="outside the project"):
        load_theme("../..", root)


def test_house_style_is_the_default_and_check_resolves_the_style(make_project) -> None:
    root = make_project("basic", only="en")
    config = root / "brief.yml"
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith("style:")) + "\n")
    project = load_project(root)
    assert project.citation_style == DEFAULT / "csl" / "house.csl"
    set_option(root, "style", "no-such-style")
    with pytest.raises(ConfigError, match="unknown citation style 'no-such-style'") as error:
        check_only(root)
    assert error.value.location is not None and error.value.location.line > 1
