"""`spasm-triage explain`: why a rule or suggestion fired or did not, against an answers file
or the person's last consultation in the journal; without either, the rule in plain words."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import EXIT_OK, EXIT_RULES, EXIT_USAGE
from triage.model import KnowledgeBase
from triage.text import a_or_an

if TYPE_CHECKING:
    from triage.answers import Answers


def explain_command(name: str, answers_path: str | None, rules: list[Path]) -> int:
    from triage.knowledge import loading

    kb = loading.load(rules)
    if answers_path is None:
        return _explain(name, kb, None)
    from triage.answers import read_path

    return _explain(name, kb, read_path(answers_path, kb))


def explain_last(name: str, rules: list[Path], journal_at: str | None) -> int:
    """Explain it against the person's last consultation: its answers as the journal keeps
    them, and the history the journal held when it was made."""
    import sqlite3

    from triage.answers import Answers, from_mapping
    from triage.cli.journal import journal_path
    from triage.errors import AnswersError
    from triage.journal import Journal, JournalError
    from triage.journal.view import when
    from triage.knowledge import loading

    if journal_at == "":
        print("spasm-triage: --no-journal: there is no last consultation to explain",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    kb = loading.load(rules)
    path = journal_path(journal_at)
    if not path.exists():
        print("spasm-triage: the journal is empty: there is no consultation to explain",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        journal = Journal(path).open()
        with journal:
            last = journal.last()
            if last is None:
                print("spasm-triage: the journal is empty: there is no consultation to explain",
                      file=sys.stderr)  # fmt: skip
                return EXIT_USAGE
            from triage.journal import as_answers

            facts, _ = as_answers(kb, journal.facts(now=last.finished))
    except (sqlite3.Error, JournalError, UnicodeError) as exc:
        print(f"spasm-triage: {path}: the journal cannot be read ({exc})", file=sys.stderr)
        return EXIT_RULES
    try:
        own = from_mapping(last.answers, kb, f"the journal's consultation of {when(last.finished)}")
    except AnswersError as exc:
        # Rules changed since: an answer the questions no longer take is said, not guessed at.
        for problem in exc.problems:
            print(f"spasm-triage: {problem.plain()}", file=sys.stderr)
        return EXIT_RULES
    print(f"your last consultation, {when(last.finished)} (its answers as your journal keeps them, with your history):")
    return _explain(name, kb, Answers({**facts, **own.values}, dict(own.weight_units)))


def _explain(name: str, kb: KnowledgeBase, given: Answers | None) -> int:
    from triage import explain, ranking
    from triage.engine import Engine

    by_id = {rule.id: rule for rule in kb.rules}
    for off in kb.disabled:
        if off.rule == name:
            print(f"rule '{name}' is disabled ({off.location}): it never fires")
            return EXIT_OK
    if name not in by_id and name not in kb.suggestions:
        known = [*by_id, *kb.suggestions]
        from triage.errors import did_you_mean

        print(
            f"spasm-triage: no rule or suggestion '{name}'{did_you_mean(name, known)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    makers = (
        [by_id[name]]
        if name in by_id
        else [r for r in kb.rules if any(ref.id == name for ref in r.suggest)]
    )
    unless = kb.suggestions[name].unless if name in kb.suggestions and name not in by_id else None
    if given is None:
        if name in kb.suggestions and name not in by_id:
            print(f"suggestion '{name}': made by {len(makers)} rule(s)")
        if unless is not None:
            print("  does not apply (unless):")
            print("\n".join(explain.describe(unless, kb, "    ")))
        for rule in makers:
            print("\n".join(explain.describe_rule(rule, kb)))
        return EXIT_OK
    consultation = Engine(kb).consult(given)
    if name in kb.suggestions and name not in by_id:
        result = ranking.rank(kb, given, consultation)
        made = next((a for a in result.advice if a.id == name), None)
        if made is not None:
            print(
                f"suggestion '{name}' is in the advice: {made.tier}, confidence "
                f"{made.confidence:.0%}, #{list(result.advice).index(made) + 1} of "
                f"{len(result.advice)}"
            )
        elif any(a.id == name for a in result.not_applicable):
            print(f"suggestion '{name}' is not in the advice: it was made, but does not apply")
        elif any(a.id == name for a in result.left_out):
            print(
                f"suggestion '{name}' is not in the advice: {a_or_an(result.tier)} result "
                "leaves it out"
            )
        else:
            print(f"suggestion '{name}' is not in the advice")
        if unless is not None:
            step = explain.evaluate(unless, kb, given, consultation)
            print(f"does not apply (unless) {'holds' if step.held else 'does not hold'}:")
            print("\n".join(step.lines("  ")))
    for rule in makers:
        print("\n".join(explain.explain_rule(rule, kb, given, consultation)))
    return EXIT_OK
