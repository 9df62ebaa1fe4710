"""What a consultation gives, ranked: the advice as given to this person, its reasons, the
disagreements, and what the result's tier leaves out. Built by triage.ranking (and, with local
packs, led by the shipped verdict: triage.verdict); read by every renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from triage.model import TIER_RANK, TIERS, About, Disagreement, Suggestion

# Tiers that always come first, by tier, whatever fits the person: the clinical ones.
CLINICAL = ("emergency", "urgent", "see_clinician")


@dataclass(frozen=True)
class Reason:
    """One fact behind a firing: an answer, or a finding with the reasons it was concluded."""

    kind: Literal["answer", "finding"]
    id: str
    value: Any
    text: str
    because: tuple[RuleReason, ...] = ()


@dataclass(frozen=True)
class RuleReason:
    """A rule that gave a piece of advice, and the facts it matched."""

    rule: str
    facts: tuple[Reason, ...]


@dataclass(frozen=True)
class Advice:
    """One suggestion as given to this user: its tier, combined confidence and reasons."""

    suggestion: Suggestion
    tier: str
    confidence: float
    text: str
    because: tuple[RuleReason, ...]
    priority: int  # the highest priority among the rules that made it: a tie-break
    # Fired by the person's own answers (a rule that tested an answer or a finding, and is not
    # marked for_everyone), rather than for everyone.
    personal: bool = False

    @property
    def id(self) -> str:
        return self.suggestion.id


@dataclass(frozen=True)
class Group:
    """Advice shown together under one heading, numbered straight through the result."""

    key: str  # a tier, or "personal" / "generic"
    title: str
    items: tuple[tuple[int, Advice], ...]


@dataclass(frozen=True)
class Debate:
    """A disagreement among the advice given: the preferred side and the dissent."""

    disagreement: Disagreement
    preferred: Advice
    dissent: tuple[Advice, ...]


@dataclass(frozen=True)
class Result:
    """A consultation's outcome, ranked: what the user reads, as text, Markdown or JSON."""

    tier: str | None  # the most urgent tier among the advice; None when nothing applies
    advice: tuple[Advice, ...]  # in the order shown: groups, then the safety net
    disagreements: tuple[Debate, ...]
    left_out: tuple[Advice, ...]  # what the tier policy leaves out of a result at this tier
    disclaimer: str
    about: About | None = None
    not_applicable: tuple[Advice, ...] = ()  # made by a rule, but its `unless` holds
    reported: tuple[str, ...] = ()  # the warning signs reported, behind red-flag advice
    # Questions of the protected sections that would be asked but were not answered (taken as no).
    unanswered: tuple[str, ...] = ()
    # With local packs: how many items lead because the shipped knowledge, on its own, gives
    # them (see led_by); None without packs.
    lead: int | None = None

    @property
    def action(self) -> str | None:
        """The banner: the most urgent advice's own action, else its tier's action. With packs,
        only shipped advice that leads the result gives its own action."""
        if self.tier is None:
            return None
        top = self.advice[0] if self.advice and self.lead != 0 else None
        if top is not None and top.suggestion.action and top.tier == self.tier:
            return top.suggestion.action
        return self.about.tiers[self.tier].action if self.about else None

    @property
    def left_out_line(self) -> str | None:
        if not self.left_out or self.about is None or self.tier is None:
            return None
        policy = self.about.policy.get(self.tier)
        return policy.left_out if policy else None

    def groups(self) -> list[Group]:
        """The advice other than the safety net, in groups, numbered straight through: each
        clinical tier, then what fits the person, then what fits everyone (by tier)."""
        main = [a for a in self.advice if not a.suggestion.safety_net]
        words = self.about.words if self.about else None
        first = words.personal_first if words else ()
        out: list[Group] = []
        number = 0

        def add(key: str, title: str, items: list[Advice]) -> None:
            nonlocal number
            if items:
                out.append(Group(key, title, tuple(enumerate(items, start=number + 1))))
                number += len(items)

        # The shipped verdict's tiers first: a pack that raises the tier adds its advice after.
        leading = [a.tier for a in main[: self.lead or 0]]
        for tier in sorted(TIERS, key=lambda t: (t not in leading, TIER_RANK[t])):
            if tier not in first:
                title = self.about.tiers[tier].title if self.about else tier
                add(tier, title, [a for a in main if a.tier == tier])
        if words:
            add("personal", words.personal_title, [a for a in main if a.tier in first and a.personal])
            add("generic", words.generic_title, [a for a in main if a.tier in first and not a.personal])
        return out

    @property
    def safety_net(self) -> list[Advice]:
        return [a for a in self.advice if a.suggestion.safety_net]
