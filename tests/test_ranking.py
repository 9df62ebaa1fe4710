"""Ranking: tier first, then confidence; combined confidence; tier decided by priority; emergency
focus; disagreements; because chains; the user's own numbers in their unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, consult, make_kb

from triage.errors import RulesError

SUGGESTIONS = """
suggestions:
  - {id: go_now, tier: emergency, text: Go to the emergency department now., confidence: 0.9,
     evidence: clinical_guideline, sources: [{source: guide, quote: Go now.}]}
  - {id: see_gp, tier: see_clinician, text: Book a GP., confidence: 0.8,
     evidence: clinical_guideline, sources: [{source: guide, quote: Book.}]}
  - {id: heat, tier: self_care, text: Use heat., confidence: 0.6,
     evidence: clinical_guideline, sources: [{source: guide, quote: Heat helps.}]}
  - {id: walk, tier: self_care, text: Keep walking., confidence: 0.8,
     evidence: clinical_guideline, sources: [{source: guide, quote: Stay active.}]}
  - {id: lighter, tier: training, text: Train lighter., confidence: 0.5,
     evidence: one_poster, sources: [{source: thread, poster: stallion, quote: Lighter weights.}]}
  - {id: bands, tier: prevention, text: Banded good mornings., confidence: 0.5,
     evidence: one_poster, sources: [{source: thread, poster: reply 1, quote: Bands.}]}
  - id: back_off
    tier: training
    text: Back off for a few weeks.
    personal: "For you: about {back_off} instead of {working_weight}."
    numbers:
      back_off: {of: working_weight, times: 0.5, round_to: {kg: 2.5, lb: 5}}
    confidence: 0.5
    evidence: one_poster
    sources: [{source: thread, poster: Shadowzz4, quote: try backing off a few weeks with 135 or less}]
  - {id: stretch_back, tier: self_care, text: Stretch your lower back., confidence: 0.5,
     evidence: several_posters, sources: [{source: thread, poster: reply 3, quote: Stretch it.}]}
  - {id: never_stretch, tier: self_care, text: Do not stretch your lower back., confidence: 0.5,
     evidence: one_poster, sources: [{source: thread, poster: reply 7, quote: Never.}]}
disagreements:
  - {id: stretch, topic: Stretch the lower back?, prefer: never_stretch, over: stretch_back,
     why: The hips are the better target.}
"""

QUESTIONS = """
questions:
  - {id: numb, ask: Numb?, type: yes_no, why: W.}
  - {id: old, ask: Age?, type: number, unit: years, why: W.}
  - {id: sore, ask: Sore?, type: yes_no, why: W.}
  - {id: tight, ask: Tight?, type: yes_no, why: W.}
  - {id: working_weight, ask: Working weight?, type: number, unit: weight, min: 0, why: W.}
"""


def kb_with(tmp_path: Path, rules: str):  # type: ignore[no-untyped-def]
    return make_kb(tmp_path, QUESTIONS + SUGGESTIONS + "rules:\n" + rules)


ALWAYS = """
  - {id: always, when: {}, suggest: [heat, walk, lighter, bands]}
"""


def test_tier_first_then_confidence(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, ALWAYS + "  - {id: age, when: {old: {at_least: 50}}, suggest: see_gp}\n")
    result = consult(kb, {"old": 55})
    assert result.tier == "see_clinician"
    assert [a.id for a in result.advice] == ["see_gp", "walk", "heat", "lighter", "bands"]


POLICY = BASE.replace(
    "  weight_unit_question: weight_unit\n",
    "  weight_unit_question: weight_unit\n"
    "  protected: {tiers: [emergency, urgent]}\n"
    "  policy:\n"
    "    emergency: {drop: [self_care, training, prevention], left_out: Nothing at home.}\n",
)


def test_the_tier_policy_in_the_rules_decides_what_an_emergency_drops(tmp_path: Path) -> None:
    rules = QUESTIONS + SUGGESTIONS + "rules:\n" + ALWAYS
    rules += "  - {id: ces, when: {numb: yes}, suggest: go_now}\n"
    kb = make_kb(tmp_path, rules, base=POLICY)
    result = consult(kb, {"numb": "yes"})
    assert result.tier == "emergency"
    assert [a.id for a in result.advice] == ["go_now"]
    assert {a.id for a in result.left_out} == {"walk", "heat", "lighter", "bands"}
    assert result.left_out_line == "Nothing at home."
    # Without a policy, nothing is dropped: the policy is knowledge, not code.
    plain = consult(kb_with(tmp_path / "plain", rules.split("rules:\n")[1]), {"numb": "yes"})
    assert [a.id for a in plain.advice] == ["go_now", "walk", "heat", "lighter", "bands"]


def test_a_policy_may_never_drop_a_protected_tier(tmp_path: Path) -> None:
    base = POLICY.replace("drop: [self_care,", "drop: [urgent, self_care,")
    with pytest.raises(RulesError) as caught:
        make_kb(tmp_path, QUESTIONS + SUGGESTIONS + "rules:\n" + ALWAYS, base=base)
    assert "may not leave out urgent advice" in str(caught.value.problems[0])


def test_protected_advice_may_not_say_when_it_does_not_apply(tmp_path: Path) -> None:
    rules = (QUESTIONS + SUGGESTIONS).replace(
        "text: Go to the emergency department now.,",
        "text: Go to the emergency department now., unless: {old: {at_least: 50}},",
    )
    with pytest.raises(RulesError) as caught:
        make_kb(tmp_path, rules + "rules:\n" + ALWAYS + "  - {id: c, when: {numb: yes}, suggest: go_now}\n", base=POLICY)
    assert "may not say when it does not apply" in str(caught.value.problems[0])


def test_unless_leaves_advice_out_whatever_rule_makes_it(tmp_path: Path) -> None:
    rules = (QUESTIONS + SUGGESTIONS).replace(
        "text: Use heat., confidence: 0.6,", "text: Use heat., confidence: 0.6, unless: {sore: no},"
    )
    rules += "rules:\n" + ALWAYS + "  - {id: sore_heat, when: {tight: yes}, suggest: heat}\n"
    kb = make_kb(tmp_path, rules)
    assert "heat" in [a.id for a in consult(kb, {"tight": "yes"}).advice]
    result = consult(kb, {"tight": "yes", "sore": "no"})
    assert "heat" not in [a.id for a in result.advice]
    assert [a.id for a in result.not_applicable] == ["heat"]


def test_advice_from_your_answers_ranks_above_advice_for_everyone(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, ALWAYS + "  - {id: sore_back_off, when: {sore: yes}, suggest: back_off}\n")
    result = consult(kb, {"sore": "yes"})
    # back_off is training advice at 0.5, below self-care at 0.8, but it fits this person.
    assert [a.id for a in result.advice] == ["back_off", "walk", "heat", "lighter", "bands"]
    groups = result.groups()
    assert [(g.key, [a.id for _, a in g.items]) for g in groups] == [
        ("personal", ["back_off"]),
        ("generic", ["walk", "heat", "lighter", "bands"]),
    ]
    # A guard is not a fit: a rule marked for_everyone ranks with the advice for everyone.
    guard = "  - {id: sore_back_off, when: {sore: no}, suggest: back_off, for_everyone: true}\n"
    plain = consult(kb_with(tmp_path / "guard", ALWAYS + guard), {"sore": "no"})
    assert [a.id for a in plain.advice][:2] == ["walk", "heat"]
    assert not next(a for a in plain.advice if a.id == "back_off").personal


def test_clinical_advice_stays_above_anything_personal(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path,
        ALWAYS
        + "  - {id: sore_back_off, when: {sore: yes}, suggest: back_off}\n"
        + "  - {id: age, when: {old: {at_least: 50}}, suggest: see_gp}\n",
    )
    result = consult(kb, {"sore": "yes", "old": 60})
    assert [a.id for a in result.advice][:2] == ["see_gp", "back_off"]


def test_several_rules_combine_their_confidence(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path,
        """
  - {id: one, when: {sore: yes}, suggest: heat}
  - {id: two, when: {tight: yes}, suggest: heat, confidence: 0.5}
""",
    )
    assert consult(kb, {"sore": "yes"}).advice[0].confidence == pytest.approx(0.6)
    both = consult(kb, {"sore": "yes", "tight": "yes"}).advice[0]
    assert both.confidence == pytest.approx(1 - 0.4 * 0.5)
    assert [r.rule for r in both.because] == ["one", "two"]


def test_the_highest_priority_rule_sets_the_tier_and_a_tie_takes_the_more_urgent(
    tmp_path: Path,
) -> None:
    kb = kb_with(
        tmp_path,
        """
  - {id: low, when: {sore: yes}, suggest: [{id: see_gp, tier: self_care}], priority: 1}
  - {id: high, when: {tight: yes}, suggest: [{id: see_gp, tier: urgent}], priority: 5}
  - {id: tie, when: {numb: yes}, suggest: [{id: see_gp, tier: training}], priority: 5}
""",
    )
    assert consult(kb, {"sore": "yes"}).advice[0].tier == "self_care"
    assert consult(kb, {"sore": "yes", "tight": "yes"}).advice[0].tier == "urgent"
    assert consult(kb, {"tight": "yes", "numb": "yes"}).advice[0].tier == "urgent"


def test_a_disagreement_shows_the_preferred_side_and_the_dissent(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path, "  - {id: sore_back, when: {sore: yes}, suggest: [stretch_back, never_stretch]}\n"
    )
    result = consult(kb, {"sore": "yes"})
    assert [a.id for a in result.advice] == ["never_stretch"]
    (debate,) = result.disagreements
    assert debate.preferred.id == "never_stretch"
    assert [a.id for a in debate.dissent] == ["stretch_back"]
    assert debate.dissent[0].suggestion.sources[0].poster == "reply 3"


def test_when_only_the_dissent_fires_the_preferred_side_is_still_shown(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "  - {id: sore_back, when: {sore: yes}, suggest: stretch_back}\n")
    result = consult(kb, {"sore": "yes"})
    assert [a.id for a in result.advice] == ["never_stretch"]
    assert result.advice[0].because[0].rule == "sore_back"
    assert [a.id for a in result.disagreements[0].dissent] == ["stretch_back"]


def test_because_chains_name_the_answers_and_the_findings_with_their_own_reasons(
    tmp_path: Path,
) -> None:
    kb = make_kb(
        tmp_path,
        QUESTIONS
        + SUGGESTIONS
        + """
findings: [{id: tight_back, means: Your back is tight}]
rules:
  - {id: notice, when: {tight: yes}, conclude: tight_back}
  - {id: treat, when: {finding: tight_back, sore: yes}, suggest: heat}
""",
    )
    (advice,) = consult(kb, {"tight": "yes", "sore": "yes"}).advice
    (reason,) = advice.because
    assert reason.rule == "treat"
    kinds = {(f.kind, f.id) for f in reason.facts}
    assert kinds == {("finding", "tight_back"), ("answer", "sore")}
    finding = next(f for f in reason.facts if f.kind == "finding")
    assert finding.because[0].rule == "notice"
    assert finding.because[0].facts[0].text == "Tight?: yes"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"working_weight": "140 kg"}, "about 70 kg instead of 140 kg"),
        ({"working_weight": 141, "weight_unit": "kg"}, "about 70 kg instead of 141 kg"),
        ({"working_weight": "315 lb"}, "about 160 lb instead of 315 lb"),
        ({"working_weight": 300, "weight_unit": "lb"}, "about 150 lb instead of 300 lb"),
    ],
)
def test_personal_numbers_come_back_in_the_users_unit(
    tmp_path: Path, given: dict[str, object], expected: str
) -> None:
    kb = kb_with(tmp_path, "  - {id: layoff, when: {}, suggest: back_off}\n")
    (advice,) = consult(kb, given).advice
    assert advice.text == f"Back off for a few weeks. For you: {expected}."


def test_without_the_number_the_advice_stays_general(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "  - {id: layoff, when: {}, suggest: back_off}\n")
    (advice,) = consult(kb, {}).advice
    assert advice.text == "Back off for a few weeks."
