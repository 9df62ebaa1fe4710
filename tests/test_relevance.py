"""The planner's three-valued evaluation agrees with the engine, and the unfinished-questionnaire
file keeps answers safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import make_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import answers, unfinished
from triage.engine import Engine
from triage.errors import AnswersError
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


def test_the_unfinished_file_round_trips_and_is_readable_by_its_owner_only(
    shipped: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(unfinished.ENV, str(tmp_path / "state"))
    progress = Progress(
        {"fever": "no", "lifts": ("deadlift", "squat"), "working_weight": 140.0},
        {"age"},
        {"working_weight": "kg"},
    )
    unfinished.save(progress, shipped)
    mode = stat.S_IMODE(os.stat(unfinished.path()).st_mode)
    assert mode == 0o600
    loaded = unfinished.load(shipped)
    assert loaded is not None
    back, when = loaded
    assert back.values == {"fever": "no", "lifts": ("deadlift", "squat"), "working_weight": 140}
    assert back.blank == {"age"} and back.weight_units == {"working_weight": "kg"}
    assert when
    unfinished.clear()
    assert unfinished.load(shipped) is None


def test_a_saved_file_that_no_longer_fits_is_reported_and_kept(
    shipped: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(unfinished.ENV, str(tmp_path))
    unfinished.path().write_text("answers:\n  fever: perhaps\n")
    with pytest.raises(AnswersError, match="'fever' must be yes, no or unsure"):
        unfinished.load(shipped)
    assert unfinished.path().exists()  # never deleted: nothing the user typed is lost
    unfinished.path().write_bytes(b"\xff\xfe garbage")
    with pytest.raises(AnswersError, match="not UTF-8"):
        unfinished.load(shipped)
