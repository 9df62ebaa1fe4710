"""A person's answers replayed through the questionnaire: which prompts they would see.

The replay runs the questionnaire's own flow (triage/interview.py) with a frontend that answers
each prompt from the given answers instead of a keyboard, so it asks exactly what the terminal
questionnaire asks, in the same order, and stops where it stops. A question the answers do not
answer is left blank, as a person would leave it. Nothing is read from or written to the journal:
journal questions take their value from the answers, or stay blank.

What counts as a prompt: each question shown (the weight-unit question included), each
checklist of grouped signs (one prompt, however many signs it shows), and the review's choice,
shown unless an emergency ended the questions. The intro, section headings, the urgent banner
and the emergency advice are read, not answered. A sign of a checklist that the answers do not
give is left unticked, as a person would leave it: it is answered "no" (a sign with a `tick` is
ticked only when the answers give that answer, and unticked leaves its question blank).

By default the person takes "See my advice now" at the review, as soon as it is offered (what
is left could refine the advice, not change its tier); with refine=True they answer every
question that could refine it first, and the review's choice is counted each time it is shown.
Keys are counted too: the fewest a person types to give each answer (see `keys_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage import ranking
from triage.answers import Answers
from triage.interview import MORE, Interview, planner_for, settle_journal_questions
from triage.model import Group, KnowledgeBase, Question
from triage.relevance import Progress


@dataclass(frozen=True)
class Replay:
    """What the questionnaire showed for one set of answers."""

    asked: tuple[str, ...]  # the questions prompted, in order (each sign of a checklist)
    blank: tuple[str, ...]  # prompted, but not in the answers: left blank (or unticked)
    reviewed: bool  # the review prompt was shown (no emergency ended the questions)
    progress: Progress = field(compare=False)  # the answers as the questionnaire ended
    screens: tuple[tuple[str, ...], ...] = ()  # each prompt's questions: one, or a checklist's
    reviews: int = 0  # how many times the review's choice was shown
    keys: int = 0  # the fewest keys that give these answers, Enter included

    @property
    def prompts(self) -> int:
        return len(self.screens) + self.reviews

    @property
    def emergency_stop(self) -> bool:
        return not self.reviewed


def keys_for(question: Question, value: Any) -> int:
    """The fewest keys that give one answer: a choice's key (y, n, ?, or its number) and
    Enter; a number's digits and Enter; for a many_of question a key per choice ticked (or the
    one for "None of these") and Enter; '?' and Enter to leave it blank."""
    if value is None:
        return 2
    if question.type == "many_of":
        return max(1, len(value)) + 1  # a choice's number ticks it; 0 is "None of these"
    if question.type in ("number", "scale"):
        return len(f"{value:g}") + 1
    return 2


class _Script:
    """A frontend that answers from given answers and notes every prompt."""

    answers_at_once = True  # no reading time: the flow compiles nothing in the background

    def __init__(self, kb: KnowledgeBase, given: Answers, refine: bool) -> None:
        self.kb, self.given, self.refine = kb, given, refine
        self.asked: list[str] = []
        self.blank: list[str] = []
        self.screens: list[tuple[str, ...]] = []
        self.reviews = 0
        self.keys = 0

    def ask(self, question: Question, progress: Progress) -> tuple[Any, str | None]:
        self.asked.append(question.id)
        self.screens.append((question.id,))
        value = self.given.values.get(question.id)
        if value is None and question.id == self.kb.about.weight_unit_question:
            value = self._unit_of_weights(question)
        self.keys += keys_for(question, value)
        if value is None:
            self.blank.append(question.id)
            return None, None
        return value, self.given.weight_units.get(question.id)

    def ask_group(
        self, group: Group, questions: list[Question], progress: Progress
    ) -> dict[str, Any]:
        self.screens.append(tuple(q.id for q in questions))
        chosen: dict[str, Any] = {}
        for question in questions:
            self.asked.append(question.id)
            mark = question.to_mark(self.given.values.get(question.id)) or "no"
            if question.from_mark(mark) is None or question.id not in self.given.values:
                self.blank.append(question.id)
            chosen[question.id] = mark
        # A sign's number ticks it (and ? then marks it not sure); 0 is "None of these".
        ticks = sum({"yes": 1, "unsure": 2}.get(v, 0) for v in chosen.values())
        self.keys += (ticks or 1) + 1
        return chosen

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

    def review(self, progress: Progress, more: int) -> str | None:
        self.reviews += 1
        self.keys += 2
        if self.refine and more:
            return MORE
        return None  # "See my advice": the answers are what they are

    def emergency(self, result: Callable[[], ranking.Result], progress: Progress) -> str | None:
        return None  # the advice is on the screen; nothing was mis-keyed


class Replayer:
    """Replays any number of answer sets on one knowledge base, sharing the planner's caches."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.planner = planner_for(kb)

    def replay(self, given: Answers, refine: bool = False) -> Replay:
        progress = Progress()
        journal = {q: v for q, v in given.values.items() if self.kb.questions[q].journal}
        settle_journal_questions(self.kb, progress, journal)
        script = _Script(self.kb, given, refine)
        Interview(self.kb, script, progress, planner=self.planner).conduct()
        return Replay(
            tuple(script.asked),
            tuple(script.blank),
            script.reviews > 0,
            progress,
            tuple(script.screens),
            script.reviews,
            script.keys,
        )


def replay(kb: KnowledgeBase, given: Answers, refine: bool = False) -> Replay:
    """One replay; for many on the same rules, build a Replayer once."""
    return Replayer(kb).replay(given, refine)
