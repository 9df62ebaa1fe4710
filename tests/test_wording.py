"""Issue 14's wording fixes, as a person meets them: what is asked, of whom, with which choices,
and what an answers file of the earlier wording is told. What each answer then advises is held
by the rule tests beside the rules (rules/tests/*.yaml, "issue 14's wording fixes")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from triage import answers
from triage.interview import planner_for
from triage.model import KnowledgeBase
from triage.relevance import Progress
from triage.replay import replay

CALM = {  # no red flag ticked
    **{q: "no" for q in ("saddle_numbness", "bladder_bowel_change", "leg_weakness")},
    **{q: "no" for q in ("collapse_signs", "fever", "kidney_pain_pattern", "major_trauma")},
    "fall_or_knock": "no",
    "leg_symptoms": "none",
    "age": 30,
}


def asked(kb: KnowledgeBase, given: dict[str, Any]) -> tuple[str, ...]:
    """Every question the questionnaire asks this person, refining included."""
    return replay(kb, answers.from_mapping(given, kb), refine=True).asked


def test_recurrence_counts_this_spasm_as_the_rules_do(shipped: KnowledgeBase) -> None:
    question = shipped.questions["previous_spasms"]
    assert question.ask.startswith("Counting this one")
    assert question.choice_ids[:3] == ("first", "second", "three_or_more")
    # Not every back "goes" in a spasm, and several episodes years apart have a choice.
    assert "spasm" not in question.ask and "years_apart" in question.choice_ids


@pytest.mark.parametrize(("old", "named"), [("one_or_two", "'second'"), ("none", "'first'")])
def test_an_answers_file_of_the_old_recurrence_wording_is_told_what_changed(
    tmp_path: Path, old: str, named: str
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(f"previous_spasms: {old}\n")
    done = run_cli("--answers", str(mine))
    assert done.returncode == 2
    line, seek_help = done.stderr.splitlines()  # no advice: the last line says to seek help
    assert "do not wait for this tool" in seek_help
    assert line.startswith(f"{mine}:1:") and "'previous_spasms'" in line
    assert "counts this spasm too" in line and named in line


def test_onset_without_a_lift_has_answers(shipped: KnowledgeBase) -> None:
    question = shipped.questions["spasm_during"]
    assert question.ask.startswith("How did it start")
    assert {"by_itself", "after_session", "slowly", "everyday", "rdl"} <= set(question.choice_ids)


def test_collapse_signs_do_not_ask_about_sweat(shipped: KnowledgeBase) -> None:
    question = shipped.questions["collapse_signs"]
    for words in (question.ask, question.sign):
        assert "sweat" not in words.lower() and "clammy" in words


def test_steroid_injections_are_asked_apart_from_tablets(shipped: KnowledgeBase) -> None:
    injections, tablets = shipped.questions["steroid_injections"], shipped.questions["bone_risk"]
    assert "inject" in injections.ask and "tablets" in tablets.ask
    assert "steroid" not in shipped.questions["infection_risk"].ask
    assert "steroid_injections" in asked(shipped, CALM)


def test_how_it_is_going_has_stuck_worse_and_gone_and_worse_is_asked_from_the_first_day(
    shipped: KnowledgeBase,
) -> None:
    question = shipped.questions["improving"]
    assert {"yes", "stuck", "no", "worse", "gone"} <= set(question.choice_ids)
    # In the first two weeks only "getting worse" changes the advice: a sign of its own.
    first_days = asked(shipped, {**CALM, "days_since_start": 1})
    assert "getting_worse" in first_days and "improving" not in first_days
    assert "improving" in asked(shipped, {**CALM, "days_since_start": 15})
    # The earlier yes/no answers still read as they did.
    assert answers.from_mapping({"improving": "no"}, shipped).values == {"improving": "no"}


def test_the_weight_asked_is_that_of_the_lift_that_hurt(shipped: KnowledgeBase) -> None:
    assert "lift that hurt" in shipped.questions["working_weight"].ask
    squatter = {**CALM, "spasm_during": ["squat"], "lifts": ["squat"], "recent_layoff": "yes"}
    assert "working_weight" in asked(shipped, squatter)
    stopped = shipped.questions["lifts"].ask
    assert "did until this spasm" in stopped


def test_the_painkiller_cautions_take_the_age_given_and_name_steroid_tablets(
    shipped: KnowledgeBase,
) -> None:
    caution = shipped.questions["nsaid_caution"].ask
    assert "65" not in caution and "steroid tablets" in caution
    assert "nsaid_caution" not in asked(shipped, {**CALM, "age": 70})  # the age settles it


def test_pain_from_the_kidneys_is_on_the_first_checklist(shipped: KnowledgeBase) -> None:
    first = shipped.groups["signs_now"].questions
    assert "kidney_pain_pattern" in first and "fever" in first


def test_every_fall_is_asked_even_a_small_one(shipped: KnowledgeBase) -> None:
    question = shipped.questions["fall_or_knock"]
    assert question.ask_if is None and "even a small one" in question.ask
    progress = Progress({"saddle_numbness": "no"})
    assert planner_for(shipped).next_question(progress).group == "signs_now"  # type: ignore[union-attr]


def test_every_hinge_is_asked_how_it_is_done(shipped: KnowledgeBase) -> None:
    for lifted in ({"lifts": ["rdl"]}, {"spasm_during": ["rdl"]}, {"lifts": ["good_morning"]}):
        assert "gm_style" in asked(shipped, {**CALM, **lifted}), lifted
    assert "gm_style" not in asked(shipped, {**CALM, "lifts": ["squat"]})


def test_the_fear_question_knows_nervousness_before_a_session(shipped: KnowledgeBase) -> None:
    assert "nervous about your next heavy session" in shipped.questions["fear_of_lifting"].ask
