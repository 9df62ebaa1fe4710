"""The questionnaire at the command line: the journal's draft kept after every answer (an
emergency is shown before anything waits on the journal), an unfinished questionnaire carried
on with, Ctrl-C, and the result."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from triage.cli import consult as cli_consult
from triage.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, NO_ADVICE


def interactive(
    prefill: str | None,
    resume: bool,
    save: str | None,
    rules: list[Path],
    journal_at: str | None,
    full: bool = False,
) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "spasm-triage: the questionnaire needs a terminal. Without one, give your answers "
            "in a file: spasm-triage --answers FILE ('spasm-triage questions' lists them).",
            file=sys.stderr,
        )
        print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
        return EXIT_USAGE
    import sqlite3

    from triage.cli.drafts import escape
    from triage.journal import DamagedJournal
    from triage.terminal import Terminal

    terminal = Terminal()  # rich is imported once a screen drawn with it is shown
    journal, problem = cli_consult.try_journal(journal_at)
    drafts_only = isinstance(problem, DamagedJournal) and problem.drafts_only
    if problem is not None and not drafts_only:
        cli_consult.say_unusable(problem)
    # The first screen, drawn before the rules are loaded when the last run stored it for these
    # rules (triage/first_screen.py); not when the first question is whether to carry on.
    from triage import first_screen

    fresh_start = prefill is None and not resume and not drafts_only
    found = first_screen.stored(rules, journal) if fresh_start else None
    if found is not None:
        preparation = first_screen.Preparation(rules, found[1], found[0])
        try:
            marked = first_screen.draw(terminal, found[0], journal is not None, preparation.start)
        except (KeyboardInterrupt, EOFError):  # nothing was answered
            print(f"\nspasm-triage: stopped.\nspasm-triage: {NO_ADVICE}", file=sys.stderr)
            if journal is not None:
                journal.close()
            return EXIT_INTERRUPTED
        kb, planner = preparation.wait()
        shown: tuple[dict[str, Any], dict[str, str] | None] | None = (found[0], marked)
    else:
        from triage.knowledge import loading

        kb, planner, shown = loading.load(rules), None, None
        if fresh_start:
            first_screen.remember(rules, kb)

    from triage import headings
    from triage.answers import in_words
    from triage.cli import drafts as cli_drafts
    from triage.questionnaire import Session
    from triage.relevance import Progress

    progress = Progress()
    if prefill is not None:
        given = cli_consult.read_answers(prefill, kb)
        progress = Progress(dict(given.values), set(), dict(given.weight_units))
    session = Session(kb, terminal, progress, prepared=planner)
    if shown is not None:  # the first screen was drawn before the rules were loaded
        session.screens.early, session.screens.early_heading = shown, True
    draft: int | None = None  # this questionnaire's own draft in the journal
    kept = False  # whether the answers so far are in it
    failed: list[str] = []
    started_over: list[int] = []  # drafts the person chose to start again over

    deferred = False  # answers not yet kept because an emergency was being shown first

    def keep(current: Progress) -> None:
        nonlocal deferred
        if journal is None:
            return
        if session.planner.settled_tier(current) == "emergency":
            # The emergency is shown before anything waits on the journal: another process
            # holding its lock would otherwise freeze the screen before it for seconds. Kept
            # now if the lock is free, else once the emergency has been shown (or on Ctrl-C).
            deferred = not write_draft(current, wait=False)
            return
        deferred = False
        write_draft(current)

    def write_draft(current: Progress, wait: bool = True) -> bool:
        nonlocal draft, kept
        assert journal is not None
        own = {q: v for q, v in current.values.items() if not kb.questions[q].journal}
        blank = sorted(q for q in current.blank if not kb.questions[q].journal)
        try:
            draft = journal.save_draft(
                draft, in_words(kb, own, current.weight_units), blank, wait=wait
            )
            kept = True
            if started_over:  # the new questionnaire is kept: the old ones can go
                journal.discard_drafts(started_over)
                started_over.clear()
            return True
        except sqlite3.Error as exc:
            if not wait:  # busy, most likely: tried again once the emergency is shown
                return False
            kept = False
            if not failed:  # said once; the questionnaire goes on
                failed.append(str(exc))
                terminal.print(
                    f"[yellow]Could not keep your answers in the journal ({escape(str(exc))}); "
                    "Ctrl-C would lose them.[/yellow]"
                )
            return False

    try:
        if shown is None:
            kept_by_journal = journal is not None or drafts_only
            terminal.heading(headings.intro(kb.about.intro, kept_by_journal, terminal.width()))
        if drafts_only:
            assert isinstance(problem, DamagedJournal)
            journal = cli_drafts.discard_damaged(
                problem, terminal, lambda: cli_consult.open_journal(journal_at)
            )
        chosen, started_over[:] = (
            cli_drafts.choose(kb, journal, terminal, resume) if journal is not None else (None, [])
        )
        if chosen is not None:
            draft, session.progress = chosen[0].id, chosen[1]
            kept = True
            terminal.print(
                f"Carrying on from your answers of {escape(cli_drafts.when(chosen[0].saved))}."
            )
        elif resume:
            terminal.print("There is no unfinished questionnaire to resume; starting a new one.")
        # What the journal knows is settled before the first question: never asked.
        facts = cli_consult.journal_facts(kb, journal)
        if facts is None:
            journal = None
        for question in kb.questions.values():
            if question.journal:
                if question.id in (facts or {}):
                    session.progress.values.setdefault(question.id, (facts or {})[question.id])
                elif question.id not in session.progress.values:
                    session.progress.blank.add(question.id)
        if draft is None and any(not kb.questions[q].journal for q in session.progress.values):
            keep(session.progress)  # answers from a file are kept from the start
        session.on_answer = keep
        result = session.run()
    except (KeyboardInterrupt, EOFError):
        if deferred and journal is not None:  # the emergency was shown: now keep the answers
            with contextlib.suppress(KeyboardInterrupt):
                write_draft(session.progress)
        own = [
            q
            for q in (*session.progress.values, *session.progress.blank)
            if not kb.questions[q].journal
        ]
        if journal is not None and draft is not None and kept:
            tail = " Your answers so far are kept: 'spasm-triage --resume' carries on."
            with contextlib.suppress(sqlite3.Error):
                journal.release_draft(draft)
        elif own and journal is not None:
            tail = " Your answers could not be kept in the journal."
        elif own:
            tail = " Without the journal, your answers were not kept."
        else:
            tail = ""
        print(f"\nspasm-triage: stopped.{tail}", file=sys.stderr)
        print(f"spasm-triage: {_stopped_advice(session)}", file=sys.stderr)
        if journal is not None:
            journal.close()
        return EXIT_INTERRUPTED
    values, units = session.progress.values, session.progress.weight_units
    session.present(
        result,
        full=full,
        shown=lambda: cli_consult.record(journal, kb, values, units, result, draft),
    )
    if save:
        from triage import report
        from triage.answers import Answers

        given = Answers(dict(session.progress.values), dict(session.progress.weight_units))
        return cli_consult.save(save, report.to_markdown(result, kb, given), prefill, journal_at)
    return EXIT_OK


def _stopped_advice(session: Any) -> str:
    """The last word of a questionnaire stopped before its result: what its answers so far
    already say when they reach a red flag (the person may have stopped at the emergency
    screen), else that no advice was given and not to wait for the tool."""
    try:
        result = session.result()
    except Exception:  # the last word must be said whatever happened before
        return NO_ADVICE
    if result.tier is not None and result.tier in session.kb.about.protected_tiers:
        title = session.kb.about.tiers[result.tier].title
        return f"your answers so far: {title}. {result.action or ''}".strip()
    return NO_ADVICE
