"""Figures are drawn from data: change the data, the chart changes; bad data is located."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import html

from policybrief.errors import BriefError
from policybrief.figures.render import render_figure
from policybrief.figures.spec import load_figures
from policybrief.figures.style import load_style
from policybrief.pipeline import check_only
from policybrief.theme import load_theme

REPO = Path(__file__).parent.parent
STYLE = load_style(load_theme("default", Path(__file__).parent / "roots" / "basic"))


def draw(root: Path, figure_id: str, lang: str, cache: Path):  # type: ignore[no-untyped-def]
    figures = load_figures(root, ["en", "es"])
    return render_figure(figures[figure_id], STYLE, lang, cache)


def test_changing_a_value_changes_the_svg_and_only_that_figure(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    cache = tmp_path / "cache"
    before = draw(root, "workers", "en", cache)
    other = draw(root, "wages", "en", cache)
    assert b"31,243" in before.svg.read_bytes()
    csv = root / "figures/workers/data.csv"
    csv.write_text(csv.read_text().replace("31243", "41243"))
    after = draw(root, "workers", "en", cache)
    other_again = draw(root, "wages", "en", cache)
    assert after.redrawn and after.svg != before.svg
    assert b"41,243" in after.svg.read_bytes() and b"31,243" not in after.svg.read_bytes()
    assert not other_again.redrawn and other_again.svg == other.svg


def test_figures_are_deterministic_and_localised(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    first = draw(root, "workers", "en", tmp_path / "a")
    second = draw(root, "workers", "en", tmp_path / "b")
    assert first.svg.read_bytes() == second.svg.read_bytes()
    assert first.png.read_bytes() == second.png.read_bytes()
    spanish = draw(root, "workers", "es", tmp_path / "a").svg.read_bytes()
    assert b"31.243" in spanish and b"31,243" not in spanish
    wages_es = draw(root, "wages", "es", tmp_path / "a").svg.read_bytes().decode()
    assert "25.000" in wages_es and "US$" in wages_es
    wages_en = draw(root, "wages", "en", tmp_path / "a").svg.read_bytes().decode()
    assert "$25,000" in wages_en


def test_html_carries_alt_text_caption_source_and_reference(built_basic: Path) -> None:
    root = html.parse(str(built_basic / "en" / "fixture-brief.html")).getroot()
    figures = root.xpath('//figure[contains(@class, "chart-figure")]')
    assert [f.get("id") for f in figures] == ["fig:workers", "fig:wages"]
    img = figures[0].xpath(".//img")[0]
    assert img.get("alt").startswith("Bar chart: 6,190 workers")
    assert img.get("src").startswith("data:image/svg+xml;base64,")
    caption = figures[0].xpath("string(.//figcaption)")
    assert caption.startswith("Figure 1: Workers abroad.")
    assert "Source: Smith, Jane and Research Collective" in caption and "page 7" in caption
    ref = root.xpath('//a[@href="#fig:workers"]')
    assert ref and ref[0].text == "Figure 1"
    spanish = html.parse(str(built_basic / "es" / "fixture-brief.html")).getroot()
    assert spanish.xpath('string(//a[@href="#fig:workers"])') == "Figura 1"
    assert "Fuente:" in spanish.xpath('string(//figure[@id="fig:workers"]//figcaption)')


def test_pdf_and_docx_show_the_figures(built_basic: Path) -> None:
    import zipfile

    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(
        built_basic / "en" / "fixture-brief.pdf").pages)
    assert "Figure 2: Monthly payment per worker." in text
    with zipfile.ZipFile(built_basic / "en" / "fixture-brief.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        document = docx.read("word/document.xml").decode()
    assert len(media) == 2
    assert 'descr="Namibia pays $3,000 and Saudi Arabia $25,000 a month."' in document


FIGURE_ERRORS = [
    ("figures/workers/data.csv", "2005,31243", "2005,31x43",
     "figures/workers/data.csv:3:2:", "column 'workers' is numeric but has '31x43'"),
    ("figures/workers/data.csv", "2005,31243", "2005,31243,9",
     "figures/workers/data.csv:3:1:", "row has 3 cells but the header has 2"),
    ("figures/workers/figure.yml", "y: [workers]", "y: [worker_count]",
     "figures/workers/figure.yml:", "names column 'worker_count'"),
    ("figures/workers/figure.yml", "alt: {en:", "alt_text: {en:",
     "figures/workers/figure.yml:", "unknown key 'alt_text'"),
    ("figures/workers/figure.yml", "  - key: smith-2015", "  - key: smith-2016",
     "figures/workers/figure.yml:8:", "figure source 'smith-2016' is not in the bibliography"),
    ("chapters/en/02-findings.md", "![](figure:wages)", "![](figure:wage)",
     "chapters/en/02-findings.md:14:1:", "figure 'wage' is placed here but figures/wage/"),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "message"), FIGURE_ERRORS)
def test_figure_errors_are_located(make_project, file, old, new, where, message) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        _, findings = check_only(root)
        lines = [f.format(root) for f in findings if f.severity == "error"]
    except BriefError as exc:
        lines = exc.format(root).splitlines()
    assert any(line.startswith(where) and message in line for line in lines), lines


def test_missing_alt_text_is_an_error(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    spec = root / "figures/wages/figure.yml"
    lines = [ln for ln in spec.read_text().splitlines() if not ln.startswith("alt:")]
    spec.write_text("\n".join(lines) + "\n")
    with pytest.raises(BriefError, match="missing required key 'alt'"):
        check_only(root)


def test_missing_data_file_is_an_error(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    (root / "figures/wages/data.csv").unlink()
    with pytest.raises(BriefError, match="figure data file not found"):
        check_only(root)


def test_unused_figure_is_a_warning(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    for lang in ("en", "es"):
        path = root / f"chapters/{lang}/02-findings.md"
        path.write_text(path.read_text().replace("![](figure:wages){#fig:wages}", ""))
    _, findings = check_only(root)
    assert [(f.severity, f.rule) for f in findings] == [("warning", "figure-unused")]


def test_no_rendered_image_is_committed() -> None:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0:  # not a git checkout: look at the tree instead
        files = [str(p.relative_to(REPO)) for p in REPO.rglob("*") if ".venv" not in p.parts]
    else:
        files = listed.stdout.splitlines()
    # Charts are drawn from data on every build: no figures/ folder holds a drawing,
    # and no output is committed. (Source images, a theme's favicon or a chapter's
    # photo in images/, are inputs, not renderings.)
    rendered = (".svg", ".png", ".pdf", ".jpg", ".docx")
    drawn = [f for f in files if f.endswith(rendered) and "figures/" in f]
    assert drawn == []
    assert all(not f.startswith("build/") and "/build/" not in f for f in files)
    assert [f for f in files if f.endswith(rendered) and "/images/" not in f] == []


def test_the_2022_report_figures_have_sources_and_alt_text() -> None:
    """The frozen 2022 edition of the flagship: five charts and a table, as printed."""
    figures = load_figures(REPO / "tests/data/flagship-2022", ["en"])
    assert sorted(f.spec.kind == "table" for f in figures.values()) == [False] * 5 + [True]
    for figure in figures.values():
        assert figure.spec.sources
        assert figure.text(figure.spec.alt, "en").strip()


def add_custom_figure(root: Path, code: str) -> None:
    folder = root / "figures/custom"
    folder.mkdir()
    (folder / "data.csv").write_text("year,value\n2020,1500\n2021,2500\n")
    (folder / "figure.yml").write_text(
        "kind: custom\nx: year\ntitle: {en: Custom, es: Propia}\n"
        "alt: {en: A line from 1500 to 2500., es: Una línea de 1500 a 2500.}\n"
        "sources:\n  - key: smith-2015\n")
    (folder / "figure.py").write_text(code)
    for lang in ("en", "es"):
        path = root / f"chapters/{lang}/02-findings.md"
        path.write_text(path.read_text() + "\n![](figure:custom){#fig:custom}\n")


DRAW = '''
def draw(fig, ax, data, loc):
    values = [float(row["value"]) for row in data]
    ax.plot([row["year"] for row in data], values)
    for x, y in zip([row["year"] for row in data], values):
        ax.annotate(loc.loc.value(y), (x, y))
'''


def test_custom_figure_needs_permission_then_draws(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    add_custom_figure(root, DRAW)
    _, findings = check_only(root)
    assert [f.rule for f in findings if f.severity == "error"] == ["figure-code"]
    config = root / "brief.yml"
    config.write_text(config.read_text() + "figure_code: true\n")
    assert [f for f in check_only(root)[1] if f.severity == "error"] == []
    drawn = draw(root, "custom", "es", tmp_path / "cache")
    assert b"2.500" in drawn.svg.read_bytes()


def test_failing_figure_code_is_located(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    add_custom_figure(root, "def draw(fig, ax, data, loc):\n    raise ValueError('no data')\n")
    with pytest.raises(BriefError) as info:
        draw(root, "custom", "en", tmp_path / "cache")
    assert "figure.py failed: ValueError: no data" in info.value.message
    assert info.value.location is not None and info.value.location.path.name == "figure.py"


def test_figure_must_stand_alone(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = root / "chapters/en/02-findings.md"
    path.write_text(path.read_text().replace("\n\n![](figure:wages)", " ![](figure:wages)"))
    errors = [f for f in check_only(root)[1] if f.severity == "error"]
    assert errors and {e.rule for e in errors} == {"figure-placement"}
