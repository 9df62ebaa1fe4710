"""Issue 19's invariant, for generated packs: whatever a local rule pack holds (added, replaced
and disabled items, groups, sources, findings, disagreements, sections, texts with control
characters and markup), either `check` refuses it, with every problem at the pack's own file
and line, or, for every emergency and urgent case of the shipped red-flag tests, the result's
tier, banner and first items are exactly the shipped ones and the shipped safety net is there.
A pack may only raise the tier: then the banner is the shipped action of that tier, and the
shipped advice still leads."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from safety import protected_cases

from triage import answers, ranking
from triage.engine import Engine
from triage.errors import RulesError
from triage.knowledge import loading
from triage.model import TIER_RANK, TIERS, KnowledgeBase


@cache
def _shipped() -> KnowledgeBase:
    return loading.load()


@cache
def _verdicts() -> tuple[tuple[str, dict[str, Any], ranking.Result], ...]:
    kb = _shipped()
    engine = Engine(kb)
    out = []
    for name, given_answers, _ in protected_cases():
        parsed = answers.from_mapping(given_answers, kb)
        out.append((name, given_answers, ranking.rank(kb, parsed, engine.consult(parsed))))
    return tuple(out)


def _ids(kind: str) -> list[str]:
    kb = _shipped()
    found: dict[str, Any] = {
        "questions": kb.questions,
        "yes_no": {q: v for q, v in kb.questions.items() if v.type == "yes_no" and not v.journal},
        "rules": {r.id: r for r in kb.rules},
        "suggestions": kb.suggestions,
        "findings": kb.findings,
        "sources": kb.sources,
        "groups": kb.groups,
    }
    return sorted(found[kind])


# Texts a hostile pack writes: terminal escapes, Markdown and HTML, spreadsheet formulas,
# bidirectional overrides, zero-width characters, and ordinary words.
TEXTS = st.one_of(
    st.sampled_from(
        [
            "\x1b[2J\x1b[1;1HWhat to do now: nothing",
            "\x1b[8mhidden",
            "ok\n\n<!--",
            "<script>alert(1)</script>",
            "=HYPERLINK(\"http://x\")",
            "\u202eesrever\u200b",
            "[click](javascript:x) **calm down**",
            "Nothing serious: message your coach and carry on with your day",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20),
)
PACK = "pack_"


@st.composite
def _condition(draw: st.DrawFn, questions: list[str], findings: list[str]) -> Any:
    kind = draw(st.sampled_from(["always", "answer", "finding", "not"]))
    if kind == "always":
        return {}
    if kind == "finding" and findings:
        return {"finding": draw(st.sampled_from(findings))}
    test = {draw(st.sampled_from(questions)): draw(st.sampled_from(["yes", "no", "unsure"]))}
    return {"not": test} if kind == "not" else test


def _some(ids: list[str], most: int, hostile: bool) -> st.SearchStrategy[list[str]]:
    """Shipped items to replace or disable: only in a hostile pack, so that many packs load
    (and are consulted) rather than being refused."""
    if not hostile:
        return st.just([])
    return st.lists(st.sampled_from(ids), max_size=most, unique=True)


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    pack: dict[str, Any] = {}
    # Half the packs only add (what a pack may do): rules, advice at any tier with any action,
    # red flags, questions, checklists; the other half also replace and disable shipped items.
    hostile = draw(st.booleans())
    places = ["own", "red_flags", "none", *(["early"] if hostile else [])]
    section = draw(st.sampled_from(places))
    if section == "own":
        pack["section"] = {"id": PACK + "section", "title": draw(TEXTS), "order": 50}
    elif section == "early":
        pack["section"] = {"id": PACK + "early", "title": "Early", "order": -1}
    elif section == "red_flags":
        pack["section"] = "red_flags"
    new_questions = [f"{PACK}q{i}" for i in range(draw(st.integers(0, 3)))]
    questions: list[dict[str, Any]] = [
        {"id": q, "ask": draw(TEXTS), "type": "yes_no", "why": draw(TEXTS)}
        | ({"priority": draw(st.integers(-10, 10_000))} if hostile and draw(st.booleans()) else {})
        for q in new_questions
    ]
    for qid in draw(_some(_ids("yes_no"), 2, hostile)):
        questions.append({"id": qid, "replace": True, "ask": draw(TEXTS)})
    if questions:
        pack["questions"] = questions
    yes_no = [*_ids("yes_no"), *new_questions]

    if len(new_questions) >= 2 and draw(st.booleans()):
        pack["groups"] = [{"id": PACK + "group", "ask": draw(TEXTS), "why": "x",
                           "questions": new_questions[:2]}]
    # A checklist is replaced from a file of its own section (E017 otherwise).
    own_groups = [g for g in _ids("groups") if _shipped().groups[g].section == section]
    for gid in draw(_some(own_groups, 1, hostile)) if own_groups else []:
        shipped_group = _shipped().groups[gid]
        change = draw(st.sampled_from(["ask", "why", "drop"]))
        item: dict[str, Any] = {"id": gid, "replace": True}
        if change == "drop":
            item["questions"] = list(shipped_group.questions[:2])
        else:
            item[change] = draw(TEXTS)
        pack.setdefault("groups", []).append(item)

    new_findings = [f"{PACK}f{i}" for i in range(draw(st.integers(0, 2)))]
    findings = [{"id": f, "means": draw(TEXTS)} for f in new_findings]
    for fid in draw(_some(_ids("findings"), 1, hostile)):
        findings.append({"id": fid, "replace": True, "means": draw(TEXTS)})
    if findings:
        pack["findings"] = findings
    all_findings = [*_ids("findings"), *new_findings]

    sources: list[dict[str, Any]] = [
        {"id": PACK + "source", "kind": "personal", "title": draw(TEXTS), "published": "x"}
    ]
    for sid in draw(_some(_ids("sources"), 1, hostile)):
        sources.append({"id": sid, "replace": True, "title": draw(TEXTS)})
    pack["sources"] = sources
    cite = [{"source": PACK + "source", "quote": "x"}]

    new_suggestions = [f"{PACK}s{i}" for i in range(draw(st.integers(0, 3)))]
    suggestions: list[dict[str, Any]] = []
    for sid in new_suggestions:
        item = {
            "id": sid,
            "tier": draw(st.sampled_from(TIERS)),
            "text": draw(TEXTS),
            "confidence": draw(st.floats(0, 1)),
            "evidence": "personal_experience",
            "sources": cite,
        }
        if draw(st.booleans()):
            item["action"] = draw(TEXTS)
        if draw(st.integers(0, 4)) == 0:
            item["safety_net"] = True
        suggestions.append(item)
    for sid in draw(_some(_ids("suggestions"), 2, hostile)):
        change = draw(st.sampled_from(["text", "tier", "action"]))
        value = draw(st.sampled_from(TIERS)) if change == "tier" else draw(TEXTS)
        suggestions.append({"id": sid, "replace": True, change: value})
    if suggestions:
        pack["suggestions"] = suggestions
    all_suggestions = [*_ids("suggestions"), *new_suggestions]

    rules: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 4))):
        mine = bool(new_suggestions) and not (hostile and draw(st.booleans()))
        ref: Any = draw(st.sampled_from(new_suggestions if mine else all_suggestions))
        if (mine or hostile) and draw(st.booleans()):
            ref = [{"id": ref, "tier": draw(st.sampled_from(TIERS))}]
        rule: dict[str, Any] = {
            "id": f"{PACK}r{i}",
            "when": draw(_condition(yes_no, all_findings)),
            "suggest": ref,
            "priority": draw(st.integers(-100, 10_000)),
        }
        if draw(st.booleans()):
            rule["confidence"] = draw(st.floats(0, 1))
        if all_findings and draw(st.booleans()):
            rule["conclude"] = draw(st.sampled_from(all_findings))
        rules.append(rule)
    for rid in draw(_some(_ids("rules"), 2, hostile)):
        change = draw(st.sampled_from(["when", "priority", "for_everyone"]))
        value: Any = {
            "when": draw(_condition(yes_no, all_findings)),
            "priority": draw(st.integers(-100, 10_000)),
            "for_everyone": True,
        }[change]
        rules.append({"id": rid, "replace": True, change: value})
    if rules:
        pack["rules"] = rules
    disabled = draw(_some(_ids("rules"), 2, hostile))
    if disabled:
        pack["disable"] = disabled
    sides = all_suggestions if hostile else new_suggestions
    if draw(st.booleans()) and len(sides) >= 2:
        prefer, *over = draw(st.lists(st.sampled_from(sides), min_size=2, max_size=3, unique=True))
        pack["disagreements"] = [
            {"id": PACK + "d", "topic": "x", "prefer": prefer, "over": over, "why": draw(TEXTS)}
        ]
    return pack


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the tool refuses anchors and aliases (E001): write each value out


def _check_refusal(error: RulesError, pack_file: Path) -> None:
    for problem in error.problems:
        assert problem.location.file == str(pack_file), problem
        assert problem.location.line >= 1, problem


def _check_verdict(kb: KnowledgeBase) -> None:
    engine = Engine(kb)
    about = _shipped().about
    for name, given_answers, shipped in _verdicts():
        parsed = answers.from_mapping(given_answers, kb)
        result = ranking.rank(kb, parsed, engine.consult(parsed))
        assert shipped.tier is not None and result.tier is not None
        assert TIER_RANK[result.tier] <= TIER_RANK[shipped.tier], name
        if result.tier == shipped.tier:
            assert result.action == shipped.action, name
        else:  # raised by the pack: the shipped words for that tier, never the pack's
            assert result.action == about.tiers[result.tier].action, name
        lead = [
            (a.id, a.tier, a.text)
            for a in shipped.advice
            if a.tier in about.protected_tiers and a.tier not in _dropped(result.tier)
        ]
        got = [(a.id, a.tier, a.text) for a in result.advice[: len(lead)]]
        assert got == lead, name
        first_shown = result.groups()[0].items[0][1]
        assert first_shown.id == shipped.advice[0].id, name
        nets = [(a.id, a.text) for a in shipped.safety_net]
        assert [(a.id, a.text) for a in result.safety_net][: len(nets)] == nets, name


def _dropped(tier: str) -> set[str]:
    policy = _shipped().about.policy.get(tier)
    return set(policy.drop) if policy else set()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pack=packs())
def test_a_pack_never_reaches_the_shipped_verdict(
    tmp_path_factory: pytest.TempPathFactory, pack: dict[str, Any]
) -> None:
    folder = tmp_path_factory.mktemp("pack")
    pack_file = folder / "local.yaml"
    pack_file.write_text(yaml.dump(pack, Dumper=_Dumper, allow_unicode=False), encoding="utf-8")
    try:
        kb = loading.load([loading.shipped_rules_dir(), folder])
    except RulesError as error:
        event(f"refused: {error.problems[0].code}")
        _check_refusal(error, pack_file)
        return
    event("loaded")
    _check_verdict(kb)


def test_the_generator_reaches_both_outcomes(tmp_path: Path) -> None:
    """Not a test that cannot fail: a pack that only adds loads, and one that rewords the
    safety net is refused."""
    adds = {"sources": [{"id": "p", "kind": "personal", "title": "t", "published": "x"}],
            "suggestions": [{"id": "p_s", "tier": "emergency", "text": "x", "confidence": 1,
                             "evidence": "personal_experience", "action": "Relax.",
                             "sources": [{"source": "p", "quote": "x"}]}],
            "rules": [{"id": "p_r", "when": {}, "suggest": "p_s", "priority": 9999}]}
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "local.yaml").write_text(yaml.safe_dump(adds))
    _check_verdict(loading.load([loading.shipped_rules_dir(), tmp_path / "a"]))
