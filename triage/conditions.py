"""The condition language of `when` and `ask_if`: parse located YAML into a small tree, then
resolve it against the questions (checking every value a rule compares with)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from triage.errors import (
    NOT_A_CHOICE,
    UNKNOWN_REFERENCE,
    WRONG_COMPARISON,
    Location,
    Problem,
    did_you_mean,
)
from triage.knowledge.located import LocDict, LocList

Scalar = str | int | float

NUMBER_OPS = ("at_least", "at_most", "more_than", "less_than")
YES_NO = ("yes", "no", "unsure")  # the answers a yes_no question takes
WORDS = frozenset({"all", "any", "not", "finding"})


# Each comparison in words, as explain and the graph say it.
OP_WORDS = {
    "is": "is",
    "one_of": "is one of",
    "includes": "includes",
    "includes_any": "includes any of",
    "at_least": "is at least",
    "at_most": "is at most",
    "more_than": "is more than",
    "less_than": "is less than",
}


@dataclass(frozen=True)
class AnswerTest:
    """A test on one question's answer: `op` compares it with `value`."""

    question: str
    op: str  # is, one_of, includes, includes_any, or one of NUMBER_OPS
    value: Scalar | tuple[Scalar, ...]
    location: Location = field(compare=False)


@dataclass(frozen=True)
class FindingTest:
    """Holds when a rule has concluded the finding."""

    finding: str
    location: Location = field(compare=False)


@dataclass(frozen=True)
class All:
    """Holds when every part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one part holds; with no parts, never."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when the part is not known to hold."""

    part: Condition


Condition = Union[AnswerTest, FindingTest, All, AnyOf, Not]  # noqa: UP007 (a runtime alias)


def parse(data: Any, where: Location) -> Condition:
    """Build the tree from schema-valid data (the JSON Schema has already checked the shapes)."""
    if isinstance(data, list):
        locs = data.item_locs if isinstance(data, LocList) else [where] * len(data)
        return _all([parse(item, loc) for item, loc in zip(data, locs, strict=True)])
    parts: list[Condition] = []
    for key, value in data.items():
        loc = data.value_locs[key] if isinstance(data, LocDict) else where
        key_loc = data.key_locs[key] if isinstance(data, LocDict) else where
        if key == "all":
            parts.append(parse(value, loc))
        elif key == "any":
            locs = value.item_locs if isinstance(value, LocList) else [loc] * len(value)
            parts.append(AnyOf(tuple(parse(v, vl) for v, vl in zip(value, locs, strict=True))))
        elif key == "not":
            parts.append(Not(parse(value, loc)))
        elif key == "finding":
            names = value if isinstance(value, list) else [value]
            parts.extend(FindingTest(name, loc) for name in names)
        else:
            parts.append(_answer_test(key, value, key_loc))
    return _all(parts)


def _all(parts: list[Condition]) -> Condition:
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _answer_test(question: str, value: Any, loc: Location) -> AnswerTest:
    if isinstance(value, Mapping):
        ((op, arg),) = value.items()
        if isinstance(arg, list):
            return AnswerTest(question, op, tuple(arg), loc)
        return AnswerTest(question, op, arg, loc)
    if isinstance(value, list):
        return AnswerTest(question, "one_of", tuple(value), loc)
    return AnswerTest(question, "is", value, loc)


def resolve(
    cond: Condition,
    questions: Mapping[str, Any],
    findings: Mapping[str, Any],
    problems: list[Problem],
    skip: Collection[str] = (),
) -> Condition:
    """Check names and values against the questions, and write every test in its exact form:
    booleans become yes/no, `is`/`one_of` on a many_of question become `includes`/`includes_any`.
    Names in `skip` belong to items whose own errors were reported: they are not checked."""
    if isinstance(cond, All):
        return All(tuple(resolve(p, questions, findings, problems, skip) for p in cond.parts))
    if isinstance(cond, AnyOf):
        return AnyOf(tuple(resolve(p, questions, findings, problems, skip) for p in cond.parts))
    if isinstance(cond, Not):
        return Not(resolve(cond.part, questions, findings, problems, skip))
    if isinstance(cond, FindingTest):
        if cond.finding not in findings and cond.finding not in skip:
            problems.append(
                Problem(
                    UNKNOWN_REFERENCE,
                    f"unknown finding '{cond.finding}'{did_you_mean(cond.finding, findings)}",
                    cond.location,
                )
            )
        return cond
    if cond.question in skip:
        return cond
    return _resolve_answer_test(cond, questions, problems)


def _resolve_answer_test(
    test: AnswerTest, questions: Mapping[str, Any], problems: list[Problem]
) -> AnswerTest:
    question = questions.get(test.question)
    if question is None:
        hint = did_you_mean(test.question, questions)
        if test.question in WORDS:
            hint = ""
        problems.append(
            Problem(UNKNOWN_REFERENCE, f"unknown question '{test.question}'{hint}", test.location)
        )
        return test
    qtype: str = question.type
    op, value = test.op, test.value
    values = value if isinstance(value, tuple) else (value,)

    def bad(code: str, message: str) -> AnswerTest:
        problems.append(Problem(code, message, test.location))
        return test

    if op in NUMBER_OPS:
        if qtype not in ("number", "scale"):
            return bad(
                WRONG_COMPARISON,
                f"'{op}' compares numbers, but '{test.question}' is a {qtype} question; "
                f"compare it with one of: {', '.join(_allowed(question))}",
            )
        return test
    if qtype in ("number", "scale"):
        if op in ("includes", "includes_any"):
            return bad(
                WRONG_COMPARISON, f"'{op}' needs a many_of question; '{test.question}' is {qtype}"
            )
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return bad(
                WRONG_COMPARISON,
                f"'{test.question}' is a {qtype} question: compare it with a number "
                "or at_least / at_most / more_than / less_than",
            )
        return test
    if qtype == "yes_no":
        values = tuple(_yes_no_word(v) for v in values)
    allowed = _allowed(question)
    for v in values:
        if v not in allowed:
            return bad(
                NOT_A_CHOICE,
                f"'{v}' is not a choice of '{test.question}'{did_you_mean(str(v), allowed)}; "
                f"choices: {', '.join(allowed)}",
            )
    if qtype == "many_of":
        op = {"is": "includes", "one_of": "includes_any"}.get(op, op)
    elif op in ("includes", "includes_any"):
        return bad(
            WRONG_COMPARISON,
            f"'{op}' needs a many_of question; '{test.question}' is {qtype}: "
            "use a value, or a list for one of several",
        )
    single = op in ("is", "includes")
    return AnswerTest(test.question, op, values[0] if single else values, test.location)


def _yes_no_word(value: Scalar) -> Scalar:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _allowed(question: Any) -> tuple[str, ...]:
    if question.type == "yes_no":
        return YES_NO
    if question.type in ("number", "scale"):
        return NUMBER_OPS
    return tuple(question.choice_ids)


def leaves(
    cond: Condition, negated: bool = False
) -> Iterator[tuple[AnswerTest | FindingTest, bool]]:
    """Every test in a condition, with whether it stands under an odd number of `not`s."""
    if isinstance(cond, AnswerTest | FindingTest):
        yield cond, negated
    elif isinstance(cond, All | AnyOf):
        for part in cond.parts:
            yield from leaves(part, negated)
    else:
        yield from leaves(cond.part, not negated)


def negation_normal_form(cond: Condition, negate: bool = False) -> Condition:
    """Push every `not` down onto a single test (De Morgan), the form the engine compiles."""
    if isinstance(cond, Not):
        return negation_normal_form(cond.part, not negate)
    if isinstance(cond, All):
        parts = tuple(negation_normal_form(p, negate) for p in cond.parts)
        return AnyOf(parts) if negate else All(parts)
    if isinstance(cond, AnyOf):
        parts = tuple(negation_normal_form(p, negate) for p in cond.parts)
        return All(parts) if negate else AnyOf(parts)
    return Not(cond) if negate else cond
