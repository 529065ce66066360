"""Citations printed in parentheses stand before the punctuation they follow.

Note styles want a citation after the punctuation in the text (``restriction.[@fhwa]``:
the note call follows the full stop). A citation that prints in parentheses, every
one of an author-date style and, with a note style, one inside a note, is moved
before that punctuation: "restriction (FHWA 2025)." Pandoc moves punctuation the
other way for note citations in the text only.
"""

from __future__ import annotations

from policybrief.i18n import gap_after
from policybrief.pandoc.ast import Node, stringify, walk, walk_doc

_SENTENCE_END = (".", ",", ";", ":", "!", "?", "。", "，", "；", "：", "！", "？", "।")


def apply(doc: Node, in_notes_only: bool = False) -> Node:
    """A citation that prints in parentheses but was written after the punctuation, as
    note styles want it in the text (``restriction.[@fhwa]``), moves before it:
    "restriction (FHWA 2025)." That is every citation of an author-date style, and
    with a note style the citations inside a note (``in_notes_only``), which citeproc
    prints in parentheses where they stand (pandoc moves punctuation the other way for
    note citations in the text only). Such a citation glued to its word gets a space
    before its parenthesis, except after a full-width character."""
    def fix(inlines: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in inlines:
            previous = out[-1] if out else None
            if (node["t"] == "Cite" and previous is not None and previous["t"] == "Str"
                    and previous["c"].endswith(_SENTENCE_END)
                    and (len(previous["c"]) > 1 or len(out) > 1)
                    and node["c"][0][0]["citationMode"]["t"] == "NormalCitation"):
                mark, rest = previous["c"][-1], previous["c"][:-1]
                if rest:
                    out[-1] = {"t": "Str", "c": rest}
                else:  # the mark alone, after an emphasis or a quotation: "*Report*."
                    out.pop()
                    rest = stringify(out[-1:])
                space = [{"t": "Space"}] if gap_after(rest) else []
                out += [*space, node, {"t": "Str", "c": mark}]
            elif (node["t"] == "Cite" and previous is not None and previous["t"] == "Str"
                  and node["c"][0][0]["citationMode"]["t"] == "NormalCitation"
                  and not previous["c"].endswith(("(", "[", "/", "-", "\u2013", "\u2014"))
                  and gap_after(previous["c"])):
                out += [{"t": "Space"}, node]  # "protocole[@x]." -> "protocole (X)."
            else:
                out.append(node)
        return out

    def paragraphs(node: Node) -> list[Node] | None:
        if node["t"] in ("Para", "Plain"):
            inner = walk({"t": "x", "c": node["c"]}, paragraphs)
            return [{"t": node["t"], "c": fix(inner["c"])}]
        return None

    def notes(node: Node) -> list[Node] | None:
        if node["t"] == "Note":
            return [{"t": "Note", "c": walk(node["c"], paragraphs)}]
        return None

    return walk_doc(doc, notes if in_notes_only else paragraphs)
