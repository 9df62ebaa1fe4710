"""Render a Result as JSON (the contract other tools read) or plain text, wrapped to a width.
The Markdown handover is triage/handover.py. Every word of advice comes from the rules; the
order is triage/layout.py's, the same in every format."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from triage.layout import Line, flat_reasons, lay_out
from triage.model import KnowledgeBase
from triage.ranking import Advice, Debate, Reason, Result, RuleReason

__all__ = ["as_dict", "flat_reasons", "to_json", "to_markdown", "to_text"]


def to_json(result: Result, kb: KnowledgeBase) -> str:
    return json.dumps(as_dict(result, kb), indent=2, ensure_ascii=False)


def as_dict(result: Result, kb: KnowledgeBase) -> dict[str, Any]:
    groups = {a.id: g.key for g in result.groups() for _, a in g.items}
    return {
        "tier": result.tier,
        # The most urgent advice's own action and time frame, as the banner shows it.
        "tier_action": result.action,
        "suggestions": [_advice(a, kb, groups.get(a.id, "safety_net")) for a in result.advice],
        "disagreements": [_debate(d, kb) for d in result.disagreements],
        "reported": list(result.reported),
        "unanswered": list(result.unanswered),
        "left_out": [a.id for a in result.left_out],
        "not_applicable": [a.id for a in result.not_applicable],
        "disclaimer": result.disclaimer,
    }


def _advice(advice: Advice, kb: KnowledgeBase, group: str | None = None) -> dict[str, Any]:
    s = advice.suggestion
    out: dict[str, Any] = {
        "id": s.id,
        "tier": advice.tier,
        "text": advice.text,
        "brief": s.short_text,
        "confidence": advice.confidence,
        "evidence": s.evidence,
        "safety_net": s.safety_net,
        "personal": advice.personal,
        "because": [_rule_reason(r) for r in advice.because],
        "sources": _sources(advice, kb),
    }
    if group is not None:
        out["group"] = group
    if s.action:
        out["action"] = s.action
    return out


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


# ---- text: the shared layout, wrapped ----


def to_text(result: Result, kb: KnowledgeBase, *, width: int = 80, full: bool = False) -> str:
    """Plain text (no colour), every line at most `width` columns, words never split."""
    lines, _ = lay_out(result, kb, full=full)
    out: list[str] = []
    width = max(width, 30)
    for line in lines:
        if line.gap and out and out[-1] != "":
            out.append("")
        out.extend(_wrapped(line, width))
        if line.kind == "title" and full:
            out.append("=" * min(len(line.text), width))
    return "\n".join(out).rstrip() + "\n"


def _wrapped(line: Line, width: int) -> list[str]:
    if line.kind in ("item", "bullet", "source"):
        lead = f"{line.mark} "
        return textwrap.wrap(
            line.text,
            width,
            initial_indent=lead,
            subsequent_indent=" " * len(lead),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [lead]
    indent = "     " if line.kind == "detail" else ""
    text = line.text
    if line.kind == "heading" and not text.endswith(("?", ":", ".")):
        text += ":"
    if line.kind == "action":
        text = f">> {text}"
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent + ("   " if line.kind == "action" else ""),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def to_markdown(result: Result, kb: KnowledgeBase, answers: Any = None) -> str:
    from triage.handover import to_markdown as handover

    return handover(result, kb, answers)
