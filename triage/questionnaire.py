"""The interactive questionnaire on a terminal: the flow of triage/interview.py (red flags first
and in full, then only what can still change the advice, a review), with real prompts and screens.

Choices and checklists are those of triage/prompts/, where every answer is a key pressed for it;
numbers are questionary's text prompt. Each prompt is built with an optional prompt_toolkit input
and output, so tests drive it through a pipe. Ctrl-C and a closed terminal raise out of here
(KeyboardInterrupt, EOFError); every answer is saved as soon as it is given, so the caller only
has to say so.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage import answers, headings, prompts
from triage.interview import MORE, Interview
from triage.model import Group, KnowledgeBase, Question
from triage.prompts import Option
from triage.relevance import Planner, Progress
from triage.terminal import Terminal

if TYPE_CHECKING:  # the advice is imported once the first checklist is on the screen
    from triage import ranking

LEAVE_BLANK = "? if you don't know"
BACK = "\x00back"  # "Which answer?": back to the menu
YES_NO = [Option("yes", "Yes", "y"), Option("no", "No", "n"), Option("unsure", "Not sure", "?")]


def checklist_text(group: Group, questions: list[Question]) -> dict[str, Any]:
    """What a checklist of the group's open signs shows: its question, the line under it and
    a row per sign (id, words), as plain data a first screen is stored in."""
    return {
        "message": group.ask,
        "instruction": f"why we ask: {group.why}",
        "rows": [[q.id, q.sign or q.ask] for q in questions],
    }


class _FirstPrompt(Exception):
    """The flow reached its first prompt (first_screen's capture stops there)."""


class _Capture:
    """A frontend that records the flow's first heading and checklist, then stops it."""

    answers_at_once = True  # nothing is compiled meanwhile

    def __init__(self) -> None:
        self.title: str | None = None
        self.screen: dict[str, Any] | None = None

    def section(self, title: str) -> None:
        self.title = title

    def ask_group(self, group: Group, questions: list[Question], progress: Progress) -> Any:
        self.screen = {"group": group.id, **checklist_text(group, questions)}
        raise _FirstPrompt

    def ask(self, question: Question, progress: Progress) -> Any:
        raise _FirstPrompt  # a first prompt that is not a checklist is not drawn early

    def urgent(self, result: Any) -> None:
        raise _FirstPrompt

    def review(self, progress: Progress, more: int) -> Any:
        raise _FirstPrompt

    def emergency(self, result: Any, progress: Progress) -> Any:
        raise _FirstPrompt


def first_screen(kb: KnowledgeBase) -> dict[str, Any] | None:
    """The first screen of a questionnaire begun with no answers: the intro's words, the first
    heading and the first checklist, found by running the flow itself (triage/interview.py) up
    to its first prompt. None when that prompt is not a checklist under a heading. Stored with
    the knowledge base's snapshot, it lets the next run draw that screen before the rules are
    loaded (triage/cli/questionnaire.py)."""
    capture = _Capture()
    with contextlib.suppress(_FirstPrompt):
        Interview(kb, capture).interview()
    if capture.screen is None or capture.title is None:
        return None
    return {"intro": kb.about.intro, "section": capture.title, **capture.screen}


def _same(shown: dict[str, Any], group: Group, text: dict[str, Any]) -> bool:
    """Whether a checklist drawn early showed exactly this group's question, line and signs."""
    return shown.get("group") == group.id and all(shown.get(k) == v for k, v in text.items())


class TerminalFrontend:
    """The questionnaire on a terminal: questionary prompts, rich screens."""

    def __init__(self, kb: KnowledgeBase, terminal: Terminal) -> None:
        self.kb, self.terminal = kb, terminal
        self.ended = False  # Done on the emergency screen: its advice is all there is to show
        # The first screen, drawn before the rules were loaded, and what was ticked on it.
        self.early: tuple[dict[str, Any], dict[str, str] | None] | None = None
        self.early_heading = False  # its heading is on the screen already

    def ask(self, question: Question, progress: Progress) -> tuple[Any, str | None]:
        self.early = None  # the early screen answers the first prompt only, and this is it
        return prompt(question, progress, self.kb, self.terminal)

    def section(self, title: str) -> None:
        if self.early_heading and self.early is not None and title == self.early[0]["section"]:
            self.early_heading = False
            return
        self.early_heading = False
        self.terminal.heading(headings.rule(title, self.terminal.width()))

    def urgent(self, result: Callable[[], ranking.Result]) -> None:
        self.early = None
        from triage import screen

        screen.urgent_banner(self.terminal.console, result(), self.kb)

    def ask_group(
        self, group: Group, questions: list[Question], progress: Progress
    ) -> dict[str, Any]:
        text = checklist_text(group, questions)
        current = {q.id: progress.values[q.id] for q in questions if q.id in progress.values}
        early, self.early = self.early, None
        if early is not None and not current and _same(early[0], group, text):
            # The screen drawn before the rules were loaded is the one the rules ask for now:
            # what was ticked on it is this checklist's answer. Any other screen is asked again.
            marked = early[1]
        else:
            marked = prompts.checklist(
                text["message"],
                [Option(value, label) for value, label in text["rows"]],
                instruction=text["instruction"],
                current=current,
                io=self.terminal.io(),
            )
        return {q.id: (marked or {}).get(q.id, "no") for q in questions}

    def review(self, progress: Progress, more: int) -> str | None:
        self.early = None
        from triage import screen

        screen.answers_table(self.terminal.console, progress, self.kb)
        options = [Option("done", "See my advice now" if more else "See my advice", "a")]
        if more:
            could = "question" if more == 1 else "questions"
            options.append(Option("more", f"Answer {more} more {could} that could refine it", "m"))
        options.append(Option("change", "Change an answer", "c"))
        while True:
            action = prompts.choose(
                "Your answers are above. What next?", options, io=self.terminal.io()
            )
            if action == "more":
                return MORE
            if action != "change":
                return None
            qid = self._which(progress)
            if qid is not None:
                return qid

    def emergency(self, result: Callable[[], ranking.Result], progress: Progress) -> str | None:
        self.early = None
        from triage import screen

        while True:  # back from "Which answer?": the banner again, then its menu
            screen.emergency_banner(self.terminal.console, result(), self.kb)
            # Done is pointed at, as on every menu after advice: Enter alone ends.
            action = prompts.choose(
                "Pressed the wrong key? The advice above stands unless you change an answer.",
                [
                    Option("end", "Done", "d"),
                    Option("done", "Show all my advice, with its sources", "a"),
                    Option("change", "Change an answer", "c"),
                ],
                default="end",
                io=self.terminal.io(),
            )
            self.ended = action == "end"
            if action != "change":
                return None
            screen.answers_table(self.terminal.console, progress, self.kb)
            qid = self._which(progress)
            if qid is not None:
                return qid

    def _which(self, progress: Progress) -> str | None:
        """The answer to change; None: back to the menu, nothing changed."""
        from triage import screen

        asked = screen.asked_questions(progress, self.kb)
        options = [Option(q.id, _row_label(q, progress), str(i)) for i, q in enumerate(asked, 1)]
        options.append(Option(BACK, "Back: change nothing", "b"))
        qid: str = prompts.choose("Which answer?", options, io=self.terminal.io())
        return None if qid == BACK else qid


def _row_label(question: Question, progress: Progress) -> str:
    """A row of "Which answer?", in the words of the answers table above it."""
    from triage import screen

    value = progress.values.get(question.id)
    if screen.on_its_line(question, value):
        return question.sign
    return question.short


def _nothing() -> None:
    pass


@dataclass
class Session(Interview):
    """The questionnaire's flow (triage/interview.py) on a terminal."""

    kb: KnowledgeBase
    terminal: Terminal
    progress: Progress = field(default_factory=Progress)
    on_answer: Callable[[Progress], None] = lambda progress: None
    # A planner for these rules made while the first screen was read, the rules compiled for it.
    prepared: Planner | None = None

    def __post_init__(self) -> None:
        self.screens = TerminalFrontend(self.kb, self.terminal)
        self._begin(self.screens, self.prepared)

    def present(
        self, result: ranking.Result, *, full: bool = False, shown: Callable[[], None] = _nothing
    ) -> None:
        """The result, opening at its top with its menu under it, until Done; or, after Done on
        the emergency screen, nothing more: that screen's advice stays where it is. `shown` is
        called once the advice is on the screen."""
        if self.screens.ended:
            shown()
            return
        from triage import result_view

        result_view.present(
            self.terminal.console, result, self.kb, full=full, shown=shown, io_=self.terminal.io()
        )


def prompt(
    question: Question, progress: Progress, kb: KnowledgeBase, terminal: Terminal
) -> tuple[Any, str | None]:
    """One prompt fitting the question's type. Returns (value, weight unit); value None = blank."""
    io = terminal.io()
    # questionary does not wrap; a question cut off at the terminal's edge is no question.
    width = max(40, terminal.width() - 2)
    ask = textwrap.fill(question.ask, width=width, subsequent_indent="  ")
    why_text = textwrap.fill(
        f"why we ask: {question.why}", width=width, initial_indent="  ", subsequent_indent="  "
    )
    why = f"why we ask: {question.why}"
    why_lines = f"\n{why_text}\n  "
    current = progress.values.get(question.id)
    if question.type in ("yes_no", "one_of"):
        options = (
            YES_NO
            if question.type == "yes_no"
            else [
                Option(value, label, str(i))
                for i, (value, label) in enumerate(question.choices, start=1)
            ]
        )
        chosen = prompts.choose(question.ask, options, instruction=why, default=current, io=io)
        return chosen, None
    if question.type == "many_of":
        picked = set(current or ())
        marked = prompts.checklist(
            question.ask,
            [Option(value, label) for value, label in question.choices],
            instruction=why,
            unsure=False,
            current={value: "yes" for value in picked},
            io=io,
        )
        return tuple(v for v in question.choice_ids if v in (marked or {})), None

    unit_question = kb.about.weight_unit_question
    user_unit = progress.values.get(unit_question) if unit_question else None

    def check(text: str) -> bool | str:
        if text.strip() == "?":
            return True
        if not text.strip():
            return f"Type {hint}, or ? if you don't know, then Enter"
        try:
            answers.normalize(question, text, user_unit)
        except ValueError as exc:
            return refusal(question, exc)
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
    elif question.id in progress.blank:
        default = "?"
    import questionary  # for numbers only: the checklists and choices are triage/prompts/

    typed = questionary.text(
        ask,
        validate=check,
        default=default,
        # Wrapped like the rest: questionary cuts a long instruction at the terminal's edge.
        instruction=why_lines
        + textwrap.fill(f"({hint}; {LEAVE_BLANK})", width=width, subsequent_indent="  "),
        **io,
    ).unsafe_ask()
    if typed.strip() == "?":
        return None, None
    return answers.normalize(question, typed, user_unit)


def refusal(question: Question, problem: ValueError) -> str:
    """Why a typed answer is refused, for the person: the message is worded for an answers
    file, by question id ("'pain_now' must be ..."); at the prompt it is "The answer must ..."."""
    return str(problem).replace(f"'{question.id}' ", "The answer ", 1)


def carry_on(when: str, io: dict[str, Any] | None = None) -> bool:
    """Whether to carry on with the unfinished questionnaire: y or n, then Enter, so a habitual
    key cannot throw a draft away or spill into the first question."""
    return prompts.confirm(
        f"You have an unfinished questionnaire from {when}. Carry on with it?",
        "Yes, carry on where I stopped",
        "No, start again (the unfinished answers are deleted when you answer the first question)",
        io=io,
    )
