"""Validate rule files against the JSON Schema (the same one editors use) and say what is wrong
in plain words, at the line and column where it is."""

from __future__ import annotations

import difflib
import json
import math
from functools import cache
from importlib import resources
from typing import Any

from triage.errors import SCHEMA, Location, Problem
from triage.knowledge.located import LocDict, LocList, location_of

_SINGULAR = {
    "sources": "source",
    "questions": "question",
    "findings": "finding",
    "rules": "rule",
    "suggestions": "suggestion",
    "disagreements": "disagreement",
    "groups": "group",
}


@cache
def rule_schema() -> dict[str, Any]:
    text = resources.files("triage").joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _inlined() -> dict[str, Any]:
    """The schema with every non-recursive $ref replaced by what it points at: the same
    validation, without a reference lookup on every node (most of the time on a large file)."""
    schema = rule_schema()
    defs = schema["$defs"]

    def refs(node: Any) -> set[str]:
        if isinstance(node, dict):
            here = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
            return here.union(*(refs(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node))
        return set()

    edges = {name: refs(body) for name, body in defs.items()}

    def reach(start: str) -> set[str]:
        seen, todo = set(), list(edges[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(edges.get(name, ()))
        return seen

    recursive = {name for name in defs if name in reach(name)}  # only `condition`, today

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref.startswith("#/$defs/") and name not in recursive:
                merged = {
                    **inline(defs[name]),
                    **{k: inline(v) for k, v in node.items() if k != "$ref"},
                }
                return merged
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    out: dict[str, Any] = inline({k: v for k, v in schema.items() if k != "$defs"})
    out["$defs"] = {name: inline(defs[name]) for name in recursive}
    return out


@cache
def _validator() -> Any:
    # jsonschema is the slowest import on the load path; it is only needed once a file is read.
    import jsonschema

    return jsonschema.Draft202012Validator(_inlined())


def validate(doc: Any, filename: str) -> list[Problem]:
    return validate_items(doc, filename)[0]


def validate_items(doc: Any, filename: str) -> tuple[list[Problem], Any, dict[str, set[str]]]:
    """Validate a file and keep what is sound: (problems, the file without its broken items,
    the ids of the broken items by kind). One bad rule does not hide the rest of the file;
    references to a broken item are not reported again by later stages.

    What JSON cannot hold (a date, a set, bytes, a number that is not finite) or what is nested
    past any sane depth is refused first, item by item: the schema's validator and the cache
    would otherwise fail on it with a traceback."""
    foreign = _not_plain(doc, filename)
    problems = [problem for _, problem in foreign]
    broken: dict[str, set[str]] = {}
    if foreign:
        doc, broken = _clean(doc, [(path, set()) for path, _ in foreign])
        if doc is None:
            return problems, None, {}
    errors = list(_validator().iter_errors(doc))
    # jsonschema reports a missing field once per missing field, each naming them all: once each.
    problems += dict.fromkeys(p for error in errors for p in _describe(error, doc, filename))
    if not errors:
        return problems, doc, broken
    bad: list[tuple[list[Any], set[str]]] = []
    for error in errors:
        extra = set()
        if error.validator == "additionalProperties":
            extra = {k for k in error.instance if k not in error.schema.get("properties", {})}
        bad.append((list(error.absolute_path), extra))
    clean, more = _clean(doc, bad)
    for kind, ids in more.items():
        broken.setdefault(kind, set()).update(ids)
    return problems, clean, broken


def _clean(
    doc: Any, bad: list[tuple[list[Any], set[str]]]
) -> tuple[LocDict | None, dict[str, set[str]]]:
    """The document without what is at the bad paths: the item holding each (a typo'd key
    alone: the key only), else the top-level key. None when the whole file is unusable."""
    if not isinstance(doc, LocDict):
        return None, {}
    bad_items: dict[str, set[int]] = {}
    bad_keys: set[str] = set()
    unknown_keys: dict[tuple[str, int], set[str]] = {}  # a typo'd key alone: drop the key only
    for path, extra in bad:
        if not path:
            if not extra:
                return None, {}
            bad_keys.update(extra)
        elif len(path) >= 2 and isinstance(path[1], int) and path[0] in _SINGULAR:
            if len(path) == 2 and extra:
                unknown_keys.setdefault((str(path[0]), path[1]), set()).update(extra)
            else:
                bad_items.setdefault(str(path[0]), set()).add(path[1])
        else:
            bad_keys.add(str(path[0]))
    clean = LocDict()
    clean.loc, clean.key_locs, clean.value_locs = doc.loc, {}, {}
    broken: dict[str, set[str]] = {}
    for key, value in doc.items():
        items = value if isinstance(value, list) else []
        if key in bad_keys:
            broken.setdefault(key, set()).update(_ids_of(items) if key in _SINGULAR else {key})
            continue
        if key in bad_items or any(kind == key for kind, _ in unknown_keys):
            kept = LocList()
            kept.loc, kept.item_locs = value.loc, []
            for index, (item, loc) in enumerate(zip(value, value.item_locs, strict=True)):
                if index in bad_items.get(key, ()):
                    broken.setdefault(key, set()).update(_ids_of([item]))
                    continue
                kept.append(_without(item, unknown_keys.get((key, index), set())))
                kept.item_locs.append(loc)
            value = kept
        clean[key] = value
        clean.key_locs[key], clean.value_locs[key] = doc.key_locs[key], doc.value_locs[key]
    return clean, broken


# Far deeper than any real condition (the shipped rules nest 4 levels); deeper nesting would
# exhaust the stack of the validator, the cache and the engine's compiler.
MAX_DEPTH = 64

_FOREIGN = {
    "date": "a date (a !!timestamp value); write it in quotes",
    "datetime": "a date and time (a !!timestamp value); write it in quotes",
    "set": "a !!set; write a list",
    "bytes": "binary data (a !!binary value); write text",
}


def _not_plain(doc: Any, filename: str) -> list[tuple[list[Any], Problem]]:
    """Each value a rule file may not hold, with its path: anything but text, finite numbers,
    true/false, null, mappings and lists, or nesting deeper than MAX_DEPTH. Walked with a
    stack, not recursion, so no depth can crash the walk itself."""
    found: list[tuple[list[Any], Problem]] = []
    too_deep: set[tuple[Any, ...]] = set()
    stack: list[tuple[Any, list[Any], Location | None]] = [(doc, [], getattr(doc, "loc", None))]
    while stack:
        value, path, where = stack.pop()
        here = where or Location(filename)
        if len(path) > MAX_DEPTH:
            if tuple(path[:2]) not in too_deep:  # once per item
                too_deep.add(tuple(path[:2]))
                message = f"nested more than {MAX_DEPTH} levels deep; write it flatter"
                found.append((path[:2], Problem(SCHEMA, message, here)))
            continue
        if isinstance(value, dict):
            locs = getattr(value, "value_locs", {})
            for key, item in reversed(value.items()):
                stack.append((item, [*path, key], locs.get(key, here)))
        elif isinstance(value, list):
            locs = getattr(value, "item_locs", [])
            for index in reversed(range(len(value))):
                where_item = locs[index] if index < len(locs) else here
                stack.append((value[index], [*path, index], where_item))
        elif isinstance(value, float):
            if not math.isfinite(value):
                shown = ".nan" if value != value else (".inf" if value > 0 else "-.inf")
                message = f"{shown} is not a number a rule can use; write a finite number"
                found.append((path, Problem(SCHEMA, message, here)))
        elif value is not None and not isinstance(value, str | int | bool):
            kind = _FOREIGN.get(type(value).__name__, f"a {type(value).__name__} value")
            message = f"a rule file holds text, numbers, true/false, lists and mappings, not {kind}"
            found.append((path, Problem(SCHEMA, message, here)))
    return found


def _without(item: LocDict, keys: set[str]) -> LocDict:
    if not keys:
        return item
    copy = LocDict({k: v for k, v in item.items() if k not in keys})
    copy.dropped = keys  # later stages stay quiet about what the typo left missing
    copy.loc = item.loc
    copy.key_locs = {k: v for k, v in item.key_locs.items() if k not in keys}
    copy.value_locs = {k: v for k, v in item.value_locs.items() if k not in keys}
    return copy


def _ids_of(items: list[Any]) -> set[str]:
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _describe(error: Any, doc: Any, filename: str) -> list[Problem]:
    path = list(error.absolute_path)
    here = location_of(doc, path) or Location(filename)
    subject = _subject(doc, path)
    kind = error.validator
    if kind == "anyOf" and error.context:
        import jsonschema.exceptions

        return _describe(jsonschema.exceptions.best_match(error.context), doc, filename)
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        problems = []
        for key in error.instance:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            where = location_of(doc, [*path, key], key=True) or here
            problems.append(
                Problem(
                    SCHEMA,
                    f"unknown key '{key}' in {subject}{hint}; allowed: {', '.join(known)}",
                    where,
                )
            )
        return problems
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return [Problem(SCHEMA, f"{subject} is missing '{k}'", here) for k in missing]
    if kind in ("minProperties", "maxProperties") and "is" in error.schema.get("properties", {}):
        ops = ", ".join(error.schema["properties"])
        return [Problem(SCHEMA, f"{subject} takes exactly one comparison: {ops}", here)]
    if kind == "pattern":
        return [
            Problem(
                SCHEMA,
                f"{subject}: '{error.instance}' is not a valid name: use lower-case letters, "
                "digits and underscores, starting with a letter",
                here,
            )
        ]
    if kind == "propertyNames":
        bad = _first_bad_name(error.instance)
        where = (location_of(doc, [*path, bad], key=True) if bad is not None else None) or here
        return [
            Problem(
                SCHEMA,
                f"'{bad}' in {subject} is not a valid name: use lower-case letters, digits and "
                "underscores, starting with a letter",
                where or here,
            )
        ]
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [
            Problem(
                SCHEMA,
                f"{subject} must be {_plain_type(expected)} (got {_show(error.instance)})",
                here,
            )
        ]
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        close = difflib.get_close_matches(
            str(error.instance), [str(v) for v in error.validator_value], n=1, cutoff=0.6
        )
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [
            Problem(
                SCHEMA,
                f"{subject} must be one of: {allowed}; got {_show(error.instance)}{hint}",
                here,
            )
        ]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [Problem(SCHEMA, f"{subject} {error.message}", here)]
    if kind == "minLength":
        return [Problem(SCHEMA, f"{subject} must not be empty", here)]
    if kind == "minItems":
        return [Problem(SCHEMA, f"{subject} needs at least {error.validator_value} item(s)", here)]
    return [Problem(SCHEMA, f"{subject}: {error.message}", here)]


def _subject(doc: Any, path: list[str | int]) -> str:
    """Name what the path points at the way an author thinks of it: "rule 'x' field 'tier'"."""
    if not path:
        return "the file"
    words: list[str] = []
    node = doc
    for i, step in enumerate(path):
        parent = node
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int) and isinstance(path[i - 1] if i else None, str):
            name = _SINGULAR.get(str(path[i - 1]))
            ident = node.get("id") if isinstance(node, dict) else None
            if name:
                words = [f"{name} '{ident}'" if isinstance(ident, str) else f"{name} #{step + 1}"]
                continue
        if isinstance(step, str) and isinstance(parent, LocDict):
            words.append(f"'{step}'")
    return " ".join(words) or "the file"


def _first_bad_name(mapping: Any) -> str | None:
    import re

    for key in mapping:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)):
            return str(key)
    return None


def _plain_type(name: str) -> str:
    words = {
        "object": "a mapping (key: value lines)",
        "array": "a list (lines starting with '-')",
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
    }
    return " or ".join(words.get(part, part) for part in name.split(" or "))


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
