"""A validated KnowledgeBase as plain JSON data, and back: what the knowledge-base cache stores,
so a consultation skips parsing, validating and cross-checking rules that have not changed.

Decoding only ever calls the constructors of the model's own dataclasses, named in a fixed table,
and checks every field against the model's type hints first; a whole knowledge base must also
hang together (every reference names an item it holds). Anything else is an error, so a damaged
or hand-made snapshot can cost a reload but never run code or reach the engine."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Union

from triage import conditions, model
from triage.errors import Location

_CLASSES: dict[str, Any] = {
    cls.__name__: cls
    for cls in (
        model.Section,
        model.Source,
        model.Question,
        model.Finding,
        model.Group,
        model.SuggestRef,
        model.Rule,
        model.Citation,
        model.NumberSpec,
        model.Suggestion,
        model.Disagreement,
        model.TierText,
        model.TierPolicy,
        model.ResultWords,
        model.About,
        model.Disabled,
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
    name = data.get("@", "")
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise SnapshotError(f"unknown kind of item {name!r}")
    readers = _field_readers(name)
    fields = {}
    for key, item in data.items():
        if key == "@":
            continue
        read = readers.get(key)
        value = _MISFIT if read is None else read(item)
        if value is _MISFIT:
            raise SnapshotError(f"{name}.{key} does not fit the model")
        fields[key] = value
    try:
        return cls(**fields)
    except TypeError as exc:  # fields missing since the snapshot was written
        raise SnapshotError(str(exc)) from None


Check = Callable[[Any], bool]
Reader = Callable[[Any], Any]
_MISFIT = object()  # what a reader gives for data that does not fit the field


@cache
def _hints(name: str) -> dict[str, Any]:
    return typing.get_type_hints(_CLASSES[name])


@cache
def _field_checks(name: str) -> dict[str, Check]:
    hints = _hints(name)
    return {spec.name: _check(hints[spec.name]) for spec in dataclasses.fields(_CLASSES[name])}


@cache
def _field_readers(name: str) -> dict[str, Reader]:
    """For each field, a reader of its JSON: the value, checked against the field's type, or
    _MISFIT. Plain fields (text, numbers, lists of text, positions) are read and checked in one
    step; the others are decoded, then checked."""
    hints, checks = _hints(name), _field_checks(name)
    return {
        spec.name: _plain_reader(hints[spec.name]) or _checked_reader(checks[spec.name])
        for spec in dataclasses.fields(_CLASSES[name])
    }


def _checked_reader(check: Check) -> Reader:
    def read(data: Any) -> Any:
        value = decode(data)
        return value if check(value) else _MISFIT

    return read


def _plain_reader(hint: Any) -> Reader | None:
    """A reader for a field whose JSON is its value (or a list of such values): the same value
    and the same check decode() and _check() would give, without a call per item. None for
    any other kind of field."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in (str, int, bool):
        return lambda data: data if type(data) is hint else _MISFIT
    if hint is float:  # JSON writes a whole float as an int
        return lambda data: data if type(data) in (int, float) else _MISFIT
    if origin is Literal and all(isinstance(arg, str) for arg in args):
        allowed = frozenset(args)
        return lambda data: data if type(data) is str and data in allowed else _MISFIT
    if origin in (Union, types.UnionType) and set(args) <= {str, int, bool, type(None)}:
        kinds = frozenset(args)
        return lambda data: data if type(data) in kinds else _MISFIT
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] in (str, int):
        kind = args[0]
        return lambda data: (
            tuple(data)
            if type(data) is list and all(type(item) is kind for item in data)
            else _MISFIT
        )
    if hint is Location:

        def location(data: Any) -> Any:
            if type(data) is dict and "@loc" in data:
                return decode(data)
            return _MISFIT

        return location
    return None


def _check(hint: Any) -> Check:
    """A test that a decoded value has the type the model declares. Nested dataclasses were
    checked when they were built, so for them the class is enough: each value is looked at once."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        allowed = frozenset(args)
        return lambda value: isinstance(value, str) and value in allowed
    if origin in (Union, types.UnionType):
        alternatives = [_check(arg) for arg in args]
        return lambda value: any(check(value) for check in alternatives)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _check(args[0])
            return lambda value: isinstance(value, tuple) and all(each(item) for item in value)
        parts = [_check(arg) for arg in args]
        return lambda value: (
            isinstance(value, tuple)
            and len(value) == len(parts)
            and all(check(item) for check, item in zip(parts, value, strict=True))
        )
    if origin is MappingProxyType:
        key_check, value_check = (_check(arg) for arg in args)
        return lambda value: (
            isinstance(value, MappingProxyType)
            and all(key_check(k) and value_check(v) for k, v in value.items())
        )
    if hint is float:  # JSON writes a whole float as an int
        return lambda value: type(value) in (int, float)
    if hint is Location:  # where an item was written: shown in messages, never computed with
        return lambda value: type(value) is Location
    if hint is type(None):
        return lambda value: value is None
    if isinstance(hint, type):  # str, int, bool and the model's own classes, exactly
        return lambda value: type(value) is hint
    raise TypeError(f"the snapshot cannot check {hint!r}")  # a new kind of field: see the tests


def to_data(kb: model.KnowledgeBase) -> Any:
    return encode(dataclasses.replace(kb, shipped=None))  # loading attaches the shipped part


def from_data(data: Any) -> model.KnowledgeBase:
    kb = decode(data)
    if not isinstance(kb, model.KnowledgeBase) or kb.shipped is not None:
        raise SnapshotError("not a knowledge base")
    problem = _inconsistency(kb)
    if problem:
        raise SnapshotError(problem)
    return kb


def _inconsistency(kb: model.KnowledgeBase) -> str | None:
    """What a loaded knowledge base always has, and the engine and ranking rely on: every
    reference resolves, every tier has its words, every confidence is a probability."""
    if set(kb.about.tiers) != set(model.TIERS):
        return "the tiers' texts do not match the tiers"
    for tier, policy in kb.about.policy.items():
        if tier not in model.TIER_RANK or not set(policy.drop) <= set(model.TIERS):
            return f"the policy for {tier!r} names an unknown tier"
    for qid, question in kb.questions.items():
        if qid != question.id or question.section not in {s.id for s in kb.sections}:
            return f"question {qid!r} is filed wrongly"
        if question.ask_if is not None and (missing := _unknown(question.ask_if, kb)):
            return f"question {qid!r} asks if {missing}"
    for sid, suggestion in kb.suggestions.items():
        if sid != suggestion.id or not 0 <= suggestion.confidence <= 1:
            return f"suggestion {sid!r} is damaged"
        if any(c.source not in kb.sources for c in suggestion.sources):
            return f"suggestion {sid!r} cites an unknown source"
        if suggestion.unless is not None and (missing := _unknown(suggestion.unless, kb)):
            return f"suggestion {sid!r} does not apply if {missing}"
    for rule in kb.rules:
        if (missing := _unknown(rule.when, kb)) or any(
            ref.id not in kb.suggestions for ref in rule.suggest
        ):
            return f"rule {rule.id!r} names {missing or 'an unknown suggestion'}"
        if any(f not in kb.findings for f in rule.conclude):
            return f"rule {rule.id!r} concludes an unknown finding"
        if rule.confidence is not None and not 0 <= rule.confidence <= 1:
            return f"rule {rule.id!r} has a confidence that is not a probability"
    for gid, group in kb.groups.items():
        if gid != group.id or any(
            q not in kb.questions or kb.questions[q].group != gid for q in group.questions
        ):
            return f"group {gid!r} names a question it does not hold"
    for disagreement in kb.disagreements:
        if any(s not in kb.suggestions for s in (disagreement.prefer, *disagreement.over)):
            return f"disagreement {disagreement.id!r} names an unknown suggestion"
    return None


def _unknown(condition: conditions.Condition, kb: model.KnowledgeBase) -> str | None:
    for test, _ in conditions.leaves(condition):
        if isinstance(test, conditions.AnswerTest) and test.question not in kb.questions:
            return f"unknown question {test.question!r}"
        if isinstance(test, conditions.FindingTest) and test.finding not in kb.findings:
            return f"unknown finding {test.finding!r}"
    return None
