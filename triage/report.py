"""Render a Result as JSON (the contract other tools read), plain text, or Markdown.
Every word of advice comes from the rules; this module only lays it out."""

from __future__ import annotations

import json
from typing import Any

from triage.model import KnowledgeBase
from triage.ranking import Advice, Debate, Reason, Result, RuleReason


def to_json(result: Result, kb: KnowledgeBase) -> str:
    return json.dumps(as_dict(result, kb), indent=2, ensure_ascii=False)


def as_dict(result: Result, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "tier": result.tier,
        "tier_action": kb.about.tiers[result.tier].action if result.tier else None,
        "suggestions": [_advice(a, kb) for a in result.advice],
        "disagreements": [_debate(d, kb) for d in result.disagreements],
        "left_out": [a.id for a in result.left_out],
        "disclaimer": result.disclaimer,
    }


def _advice(advice: Advice, kb: KnowledgeBase) -> dict[str, Any]:
    s = advice.suggestion
    return {
        "id": s.id,
        "tier": advice.tier,
        "text": advice.text,
        "confidence": advice.confidence,
        "evidence": s.evidence,
        "safety_net": s.safety_net,
        "because": [_rule_reason(r) for r in advice.because],
        "sources": _sources(advice, kb),
    }


def _rule_reason(reason: RuleReason) -> dict[str, Any]:
    return {"rule": reason.rule, "facts": [_reason(f) for f in reason.facts]}


def _reason(reason: Reason) -> dict[str, Any]:
    out: dict[str, Any] = {reason.kind: reason.id}
    if reason.kind == "answer":
        out["value"] = list(reason.value) if isinstance(reason.value, tuple) else reason.value
    out["text"] = reason.text
    if reason.because:
        out["because"] = [_rule_reason(r) for r in reason.because]
    return out


def _sources(advice: Advice, kb: KnowledgeBase) -> list[dict[str, Any]]:
    out = []
    for cite in advice.suggestion.sources:
        source = kb.sources[cite.source]
        entry: dict[str, Any] = {
            "source": source.id,
            "kind": source.kind,
            "title": source.title,
            "published": source.published,
        }
        if source.file:
            entry["file"] = source.file
        if source.url:
            entry["url"] = source.url
        if cite.poster:
            entry["poster"] = cite.poster
        entry["quote"] = cite.quote
        out.append(entry)
    return out


def _debate(debate: Debate, kb: KnowledgeBase) -> dict[str, Any]:
    d = debate.disagreement
    return {
        "id": d.id,
        "topic": d.topic,
        "preferred": _advice(debate.preferred, kb),
        "dissent": [_advice(a, kb) for a in debate.dissent],
        "why": d.why,
    }


# ---- text and Markdown share one layout; only the marks differ ----


def to_text(result: Result, kb: KnowledgeBase) -> str:
    return _layout(result, kb, markdown=False)


def to_markdown(result: Result, kb: KnowledgeBase) -> str:
    return _layout(result, kb, markdown=True)


def _layout(result: Result, kb: KnowledgeBase, *, markdown: bool) -> str:
    lines: list[str] = []
    h1, h2 = 1, 2

    def heading(text: str, level: int) -> None:
        if markdown:
            lines.extend([f"{'#' * level} {text}", ""])
        else:
            lines.extend([text, ("=" if level == h1 else "-") * len(text)])

    heading("spasm-triage", h1)
    lines.extend([_wrap(result.disclaimer, markdown), ""])
    if result.tier is None:
        lines.append("Nothing in the rules applies to these answers.")
        return "\n".join(lines) + "\n"
    overall = kb.about.tiers[result.tier]
    lines.extend(
        [
            f"{'**' if markdown else ''}{overall.title}: {overall.action}{'**' if markdown else ''}",
            "",
        ]
    )

    for tier, group in result.by_tier():
        heading(kb.about.tiers[tier].title, h2)
        for number, advice in group:
            _advice_lines(advice, kb, lines, f"{number}.", markdown)
        lines.append("")

    if result.disagreements:
        heading("Where the advice disagrees", h2)
        for debate in result.disagreements:
            d = debate.disagreement
            lines.append(f"{'**' if markdown else ''}{d.topic}{'**' if markdown else ''}")
            lines.append(f"- We suggest: {debate.preferred.text}")
            lines.extend(source_lines(debate.preferred, kb, "    "))
            for other in debate.dissent:
                lines.append(f"- The other view: {other.text}")
                lines.extend(source_lines(other, kb, "    "))
            lines.append(f"- Why we prefer the first: {d.why}")
            lines.append("")

    nets = result.safety_net
    if nets:
        heading("Get help if things change", h2)
        for advice in nets:
            lines.append(f"- {advice.text}")
            lines.extend(source_lines(advice, kb, "    "))
        lines.append("")
    if result.left_out:
        lines.append(
            f"Training and prevention advice is left out until the emergency is dealt with "
            f"({len(result.left_out)} suggestion(s))."
        )
    return "\n".join(lines).rstrip() + "\n"


def _advice_lines(
    advice: Advice, kb: KnowledgeBase, lines: list[str], mark: str, markdown: bool
) -> None:
    evidence = advice.suggestion.evidence.replace("_", " ")
    lines.append(f"{mark} {advice.text}")
    lines.append(f"   confidence {advice.confidence:.0%} ({evidence})")
    reasons = flat_reasons(advice.because)
    if reasons:
        lines.append(f"   because: {'; '.join(reasons)}")
    lines.extend(source_lines(advice, kb, "   "))


def flat_reasons(because: tuple[RuleReason, ...]) -> list[str]:
    out: list[str] = []
    for rule in because:
        for fact in rule.facts:
            text = fact.text
            inner = flat_reasons(fact.because)
            if inner:
                text += f" (from: {', '.join(inner)})"
            if text not in out:
                out.append(text)
    return out


def source_lines(advice: Advice, kb: KnowledgeBase, indent: str) -> list[str]:
    lines = []
    for cite in advice.suggestion.sources:
        source = kb.sources[cite.source]
        who = f"{cite.poster}, " if cite.poster else ""
        lines.append(f'{indent}source: {who}{source.title} ({source.published}): "{cite.quote}"')
    return lines


def _wrap(text: str, markdown: bool) -> str:
    return f"_{text}_" if markdown else text
