"""What a local rule pack may not do to the knowledge it is loaded on: make a red flag less
urgent, unreachable, reworded or asked later. A pack may add red flags and make advice more
urgent.

What is protected is knowledge, declared in the base's `about.protected`: the questions,
checklists and rules of the named sections (the red-flag screen), every suggestion at the
named tiers, every suggestion the screen's rules make ("don't train until checked" included),
the safety net, the rules that make any of these, the rules whose findings they build on, the
findings they conclude and the sources they cite. The base is loaded on its own and compared
with the whole, so the check sees the effect of every way a pack can change things (disable,
replace, re-tier, disagreements, findings, sources, checklists, section order).

This check is the first line: whatever a pack does that passes it, the shipped verdict is
still computed from the shipped knowledge alone and leads the result (triage.ranking)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from triage.conditions import AnswerTest, FindingTest, leaves
from triage.errors import WEAKENS_RED_FLAG, Location, Problem
from triage.model import TIER_RANK, KnowledgeBase, Rule

_Report = Callable[[str, Location], None]


def problems(
    base: KnowledgeBase,
    full: KnowledgeBase,
    pack_files: frozenset[str],
    disabled: Iterable[tuple[str, Location]],
) -> list[Problem]:
    guarded = guarded_suggestions(base)
    rules = protected_rules(base, guarded)
    if not rules and not guarded:
        return []
    found: list[Problem] = []

    def weakens(message: str, where: Location) -> None:
        problem = Problem(WEAKENS_RED_FLAG, message, where)
        if problem not in found:
            found.append(problem)

    disabled_at = dict(disabled)
    now = {rule.id: rule for rule in full.rules}
    for rule in rules.values():
        if rule.id not in now:
            where = disabled_at.get(rule.id, Location(next(iter(sorted(pack_files)), "")))
            weakens(f"a pack may not disable rule '{rule.id}': {_why(base, rule, guarded)}", where)
        elif _rule_body(now[rule.id]) != _rule_body(rule):
            weakens(
                f"a pack may not replace rule '{rule.id}': {_why(base, rule, guarded)}; "
                "add a rule of your own to widen it",
                now[rule.id].location,
            )

    _changed_screen(base, full, rules.values(), weakens)
    for sid, tier in guarded.items():
        mine_s, theirs_s = base.suggestions[sid], full.suggestions.get(sid)
        if theirs_s is not None and replace(theirs_s, index=0) != replace(mine_s, index=0):
            weakens(
                f"a pack may not replace suggestion '{sid}': it is {_what(base, sid, tier)}",
                theirs_s.location,
            )
    _changed_sources(base, full, guarded, weakens)
    concluded = {finding for rule in rules.values() for finding in rule.conclude}
    for fid in sorted(concluded):
        mine_f, theirs_f = base.findings.get(fid), full.findings.get(fid)
        if mine_f is not None and theirs_f is not None and theirs_f != mine_f:
            weakens(
                f"a pack may not replace finding '{fid}': a protected red-flag rule concludes it",
                theirs_f.location,
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
            made = full.suggestions.get(ref.id)
            needed = guarded.get(ref.id)
            if made is None or needed is None:
                continue  # a suggestion that failed the schema: its own error says so
            tier = ref.tier or made.tier
            if TIER_RANK[tier] > TIER_RANK[needed]:
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
                        f"disagreement '{disagreement.id}' would put "
                        f"{_what(base, sid, guarded[sid])} '{sid}' aside; a pack may not "
                        "prefer anything over it",
                        disagreement.location,
                    )
    found += _asked_later(base, full, pack_files)
    return found


def guarded_suggestions(base: KnowledgeBase) -> dict[str, str]:
    """Each protected suggestion, with the most urgent tier the shipped rules give it: the
    advice at the protected tiers, whatever the red-flag screen's rules suggest (such as
    "don't train until checked"), and the safety net."""
    tiers = set(base.about.protected_tiers)
    sections = set(base.about.protected_sections)
    guarded: dict[str, str] = {
        sid: s.tier for sid, s in base.suggestions.items() if s.tier in tiers or s.safety_net
    }
    for rule in base.rules:
        for ref in rule.suggest:
            tier = ref.tier or base.suggestions[ref.id].tier
            if tier in tiers or rule.section in sections or ref.id in guarded:
                known = guarded.get(ref.id, "prevention")
                guarded[ref.id] = min(tier, known, key=TIER_RANK.__getitem__)
    return guarded


def protected_rules(base: KnowledgeBase, guarded: dict[str, str]) -> dict[str, Rule]:
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


def _changed_screen(
    base: KnowledgeBase, full: KnowledgeBase, rules: Iterable[Rule], weakens: _Report
) -> None:
    """The screen's questions and checklists, word for word: a checklist a pack rewrites, or
    one that drops signs, is the pack's change, reported at the pack's line."""
    sections = set(base.about.protected_sections)
    moved: dict[str, Location] = {}
    for gid, mine_g in base.groups.items():
        if mine_g.section not in sections:
            continue
        theirs_g = full.groups.get(gid)
        if theirs_g is not None and theirs_g != mine_g:
            weakens(
                f"a pack may not replace checklist '{gid}' of the red-flag screen: its "
                "question, its reason and its signs are shipped as they are",
                theirs_g.location,
            )
            for qid in mine_g.questions:
                moved[qid] = theirs_g.location
    for qid in protected_questions(base, rules):
        mine, theirs = base.questions[qid], full.questions.get(qid)
        if theirs is None or theirs == mine:
            continue
        if replace(theirs, group=mine.group) == mine:  # only its checklist changed
            if qid in moved:
                continue  # reported once, at the checklist
            holder = full.groups.get(theirs.group or "")
            weakens(
                f"a pack may not move question '{qid}' of the red-flag screen to another "
                "checklist",
                holder.location if holder is not None else theirs.location,
            )
            continue
        weakens(
            f"a pack may not replace question '{qid}': a protected question of the "
            "red-flag screen asks it",
            theirs.location,
        )


def _changed_sources(
    base: KnowledgeBase, full: KnowledgeBase, guarded: dict[str, str], weakens: _Report
) -> None:
    """Where protected advice comes from is part of it: its sources stay as shipped."""
    cited = {c.source for sid in guarded for c in base.suggestions[sid].sources}
    for source_id in sorted(cited):
        mine, theirs = base.sources.get(source_id), full.sources.get(source_id)
        if mine is not None and theirs is not None and theirs != mine:
            weakens(
                f"a pack may not replace source '{source_id}': protected red-flag advice "
                "cites it",
                theirs.location,
            )


def protected_questions(base: KnowledgeBase, rules: Iterable[Rule]) -> list[str]:
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


def _rule_body(rule: Rule) -> Rule:
    """What a rule does, apart from where it stands (load order changes when others go)."""
    return replace(rule, index=0)


def _why(base: KnowledgeBase, rule: Rule, guarded: dict[str, str]) -> str:
    made = [ref.id for ref in rule.suggest if ref.id in guarded]
    if made:
        return f"it gives '{made[0]}', {_what(base, made[0], guarded[made[0]])}"
    return "a red-flag rule of the shipped screen depends on it"


def _what(base: KnowledgeBase, sid: str, tier: str) -> str:
    if base.suggestions[sid].safety_net:
        return "part of the safety net (what would change this advice)"
    if tier in ("emergency", "urgent"):
        return f"the {tier} advice"
    return "advice the red-flag screen gives"
