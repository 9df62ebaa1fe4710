"""Answers files: every problem is one line naming the question and what it accepts."""

from __future__ import annotations

import pytest

from triage import answers
from triage.errors import AnswersError
from triage.model import KnowledgeBase


def messages(kb: KnowledgeBase, text: bytes | str) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(AnswersError) as caught:
        answers.read_bytes(raw, "a.yaml", kb)
    return [f"{p.location}: {p.message}" for p in caught.value.problems]


def test_an_unknown_question_is_named_with_the_nearest_real_one(shipped: KnowledgeBase) -> None:
    assert messages(shipped, "fever: no\nfevr: yes\n") == [
        "a.yaml:2:1: unknown question 'fevr' (did you mean 'fever'?); "
        "'spasm-triage questions' lists them all"
    ]


def test_a_value_outside_the_choices_lists_what_is_allowed(shipped: KnowledgeBase) -> None:
    assert messages(shipped, "leg_symptoms: both\n") == [
        "a.yaml:1:1: 'leg_symptoms' must be one of: none, one_leg_above_knee, one_leg_below_knee, "
        "both_legs (got 'both')"
    ]
    assert messages(shipped, "fever: maybe\n") == [
        "a.yaml:1:1: 'fever' must be yes, no or unsure (got 'maybe')"
    ]
    assert messages(shipped, "lifts: [deadlift, deadlfit]\n") == [
        "a.yaml:1:1: 'lifts' must be any of: deadlift, stiff_legged_deadlift, rdl, good_morning, "
        "clean, squat, bench, row, overhead_press (got 'deadlfit') (did you mean 'deadlift'?)"
    ]


def test_a_non_number_for_a_number_says_which_unit(shipped: KnowledgeBase) -> None:
    assert messages(shipped, "age: forty\n") == [
        "a.yaml:1:1: 'age' needs a number of years (got 'forty')"
    ]
    assert messages(shipped, "age: 7 weeks\n") == ["a.yaml:1:1: 'age' is in years (got '7 weeks')"]
    assert messages(shipped, "age: 300\n") == [
        "a.yaml:1:1: 'age' must be from 12 to 110 years (got 300)"
    ]
    assert messages(shipped, "pain_now: 11\n") == [
        "a.yaml:1:1: 'pain_now' is a whole number from 0 to 10 (got 11)"
    ]
    assert messages(shipped, "working_weight: 140\n") == [
        "a.yaml:1:1: 'working_weight' is a weight: give its unit, e.g. '140 kg' or '140 lb' "
        "(or answer the unit question)"
    ]


def test_every_problem_in_the_file_is_reported_at_once(shipped: KnowledgeBase) -> None:
    assert len(messages(shipped, "fevr: yes\nage: old\nleg_symptoms: both\n")) == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"",
            "a.yaml: the file is empty: write question ids with answers, e.g. 'fever: no' "
            "('spasm-triage questions' lists them)",
        ),
        (
            b"- fever\n- no\n",
            "a.yaml: expected question ids mapped to answers, e.g. 'fever: no'; got a list",
        ),
        (
            b"\xff\xfe\x00garbage",
            "a.yaml:1:1: not UTF-8 text (bad byte 0xff); save the file as UTF-8",
        ),
        (b"fever: !!python/object/apply:os.system ['echo hacked']\n", None),
        (
            b"a" * 1_000_001,
            "a.yaml: too large for an answers file (1.0 MB); it should map question ids "
            "to answers, one per line",
        ),
    ],
)
def test_unusable_files_get_one_clear_line(
    shipped: KnowledgeBase, raw: bytes, expected: str | None
) -> None:
    found = messages(shipped, raw)
    assert len(found) == 1
    if expected is None:  # a Python-object tag is refused as YAML, never constructed
        assert found[0].startswith("a.yaml:1:8: YAML syntax:")
    else:
        assert found == [expected]


def test_accepted_forms_are_normalized(shipped: KnowledgeBase) -> None:
    given = answers.read_bytes(
        b"fever: No\nsaddle_numbness: false\nage: '52 years'\nworking_weight: 310 lbs\n"
        b"lifts: deadlift\npain_now: 7/10\nleg_symptoms: NONE\r\n",
        "a.yaml",
        shipped,
    )
    assert given.values["fever"] == "no"
    assert given.values["saddle_numbness"] == "no"
    assert given.values["age"] == 52
    assert given.values["working_weight"] == pytest.approx(140.6, abs=0.1)  # kept in kg
    assert given.weight_units == {"working_weight": "lb"}
    assert given.values["lifts"] == ("deadlift",)
    assert given.values["pain_now"] == 7
    assert given.values["leg_symptoms"] == "none"


def test_blank_answers_mean_unknown(shipped: KnowledgeBase) -> None:
    given = answers.read_bytes(b"fever:\nlifts: []\nage: ''\n", "a.yaml", shipped)
    assert dict(given.values) == {}
