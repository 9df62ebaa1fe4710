"""The questionnaire's drafts at the command line: which unfinished questionnaire to carry on
with, and what to do with one that cannot be read. The person decides; nothing is discarded
without their word."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from triage.errors import AnswersError

# Question types the questionnaire asks as a choice: an answer is always picked, never blank.
_NEVER_BLANK = frozenset({"yes_no", "one_of", "many_of"})

if TYPE_CHECKING:
    from triage.journal import DamagedJournal, Draft, Journal
    from triage.model import KnowledgeBase
    from triage.relevance import Progress



def escape(text: str) -> str:
    """Text for rich markup, shown as written. rich is imported only when a message about the
    drafts is printed: a person with none sees the first checklist without waiting for it."""
    from rich.markup import escape as markup_escape

    return markup_escape(text)

def discard_damaged(
    problem: DamagedJournal, console: Any, reopen: Callable[[], Journal | None]
) -> Journal | None:
    """An unreadable draft is all that is wrong: the person decides whether it goes. Kept, the
    journal stays exactly as it is, and this questionnaire runs without it."""

    console.print(f"[yellow]{escape(f'{problem.path}: {problem.damage[0]}')}.[/yellow]")
    from triage import prompts

    if not prompts.confirm(
        "Discard it and carry on with your journal?",
        "Yes, discard the unreadable questionnaire",
        "No, keep it as it is (this questionnaire then runs without your journal and keeps "
        "nothing)",
    ):
        console.print("Kept as it is. This questionnaire runs without your journal.")
        return None
    import sqlite3

    from triage.journal import Journal

    try:
        Journal.discard_damaged_drafts(problem)
    except sqlite3.Error as exc:
        console.print(f"[yellow]It could not be discarded ({escape(str(exc))}).[/yellow]")
        return None
    return reopen()


def choose(
    kb: KnowledgeBase, journal: Journal, console: Any, resume: bool
) -> tuple[tuple[Draft, Progress] | None, list[int]]:
    """An unfinished questionnaire to carry on with, chosen by the person (or None to start a
    new one), and the drafts the person chose to start again over: they are deleted once the
    new questionnaire keeps its first answer, so a Ctrl-C before it loses nothing. --resume
    takes the only one without asking. A draft another running questionnaire is writing is
    never offered."""
    import sqlite3

    try:
        return _choose(kb, journal, console, resume)
    except (
        sqlite3.Error,
        UnicodeError,
    ) as exc:  # read or written since the check: the questions still come
        console.print(
            f"[yellow]Unfinished questionnaires could not be read ({escape(str(exc))}).[/yellow]"
        )
        return None, []


def _choose(
    kb: KnowledgeBase, journal: Journal, console: Any, resume: bool
) -> tuple[tuple[Draft, Progress] | None, list[int]]:
    drafts = journal.drafts()
    busy = [d for d in drafts if d.in_use()]
    free = [d for d in drafts if not d.in_use()]
    if busy:
        console.print(
            f"Another questionnaire is running on this journal (its answers of "
            f"{escape(when(busy[0].saved))}); this one keeps its answers apart from it."
        )
    if not free:
        return None, []
    picked = free[0] if resume and len(free) == 1 else _pick(free)
    if picked is None:
        return None, [d.id for d in free]
    if not journal.claim_draft(picked):
        console.print("That questionnaire was just taken up elsewhere; starting a new one.")
        return None, []
    return (picked, draft_progress(kb, picked, console)), []


def _pick(free: list[Draft]) -> Draft | None:

    if len(free) == 1:
        from triage.questionnaire import carry_on  # y or n, then Enter: never by accident

        return free[0] if carry_on(when(free[0].saved)) else None
    from triage.prompts import Option, choose

    options = [
        Option(
            d.id,
            f"Carry on with the one from {when(d.saved)} ({len(d.answers)} answers)",
            str(number),  # typed in full past the ninth (triage/prompts/)
        )
        for number, d in enumerate(free, start=1)
    ]
    options.append(Option(0, f"Start again (deletes all {len(free)} once you answer)", "s"))
    chosen = choose(f"You have {len(free)} unfinished questionnaires. Which one?", options)
    return next((d for d in free if d.id == chosen), None)


def when(saved: str) -> str:
    """A journal time in the user's own clock, in plain words (a time that is not one is
    shown as written, escaped: it is text from a file)."""
    from datetime import datetime

    from triage.errors import printable

    try:
        return datetime.fromisoformat(saved).astimezone().strftime("%d %b %Y, %H:%M")
    except (ValueError, OverflowError, TypeError):
        return printable(str(saved))[:40]


def draft_progress(kb: KnowledgeBase, draft: Draft, console: Any) -> Progress:
    """A draft's answers, keeping what still fits today's rules (the rest is named)."""
    from triage import answers
    from triage.relevance import Progress

    fits: dict[str, Any] = {}
    dropped = []
    for qid, value in draft.answers.items():
        try:
            fits[qid] = value
            answers.from_mapping({qid: value}, kb)
        except (AnswersError, ValueError, ArithmeticError, TypeError):
            del fits[qid]
            dropped.append(qid)
    if dropped:
        console.print(
            f"[yellow]Saved answers that no longer fit the rules were left out: "
            f"{escape(', '.join(dropped))}.[/yellow]"
        )
    given = answers.from_mapping(fits, kb)
    # A draft's blank list is text in a file, and a red-flag sign named in it would be skipped
    # on --resume (and left out of the result's "not answered" note). The questionnaire leaves
    # blank only what is typed ("?" for a number); a red-flag question it asks as a choice or
    # on a checklist is never blank, so such a blank is not carried over: it is asked again.
    screen = set(kb.about.protected_sections)
    blank = {
        q
        for q in draft.left_blank
        if q in kb.questions
        and not (
            kb.questions[q].section in screen
            and (kb.questions[q].group is not None or kb.questions[q].type in _NEVER_BLANK)
        )
    }
    return Progress(dict(given.values), blank, dict(given.weight_units))
