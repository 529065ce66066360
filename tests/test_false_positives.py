"""The content checks do not cry wolf: valid pandoc Markdown of every construct in
pandoc's manual where a typography or structure rule could misfire passes
``brief check`` without a warning, and the faults the rules exist for are still found,
inside those constructs as in plain prose.

Each corpus entry is a chapter added to a copy of the ``basic`` fixture (which is
clean on its own); a second test has pandoc read each entry, so the corpus is proved
to be what it claims (a table is a ``Table``, a definition list a ``DefinitionList``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from policybrief.errors import Diagnostic
from policybrief.pandoc.runner import run_pandoc
from policybrief.pipeline import check_only

CHAPTER = "chapters/en/03-corpus.md"
CHECKED = ("typography", "heading", "fenced-div")  # rule prefixes of the two checks


@dataclass(frozen=True)
class Case:
    name: str
    body: str  # the chapter after its level-1 heading
    parses_as: tuple[str, ...]  # pandoc AST tags the body must contain
    front_matter: str = ""
    errors: frozenset[str] = field(default_factory=frozenset)  # errors the case means


CORPUS = [
    Case("pipe-table", """\
| Country       | Workers |   Share |  Note          |
|:--------------|--------:|:-------:|----------------|
| Brazil        |   1,204 |   12 %  | rural, coastal |
| Côte d'Ivoire |     310 |    3 %  | cocoa          |
| Cuba          |      75 |    1 %  | `a  --  b`     |

Table: Workers by country, 2023.

|a|b|
|:--|--:|
|1|2|

Fruit  | Price | Stock
-------|------:|:----:
Apple  |  1.00 |   12
Pear   | 12.50 |    3

: A caption in pandoc's colon form
""", ("Table", "AlignRight", "AlignCenter", "AlignLeft")),
    Case("grid-table", """\
+---------------+---------------+--------------------+
| Fruit         | Price         | Advantages         |
+===============+===============+====================+
| Bananas       | $1.34         | - built-in wrapper |
|               |               | - bright color     |
+---------------+---------------+--------------------+
| Oranges       | $2.10         | - cures scurvy     |
|               |               | - tasty            |
+---------------+---------------+--------------------+

+---------------+---------------+--------------------+
| Right         | Left          | Centered           |
+==============:+:==============+:==================:+
| Bananas       | $1.34         | built-in wrapper   |
+---------------+---------------+--------------------+

: Sample grid table.
""", ("Table", "BulletList", "AlignRight", "AlignCenter")),
    Case("simple-table", """\
  Right     Left     Center     Default
-------     ------ ----------   -------
     12     12        12            12
    123     123       123          123
      1     1          1             1

Table:  Demonstration of simple table syntax.

-------     ------ ----------   -------
     12     12        12             12
    123     123       123           123
      1     1          1              1
-------     ------ ----------   -------
""", ("Table", "AlignRight", "AlignLeft", "AlignCenter", "AlignDefault")),
    Case("multiline-table", """\
-------------------------------------------------------------
 Centered   Default           Right Left
  Header    Aligned         Aligned Aligned
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
-------------------------------------------------------------

Table: Here's the caption. It, too, may span
multiple lines.

----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
----------- ------- --------------- -------------------------

: Here's a multiline table without a header.
""", ("Table", "AlignCenter", "AlignRight")),
    Case("definition-list", """\
Forced labour

:   Work exacted under the menace of a penalty.

Term 2 with *inline markup*

:   Definition 2

        { some code, part of Definition 2 }

    Third paragraph of definition 2.

Compact term
~   Definition 3a
~   Definition 3b

Tab term
:	A definition after a tab.
""", ("DefinitionList", "CodeBlock")),
    Case("line-block", """\
| The limerick packs laughs anatomical
| In space that is quite economical.
|    But the good ones I've seen
|    So seldom are clean
| And the clean ones so seldom are comical

| 200 Main St.
| Berkeley, CA 94718
""", ("LineBlock",)),
    Case("fenced-code", """\
```python
x  =  "a -- b"  # a "comment" -- with  spaces
```

~~~~ {.markdown #example}
```
Use "quotes" -- and  spaces.
```
~~~~

````
```
still "code" -- here
```
````

1.  Build it:

    ```bash
    brief build --to pdf  --strict
    ```

2.  Then check it.
""", ("CodeBlock", "OrderedList")),
    Case("indented-code", """\
A paragraph before the code.

    x  =  "a -- b"   # comment
    brief build --to pdf

      still "code" -- indented further

A paragraph after the code.
""", ("CodeBlock",)),
    Case("inline-code", """\
Run `brief build --to pdf`, or ``a `tick`  --  b``, or `x  =  "y"`, or a span
of code wrapped with the paragraph: `brief build
--to pdf  --strict`.
""", ("Code",)),
    Case("raw-attribute", """\
```{=html}
<div  class="x">--</div>
```

Inline `<b>"x" -- y</b>`{=html} raw.
""", ("RawBlock", "RawInline"), errors=frozenset({"raw-html"})),
    Case("math", """\
Inline $a -- b$ and $x  =  \\text{"y"}$ and $a < b$ and $c > d$, display:

$$\\sum_{i=1}^{n} x_i -- y  =  0$$

Prices of $5 and $6 stay prose.
""", ("Math", "InlineMath", "DisplayMath")),
    Case("urls", """\
See https://example.org/a--b/c and <https://example.org/x--y> and
[the report](https://example.org/report--2024.pdf "The -- report") and
[the other](<https://example.org/with space--x>) and [a reference][r1] and
[another][r2], or write to <mailto:a--b@example.org> or a--b@example.org.

[r1]: https://example.org/r--1 "Title -- here"
[r2]: <https://example.org/r--2>  'Single  quoted'
""", ("Link",)),
    Case("fenced-divs", """\
::: {.box title="Key findings"}
Forced labour is common.
:::

:::: {.recommendations title="What to do -- now"}
::: note
A nested div.
:::
::::

::: warning ::::::
A div with a bare class name.
::::::::::::::::::
""", ("Div",)),
    Case("footnotes", """\
A claim.[^fp-note] Another.^[An inline note with a [link](https://example.org/a--b).]

[^fp-note]: The note text.

    A second paragraph of the note,
    indented by four spaces.

        { indented code in a note -- "x" }
""", ("Note",)),
    Case("bracketed-spans", """\
[Forced labour]{.pull-quote title="A -- B"} and [small caps]{.smallcaps} and
[a span]{#span-id lang="es"}.
""", ("Span",)),
    Case("example-lists", """\
(@)  My first example will be numbered (1).
(@)  My second example will be numbered (2).

Explanation of examples.

(@)  My third example will be numbered (3).
""", ("OrderedList", "Example", "TwoParens")),
    Case("lettered-lists", """\
a.  First
b.  Second
    i.  Nested roman
    ii. Second nested

A)  Upper with a parenthesis
B)  Second

A.  Upper with a period needs two spaces
B.  Second

(1)  Parenthesized
(2)  Again

#.  Fancy
#.  Lists

9)  Ninth
10) Tenth
""", ("OrderedList", "LowerAlpha", "UpperAlpha", "LowerRoman", "TwoParens", "OneParen")),
    Case("nested-lists", """\
- Item
    - Nested item with a marker indented by four
        1.  And a numbered one deeper still
- Item

> A quotation with a list:
>
> 1.  First quoted item
> 2.  Second quoted item
>
> > A nested quotation.
""", ("BulletList", "OrderedList", "BlockQuote")),
    Case("task-lists", """\
- [ ] To do
- [x] Done
    - [ ] A nested task
""", ("BulletList",)),
    Case("horizontal-rules", """\
Text.

---

***

* * *

- - -

___

-----------------

More text.
""", ("HorizontalRule",)),
    Case("front-matter", """\
Text after front matter.
""", ("Para",), front_matter='---\ntitle: "A -- B"\nnote:  two  spaces\n---\n'),
    Case("headings", """\
## Methods and data {#sec:methods .unnumbered}

### Sampling  {-}

Setext heading {#setext}
------------------------

## Results {#sec:results data-x="a -- b"}
""", ("Header",)),
    Case("citations", """\
As argued [see @smith-2015, pp. 33--35; also @ilo-1930, chap. 1], and as
@smith-2015 [p. 33--35] says, or [-@smith-2015, 12].
""", ("Cite",)),
    Case("escapes-and-breaks", """\
A literal \\" and \\-- stay as written.\\
A hard break with two trailing spaces\x20\x20
ends this line. Superscripts 2^10^ and subscripts H~2~O, ~~struck~~.
Art.\\ 3 and No.\\ 29 keep their non-breaking spaces.
""", ("LineBreak", "Superscript", "Subscript", "Strikeout")),
    Case("html-and-comments", """\
The <abbr title="International Labour Organization">ILO</abbr> agrees.
<!-- an editor's note -- with "quotes" and  spaces -->

<!--
A block comment -- "x"  y.
-->
""", ("RawInline",)),
]


def _chapter_text(case: Case) -> str:
    return f"{case.front_matter}# Corpus: {case.name}\n\n{case.body}"


def _write_case(root: Path, case: Case) -> Path:
    path = root / CHAPTER
    path.write_text(_chapter_text(case), encoding="utf-8")
    return path


def _unexpected(findings: list[Diagnostic], case: Case) -> list[Diagnostic]:
    return [f for f in findings if not (f.severity == "error" and f.rule in case.errors)]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_valid_markdown_gives_no_warning(make_project, case: Case) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    _write_case(root, case)
    _, findings = check_only(root)
    assert _unexpected(findings, case) == [], "\n".join(f.format(root) for f in findings)
    meant = {f.rule for f in findings}
    assert meant == set(case.errors), meant  # the errors a case means are still given


def _tags(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("t"), str):
            yield node["t"]
        for value in node.values():
            yield from _tags(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tags(item)


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_corpus_is_what_pandoc_reads(tmp_path: Path, case: Case) -> None:
    """The corpus is valid Markdown of the construct it names, as the build reads it."""
    out = run_pandoc(["parse"], [], cwd=tmp_path, stdin=_chapter_text(case).encode("utf-8"))
    tags = set(_tags(out.json()["blocks"]))
    assert set(case.parses_as) <= tags, sorted(tags)
    assert tags >= {"Header"}
    assert not out.diagnostics, [d.message for d in out.diagnostics]


# --------------------------------------------------------------------------------------
# The faults the rules exist for, still found next to and inside the masked constructs.
# (rule, chapter body after the heading, the line of the finding in the chapter file)

FAULTS = [
    ("typography-space", "Forced labour  is common.\n", 3),
    ("typography-space", "Text.\n\nThe rate rose.  It fell.\n", 5),
    ("typography-space", "See [@smith-2015]  and more.\n", 3),
    ("typography-space", "Run `brief`  and see.\n", 3),
    ("typography-space", "| a | b |\n|:--|--:|\n| two  words | 2 |\n", 5),
    ("typography-space", "+-----+-----+\n| a   | b   |\n+=====+=====+\n| c  d| e   |\n"
                         "+-----+-----+\n", 6),
    ("typography-space", "Term\n\n:   Defined  here.\n", 5),
    ("typography-space", "a.  First  item\nb.  Second\n", 3),
    ("typography-space", "- Item\n    - Nested  item\n", 4),
    ("typography-space", "> 1.  Quoted  item\n", 3),
    ("typography-space", "| A line  block line\n| and another\n", 3),
    ("typography-space", "::: {.box title=\"Key findings\"}\nForced labour  is common.\n:::\n", 4),
    ("typography-space", "Text.[^n]\n\n[^n]: A note  with two spaces.\n", 5),
    ("typography-space", "Paragraph.\n\n1.  Item\n\n    Continued  here.\n", 7),
    ("typography-dash", "The conclusion -- it follows.\n", 3),
    ("typography-dash", "From 1990--2000 it grew.\n", 3),
    ("typography-dash", "Inline $x$ -- then prose.\n", 3),
    ("typography-dash", "| Years | n |\n|-------|---|\n| 1990--2000 | 2 |\n", 5),
    ("typography-dash", "Term\n~   Defined -- here.\n", 4),
    ("typography-dash", "> A quotation -- with a dash.\n", 3),
    ("typography-dash", "[Link text -- here](https://example.org/a--b)\n", 3),
    ("typography-quotes", 'The "conclusion" follows.\n', 3),
    ("typography-quotes", '| Name | n |\n|---|---|\n| the "best" | 2 |\n', 5),
    ("typography-quotes", '[A "quoted" link](https://example.org "title")\n', 3),
    ("typography-quotes", 'Price is $5 and "cheap" at $6.\n', 3),
    ("typography-note-space", "A claim ^[A note.]\n", 3),
    ("typography-note-space", "A claim [^n]\n\n[^n]: A note.\n", 3),
    ("typography-nbsp", "Article No. 29 follows.\n", 3),
    ("typography-nbsp", "| Ref | n |\n|---|---|\n| see p. 3 | 2 |\n", 5),
    ("typography-nbsp", "a.  See Art. 3 here.\n", 3),
]


@pytest.mark.parametrize(("rule", "body", "line"), FAULTS,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(FAULTS)])
def test_real_faults_are_still_found(make_project, rule: str, body: str, line: int) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    path = _write_case(root, Case("fault", body, ()))
    _, findings = check_only(root)
    ours = [f for f in findings if f.location and f.location.path == path.resolve()]
    assert {(f.rule, f.location.line) for f in ours if f.location} == {(rule, line)}, \
        "\n".join(f.format(root) for f in findings)


# --------------------------------------------------------------------------------------
# heading-first: a chapter starts with its level-1 heading.

HEADING_FIRST = [
    ("## Method\n\nText.\n", 1),
    ("\n\n### Deep\n\nText.\n", 3),
    ("Text before the heading.\n\n# Title\n", 1),
    ("  # Indented is a paragraph\n", 1),
    ("#Title without a space\n", 1),
]


@pytest.mark.parametrize(("text", "line"), HEADING_FIRST)
def test_chapter_must_start_with_its_level_one_heading(  # type: ignore[no-untyped-def]
        make_project, text: str, line: int) -> None:
    root = make_project(only="en")
    path = root / CHAPTER
    path.write_text(text, encoding="utf-8")
    _, findings = check_only(root)
    hits = [f for f in findings if f.rule == "heading-first"]
    assert [(f.severity, f.location.path, f.location.line, f.location.col)
            for f in hits if f.location] == [("warning", path.resolve(), line, 1)], \
        "\n".join(f.format(root) for f in findings)


@pytest.mark.parametrize("text", [
    "# Title\n\nText.\n",
    "\n\n# Title {#intro .unnumbered}\n\n## Sub\n",
    "Title\n=====\n\nText.\n",
    "<!-- a comment first -->\n# Title\n",
    "---\ntranslation-note: front matter is not the chapter\n---\n\n# Title\n",
])
def test_chapter_starting_with_its_heading_passes(make_project, text: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    (root / CHAPTER).write_text(text, encoding="utf-8")
    _, findings = check_only(root)
    assert [f for f in findings if f.rule.startswith(CHECKED)] == [], \
        "\n".join(f.format(root) for f in findings)
