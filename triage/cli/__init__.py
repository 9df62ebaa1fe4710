"""The command line: a thin layer over the library. Problems become one line each on stderr
and an exit code; never a traceback. Heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from triage.cli import args as cli_args
from triage.cli import consult as cli_consult
from triage.cli.args import PACKS_ENV
from triage.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RULES,
    EXIT_USAGE,
    NO_ADVICE,
    AnswersError,
    Location,
    Problem,
    RulesError,
    RunawayError,
    TriageError,
    printable,
)


def main(argv: Sequence[str] | None = None) -> int:
    saved = sys.stdin, sys.stdout, sys.stderr
    try:
        _standard_streams()
        return _main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _standard_streams() -> None:
    """Streams that cannot fail the advice: a closed descriptor 0-2 gets /dev/null (else the
    journal's file could take its number and notices go into it, or into --format json), a
    notice that cannot be written to stderr (a closed pipe, a full disk) is dropped instead of
    ending the run, and text a terminal's encoding cannot show is spelt in plain letters
    instead of raising UnicodeEncodeError before the emergency is printed."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.open(os.devnull, os.O_RDWR)  # takes the lowest free number: this one
    if sys.stdin is None:  # closed by the caller: read as empty, which every path handles
        sys.stdin = open(os.devnull)  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:  # print(file=None) would write notices to stdout
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    from triage import streams

    streams.plain_when_needed(sys.stdout)
    streams.plain_when_needed(sys.stderr)
    sys.stderr = streams.Notices(sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    if sys.stdout is None:
        print(
            f"spasm-triage: standard output is closed: nothing can be shown; {NO_ADVICE}",
            file=sys.stderr or sys.__stderr__,
        )
        return EXIT_USAGE
    words = sys.argv[1:] if argv is None else list(argv)
    parser = cli_args.parser(commands=bool(words))  # a bare launch parses no command
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code not in (0, None) and cli_args.consultation(argv):
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)  # a mistyped option
        raise
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
    except Exception as exc:  # a fault of the tool's own: never a silent end
        if os.environ.get("SPASM_TRIAGE_DEBUG"):
            raise
        print(
            f"spasm-triage: an unexpected error ({type(exc).__name__}: {printable(str(exc))[:200]}); "
            "please report it (SPASM_TRIAGE_DEBUG=1 shows where it happened).",
            file=sys.stderr,
        )
        if args.command is None:
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
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
    try:
        _refuse_empty(args)
        packs = _packs(getattr(args, "packs", None))
        journal_at = "" if args.no_journal else args.journal  # "": off; None: the default place
        from triage.knowledge.rule_files import shipped_rules_dir

        rules = [shipped_rules_dir(), *packs]
        if args.command in ("questions", "check", "test", "evaluate", "schema", "graph", "explain"):
            from triage.cli import authoring as authoring

            if args.command in ("check", "test", "explain") and sys.stdout.isatty():
                from triage import streams

                sys.stdout = streams.Wrapping(sys.stdout)
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
            from triage.cli import explain as cli_explain

            if args.last:
                return cli_explain.explain_last(args.name, rules, journal_at)
            return cli_explain.explain_command(args.name, args.explain_answers, rules)
        if args.command in ("history", "follow-up"):
            from triage.cli import journal as cli_journal

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
        from triage.cli import questionnaire as cli_questionnaire

        return cli_questionnaire.interactive(
            args.answers, args.resume, args.save, rules, journal_at, args.full
        )
    except TriageError as exc:
        show_codes = not isinstance(exc, AnswersError)
        for problem in exc.problems:
            line = str(problem) if show_codes else problem.plain()
            print(line, file=sys.stderr)
        for note in exc.notes:
            print(f"spasm-triage: {note}.", file=sys.stderr)
        if getattr(exc, "shown", False):  # the red-flag advice of what could be read
            print(f"spasm-triage: {cli_consult.PARTIAL_ADVICE}", file=sys.stderr)
        elif args.command is None:  # a consultation that gives no advice
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
        return exc.exit_code
    except RunawayError as exc:
        print(f"spasm-triage: {exc}. {NO_ADVICE}", file=sys.stderr)
        return EXIT_RULES
    except KeyboardInterrupt:
        print("\nspasm-triage: interrupted; nothing was changed.", file=sys.stderr)
        if args.command is None:
            print(f"spasm-triage: {NO_ADVICE}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _refuse_empty(args: argparse.Namespace) -> None:
    """An option given an empty value is a slip (an unset variable in a script), never a wish:
    `--save ""` would keep nothing and `--journal ""` no history, silently."""
    from triage.errors import UsageError

    for option, value, instead in (
        ("--save", getattr(args, "save", None), "a file name for the Markdown, e.g. advice.md"),
        ("--journal", getattr(args, "journal", None), "a file name, or --no-journal for none"),
    ):
        if value is not None and not value.strip():
            raise UsageError(
                [
                    Problem(
                        "A001",
                        f"{option} was given an empty name: give {instead}",
                        Location(option),
                    )
                ]
            )


def _packs(given: list[str] | None) -> list[Path]:
    """Local rule packs: the environment's first, then each --rules, all after the shipped
    rules. A folder the environment names that is not there is named with the variable: it is
    easily forgotten, set in a shell profile long ago."""
    from_env = [os.path.expanduser(p) for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p]
    stale = [p for p in from_env if not os.path.exists(p)]
    if stale:
        raise RulesError(
            [
                Problem(
                    "E004",
                    f"{PACKS_ENV} names a rule pack that is not there: create it, or take it "
                    f"out of {PACKS_ENV} (unset {PACKS_ENV} for the shipped rules alone)",
                    Location(p),
                )
                for p in stale
            ]
        )
    return [Path(p) for p in [*from_env, *(given or [])]]


def _consult(
    answers_path: str,
    fmt: str,
    save: str | None,
    rules: list[Path],
    journal_at: str | None,
    full: bool = False,
) -> int:
    from triage import report
    from triage.knowledge import loading

    kb = loading.load(rules)
    given = cli_consult.read_answers(answers_path, kb, fmt, full)
    journal = cli_consult.open_journal(journal_at)
    with_history, journal = cli_consult.with_history(kb, given.values, given.weight_units, journal)
    result = cli_consult.ranked(kb, with_history)
    cli_consult.show(result, kb, with_history, fmt, full)
    cli_consult.record(journal, kb, given.values, given.weight_units, result)
    if save:
        return cli_consult.save(
            save, report.to_markdown(result, kb, with_history), answers_path, journal_at
        )
    return EXIT_OK


def _demo(fmt: str, rules: list[Path]) -> int:
    """An example lifter's answers, so a newcomer sees a result at once. Nothing is written:
    the demo is no spasm of the person's, and a later consultation must not count it."""
    from triage.knowledge import cache
    from triage.knowledge.rule_files import shipped_rules_dir

    os.environ[cache.ENV] = ""  # no cache read or written
    example = shipped_rules_dir() / "examples" / "tnation_ak47.yaml"
    code = _consult(str(example), fmt, None, rules, "")
    print(
        "\nspasm-triage: that was the advice for an example lifter's answers "
        f"({example.name}); nothing was kept. Run 'spasm-triage' for your own.",
        file=sys.stderr,
    )
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
