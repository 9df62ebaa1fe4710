"""Issue 19, items 9 to 12: values a rule file can hold in YAML but no rule can use. Each once
passed `check` and crashed every consultation it touched, or crashed `check` itself, with a
traceback and no advice. Each is now refused by `check` (and by a consultation, with the word
to seek help) at its file, line and column, with what would be right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, write_pack

from triage.errors import RulesError
from triage.knowledge import loading
from triage.knowledge.schema import MAX_DEPTH

SOURCE = "sources: [{source: tnation_lower_back_spasms, poster: someone, quote: x}]"


def _numbers(times: str = "0.4", step: str = "2.5") -> str:
    return f"""
        suggestions:
          - id: my_light
            tier: training
            text: "Light set."
            numbers:
              light_set: {{of: working_weight, times: {times}, round_to: {{kg: {step}, lb: 5}}}}
            personal: "About {{light_set}}."
            confidence: 0.6
            evidence: one_poster
            {SOURCE}
        rules:
          - id: my_light_rule
            when: {{}}
            suggest: my_light
        """


def _nested(depth: int) -> str:
    when = "{not: " * depth + "{age: {at_least: 1}}" + "}" * depth
    return f"rules:\n  - id: deep\n    when: {when}\n    suggest: stay_active\n"


def _source(value: str) -> str:
    return f"""
        sources:
          - id: odd_source
            kind: personal
            title: {value}
            published: "x"
        """


FAULTS = {
    "9: confidence .nan": (
        "rules:\n  - {id: r, when: {}, suggest: stay_active, confidence: .nan}\n",
        ".nan is not a number",
    ),
    "9: times .nan": (_numbers(times=".nan"), ".nan is not a number"),
    "9: times .inf": (_numbers(times=".inf"), ".inf is not a number"),
    "9: times 1e308": (_numbers(times="1e308"), "maximum of 10"),
    "9: round_to 0": (_numbers(step="0"), "minimum of 0.01"),
    "9: round_to 1e-320": (_numbers(step="1e-320"), "minimum of 0.01"),
    "9: a question's max .inf": (
        "questions:\n  - {id: reps, ask: Reps?, type: number, why: x, max: .inf}\n",
        ".inf is not a number",
    ),
    "10: a broken suggestion a rule still names": (
        f"""
        suggestions:
          - id: bad_conf
            tier: self_care
            text: "x"
            confidence: 2
            evidence: one_poster
            {SOURCE}
        rules:
          - id: names_bad
            when: {{}}
            suggest: bad_conf
        """,
        "maximum of 1",
    ),
    "11: !!timestamp": (_source("!!timestamp 2001-12-14"), "!!timestamp"),
    "11: !!set": (_source("!!set {a, b}"), "!!set"),
    "11: !!binary": (_source("!!binary aGVsbG8="), "!!binary"),
    "12: when nested 250 deep": (_nested(250), f"more than {MAX_DEPTH} levels"),
    "12: when nested 300 deep": (_nested(300), f"more than {MAX_DEPTH} levels"),
    "12: when nested just too deep": (_nested(MAX_DEPTH), f"more than {MAX_DEPTH} levels"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_check_refuses_it_at_its_line(tmp_path: Path, fault: str) -> None:
    text, said = FAULTS[fault]
    pack = write_pack(tmp_path, text)
    with pytest.raises(RulesError) as raised:
        loading.load([loading.shipped_rules_dir(), pack], trust_cache=False)
    problems = raised.value.problems
    assert [p.code for p in problems] == ["E003"], problems  # its own error, and nothing else
    assert problems[0].location.file == str(pack / "local.yaml")
    assert problems[0].location.line >= 1 and said in problems[0].message, problems[0]


@pytest.mark.parametrize(
    "fault",
    [
        "9: times .nan",
        "10: a broken suggestion a rule still names",
        "11: !!timestamp",
        "12: when nested 300 deep",
    ],
)
def test_no_traceback_in_check_or_a_consultation(tmp_path: Path, fault: str) -> None:
    pack = write_pack(tmp_path, FAULTS[fault][0])
    checked = run_cli("--rules", str(pack), "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"{pack / 'local.yaml'}:"), checked.stdout
    given = tmp_path / "a.yaml"
    given.write_text("working_weight: 100\nweight_unit: kg\n")
    for _ in range(2):  # the second run would read what the first one cached
        consulted = run_cli("--rules", str(pack), "--answers", str(given))
        assert consulted.returncode != 0 and "Traceback" not in consulted.stderr
        assert consulted.stderr.startswith(f"{pack / 'local.yaml'}:"), consulted.stderr
        assert "do not wait for this tool" in consulted.stderr


def test_nesting_a_rule_needs_still_loads(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, _nested(MAX_DEPTH // 2 - 4))
    assert "deep" in {r.id for r in loading.load([loading.shipped_rules_dir(), pack]).rules}


def test_an_absurd_answer_gets_the_advice_without_a_number(tmp_path: Path) -> None:
    """Item 9's other side: a pack's number question with no `max`, answered 1e308, times 10,
    once overflowed every consultation; the advice is given without the number."""
    pack = write_pack(
        tmp_path,
        f"""
        questions:
          - {{id: big_number, ask: "A number?", type: number, why: x}}
        suggestions:
          - id: my_big
            tier: self_care
            text: "Big."
            numbers:
              big: {{of: big_number, times: 10}}
            personal: "About {{big}}."
            confidence: 0.6
            evidence: one_poster
            {SOURCE}
        rules:
          - {{id: my_big_rule, when: {{}}, suggest: my_big}}
        """,
    )
    given = tmp_path / "a.yaml"
    for value, said in [("1e308", "Big."), ("1e300", "Big."), ("12", "Big. About 120.")]:
        given.write_text(f"big_number: {value}\n")
        out = run_cli("--rules", str(pack), "--answers", str(given), "--format", "json")
        assert out.returncode == 0, out.stderr
        texts = [s["text"] for s in json.loads(out.stdout)["suggestions"] if s["id"] == "my_big"]
        assert texts == [said], (value, texts)
