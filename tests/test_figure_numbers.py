"""The figure-numbers check: numbers written about a figure agree with its data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policybrief.checks import CHECKS
from policybrief.checks.figure_numbers import check
from policybrief.cli import main
from policybrief.errors import Diagnostic
from policybrief.project import load_project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def found(root: Path) -> list[str]:
    """The check's findings, formatted as ``brief check`` prints them."""
    diagnostics: list[Diagnostic] = check(load_project(root))
    assert all(d.rule == "figure-numbers" and d.severity == "warning" for d in diagnostics)
    return [d.format(root) for d in diagnostics]


def set_alt(root: Path, en: str, es: str, figure: str = "workers") -> None:
    spec = root / f"figures/{figure}/figure.yml"
    lines = spec.read_text(encoding="utf-8").split("\n")
    lines = [f'alt: {{en: "{en}", es: "{es}"}}' if line.startswith("alt:") else line
             for line in lines]
    spec.write_text("\n".join(lines), encoding="utf-8")


def test_registered_and_quiet_on_a_brief_that_agrees(make_project: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert CHECKS["figure-numbers"] is check
    root = make_project()
    # "6,190 ... 31,243 ... 29,296" in English, "6.190 ... 31.243" in Spanish, "$3,000",
    # "3.000 dólares": every number of the figures' texts is in their data
    assert found(root) == []
    assert main(["check", "--strict", "--project", str(root)]) == 0
    said = capsys.readouterr()
    assert "figure-numbers" not in said.out + said.err


def test_changed_data_makes_the_alt_text_stale(make_project: Callable[..., Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project()
    edit(root / "figures/workers/data.csv", "2005,31243", "2005,31250")

    assert found(root) == [
        "figures/workers/figure.yml:6:46: warning: 31,243 in the alt text (en) matches no "
        "value of figures/workers/data.csv; the nearest is 31250 "
        "(figures/workers/data.csv:3:2) [figure-numbers]",
        "figures/workers/figure.yml:6:132: warning: 31.243 in the alt text (es) matches no "
        "value of figures/workers/data.csv; the nearest is 31250 "
        "(figures/workers/data.csv:3:2) [figure-numbers]",
    ]
    # One line each from the command, no traceback; a warning fails only --strict.
    assert main(["check", "--project", str(root)]) == 0
    assert main(["check", "--strict", "--project", str(root)]) == 1
    said = capsys.readouterr()
    printed = said.out + said.err
    assert printed.count(": warning: 31,243 in the alt text (en)") == 2
    assert printed.count("[figure-numbers]") == 4 and "Traceback" not in printed


@pytest.mark.parametrize(("en", "es"), [
    # each language's grouping and decimal separators, any space
    ("31,243 and 6,190", "31.243 y 6190"),
    ("31 243 and 6\u202f190", "31\u00a0243 y 6 190"),
    ("31'243", "31.243,0"),
    # rounded to the precision written, in thousands
    ("about 31,200; 31.2 thousand; 31,000", "unos 31.200; 31,2 mil"),
])
def test_numbers_as_each_language_writes_them(make_project: Callable[..., Path], en: str,
                                              es: str) -> None:
    root = make_project()
    set_alt(root, en, es)
    assert found(root) == []


def test_years_ordinals_and_counts_are_not_checked(make_project: Callable[..., Path]) -> None:
    root = make_project()
    # The payments' data holds no year: years are not numbers of it.
    set_alt(root, "In 2019, the 21st report (note 12) counted $3,000 for 300 and 45 sites",
            "En 2019, la 3.ª nota 12: 3.000 dólares, 1.º de enero", figure="wages")
    assert found(root) == []


@pytest.mark.parametrize(("en", "wrong"), [
    ("31,234 in 2005", "31,234"),  # a typo
    ("31.3 thousand", "31.3"),  # rounded wrong
    ("6,190.5 workers", "6,190.5"),  # more precision than the data has
    ("164 countries", "164"),  # three significant digits
    ("in 2031", "2031"),  # a year, checked: the data holds years
])
def test_numbers_that_match_no_value(make_project: Callable[..., Path], en: str,
                                     wrong: str) -> None:
    root = make_project()
    set_alt(root, en, "6.190")
    findings = found(root)
    assert len(findings) == 1
    assert findings[0].startswith("figures/workers/figure.yml:6:")
    assert f"warning: {wrong} in the alt text (en) matches no value of " \
           "figures/workers/data.csv" in findings[0]


def test_percentages(make_project: Callable[..., Path]) -> None:
    root = make_project()
    folder = root / "figures/shares"
    folder.mkdir()
    (folder / "data.csv").write_text("group,share\nA,9.357\nB,0.25\n", encoding="utf-8")
    (folder / "figure.yml").write_text(
        "kind: bar\nx: group\ny: [share]\nnumber: {unit: percent}\n"
        "title: {en: Shares, es: Partes}\n"
        "alt: {en: \"A 9.36%, B 25.0%; A 9.4 percent\", es: \"A 9,36 %, B 0,25 %, A 9,37 %\"}\n"
        "sources:\n  - key: ilo-1930\n", encoding="utf-8")
    findings = found(root)
    assert len(findings) == 1 and findings[0].startswith(
        "figures/shares/figure.yml:6:") and "9,37 % in the alt text (es)" in findings[0]


def test_paragraphs_about_the_figure(make_project: Callable[..., Path]) -> None:
    root = make_project(only="en")
    findings_chapter = root / "chapters/en/02-findings.md"
    # The sentence naming the figure: every number checked. The paragraph after its
    # placement: a number near a data value that matches none is stale; one far from
    # every value ("53,000 barrels") is about something else.
    edit(findings_chapter, "As @fig:workers shows, numbers grew.",
         "As @fig:workers shows, numbers grew to 31,234 in 2005 and 1,250 later. Oil\n"
         "reached 53,000 barrels.[@smith-2015, p. 114]")
    edit(findings_chapter, "{#fig:workers}\n\n",
         "{#fig:workers}\n\nThe 29,926 workers of 2008 and the 53,000 barrels, noted^[In "
         "4,321 reports.].\n\n")

    assert found(root) == [
        "chapters/en/02-findings.md:10:40: warning: 31,234 in this paragraph about figure "
        "'workers' matches no value of figures/workers/data.csv; the nearest is 31243 "
        "(figures/workers/data.csv:3:2) [figure-numbers]",
        "chapters/en/02-findings.md:10:59: warning: 1,250 in this paragraph about figure "
        "'workers' matches no value of figures/workers/data.csv; the nearest is 2002 "
        "(figures/workers/data.csv:2:1) [figure-numbers]",
        "chapters/en/02-findings.md:15:5: warning: 29,926 in this paragraph about figure "
        "'workers' matches no value of figures/workers/data.csv; the nearest is 29296 "
        "(figures/workers/data.csv:4:2) [figure-numbers]",
    ]
