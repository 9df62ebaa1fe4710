"""The planner's three-valued evaluation agrees with the engine and chooses what to ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
