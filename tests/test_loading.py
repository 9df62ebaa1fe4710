"""Loading rules: the shipped ones load from the installed package; broken ones are reported
with file, line, column, a stable code and what would be right, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, make_kb, write_rules

from triage.errors import RulesError
from triage.knowledge import loading

SUGGESTION = """
suggestions:
  - {id: heat, tier: self_care, text: Use heat., confidence: 0.6, evidence: clinical_guideline,
     sources: [{source: guide, quote: Heat helps.}]}
"""


def problems(tmp_path: Path, rules: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        make_kb(tmp_path, rules)
    return [str(p).replace(str(tmp_path / "rules") + "/", "") for p in caught.value.problems]


def test_the_shipped_rules_load_from_the_installed_package(shipped) -> None:  # type: ignore[no-untyped-def]
    assert loading.shipped_rules_dir().is_dir()
    assert shipped.questions and shipped.rules and shipped.suggestions
    # Red-flag questions are asked first.
    first = next(iter(shipped.questions.values()))
    assert first.section == "red_flags"


def test_a_typo_in_a_key_is_named_with_its_line_and_the_right_spelling(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        SUGGESTION
        + """
rules:
  - id: r
    when: {}
    sugest: heat
""",
    ) == [
        "test.yaml:8:5: E003: unknown key 'sugest' in rule 'r' (did you mean 'suggest'?); "
        "allowed: id, when, conclude, suggest, confidence, priority, replace, for_everyone",
    ]


def test_a_duplicate_key_that_would_drop_a_condition_is_an_error(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
questions: [{id: q, ask: Q?, type: yes_no, why: W.}]
"""
        + SUGGESTION
        + """
rules:
  - id: r
    when:
      q: yes
      q: no
    suggest: heat
""",
    ) == [
        "test.yaml:11:7: E002: duplicate key 'q' (first at line 10): YAML would keep only the last "
        "one; merge them or rename one",
    ]


def test_wrong_types_missing_fields_and_bad_tiers_are_all_reported_together(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
suggestions:
  - id: heat
    tier: urgnt
    text: Use heat.
    confidence: high
    evidence: one_poster
    sources: [{source: guide, quote: Heat.}]
  - id: walk
    tier: self_care
    confidence: 0.5
    evidence: one_poster
    sources: [{source: guide, quote: Walk.}]
""",
    ) == [
        "test.yaml:3:11: E003: suggestion 'heat' 'tier' must be one of: emergency, urgent, "
        "see_clinician, self_care, training, prevention; got 'urgnt' (did you mean 'urgent'?)",
        "test.yaml:5:17: E003: suggestion 'heat' 'confidence' must be a number (got 'high')",
        "test.yaml:8:5: E003: suggestion 'walk' is missing 'text'",
    ]


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "rules:\n  - id: r\n    when: {q: yes\n")
    assert len(found) == 1
    assert found[0].startswith("test.yaml:4:1: E001: YAML syntax:")


def test_unknown_question_finding_and_suggestion_are_named_with_a_suggestion(
    tmp_path: Path,
) -> None:
    assert problems(
        tmp_path,
        """
questions: [{id: fever, ask: Fever?, type: yes_no, why: W.}]
findings: [{id: hot, means: Hot}]
"""
        + SUGGESTION
        + """
rules:
  - id: r
    when: {fevr: yes, finding: hott}
    conclude: hoot
    suggest: heatt
""",
    ) == [
        "test.yaml:10:12: E011: unknown question 'fevr' (did you mean 'fever'?)",
        "test.yaml:10:32: E011: unknown finding 'hott' (did you mean 'hot'?)",
        "test.yaml:11:15: E011: rule 'r' concludes unknown finding 'hoot' (did you mean 'hot'?)",
        "test.yaml:12:14: E011: rule 'r' suggests unknown suggestion 'heatt' (did you mean 'heat'?)",
    ]


def test_a_value_that_is_not_a_choice_would_never_fire_so_it_is_an_error(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
questions:
  - {id: legs, ask: Legs?, type: one_of, choices: {none: None, both_legs: Both}, why: W.}
  - {id: q, ask: Q?, type: yes_no, why: W.}
"""
        + SUGGESTION
        + """
rules:
  - {id: r, when: {legs: both_leg}, suggest: heat}
  - {id: s, when: {q: maybe}, suggest: heat}
""",
    ) == [
        "test.yaml:10:20: E012: 'both_leg' is not a choice of 'legs' (did you mean 'both_legs'?); "
        "choices: none, both_legs",
        "test.yaml:11:20: E012: 'maybe' is not a choice of 'q'; choices: yes, no, unsure",
    ]


def test_a_number_comparison_on_a_question_that_is_not_a_number(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
questions: [{id: q, ask: Q?, type: yes_no, why: W.}]
"""
        + SUGGESTION
        + """
rules:
  - {id: r, when: {q: {at_least: 3}}, suggest: heat}
""",
    ) == [
        "test.yaml:8:20: E013: 'at_least' compares numbers, but 'q' is a yes_no question; "
        "compare it with one of: yes, no, unsure",
    ]


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    directory = write_rules(
        tmp_path / "rules",
        {
            "base.yaml": BASE,
            "a.yaml": "questions: [{id: weight_unit, ask: Again?, type: yes_no, why: W.}]\n",
        },
    )
    with pytest.raises(RulesError) as caught:
        loading.load([directory])
    (problem,) = caught.value.problems
    assert problem.code == "E010"
    assert str(problem.location) == f"{directory}/base.yaml:21:9"
    assert str(problem.related[0]) == f"{directory}/a.yaml:1:18"


def test_citing_an_undeclared_source_or_quoting_a_thread_without_a_poster(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
suggestions:
  - id: heat
    tier: self_care
    text: Use heat.
    confidence: 0.6
    evidence: one_poster
    sources:
      - {source: tnation, poster: Kubo, quote: Q.}
      - {source: thread, quote: Who said it?}
rules: [{id: r, when: {}, suggest: heat}]
""",
    ) == [
        "test.yaml:8:9: E011: suggestion 'heat' cites undeclared source 'tnation'; declare it in "
        "a 'sources:' list, in any rule file (the shipped sources are in rules/sources.yaml)",
        "test.yaml:9:9: E003: suggestion 'heat' quotes forum thread 'thread' without 'poster': "
        "say who wrote it",
    ]


def test_a_disagreement_naming_an_unknown_suggestion(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        SUGGESTION
        + """
disagreements:
  - {id: d, topic: T?, prefer: heat, over: [cold], why: W.}
""",
    ) == ["test.yaml:6:45: E011: disagreement 'd' names unknown suggestion 'cold'"]


def test_a_personal_sentence_may_only_use_plain_names_of_numbers(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        """
questions: [{id: q, ask: Q?, type: yes_no, why: W.}]
suggestions:
  - id: heat
    tier: self_care
    text: Use heat.
    personal: "{q} and {q.__class__}"
    confidence: 0.6
    evidence: one_poster
    sources: [{source: guide, quote: Q.}]
rules: [{id: r, when: {}, suggest: heat}]
""",
    ) == [
        "test.yaml:6:15: E014: '{q.__class__}' is not a plain name",
        "test.yaml:6:15: E014: '{q}' in suggestion 'heat' is neither one of its numbers nor a "
        "number question",
    ]


def test_a_knowledge_base_without_the_about_block_says_where_to_put_it(tmp_path: Path) -> None:
    directory = write_rules(tmp_path / "rules", {"a.yaml": "findings: [{id: f, means: F}]\n"})
    with pytest.raises(RulesError) as caught:
        loading.load([directory])
    assert [p.message for p in caught.value.problems] == [
        "no file has an 'about' block (the disclaimer and the tier texts); add one, e.g. in about.yaml"
    ]
