"""The interactive questionnaire on a terminal: the flow of triage/interview.py (red flags first
and in full, then only what can still change the advice, a review), with real prompts and screens.

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
from triage.interview import Interview
from triage.model import KnowledgeBase, Question
from triage.relevance import Progress

LEAVE_BLANK = "leave it blank if you don't know"


@dataclass
class Terminal:
    """Where prompts read and write. None means the real terminal; tests pass a pipe input."""

    console: Console
    input: Any = None
    output: Any = None

    def io(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output} if self.input is not None else {}


class TerminalFrontend:
    """The questionnaire on a terminal: questionary prompts, rich screens."""

    def __init__(self, kb: KnowledgeBase, terminal: Terminal) -> None:
        self.kb, self.terminal = kb, terminal

    def ask(self, question: Question, progress: Progress) -> tuple[Any, str | None]:
        return prompt(question, progress, self.kb, self.terminal)

    def section(self, title: str) -> None:
        screen.section(self.terminal.console, title)

    def urgent(self, result: Callable[[], ranking.Result]) -> None:
        screen.urgent_banner(self.terminal.console, result(), self.kb)

    def review(self, progress: Progress) -> str | None:
        screen.answers_table(self.terminal.console, progress, self.kb)
        action = questionary.select(
            "Your answers are above. What next?",
            choices=[Choice("See my advice", "done"), Choice("Change an answer", "change")],
            **self.terminal.io(),
        ).unsafe_ask()
        if action != "change":
            return None
        asked = screen.asked_questions(progress, self.kb)
        qid: str = questionary.select(
            "Which answer?",
            choices=[Choice(f"{i}. {q.short}", q.id) for i, q in enumerate(asked, start=1)],
            **self.terminal.io(),
        ).unsafe_ask()
        return qid


@dataclass
class Session(Interview):
    """The questionnaire's flow (triage/interview.py) on a terminal."""

    kb: KnowledgeBase
    terminal: Terminal
    progress: Progress = field(default_factory=Progress)
    on_answer: Callable[[Progress], None] = lambda progress: None

    def __post_init__(self) -> None:
        self._begin(TerminalFrontend(self.kb, self.terminal))


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
