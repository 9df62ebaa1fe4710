"""A person's answers replayed through the questionnaire: which prompts they would see.

The replay runs the questionnaire's own flow (triage/interview.py) with a frontend that answers
each prompt from the given answers instead of a keyboard, so it asks exactly what the terminal
questionnaire asks, in the same order, and stops where it stops. A question the answers do not
answer is left blank, as a person would leave it. Nothing is read from or written to the journal:
journal questions take their value from the answers, or stay blank.

What counts as a prompt: each question shown (the weight-unit question included), and the
review's "See my advice / Change an answer" choice, shown unless an emergency ended the
questions. The intro, section headings and the urgent banner are read, not answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage import ranking
from triage.answers import Answers
from triage.interview import Interview, planner_for, settle_journal_questions
from triage.model import KnowledgeBase, Question
from triage.relevance import Progress


@dataclass(frozen=True)
class Replay:
    """What the questionnaire showed for one set of answers."""

    asked: tuple[str, ...]  # the questions prompted, in order
    blank: tuple[str, ...]  # prompted, but not in the answers: left blank
    reviewed: bool  # the review prompt was shown (no emergency ended the questions)
    progress: Progress = field(compare=False)  # the answers as the questionnaire ended

    @property
    def prompts(self) -> int:
        return len(self.asked) + self.reviewed

    @property
    def emergency_stop(self) -> bool:
        return not self.reviewed


class _Script:
    """A frontend that answers from given answers and notes every prompt."""

    def __init__(self, kb: KnowledgeBase, given: Answers) -> None:
        self.kb, self.given = kb, given
        self.asked: list[str] = []
        self.blank: list[str] = []
        self.reviewed = False

    def ask(self, question: Question, progress: Progress) -> tuple[Any, str | None]:
        self.asked.append(question.id)
        value = self.given.values.get(question.id)
        if value is None and question.id == self.kb.about.weight_unit_question:
            value = self._unit_of_weights(question)
        if value is None:
            self.blank.append(question.id)
            return None, None
        return value, self.given.weight_units.get(question.id)

    def _unit_of_weights(self, question: Question) -> str | None:
        # Answers may carry the unit with a weight ("140 kg"); asked for the unit first, the
        # person would give that one.
        units = set(self.given.weight_units.values())
        unit = units.pop() if len(units) == 1 else None
        return unit if unit in question.choice_ids else None

    def section(self, title: str) -> None:
        pass

    def urgent(self, result: Callable[[], ranking.Result]) -> None:
        pass

    def review(self, progress: Progress) -> str | None:
        self.reviewed = True
        return None  # "See my advice": the answers are what they are


class Replayer:
    """Replays any number of answer sets on one knowledge base, sharing the planner's caches."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.planner = planner_for(kb)

    def replay(self, given: Answers) -> Replay:
        progress = Progress()
        journal = {q: v for q, v in given.values.items() if self.kb.questions[q].journal}
        settle_journal_questions(self.kb, progress, journal)
        script = _Script(self.kb, given)
        Interview(self.kb, script, progress, planner=self.planner).conduct()
        return Replay(tuple(script.asked), tuple(script.blank), script.reviewed, progress)


def replay(kb: KnowledgeBase, given: Answers) -> Replay:
    """One replay; for many on the same rules, build a Replayer once."""
    return Replayer(kb).replay(given)
