"""The examples in docs/ that are not command samples are real too: the worked example of a
rule loads and fires with the user's numbers, the conditions example is valid condition syntax,
and the evaluation's fields are the JSON keys. (Every sample of output is run by
`tests/test_docs.py`.)"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BASE, consult, make_kb, run_cli

DOCS = Path(__file__).resolve().parents[1] / "docs"
RULES = (DOCS / "rules.md").read_text(encoding="utf-8")
EVALUATE = (DOCS / "evaluate.md").read_text(encoding="utf-8")


def blocks(after: str, count: int = 1) -> list[str]:
    """The next `count` yaml code blocks after a phrase of docs/rules.md."""
    rest = RULES[RULES.index(after) :]
    return re.findall(r"```yaml\n(.*?)```", rest, re.S)[:count]


def test_the_worked_example_loads_and_fires_with_the_users_numbers(tmp_path: Path) -> None:
    example, numbers = blocks("## A worked example", 2)
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
    (example,) = blocks("## Conditions")
    assert example.startswith("when:")
    from triage.knowledge import schema
    from triage.knowledge.yaml_reader import parse

    when, problems = parse(example, "readme")
    assert problems == []
    assert schema.validate({"rules": [{"id": "r", "conclude": "f", **when}]}, "readme") == []


def test_the_evaluate_fields_and_totals_in_the_docs_are_the_json_keys() -> None:
    import json

    done = run_cli(
        "evaluate", str(Path(__file__).parent / "evaluate" / "good.yaml"), "--format", "json"
    )
    out = json.loads(done.stdout)
    section = EVALUATE[: EVALUATE.index("\n## The bank's totals")]
    named = set(re.findall(r"^\| `([a-z_]+)`", section, re.M))
    named |= {"asked", "blank", "reviewed"}  # one row names three
    case_keys = set(out["cases"][0]) - {"id", "location", "expected", "triage"}
    total_keys = {
        k
        for k in out["totals"]
        if k not in ("cases", "seconds", "setup_seconds")  # described in the text
        and not k.endswith(("_triaged", "_given", "_cases"))  # the counts beside each share
        and k not in ("exact", "safe")
    }
    assert case_keys | total_keys == named
