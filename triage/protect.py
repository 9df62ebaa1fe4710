"""What a local rule pack may not do to the knowledge it is loaded on: make a red flag less
urgent, unreachable, or asked later. A pack may add red flags and make advice more urgent.

What is protected is knowledge, declared in the base's `about.protected`: the questions and
rules of the named sections (the red-flag screen), every suggestion at the named tiers, the
rules that make those suggestions, and the rules whose findings they build on. The base is
loaded on its own and compared with the whole, so the check sees the effect of every way a
pack can change things (disable, replace, re-tier, disagreements, findings, section order)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from triage.conditions import AnswerTest, FindingTest, leaves
from triage.errors import WEAKENS_RED_FLAG, Location, Problem
from triage.model import TIER_RANK, KnowledgeBase, Rule


def problems(
    base: KnowledgeBase,
    full: KnowledgeBase,
    pack_files: frozenset[str],
    disabled: Iterable[tuple[str, Location]],
) -> list[Problem]:
    guarded = _guarded_tiers(base)
    rules = _protected_rules(base, guarded)
    if not rules and not guarded:
        return []
    found: list[Problem] = []

    def weakens(message: str, where: Location) -> None:
        found.append(Problem(WEAKENS_RED_FLAG, message, where))

    disabled_at = dict(disabled)
    now = {rule.id: rule for rule in full.rules}
    for rule in rules.values():
        if rule.id not in now:
            where = disabled_at.get(rule.id, Location(next(iter(pack_files), "")))
            weakens(f"a pack may not disable rule '{rule.id}': {_why(rule, guarded)}", where)
        elif _rule_body(now[rule.id]) != _rule_body(rule):
            weakens(
                f"a pack may not replace rule '{rule.id}': {_why(rule, guarded)}; "
                "add a rule of your own to widen it",
                now[rule.id].location,
            )

    questions = _protected_questions(base, rules.values())
    for qid in questions:
        mine, theirs = base.questions[qid], full.questions.get(qid)
        if theirs is not None and theirs != mine:
            weakens(
                f"a pack may not replace question '{qid}': a protected question of the "
                "red-flag screen asks it",
                theirs.location,
            )
    for sid in guarded:
        mine_s, theirs_s = base.suggestions[sid], full.suggestions.get(sid)
        if theirs_s is not None and replace(theirs_s, index=0) != replace(mine_s, index=0):
            weakens(
                f"a pack may not replace suggestion '{sid}': it is {guarded[sid]} advice",
                theirs_s.location,
            )

    suppressors = {
        test.finding
        for rule in rules.values()
        for test, negated in leaves(rule.when)
        if negated and isinstance(test, FindingTest)
    }
    for rule in full.rules:
        if rule.location.file not in pack_files:
            continue
        for ref in rule.suggest:
            tier = ref.tier or full.suggestions[ref.id].tier
            needed = guarded.get(ref.id)
            if needed is not None and TIER_RANK[tier] > TIER_RANK[needed]:
                weakens(
                    f"rule '{rule.id}' would make '{ref.id}' {tier} advice; it is {needed}, "
                    "and a pack may only make it more urgent",
                    rule.location,
                )
        for finding in sorted(suppressors.intersection(rule.conclude)):
            weakens(
                f"rule '{rule.id}' concludes '{finding}', which keeps a protected red-flag "
                "rule from firing; a pack may not conclude it",
                rule.location,
            )
    for disagreement in full.disagreements:
        if disagreement.location.file in pack_files:
            for sid in disagreement.over:
                if sid in guarded:
                    weakens(
                        f"disagreement '{disagreement.id}' would put {guarded[sid]} advice "
                        f"'{sid}' aside; a pack may not prefer anything over it",
                        disagreement.location,
                    )
    found += _asked_later(base, full, pack_files)
    return found


def _guarded_tiers(base: KnowledgeBase) -> dict[str, str]:
    """Each suggestion that is protected, with the most urgent protected tier it is given."""
    tiers = set(base.about.protected_tiers)
    guarded: dict[str, str] = {
        sid: s.tier for sid, s in base.suggestions.items() if s.tier in tiers
    }
    for rule in base.rules:
        for ref in rule.suggest:
            tier = ref.tier or base.suggestions[ref.id].tier
            if tier in tiers and TIER_RANK[tier] < TIER_RANK[guarded.get(ref.id, "prevention")]:
                guarded[ref.id] = tier
    return guarded


def _protected_rules(base: KnowledgeBase, guarded: dict[str, str]) -> dict[str, Rule]:
    """The rules of the protected sections, those that make protected advice at its protected
    tier, and, following findings back, every rule those need."""
    sections = set(base.about.protected_sections)
    chosen = {
        rule.id: rule
        for rule in base.rules
        if rule.section in sections
        or any(
            ref.id in guarded and (ref.tier or base.suggestions[ref.id].tier) == guarded[ref.id]
            for ref in rule.suggest
        )
    }
    while True:
        needed = {
            test.finding
            for rule in chosen.values()
            for test, negated in leaves(rule.when)
            if not negated and isinstance(test, FindingTest)
        }
        more = {
            rule.id: rule
            for rule in base.rules
            if rule.id not in chosen and needed.intersection(rule.conclude)
        }
        if not more:
            return chosen
        chosen.update(more)


def _protected_questions(base: KnowledgeBase, rules: Iterable[Rule]) -> list[str]:
    sections = set(base.about.protected_sections)
    asked = [qid for qid, q in base.questions.items() if q.section in sections]
    read = {
        test.question
        for rule in rules
        for test, _ in leaves(rule.when)
        if isinstance(test, AnswerTest)
    }
    return [*asked, *sorted(read.difference(asked))]


def _asked_later(
    base: KnowledgeBase, full: KnowledgeBase, pack_files: frozenset[str]
) -> list[Problem]:
    """The red-flag screen stays first, in its own order: nothing a pack adds comes before or
    between its questions."""
    sections = set(base.about.protected_sections)
    screen = [qid for qid, q in base.questions.items() if q.section in sections]
    if not screen:
        return []
    order = list(full.questions)
    last = max(order.index(qid) for qid in screen if qid in full.questions)
    found = []
    pack_sections = {s.id: s for s in full.sections if s.location.file in pack_files}
    for qid in order[: last + 1]:
        question = full.questions[qid]
        if qid in base.questions:
            continue
        section = pack_sections.get(question.section)
        if section is not None:
            message = (
                f"section '{section.id}' (order {section.order}) would be asked before the "
                f"red-flag screen; give it an order above {_screen_order(base)}"
            )
            where = section.location
        else:
            message = (
                f"question '{qid}' would be asked before shipped red-flag questions; give it "
                f"a priority of at most {_lowest_priority(base, screen)}"
            )
            where = question.location
        problem = Problem(WEAKENS_RED_FLAG, message, where)
        if problem not in found:
            found.append(problem)
    return found


def _screen_order(base: KnowledgeBase) -> int:
    sections = set(base.about.protected_sections)
    return max(s.order for s in base.sections if s.id in sections)


def _lowest_priority(base: KnowledgeBase, screen: list[str]) -> int:
    return min(base.questions[qid].priority for qid in screen)


def _rule_body(rule: Rule) -> tuple[object, ...]:
    """What a rule does, apart from where it stands (load order changes when others go)."""
    return (rule.when, rule.conclude, rule.suggest, rule.confidence, rule.priority)


def _why(rule: Rule, guarded: dict[str, str]) -> str:
    made = [ref.id for ref in rule.suggest if ref.id in guarded]
    if made:
        return f"it gives the {guarded[made[0]]} advice '{made[0]}'"
    return "a red-flag rule of the shipped screen depends on it"
