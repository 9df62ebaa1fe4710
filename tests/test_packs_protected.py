"""A local rule pack may add red flags and make advice more urgent; anything that would make a
shipped red flag less urgent, unreachable or asked later is an error (E016) that names the
pack's line and the protected item, in `check` and in every consultation."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, consult, run_cli, write_pack, write_rules
from safety import assert_first, protected_cases

from triage.errors import RulesError
from triage.knowledge import loading

ATTACKS = {
    "disable a red-flag rule": ("disable: [cauda_equina_emergency]\n", "cauda_equina_emergency"),
    "disable a rule a red flag builds on": (
        "disable: [ces_saddle_numbness]\n",
        "ces_saddle_numbness",
    ),
    "replace it with a weaker condition": (
        """
        rules:
          - id: cauda_equina_emergency
            replace: true
            when: {saddle_numbness: yes, bladder_bowel_change: yes}
            suggest: emergency_cauda_equina
        """,
        "cauda_equina_emergency",
    ),
    "re-tier its advice from a higher-priority rule": (
        """
        rules:
          - id: calm_down
            when: {saddle_numbness: yes}
            suggest: [{id: emergency_cauda_equina, tier: prevention}]
            priority: 5000
        """,
        "emergency_cauda_equina",
    ),
    "replace its suggestion": (
        """
        suggestions:
          - id: emergency_cauda_equina
            replace: true
            tier: prevention
            text: "Nothing to worry about."
            confidence: 0.9
            evidence: one_poster
            sources: [{source: tnation_lower_back_spasms, poster: someone, quote: "x"}]
        """,
        "emergency_cauda_equina",
    ),
    "replace a red-flag question": (
        """
        questions:
          - id: saddle_numbness
            replace: true
            ask: "Anything odd?"
            type: yes_no
            why: "Just asking."
            ask_if: {leg_weakness: yes}
        """,
        "saddle_numbness",
    ),
    "a section asked before the red flags": (
        """
        section: {id: first_things, title: First things, order: -1}
        questions:
          - id: mood
            ask: "How are you?"
            type: scale
            why: "Just asking."
        """,
        "first_things",
    ),
    "a question pushed ahead of the screen": (
        """
        section: red_flags
        questions:
          - id: jumped_queue
            ask: "Before anything else?"
            type: yes_no
            why: "Just asking."
            priority: 9999
        """,
        "jumped_queue",
    ),
    "reword the safety net": (
        """
        suggestions:
          - id: when_to_get_help
            replace: true
            text: "Numbness between your legs is normal after deadlifts."
        """,
        "when_to_get_help",
    ),
    "reword the red-flag checklist": (
        """
        section: red_flags
        groups:
          - id: signs_now
            replace: true
            why: "These are all normal after heavy lifting, so just press 0."
        """,
        "signs_now",
    ),
    "replace a red flag's source": (
        """
        sources:
          - id: bass_ces_2018
            replace: true
            title: "an anonymous rumour"
        """,
        "bass_ces_2018",
    ),
    "a disagreement that puts emergency advice aside": (
        """
        disagreements:
          - id: no_fuss
            topic: "fuss"
            prefer: stay_active
            over: [emergency_cauda_equina]
            why: "Keep moving."
        """,
        "emergency_cauda_equina",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_pack_that_weakens_a_red_flag_is_an_error(tmp_path: Path, attack: str) -> None:
    text, item = ATTACKS[attack]
    pack = write_pack(tmp_path, text)
    with pytest.raises(RulesError) as raised:
        loading.load([loading.shipped_rules_dir(), pack])
    found = [p for p in raised.value.problems if p.code == "E016"]
    assert found, raised.value
    assert found[0].location.file == str(pack / "local.yaml") and found[0].location.line >= 1
    assert item in found[0].message


@pytest.mark.parametrize("attack", ATTACKS)
def test_check_strict_fails_and_consults_refuse_with_a_word_to_seek_help(
    tmp_path: Path, attack: str
) -> None:
    pack = write_pack(tmp_path, ATTACKS[attack][0])
    checked = run_cli("--rules", str(pack), "check", "--strict")
    assert checked.returncode == 1 and "E016" in checked.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text("saddle_numbness: yes\n")
    consulted = run_cli("--rules", str(pack), "--answers", str(answers))
    assert consulted.returncode != 0 and consulted.stdout == ""
    first = consulted.stderr.splitlines()[0]
    assert first.startswith(f"{pack / 'local.yaml'}:") and "E016" in first
    assert "emergency number" in consulted.stderr and "Traceback" not in consulted.stderr


def test_a_pack_may_add_red_flags_and_make_advice_more_urgent(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        """
        section: red_flags
        questions:
          - id: new_red_flag
            ask: "Something my doctor told me to watch for?"
            type: yes_no
            why: "My doctor said so."
        sources:
          - id: my_doctor
            kind: personal
            title: "My doctor"
            published: "in person"
        rules:
          - id: my_flag
            when: {new_red_flag: yes}
            suggest: emergency_cauda_equina
          - id: sciatica_sooner
            when: {leg_symptoms: one_leg_below_knee}
            suggest: [{id: gp_sciatica, tier: urgent}]
            priority: 5000
        """,
    )
    kb = loading.load([loading.shipped_rules_dir(), pack])
    assert list(kb.questions)[: len(_screen())] == _screen()
    assert consult(kb, {"new_red_flag": "yes"}).tier == "emergency"
    assert consult(kb, {"leg_symptoms": "one_leg_below_knee"}).tier == "urgent"
    for name, given, tier in protected_cases():
        assert_first(consult(kb, given), tier, name)


def _screen() -> list[str]:
    shipped = loading.load()
    return [q for q, question in shipped.questions.items() if question.section == "red_flags"]


def test_a_pack_may_not_conclude_a_finding_that_holds_a_red_flag_back(tmp_path: Path) -> None:
    """No shipped red flag is held back by a finding today; a knowledge base where one is."""
    base = write_rules(
        tmp_path / "base",
        {
            "about.yaml": BASE.replace(
                "weight_unit_question: weight_unit",
                "weight_unit_question: weight_unit\n  protected: {sections: [flags], tiers: [emergency]}",
            ),
            "flags.yaml": """
                section: {id: flags, title: Flags, order: 0, always_ask: true}
                questions:
                  - {id: numb, ask: Numb?, type: yes_no, why: Nerves.}
                findings:
                  - {id: already_seen, means: A doctor has seen it}
                rules:
                  - id: numb_emergency
                    when: [{numb: yes}, {not: {finding: already_seen}}]
                    suggest: go_now
                suggestions:
                  - id: go_now
                    tier: emergency
                    text: Go now.
                    confidence: 0.9
                    evidence: clinical_guideline
                    sources: [{source: guide, quote: "Go."}]
            """,
        },
    )
    pack = write_pack(
        tmp_path,
        """
        rules:
          - id: seen_it
            when: {numb: [yes, no, unsure]}
            conclude: already_seen
        """,
    )
    assert loading.load([base]).rules  # the base on its own is fine
    with pytest.raises(RulesError, match=r"E016.*'already_seen'"):
        loading.load([base, pack])


def test_the_walkthrough_pack_and_an_ordinary_pack_are_not_errors(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        """
        disable: [deadlifter_banded_gms]
        rules:
          - id: tail_tuck_seen
            replace: true
            when: {tail_tuck: [yes, unsure]}
            conclude: pull_form_fault
            suggest: fix_tail_tuck
        """,
    )
    assert loading.load([loading.shipped_rules_dir(), pack]).rules
