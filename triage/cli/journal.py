"""The journal's commands: `history` (with --forget) and `follow-up`."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RULES, EXIT_USAGE, RulesError
from triage.journal.check import short

if TYPE_CHECKING:
    from triage.model import KnowledgeBase


def journal_path(journal_at: str | None) -> Path:
    from triage.journal import default_path

    return Path(os.path.expanduser(journal_at)) if journal_at else default_path()


def _no_journal(what: str) -> int:
    print(f"spasm-triage: --no-journal: there is no journal in use; {what}", file=sys.stderr)
    return EXIT_USAGE


def history(fmt: str, forget: bool, yes: bool, rules: list[Path], journal_at: str | None) -> int:
    if journal_at == "":
        return _no_journal("nothing was deleted" if forget else "there is no history to show")
    path = journal_path(journal_at)
    if forget:
        return _forget(path, yes)
    from triage.journal import Journal, JournalError
    from triage.journal import view as journal_view

    if not path.exists():
        journal = None
    else:
        try:
            journal = Journal(path).open(salvage=True)
        except JournalError as exc:
            print(f"spasm-triage: {exc}", file=sys.stderr)
            return EXIT_RULES
    try:
        kb = _rules_or_none(rules)
        if fmt in ("json", "csv"):
            entries = journal.iter_entries() if journal is not None else iter(())
            if fmt == "json":
                journal_view.write_json(sys.stdout, entries)
            else:
                journal_view.write_csv(sys.stdout, entries, kb)
        else:
            from rich.console import Console

            if journal is None:
                latest, total, times = [], 0, []
            else:
                latest = list(journal.iter_entries(last=journal_view.SHOWN))
                total = journal.count() - len({d.row for d in journal.damage if d.row})
                times = journal.times()
            journal_view.show(Console(), latest, total, times, kb)
        damage = journal.damage if journal is not None else []
    except (sqlite3.Error, JournalError, UnicodeError) as exc:
        print(f"spasm-triage: {path}: the journal could not be read to the end "
              f"({short(exc)}); it is left as it is", file=sys.stderr)  # fmt: skip
        return EXIT_RULES
    finally:
        if journal is not None:
            journal.close()
    if damage:
        print(f"spasm-triage: {path}: {_named(damage)}", file=sys.stderr)
        return EXIT_RULES
    return EXIT_OK


def _named(damage: list[Any]) -> str:
    """What could not be read, in one line."""
    rows: dict[int, str] = {}
    for d in damage:
        if d.table == "consultation" and d.row is not None:
            rows.setdefault(d.row, d.what)
    drafts = [d for d in damage if d.table == "draft"]
    parts = []
    if len(rows) == 1:
        ((row, what),) = rows.items()
        parts.append(f"consultation {row} cannot be read ({what}) and is left out")
    elif rows:
        ids = sorted(rows)
        shown = ", ".join(map(str, ids[:10])) + (", ..." if len(ids) > 10 else "")
        parts.append(
            f"{len(ids)} consultations cannot be read ({shown}; the first: {rows[ids[0]]}) "
            "and are left out"
        )
    if drafts:
        parts.append(
            f"{len(drafts)} unfinished questionnaire(s) cannot be read ({drafts[0].what}); "
            "the questionnaire asks whether to discard them"
        )
    return "; ".join(parts) + "; the journal is left as it is"


def _forget(path: Path, yes: bool) -> int:
    from triage.journal import JournalError
    from triage.journal import forget as forget_journal
    from triage.journal.check import recognise

    if not (path.exists() or path.is_symlink()):
        print(f"There is no journal at {path}.")
        return EXIT_OK
    why = recognise(path.resolve())
    if why is not None:  # before asking: the answer could only be no
        print(f"spasm-triage: {path}: {why}, not a spasm-triage journal; nothing was deleted",
              file=sys.stderr)  # fmt: skip
        return EXIT_RULES
    if not yes:
        if not sys.stdin.isatty():
            print(
                "spasm-triage: --forget deletes your whole journal; without a terminal to "
                "confirm it, add --yes",
                file=sys.stderr,
            )
            return EXIT_USAGE
        from triage import prompts

        # One careless key must not delete years of history: y (or n), then Enter.
        if not prompts.confirm(
            f"Delete your spasm journal at {path}, every episode in it? This cannot be undone.",
            "Yes, delete it",
            "No, keep it",
        ):
            print("Nothing was deleted.")
            return EXIT_OK
    try:
        gone = forget_journal(path)
    except JournalError as exc:
        print(f"spasm-triage: {exc}", file=sys.stderr)
        return EXIT_RULES
    except OSError as exc:
        print(f"spasm-triage: {path}: could not delete the journal ({exc.strerror})",
              file=sys.stderr)  # fmt: skip
        return EXIT_RULES
    folder = ""
    if path.parent.name == "spasm-triage":  # the tool's own folder: left empty, it goes too
        try:
            path.parent.rmdir()
            folder = f", and its folder {path.parent}"
        except OSError:
            pass  # something else is in it, or it is not ours to remove
    print(f"Deleted {len(gone)} file(s): the journal at {path} is gone{folder}.")
    return EXIT_OK


def follow_up(
    tried: set[str],
    helped: set[str],
    not_helped: set[str],
    rules: list[Path],
    journal_at: str | None,
) -> int:
    from triage.errors import did_you_mean
    from triage.journal import Journal, JournalError

    if journal_at == "":
        return _no_journal("there is nothing to follow up")
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
        print(f"spasm-triage: {exc}; nothing was recorded", file=sys.stderr)
        return EXIT_RULES
    with journal:
        try:
            last = journal.last()
        except (sqlite3.Error, JournalError, UnicodeError) as exc:
            print(f"spasm-triage: {path}: the journal cannot be read ({short(exc)}); nothing "
                  "was recorded", file=sys.stderr)  # fmt: skip
            return EXIT_RULES
        if last is None:
            print(
                "spasm-triage: the journal is empty: there is no consultation to follow up",
                file=sys.stderr,
            )
            return EXIT_USAGE
        kb = _rules_or_none(rules)
        nets = {sid for sid, s in kb.suggestions.items() if s.safety_net} if kb else set()
        given = [a["suggestion"] for a in last.advice if a["suggestion"] not in nets]
        unknown = sorted((tried | helped | not_helped) - set(given))
        if unknown and unknown[0] in nets:
            print(
                f"spasm-triage: '{unknown[0]}' is the list of signs to watch for, not something "
                "to try; that consultation advised: " + ", ".join(given),
                file=sys.stderr,
            )
            return EXIT_USAGE
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
                tried, helped, not_helped = _ask_follow_up(last, given, kb)
            except (KeyboardInterrupt, EOFError):
                print("\nspasm-triage: stopped; nothing was recorded.", file=sys.stderr)
                return EXIT_INTERRUPTED
        journal.follow_up(last.id, tried, helped, not_helped)
    print(_recorded(last, tried | helped | not_helped, helped, kb))
    return EXIT_OK


def _rules_or_none(rules: list[Path]) -> KnowledgeBase | None:
    from triage.knowledge import loading

    try:
        return loading.load(rules)
    except RulesError:
        return None  # the journal still works, with ids for titles


def _recorded(last: Any, tried: set[str], helped: set[str], kb: KnowledgeBase | None) -> str:
    """What was kept, and exactly what it changes next time: advice that helped is ranked up
    only where a rule reads it from the journal (rules/history.yaml)."""
    from triage.journal import view as journal_view

    said = f"Recorded for {journal_view.when(last.finished)}: tried {len(tried)}"
    if not helped:
        return f"{said}; nothing helped, so far."
    raised = _ranked_up_when_helped(kb)
    up = [journal_view.title(kb, s) for s in sorted(helped) if s in raised]
    kept = [journal_view.title(kb, s) for s in sorted(helped) if s not in raised]
    parts = [f"{said}; helped: {', '.join(up + kept)}."]
    if up:
        parts.append(f"Next time this is ranked up, and says it helped you: {', '.join(up)}.")
    if kept:
        parts.append(f"Kept in your journal (no rule ranks it up yet): {', '.join(kept)}.")
    return " ".join(parts)


def _ranked_up_when_helped(kb: KnowledgeBase | None) -> set[str]:
    """The suggestions a rule makes because the journal says they helped."""
    if kb is None:
        return set()
    from triage.conditions import AnswerTest, leaves

    helped_questions = {q.id for q in kb.questions.values() if q.journal == "helped"}
    raised = set()
    for rule in kb.rules:
        named = {
            str(value)
            for test, negated in leaves(rule.when)
            if isinstance(test, AnswerTest) and not negated and test.question in helped_questions
            for value in (test.value if isinstance(test.value, tuple) else (test.value,))
        }
        raised |= named & {ref.id for ref in rule.suggest}
    return raised


def _ask_follow_up(
    last: Any, given: list[str], kb: KnowledgeBase | None
) -> tuple[set[str], set[str], set[str]]:
    """The questionnaire's own checklist and choices, with its keys: a line's number (or the
    arrows, then y or Space) ticks, 0 is "none of them", then Enter; y, n or ?, then Enter."""
    from triage import prompts
    from triage.journal import view as journal_view

    ticked = prompts.checklist(
        f"Your consultation of {journal_view.when(last.finished)}: which of these did you try?",
        [prompts.Option(sid, journal_view.title(kb, sid)) for sid in given],
        unsure=False,
        none_label="None of them",
    )
    if ticked is None:
        raise EOFError
    tried = set(ticked)
    helped: set[str] = set()
    not_helped: set[str] = set()
    for suggestion in sorted(tried):
        answer = prompts.choose(
            f"Did it help: {journal_view.title(kb, suggestion)}?",
            [
                prompts.Option("yes", "Yes", "y"),
                prompts.Option("no", "No", "n"),
                prompts.Option("unsure", "Not sure", "?"),
            ],
        )
        if answer == "yes":
            helped.add(suggestion)
        elif answer == "no":
            not_helped.add(suggestion)  # "not sure" stays tried, with no verdict
    return tried, helped, not_helped
