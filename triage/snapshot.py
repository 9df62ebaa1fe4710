"""A validated KnowledgeBase as plain JSON data, and back: what the knowledge-base cache stores,
so a consultation skips parsing, validating and cross-checking rules that have not changed.

Decoding only ever calls the constructors of the model's own dataclasses, named in a fixed table;
anything else in the data is an error, so a damaged or hand-made snapshot can cost a reload but
never run code."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

from triage import conditions, model
from triage.errors import Location

_CLASSES: dict[str, Any] = {
    cls.__name__: cls
    for cls in (
        model.Section,
        model.Source,
        model.Question,
        model.Finding,
        model.SuggestRef,
        model.Rule,
        model.Citation,
        model.NumberSpec,
        model.Suggestion,
        model.Disagreement,
        model.TierText,
        model.About,
        model.KnowledgeBase,
        conditions.AnswerTest,
        conditions.FindingTest,
        conditions.All,
        conditions.AnyOf,
        conditions.Not,
    )
}
# Tagged forms: {"@": class name, field: value, ...}, {"@map": {...}} and {"@loc": [...]}.
# JSON has no tuples, so every list decodes as a tuple: the model holds no lists.


class SnapshotError(ValueError):
    """The data is not a snapshot this version can read."""


def encode(value: Any) -> Any:
    if isinstance(value, Location):
        return {"@loc": list(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__name__ not in _CLASSES:
            raise SnapshotError(f"{type(value).__name__} is not part of the model")
        out = {"@": type(value).__name__}
        for spec in dataclasses.fields(value):
            out[spec.name] = encode(getattr(value, spec.name))
        return out
    if isinstance(value, MappingProxyType):
        return {"@map": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    raise SnapshotError(f"cannot store a {type(value).__name__}")


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return tuple(decode(item) for item in data)
    if not isinstance(data, dict):
        return data
    if "@loc" in data:
        return Location(*data["@loc"])
    if "@map" in data:
        return MappingProxyType({key: decode(item) for key, item in data["@map"].items()})
    cls = _CLASSES.get(data.get("@", ""))
    if cls is None:
        raise SnapshotError(f"unknown kind of item {data.get('@')!r}")
    try:
        return cls(**{key: decode(item) for key, item in data.items() if key != "@"})
    except TypeError as exc:  # fields added or removed since the snapshot was written
        raise SnapshotError(str(exc)) from None


def to_data(kb: model.KnowledgeBase) -> Any:
    return encode(kb)


def from_data(data: Any) -> model.KnowledgeBase:
    kb = decode(data)
    if not isinstance(kb, model.KnowledgeBase):
        raise SnapshotError("not a knowledge base")
    return kb
