"""Why a rule fired or did not: its condition evaluated node by node on the answers given, with
the value seen at each test; and a rule or suggestion described in plain words.

Evaluation follows the engine exactly: an unanswered question matches no test, so `not` holds
for it; a finding holds when some rule concluded it in the consultation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.answers import Answers
from triage.conditions import OP_WORDS, AnswerTest, Condition, FindingTest
from triage.conditions import All as AllOf
from triage.conditions import AnyOf as AnyOfC
from triage.conditions import Not as NotC
from triage.engine import Consultation
from triage.model import KnowledgeBase, Rule
from triage.ranking import answer_words
from triage.relevance import test_answer

OPS = OP_WORDS


@dataclass
class Step:
    """One node of a condition: what it asks, whether it held, and what was seen."""

    text: str
    held: bool
    seen: str = ""
    parts: list[Step] = field(default_factory=list)

    def lines(self, indent: str = "") -> list[str]:
        mark = "✓" if self.held else "✗"
        seen = f"  ({self.seen})" if self.seen else ""
        out = [f"{indent}{mark} {self.text}{seen}"]
        for part in self.parts:
            out.extend(part.lines(indent + "    "))
        return out

    def failed_leaves(self) -> list[Step]:
        """The tests that kept the condition from holding: where to look first."""
        if self.held:
            return []
        if not self.parts:
            return [self]
        return [leaf for part in self.parts for leaf in part.failed_leaves()]


def test_words(test: AnswerTest, kb: KnowledgeBase) -> str:
    question = kb.questions.get(test.question)
    values = test.value if isinstance(test.value, tuple) else (test.value,)
    # Choices read as their words, except suggestions (the journal's "helped"): their ids.
    worded = question is not None and question.choices and not question.journal
    shown = ", ".join(question.label(str(v)) if worded else str(v) for v in values)  # type: ignore[union-attr]
    return f"{test.question} {OPS[test.op]} {shown}"


def evaluate(
    cond: Condition,
    kb: KnowledgeBase,
    answers: Answers,
    consultation: Consultation,
    open_findings: frozenset[str] = frozenset(),
) -> Step:
    def again(part: Condition) -> Step:
        return evaluate(part, kb, answers, consultation, open_findings)

    if isinstance(cond, AllOf):
        parts = [again(p) for p in cond.parts]
        return Step("always" if not parts else "all of", all(p.held for p in parts), parts=parts)
    if isinstance(cond, AnyOfC):
        parts = [again(p) for p in cond.parts]
        return Step("any of", any(p.held for p in parts), parts=parts)
    if isinstance(cond, NotC):
        inner = again(cond.part)
        return Step("not", not inner.held, parts=[inner])
    if isinstance(cond, FindingTest):
        by = consultation.concluded_by.get(cond.finding, [])
        if by:
            return Step(f"finding {cond.finding}", True, f"concluded by {', '.join(by)}")
        # Not concluded: show why each rule that could conclude it did not fire.
        parts = []
        if cond.finding not in open_findings:
            deeper = open_findings | {cond.finding}
            for rule in kb.rules:
                if cond.finding in rule.conclude:
                    step = evaluate(rule.when, kb, answers, consultation, deeper)
                    parts.append(Step(f"rule {rule.id}", step.held, parts=step.parts or [step]))
        return Step(f"finding {cond.finding}", False, "not concluded", parts)
    value = answers.values.get(cond.question)
    if value is None:
        return Step(test_words(cond, kb), False, "not answered")
    question = kb.questions[cond.question]
    if isinstance(value, tuple):
        words = ", ".join(question.label(v) for v in value) or "none"
    else:
        words = answer_words(question, value, answers)
    return Step(test_words(cond, kb), test_answer(cond, value), f"answer: {words}")


def explain_rule(
    rule: Rule, kb: KnowledgeBase, answers: Answers, consultation: Consultation
) -> list[str]:
    fired = rule.id in consultation.fired
    step = evaluate(rule.when, kb, answers, consultation)
    head = f"rule '{rule.id}' {'fired' if fired else 'did not fire'} ({rule.location})"
    return [head, *step.lines("  ")]


def why_not(
    suggestion_id: str, kb: KnowledgeBase, answers: Answers, consultation: Consultation
) -> list[str]:
    """For a suggestion that was not made: each rule that could make it, and what it lacked."""
    makers = [r for r in kb.rules if any(ref.id == suggestion_id for ref in r.suggest)]
    off = [
        f"rule '{d.rule}' would make it, but is disabled ({d.location})"
        for d in kb.disabled
        if suggestion_id in d.suggests
    ]
    if not makers:
        return off or [f"no rule makes '{suggestion_id}'"]
    out = list(off)
    for rule in makers:
        step = evaluate(rule.when, kb, answers, consultation)
        if step.held:
            out.append(f"rule '{rule.id}' fired")
            continue
        lacking = (
            "; ".join(
                f"{leaf.text} ({leaf.seen})" if leaf.seen else leaf.text
                for leaf in step.failed_leaves()
            )
            or "its condition"
        )
        out.append(f"rule '{rule.id}' did not fire: {lacking}")
    return out


# ---- plain words, without answers ----


def describe(cond: Condition, kb: KnowledgeBase, indent: str = "") -> list[str]:
    if isinstance(cond, AllOf):
        if not cond.parts:
            return [f"{indent}always"]
        if len(cond.parts) == 1:
            return describe(cond.parts[0], kb, indent)
        return [
            f"{indent}all of:",
            *(x for p in cond.parts for x in describe(p, kb, indent + "  ")),
        ]
    if isinstance(cond, AnyOfC):
        return [
            f"{indent}any of:",
            *(x for p in cond.parts for x in describe(p, kb, indent + "  ")),
        ]
    if isinstance(cond, NotC):
        inner = describe(cond.part, kb, "")
        if len(inner) == 1:
            return [f"{indent}not: {inner[0]}"]
        return [f"{indent}not:", *(f"{indent}  {line}" for line in inner)]
    if isinstance(cond, FindingTest):
        finding = kb.findings.get(cond.finding)
        meaning = f" ({finding.means})" if finding else ""
        return [f"{indent}finding {cond.finding}{meaning}"]
    question = kb.questions.get(cond.question)
    asked = f'  [asks: "{question.ask}"]' if question else ""
    return [f"{indent}{test_words(cond, kb)}{asked}"]


def describe_rule(rule: Rule, kb: KnowledgeBase) -> list[str]:
    lines = [f"rule '{rule.id}' (priority {rule.priority}; {rule.location})", "  when:"]
    lines += describe(rule.when, kb, "    ")
    for finding in rule.conclude:
        lines.append(f"  concludes: {finding} ({kb.findings[finding].means})")
    for ref in rule.suggest:
        suggestion = kb.suggestions[ref.id]
        tier = ref.tier or suggestion.tier
        confidence = rule.confidence if rule.confidence is not None else suggestion.confidence
        lines.append(f"  suggests [{tier}, confidence {confidence:.0%}]: {suggestion.text}")
        for cite in suggestion.sources:
            source = kb.sources[cite.source]
            who = f"{cite.poster}, " if cite.poster else ""
            lines.append(f'    source: {who}{source.title}: "{cite.quote}"')
    return lines
