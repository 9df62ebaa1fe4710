"""Read YAML as plain data that remembers where each key and value stood.

PyYAML's defaults are wrong for hand-written rules in three ways, each fixed here:
- YAML 1.1 reads `yes`, `no`, `on`, `off` as booleans; rules and answers mean the words.
  Only `true`/`false` are booleans here (the YAML 1.2 core schema), and dates stay text.
- A duplicate key silently keeps the last value, which silently drops a condition.
- Values lose their line numbers, so an error could not say where it is.
Anchors and aliases are refused: rules are read by people, and an alias chain can expand without bound.
Loading is `safe_load`-level: no tag can construct a Python object.
Every string read (keys included) is stripped of control characters: text in a rule file or an
answers file is data, and a terminal's escape codes in it must never reach a screen.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml

from triage.errors import (
    DUPLICATE_KEY,
    FILE_UNREADABLE,
    YAML_SYNTAX,
    Location,
    Problem,
)
from triage.knowledge.located import LocDict, LocList
from triage.text import strip_controls

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(_Base):  # type: ignore[misc, valid-type]
    filename = "<string>"
    strip = True  # control characters removed from every string

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[Problem] = []
        self._aliased: set[int] = set()  # anchors already reported: once each, not per use

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.filename, mark.line + 1, mark.column + 1)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            if id(node) in self._aliased:
                return None
            self._aliased.add(id(node))
            self.problems.append(
                Problem(
                    YAML_SYNTAX,
                    "anchors and aliases (&name / *name) are not supported: write the value out",
                    self.loc(node),
                )
            )
            return None
        return super().construct_object(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# YAML 1.2 and JSON write floats with an exponent and no dot (3e1); YAML 1.1's resolver
# would read them as words.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)
# An integer too long for any rule or answer stays the text it was, for the checks that
# follow to refuse with their usual message: converting it would fail past 4,300 digits.
_LONGEST_INT = 100


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if sum(c.isdigit() for c in node.value) > _LONGEST_INT:
        return str(node.value)
    return _Base.construct_yaml_int(loader, node)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> Any:
    text = _Base.construct_yaml_str(loader, node)
    return strip_controls(text) if loader.strip else text


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = LocDict()
    data.loc = loader.loc(node)
    data.key_locs = {}
    data.value_locs = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool) or key is None or isinstance(key, int | float):
            # Keys are names in every file we read; `1:` and `"1":` mean the same.
            key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
        if not isinstance(key, Hashable) or not isinstance(key, str):
            loader.problems.append(
                Problem(
                    YAML_SYNTAX,
                    "a key must be a plain name, not a list or mapping",
                    loader.loc(key_node),
                )
            )
            continue
        if key in data:
            first = data.key_locs[key]
            loader.problems.append(
                Problem(
                    DUPLICATE_KEY,
                    f"duplicate key '{key}' (first at line {first.line}): YAML would keep only "
                    "the last one; merge them or rename one",
                    loader.loc(key_node),
                    related=(first,),
                )
            )
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_locs[key] = loader.loc(key_node)
        data.value_locs[key] = loader.loc(value_node)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = LocList()
    data.loc = loader.loc(node)
    data.item_locs = []
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_locs.append(loader.loc(item))


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def decode(raw: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text; a file that is not UTF-8 is reported, not guessed at."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                FILE_UNREADABLE,
                f"not UTF-8 text (bad byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                Location(filename, line, col),
            )
        ]


# What YAML refuses to read in a file (PyYAML would report it by character position only).
_RAW_CONTROL = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def parse(text: str, filename: str, *, strip: bool = True) -> tuple[Any, list[Problem]]:
    """Parse one YAML document. Returns (data, problems); data is None when nothing usable was
    read. With `strip` (rule files, case files), every string loses its control characters; a
    person's own answers keep them, for the message to show where they are."""
    if "\x00" in text:
        return None, [
            Problem(FILE_UNREADABLE, "binary data, not a YAML text file", Location(filename))
        ]
    raw_control = _RAW_CONTROL.search(text)
    if raw_control:
        at = raw_control.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return None, [
            Problem(
                YAML_SYNTAX,
                f"a raw control character (U+{ord(raw_control.group()):04X}) is not allowed "
                "in YAML: delete it",
                Location(filename, line, col),
            )
        ]
    loader = _Loader(text)
    loader.filename = filename
    loader.strip = strip
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        from triage.knowledge.yaml_indent import diagnose

        slip = diagnose(text, exc)
        if slip is not None:
            where = Location(filename, slip.line, slip.col)
            return None, [Problem(YAML_SYNTAX, slip.message, where)]
        mark = exc.problem_mark or exc.context_mark
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
        what = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem:
            started = exc.context_mark
            opened = (
                f" that starts at line {started.line + 1}"
                if started and mark and started.line != mark.line
                else ""
            )
            what = f"{exc.problem} ({exc.context}{opened})"
        return None, [Problem(YAML_SYNTAX, f"YAML syntax: {what}", where)]
    except yaml.YAMLError as exc:
        return None, [Problem(YAML_SYNTAX, f"YAML syntax: {exc}", Location(filename))]
    except RecursionError:
        return None, [Problem(YAML_SYNTAX, "nested too deeply to read", Location(filename))]
    finally:
        loader.dispose()
    return data, loader.problems


def load_bytes(raw: bytes, filename: str, *, strip: bool = True) -> tuple[Any, list[Problem]]:
    """Decode and parse in one step: (data, problems), data None when nothing usable was read."""
    text, problems = decode(raw, filename)
    if text is None:
        return None, problems
    return parse(text, filename, strip=strip)


def encode(data: Any) -> Any:
    """Parsed data with its positions, as plain JSON: what the parse cache keeps."""
    if isinstance(data, LocDict):
        return [
            "d",
            [data.loc.line, data.loc.col],
            [
                [
                    k,
                    data.key_locs[k].line,
                    data.key_locs[k].col,
                    data.value_locs[k].line,
                    data.value_locs[k].col,
                    encode(v),
                ]
                for k, v in data.items()
            ],
        ]
    if isinstance(data, LocList):
        return [
            "l",
            [data.loc.line, data.loc.col],
            [[loc.line, loc.col, encode(v)] for v, loc in zip(data, data.item_locs, strict=True)],
        ]
    return data


def decode_cached(obj: Any, filename: str) -> Any:
    """The inverse of `encode`, with positions in `filename`. Strings are stripped of control
    characters here too: a cached tree may have been written by a version that kept them."""
    if isinstance(obj, str):
        return strip_controls(obj)
    if not isinstance(obj, list):
        return obj
    if obj[0] == "d":
        out = LocDict()
        out.loc = Location(filename, *obj[1])
        out.key_locs, out.value_locs = {}, {}
        for raw_key, kl, kc, vl, vc, value in obj[2]:
            key = strip_controls(raw_key) if isinstance(raw_key, str) else raw_key
            out[key] = decode_cached(value, filename)
            out.key_locs[key] = Location(filename, kl, kc)
            out.value_locs[key] = Location(filename, vl, vc)
        return out
    items = LocList()
    items.loc = Location(filename, *obj[1])
    items.item_locs = []
    for line, col, value in obj[2]:
        items.append(decode_cached(value, filename))
        items.item_locs.append(Location(filename, line, col))
    return items
