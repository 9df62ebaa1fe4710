"""The planner's three-valued evaluation agrees with the engine and chooses what to ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import answers
from triage.engine import Engine
from triage.model import KnowledgeBase, Question
from triage.relevance import Evaluation, Planner, Progress


def answer_for(question: Question) -> st.SearchStrategy[Any]:
    if question.type == "yes_no":
        return st.sampled_from(["yes", "no", "unsure"])
    if question.type == "one_of":
        return st.sampled_from(question.choice_ids)
    if question.type == "many_of":
        return st.lists(st.sampled_from(question.choice_ids), unique=True).map(tuple)
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 500
    return st.integers(int(low), int(high))


@st.composite
def complete_answers(draw: st.DrawFn, kb: KnowledgeBase) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for question in kb.questions.values():
        if draw(st.booleans()):
            chosen[question.id] = draw(answer_for(question))
    return chosen


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_with_every_question_settled_the_planner_and_the_engine_agree(
    data: st.DataObject, shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    chosen = data.draw(complete_answers(shipped))
    progress = Progress(dict(chosen), set(shipped.questions) - set(chosen))
    evaluation = Evaluation(shipped, progress)
    certain = {rule.id for rule in shipped.rules if evaluation.rule(rule) is True}
    assert all(evaluation.rule(rule) is not None for rule in shipped.rules)
    fired = set(shipped_engine.consult(answers.Answers(chosen)).order)
    assert certain == fired


def test_unanswered_questions_leave_rules_open_and_nothing_settled(shipped: KnowledgeBase) -> None:
    planner = Planner(shipped, always_ask=frozenset({"red_flags"}))
    progress = Progress()
    assert planner.settled_tier(progress) in (None, "self_care")
    assert planner.next_question(progress).id == "saddle_numbness"  # type: ignore[union-attr]
    progress.values["saddle_numbness"] = "yes"
    assert planner.settled_tier(progress) == "emergency"


def test_a_question_only_used_by_a_suggestions_numbers_is_still_asked(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        """
questions:
  - {id: weight, ask: Working weight?, type: number, unit: weight, why: W.}
suggestions:
  - {id: lighter, tier: training, text: Go lighter., personal: "About {half}.",
     numbers: {half: {of: weight, times: 0.5}}, confidence: 0.5, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
rules: [{id: r, when: {}, suggest: lighter}]
""",
    )
    planner = Planner(kb)
    assert planner.next_question(Progress()).id == "weight"  # type: ignore[union-attr]


CYCLE = """
questions:
  - {id: p, ask: P?, type: yes_no, why: W.}
  - {id: q, ask: Q?, type: yes_no, why: W.}
  - {id: r, ask: R?, type: yes_no, why: W.}
  - {id: n, ask: N?, type: number, unit: days, why: W.}
findings:
  - {id: a, means: A.}
  - {id: b, means: B.}
  - {id: c, means: C.}
  - {id: d, means: D.}
suggestions:
  - {id: s1, tier: urgent, text: S1., confidence: 0.5, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: s2, tier: self_care, text: S2., confidence: 0.5, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
rules:
  - {id: ra, when: {any: [{p: yes}, {finding: b}]}, conclude: a}
  - {id: rb, when: {finding: a, q: yes}, conclude: b}
  - {id: rc, when: {finding: b}, conclude: c, suggest: s1}
  - {id: rd, when: {r: yes, n: {at_least: 3}}, conclude: d}
  - {id: re, when: {finding: d, not: {q: no}}, suggest: s2}
"""


@st.composite
def answer_steps(draw: st.DrawFn, kb: KnowledgeBase) -> list[tuple[str, Any]]:
    """A questionnaire's worth of steps: each answers a question, leaves it blank (None) or
    changes an earlier answer."""
    ids = list(kb.questions)
    return draw(
        st.lists(
            st.sampled_from(ids).flatmap(
                lambda q: st.tuples(st.just(q), st.none() | answer_for(kb.questions[q]))
            ),
            max_size=25,
        )
    )


@pytest.mark.parametrize("which", ["shipped", "cycle"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_what_the_planner_carries_from_one_step_to_the_next_changes_nothing(
    data: st.DataObject, which: str, shipped: KnowledgeBase, tmp_path_factory: Any
) -> None:
    """Statuses carried over between steps (their questions unchanged) give the same choices
    as evaluating every state afresh, with findings that conclude each other in a cycle too."""
    kb = shipped if which == "shipped" else _cycle_kb(tmp_path_factory)
    carrying = Planner(kb, always_ask=frozenset({"red_flags"}))
    progress = Progress()
    for question, value in data.draw(answer_steps(kb)):
        progress.values.pop(question, None)
        progress.blank.discard(question)
        if value is None:
            progress.blank.add(question)
        else:
            progress.values[question] = value
        fresh = Planner(kb, always_ask=frozenset({"red_flags"}))
        assert carrying.settled_tier(progress) == fresh.settled_tier(progress)
        assert carrying.open_questions(progress) == fresh.open_questions(progress)
        assert carrying.next_question(progress) == fresh.next_question(progress)
        assert carrying.stale(progress) == fresh.stale(progress)


_CYCLE_KB: list[KnowledgeBase] = []


def _cycle_kb(tmp_path_factory: Any) -> KnowledgeBase:
    if not _CYCLE_KB:
        _CYCLE_KB.append(make_kb(tmp_path_factory.mktemp("cycle"), CYCLE))
    return _CYCLE_KB[0]
