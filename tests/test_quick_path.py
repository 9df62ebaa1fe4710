"""The quick path (issue 18): after the red-flag screen, what could change the first items shown
is asked before the advice is offered; no item is shown while an unasked question could
withhold it; a checklist sign can give a question's non-"yes" answer; a weight belongs to the
lift it was given for. What the shipped rules are checked against is read from the rules."""

from __future__ import annotations

import re
import statistics
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import NO_RED_FLAGS, make_kb

from triage import answers, evaluate, ranking
from triage.answers import Answers
from triage.conditions import AnswerTest, leaves
from triage.engine import Engine
from triage.interview import Interview, planner_for
from triage.model import KnowledgeBase
from triage.relevance import possible_rules
from triage.replay import Replay, replay

BANK = sorted((Path(__file__).parent / "cases" / "bank").glob("*.yaml"))

RULES = """
section: {id: episode, title: This episode, order: 10}
questions:
  - {id: pain, ask: "Pain out of 10?", type: scale, why: W., quick: true}
  - {id: can_walk, ask: "Can you walk?", type: yes_no, why: W.,
     sign: "You can hardly walk", tick: "no"}
  - {id: count, ask: "How many?", type: one_of, why: W.,
     choices: {first: First, second: Second, many: Three or more, unsure: Not sure},
     sign: "Three or more this year", tick: many}
  - {id: layoff, ask: "Back from a layoff?", type: yes_no, why: W., quick: true}
  - {id: program, ask: "On a program?", type: yes_no, why: W.}
  - {id: caution, ask: "A reason to be careful with pills?", type: yes_no, why: W.}
groups:
  - {id: episode_signs, ask: "Is any of this true?", why: W., questions: [can_walk, count]}
suggestions:
  - {id: gp, tier: see_clinician, text: See a GP., confidence: 0.8, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: move, tier: self_care, text: Keep moving., confidence: 0.8, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: pills, tier: self_care, text: Take a pill., confidence: 0.7, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: hurts_a, tier: self_care, text: A., confidence: 0.6, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: hurts_b, tier: self_care, text: B., confidence: 0.6, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: hurts_c, tier: self_care, text: C., confidence: 0.6, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: back_off, tier: training, text: Back off., confidence: 0.6, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
  - {id: reset, tier: training, text: Reset., confidence: 0.6, evidence: one_poster,
     sources: [{source: guide, quote: Q.}]}
rules:
  - {id: cannot_walk, when: {can_walk: "no"}, suggest: gp}
  - {id: recurring, when: {count: many}, suggest: gp}
  - {id: everyone, when: {}, suggest: move, for_everyone: true}
  - {id: pills_unasked, when: {not: {caution: ["yes", "no", "unsure"]}}, suggest: pills}
  - {id: bad_pain, when: {pain: {at_least: 7}}, suggest: [hurts_a, hurts_b, hurts_c]}
  - {id: layoff_rule, when: {layoff: "yes"}, suggest: back_off}
  - {id: program_rule, when: {program: "yes"}, suggest: reset}
"""


@pytest.fixture
def small(tmp_path: Path) -> KnowledgeBase:
    return make_kb(tmp_path, RULES)


def quick(kb: KnowledgeBase, given: dict[str, Any]) -> Replay:
    return replay(kb, answers.from_mapping(given, kb))


def seen(kb: KnowledgeBase, done: Replay) -> ranking.Result:
    """The advice shown at the end of a replay: from what it asked, blank where left blank."""
    return Interview(kb, None, done.progress).result()  # type: ignore[arg-type]


# ---- a sign's tick, in a checklist ----


def test_a_tick_gives_the_signs_answer_and_unticked_leaves_the_question_blank(
    small: KnowledgeBase,
) -> None:
    ticked = quick(small, {"can_walk": "no", "count": "many", "pain": 2})
    assert ("can_walk", "count") in ticked.screens  # one checklist for both signs
    assert ticked.progress.values["can_walk"] == "no" and ticked.progress.values["count"] == "many"
    assert seen(small, ticked).tier == "see_clinician"
    # "Yes, I can walk" and "the second" cannot be said by a tick: left blank, never "yes".
    unticked = quick(small, {"can_walk": "yes", "count": "second", "pain": 2})
    assert {"can_walk", "count"} <= set(unticked.progress.blank)
    assert "can_walk" not in unticked.progress.values


def test_a_tick_is_checked_against_the_questions_answers(tmp_path: Path) -> None:
    bad = RULES.replace('tick: "no"}', "tick: maybe}").replace("tick: many}", "tick: lots}")
    from triage.errors import TriageError

    with pytest.raises(TriageError) as caught:
        make_kb(tmp_path, bad)
    words = " ".join(str(p) for p in caught.value.problems)
    assert "'tick' is 'maybe'; it is one of: yes, no, unsure" in words
    assert "'tick' is 'lots'; it is one of: first, second, many, unsure" in words


def test_a_tick_sign_needs_an_answer_for_not_sure(tmp_path: Path) -> None:
    """Any checklist line can be marked "not sure" (?): a sign with a `tick` whose question
    has no "unsure" would lose what the person said, so check refuses it."""
    from triage.errors import TriageError

    with pytest.raises(TriageError) as caught:
        make_kb(tmp_path, RULES.replace(", unsure: Not sure}", "}"))
    words = " ".join(str(p) for p in caught.value.problems)
    assert "question 'count': a line with a 'tick' can be marked not sure (?)" in words
    assert "'unsure' choice" in words


def test_not_sure_on_a_tick_sign_is_the_questions_unsure(small: KnowledgeBase) -> None:
    for question in (q for q in small.questions.values() if q.tick is not None):
        assert question.from_mark("unsure") == "unsure"
        assert question.to_mark("unsure") == "unsure"
    done = quick(small, {"can_walk": "unsure", "count": "unsure", "pain": 2})
    assert done.progress.values["count"] == "unsure" and "count" not in done.progress.blank


# ---- what is asked before the advice ----


def test_a_quick_question_is_asked_before_the_advice_where_it_can_change_the_first_three(
    small: KnowledgeBase,
) -> None:
    calm = quick(small, {"pain": 2, "caution": "no"})
    assert "layoff" in calm.asked  # its advice would be among the first three
    assert "program" not in calm.asked  # not quick: it only refines, after the offer
    assert "program" in replay(small, answers.from_mapping({"pain": 2}, small), refine=True).asked


def test_a_quick_question_is_not_asked_where_the_first_three_are_already_more_fitting(
    small: KnowledgeBase,
) -> None:
    # Bad pain fills the first three with self-care that fits this person: the layoff's
    # training advice could only come fourth.
    done = quick(small, {"pain": 8, "caution": "no"})
    assert "layoff" not in done.asked
    assert [a.id for g in seen(small, done).groups() for _, a in g.items][:3] == [
        "hurts_a", "hurts_b", "hurts_c"
    ]  # fmt: skip


def test_an_item_given_because_a_question_was_not_asked_makes_the_question_asked(
    small: KnowledgeBase,
) -> None:
    # `pills` is given when the caution is unanswered: the quick path asks the caution first.
    done = quick(small, {"pain": 2, "caution": "yes"})
    assert "caution" in done.asked
    assert "pills" not in {a.id for a in seen(small, done).advice}


# ---- the shipped rules and the bank ----


def _domain(kb: KnowledgeBase, qid: str) -> list[Any]:
    """Answers worth trying for a question: its choices, or the numbers its conditions name."""
    question = kb.questions[qid]
    if question.type == "yes_no":
        return ["yes", "no", "unsure"]
    if question.type == "one_of":
        return list(question.choice_ids)
    if question.type == "many_of":
        return [(c,) for c in question.choice_ids]
    numbers: set[float] = set()
    for cond in [r.when for r in kb.rules] + [
        s.unless for s in kb.suggestions.values() if s.unless
    ]:
        for test, _ in leaves(cond):
            if (
                isinstance(test, AnswerTest)
                and test.question == qid
                and not isinstance(test.value, tuple | str)
            ):
                numbers |= {float(test.value) - 1, float(test.value), float(test.value) + 1}  # type: ignore[arg-type]
    return sorted(n for n in numbers if n >= 0)


def _shown(kb: KnowledgeBase, values: dict[str, Any], units: dict[str, str]) -> set[str]:
    given = Answers(values, units)
    result = ranking.rank(kb, given, Engine(kb, possible_rules(kb, values)).consult(given))
    return {a.id for a in result.advice}


@pytest.fixture(scope="module")
def bank_replays(shipped: KnowledgeBase) -> list[tuple[evaluate.Case, Replay]]:
    cases = evaluate.read(shipped, BANK)
    replayer = evaluate.Replayer(shipped)
    return [(case, replayer.replay(case.answers)) for case in cases]


def test_no_item_is_shown_while_an_unasked_question_could_withhold_it(
    shipped: KnowledgeBase, bank_replays: list[tuple[evaluate.Case, Replay]]
) -> None:
    """For every person of the bank, as the quick path leaves them: no question it could still
    have asked (its ask_if holds) has an answer that would take away an item they are shown,
    such as a painkiller's cautions."""
    planner = planner_for(shipped)
    for case, done in bank_replays:
        if not done.reviewed:
            continue  # an emergency: its advice is the emergency's
        progress = done.progress
        values, units = dict(progress.values), dict(progress.weight_units)
        shown = _shown(shipped, values, units)
        for question in planner.askable(progress):
            if question.journal or (question.type == "number" and question.unit == "weight"):
                continue  # a weight changes a number in an item, never whether it is shown
            for value in _domain(shipped, question.id):
                lost = shown - _shown(shipped, {**values, question.id: value}, units)
                assert not lost, (
                    f"{case.id}: answering the unasked '{question.id}' with {value!r} would "
                    f"take away {sorted(lost)}"
                )


def test_an_item_given_for_an_unanswered_question_is_never_shown_with_it_unasked(
    shipped: KnowledgeBase, bank_replays: list[tuple[evaluate.Case, Replay]]
) -> None:
    """Rules that fire because a question was not answered (`not: {q: [every answer]}`), such
    as painkiller advice given without its cautions: on the quick path that question is asked
    wherever the item would be shown (or its ask_if rules it out)."""
    unanswered: dict[str, set[str]] = {}  # suggestion -> questions its rule needs unanswered
    for rule, qid in _given_unanswered(shipped):
        for ref in rule.suggest:
            unanswered.setdefault(ref.id, set()).add(qid)
    assert unanswered  # the shipped rules have such advice (the painkiller's among it)
    planner = planner_for(shipped)
    for case, done in bank_replays:
        result = seen(shipped, done)
        for advice in result.advice:
            for qid in unanswered.get(advice.id, ()):
                made_only_unasked = all(
                    any(
                        isinstance(t, AnswerTest) and t.question == qid and neg
                        for t, neg in leaves(
                            next(r for r in shipped.rules if r.id == reason.rule).when
                        )
                    )
                    for reason in advice.because
                )
                if made_only_unasked:
                    ask_if = planner.evaluation(done.progress).ask_if(shipped.questions[qid])
                    assert done.progress.asked(qid) or ask_if is False, (case.id, advice.id, qid)


def _given_unanswered(kb: KnowledgeBase) -> list[tuple[Any, str]]:
    """Rules that fire because a question was not answered (`not: {q: [every answer]}`), each
    with that question."""
    found = []
    for rule in kb.rules:
        for test, negated in leaves(rule.when):
            if not (negated and isinstance(test, AnswerTest)):
                continue
            question = kb.questions[test.question]
            every = set(question.choice_ids)
            if question.type == "yes_no":
                every |= {"yes", "no", "unsure"}
            if isinstance(test.value, tuple) and every <= set(test.value):
                found.append((rule, test.question))
    return found


def test_advice_given_without_its_caution_answered_carries_the_caution_in_its_short_words(
    shipped: KnowledgeBase,
) -> None:
    """An answers file may leave a caution question out (the painkiller's): the item a rule
    gives for that case says the caution itself, in the line the short result shows. Checked
    as words: most of what the caution question's sign names is in the item's short line."""
    cautions = [
        (rule, qid) for rule, qid in _given_unanswered(shipped)
        if any(shipped.suggestions[ref.id].tier == "self_care" for ref in rule.suggest)
    ]  # fmt: skip
    assert cautions
    for rule, qid in cautions:
        question = shipped.questions[qid]
        named = set(re.findall(r"[a-z]{5,}", (question.sign or question.ask).lower()))
        for ref in rule.suggest:
            suggestion = shipped.suggestions[ref.id]
            short = (suggestion.brief or suggestion.text).lower()
            said = {word for word in named if word in short}
            assert len(said) >= 5, (rule.id, ref.id, sorted(said))


def _lift_names(kb: KnowledgeBase) -> list[str]:
    """Every lift the rules know, as a person would write it (the `lifts` question's words)."""
    lifts = next(
        q for q in kb.questions.values() if q.type == "many_of" and "deadlift" in q.choice_ids
    )
    return [re.sub(r"\s*\(.*\)", "", words).lower() for _, words in lifts.choices]


def test_a_weight_is_only_ever_used_for_the_lift_it_was_given_for(shipped: KnowledgeBase) -> None:
    """The weight is asked for the lift that hurt; the advice that puts a number on it never
    names another lift (a 90 kg bench is not a 90 kg deadlift), for every lift it is asked for,
    and an old answers file that gives it without a lift is not called a deadlift either."""
    weight = next(q for q in shipped.questions.values() if q.is_weight)
    assert weight.ask_if is not None
    (onset,) = {t.question for t, _ in leaves(weight.ask_if) if isinstance(t, AnswerTest)}
    lifts_asked_for = {
        v for t, _ in leaves(weight.ask_if) if isinstance(t, AnswerTest)
        for v in (t.value if isinstance(t.value, tuple) else (t.value,))
    }  # fmt: skip
    names = _lift_names(shipped)
    planner = planner_for(shipped)
    uses = {sid for sid, qs in planner.numbers_used.items() if weight.id in qs}
    assert uses
    # Every training sign ticked (a layoff, a program...), so each number-carrying item fires.
    everyone = {
        q.id: "yes" for q in shipped.questions.values()
        if q.section == weight.section and q.type == "yes_no"
    }  # fmt: skip
    for lift in [*sorted(lifts_asked_for), None]:
        given = {**NO_RED_FLAGS, **everyone, "fear_of_lifting": "no", "pain_now": 3,
                 weight.id: "90 kg"}  # fmt: skip
        if lift is not None:
            given[onset] = [lift]
        parsed = answers.from_mapping(given, shipped)
        result = ranking.rank(shipped, parsed, Engine(shipped).consult(parsed))
        numbered = [a for a in result.advice if a.id in uses]
        assert numbered, lift
        for advice in numbered:
            sentence = advice.text[len(advice.suggestion.text) :].lower()
            assert "90 kg" in sentence
            named = [n for n in names if n in sentence]
            assert not named, f"{advice.id} with a {lift} of 90 kg names {named}: {sentence}"


def test_the_weight_is_not_asked_when_it_was_not_a_lift(shipped: KnowledgeBase) -> None:
    weight = next(q for q in shipped.questions.values() if q.is_weight)
    (onset,) = {t.question for t, _ in leaves(weight.ask_if) if isinstance(t, AnswerTest)}  # type: ignore[arg-type]
    asked_for = {
        v for t, _ in leaves(weight.ask_if) if isinstance(t, AnswerTest)  # type: ignore[arg-type]
        for v in (t.value if isinstance(t.value, tuple) else (t.value,))
    }  # fmt: skip
    others = [c for c in shipped.questions[onset].choice_ids if c not in asked_for]
    assert others  # e.g. something everyday, or it came on by itself
    for other in others:
        given = answers.from_mapping(
            {**NO_RED_FLAGS, onset: [other], "lifts": ["deadlift"]}, shipped
        )
        assert weight.id not in replay(shipped, given, refine=True).asked, other


def test_the_bank_on_the_quick_path_meets_issue_18(
    shipped: KnowledgeBase, bank_replays: list[tuple[evaluate.Case, Replay]]
) -> None:
    """Scored on what each person sees: a top item among the first three in at least 90% of
    the cases with one, a median of at most 12 prompts for those without an emergency, at most
    4 to an emergency, and no two cases with different tops shown the same first three."""
    outcome = evaluate.run(shipped, [case for case, _ in bank_replays])
    totals = evaluate.totals(outcome)
    assert all(v.case.top for v in outcome.verdicts)  # every case says what it came for
    assert totals["top_in_first_three"]["share"] >= 0.9
    assert totals["prompts"]["non_emergency"]["median"] <= 12
    assert totals["prompts"]["emergency"]["max"] <= 4
    assert totals["same_first_three"] == []
    emergency = [v.replay.prompts for v in outcome.verdicts if v.case.tier == "emergency"]
    assert statistics.median(emergency) <= 4


class _Reader:
    """A frontend for a person, who takes time to read each prompt; answers every question
    with the first value it is given for it."""

    def __init__(self, values: dict[str, Any], at_once: bool) -> None:
        self.values = values
        self.answers_at_once = at_once

    def ask(self, question: Any, progress: Any) -> tuple[Any, str | None]:
        return self.values.get(question.id), None


def test_the_whole_rules_compile_in_the_background_from_the_first_answer_for_a_person_only(
    shipped: KnowledgeBase,
) -> None:
    # The quick path ranks the advice with the whole rules compiled once per run (25 ms for the
    # shipped rules, 300 at 1,000 rules): for a person, that happens while they read the prompt
    # after their first answer, not between two prompts; a script, which answers at once,
    # compiles nothing it may not need. Either way the engine is the one the flow then uses.
    from triage import interview

    first = next(iter(shipped.questions.values()))
    for at_once in (False, True):
        planner = planner_for(shipped)
        flow = Interview(shipped, _Reader({first.id: "no"}, at_once), planner=planner)  # type: ignore[arg-type]
        assert planner not in interview._ENGINES
        flow.ask(first)
        built = [t for t in threading.enumerate() if t.name == "compile-rules"]
        for thread in built:
            thread.join(timeout=60)
        assert (planner in interview._ENGINES) is (not at_once)
        engine = interview.engine_for(planner)
        assert interview.engine_for(planner) is engine
        assert flow._advice_now().tier == Interview(shipped, None, flow.progress).result().tier  # type: ignore[arg-type]
