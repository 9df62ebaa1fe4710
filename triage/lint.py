"""Lints: a knowledge base that loads can still hold a rule that can never fire, a question
nothing uses, or two rules that disagree on a tier at the same priority. Each finding is a
warning with a stable code and the place to look; `check --strict` makes them fail.

Whether a rule can fire is decided by search: answers are tried for the questions the rule
depends on, from small domains (the choices and thresholds its conditions mention, and blank),
pruned as soon as the three-valued evaluation says the condition is false. The questionnaire
only asks a question when its ask_if holds, so a second search adds that constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, combinations
from typing import Any

from triage.conditions import YES_NO, AnswerTest, Condition, FindingTest, leaves
from triage.conditions import All as AllOf
from triage.conditions import AnyOf as AnyOfC
from triage.conditions import Not as NotC
from triage.errors import (
    AMBIGUOUS_TIE,
    CAUTION_OFF_PATH,
    DEAD_FINDING,
    FINDING_CYCLE,
    NEVER_ASKED,
    NEVER_FIRES,
    UNUSED_QUESTION,
    UNUSED_SUGGESTION,
    Problem,
)
from triage.model import TIER_RANK, KnowledgeBase, Question, Rule
from triage.relevance import Evaluation, Planner, Progress

MAX_STEPS = 200_000  # a search this long is given up on, and the rule assumed able to fire


def lint(kb: KnowledgeBase) -> list[Problem]:
    search = _Search(kb, Planner(kb))
    problems: list[Problem] = []
    problems += _never_asked(kb, search)
    problems += _never_fires(kb, search)
    problems += _unused(kb)
    problems += _findings(kb)
    problems += _ties(kb, search)
    problems += _cautions_off_path(search.planner)
    return problems


def _warn(code: str, message: str, where: Any) -> Problem:
    return Problem(code, message, where, severity="warning")


# ---- can a condition hold? ----


def _tests(cond: Condition) -> Iterator[AnswerTest]:
    return (test for test, _ in leaves(cond) if isinstance(test, AnswerTest))


class _Search:
    def __init__(self, kb: KnowledgeBase, planner: Planner) -> None:
        self.kb, self.planner = kb, planner
        self.tests: dict[str, list[AnswerTest]] = {}
        for rule in kb.rules:
            for test in _tests(rule.when):
                self.tests.setdefault(test.question, []).append(test)
        for question in kb.questions.values():
            if question.ask_if is not None:
                for test in _tests(question.ask_if):
                    self.tests.setdefault(test.question, []).append(test)

    def domain(self, question: Question) -> Iterable[Any]:
        """Answers worth trying: one per distinct outcome of the tests that mention it. A
        many_of question named with n choices has 2^n of them: they are made one at a time,
        smallest first, so the search's step limit bounds the time and memory they take."""
        tests = self.tests.get(question.id, [])
        values: Iterable[Any]
        if question.type == "yes_no":
            values = list(YES_NO)
        elif question.type == "one_of":
            values = list(question.choice_ids)
        elif question.type == "many_of":
            named = sorted(
                {str(v) for t in tests for v in _values(t)} or set(question.choice_ids[:1])
            )
            values = _subsets(named)
        else:
            points: set[float] = set()
            for t in tests:
                for v in _values(t):
                    if isinstance(v, int | float):
                        points |= {v - 1, v - 0.5, v, v + 0.5, v + 1}
            low = question.min if question.min is not None else float("-inf")
            high = question.max if question.max is not None else float("inf")
            values = sorted(
                p for p in points | {low, high} if low <= p <= high and abs(p) != float("inf")
            ) or [0]
        return chain(values, [None])  # None: left blank

    def satisfiable(self, cond: Condition, questions: frozenset[str], *, asked_only: bool) -> bool:
        order = [self.kb.questions[q] for q in self.kb.questions if q in questions]
        progress = Progress()
        steps = 0

        def holds(evaluation: Evaluation) -> bool | None:
            status = evaluation.condition(cond)
            if status is False or not asked_only:
                return status
            for qid in progress.values:  # the questionnaire asks only when ask_if holds
                if evaluation.ask_if(self.kb.questions[qid]) is False:
                    return False
            return status

        def search(index: int) -> bool:
            nonlocal steps
            steps += 1
            if steps > MAX_STEPS:
                return True
            status = holds(Evaluation(self.kb, progress))
            if status is not None:
                return status
            if index == len(order):
                return False
            question = order[index]
            for value in self.domain(question):
                if value is None:
                    progress.blank.add(question.id)
                else:
                    progress.values[question.id] = value
                found = search(index + 1)
                progress.values.pop(question.id, None)
                progress.blank.discard(question.id)
                if found:
                    return True
            return False

        try:
            return search(0)
        except _GaveUp:
            return True  # too many combinations to try them all: assumed able to fire

    def questions_of(self, cond: Condition) -> frozenset[str]:
        found: set[str] = set()
        for test in _tests(cond):
            found.add(test.question)
        for finding in _findings_in(cond):
            for rule in self.kb.rules:
                if finding in rule.conclude:
                    found |= self.planner.dependencies[rule.id]
        with_ask_if = set(found)
        for qid in found:
            ask_if = self.kb.questions[qid].ask_if if qid in self.kb.questions else None
            if ask_if is not None:
                with_ask_if |= {t.question for t in _tests(ask_if)}
        return frozenset(with_ask_if)


class _GaveUp(Exception):
    """A many_of question names more choices than the search tries every subset of."""


MAX_SUBSETS = 4096  # every subset of up to 12 named choices


def _subsets(named: list[str]) -> Iterator[tuple[str, ...]]:
    """All of them first (what a rule asking for several choices at once needs), then the
    rest from the smallest; past MAX_SUBSETS the search gives up on the condition."""
    yield tuple(named)
    made = 1
    for size in range(len(named)):
        for combo in combinations(named, size):
            made += 1
            if made > MAX_SUBSETS:
                raise _GaveUp
            yield combo


def _values(test: AnswerTest) -> tuple[Any, ...]:
    return test.value if isinstance(test.value, tuple) else (test.value,)


def _without_findings(cond: Condition) -> Condition:
    """The condition with every finding test taken as true: what the answers alone must meet."""
    if isinstance(cond, FindingTest):
        return AllOf(())
    if isinstance(cond, AllOf):
        return AllOf(tuple(_without_findings(p) for p in cond.parts))
    if isinstance(cond, AnyOfC):
        return AnyOfC(tuple(_without_findings(p) for p in cond.parts))
    if isinstance(cond, NotC):
        return cond if _findings_in(cond.part) else NotC(_without_findings(cond.part))
    return cond


def _findings_in(cond: Condition) -> set[str]:
    return {test.finding for test, _ in leaves(cond) if isinstance(test, FindingTest)}


# ---- the lints ----


def _never_asked(kb: KnowledgeBase, search: _Search) -> list[Problem]:
    out = []
    for question in kb.questions.values():
        if question.ask_if is None:
            continue
        if not search.satisfiable(
            question.ask_if, search.questions_of(question.ask_if), asked_only=True
        ):
            out.append(
                _warn(
                    NEVER_ASKED,
                    f"question '{question.id}' is never asked: its ask_if can never hold",
                    question.location,
                )
            )
    return out


def _never_fires(kb: KnowledgeBase, search: _Search) -> list[Problem]:
    out = []
    for rule in kb.rules:
        questions = search.questions_of(rule.when)
        if search.satisfiable(rule.when, questions, asked_only=True):
            continue
        if not search.satisfiable(rule.when, questions, asked_only=False):
            needed = sorted(_findings_in(rule.when))
            if needed and search.satisfiable(
                _without_findings(rule.when), questions, asked_only=False
            ):
                why = (
                    f"it needs {', '.join(repr(f) for f in needed)}, which no rule can "
                    "conclude from answers alone"
                )
            else:
                why = "its conditions contradict each other"
        else:
            why = (
                "it needs an answer to a question that is not asked in that case (see the "
                "questions' ask_if); only an answers file could make it fire"
            )
        out.append(_warn(NEVER_FIRES, f"rule '{rule.id}' can never fire: {why}", rule.location))
    return out


def _unused(kb: KnowledgeBase) -> list[Problem]:
    used: set[str] = set()
    for rule in kb.rules:
        used |= {t.question for t in _tests(rule.when)}
    for question in kb.questions.values():
        if question.ask_if is not None:
            used |= {t.question for t in _tests(question.ask_if)}
    for suggestion in kb.suggestions.values():
        used |= {spec.of for _, spec in suggestion.numbers} | set(suggestion.placeholders)
        if suggestion.unless is not None:
            used |= {t.question for t in _tests(suggestion.unless)}
    if kb.about.weight_unit_question:
        used.add(kb.about.weight_unit_question)
    out = [
        _warn(
            UNUSED_QUESTION,
            f"question '{q.id}' is used by no rule: its answer changes nothing",
            q.location,
        )
        for q in kb.questions.values()
        if q.id not in used
    ]
    made = {ref.id for rule in kb.rules for ref in rule.suggest}
    out += [
        _warn(UNUSED_SUGGESTION, f"suggestion '{s.id}' is made by no rule", s.location)
        for s in kb.suggestions.values()
        if s.id not in made
    ]
    return out


def _findings(kb: KnowledgeBase) -> list[Problem]:
    concluded = {f for rule in kb.rules for f in rule.conclude}
    tested = {f for rule in kb.rules for f in _findings_in(rule.when)}
    tested |= {f for s in kb.suggestions.values() if s.unless for f in _findings_in(s.unless)}
    for question in kb.questions.values():
        if question.ask_if is not None:
            tested |= _findings_in(question.ask_if)
    out = []
    for finding in kb.findings.values():
        if finding.id not in concluded:
            out.append(
                _warn(
                    DEAD_FINDING,
                    f"finding '{finding.id}' is concluded by no rule, so rules "
                    "that need it never fire",
                    finding.location,
                )
            )
        elif finding.id not in tested:
            out.append(
                _warn(
                    DEAD_FINDING,
                    f"finding '{finding.id}' is concluded but no rule uses it",
                    finding.location,
                )
            )
    # A cycle: a finding that, through the rules concluding it, depends on itself.
    needs: dict[str, set[str]] = {f: set() for f in kb.findings}
    for rule in kb.rules:
        for concluded_id in rule.conclude:
            needs.setdefault(concluded_id, set()).update(_findings_in(rule.when))
    reported: set[frozenset[str]] = set()
    for start in kb.findings:
        path = _cycle(start, needs)
        if path and frozenset(path) not in reported:
            reported.add(frozenset(path))
            out.append(
                _warn(
                    FINDING_CYCLE,
                    "findings conclude each other in a cycle: " + " -> ".join([*path, path[0]]),
                    kb.findings[start].location,
                )
            )
    return out


def _cycle(start: str, needs: dict[str, set[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for nxt in sorted(needs.get(node, ())):
            if nxt == start:
                return path
            if nxt not in path:
                stack.append((nxt, [*path, nxt]))
    return None


def _ties(kb: KnowledgeBase, search: _Search) -> list[Problem]:
    out = []
    rules: list[Rule] = list(kb.rules)
    for i, first in enumerate(rules):
        for second in rules[i + 1 :]:
            if first.priority != second.priority:
                continue
            for a in first.suggest:
                for b in second.suggest:
                    if a.id != b.id:
                        continue
                    default = kb.suggestions[a.id].tier
                    tier_a, tier_b = a.tier or default, b.tier or default
                    if tier_a == tier_b:
                        continue
                    both = AllOf((first.when, second.when))
                    if search.satisfiable(both, search.questions_of(both), asked_only=False):
                        safer = min(tier_a, tier_b, key=TIER_RANK.__getitem__)
                        out.append(
                            _warn(
                                AMBIGUOUS_TIE,
                                f"rules '{first.id}' and '{second.id}' have the same priority "
                                f"({first.priority}), can fire together, and give suggestion '{a.id}' "
                                f"different tiers ({tier_a}, {tier_b}); '{safer}' wins: give one "
                                "rule a higher priority to decide",
                                second.location,
                            )
                        )
    return out


def _cautions_off_path(planner: Planner) -> list[Problem]:
    from triage.worth import cautions_off_path  # ranks advice: only `check` needs it here

    kb = planner.kb
    return [
        _warn(
            CAUTION_OFF_PATH,
            f"suggestion '{sid}' is shown by default, but its unless reads "
            f"{', '.join(repr(q) for q in off)}, which the quick path does not ask: mark it "
            "quick: true or put it on a quick checklist, so the item is never shown as if it "
            "were answered no",
            kb.suggestions[sid].location,
        )
        for sid, off in cautions_off_path(planner)
    ]
