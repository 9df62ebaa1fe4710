"""With local rule packs loaded, the shipped knowledge's own verdict leads the result: the
shipped knowledge base (as loaded without the packs) is consulted on the same answers, and its
red-flag advice, banner, safety net and tier policy come first; the packs' knowledge adds after
it and may raise the tier, never lower it. So no pack can reach the shipped verdict, whatever it
holds (issue 19; the threat model is in docs/development.md, "Reliability")."""

from __future__ import annotations

from triage.answers import Answers
from triage.engine import Engine
from triage.model import TIER_RANK, KnowledgeBase
from triage.result import Advice, Result

_ENGINE: list[tuple[KnowledgeBase, tuple[str, ...], Engine]] = []


def shipped_engine(shipped: KnowledgeBase, answers: Answers) -> Engine:
    """The shipped knowledge's engine, compiled with only the rules these answers can fire (as
    a consultation compiles its own), and reused while they are the same."""
    from triage.relevance import possible_rules

    rules = possible_rules(shipped, dict(answers.values))
    ids = tuple(rule.id for rule in rules)
    if not _ENGINE or _ENGINE[0][0] is not shipped or _ENGINE[0][1] != ids:
        _ENGINE[:] = [(shipped, ids, Engine(shipped, rules))]
    return _ENGINE[0][2]


def led_by(verdict: Result, own: Result, shipped: KnowledgeBase) -> Result:
    """The shipped verdict first, then what the packs add. The verdict's red-flag advice (at
    the protected tiers, or given by the red-flag screen's rules, such as "don't train until
    checked"), in its own order and words, leads; its safety net is the safety net. The tier
    is the more urgent of the two: a pack can raise it, never lower it; the banner is the
    shipped one's (a raised tier shows that tier's shipped action)."""
    about = shipped.about
    protected = set(about.protected_tiers) or {"emergency", "urgent"}
    sections = set(about.protected_sections)
    screen_rules = {rule.id for rule in shipped.rules if rule.section in sections}

    def leads(advice: Advice) -> bool:
        return advice.tier in protected or any(r.rule in screen_rules for r in advice.because)

    lead = [a for a in verdict.advice if not a.suggestion.safety_net and leads(a)]
    taken = {a.id for a in lead}
    rest = [a for a in own.advice if not a.suggestion.safety_net and a.id not in taken]
    nets = [
        *verdict.safety_net,
        *(a for a in own.safety_net if a.id not in shipped.suggestions),
    ]
    tiers = [t for t in (verdict.tier, own.tier) if t is not None]
    tier = min(tiers, key=TIER_RANK.__getitem__, default=None)
    policy = about.policy.get(tier) if tier else None
    dropped = set(policy.drop) if policy else set()
    kept = [a for a in [*lead, *rest] if a.tier not in dropped]
    left_out = _unique([*verdict.left_out, *own.left_out, *(a for a in rest if a.tier in dropped)])
    shown = {a.id for a in kept}
    debates = [
        *(d for d in verdict.disagreements if d.preferred.id in shown),
        *(
            d
            for d in own.disagreements
            if d.preferred.id in shown
            and d.preferred.id not in taken
            and not any(a.id in taken for a in d.dissent)
            and d.disagreement.id not in {v.disagreement.id for v in verdict.disagreements}
        ),
    ]
    return Result(
        tier,
        (*kept, *nets),
        tuple(debates),
        tuple(a for a in left_out if a.id not in shown),
        about.disclaimer,
        about,
        tuple(_unique([*verdict.not_applicable, *own.not_applicable])),
        tuple(dict.fromkeys((*verdict.reported, *own.reported))),
        tuple(dict.fromkeys((*verdict.unanswered, *own.unanswered))),
        lead=len([a for a in lead if a.tier not in dropped]),
    )


def _unique(advice: list[Advice]) -> list[Advice]:
    first: dict[str, Advice] = {}
    for a in advice:
        first.setdefault(a.id, a)
    return list(first.values())
