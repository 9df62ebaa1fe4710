"""The fixes from issue 18's user test (five lifters played in tmux, reading only the README),
checked away from the terminal: what the quick path asks once the result already sends the
person to a doctor today, what the advice says, and how the review shows a checklist's signs.
What is only visible on a terminal is in tests/test_terminal.py."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from conftest import CASES, NO_RED_FLAGS, consult
from rich.console import Console

from triage import answers, screen, worth
from triage.interview import planner_for
from triage.model import KnowledgeBase
from triage.relevance import CORE_RANK, Progress
from triage.replay import replay


def bank_answers(kb: KnowledgeBase) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((CASES / "bank").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            found.append((f"{path.stem}: {case['id']}", dict(case["answers"])))
    return found


def with_refine(kb: KnowledgeBase, refine: bool) -> KnowledgeBase:
    """The rules with every tier's policy set to ask (or not) what only reorders the advice."""
    policy = {t: dataclasses.replace(p, refine=refine) for t, p in kb.about.policy.items()}
    about = dataclasses.replace(kb.about, policy=MappingProxyType(policy))
    return dataclasses.replace(kb, about=about)


def test_a_result_that_sends_to_a_doctor_today_asks_only_what_could_change_it_or_withhold_an_item(
    shipped: KnowledgeBase,
) -> None:
    """Ruth: a fever, so urgent. Before her advice she is asked what could make it more urgent
    and the cautions of what she is shown, not checklists that only reorder home care."""
    stop = {t for t, p in shipped.about.policy.items() if not p.refine}
    assert stop, "the rules name the tiers that already send the person to a doctor"
    planner = planner_for(shipped)
    first = planner.impacts(Progress())
    screened = {q.id for q in shipped.questions.values() if q.section in planner.always_ask}
    could_raise = {q for q, rank in first.items() if rank <= CORE_RANK}
    reads = worth.unless_reads(planner)
    tried = held_back = 0
    asking = with_refine(shipped, True)
    for name, given in bank_answers(shipped):
        parsed = answers.from_mapping(given, shipped)
        quick = replay(shipped, parsed)
        shown = consult(shipped, {q: given[q] for q in quick.asked if q in given})
        if shown.tier not in stop:
            continue
        tried += 1
        cautions = {q for a in shown.advice for q in reads[a.id]}
        allowed = screened | could_raise | cautions
        for group in shipped.groups.values():  # a checklist asks its open signs together
            if allowed & set(group.questions):
                allowed |= set(group.questions)
        assert set(quick.asked) <= allowed, (name, sorted(set(quick.asked) - allowed))
        held_back += len(replay(asking, parsed).asked) > len(quick.asked)
    assert tried and held_back, (tried, held_back)  # the setting is what holds them back


def test_the_home_care_action_says_no_doctor_is_needed_today_and_where_the_signs_are(
    shipped: KnowledgeBase,
) -> None:
    action = shipped.about.tiers["self_care"].action
    assert "doctor today" in action.lower() and "no need" in action.lower()
    assert shipped.about.words.safety_net_title in action  # the part it points to, by its name


def test_less_urgent_advice_under_a_clinical_result_reads_as_meanwhile_not_after(
    shipped: KnowledgeBase,
) -> None:
    for key, title in shipped.about.words.later_titles.items():
        assert "once that is done" not in title.lower() and "after" not in title.lower(), key
    for key in ("personal", "generic"):
        assert shipped.about.words.later_titles[key].lower().startswith("meanwhile"), key


def test_hinge_advice_names_no_lift_the_person_may_not_do(shipped: KnowledgeBase) -> None:
    """Dan hinges in Romanian deadlifts only: the advice for how he hinges does not tell him to
    change his good mornings. Advice given for a hinge style is said of every hinge."""
    style = shipped.questions["gm_style"]
    lifts = shipped.questions["lifts"]
    hinges = [c for c in ("good_morning", "rdl", "stiff_legged_deadlift") if c in lifts.choice_ids]
    names = {lifts.label(c).split(" (")[0].lower() for c in hinges} | {"rdl", "good morning"}
    for choice in style.choice_ids:
        for hinge in hinges:
            result = consult(shipped, {**NO_RED_FLAGS, "lifts": [hinge], "gm_style": choice})
            for advice in result.advice:
                if not any(
                    style.id in str(rule.when)
                    for rule in shipped.rules
                    if advice.id in {r.id for r in rule.suggest}
                ):
                    continue
                said = advice.text.lower()
                assert not any(n in said for n in names), (choice, hinge, advice.text)


def test_first_spasm_advice_does_not_speak_of_spasms_that_keep_coming(
    shipped: KnowledgeBase,
) -> None:
    first = consult(
        shipped,
        {**NO_RED_FLAGS, "previous_spasms": "first", "lifts": ["deadlift"], "tail_tuck": "yes"},
    )
    texts = [a.text.lower() for a in first.advice]
    assert any("lighter weights" in t for t in texts)  # the lighter-weights advice is there
    assert not any("the spasms" in t for t in texts), texts


def test_the_belt_advice_does_not_assume_a_belt(shipped: KnowledgeBase) -> None:
    result = consult(shipped, {**NO_RED_FLAGS, "spasm_during": ["bench"], "bench_belt": "no"})
    belts = [a.text for a in result.advice if "belt" in a.text.lower()]
    assert belts and not any("your lifting belt" in t.lower() for t in belts), belts


def test_one_item_left_out_is_said_in_the_singular(shipped: KnowledgeBase) -> None:
    from triage.layout import lay_out

    for _, given in bank_answers(shipped):
        result = consult(shipped, {**NO_RED_FLAGS, **given})
        lines, _ = lay_out(result, shipped)
        for line in lines:
            assert "(1 items" not in line.text, line.text


def test_the_not_better_in_2_weeks_line_is_held_back_where_a_doctor_is_seen_today(
    shipped: KnowledgeBase,
) -> None:
    seen = 0
    for _, given in bank_answers(shipped):
        result = consult(shipped, {**NO_RED_FLAGS, **given})
        if result.tier in ("emergency", "urgent"):
            seen += 1
            assert "safety_net_not_better" not in {a.id for a in result.safety_net}
    assert seen


def review_rows(kb: KnowledgeBase, progress: Progress) -> str:
    out = io.StringIO()
    screen.answers_table(Console(file=out, width=200, color_system=None), progress, kb)
    return out.getvalue()


def test_an_unticked_sign_reads_as_no_in_the_sign_s_own_words(
    shipped: KnowledgeBase,
) -> None:
    """Priya left "You can hardly walk" and "3 times or more" unticked: the review said
    "can walk and get out of bed (left blank)". Each tick sign reads as what she saw, with
    the plain answer to that line (unticked is "no", as the checklist says)."""
    signs = [q for q in shipped.questions.values() if q.tick is not None and q.sign]
    assert signs
    progress = Progress({}, {q.id for q in signs})
    progress.order = [q.id for q in signs]
    shown = " ".join(review_rows(shipped, progress).split())
    assert "(left blank)" not in shown
    for question in signs:
        assert " ".join(question.sign.split()[:4]) in shown, question.id
    assert shown.count(" No ") == len(signs) and "ticked" not in shown
    ticked = Progress({q.id: q.tick for q in signs})
    ticked.order = [q.id for q in signs]
    shown = " ".join(review_rows(shipped, ticked).split())
    assert shown.count(" Yes ") == len(signs) and " No " not in shown


def test_a_source_address_is_never_cut(shipped: KnowledgeBase, tmp_path: Path) -> None:
    longest = max((s for s in shipped.sources.values() if s.url), key=lambda s: len(s.url or ""))
    assert longest.url and len(longest.url) > 80
    red = next(
        (given for _, given in bank_answers(shipped)
         if longest.id in {c.source for a in consult(shipped, {**NO_RED_FLAGS, **given}).advice
                           for c in a.suggestion.sources}),
        None,
    )
    if red is None:
        pytest.skip("no bank case cites the longest address")
    result = consult(shipped, {**NO_RED_FLAGS, **red})
    out = io.StringIO()
    console = Console(file=out, width=79, color_system=None, force_terminal=True)
    for part in screen.parts(console, result, shipped, full=True):
        console.print(part)
    joined = "".join(line.strip() for line in out.getvalue().splitlines())
    assert longest.url in joined and "…" not in out.getvalue().split(longest.url[:30])[-1][:200]
