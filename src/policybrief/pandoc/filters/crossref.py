"""Numbered figures and tables, and cross-references to them and to sections.

Runs before citeproc, so a cross-reference never reaches it (citeproc would turn
``@tbl:x`` into a note reading "Tbl:x?"):

* every figure with an id ``fig:<id>`` (figures drawn from data, and images written
  ``![Caption](images/x.jpg){#fig:x}``) is numbered in reading order, its caption
  starting "Figure N:";
* every table with a caption or an id ``tbl:<id>`` (``: Caption {#tbl:x}`` under a
  pipe table) is numbered, its caption starting "Table N:";
* ``@fig:<id>``, ``@tbl:<id>`` and ``@sec:<id>`` become links reading "Figure 2",
  "Table 1", "Section III" or "Appendix A" (a section that is not numbered is
  referred to by its title). ``@sec:`` finds a heading by its id with or without the
  ``sec:`` prefix, so pandoc's automatic ids work too. A prefix or bracket text
  stays around the link: ``[see @tbl:x]`` reads "see Table 1".

Options: ``label`` gives the interface strings (``figure``, ``table``, ``section``,
``appendix``); ``lettered_appendices`` numbers an appendix's tables and figures
A-1, A-2 (theme.yml ``appendix_numbering: lettered``). References whose target does
not exist are returned, not dropped: the caller reports them where they stand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from policybrief.pandoc.ast import Node, attr, classes_of, span, stringify, text, walk_doc

KINDS = ("fig", "tbl", "sec")
LABEL_CLASS = {"fig": "figure-label", "tbl": "table-label"}
LINK_CLASS = {"fig": "figure-ref", "tbl": "table-ref", "sec": "section-ref"}


@dataclass
class Targets:
    """What references may point at: id -> (kind, number or title)."""

    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)


def numbered(label: Callable[[str], str], kind: str, n: str) -> str:
    """'Figure 3', 'Tableau 2', '图3': the language's label with its number."""
    key = "figure_numbered" if kind == "fig" else "table_numbered"
    return label(key).format(n=n)


def _number_captions(doc: Node, label: Callable[[str], str], targets: Targets,
                     lettered_appendices: bool) -> Node:
    counters = {"fig": 0, "tbl": 0}
    prefix = ""  # "A-" inside appendix A, when its items are numbered per appendix

    def labelled(kind: str, caption: list[Node], n: str) -> list[Node]:
        """The caption's first block, starting with "Figure N:" (a data figure's label
        span is filled in; another caption gets one)."""
        # n: "3", "A-1"; "Figure 3:", "Figure 3 :", "图3：" as the language writes it
        words = numbered(label, kind, n) + label("colon")
        if not caption:
            return [{"t": "Plain", "c": [span(text(words), [LABEL_CLASS[kind]])]}]
        first = caption[0]
        inlines = list(first["c"]) if first["t"] in ("Plain", "Para") else []
        if inlines and inlines[0]["t"] == "Span" and LABEL_CLASS[kind] in classes_of(inlines[0]):
            inlines[0] = span(text(words), [LABEL_CLASS[kind]])
        elif first["t"] in ("Plain", "Para"):
            inlines = [span(text(words), [LABEL_CLASS[kind]]), {"t": "Space"}, *inlines]
        else:
            return [{"t": "Plain", "c": [span(text(words), [LABEL_CLASS[kind]])]}, *caption]
        return [{"t": first["t"], "c": inlines}, *caption[1:]]

    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Figure":
            ident = node["c"][0][0]
            if not ident.startswith("fig:"):
                return None
            counters["fig"] += 1
            n = f"{prefix}{counters['fig']}"
            targets.numbers[ident] = ("fig", n)
            short, blocks = node["c"][1]
            body = walk_doc({"blocks": node["c"][2]}, action)["blocks"]
            return [{"t": "Figure", "c": [node["c"][0], [short, labelled("fig", blocks, n)],
                                          body]}]
        if node["t"] == "Table":
            ident = node["c"][0][0]
            short, blocks = node["c"][1]
            if "figure-table" in classes_of(node) or not (blocks or ident.startswith("tbl:")):
                return None  # a table drawn as a figure is numbered as one
            counters["tbl"] += 1
            n = f"{prefix}{counters['tbl']}"
            if ident:
                targets.numbers[ident] = ("tbl", n)
            return [{"t": "Table", "c": [node["c"][0], [short, labelled("tbl", blocks, n)],
                                         *node["c"][2:]]}]
        return None

    blocks: list[Node] = []
    for block in doc["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            _ident, classes, pairs = block["c"][1]
            letter = dict(pairs).get("number", "")
            if lettered_appendices and "appendix" in classes and letter:
                prefix = f"{letter}-"  # each appendix counts from 1
                counters.update(fig=0, tbl=0)
        blocks += walk_doc({"blocks": [block]}, action)["blocks"]
    return {**doc, "blocks": blocks}


def _collect_sections(doc: Node, label: Callable[[str], str], targets: Targets) -> None:
    for block in doc["blocks"]:
        if block["t"] != "Header":
            continue
        ident, classes, pairs = block["c"][1]
        if not ident:
            continue
        number = dict(pairs).get("number", "")
        title = [i for i in block["c"][2]
                 if not (i["t"] == "Span" and "section-number" in classes_of(i))]
        if "appendix" in classes and number:
            shown = label("appendix_numbered").format(n=number)
        elif number:
            shown = label("section_numbered").format(n=number)
        else:
            shown = label("quote_open") + stringify(title).strip() + label("quote_close")
        targets.numbers.setdefault(ident, ("sec", shown))


def is_reference(key: str) -> bool:
    """``fig:x``, ``tbl:x`` or ``sec:x``: a cross-reference, not a citation key."""
    kind, colon, name = key.partition(":")
    return bool(colon and name) and kind in KINDS


def apply(doc: Node, label: Callable[[str], str],
          lettered_appendices: bool = False) -> tuple[Node, list[str]]:
    """Number captions and resolve references; returns the document and the keys of
    references whose target is not in it. With ``lettered_appendices`` the tables and
    figures of appendix A are numbered A-1, A-2, ... (the theme's choice)."""
    targets = Targets()
    doc = _number_captions(doc, label, targets, lettered_appendices)
    _collect_sections(doc, label, targets)
    missing: list[str] = []

    def reference(key: str) -> Node | None:
        kind, _, name = key.partition(":")
        ident = key if key in targets.numbers else name if kind == "sec" else key
        found = targets.numbers.get(ident)
        if found is None or found[0] != kind:
            if key not in missing:
                missing.append(key)
            return None
        shown = found[1] if kind == "sec" else numbered(label, kind, found[1])
        return {"t": "Link", "c": [attr("", [LINK_CLASS[kind]]), text(shown), [f"#{ident}", ""]]}

    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Cite":
            return None
        citations = node["c"][0]
        if not all(is_reference(c["citationId"]) for c in citations):
            return None  # a citation (a mix is refused by the checks)
        out: list[Node] = []
        for index, citation in enumerate(citations):
            if index:
                out += [{"t": "Str", "c": ","}, {"t": "Space"}]
            if citation["citationPrefix"]:
                out += [*citation["citationPrefix"], {"t": "Space"}]
            link = reference(citation["citationId"])
            out.append(link if link is not None else {"t": "Str", "c": citation["citationId"]})
            out += citation["citationSuffix"]
        return out

    return walk_doc(doc, action), missing
