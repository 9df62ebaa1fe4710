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


def test_the_evaluate_example_case_is_valid_and_does_what_it_says(tmp_path: Path) -> None:
    import json

    (example,) = blocks("## Evaluating on realistic cases")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "red-flags.yaml").write_text(example)
    done = run_cli("evaluate", "bank/red-flags.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (case,) = json.loads(done.stdout)["cases"]
    assert (case["tier"], case["exact"], case["top_rank"], case["prompts"]) == (
        "emergency",
        True,
        1,
        1,
    )


def test_the_evaluate_error_line_is_what_the_tool_prints(tmp_path: Path) -> None:
    (example,) = blocks("## Evaluating on realistic cases")
    typo = example.replace(
        "suggests: [emergency_cauda_equina]", "suggests: [emergency_cauda_equna]", 1
    )
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "red-flags.yaml").write_text(typo)
    done = run_cli("evaluate", "bank/red-flags.yaml", cwd=tmp_path)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "unknown suggestion 'emergency_cauda_equna'" in line and f"```\n{line}\n```" in README


def test_the_evaluate_fields_and_totals_in_the_readme_are_the_json_keys() -> None:
    import json

    done = run_cli(
        "evaluate", str(Path(__file__).parent / "evaluate" / "good.yaml"), "--format", "json"
    )
    out = json.loads(done.stdout)
    section = README[README.index("## Evaluating on realistic cases") :]
    section = section[: section.index("\n## ", 1)]
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


def test_the_first_command_shows_advice_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The README's first command, as a newcomer runs it: advice on screen, and not a file
    written in their home (the demo is not their spasm; a later consultation must not count it)."""
    import os
    import subprocess
    import sys

    first = re.search(r"^python3 -m venv .*$", README, re.M)
    assert first is not None and first.group().endswith(".venv/bin/spasm-triage --demo")
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SPASM_TRIAGE", "XDG_"))}
    done = subprocess.run(
        [sys.executable, "-m", "triage", "--demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**keep, "HOME": str(home)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("spasm-triage: ") and "\n1. " in done.stdout  # advice
    assert "nothing was kept" in done.stderr
    assert list(home.rglob("*")) == []


def test_the_readme_bank_totals_are_a_real_run() -> None:
    """The totals table in the README is what `evaluate` prints on the shipped bank now (the
    timing figures of its last line aside)."""
    bank = Path(__file__).resolve().parent / "cases" / "bank"
    done = run_cli("evaluate", str(bank), env={"COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    printed = done.stdout[done.stdout.index("Totals") :]
    start = README.index("### The bank's totals")
    (shown,) = re.findall(r"```\n(Totals\n.*?)```", README[start:], re.S)[:1]

    def lines(text: str) -> list[str]:
        """The rows, with the timing's digits and the rule's width (set by the timing's
        text) made alike."""
        rows = [line.rstrip() for line in text.strip().splitlines()]
        rows = ["─" if set(r) <= {" ", "─"} and r else r for r in rows]
        timing = [" ".join(re.sub(r"\d+", "N", r).split()) for r in rows]
        return [t if "cases per second" in r else r for r, t in zip(rows, timing, strict=True)]

    assert lines(shown) == lines(printed)
