"""A ranked result laid out as lines, once, for every renderer: the text output, the
questionnaire's screen and the Markdown handover show the same things in the same order.
The short layout is the first screen (the action, a few items per group, numbered sources);
the opened one is the short one with every item; the full one adds each item's confidence,
reasons and quotes, and every disagreement. Items are numbered straight through what is shown.
Every word comes from the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from triage.model import TIER_RANK, TIERS, KnowledgeBase
from triage.ranking import Advice, Debate, Result, RuleReason

Kind = Literal[
    "title", "action", "heading", "item", "detail", "bullet", "note", "source", "disclaimer"
]


@dataclass(frozen=True)
class Line:
    """One paragraph of the result: renderers wrap it to their width."""

    kind: Kind
    text: str
    mark: str = ""  # "1." for a numbered item, "-" for a bullet
    tier: str | None = None  # for colour on a screen
    gap: bool = False  # a blank line before it


class Sources:
    """Sources numbered in the order they are first cited, each listed once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.order: list[str] = []

    def refs(self, advice: Advice) -> str:
        numbers: list[int] = []
        for cite in advice.suggestion.sources:
            if cite.source not in self.order:
                self.order.append(cite.source)
            number = self.order.index(cite.source) + 1
            if number not in numbers:
                numbers.append(number)
        return "[" + ",".join(str(n) for n in numbers) + "]"

    def number(self, source: str) -> int:
        return self.order.index(source) + 1


def lay_out(
    result: Result,
    kb: KnowledgeBase,
    *,
    full: bool = False,
    more: str = "--full shows them",
    opened: bool = False,
) -> tuple[list[Line], Sources]:
    """The result as lines. `more` says how the reader gets what the short result leaves out:
    a flag on the command line, a choice on the questionnaire's screen. `opened`: every item,
    in the short words."""
    sources = Sources(kb)
    lines: list[Line] = []
    words = kb.about.words
    if result.tier is None:
        lines.append(Line("title", "spasm-triage"))
        lines.append(Line("note", "Nothing in the rules applies to these answers.", gap=True))
        return lines, sources
    title = kb.about.tiers[result.tier].title
    lines.append(Line("title", f"spasm-triage: {title}", tier=result.tier))
    lines.append(Line("action", result.action or "", tier=result.tier))
    # Red-flag questions left out of an answers file count as no: said first, unless nothing
    # they could add would be more urgent than this result already is.
    if result.unanswered and words.unanswered and result.tier != TIERS[0]:
        said = words.unanswered.replace("{count}", str(len(result.unanswered)))
        lines.append(Line("note", said))
        if full:
            missing = "; ".join(kb.questions[q].short or q for q in result.unanswered)
            lines.append(Line("detail", f"Not answered: {missing}."))
    guarded = set(kb.about.protected_tiers)
    debates = [d for d in result.disagreements if full or bears_on_person(d)]
    debated = {d.preferred.id: d for d in debates}
    numbers: dict[str, int] = {}  # the items shown, so a disagreement can point at its number

    groups = result.groups()
    said_signs = False
    for index, group in enumerate(groups):
        # The result's own tier needs no heading of its own: the banner above says it. Advice
        # less urgent than the banner says it comes after it: one deadline, the banner's.
        if index or group.key != result.tier:
            title = group.title
            if _later(group.key, result.tier, words.personal_first):
                title = words.later_titles.get(group.key, title)
            lines.append(Line("heading", title, tier=group.key, gap=True))
        shown = group.items
        if not (full or opened) and group.key not in guarded:
            shown = group.items[: words.per_group]
        for _, advice in shown:
            numbers[advice.id] = len(numbers) + 1
            protected = advice.tier in guarded
            text = advice.text if (full or protected) else _short(advice)
            if advice.id in debated:
                text += " (lifters disagree: see below)"
            mark = f"{numbers[advice.id]}."
            lines.append(Line("item", f"{text} {sources.refs(advice)}", mark, advice.tier))
            if full:
                lines.extend(_details(advice, sources))
        rest = len(group.items) - len(shown)
        if rest:
            lines.append(Line("note", f"+ {rest} more ({more})"))
        # The signs reported go with the red-flag advice they led to, before anything else.
        if group.key in guarded and not said_signs and result.reported:
            following = groups[index + 1].key if index + 1 < len(groups) else None
            if following not in guarded:
                lines.append(Line("note", f"{words.reported_title}: {'; '.join(result.reported)}."))
                said_signs = True

    for debate in debates:
        d = debate.disagreement
        preferred = numbers.get(debate.preferred.id)
        head = f"Where the advice disagrees: {d.topic}"
        lines.append(Line("heading", head, gap=True))
        we = (
            f"We suggest {preferred}."
            if preferred
            else f"We suggest: {debate.preferred.suggestion.short_text} {sources.refs(debate.preferred)}"
        )
        for other in debate.dissent:
            view = other.text if full else other.suggestion.short_text
            lines.append(
                Line("bullet", f"{we} The other view: {view} {sources.refs(other)}", "-")
            )
            if full:
                lines.extend(_details(other, sources))
        if full:
            lines.append(Line("detail", f"Why we prefer the first: {d.why}"))

    nets = result.safety_net
    if nets:
        lines.append(Line("heading", words.safety_net_title, gap=True))
        for advice in nets:
            text = advice.text if full else _short(advice)
            lines.append(Line("bullet", f"{text} {sources.refs(advice)}", "-"))
            if full:
                lines.extend(_details(advice, sources))
    left = result.left_out_line
    if left:
        count = len(result.left_out)
        lines.append(Line("note", f"{left} ({count} {'item' if count == 1 else 'items'} left out)."))

    if sources.order and not full:
        cited = "; ".join(
            f"[{sources.number(sid)}] {_short_title(kb.sources[sid].title)}" for sid in sources.order
        )
        lines.append(Line("source", cited, "Sources:"))
    elif sources.order:
        lines.append(Line("heading", "Sources", gap=True))
        for sid in sources.order:
            source = kb.sources[sid]
            text = source.title if not full else f"{source.title}, {source.published}"
            if full and source.url:
                text += f": {source.url}"
            elif full and source.file:
                text += f" (saved copy: {source.file})"
            lines.append(Line("source", text, f"[{sources.number(sid)}]"))
    disclaimer = result.disclaimer if full or not words.disclaimer_short else words.disclaimer_short
    lines.append(Line("disclaimer", disclaimer, gap=full))
    return lines, sources


def _later(group: str, tier: str, personal_first: tuple[str, ...]) -> bool:
    """Whether a group of advice is less urgent than the result it is in: a tier's group below
    the result's tier; what fits the person, or everyone, under a clinical result."""
    if group in TIER_RANK:
        return TIER_RANK[group] > TIER_RANK[tier]
    return tier not in personal_first


def bears_on_person(debate: Debate) -> bool:
    """Whether a disagreement is about this person: one of its sides was made by their own
    answers (a rule that read what they said), not only for everyone."""
    return any(
        advice.personal or _read_answers(advice.because)
        for advice in (debate.preferred, *debate.dissent)
    )


def _read_answers(because: tuple[RuleReason, ...]) -> bool:
    return any(
        fact.kind == "answer" or _read_answers(fact.because)
        for rule in because
        for fact in rule.facts
    )


def _short_title(title: str, limit: int = 40) -> str:
    """A source's name without its subtitle, for the one-paragraph list of the short result."""
    for cut in (" (", ": "):
        if cut in title[8:]:
            title = title[: title.index(cut, 8)]
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0] + "…"
    return title


def _short(advice: Advice) -> str:
    text = advice.suggestion.short_text
    personal = advice.text[len(advice.suggestion.text) :].strip()
    return f"{text} {personal}" if personal else text


def _details(advice: Advice, sources: Sources) -> list[Line]:
    evidence = advice.suggestion.evidence.replace("_", " ")
    out = [Line("detail", f"confidence {advice.confidence:.0%} ({evidence})")]
    reasons = flat_reasons(advice.because)
    if reasons:
        out.append(Line("detail", f"because: {'; '.join(reasons)}"))
    for cite in advice.suggestion.sources:
        who = f"{cite.poster}: " if cite.poster else ""
        out.append(Line("detail", f'[{sources.number(cite.source)}] {who}"{cite.quote}"'))
    return out


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
