"""From what fired to the ranked result: tiers, combined confidence, because chains,
disagreements, and the user's own numbers placed in the advice."""

from __future__ import annotations

import math
from dataclasses import replace
from math import prod
from typing import Any

from triage import verdict
from triage.answers import Answers, display_weight
from triage.applicability import holds
from triage.engine import Answer, Consultation
from triage.model import TIER_RANK, KnowledgeBase, Question, Rule, Suggestion

# The result's parts are defined in triage.result; renderers import them from here too.
from triage.result import CLINICAL as CLINICAL
from triage.result import Advice as Advice
from triage.result import Debate as Debate
from triage.result import Group as Group
from triage.result import Reason as Reason
from triage.result import Result as Result
from triage.result import RuleReason as RuleReason


def sort_key(advice: Advice, personal_first: tuple[str, ...]) -> tuple[int, ...]:
    """Clinical tiers first, by tier. Then, in the personal-first tiers, advice fired by the
    person's own answers before advice for everyone, each by tier; then confidence. The safety
    net goes last, as it is shown last."""
    tier = TIER_RANK[advice.tier]
    mixed = advice.tier in personal_first
    return (
        int(advice.suggestion.safety_net),
        int(mixed),
        int(mixed and not advice.personal),
        tier,
        round(-advice.confidence * 1000),
        -advice.priority,
        advice.suggestion.index,
    )


def rank(
    kb: KnowledgeBase,
    answers: Answers,
    consultation: Consultation,
    blank: frozenset[str] = frozenset(),
) -> Result:
    """The consultation ranked. `blank`: questions a questionnaire asked and the person left
    unanswered, which are not "left out" (see unanswered_screen).

    With local packs loaded, the shipped knowledge is consulted on its own on the same answers,
    and its verdict leads (led_by): no pack can change or reorder it, only add after it."""
    own = _rank(kb, answers, consultation, blank)
    if kb.shipped is None:
        return own
    shipped = kb.shipped
    engine = verdict.shipped_engine(shipped, answers)
    return verdict.led_by(_rank(shipped, answers, engine.consult(answers), blank), own, shipped)


def _rank(
    kb: KnowledgeBase,
    answers: Answers,
    consultation: Consultation,
    blank: frozenset[str],
) -> Result:
    rules = {rule.id: rule for rule in kb.rules}
    explain = _Explainer(kb, answers, consultation)
    made: dict[str, list[tuple[Rule, str | None]]] = {}
    for rule_id in consultation.order:
        rule = rules[rule_id]
        for ref in rule.suggest:
            made.setdefault(ref.id, []).append((rule, ref.tier))

    advice = {
        sid: _advise(kb.suggestions[sid], contributions, explain, kb, answers)
        for sid, contributions in made.items()
    }
    concluded = set(consultation.concluded_by)

    def applies(suggestion: Suggestion) -> bool:
        return suggestion.unless is None or not holds(suggestion.unless, answers, concluded)

    not_applicable = [a for a in advice.values() if not applies(a.suggestion)]
    for a in not_applicable:
        del advice[a.id]

    debates: list[Debate] = []
    for disagreement in kb.disagreements:
        sides = (disagreement.prefer, *disagreement.over)
        fired = [advice[s] for s in sides if s in advice]
        if not fired or not applies(kb.suggestions[disagreement.prefer]):
            continue
        # The preferred side is shown even when only the dissent fired: that is what the
        # knowledge base advises for the situation the dissent's rules recognised.
        because = tuple(reason for a in fired for reason in a.because)
        preferred = advice.get(disagreement.prefer) or _unfired(
            kb.suggestions[disagreement.prefer], because, kb, answers
        )
        dissent = tuple(
            advice.pop(s) if s in advice else _unfired(kb.suggestions[s], (), kb, answers)
            for s in disagreement.over
            if applies(kb.suggestions[s])
        )
        # The knowledge base judges the preferred side the better advice, so it is never shown
        # as less certain than the view it wins over.
        strongest = max((a.confidence for a in dissent), default=0.0)
        if preferred.confidence < strongest:
            preferred = replace(preferred, confidence=strongest)
        advice[preferred.id] = preferred
        debates.append(Debate(disagreement, preferred, dissent))

    first = kb.about.words.personal_first
    ranked = sorted(advice.values(), key=lambda a: sort_key(a, first))
    tier = min((a.tier for a in ranked), key=TIER_RANK.__getitem__, default=None)
    left_out: list[Advice] = []
    policy = kb.about.policy.get(tier) if tier else None
    if policy is not None:
        dropped = set(policy.drop)
        left_out = [a for a in ranked if a.tier in dropped]
        ranked = [a for a in ranked if a.tier not in dropped]
        debates = [d for d in debates if d.preferred.tier not in dropped]
    guarded = set(kb.about.protected_tiers) or {"emergency", "urgent"}
    reported: list[str] = []
    for a in ranked:
        if a.tier in guarded:
            for text in flat_answers(a.because, kb):
                if text not in reported:
                    reported.append(text)
    return Result(
        tier,
        tuple(ranked),
        tuple(debates),
        tuple(left_out),
        kb.about.disclaimer,
        kb.about,
        tuple(not_applicable),
        tuple(reported),
        unanswered_screen(kb, answers, blank),
    )


def unanswered_screen(
    kb: KnowledgeBase, answers: Answers, blank: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The red-flag questions these answers leave out that would have been asked (their
    `ask_if` holds or is not known): a missing answer counts as no, so the person is told.
    `blank`: questions a questionnaire asked and the person left unanswered ("I don't know"),
    which were not left out."""
    from triage.relevance import Evaluation, Progress

    sections = set(kb.about.protected_sections)
    evaluation = Evaluation(kb, Progress(dict(answers.values), set(blank)))
    return tuple(
        q.id
        for q in kb.questions.values()
        if q.section in sections
        and not q.journal
        and q.id not in answers.values
        and q.id not in blank
        and evaluation.ask_if(q) is not False
    )


def flat_answers(because: tuple[RuleReason, ...], kb: KnowledgeBase) -> list[str]:
    """The answers behind a piece of advice, through its findings: what the person reported
    (a "yes" reads as the sign itself)."""
    out: list[str] = []
    for rule in because:
        for fact in rule.facts:
            if fact.kind == "answer":
                found = [kb.questions[fact.id].short if fact.value == "yes" else fact.text]
            else:
                found = flat_answers(fact.because, kb)
            out += [text for text in found if text not in out]
    return out


def _advise(
    suggestion: Suggestion,
    contributions: list[tuple[Rule, str | None]],
    explain: _Explainer,
    kb: KnowledgeBase,
    answers: Answers,
) -> Advice:
    top = max(rule.priority for rule, _ in contributions)
    # The highest-priority rule sets the tier; on a tie the more urgent tier wins, the safe side.
    tiers = [tier or suggestion.tier for rule, tier in contributions if rule.priority == top]
    tier = min(tiers, key=TIER_RANK.__getitem__)
    unique = {rule.id: rule for rule, _ in contributions}
    # Noisy-OR: each rule is independent support, so agreement raises confidence but never past 1.
    doubt = prod(
        1 - (r.confidence if r.confidence is not None else suggestion.confidence)
        for r in unique.values()
    )
    because = tuple(explain.rule(rule_id) for rule_id in unique)
    fits = any(
        reason.facts and not unique[reason.rule].for_everyone for reason in because
    )
    return Advice(
        suggestion,
        tier,
        round(1 - doubt, 3),
        personal_text(suggestion, kb, answers),
        because,
        top,
        fits,
    )


def _unfired(
    suggestion: Suggestion, because: tuple[RuleReason, ...], kb: KnowledgeBase, answers: Answers
) -> Advice:
    return Advice(
        suggestion,
        suggestion.tier,
        suggestion.confidence,
        personal_text(suggestion, kb, answers),
        because,
        0,
        any(reason.facts for reason in because),
    )


class _Explainer:
    """Builds because chains: answers as the user gave them, findings with their own reasons."""

    def __init__(self, kb: KnowledgeBase, answers: Answers, consultation: Consultation) -> None:
        self.kb, self.answers, self.log = kb, answers, consultation
        self._open: set[str] = set()

    def rule(self, rule_id: str) -> RuleReason:
        seen: dict[tuple[str, str, Any], Reason] = {}
        for facts in self.log.fired.get(rule_id, []):
            for fact in facts:
                reason = self.fact(fact)
                seen.setdefault((reason.kind, reason.id, reason.value), reason)
        return RuleReason(rule_id, tuple(seen.values()))

    def fact(self, fact: Any) -> Reason:
        if isinstance(fact, Answer):
            question = self.kb.questions[fact["q"]]
            value = fact["value"]
            words = answer_words(question, value, self.answers)
            return Reason("answer", question.id, value, f"{question.short}: {words}")
        finding = self.kb.findings[fact["id"]]
        if finding.id in self._open:  # findings concluded in a cycle: stop the chain here
            return Reason("finding", finding.id, None, finding.means)
        self._open.add(finding.id)
        try:
            because = tuple(self.rule(r) for r in self.log.concluded_by.get(finding.id, []))
        finally:
            self._open.discard(finding.id)
        return Reason("finding", finding.id, None, finding.means, because)


def answer_words(question: Question, value: Any, answers: Answers) -> str:
    if question.type in ("yes_no", "one_of", "many_of"):
        return question.label(value)
    if question.type == "scale":
        return f"{value}/10"
    if question.is_weight:
        unit = answers.weight_units.get(question.id, "kg")
        return f"{_number(display_weight(value, unit))} {unit}"
    if not question.unit:
        return _number(value)
    unit = question.unit[:-1] if value == 1 and question.unit.endswith("s") else question.unit
    return f"{_number(value)} {unit}"


def personal_text(suggestion: Suggestion, kb: KnowledgeBase, answers: Answers) -> str:
    """The suggestion's text, with its `personal` sentence when every number in it is known."""
    if suggestion.personal is None:
        return suggestion.text
    words: dict[str, str] = {}
    for name, spec in suggestion.numbers:
        value = answers.values.get(spec.of)
        if not isinstance(value, int | float):
            return suggestion.text
        question = kb.questions[spec.of]
        unit = answers.weight_units.get(spec.of, "kg") if question.is_weight else question.unit
        amount = (display_weight(value, unit or "kg") if question.is_weight else value) * spec.times
        if not math.isfinite(amount) or abs(amount) > _LARGEST:
            return suggestion.text  # an absurd answer (1e308) gets the advice without a number
        step = dict(spec.round_to).get(unit or "")
        if step:
            amount = round(amount / step) * step
        words[name] = f"{_number(amount)} {unit}" if unit else _number(amount)
    for name in suggestion.placeholders:
        if name in words:
            continue
        value = answers.values.get(name)
        if not isinstance(value, int | float):
            return suggestion.text
        words[name] = answer_words(kb.questions[name], value, answers)
    return f"{suggestion.text} {suggestion.personal.format_map(words)}"


# Past any weight, count or time a person could mean; a number this large is not written out.
_LARGEST = 1e12


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
