"""Small helpers over pandoc's JSON AST (API 1.23), so filters stay short.

A node is a dict ``{"t": type, "c": content}``; lists of nodes are blocks or inlines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [identifier, [classes], [[key, value], ...]]

# Returns None to keep the node (after walking its children), or a list of nodes
# that replaces it (its children are not walked again).
Action = Callable[[Node], list[Node] | None]


def attr(identifier: str = "", classes: list[str] | None = None,
         pairs: list[tuple[str, str]] | None = None) -> Attr:
    return [identifier, list(classes or []), [list(p) for p in (pairs or [])]]


def text(value: str) -> list[Node]:
    """Inlines for a plain string (words and spaces)."""
    nodes: list[Node] = []
    for index, word in enumerate(value.split(" ")):
        if index:
            nodes.append({"t": "Space"})
        if word:
            nodes.append({"t": "Str", "c": word})
    return nodes


def span(inlines: list[Node], classes: list[str], identifier: str = "") -> Node:
    return {"t": "Span", "c": [attr(identifier, classes), inlines]}


def div(blocks: list[Node], classes: list[str], identifier: str = "",
        pairs: list[tuple[str, str]] | None = None) -> Node:
    return {"t": "Div", "c": [attr(identifier, classes, pairs), blocks]}


def classes_of(node: Node) -> list[str]:
    """Classes of a node with an Attr (Span, Div, Header, Code...)."""
    t = node.get("t")
    if t in ("Span", "Div"):
        return list(node["c"][0][1])
    if t == "Header":
        return list(node["c"][1][1])
    return []


# Where a node keeps its inlines: its whole content (None), or content[index]
INLINE_CONTENT: dict[str, int | None] = {
    "Para": None, "Plain": None, "Emph": None, "Strong": None, "Underline": None,
    "Strikeout": None, "SmallCaps": None, "Superscript": None, "Subscript": None,
    "Header": 2, "Span": 1, "Quoted": 1, "Link": 1, "Image": 1, "Cite": 1}


def inlines_of(node: Node) -> list[Node] | None:
    """The inlines ``node`` holds directly, or None for a node that holds none."""
    if node.get("t") not in INLINE_CONTENT:
        return None
    at = INLINE_CONTENT[node["t"]]
    inlines: list[Node] = node["c"] if at is None else node["c"][at]
    return inlines


def with_inlines(node: Node, inlines: list[Node]) -> Node:
    """A new node like ``node`` holding ``inlines`` instead of its own."""
    at = INLINE_CONTENT[node["t"]]
    return {"t": node["t"], "c": inlines if at is None
            else [*node["c"][:at], inlines, *node["c"][at + 1:]]}


def walk(value: Any, action: Action) -> Any:
    """Apply ``action`` top-down to every node in ``value``.

    Returns the tree with the replacements made. Subtrees in which nothing was replaced
    are returned as they are, not copied: filters run a dozen times per build over the
    whole edition, and copying every node cost more than the filters themselves.
    Filters must therefore build new nodes rather than change the ones they are given.
    """
    if isinstance(value, list):
        result: list[Any] | None = None
        for index, item in enumerate(value):
            if isinstance(item, dict) and "t" in item:
                replacement = action(item)
                if replacement is None:
                    new = _walk_children(item, action)
                    if new is item and result is None:
                        continue
                    replacements = [new]
                else:
                    replacements = replacement
            elif isinstance(item, list | dict):
                new = walk(item, action)
                if new is item and result is None:
                    continue
                replacements = [new]
            else:
                if result is not None:
                    result.append(item)
                continue
            if result is None:
                result = list(value[:index])
            result.extend(replacements)
        return value if result is None else result
    if isinstance(value, dict):
        if "t" in value:
            return _walk_children(value, action)
        changed = {k: walk(v, action) for k, v in value.items()}
        return value if all(changed[k] is v for k, v in value.items()) else changed
    return value


def _walk_children(node: Node, action: Action) -> Node:
    content = node.get("c")
    if not isinstance(content, list | dict):
        return node
    new = walk(content, action)
    return node if new is content else {"t": node["t"], "c": new}


def walk_doc(doc: Node, action: Action) -> Node:
    return {**doc, "blocks": walk(doc["blocks"], action)}


def stringify(value: Any) -> str:
    """Plain text of inlines or blocks (notes excluded)."""
    parts: list[str] = []

    def visit(item: Any) -> None:
        if isinstance(item, list):
            for x in item:
                visit(x)
        elif isinstance(item, dict) and "t" in item:
            t = item["t"]
            if t == "Str":
                parts.append(item["c"])
            elif t in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif t == "Note":
                return
            elif t in ("Code", "Math", "RawInline"):
                parts.append(item["c"][1])
            elif t == "Quoted":
                quote = "\u201c" if item["c"][0]["t"] == "DoubleQuote" else "\u2018"
                close = "\u201d" if quote == "\u201c" else "\u2019"
                parts.append(quote)
                visit(item["c"][1])
                parts.append(close)
            elif "c" in item:
                visit(item["c"])

    visit(value)
    return "".join(parts)


def collect(value: Any, node_type: str) -> list[Node]:
    """Every node of ``node_type`` in document order."""
    found: list[Node] = []

    def action(node: Node) -> list[Node] | None:
        if node["t"] == node_type:
            found.append(node)
        return None

    walk(value if isinstance(value, list) else [value], action)
    return found
