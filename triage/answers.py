"""Read an answers file (YAML or JSON: question id -> answer) and check it against the questions.

Every problem is reported with its line and what the question accepts; nothing is guessed. A
missing or empty answer means unknown. Weights are kept in kg for comparisons, with the unit the
user gave remembered, so advice comes back in their unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.conditions import YES_NO
from triage.errors import AnswersError, Location, Problem, did_you_mean
from triage.knowledge.located import LocDict, location_of
from triage.model import WEIGHT_UNITS, KnowledgeBase, Question

Value = str | int | float | tuple[str, ...]

MAX_BYTES = 1_000_000  # an answers file is a few dozen lines; anything near this is a wrong file
LB_PER_KG = 2.20462262185
_NUMBER = re.compile(
    r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)?\s*(?:/\s*10)?\s*$"
)
# Far beyond any answer (a weight, an age, hours): a longer number is a slip of the keyboard,
# and past 4,300 digits Python refuses to convert it at all.
_MAX_DIGITS = 20
_UNIT_WORDS = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
}
CODE = "A001"


@dataclass(frozen=True)
class Answers:
    """Checked answers, normalized (weights in kg), with the unit each weight was given in."""

    values: Mapping[str, Value]
    weight_units: Mapping[str, str] = field(default_factory=dict)  # question id -> 'kg' or 'lb'
    source: str = "answers"


class MistakenAnswers(AnswersError):
    """Some answers in a file are wrong; `readable` holds the ones that could be read, so a
    warning sign among them is still shown (the consultation cannot stay silent on it)."""

    def __init__(self, problems: list[Problem], readable: Answers, unread: list[str]) -> None:
        super().__init__(problems)
        self.readable = readable
        self.unread = unread  # questions whose answers could not be read
        self.shown = False  # set once the readable answers' urgent advice has been shown


def read_path(path: str, kb: KnowledgeBase) -> Answers:
    """An answers file by its path, or standard input for '-'."""
    import sys
    from pathlib import Path

    from triage.files import TooLarge, read_bounded, read_stream

    name = "<stdin>" if path == "-" else path
    if not path:
        raise _error(
            "--answers", "no file named: give the answers file's path, or '-' to read stdin"
        )
    try:
        if path != "-":
            raw = read_bounded(Path(path), MAX_BYTES)
        elif sys.stdin is None:  # closed by the caller: nothing to read
            raw = b""
        else:
            raw = read_stream(sys.stdin.buffer, MAX_BYTES)
    except OSError as exc:
        raise _error(name, f"cannot read the answers file: {exc.strerror or exc}") from None
    except TooLarge as exc:
        raise _too_large(name, exc.describe(MAX_BYTES)) from None
    return read_bytes(raw, name, kb)


def _too_large(filename: str, size: str) -> AnswersError:
    return _error(
        filename,
        f"too large for an answers file ({size}); it should map question ids to answers, "
        "one per line",
    )


def read_bytes(raw: bytes, filename: str, kb: KnowledgeBase) -> Answers:
    if len(raw) > MAX_BYTES:
        raise _too_large(filename, f"{len(raw) / 1e6:.1f} MB")
    # Kept as written: a control character in an answer is refused and shown escaped, not
    # silently dropped (the text never reaches the screen raw: messages escape it).
    from triage.knowledge.yaml_reader import (
        load_bytes,  # PyYAML: only when a file of answers is read
    )

    data, problems = load_bytes(raw, filename, strip=False)
    if problems:
        raise AnswersError(problems)
    if data is None:
        raise _error(
            filename,
            "the file is empty: write question ids with answers, e.g. 'fever: no' "
            "('spasm-triage questions' lists them)",
        )
    if not isinstance(data, Mapping):
        raise _error(
            filename,
            "expected question ids mapped to answers, e.g. 'fever: no'; got "
            f"{'a list' if isinstance(data, list) else 'a single value'}",
        )
    return from_mapping(data, kb, filename)


def from_mapping(data: Mapping[str, Any], kb: KnowledgeBase, filename: str = "answers") -> Answers:
    problems: list[Problem] = []
    values: dict[str, Value] = {}
    units: dict[str, str] = {}
    unread: list[str] = []

    def where(key: str) -> Location:
        found = location_of(data, [key], key=True) if isinstance(data, LocDict) else None
        return found or Location(filename)

    unit_question = kb.about.weight_unit_question
    default_unit = data.get(unit_question) if unit_question else None
    for key, raw in data.items():
        question = kb.questions.get(key)
        if question is None:
            problems.append(
                Problem(
                    CODE,
                    f"unknown question '{key}'{did_you_mean(key, kb.questions)}; "
                    "'spasm-triage questions' lists them all",
                    where(key),
                )
            )
            continue
        if raw is None or raw == "" or raw == []:
            continue  # left blank: unknown
        try:
            value, unit = normalize(question, raw, default_unit)
        except ValueError as exc:
            problems.append(Problem(CODE, str(exc), where(key)))
            unread.append(key)
            continue
        values[key] = value
        if unit:
            units[key] = unit
    if problems:
        raise MistakenAnswers(problems, Answers(values, units, filename), unread)
    return Answers(values, units, filename)


def normalize(question: Question, raw: Any, default_unit: Any = None) -> tuple[Value, str | None]:
    """One answer in its exact form, or ValueError saying what the question accepts."""
    qid, qtype = question.id, question.type
    if qtype == "yes_no":
        if isinstance(raw, bool):
            return ("yes" if raw else "no"), None
        word = str(raw).strip().lower()
        if word in YES_NO:
            return word, None
        raise ValueError(f"'{qid}' must be yes, no or unsure (got {_show(raw)})")
    if qtype == "one_of":
        return _choice(question, raw), None
    if qtype == "many_of":
        items = raw if isinstance(raw, list) else [raw]
        chosen = [_choice(question, item) for item in items]
        return tuple(dict.fromkeys(chosen)), None
    if qtype == "scale":
        number, _ = _number(question, raw)
        if number != int(number) or not 0 <= number <= 10:
            raise ValueError(f"'{qid}' is a whole number from 0 to 10 (got {_show(raw)})")
        return int(number), None
    number, unit = _number(question, raw)
    if question.is_weight:
        if unit is None and str(default_unit).lower() in WEIGHT_UNITS:
            unit = str(default_unit).lower()
        if unit is None:
            raise ValueError(
                f"'{qid}' is a weight: give its unit, e.g. '{number:g} kg' or "
                f"'{number:g} lb' (or answer the unit question)"
            )
        number = number / LB_PER_KG if unit == "lb" else number
    _check_range(question, number, raw)
    return (int(number) if number == int(number) else number), unit


def _choice(question: Question, raw: Any) -> str:
    allowed = question.choice_ids
    word = str(raw).strip()
    if isinstance(raw, bool):
        word = "yes" if raw else "no"
    for choice in allowed:
        if word.lower() == choice.lower():
            return choice
    changed = dict(question.retired).get(word)
    if changed is not None:  # a file of an earlier wording: say what changed, not just "no"
        raise ValueError(
            f"'{question.id}' no longer has the choice {_show(raw)}: {changed} "
            f"(choices now: {', '.join(allowed)})"
        )
    raise ValueError(
        f"'{question.id}' must be {'one' if question.type == 'one_of' else 'any'} of: "
        f"{', '.join(allowed)} (got {_show(raw)}){did_you_mean(word, allowed)}"
    )


def _number(question: Question, raw: Any) -> tuple[float, str | None]:
    unit_words = f" of {question.unit}" if question.unit and not question.is_weight else ""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"'{question.id}' needs a number{unit_words} (got {_show(raw)})")
    too_long = (isinstance(raw, str) and sum(c.isdigit() for c in raw) > _MAX_DIGITS) or (
        isinstance(raw, int) and abs(raw) >= 10**_MAX_DIGITS
    )
    if too_long:
        _check_range(question, float("-inf" if str(raw).lstrip().startswith("-") else "inf"), raw)
        raise ValueError(f"'{question.id}' needs a finite number (got {_show(raw)})")
    if isinstance(raw, int | float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(f"'{question.id}' needs a finite number (got {_show(raw)})")
        return float(raw), None
    match = _NUMBER.match(raw)
    if not match:
        raise ValueError(f"'{question.id}' needs a number{unit_words} (got {_show(raw)})")
    number, unit = float(match.group(1)), match.group(2)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"'{question.id}' needs a finite number (got {_show(raw)})")
    if unit is None:
        return number, None
    if question.is_weight:
        if unit.lower() not in _UNIT_WORDS:
            raise ValueError(f"'{question.id}' is a weight in kg or lb (got {_show(raw)})")
        return number, _UNIT_WORDS[unit.lower()]
    expected = (question.unit or "").lower()
    if unit.lower().rstrip("s") != expected.rstrip("s"):
        raise ValueError(
            f"'{question.id}' is in {question.unit or 'plain numbers'} (got {_show(raw)})"
        )
    return number, None


def _check_range(question: Question, number: float, raw: Any) -> None:
    low, high = question.min, question.max
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"from {low:g}" if low is not None else ""
        span += f" to {high:g}" if high is not None else " upwards"
        unit = " kg" if question.is_weight else f" {question.unit}" if question.unit else ""
        raise ValueError(f"'{question.id}' must be {span.strip()}{unit} (got {_show(raw)})")


def _show(raw: Any) -> str:
    if isinstance(raw, Mapping):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**_MAX_DIGITS:
        return f"a number of more than {_MAX_DIGITS} digits"
    if isinstance(raw, str) and (digits := sum(c.isdigit() for c in raw)) > _MAX_DIGITS:
        return f"a number of {digits} digits"
    text = (
        repr(raw)
        if isinstance(raw, str)
        else str(raw).lower()
        if isinstance(raw, bool)
        else str(raw)
    )
    return text if len(text) <= 60 else text[:57] + "..."


def _error(filename: str, message: str) -> AnswersError:
    return AnswersError([Problem(CODE, message, Location(filename))])


def in_words(
    kb: KnowledgeBase, values: Mapping[str, Value], units: Mapping[str, str]
) -> dict[str, Any]:
    """Answers as the user gave them, JSON-ready: weights back in their unit, choices as lists.
    `from_mapping` reads this back to the same values."""
    plain: dict[str, Any] = {}
    for qid, value in values.items():
        if kb.questions[qid].is_weight and isinstance(value, int | float):
            unit = units.get(qid, "kg")
            plain[qid] = f"{display_weight(value, unit):g} {unit}"
        else:
            plain[qid] = list(value) if isinstance(value, tuple) else value
    return plain


def display_weight(kg: float, unit: str) -> float:
    return kg * LB_PER_KG if unit == "lb" else kg
