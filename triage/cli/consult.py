"""What both ways of consulting share, at the command line: reading an answers file (a
mistake beside a red flag still shows that red flag's advice), ranking and showing the result,
the journal (opened, read for history, written), and the `--save` handover."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.errors import EXIT_OK, EXIT_RULES

if TYPE_CHECKING:
    from triage.answers import Answers
    from triage.journal import Journal
    from triage.model import KnowledgeBase
    from triage.ranking import Result


# Said when an answers file has mistakes but what could be read already reaches a red flag.
PARTIAL_ADVICE = (
    "the answers file has mistakes (above): the advice shown comes only from the answers that "
    "could be read. Act on it now: do not wait for this tool, nor to fix the file."
)


def ranked(kb: KnowledgeBase, given: Answers) -> Result:
    from triage import ranking
    from triage.engine import Engine
    from triage.relevance import possible_rules

    engine = Engine(kb, possible_rules(kb, dict(given.values)))
    return ranking.rank(kb, given, engine.consult(given))


def show(result: Result, kb: KnowledgeBase, given: Answers, fmt: str, full: bool) -> None:
    from triage import report

    if fmt == "json":
        out = report.to_json(result, kb)
    elif fmt == "markdown":
        out = report.to_markdown(result, kb, given)
    else:
        import shutil

        # Wrapped to the terminal (COLUMNS when set); plain, without colour, always.
        out = report.to_text(result, kb, width=shutil.get_terminal_size().columns, full=full)
    sys.stdout.write(out.rstrip("\n") + "\n")


def read_answers(path: str, kb: KnowledgeBase, fmt: str = "text", full: bool = False) -> Answers:
    """The answers file. When it has mistakes, the answers that could be read are still
    ranked: if they already reach a red-flag tier (a sign reported), that advice is shown
    before the mistakes are, for a mistake elsewhere must not silence an emergency."""
    from triage.answers import MistakenAnswers, read_path

    try:
        return read_path(path, kb)
    except MistakenAnswers as exc:
        result = ranked(kb, exc.readable)
        if result.tier is not None and result.tier in kb.about.protected_tiers:
            show(result, kb, exc.readable, fmt, full)
            exc.shown = True
        screen = set(kb.about.protected_sections)
        signs = [q for q in exc.unread if q in kb.questions and kb.questions[q].section in screen]
        if signs:  # said last, after the mistakes, just before the seek-help line
            exc.notes.append(
                f"the answer to a warning-sign question could not be read ({', '.join(signs)}): "
                "until it is put right, it rules nothing out"
            )
        raise


def open_journal(journal_at: str | None) -> Journal | None:
    """The journal, or None when it is turned off or cannot be used (said once, on stderr)."""
    journal, problem = try_journal(journal_at)
    if problem is not None:
        say_unusable(problem)
    return journal


def try_journal(journal_at: str | None) -> tuple[Journal | None, Exception | None]:
    if journal_at == "":
        return None, None
    from triage.journal import Journal, JournalError, default_path

    journal = Journal(Path(journal_at) if journal_at else default_path())
    try:
        return journal.open(), None
    except JournalError as exc:
        return None, exc


def say_unusable(problem: object) -> None:
    print(f"spasm-triage: {problem}. The advice is given without your history.", file=sys.stderr)


def with_history(
    kb: KnowledgeBase, values: Mapping[str, Any], units: Mapping[str, str], journal: Journal | None
) -> tuple[Answers, Journal | None]:
    """The answers, plus what the journal knows; an answer given for a journal fact wins. A
    journal that fails while it is read is closed, said once, and not written to."""
    from triage.answers import Answers

    facts = journal_facts(kb, journal)
    if facts is None:
        journal = None
    return Answers({**(facts or {}), **values}, dict(units)), journal


def journal_facts(kb: KnowledgeBase, journal: Journal | None) -> dict[str, Any] | None:
    """The journal's facts as answers ({} without a journal), or None if it failed (said)."""
    if journal is None:
        return {}
    import sqlite3

    from triage.journal import JournalError, as_answers
    from triage.journal.check import short

    try:
        facts, notices = as_answers(kb, journal.facts())
    except (sqlite3.Error, JournalError, UnicodeError) as exc:
        journal.close()
        say_unusable(exc if isinstance(exc, JournalError) else f"{journal.path}: {short(exc)}")
        return None
    for notice in notices:
        print(f"spasm-triage: {journal.path}: {notice}.", file=sys.stderr)
    return facts


def record(
    journal: Journal | None,
    kb: KnowledgeBase,
    values: Mapping[str, Any],
    units: Mapping[str, str],
    result: Result,
    draft: int | None = None,
) -> None:
    if journal is None:
        return
    import sqlite3

    from triage.answers import in_words

    own = {q: v for q, v in values.items() if not kb.questions[q].journal}
    try:
        journal.record(
            in_words(kb, own, units),
            result.tier,
            [(a.id, a.tier, a.confidence) for a in result.advice],
            kb.fingerprint,
            draft=draft,
        )
    except sqlite3.Error as exc:
        print(f"spasm-triage: could not record this in the journal ({exc}).", file=sys.stderr)
    finally:
        journal.close()


def save(path: str, markdown: str, answers_path: str | None, journal_at: str | None) -> int:
    """The advice as Markdown: health answers, so the file is the user's only (0600, whether it
    existed or not), written whole or not at all (a temporary file, then a rename: a full disk
    leaves an earlier file as it was), never through a symbolic link, and never over the
    answers file being read or the journal."""
    from triage.files import Refused, write_private
    from triage.journal import default_path

    keep: dict[Path, str] = {}
    if answers_path and answers_path != "-":
        keep[Path(answers_path)] = "the answers file being read"
    for journal in {default_path(), *([Path(journal_at)] if journal_at else [])}:
        for suffix in ("", "-wal", "-shm"):
            keep[journal.with_name(journal.name + suffix)] = "your spasm journal"
    try:
        write_private(Path(os.path.expanduser(path)), markdown, not_over=keep)
    except Refused as exc:
        why = str(exc)
    except OSError as exc:
        why = f"{exc.strerror or exc}; nothing was written"
    else:
        print(f"Saved as Markdown: {path}", file=sys.stderr)
        return EXIT_OK
    print(
        f"spasm-triage: could not save the advice to {path}: {why} (the advice is shown above)",
        file=sys.stderr,
    )
    return EXIT_RULES
