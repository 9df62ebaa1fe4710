"""The result of issue 13 as a person reads it: each red flag's own action and time frame in the
banner, the `--answers` text wrapped at the width it is given, the same order in JSON and text,
a Markdown handover a clinician can read, and `unless` checked like any condition."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE, CASES, consult, make_kb, run_cli

from triage import ranking
from triage.answers import from_mapping
from triage.engine import Engine
from triage.errors import RulesError
from triage.model import KnowledgeBase

# Each red flag and the time frame its sources give (clinical-addendum.md §6; the NHS list).
TIME_FRAMES = [
    ({"collapse_signs": "yes"}, "emergency_collapse", ["999", "don't drive"]),
    ({"saddle_numbness": "yes"}, "emergency_cauda_equina", ["emergency department now"]),
    ({"leg_weakness": "yes"}, "emergency_leg_weakness", ["emergency department now"]),
    ({"major_trauma": "yes"}, "emergency_major_trauma", ["emergency department now"]),
    ({"kidney_pain_pattern": "yes", "fever": "yes"}, "emergency_kidney_pain", ["now"]),
    ({"bone_risk": "yes", "fall_or_knock": "yes"}, "emergency_possible_fracture", ["today"]),
    ({"fever": "yes"}, "urgent_infection_check", ["today", "same-day"]),
    ({"cancer_history": "yes", "night_pain": "yes"}, "urgent_cancer_history", ["within 24 hours"]),
    ({"weight_loss": "yes"}, "urgent_weight_loss", ["within a day or two"]),
    ({"night_pain": "yes"}, "gp_night_pain", ["within a day or two"]),
    ({"kidney_pain_pattern": "yes"}, "urgent_kidney_pain", ["now"]),
    ({"saddle_numbness": "unsure"}, "urgent_check_nerve_signs", ["today"]),
]


@pytest.mark.parametrize(("given", "sid", "words"), TIME_FRAMES, ids=[t[1] for t in TIME_FRAMES])
def test_each_red_flag_heads_the_result_with_its_own_action_and_time_frame(
    shipped: KnowledgeBase, shipped_engine: Engine, given: dict[str, str], sid: str, words: list[str]
) -> None:
    parsed = from_mapping(given, shipped)
    result = ranking.rank(shipped, parsed, shipped_engine.consult(parsed))
    assert result.advice[0].id == sid
    assert result.action == shipped.suggestions[sid].action
    assert all(word in (result.action or "") for word in words), result.action
    # Never the generic line that could contradict it ("within 24-48 hours").
    assert "24-48" not in (result.action or "")


def test_every_red_flag_has_its_own_action(shipped: KnowledgeBase) -> None:
    for suggestion in shipped.suggestions.values():
        if suggestion.tier in ("emergency", "urgent") and suggestion.id != "tell_the_clinician":
            assert suggestion.action, suggestion.id


def _text(answers: Path, columns: int, *extra: str) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = run_cli("--no-journal", "--answers", str(answers), *extra, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_the_answers_text_wraps_at_the_width_it_is_given(columns: int) -> None:
    for extra in ((), ("--full",)):
        out = _text(CASES / "bench_op.yaml", columns, *extra)
        # A link is never broken: it may stand alone on a longer line; every other line fits.
        lines = [line for line in out.rstrip("\n").split("\n") if "://" not in line]
        assert max(len(line) for line in lines) <= columns
        assert max(len(line) for line in lines) > columns - 15  # it uses the width, too
        assert "\x1b[" not in out  # plain when piped
        # Words are never split: the same words as at a width where nothing wraps.
        wide = _text(CASES / "bench_op.yaml", 2000, *extra)
        assert out.split() == wide.split()


def test_json_lists_the_advice_in_the_order_the_text_numbers_it(tmp_path: Path) -> None:
    done = run_cli("--no-journal", "--answers", str(CASES / "bench_op.yaml"), "--format", "json")
    data = json.loads(done.stdout)
    full = _text(CASES / "bench_op.yaml", 2000, "--full")
    numbered = [
        line.split(". ", 1)[1] for line in full.split("\n") if re.match(r"^\d+\. ", line)
    ]
    main = [s for s in data["suggestions"] if not s["safety_net"]]
    assert [s["text"] for s in main][: len(numbered)] == [
        re.sub(r" (\(lifters disagree: see below\) )?\[[\d,]+\]$", "", n) for n in numbered
    ]
    assert data["suggestions"][-1]["safety_net"]  # the safety net last, as on the screen
    assert {s["group"] for s in main} <= {"emergency", "urgent", "see_clinician", "personal", "generic"}


def test_the_preferred_side_is_never_less_sure_than_the_dissent(
    shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    parsed = from_mapping({"back_feels_tight": "yes"}, shipped)
    result = ranking.rank(shipped, parsed, shipped_engine.consult(parsed))
    (debate,) = result.disagreements
    assert debate.preferred.confidence >= max(a.confidence for a in debate.dissent)
    assert [a.id for a in result.advice].count(debate.preferred.id) == 1


def test_forum_advice_is_told_as_a_lifter_on_a_forum(shipped: KnowledgeBase) -> None:
    for suggestion in shipped.suggestions.values():
        assert "in the bench thread" not in suggestion.text
        assert "the thread" not in suggestion.text.lower()
    assert "A lifter on a forum" in shipped.suggestions["ibuprofen_and_heat_cold"].text


def test_the_handover_has_the_date_answers_reasons_and_linked_sources(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("collapse_signs: yes\nage: 64\nlifts: [deadlift, bench]\n")
    saved = tmp_path / "for-the-clinician.md"
    done = run_cli("--no-journal", "--answers", str(answers), "--save", str(saved))
    assert done.returncode == 0, done.stderr
    text = saved.read_text()
    assert text.startswith("# spasm-triage: Emergency")
    assert re.search(r"^Date: \d{2} \w+ \d{4}, \d{2}:\d{2}$", text, re.M)
    assert "**Call 999 now" in text
    assert "## Signs you reported" in text and "- tummy or chest pain" in text
    assert "## Answers given" in text and "- age: 64 years" in text
    assert "- lifts you do, or did until this spasm: Deadlift, Bench press" in text
    assert "](https://" in text or "](http://" in text  # sources with their links
    assert re.search(r"^1\. Call your emergency number", text, re.M)
    assert re.search(r"^    - confidence 90%", text, re.M)  # nested, not a run-on paragraph
    assert "heat" not in text.lower().split("## answers given")[0]  # nothing at home


def test_check_knows_unless_like_any_condition(tmp_path: Path) -> None:
    rules = """
suggestions:
  - {id: heat, tier: self_care, text: Use heat., confidence: 0.6, unless: {pian_now: 0},
     evidence: clinical_guideline, sources: [{source: guide, quote: Heat helps.}]}
rules:
  - {id: always, when: {}, suggest: heat}
"""
    with pytest.raises(RulesError) as caught:
        make_kb(tmp_path, rules, base=BASE)
    assert "unknown question 'pian_now'" in str(caught.value.problems[0])


def test_a_consultation_without_a_terminal_shows_nothing_of_the_screen() -> None:
    # The questionnaire's "show why and sources" is offered only on a terminal.
    done = subprocess.run(
        [sys.executable, "-m", "triage", "--no-journal"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2


def test_an_emergency_result_is_short(shipped: KnowledgeBase) -> None:
    result = consult(shipped, {"collapse_signs": "yes", "pain_now": 8})
    from triage.report import to_text

    text = to_text(result, shipped, width=100)
    assert len(text.rstrip("\n").split("\n")) <= 15
    assert text.split("\n")[1].startswith(">> Call 999 now")


def test_an_answers_file_that_leaves_out_warning_signs_is_told_they_count_as_no(
    tmp_path: Path,
) -> None:
    """A missing red-flag answer never counts as yes, so a person who left some out must read,
    near the top, that they were taken as no; the JSON names them. Not said once all are
    answered, nor with an emergency (nothing could be more urgent)."""
    import yaml
    from conftest import NO_RED_FLAGS

    from triage.knowledge import loading

    # At 30 every red-flag question is asked but those asked by age (from 50, up to 25).
    flags = [q for q in loading.load().questions.values() if q.section == "red_flags"]
    left = len([q for q in flags if q.ask_if is None]) - 2  # saddle_numbness and age given
    few = tmp_path / "few.yaml"
    few.write_text("saddle_numbness: no\nage: 30\n")
    text = run_cli("--answers", str(few), "--no-journal", env={"COLUMNS": "100"}).stdout
    top = " ".join(text.splitlines()[:4])
    assert f"Not answered, so taken as no: {left} of the warning-sign questions." in top
    data = json.loads(run_cli("--answers", str(few), "--no-journal", "--format", "json").stdout)
    assert "fever" in data["unanswered"] and "saddle_numbness" not in data["unanswered"]
    assert "first_episode" not in data["unanswered"]  # asked only from 50: not asked here

    old = tmp_path / "old.yaml"
    old.write_text("saddle_numbness: no\nage: 60\n")
    data = json.loads(run_cli("--answers", str(old), "--no-journal", "--format", "json").stdout)
    assert "first_episode" in data["unanswered"]  # would be asked at 60

    every = tmp_path / "every.yaml"
    every.write_text(yaml.safe_dump(NO_RED_FLAGS))
    data = json.loads(run_cli("--answers", str(every), "--no-journal", "--format", "json").stdout)
    assert data["unanswered"] == []
    assert "Not answered" not in run_cli("--answers", str(every), "--no-journal").stdout

    emergency = tmp_path / "emergency.yaml"
    emergency.write_text("saddle_numbness: yes\n")
    done = run_cli("--answers", str(emergency), "--no-journal")
    assert done.stdout.startswith("spasm-triage: Emergency") and "Not answered" not in done.stdout
