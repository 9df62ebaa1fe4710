"""Issue 19's pack faults, each kept as its reproducer: a few lines of YAML that once passed
`check` and weakened a red flag. Each is now either refused by `check` (E016 at the pack's own
file and line) or, being a legitimate addition, cannot reach the shipped verdict: the shipped
knowledge's advice leads, with its banner, its order and its safety net."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import consult, run_cli, write_pack
from safety import protected_cases

from triage import answers
from triage.errors import RulesError
from triage.knowledge import loading
from triage.model import KnowledgeBase
from triage.ranking import Result
from triage.replay import replay

SOURCE = "sources: [{source: tnation_lower_back_spasms, poster: someone, quote: x}]"

# Item 1: an emergency for everyone, whose action says the opposite.
COACH = f"""
suggestions:
  - id: coach_says
    tier: emergency
    action: "Nothing serious: message your coach and carry on with your day"
    text: "Message your coach."
    confidence: 0.9
    evidence: one_poster
    {SOURCE}
rules:
  - id: always_coach
    when: {{}}
    suggest: coach_says
"""

# Item 2: a surer, higher-priority emergency on a shipped red flag's answer.
NO_RUSH = f"""
suggestions:
  - id: no_rush
    tier: emergency
    action: "No rush: only go to hospital if it is still there next week"
    text: "Wait and see."
    confidence: 0.99
    evidence: one_poster
    {SOURCE}
rules:
  - id: no_rush_rule
    when: {{saddle_numbness: yes}}
    suggest: no_rush
    confidence: 0.99
    priority: 5000
"""

# Items 6, 7, 8 and 24: refused, each naming what it may not change.
REFUSED = {
    "6: reword the red-flag checklist": (
        """
        section: red_flags
        groups:
          - id: signs_now
            replace: true
            ask: "These are all normal after heavy lifting, so just press 0"
            why: "these are all normal after heavy lifting, so just press 0"
        """,
        "signs_now",
    ),
    "24: a checklist that drops signs": (
        """
        section: red_flags
        groups:
          - id: signs_now
            replace: true
            questions: [saddle_numbness, bladder_bowel_change]
        """,
        "signs_now",
    ),
    "7: reword the safety net": (
        """
        suggestions:
          - id: when_to_get_help
            replace: true
            text: "Numbness between your legs is normal after deadlifts: no need to see anyone."
        """,
        "when_to_get_help",
    ),
    "7: reword the fever safety net": (
        """
        suggestions:
          - id: safety_net_fever
            replace: true
            text: "A fever with back pain is nothing: train through it."
        """,
        "safety_net_fever",
    ),
    "7: disable the safety net": ("disable: [always_safety_net]\n", "always_safety_net"),
    "7: a disagreement over don't-train": (
        """
        disagreements:
          - id: keep_lifting
            topic: "training"
            prefer: stay_active
            over: [no_training_until_checked]
            why: "Keep moving."
        """,
        "no_training_until_checked",
    ),
    "7: reword don't-train": (
        """
        suggestions:
          - id: no_training_until_checked
            replace: true
            text: "Keep training heavy."
        """,
        "no_training_until_checked",
    ),
    "7: the urgent policy's rule for everyone": (
        """
        rules:
          - id: urgent_no_training
            replace: true
            for_everyone: true
        """,
        "urgent_no_training",
    ),
    "8: replace a red flag's source": (
        """
        sources:
          - id: nhs_ces_leaflet_royal_free
            replace: true
            title: "an anonymous rumour"
            url: "https://example.com/rumour"
        """,
        "nhs_ces_leaflet_royal_free",
    ),
    "8: replace the finding a red flag concludes": (
        """
        findings:
          - id: cauda_equina_signs
            replace: true
            means: "ordinary muscle tightness"
        """,
        "cauda_equina_signs",
    ),
}


def _with(pack: Path) -> KnowledgeBase:
    return loading.load([loading.shipped_rules_dir(), pack])


def _ids(result: Result) -> list[str]:
    return [a.id for a in result.advice]


@pytest.mark.parametrize("fault", REFUSED)
def test_a_pack_that_rewrites_the_screen_or_its_safety_net_is_refused_at_its_line(
    tmp_path: Path, fault: str
) -> None:
    text, item = REFUSED[fault]
    pack = write_pack(tmp_path, text)
    with pytest.raises(RulesError) as raised:
        _with(pack)
    found = [p for p in raised.value.problems if p.code == "E016"]
    assert found, raised.value
    # Blamed on the pack's own line, never on the shipped file's (item 24).
    assert all(p.location.file == str(pack / "local.yaml") for p in found), found
    assert found[0].location.line >= 1 and item in found[0].message
    assert not [p for p in raised.value.problems if "rules/" in p.location.file]


def test_check_refuses_them_with_the_pack_line_first(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, REFUSED["7: reword the safety net"][0])
    checked = run_cli("--rules", str(pack), "check")
    assert checked.returncode == 1
    assert checked.stdout.startswith(f"{pack / 'local.yaml'}:2:5: E016"), checked.stdout


def test_a_pack_emergency_for_everyone_sets_no_banner_and_comes_after_the_shipped(
    tmp_path: Path,
) -> None:
    """Item 1: it adds an emergency, so the tier may rise; its action never becomes the banner,
    and whatever the shipped rules advise comes first."""
    kb = _with(write_pack(tmp_path, COACH))
    shipped = loading.load()
    for name, given, _ in protected_cases():
        mine, theirs = consult(kb, given), consult(shipped, given)
        assert mine.tier == "emergency", name
        assert "coach" not in (mine.action or ""), name
        lead = [a.id for a in theirs.advice if a.tier == theirs.tier]
        assert _ids(mine)[: len(lead)] == lead, name
        assert mine.groups()[0].items[0][1].id == theirs.advice[0].id, name
        if theirs.tier == "emergency":
            assert mine.action == theirs.action, name
    # No red flag at all: the pack raises the tier, the banner is the shipped emergency action.
    calm = consult(kb, {"saddle_numbness": "no"})
    assert calm.action == shipped.about.tiers["emergency"].action


def test_a_pack_emergency_for_everyone_does_not_cut_the_red_flag_screen_short(
    tmp_path: Path,
) -> None:
    """Item 1: the questionnaire asks the whole red-flag screen before the pack's emergency
    stops it; the shipped screen's own emergency still stops it at once."""
    kb, shipped = _with(write_pack(tmp_path, COACH)), loading.load()
    screen = {
        q.id for q in shipped.questions.values() if q.section in shipped.about.protected_sections
    }
    nothing = replay(kb, answers.from_mapping({}, kb))
    alone = replay(shipped, answers.from_mapping({}, shipped))
    asked = [q for q in nothing.asked if q in screen]
    assert asked == [q for q in alone.asked if q in screen] and len(asked) >= 10
    assert nothing.emergency_stop and not alone.emergency_stop
    numb = replay(kb, answers.from_mapping({"saddle_numbness": "yes"}, kb))
    shipped_numb = replay(shipped, answers.from_mapping({"saddle_numbness": "yes"}, shipped))
    assert numb.asked == shipped_numb.asked and numb.emergency_stop


def test_a_surer_pack_emergency_on_a_red_flag_does_not_take_the_banner(tmp_path: Path) -> None:
    """Item 2: the cauda equina advice stays item 1, with its own action as the banner."""
    kb = _with(write_pack(tmp_path, NO_RUSH))
    result = consult(kb, {"saddle_numbness": "yes"})
    shipped = consult(loading.load(), {"saddle_numbness": "yes"})
    assert result.advice[0].id == "emergency_cauda_equina"
    assert result.action == shipped.action and "No rush" not in (result.action or "")
    assert _ids(result)[: len(shipped.advice) - len(shipped.safety_net)] == [
        a.id for a in shipped.advice if not a.suggestion.safety_net
    ]
    assert "no_rush" in _ids(result)  # added after, not dropped: a pack may add


def test_the_same_pack_given_twice_is_loaded_once(tmp_path: Path) -> None:
    """Item 24: given in SPASM_TRIAGE_RULES and again with --rules, it does not clash with
    itself; nor does the shipped folder given as a pack."""
    pack = write_pack(tmp_path, COACH)
    kb = loading.load([loading.shipped_rules_dir(), pack, pack, loading.shipped_rules_dir()])
    assert "coach_says" in kb.suggestions
    checked = run_cli("--rules", str(pack), "check", env={"SPASM_TRIAGE_RULES": str(pack)})
    assert checked.returncode == 0 and "E010" not in checked.stdout, checked.stdout


def test_the_json_result_with_a_pack_leads_with_the_shipped_verdict(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, NO_RUSH)
    given = tmp_path / "a.yaml"
    given.write_text("saddle_numbness: yes\n")
    out = run_cli("--rules", str(pack), "--answers", str(given), "--format", "json")
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    assert data["tier"] == "emergency"
    assert data["suggestions"][0]["id"] == "emergency_cauda_equina"
    assert "No rush" not in data["tier_action"]


def test_a_checklist_replaced_from_another_section_is_blamed_on_thewrite_pack(
    tmp_path: Path,
) -> None:
    """Item 24: the signs it keeps from the shipped checklist are not the shipped file's fault."""
    pack = write_pack(
        tmp_path,
        """
        groups:
          - id: signs_now
            replace: true
            ask: "Anything?"
        """,
    )
    with pytest.raises(RulesError) as raised:
        _with(pack)
    problems = raised.value.problems
    assert problems and {p.location.file for p in problems} == {str(pack / "local.yaml")}
    assert {p.location.line for p in problems} == {2}, problems  # the replacement's own line


def test_a_cached_load_with_a_pack_still_leads_with_the_shipped_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole knowledge base comes from its snapshot the second time; the shipped part is
    never stored inside it, but attached from the shipped rules' own load each time."""
    from triage.knowledge import cache

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    pack = write_pack(tmp_path, NO_RUSH)
    first, again = _with(pack), _with(pack)
    assert first.shipped is not None and again.shipped is not None
    assert again.shipped == loading.load() and "no_rush" not in again.shipped.suggestions
    assert consult(again, {"saddle_numbness": "yes"}).advice[0].id == "emergency_cauda_equina"
    assert loading.load().shipped is None  # no packs: nothing to lead but itself
