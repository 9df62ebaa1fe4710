"""The command line: a thin layer over the library. Problems become one line each on stderr
and an exit code; never a traceback. Heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

PACKS_ENV = "SPASM_TRIAGE_RULES"  # local rule packs, separated like PATH


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spasm-triage",
        description="Triage for a lifter's lower-back spasm: red flags first, then ranked, "
        "sourced advice. Not a diagnosis.",
    )
    parser.add_argument(
        "--answers",
        metavar="FILE",
        help="YAML or JSON file mapping question ids to answers ('-' reads stdin)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format with --answers (default: text)",
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="with --answers: take those answers and ask only what is missing",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue an unfinished questionnaire"
    )
    parser.add_argument(
        "--save", metavar="FILE", help="also write the advice as Markdown, e.g. for a physio"
    )
    # --rules and --journal go before a command or after it. Given after, SUPPRESS keeps the
    # command's own default from erasing one given before.
    common = argparse.ArgumentParser(add_help=False)
    journal = argparse.ArgumentParser(add_help=False)
    for target, default in ((parser, None), (common, argparse.SUPPRESS)):
        target.add_argument(
            "--rules",
            action="append",
            dest="packs",
            metavar="DIR",
            default=default,
            help="a local rule pack: a directory (or file) of rules loaded after the shipped "
            f"ones; repeatable (also ${PACKS_ENV}, separated like PATH)",
        )
    for target, default in ((parser, None), (journal, argparse.SUPPRESS)):
        target.add_argument(
            "--journal",
            metavar="PATH",
            default=default,
            help="the spasm journal (SQLite) to use (default: in your user data folder; also "
            "$SPASM_TRIAGE_JOURNAL)",
        )
    parser.add_argument(
        "--no-journal", action="store_true", help="keep nothing: no history, no resume"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    questions = commands.add_parser(
        "questions", parents=[common], help="list every question: id, wording, type, choices"
    )
    questions.add_argument("--format", choices=("text", "json"), default="text", dest="list_format")
    check = commands.add_parser("check", parents=[common], help="load and validate rule files")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="rule directories or files (default: the shipped rules)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    test = commands.add_parser(
        "test", parents=[common], help="run the rule tests (YAML cases beside the rules)"
    )
    test.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="case files or directories (default: the shipped rules' tests)",
    )
    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="score realistic cases: tier accuracy, safety, advice, prompts (exit 1 if unsafe)",
    )
    evaluate.add_argument("paths", nargs="+", metavar="FILE", help="case files or directories")
    evaluate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        dest="evaluate_format",
        help="a row per case and the totals (default), or everything as one JSON object",
    )
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of rule files (or --cases: of rule-test files)"
    )
    schema.add_argument("--cases", action="store_true", help="the schema of rules/tests/*.yaml")
    graph = commands.add_parser(
        "graph", parents=[common], help="draw questions -> findings -> suggestions"
    )
    graph.add_argument(
        "--format", choices=("mermaid", "dot"), default="mermaid", dest="graph_format"
    )
    graph.add_argument(
        "--focus", metavar="ID", help="only what connects to this question, finding or suggestion"
    )
    history = commands.add_parser(
        "history",
        parents=[common, journal],
        help="past episodes, what helped, a chart per month; or export or forget them",
    )
    history.add_argument(
        "--format", choices=("text", "json", "csv"), default="text", dest="history_format"
    )
    history.add_argument("--forget", action="store_true", help="delete the journal (asks first)")
    history.add_argument("--yes", action="store_true", help="with --forget: do not ask")
    follow = commands.add_parser(
        "follow-up",
        parents=[common, journal],
        help="say which suggestions of your last consultation you tried, and what helped",
    )
    for flag, what in (
        ("--tried", "tried, without saying whether it helped"),
        ("--helped", "tried, and it helped"),
        ("--not-helped", "tried, no help"),
    ):
        follow.add_argument(
            flag,
            action="append",
            default=[],
            metavar="SUGGESTION",
            help=f"a suggestion you {what} (repeatable; without any of these flags, you are asked)",
        )
    explain = commands.add_parser(
        "explain",
        parents=[common],
        help="why a rule or suggestion fired or not; without --answers, it in plain words",
    )
    explain.add_argument("name", metavar="RULE_OR_SUGGESTION")
    explain.add_argument(
        "--answers",
        dest="explain_answers",
        metavar="FILE",
        help="YAML or JSON answers to explain it against ('-' reads stdin)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdin is None:  # closed by the caller: read as empty, which every path handles
        sys.stdin = open(os.devnull)  # noqa: SIM115 (lives as long as the process)
    if sys.stdout is None:
        print(
            f"spasm-triage: standard output is closed: nothing can be shown; {NO_ADVICE}",
            file=sys.stderr or sys.__stderr__,
        )
        return EXIT_USAGE
    args = _parser().parse_args(argv)
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
                    args.history_format, args.forget, args.yes, rules, args.journal
                )
            return cli_journal.follow_up(
                set(args.tried), set(args.helped), set(args.not_helped), rules, args.journal
            )
        if args.answers is not None and not args.interactive:
            return _consult(args.answers, args.format, args.save, rules, journal_at)
        return _interactive(args.answers, args.resume, args.save, rules, journal_at)
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
    answers_path: str, fmt: str, save: str | None, rules: list[Path], journal_at: str | None
) -> int:
    from triage import loading, ranking, report
    from triage.engine import Engine
    from triage.relevance import possible_rules

    kb = loading.load(rules)
    from triage.answers import read_path

    given = read_path(answers_path, kb)
    journal = _open_journal(journal_at)
    with_history = _with_history(kb, given.values, given.weight_units, journal)
    engine = Engine(kb, possible_rules(kb, dict(with_history.values)))
    result = ranking.rank(kb, with_history, engine.consult(with_history))
    render = {"json": report.to_json, "markdown": report.to_markdown, "text": report.to_text}[fmt]
    sys.stdout.write(render(result, kb).rstrip("\n") + "\n")
    _record(journal, kb, given.values, given.weight_units, result)
    if save:
        return _save(save, report.to_markdown(result, kb))
    return EXIT_OK


def _open_journal(journal_at: str | None) -> Journal | None:
    """The journal, or None when it is turned off or cannot be used (said once, on stderr)."""
    if journal_at == "":
        return None
    from triage.journal import Journal, JournalError, default_path

    journal = Journal(Path(journal_at) if journal_at else default_path())
    try:
        return journal.open()
    except JournalError as exc:
        print(f"spasm-triage: {exc}. The advice is given without your history.", file=sys.stderr)
        return None


def _with_history(
    kb: KnowledgeBase, values: Mapping[str, Any], units: Mapping[str, str], journal: Journal | None
) -> Answers:
    """The answers, plus what the journal knows; an answer given for a journal fact wins."""
    from triage.answers import Answers
    from triage.journal import as_answers

    facts = as_answers(kb, journal.facts()) if journal is not None else {}
    return Answers({**facts, **values}, dict(units))


def _record(
    journal: Journal | None,
    kb: KnowledgeBase,
    values: Mapping[str, Any],
    units: Mapping[str, str],
    result: Result,
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
        )
    except sqlite3.Error as exc:
        print(f"spasm-triage: could not record this in the journal ({exc}).", file=sys.stderr)
    finally:
        journal.close()


def _save(path: str, markdown: str) -> int:
    try:
        Path(path).write_text(markdown, encoding="utf-8")
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
    prefill: str | None, resume: bool, save: str | None, rules: list[Path], journal_at: str | None
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

    from triage import loading, report, screen
    from triage.answers import in_words
    from triage.journal import as_answers
    from triage.questionnaire import Session, Terminal
    from triage.relevance import Progress

    kb = loading.load(rules)
    console = Console()
    journal = _open_journal(journal_at)
    progress = Progress()
    if prefill is not None:
        from triage.answers import read_path

        given = read_path(prefill, kb)
        progress = Progress(dict(given.values), set(), dict(given.weight_units))
    draft = _draft(kb, journal, console) if journal is not None else None
    session = Session(kb, Terminal(console), progress)
    failed: list[str] = []

    def keep(current: Progress) -> None:
        if journal is None:
            return
        own = {q: v for q, v in current.values.items() if not kb.questions[q].journal}
        blank = sorted(q for q in current.blank if not kb.questions[q].journal)
        try:
            journal.save_unfinished(in_words(kb, own, current.weight_units), blank)
        except sqlite3.Error as exc:
            if not failed:  # said once; the questionnaire goes on
                failed.append(str(exc))
                console.print(
                    f"[yellow]Could not keep your answers in the journal ({exc}); "
                    "Ctrl-C would lose them.[/yellow]"
                )

    try:
        screen.intro(console, kb)
        if draft is not None and (resume or _continue_saved(draft[1])):
            session.progress = draft[0]
            console.print(f"Carrying on from your answers of {draft[1]}.")
        elif resume:
            console.print("There is no unfinished questionnaire to resume; starting a new one.")
        # What the journal knows is settled before the first question: never asked.
        facts = as_answers(kb, journal.facts()) if journal is not None else {}
        for question in kb.questions.values():
            if question.journal:
                if question.id in facts:
                    session.progress.values.setdefault(question.id, facts[question.id])
                elif question.id not in session.progress.values:
                    session.progress.blank.add(question.id)
        session.on_answer = keep
        result = session.run()
    except (KeyboardInterrupt, EOFError):
        own = [
            q
            for q in (*session.progress.values, *session.progress.blank)
            if not kb.questions[q].journal
        ]
        if journal is not None and own and not failed:
            tail = " Your answers so far are kept: 'spasm-triage --resume' carries on."
        elif own:
            tail = " Without the journal, your answers were not kept."
        else:
            tail = ""
        print(f"\nspasm-triage: stopped.{tail}", file=sys.stderr)
        if journal is not None:
            journal.close()
        return EXIT_INTERRUPTED
    screen.result(console, result, kb)
    _record(journal, kb, session.progress.values, session.progress.weight_units, result)
    if save:
        return _save(save, report.to_markdown(result, kb))
    return EXIT_OK


def _draft(kb: KnowledgeBase, journal: Journal, console: Any) -> tuple[Progress, str] | None:
    """The unfinished questionnaire in the journal, keeping what still fits today's rules."""
    from triage import answers
    from triage.relevance import Progress

    saved = journal.unfinished()
    if saved is None:
        return None
    values, blank, saved_at = saved
    from datetime import datetime

    try:  # the user's own clock, in plain words
        when = datetime.fromisoformat(saved_at).astimezone().strftime("%d %b %Y, %H:%M")
    except ValueError:
        when = saved_at
    fits: dict[str, Any] = {}
    dropped = []
    for qid, value in values.items():
        try:
            fits.update(answers.from_mapping({qid: value}, kb).values)
        except AnswersError:
            dropped.append(qid)
    if dropped:
        console.print(
            f"[yellow]Saved answers that no longer fit the rules were left out: "
            f"{', '.join(dropped)}.[/yellow]"
        )
    given = answers.from_mapping({q: values[q] for q in values if q not in dropped}, kb)
    return Progress(
        dict(given.values), {q for q in blank if q in kb.questions}, dict(given.weight_units)
    ), when


def _continue_saved(when: str) -> bool:
    from triage.questionnaire import carry_on

    return carry_on(when)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
