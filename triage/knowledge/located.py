"""Parsed YAML that remembers where each key and value stood: the plain data triage/knowledge/yaml_reader.py
gives. Apart from the reader, so that what only inspects that data (conditions, for one) does not
import a YAML parser: a consultation from the cached knowledge base reads no rule file."""

from __future__ import annotations

from typing import Any

from triage.errors import Location


class LocDict(dict[str, Any]):
    """A mapping that knows where it, each key and each value start."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]
    dropped: frozenset[str] | set[str] = frozenset()  # unknown keys removed once reported


class LocList(list[Any]):
    """A sequence that knows where it and each item start."""

    loc: Location
    item_locs: list[Location]


def location_of(root: Any, path: list[str | int], *, key: bool = False) -> Location | None:
    """Where the value at `path` (or, with key=True, its key) stands in the file."""
    node = root
    found: Location | None = getattr(root, "loc", None)
    for step in path:
        if isinstance(node, LocDict) and isinstance(step, str) and step in node:
            found = node.key_locs[step] if key and step == path[-1] else node.value_locs[step]
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            found = node.item_locs[step]
            node = node[step]
        else:
            break
    return found
