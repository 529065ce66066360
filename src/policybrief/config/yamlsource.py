"""YAML that remembers where each value came from.

PyYAML's composer gives every node a start mark; we turn the node tree into plain
Python values and keep a table from the value's path (``("authors", 0, "name")``)
to its :class:`Location`, so the schema can point at the offending line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from policybrief.errors import ConfigError, Location

YamlPath = tuple[str | int, ...]

# Mappings and lists nested in one another, at most; brief.yml and figure.yml need
# five or so. Deeper nesting is refused where it passes the limit, before the value is
# built (990 levels crashed the recursive conversion).
MAX_DEPTH = 50


class LocatedYaml:
    """Plain data plus the location of every key and value."""

    def __init__(self, data: Any, locations: dict[YamlPath, Location], path: Path) -> None:
        self.data = data
        self.locations = locations
        self.path = path

    def where(self, key: YamlPath) -> Location:
        """The closest known location of ``key`` (or of its parent)."""
        while key and key not in self.locations:
            key = key[:-1]
        return self.locations.get(key, Location(self.path, 1, 1))


def _mark(path: Path, node: yaml.Node, line_offset: int = 0) -> Location:
    return Location(path, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def _convert(
    node: yaml.Node, path: Path, here: YamlPath, locations: dict[YamlPath, Location],
    offset: int = 0,
) -> Any:
    locations[here] = _mark(path, node, offset)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError("mapping keys must be plain names",
                                  _mark(path, key_node, offset))
            if key in result:
                raise ConfigError(f"duplicate key '{key}'", _mark(path, key_node, offset))
            result[key] = _convert(value_node, path, (*here, key), locations, offset)
            locations[(*here, key)] = _mark(path, key_node, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path, (*here, index), locations, offset)
            for index, item in enumerate(node.value)
        ]
    # Scalars: dates stay text (the schema decides what a date is); the safe
    # constructor resolves ints, floats and booleans, and refuses unknown tags.
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)
    try:
        value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
        if isinstance(value, int):
            str(value)  # 0x and 4,000 digits: too long to print, refused here, not later
        return value
    except (yaml.YAMLError, ValueError, TypeError, LookupError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, LookupError):  # a tag on a value it does not fit: '!!bool x'
            problem = f"'{node.value[:40]}' is not a {node.tag.rpartition(':')[2]}"
        raise ConfigError(f"invalid value: {problem}", _mark(path, node, offset)) from None


# libyaml's parser when PyYAML was built with it (nine times faster; same marks).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_OPENING = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _too_deep(path: Path, mark: yaml.Mark, line_offset: int) -> ConfigError:
    return ConfigError(f"YAML nested more than {MAX_DEPTH} levels deep (mappings and lists "
                       f"in one another); the limit is {MAX_DEPTH}",
                       Location(path, mark.line + 1 + line_offset, mark.column + 1))


def _refuse_aliases(path: Path, text: str, line_offset: int) -> None:
    """Anchors and aliases are refused: a brief needs none, and nested aliases can
    expand a few lines into billions of values. So is nesting deeper than
    :data:`MAX_DEPTH`, seen in the same pass over the tokens, before anything is built
    from them (a list under a key at the key's own indentation has no token of its own,
    so the nodes' depth is checked again, exactly, once they are composed)."""
    depth = 0
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            mark = token.start_mark
            raise ConfigError("YAML anchors and aliases (& and *) are not allowed",
                              Location(path, mark.line + 1 + line_offset, mark.column + 1))
        if isinstance(token, _OPENING):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path, token.start_mark, line_offset)
        elif isinstance(token, _CLOSING):
            depth -= 1


def _refuse_deep_nodes(path: Path, root: yaml.Node, line_offset: int) -> None:
    """Mappings and lists nested deeper than :data:`MAX_DEPTH`, found without
    recursion, located at the first node too deep."""
    pending: list[tuple[yaml.Node, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, yaml.MappingNode):
            children = [value for _key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(path, node.start_mark, line_offset)
        pending += [(child, depth + 1) for child in children]


def load_yaml(path: Path, text: str | None = None, line_offset: int = 0) -> LocatedYaml:
    """Parse ``path`` (or ``text`` from it, starting ``line_offset`` lines into the file,
    as front matter does); syntax errors become a located :class:`ConfigError`."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"not UTF-8 text ({exc.reason})", Location(path, 1, 1)) from None
    try:
        _refuse_aliases(path, text, line_offset)
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = (Location(path, mark.line + 1 + line_offset, mark.column + 1) if mark
               else Location(path))
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", loc) from None
    except yaml.reader.ReaderError as exc:
        # a character YAML forbids (a control character): located by its offset
        # libyaml counts UTF-8 bytes, PyYAML's own reader characters
        before = (text.encode(errors="surrogatepass")[:exc.position].decode(errors="ignore")
                  if _LOADER is not yaml.SafeLoader else text[:exc.position])
        loc = Location.at(path, before, len(before), line_offset)
        raise ConfigError(f"invalid YAML: control character U+{exc.character:04X} is not "
                          "allowed (remove it or write it as an escape in a double-quoted "
                          "string)", loc) from None
    if node is not None:
        _refuse_deep_nodes(path, node, line_offset)
    locations: dict[YamlPath, Location] = {}
    data = {} if node is None else _convert(node, path, (), locations, line_offset)
    return LocatedYaml(data, locations, path)
