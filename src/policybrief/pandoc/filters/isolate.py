"""Citations and sources isolated in their own direction, in a right-to-left edition.

An Arabic note citing "Forced Labour in State Programmes", Anti-Trafficking Review, 4,
2015 holds left-to-right runs inside right-to-left text: without isolation, the bidi
algorithm moves their commas, quotation marks and numbers to the wrong side. A
citation or source entry written wholly against the edition's direction is given its
own (HTML's ``dir``, which WeasyPrint and Word's writer honour too), as ``<bdi>``
would. One whose frame is in the edition's script (citeproc's Arabic terms: "ص"
for pages, "عدد" for an issue, its dates) keeps the edition's direction, and each run
of left-to-right words inside it (a title, names, a publisher) is isolated instead:
isolating the whole would turn the Arabic terms' numbers round ("20–1 ص").
"""

from __future__ import annotations

import unicodedata

from policybrief.pandoc.ast import (
    Node,
    classes_of,
    inlines_of,
    stringify,
    walk_doc,
    with_inlines,
)

# What separates the parts of a citation, in either script
_SEPARATORS = ",;:\u060c\u061b "


def direction(text: str) -> str:
    """'ltr' or 'rtl' by the first strong character, '' when there is none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def _directions(text: str) -> set[str]:
    """Every direction the strong characters of ``text`` have."""
    found = set()
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            found.add("ltr")
        elif kind in ("R", "AL"):
            found.add("rtl")
    return found


def _ltr(inlines: list[Node]) -> Node:
    return {"t": "Span", "c": [["", [], [["dir", "ltr"]]], inlines]}


def _runs_isolated(inlines: list[Node]) -> list[Node]:
    """Right-to-left text with each run of left-to-right inlines (and the neutral ones
    between them) in a left-to-right span; a container holding both is opened."""
    out: list[Node] = []
    run: list[Node] = []  # left-to-right inlines, then neutral ones that may join them
    pending: list[Node] = []

    def close() -> None:
        if run:
            # the separator after the run ("Review,") belongs to the sentence around it;
            # a closing bracket or quotation mark, or an abbreviation's period, to the run
            tail = ""
            if run[-1]["t"] == "Str":
                word = run[-1]["c"]
                cut = len(word)
                while cut and word[cut - 1] in _SEPARATORS:
                    cut -= 1
                word, tail = word[:cut], word[cut:]
                run[-1:] = [{"t": "Str", "c": word}] if word else []
            out.append(_ltr(list(run)))
            if tail:
                out.append({"t": "Str", "c": tail})
            run.clear()
        out.extend(pending)
        pending.clear()

    for node in inlines:
        kinds = _directions(stringify([node]))
        if kinds == {"ltr"}:
            run.extend(pending)
            pending.clear()
            run.append(node)
        elif not kinds:
            (pending if run else out).append(node)
        else:
            close()
            content = inlines_of(node)
            if kinds == {"ltr", "rtl"} and content is not None:
                node = with_inlines(node, _runs_isolated(content))
            out.append(node)
    if run and any(unicodedata.bidirectional(c) == "EN" for c in stringify(pending)):
        run.extend(pending)  # a number ending the text ends its phrase: "art. 3"
        pending.clear()
    close()
    return out


def _isolated(inlines: list[Node], edition: str) -> list[Node]:
    kinds = _directions(stringify(inlines))
    if kinds == {"ltr", "rtl"} and edition == "rtl":
        return _runs_isolated(inlines)
    own = direction(stringify(inlines))
    if own and own != edition:
        return [{"t": "Span", "c": [["", [], [["dir", own]]], inlines]}]
    return inlines


def _in_note(blocks: list[Node], edition: str) -> list[Node]:
    return [{"t": b["t"], "c": _isolated(b["c"], edition)} if b["t"] in ("Para", "Plain")
            else b for b in blocks]


def apply(doc: Node, edition_direction: str) -> Node:
    """``doc`` with each citation and source that runs against ``edition_direction``
    isolated in its own direction (nothing changes in a left-to-right edition): a note
    citation's text in its note, an in-text one where it stands."""
    if edition_direction != "rtl":
        return doc

    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Cite":
            citations, inlines = node["c"]
            if any(i["t"] == "Note" for i in inlines):
                inner = [{"t": "Note", "c": _in_note(i["c"], edition_direction)}
                         if i["t"] == "Note" else i for i in inlines]
            else:
                inner = _isolated(inlines, edition_direction)
            return [{"t": "Cite", "c": [citations, inner]}]
        if node["t"] == "Div" and "csl-entry" in classes_of(node):
            text = stringify(node["c"][1])
            if _directions(text) == {"ltr", "rtl"}:
                ident, classes, pairs = node["c"][0]
                return [{"t": "Div", "c": [[ident, classes, pairs],
                                           _in_note(node["c"][1], edition_direction)]}]
            own = direction(text)
            if own and own != edition_direction:
                ident, classes, pairs = node["c"][0]
                return [{"t": "Div", "c": [[ident, classes, [*pairs, ["dir", own]]],
                                           node["c"][1]]}]
        return None

    return walk_doc(doc, action)
