"""What partial answers already settle, and which question could still change the advice.

Conditions are evaluated three-valued over a questionnaire in progress: True, False, or None
(unknown: it depends on a question not asked yet). A question asked and left blank counts as
answered with nothing, as the engine sees it. The engine itself only ever runs on finished
answers; this module decides what to ask, never what to advise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from triage.conditions import All as AllOf
from triage.conditions import AnswerTest, Condition, FindingTest, leaves
from triage.conditions import AnyOf as AnyOfC
from triage.conditions import Not as NotC
from triage.model import TIER_RANK, KnowledgeBase, Question, Rule

# Up to this tier an answer changes what the person must do (see a clinician or not): these
# questions are asked before "See my advice now" is offered.
CORE_RANK = TIER_RANK["see_clinician"]

Tri = bool | None


@dataclass
class Progress:
    """A questionnaire in progress: the answers so far, and what was asked but left blank."""

    values: dict[str, Any] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    weight_units: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # questions in the order they were asked

    def asked(self, question: str) -> bool:
        return question in self.values or question in self.blank


def test_answer(test: AnswerTest, value: Any) -> bool:
    """The same comparison the compiled engine makes (tests hold the two to agreement)."""
    op, arg = test.op, test.value
    chosen = value if isinstance(value, tuple) else (value,)
    if op in ("is", "includes"):
        return arg in chosen
    if op in ("one_of", "includes_any"):
        options = arg if isinstance(arg, tuple) else (arg,)
        return any(v in options for v in chosen)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    threshold = float(arg)  # type: ignore[arg-type]
    return {
        "at_least": value >= threshold,
        "at_most": value <= threshold,
        "more_than": value > threshold,
        "less_than": value < threshold,
    }[op]


class Evaluation:
    """Three-valued status of every rule and finding for one state of the answers."""

    def __init__(
        self,
        kb: KnowledgeBase,
        progress: Progress,
        concluders: dict[str, list[Rule]] | None = None,
    ) -> None:
        self.kb, self.progress = kb, progress
        self._rules: dict[str, Tri] = {}
        self._findings: dict[str, Tri] = {}
        self._open: set[str] = set()
        self._concluders = concluders if concluders is not None else _concluders(kb)
        # The planner's answers about this state, once found (None: not yet): the impacts,
        # and the settled tier.
        self.impacts: dict[str, int] | None = None
        self.settled: tuple[str | None] | None = None

    def condition(self, cond: Condition) -> Tri:
        if isinstance(cond, AllOf):
            parts = [self.condition(p) for p in cond.parts]
            return False if False in parts else True if all(parts) else None
        if isinstance(cond, AnyOfC):
            parts = [self.condition(p) for p in cond.parts]
            return True if True in parts else False if all(p is False for p in parts) else None
        if isinstance(cond, NotC):
            inner = self.condition(cond.part)
            return None if inner is None else not inner
        if isinstance(cond, FindingTest):
            return self.finding(cond.finding)
        value = self.progress.values.get(cond.question)
        if value is None:
            return False if cond.question in self.progress.blank else None
        return test_answer(cond, value)

    def rule(self, rule: Rule) -> Tri:
        if rule.id not in self._rules:
            self._rules[rule.id] = self.condition(rule.when)
        return self._rules[rule.id]

    def finding(self, finding: str) -> Tri:
        if finding in self._findings:
            return self._findings[finding]
        if finding in self._open:  # a cycle of findings: unknown until something outside settles it
            return None
        self._open.add(finding)
        statuses = [self.rule(r) for r in self._concluders.get(finding, [])]
        self._open.discard(finding)
        result = True if True in statuses else False if all(s is False for s in statuses) else None
        self._findings[finding] = result
        return result

    def rules_known(self) -> dict[str, Tri]:
        return self._rules

    def findings_known(self) -> dict[str, Tri]:
        return self._findings

    def carry_over(self, rules: dict[str, Tri], findings: dict[str, Tri]) -> None:
        """Statuses known to be the same in this state (their questions did not change)."""
        self._rules.update(rules)
        self._findings.update(findings)

    def ask_if(self, question: Question) -> Tri:
        return True if question.ask_if is None else self.condition(question.ask_if)


def possible_rules(kb: KnowledgeBase, values: dict[str, Any]) -> tuple[Rule, ...]:
    """With every answer settled (what is not answered, never will be), the rules whose
    conditions can still hold. Only these need building into the engine: the others could never
    match these facts. A test holds the smaller engine to firing exactly what the full one fires."""
    progress = Progress(dict(values), set(kb.questions) - set(values))
    evaluation = Evaluation(kb, progress)
    return tuple(rule for rule in kb.rules if evaluation.rule(rule) is not False)


def _concluders(kb: KnowledgeBase) -> dict[str, list[Rule]]:
    by_finding: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        for finding in rule.conclude:
            by_finding.setdefault(finding, []).append(rule)
    return by_finding


class Planner:
    """Chooses the next question. Built once per knowledge base; the calls made on one state of
    the answers share one evaluation."""

    def __init__(self, kb: KnowledgeBase, always_ask: frozenset[str] = frozenset()) -> None:
        self.kb = kb
        self.always_ask = always_ask  # sections asked in full (the red-flag screen)
        self._concluders = _concluders(kb)
        self._last: tuple[Any, Evaluation] | None = None

    def evaluation(self, progress: Progress) -> Evaluation:
        """The evaluation of this state of the answers. One step of the questionnaire asks for
        the settled tier, the next question and the stale answers of the same state; they share
        one evaluation (of a copy, so a later change to `progress` cannot leak into it). From
        one step to the next only an answer or two change, so a rule or finding that depends on
        none of them keeps the status it had, and while answers are only added, so does every
        rule and finding already true or false."""
        try:
            key = (frozenset(progress.values.items()), frozenset(progress.blank))
        except TypeError:  # an unhashable value: evaluate afresh
            return Evaluation(self.kb, progress, self._concluders)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        snapshot = Progress(dict(progress.values), set(progress.blank))
        evaluation = Evaluation(self.kb, snapshot, self._concluders)
        if self._last is not None:
            (values, blank), earlier = self._last
            changed = {question for question, _ in values ^ key[0]} | (blank ^ key[1])
            # Only answers added (nothing changed or taken back): what was settled stays
            # settled, since three-valued logic only ever turns unknown into true or false.
            added = not any(earlier.progress.asked(question) for question in changed)
            rules, findings = self.carried
            evaluation.carry_over(
                {
                    r: status
                    for r, status in earlier.rules_known().items()
                    if r in rules
                    and ((added and status is not None) or rules[r].isdisjoint(changed))
                },
                {
                    f: status
                    for f, status in earlier.findings_known().items()
                    if f in findings
                    and ((added and status is not None) or findings[f].isdisjoint(changed))
                },
            )
        self._last = (key, evaluation)
        return evaluation

    @cached_property
    def carried(self) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        """The rules and findings whose status can be carried from one state to the next while
        their questions stay unchanged, each with those questions: all but the findings that
        conclude each other in a cycle and whatever depends on them, since a status found in
        a cycle depends on where the evaluation entered it."""
        tests = {
            finding: {
                test.finding
                for rule in rules
                for test, _ in leaves(rule.when)
                if isinstance(test, FindingTest)
            }
            for finding, rules in self._concluders.items()
        }

        def reach(start: str) -> set[str]:
            seen: set[str] = set()
            todo = list(tests.get(start, ()))
            while todo:
                finding = todo.pop()
                if finding not in seen:
                    seen.add(finding)
                    todo.extend(tests.get(finding, ()))
            return seen

        reached = {finding: reach(finding) for finding in self.kb.findings}
        in_cycle = {finding for finding, found in reached.items() if finding in found}
        tainted = {f for f, found in reached.items() if f in in_cycle or found & in_cycle}
        dependencies = self.dependencies
        rules = {
            rule.id: dependencies[rule.id]
            for rule in self.kb.rules
            if not any(
                isinstance(test, FindingTest) and test.finding in tainted
                for test, _ in leaves(rule.when)
            )
        }
        findings = {
            finding: frozenset().union(
                *(dependencies[r.id] for r in self._concluders.get(finding, []))
            )
            for finding in self.kb.findings
            if finding not in tainted
        }
        return rules, findings

    @cached_property
    def dependencies(self) -> dict[str, frozenset[str]]:
        """For each rule, every question its condition can depend on, through findings too."""
        concluders = _concluders(self.kb)
        memo: dict[str, frozenset[str]] = {}

        def of_condition(cond: Condition, seen: frozenset[str]) -> frozenset[str]:
            found: set[str] = set()
            for test, _ in leaves(cond):
                if isinstance(test, AnswerTest):
                    found.add(test.question)
                elif test.finding not in seen:
                    for rule in concluders.get(test.finding, []):
                        found |= of_rule(rule, seen | {test.finding})
            return frozenset(found)

        def of_rule(rule: Rule, seen: frozenset[str]) -> frozenset[str]:
            if rule.id not in memo:
                memo[rule.id] = of_condition(rule.when, seen)
            return memo[rule.id]

        return {rule.id: of_rule(rule, frozenset()) for rule in self.kb.rules}

    @cached_property
    def numbers_used(self) -> dict[str, frozenset[str]]:
        """For each suggestion, the questions whose answers its personal numbers use."""
        used = {}
        for suggestion in self.kb.suggestions.values():
            names = {spec.of for _, spec in suggestion.numbers}
            names |= {n for n in suggestion.placeholders if n in self.kb.questions}
            used[suggestion.id] = frozenset(names)
        return used

    def impacts(self, progress: Progress) -> dict[str, int]:
        """Questions whose answers can still change the advice, each with how much: the rank
        (0 = emergency) of the most urgent tier an answer could still add, through some
        undecided rule that depends on it, or a suggestion that may still be made and would use
        its number."""
        evaluation = self.evaluation(progress)
        if evaluation.impacts is not None:  # asked again about the same state
            return dict(evaluation.impacts)
        wanted: dict[str, int] = {}
        for rule in self.kb.rules:
            status = evaluation.rule(rule)
            if status is None:
                rank = self.rule_rank[rule.id]
                for question in self.dependencies[rule.id]:
                    if wanted.get(question, len(TIER_RANK)) > rank:
                        wanted[question] = rank
            if status is not False:
                for ref in rule.suggest:
                    rank = TIER_RANK[ref.tier or self.kb.suggestions[ref.id].tier]
                    for question in self.numbers_used[ref.id]:
                        if wanted.get(question, len(TIER_RANK)) > rank:
                            wanted[question] = rank
        evaluation.impacts = wanted
        return dict(wanted)

    def open_questions(self, progress: Progress) -> set[str]:
        """Questions whose answers can still change the advice."""
        return set(self.impacts(progress))

    @cached_property
    def rule_rank(self) -> dict[str, int]:
        """For each rule, the rank of the most urgent tier it can give (a rule that only
        concludes counts as the rules that build on its findings)."""
        by_finding: dict[str, list[Rule]] = {}
        for rule in self.kb.rules:
            for test, _ in leaves(rule.when):
                if isinstance(test, FindingTest):
                    by_finding.setdefault(test.finding, []).append(rule)
        memo: dict[str, int] = {}
        worst = len(TIER_RANK)

        def rank(rule: Rule, seen: frozenset[str]) -> int:
            if rule.id in memo:
                return memo[rule.id]
            best = min(
                (TIER_RANK[ref.tier or self.kb.suggestions[ref.id].tier] for ref in rule.suggest),
                default=worst,
            )
            for finding in rule.conclude:
                for user in by_finding.get(finding, []):
                    if user.id not in seen:
                        best = min(best, rank(user, seen | {user.id}))
            if not seen:
                memo[rule.id] = best
            return best

        return {rule.id: rank(rule, frozenset()) for rule in self.kb.rules}

    @cached_property
    def position(self) -> dict[str, int]:
        return {qid: index for index, qid in enumerate(self.kb.questions)}

    def askable(self, progress: Progress) -> list[Question]:
        """Questions not yet asked whose ask_if holds, in file order."""
        evaluation = self.evaluation(progress)
        return [
            question
            for question in self.kb.questions.values()
            if not question.journal
            and not progress.asked(question.id)
            and evaluation.ask_if(question) is True
        ]

    def next_question(self, progress: Progress) -> Question | None:
        """The red-flag screen in file order, in full; then, of what can still change the
        advice, the question that could change its top the most (the most urgent tier an
        answer could add), in file order among equals."""
        askable = self.askable(progress)
        for question in askable:
            if question.section in self.always_ask:
                return question
        impacts = self.impacts(progress)
        candidates = [q for q in askable if q.id in impacts]
        if not candidates:
            return None
        return min(candidates, key=lambda q: (impacts[q.id], self.position[q.id]))

    def core(self, question: Question, progress: Progress) -> bool:
        """A question whose answer can still change the tier beyond self-care: asked before
        the person is offered their advice. The red-flag screen is always core."""
        if question.section in self.always_ask:
            return True
        return self.impacts(progress).get(question.id, len(TIER_RANK)) <= CORE_RANK

    def remaining(self, progress: Progress) -> int:
        """How many more prompts could refine the advice now: the open questions that would be
        asked, a group counting once."""
        impacts = self.impacts(progress)
        prompts = {
            question.group or question.id
            for question in self.askable(progress)
            if question.id in impacts or question.section in self.always_ask
        }
        return len(prompts)

    def settled_tier(self, progress: Progress) -> str | None:
        """The most urgent tier that rules already certain to fire will give, if any."""
        evaluation = self.evaluation(progress)
        if evaluation.settled is not None:  # asked again about the same state
            return evaluation.settled[0]
        tiers = [
            ref.tier or self.kb.suggestions[ref.id].tier
            for rule in self.kb.rules
            if evaluation.rule(rule) is True
            for ref in rule.suggest
        ]
        tier: str | None = min(tiers, key=TIER_RANK.__getitem__) if tiers else None
        evaluation.settled = (tier,)
        return tier

    def stale(self, progress: Progress) -> list[str]:
        """Answers whose question would no longer be asked (its ask_if is now false)."""
        evaluation = self.evaluation(progress)
        return [
            q.id
            for q in self.kb.questions.values()
            if progress.asked(q.id) and evaluation.ask_if(q) is False
        ]
