"""The README's examples are real: its answers file is valid, its worked example loads and fires,
and its example error lines are what the tool prints."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BASE, consult, make_kb, run_cli

from triage import answers
from triage.model import KnowledgeBase

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def blocks(after: str, count: int = 1) -> list[str]:
    """The next `count` yaml code blocks after a phrase of the README."""
    rest = README[README.index(after) :]
    return re.findall(r"```yaml\n(.*?)```", rest, re.S)[:count]


def test_the_readme_answers_example_is_valid(shipped: KnowledgeBase) -> None:
    (example,) = blocks("An answers file is")
    given = answers.read_bytes(example.encode(), "readme", shipped)
    assert given.values["tail_tuck"] == "unsure" and given.weight_units["working_weight"] == "kg"


def test_the_readme_answers_error_is_what_the_tool_prints(tmp_path: Path) -> None:
    (tmp_path / "my-answers.yaml").write_text("weight_unit: kg\nage: 29\nleg_symptoms: both\n")
    done = run_cli("--answers", "my-answers.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() in README


def test_the_worked_example_loads_and_fires_with_the_users_numbers(tmp_path: Path) -> None:
    example, numbers = blocks("### A worked example", 2)
    source = """
  - id: tnation_lower_back_spasms
    kind: forum_thread
    title: Lower Back Muscle Spasms
    published: T Nation forum
"""
    lifts = """
  - id: lifts
    ask: Lifts?
    type: many_of
    choices: {deadlift: Deadlift, clean: Clean}
    why: W.
  - id: working_weight
    ask: Working weight?
    type: number
    unit: weight
    why: W.
"""
    rules = example.replace("questions:\n", "questions:\n" + lifts, 1) + numbers
    kb = make_kb(tmp_path, rules, base=BASE.replace("sources:\n", "sources:\n" + source, 1))
    (advice,) = consult(kb, {"tail_tuck": "yes", "working_weight": "100 kg"}).advice
    assert advice.id == "fix_tail_tuck" and advice.because[0].rule == "tail_tuck_seen"
    assert advice.text.endswith("For you: about 50 kg instead of 100 kg, for a few weeks.")


def test_the_conditions_example_is_valid_condition_syntax(tmp_path: Path) -> None:
    (example,) = blocks("### Conditions")
    assert example.startswith("when:")
    from triage import schema
    from triage.yaml_reader import parse

    when, problems = parse(example, "readme")
    assert problems == []
    assert schema.validate({"rules": [{"id": "r", "conclude": "f", **when}]}, "readme") == []
