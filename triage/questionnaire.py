"""The interactive questionnaire: red flags first and in full, then only what can still change
the advice, a review where any answer can be changed, then the results.

Prompts come from questionary, one per answer type. Each prompt is built with an optional
prompt_toolkit input and output, so tests drive it through a pipe. Ctrl-C and a closed terminal
raise out of here (KeyboardInterrupt, EOFError); every answer is saved as soon as it is given, so
the caller only has to say so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import questionary
from questionary import Choice
from rich.console import Console

from triage import answers, ranking, screen
from triage.engine import Engine
from triage.model import KnowledgeBase, Question
from triage.relevance import Planner, Progress, possible_rules

LEAVE_BLANK = "leave it blank if you don't know"


@dataclass
class Terminal:
    """Where prompts read and write. None means the real terminal; tests pass a pipe input."""

    console: Console
    input: Any = None
    output: Any = None

    def io(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output} if self.input is not None else {}


@dataclass
class Session:
    kb: KnowledgeBase
    terminal: Terminal
    progress: Progress = field(default_factory=Progress)
    on_answer: Callable[[Progress], None] = lambda progress: None

    def __post_init__(self) -> None:
        screens = frozenset(s.id for s in self.kb.sections if s.always_ask)
        self.planner = Planner(self.kb, always_ask=screens)
        self.titles = {s.id: s.title for s in self.kb.sections}
        self.urgent_shown = False

    # ---- asking ----

    def ask(self, question: Question) -> None:
        """Prompt for one question and record the answer (or that it was left blank)."""
        value, unit = prompt(question, self.progress, self.kb, self.terminal)
        self.progress.values.pop(question.id, None)
        self.progress.weight_units.pop(question.id, None)
        self.progress.blank.discard(question.id)
        if value is None:
            self.progress.blank.add(question.id)
        else:
            self.progress.values[question.id] = value
            if unit:
                self.progress.weight_units[question.id] = unit
        for stale in self.planner.stale(self.progress):  # a change can make answers moot
            self.progress.values.pop(stale, None)
            self.progress.blank.discard(stale)
        self.on_answer(self.progress)

    def interview(self) -> bool:
        """Ask until nothing open remains. False when the answers reach an emergency: checked
        before every question, so pre-filled answers and changes made in review count too."""
        current = None
        while True:
            tier = self.planner.settled_tier(self.progress)
            if tier == "emergency":
                return False
            question = self.planner.next_question(self.progress)
            screen_done = question is None or question.section not in self.planner.always_ask
            if tier == "urgent" and not self.urgent_shown and screen_done:
                self.urgent_shown = True
                screen.urgent_banner(self.terminal.console, self.result(), self.kb)
            if question is None:
                return True
            unit_question = self.kb.about.weight_unit_question
            if question.is_weight and unit_question and not self.progress.asked(unit_question):
                question = self.kb.questions[unit_question]  # the unit, once, before any weight
            if question.section != current:
                current = question.section
                screen.section(self.terminal.console, self.titles.get(current, current))
            self.ask(question)

    def review(self) -> bool:
        """Show the answers and let any be changed, asking what a change makes relevant.
        False when a change reaches an emergency."""
        while True:
            screen.answers_table(self.terminal.console, self.progress, self.kb)
            action = questionary.select(
                "Your answers are above. What next?",
                choices=[Choice("See my advice", "done"), Choice("Change an answer", "change")],
                **self.terminal.io(),
            ).unsafe_ask()
            if action != "change":
                return True
            asked = screen.asked_questions(self.progress, self.kb)
            qid = questionary.select(
                "Which answer?",
                choices=[Choice(f"{i}. {q.short}", q.id) for i, q in enumerate(asked, start=1)],
                **self.terminal.io(),
            ).unsafe_ask()
            self.ask(self.kb.questions[qid])
            if not self.interview():
                return False

    # ---- results ----

    def result(self) -> ranking.Result:
        """The advice for the answers so far: what is not answered counts as not given."""
        given = answers.Answers(dict(self.progress.values), dict(self.progress.weight_units))
        engine = Engine(self.kb, possible_rules(self.kb, dict(given.values)))
        return ranking.rank(self.kb, given, engine.consult(given))

    def run(self) -> ranking.Result:
        """The whole questionnaire; returns the result to show."""
        if self.interview():
            self.review()
        return self.result()


def prompt(
    question: Question, progress: Progress, kb: KnowledgeBase, terminal: Terminal
) -> tuple[Any, str | None]:
    """One prompt fitting the question's type. Returns (value, weight unit); value None = blank."""
    io = terminal.io()
    # questionary does not wrap; a question cut off at the terminal's edge is no question.
    width = max(40, terminal.console.width - 2)
    ask = textwrap.fill(question.ask, width=width, subsequent_indent="  ")
    why_text = textwrap.fill(
        f"why we ask: {question.why}", width=width, initial_indent="  ", subsequent_indent="  "
    )
    why = f"\n{why_text}\n  "
    current = progress.values.get(question.id)
    if question.type in ("yes_no", "one_of"):
        options = (
            [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]
            if question.type == "yes_no"
            else list(question.choices)
        )
        choices = [Choice(label, value) for value, label in options]
        default = current if current in dict(options) else None
        chosen = questionary.select(
            ask,
            choices=choices,
            default=default,
            instruction=why + "(arrows, Enter)",
            **io,
        ).unsafe_ask()
        return chosen, None
    if question.type == "many_of":
        picked = set(current or ())
        choices = [
            Choice(label, value, checked=value in picked) for value, label in question.choices
        ]
        chosen = questionary.checkbox(
            ask,
            choices=choices,
            instruction=why + "(Space to tick, Enter when done; none is fine)",
            **io,
        ).unsafe_ask()
        return tuple(chosen), None

    unit_question = kb.about.weight_unit_question
    user_unit = progress.values.get(unit_question) if unit_question else None

    def check(text: str) -> bool | str:
        if not text.strip():
            return True
        try:
            answers.normalize(question, text, user_unit)
        except ValueError as exc:
            return str(exc)
        except ArithmeticError:  # a validator that raises would be asked again, forever
            return f"{hint}, please"
        return True

    if question.type == "scale":
        hint = "a whole number from 0 (none) to 10 (worst)"
    elif question.is_weight:
        hint = f"a number in {user_unit or 'kg or lb'}"
    else:
        hint = f"a number of {question.unit}" if question.unit else "a number"
    default = ""
    if isinstance(current, int | float):
        shown = current
        if question.is_weight:
            shown = answers.display_weight(current, progress.weight_units.get(question.id, "kg"))
        default = f"{shown:g}"
    typed = questionary.text(
        ask,
        validate=check,
        default=default,
        instruction=f"{why}({hint}; {LEAVE_BLANK})",
        **io,
    ).unsafe_ask()
    if not typed.strip():
        return None, None
    return answers.normalize(question, typed, user_unit)
