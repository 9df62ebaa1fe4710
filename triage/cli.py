"""The command line: a thin layer over the library. Problems become one line each on stderr
and an exit code; never a traceback. Heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage import cli_args
from triage.cli_args import PACKS_ENV
from triage.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RULES,
    EXIT_USAGE,
    NO_ADVICE,
    AnswersError,
    RulesError,
    RunawayError,
    TriageError,
)

if TYPE_CHECKING:
    from triage.answers import Answers
    from triage.journal import Journal
    from triage.model import KnowledgeBase
    from triage.ranking import Result
    from triage.relevance import Progress


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdin is None:  # closed by the caller: read as empty, which every path handles
        sys.stdin = open(os.devnull)  # noqa: SIM115 (lives as long as the process)
    if sys.stdout is None:
        print(
            f"spasm-triage: standard output is closed: nothing can be shown; {NO_ADVICE}",
            file=sys.stderr or sys.__stderr__,
        )
        return EXIT_USAGE
    parser = cli_args.parser()
    args = parser.parse_args(argv)
    if args.command == "help":
        return cli_args.show_help(parser, args.topic)
    try:
        code = _run(args)
        sys.stdout.flush()  # here, where a failure is reported, not at exit
        return code
    except BrokenPipeError:  # output piped into `head` and the like
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:  # a full disk or a failing terminal while writing the advice
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"spasm-triage: could not finish: {exc.strerror or exc}{where}.", file=sys.stderr)
        if args.command is None:
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
        _silence_stdout()
        return EXIT_RULES


def _silence_stdout() -> None:
    """Whatever is still buffered for stdout can no longer be written: drop it, so that
    exiting does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(args: argparse.Namespace) -> int:
    packs = _packs(getattr(args, "packs", None))
    journal_at = "" if args.no_journal else args.journal  # "": off; None: the default place
    try:
        from triage.loading import shipped_rules_dir

        rules = [shipped_rules_dir(), *packs]
        if args.command in ("questions", "check", "test", "evaluate", "schema", "graph", "explain"):
            from triage import cli_authoring as authoring

            if args.command in ("check", "test", "explain") and not getattr(args, "paths", None):
                authoring.note_if_clone_is_not_used()

            if args.command == "questions":
                return authoring.questions(args.list_format, rules)
            if args.command == "check":
                return authoring.check([Path(p) for p in args.paths], packs, args.strict)
            if args.command == "test":
                return authoring.test([Path(p) for p in args.paths], rules)
            if args.command == "evaluate":
                paths = [Path(p) for p in args.paths]
                return authoring.evaluate(paths, args.evaluate_format, rules)
            if args.command == "schema":
                return authoring.schema(args.cases)
            if args.command == "graph":
                return authoring.graph(args.graph_format, args.focus, rules)
            return authoring.explain_command(args.name, args.explain_answers, rules)
        if args.command in ("history", "follow-up"):
            from triage import cli_journal

            if args.command == "history":
                return cli_journal.history(
                    args.history_format, args.forget, args.yes, rules, journal_at
                )
            return cli_journal.follow_up(
                set(args.tried), set(args.helped), set(args.not_helped), rules, journal_at
            )
        if args.demo:
            return _demo(args.format, rules)
        if args.answers is not None and not args.interactive:
            return _consult(args.answers, args.format, args.save, rules, journal_at, args.full)
        return _interactive(args.answers, args.resume, args.save, rules, journal_at, args.full)
    except TriageError as exc:
        show_codes = not isinstance(exc, AnswersError)
        for problem in exc.problems:
            line = str(problem) if show_codes else problem.plain()
            print(line, file=sys.stderr)
        if args.command is None and isinstance(exc, RulesError):
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
        return exc.exit_code
    except RunawayError as exc:
        print(f"spasm-triage: {exc}. {NO_ADVICE}", file=sys.stderr)
        return EXIT_RULES
    except KeyboardInterrupt:
        print("\nspasm-triage: interrupted; nothing was changed.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _packs(given: list[str] | None) -> list[Path]:
    """Local rule packs: the environment's first, then each --rules, all after the shipped rules."""
    from_env = [p for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p]
    return [Path(p) for p in [*from_env, *(given or [])]]


def _consult(
    answers_path: str,
    fmt: str,
    save: str | None,
    rules: list[Path],
    journal_at: str | None,
    full: bool = False,
) -> int:
    from triage import loading, ranking, report
    from triage.engine import Engine
    from triage.relevance import possible_rules

    kb = loading.load(rules)
    from triage.answers import read_path

    given = read_path(answers_path, kb)
    journal = _open_journal(journal_at)
    with_history, journal = _with_history(kb, given.values, given.weight_units, journal)
    engine = Engine(kb, possible_rules(kb, dict(with_history.values)))
    result = ranking.rank(kb, with_history, engine.consult(with_history))
    if fmt == "json":
        out = report.to_json(result, kb)
    elif fmt == "markdown":
        out = report.to_markdown(result, kb, with_history)
    else:
        # Wrapped to the terminal (COLUMNS when set); plain, without colour, always.
        out = report.to_text(result, kb, width=shutil.get_terminal_size().columns, full=full)
    sys.stdout.write(out.rstrip("\n") + "\n")
    _record(journal, kb, given.values, given.weight_units, result)
    if save:
        return _save(save, report.to_markdown(result, kb, with_history))
    return EXIT_OK


def _demo(fmt: str, rules: list[Path]) -> int:
    """An example lifter's answers, so a newcomer sees a result at once. Nothing is written:
    the demo is no spasm of the person's, and a later consultation must not count it."""
    from triage import cache
    from triage.loading import shipped_rules_dir

    os.environ[cache.ENV] = ""  # no cache read or written
    example = shipped_rules_dir() / "examples" / "tnation_ak47.yaml"
    code = _consult(str(example), fmt, None, rules, "")
    print(
        "\nspasm-triage: that was the advice for an example lifter's answers "
        f"({example.name}); nothing was kept. Run 'spasm-triage' for your own.",
        file=sys.stderr,
    )
    return code


def _open_journal(journal_at: str | None) -> Journal | None:
    """The journal, or None when it is turned off or cannot be used (said once, on stderr)."""
    journal, problem = _try_journal(journal_at)
    if problem is not None:
        _say_unusable(problem)
    return journal


def _try_journal(journal_at: str | None) -> tuple[Journal | None, Exception | None]:
    if journal_at == "":
        return None, None
    from triage.journal import Journal, JournalError, default_path

    journal = Journal(Path(journal_at) if journal_at else default_path())
    try:
        return journal.open(), None
    except JournalError as exc:
        return None, exc


def _say_unusable(problem: object) -> None:
    print(f"spasm-triage: {problem}. The advice is given without your history.", file=sys.stderr)


def _with_history(
    kb: KnowledgeBase, values: Mapping[str, Any], units: Mapping[str, str], journal: Journal | None
) -> tuple[Answers, Journal | None]:
    """The answers, plus what the journal knows; an answer given for a journal fact wins. A
    journal that fails while it is read is closed, said once, and not written to."""
    from triage.answers import Answers

    facts = _facts(kb, journal)
    if facts is None:
        journal = None
    return Answers({**(facts or {}), **values}, dict(units)), journal


def _facts(kb: KnowledgeBase, journal: Journal | None) -> dict[str, Any] | None:
    """The journal's facts as answers ({} without a journal), or None if it failed (said)."""
    if journal is None:
        return {}
    import sqlite3

    from triage.journal import JournalError, as_answers
    from triage.journal_check import short

    try:
        facts, notices = as_answers(kb, journal.facts())
    except (sqlite3.Error, JournalError, UnicodeError) as exc:
        journal.close()
        _say_unusable(exc if isinstance(exc, JournalError) else f"{journal.path}: {short(exc)}")
        return None
    for notice in notices:
        print(f"spasm-triage: {journal.path}: {notice}.", file=sys.stderr)
    return facts


def _record(
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


def _save(path: str, markdown: str) -> int:
    """The advice as Markdown: health answers, so a new file is the user's only (0600, set
    before anything is written, whatever the umask); an existing file keeps its mode."""
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.fchmod(fd, 0o600)  # a umask can take bits away from 0600, never add any
        except FileExistsError:
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(markdown)
    except OSError as exc:
        print(
            f"spasm-triage: could not save the advice to {path}: {exc.strerror} "
            "(it is shown above)",
            file=sys.stderr,
        )
        return EXIT_RULES
    print(f"Saved as Markdown: {path}", file=sys.stderr)
    return EXIT_OK


def _interactive(
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
        return EXIT_USAGE
    import sqlite3

    from rich.console import Console

    from triage import cli_drafts, loading, report, screen
    from triage.answers import Answers, in_words
    from triage.journal import DamagedJournal
    from triage.questionnaire import Session, Terminal
    from triage.relevance import Progress

    kb = loading.load(rules)
    console = Console()
    journal, problem = _try_journal(journal_at)
    drafts_only = isinstance(problem, DamagedJournal) and problem.drafts_only
    if problem is not None and not drafts_only:
        _say_unusable(problem)
    progress = Progress()
    if prefill is not None:
        from triage.answers import read_path

        given = read_path(prefill, kb)
        progress = Progress(dict(given.values), set(), dict(given.weight_units))
    session = Session(kb, Terminal(console), progress)
    draft: int | None = None  # this questionnaire's own draft in the journal
    kept = False  # whether the answers so far are in it
    failed: list[str] = []
    started_over: list[int] = []  # drafts the person chose to start again over

    def keep(current: Progress) -> None:
        nonlocal draft, kept
        if journal is None:
            return
        own = {q: v for q, v in current.values.items() if not kb.questions[q].journal}
        blank = sorted(q for q in current.blank if not kb.questions[q].journal)
        try:
            draft = journal.save_draft(draft, in_words(kb, own, current.weight_units), blank)
            kept = True
            if started_over:  # the new questionnaire is kept: the old ones can go
                journal.discard_drafts(started_over)
                started_over.clear()
        except sqlite3.Error as exc:
            kept = False
            if not failed:  # said once; the questionnaire goes on
                failed.append(str(exc))
                console.print(
                    f"[yellow]Could not keep your answers in the journal ({exc}); "
                    "Ctrl-C would lose them.[/yellow]"
                )

    try:
        screen.intro(console, kb, kept=journal is not None or drafts_only)
        if drafts_only:
            assert isinstance(problem, DamagedJournal)
            journal = cli_drafts.discard_damaged(
                problem, console, lambda: _open_journal(journal_at)
            )
        chosen, started_over[:] = (
            cli_drafts.choose(kb, journal, console, resume) if journal is not None else (None, [])
        )
        if chosen is not None:
            draft, session.progress = chosen[0].id, chosen[1]
            kept = True
            console.print(f"Carrying on from your answers of {cli_drafts.when(chosen[0].saved)}.")
        elif resume:
            console.print("There is no unfinished questionnaire to resume; starting a new one.")
        # What the journal knows is settled before the first question: never asked.
        facts = _facts(kb, journal)
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
        if journal is not None:
            journal.close()
        return EXIT_INTERRUPTED
    values, units = session.progress.values, session.progress.weight_units
    session.present(
        result, full=full, shown=lambda: _record(journal, kb, values, units, result, draft)
    )
    if save:
        given = Answers(dict(session.progress.values), dict(session.progress.weight_units))
        return _save(save, report.to_markdown(result, kb, given))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
