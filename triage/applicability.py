"""Whether a condition holds once a consultation is over: on the answers given and the findings
the rules concluded. It is how a suggestion's `unless` (when it does not apply) is decided."""

from __future__ import annotations

from collections.abc import Collection

from triage.answers import Answers
from triage.conditions import All, AnswerTest, AnyOf, Condition, FindingTest, Not
from triage.relevance import test_answer


def holds(cond: Condition, answers: Answers, concluded: Collection[str]) -> bool:
    """As the engine reads a condition: an unanswered question matches no test, so `not` holds
    for it; a finding holds when some rule concluded it."""
    if isinstance(cond, All):
        return all(holds(part, answers, concluded) for part in cond.parts)
    if isinstance(cond, AnyOf):
        return any(holds(part, answers, concluded) for part in cond.parts)
    if isinstance(cond, Not):
        return not holds(cond.part, answers, concluded)
    if isinstance(cond, FindingTest):
        return cond.finding in concluded
    assert isinstance(cond, AnswerTest)
    value = answers.values.get(cond.question)
    return value is not None and test_answer(cond, value)
