"""The journal's commands: `history` (with --forget) and `follow-up`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from triage.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RULES, EXIT_USAGE, RulesError


def journal_path(journal_at: str | None) -> Path:
    from triage.journal import default_path

    return Path(journal_at) if journal_at else default_path()


def history(fmt: str, forget: bool, yes: bool, rules: list[Path], journal_at: str | None) -> int:
    from triage import journal_view
    from triage.journal import Journal, JournalError
    from triage.journal import forget as forget_journal

    if journal_at == "":
        print("spasm-triage: --no-journal: there is no history to show", file=sys.stderr)
        return EXIT_USAGE
    path = journal_path(journal_at)
    if forget:
        if not path.exists():
            print(f"There is no journal at {path}.")
            return EXIT_OK
        if not yes:
            if not sys.stdin.isatty():
                print(
                    "spasm-triage: --forget deletes your whole journal; without a terminal to "
                    "confirm it, add --yes",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            import questionary

            if not questionary.confirm(
                f"Delete your spasm journal at {path}, every episode in it? This cannot be undone.",
                default=False,
            ).unsafe_ask():
                print("Nothing was deleted.")
                return EXIT_OK
        gone = forget_journal(path)
        print(f"Deleted {len(gone)} file(s): the journal at {path} is gone.")
        return EXIT_OK
    if not path.exists():
        entries = []
    else:
        try:
            with Journal(path) as journal:
                entries = journal.entries()
        except JournalError as exc:
            print(f"spasm-triage: {exc}", file=sys.stderr)
            return EXIT_RULES
    if fmt == "json":
        sys.stdout.write(journal_view.as_json(entries))
    elif fmt == "csv":
        sys.stdout.write(journal_view.as_csv(entries))
    else:
        from rich.console import Console

        from triage import loading

        try:
            kb = loading.load(rules)
        except RulesError:
            kb = None  # the history still shows, with ids for titles
        journal_view.show(Console(), entries, kb)
    return EXIT_OK


def follow_up(
    tried: set[str],
    helped: set[str],
    not_helped: set[str],
    rules: list[Path],
    journal_at: str | None,
) -> int:
    from triage import journal_view, loading
    from triage.errors import did_you_mean
    from triage.journal import Journal, JournalError

    if journal_at == "":
        print("spasm-triage: --no-journal: there is nothing to follow up", file=sys.stderr)
        return EXIT_USAGE
    path = journal_path(journal_at)
    if not path.exists():
        print(
            "spasm-triage: the journal is empty: there is no consultation to follow up",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        journal = Journal(path).open()
    except JournalError as exc:
        print(f"spasm-triage: {exc}", file=sys.stderr)
        return EXIT_RULES
    with journal:
        last = journal.last()
        if last is None:
            print(
                "spasm-triage: the journal is empty: there is no consultation to follow up",
                file=sys.stderr,
            )
            return EXIT_USAGE
        given = [a["suggestion"] for a in last.advice]
        unknown = sorted((tried | helped | not_helped) - set(given))
        if unknown:
            print(
                f"spasm-triage: '{unknown[0]}' was not advised on "
                f"{last.finished.astimezone():%Y-%m-%d}{did_you_mean(unknown[0], given)}; "
                f"that consultation advised: {', '.join(given)}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if not (tried or helped or not_helped):
            if not sys.stdin.isatty():
                print(
                    "spasm-triage: follow-up asks in a terminal; without one, use --tried, "
                    "--helped and --not-helped",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            try:
                tried, helped, not_helped = _ask_follow_up(last, rules)
            except (KeyboardInterrupt, EOFError):
                print("\nspasm-triage: stopped; nothing was recorded.", file=sys.stderr)
                return EXIT_INTERRUPTED
        journal.follow_up(last.id, tried, helped, not_helped)
    try:
        kb = loading.load(rules)
    except RulesError:
        kb = None
    names = ", ".join(journal_view.title(kb, s) for s in sorted(helped)) or "nothing yet"
    print(
        f"Recorded for {last.finished.astimezone():%Y-%m-%d}: tried {len(tried | helped | not_helped)}, "
        f"helped: {names}. Next time, what helped is ranked up."
    )
    return EXIT_OK


def _ask_follow_up(last: Any, rules: list[Path]) -> tuple[set[str], set[str], set[str]]:
    import questionary

    from triage import journal_view, loading

    try:
        kb = loading.load(rules)
    except RulesError:
        kb = None
    choices = [
        questionary.Choice(journal_view.title(kb, a["suggestion"]), a["suggestion"])
        for a in last.advice
    ]
    tried = set(
        questionary.checkbox(
            f"Your consultation of {last.finished.astimezone():%Y-%m-%d}: which of these did you try?",
            choices=choices,
            instruction="(Space to tick, Enter when done)",
        ).unsafe_ask()
    )
    helped: set[str] = set()
    not_helped: set[str] = set()
    for suggestion in sorted(tried):
        answer = questionary.select(
            f"Did it help: {journal_view.title(kb, suggestion)}?",
            choices=[
                questionary.Choice("Yes", "yes"),
                questionary.Choice("No", "no"),
                questionary.Choice("Not sure", "unsure"),
            ],
        ).unsafe_ask()
        if answer == "yes":
            helped.add(suggestion)
        elif answer == "no":
            not_helped.add(suggestion)  # "not sure" stays tried, with no verdict
    return tried, helped, not_helped
