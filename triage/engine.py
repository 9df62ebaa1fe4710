"""Compile the knowledge base into an experta engine and run a consultation on it.

Answers and findings are experta facts. Each YAML rule becomes one experta Rule whose action
records the firing (with the facts that matched, for the *because* chain) and declares the rule's
findings, on which other rules chain. Design choices, each guarding against a measured experta
behaviour (shared/reference/dependencies.md):
- every rule gets its own salience, from (priority, file order): equal saliences fire in an order
  that changes from run to run, and equal agenda keys trigger experta's stale-activation bug;
- a set of values is one predicate, `P(value in set)`, never `L(a) | L(b)`, which experta expands
  into one sub-rule per value;
- `not` is pushed down onto single tests before compiling, and a rule with no positive pattern
  is anchored on InitialFact;
- predicates take their constants as default arguments, never from a loop variable;
- the engine class is built once per knowledge base and reused through reset();
- run() has a firing limit; facts are finite and deduplicated, so it is a guard, not a crutch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from triage import conditions
from triage.answers import Answers
from triage.conditions import AnswerTest, Condition, FindingTest
from triage.errors import RunawayError
from triage.experta_compat import (
    AND,
    NOT,
    OR,
    Fact,
    InitialFact,
    KnowledgeEngine,
    P,
    Rule,
    SafeDepthStrategy,
)
from triage.model import KnowledgeBase
from triage.model import Rule as KBRule


class Answer(Fact):  # type: ignore[misc]
    """An answer: q is the question id; a many_of answer is one fact per chosen value."""


class Finding(Fact):  # type: ignore[misc]
    """Something a rule concluded."""


@dataclass
class Consultation:
    """What fired: for each rule, the facts each of its activations matched."""

    fired: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    concluded_by: dict[str, list[str]] = field(default_factory=dict)  # finding -> rule ids
    order: list[str] = field(default_factory=list)  # rule ids in firing order


class _TriageEngine(KnowledgeEngine):  # type: ignore[misc]
    __strategy__ = SafeDepthStrategy
    consultation: Consultation
    _deffacts: list[Any] | None = None

    def get_deffacts(self) -> list[Any]:
        # experta looks them up among every attribute at each reset(); they never change.
        if self._deffacts is None:
            self._deffacts = super().get_deffacts()
        return self._deffacts

    def record(self, rule: KBRule, facts: tuple[Any, ...]) -> None:
        log = self.consultation
        if rule.id not in log.fired:
            log.fired[rule.id] = []
            log.order.append(rule.id)
        log.fired[rule.id].append(facts)
        for finding in rule.conclude:
            concluders = log.concluded_by.setdefault(finding, [])
            if rule.id not in concluders:
                concluders.append(rule.id)
            self.declare(Finding(id=finding))


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "at_least": lambda v, t: _numeric(v) and v >= t,
    "at_most": lambda v, t: _numeric(v) and v <= t,
    "more_than": lambda v, t: _numeric(v) and v > t,
    "less_than": lambda v, t: _numeric(v) and v < t,
}


class _Compiler:
    """Turns one rule's condition into experta patterns, binding each positive one (f0, f1, ...)."""

    def __init__(self) -> None:
        self.bound = 0

    def bind(self, pattern: Any) -> Any:
        name = f"f{self.bound}"
        self.bound += 1
        return name << pattern

    def leaf(self, test: AnswerTest | FindingTest) -> Any:
        if isinstance(test, FindingTest):
            return Finding(id=test.finding)
        op, value = test.op, test.value
        if op in ("is", "includes"):
            return Answer(q=test.question, value=value)
        if op in ("one_of", "includes_any"):
            choices = frozenset(value if isinstance(value, tuple) else (value,))
            return Answer(q=test.question, value=P(lambda v, s=choices: v in s))
        compare = _COMPARE[op]
        return Answer(q=test.question, value=P(lambda v, t=value, c=compare: c(v, t)))

    def patterns(self, cond: Condition) -> list[Any]:
        """Patterns that must all match (a rule's left-hand side), from a negation-normal condition."""
        if isinstance(cond, conditions.All):
            return [p for part in cond.parts for p in self.patterns(part)]
        if isinstance(cond, conditions.AnyOf):
            branches = [self.patterns(part) for part in cond.parts]
            if not branches:  # an empty `any` never holds; InitialFact is always there
                return [NOT(InitialFact())]
            if not all(branches):  # a branch with no pattern always holds, so the `any` does
                return []
            return [OR(*(b[0] if len(b) == 1 else AND(*b) for b in branches))]
        if isinstance(cond, conditions.Not):
            part = cond.part
            assert isinstance(part, AnswerTest | FindingTest)  # negation normal form
            return [NOT(self.leaf(part))]
        assert isinstance(cond, AnswerTest | FindingTest)
        return [self.bind(self.leaf(cond))]


def _positive(cond: Condition) -> bool:
    """Whether every way the condition can match includes a positive pattern."""
    if isinstance(cond, conditions.All):
        return any(_positive(p) for p in cond.parts)
    if isinstance(cond, conditions.AnyOf):
        return bool(cond.parts) and all(_positive(p) for p in cond.parts)
    return not isinstance(cond, conditions.Not)


def _action(rule: KBRule) -> Callable[..., None]:
    def action(engine: _TriageEngine, **bound: Any) -> None:
        engine.record(rule, tuple(bound[name] for name in sorted(bound, key=lambda n: int(n[1:]))))

    action.__name__ = rule.id  # what experta's watch() logs and the agenda show
    return action


def compile_rules(kb: KnowledgeBase, rules: Iterable[KBRule] | None = None) -> type[_TriageEngine]:
    """Build the engine class: one experta Rule per YAML rule (or per rule of `rules`, a part of
    kb.rules in the same order). Costly; build once and reuse, or build only what can fire."""
    attrs: dict[str, Any] = {}
    chosen = list(kb.rules if rules is None else rules)
    count = len(chosen)
    for position, rule in enumerate(chosen):  # in firing order: kb.rules' order
        cond = conditions.negation_normal_form(rule.when)
        compiler = _Compiler()
        patterns = compiler.patterns(cond)
        if not _positive(cond):
            patterns.insert(0, InitialFact())
        # Unique salience: (priority, file order) decides, never the order experta builds its network in.
        salience = count - position
        attrs[f"rule_{position:05d}"] = Rule(*patterns, salience=salience)(_action(rule))
    return type("CompiledRules", (_TriageEngine,), attrs)


_COMPILING = threading.RLock()


def _typed(value: Any) -> Any:
    """A value with its type, so that equal values of other types (1, 1.0, True) are told apart."""
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    return type(value), value


# Consultations remembered per engine: a run asks again about answers it has just consulted
# (evaluate scores the answers its replay's last step ranked; the questionnaire ranks the
# same answers to choose a question and to show the advice).
_RECENT = 32


class Engine:
    """A compiled knowledge base, ready for any number of consultations."""

    def __init__(self, kb: KnowledgeBase, rules: Iterable[KBRule] | None = None) -> None:
        self.kb = kb
        with _COMPILING:  # experta's network builder shares caches between engines
            self._engine = compile_rules(kb, rules)()
        self._recent: dict[tuple[Any, ...], Consultation] = {}

    def facts(self, answers: Answers) -> list[Any]:
        facts: list[Any] = []
        for question, value in answers.values.items():
            if isinstance(value, tuple):
                facts.extend(Answer(q=question, value=v) for v in value)
            else:
                facts.append(Answer(q=question, value=value))
        return facts

    def consult(self, answers: Answers, limit: int | None = None) -> Consultation:
        """What fires on these answers. The same answers, given in the same order, fire the
        same rules on the same facts: a recent consultation of them is returned again (it is
        not to be changed by its readers)."""
        key = (limit, *((q, _typed(v)) for q, v in answers.values.items()))
        try:
            known = self._recent.get(key)
        except TypeError:  # a value that cannot be a key: consult afresh
            return self._consult(answers, limit)
        if known is None:
            known = self._consult(answers, limit)
            if len(self._recent) >= _RECENT:
                del self._recent[next(iter(self._recent))]  # the oldest
            self._recent[key] = known
        return known

    def _consult(self, answers: Answers, limit: int | None) -> Consultation:
        engine = self._engine
        engine.reset()
        engine.consultation = Consultation()
        facts = self.facts(answers)
        if facts:
            engine.declare(*facts)
        if limit is None:
            limit = 50 * (len(self.kb.rules) + len(facts)) + 1000
        engine.run(limit)
        # run() refreshes the agenda only before each firing; refresh it to see what is pending.
        added, removed = engine.get_activations()
        engine.strategy.update_agenda(engine.agenda, added, removed)
        if engine.agenda.activations:
            raise RunawayError(
                f"the rules fired {limit} times without settling; a rule set that concludes "
                "findings in a loop is the likely cause (run 'spasm-triage check')"
            )
        return engine.consultation
