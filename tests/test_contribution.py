"""`check` and `test` are a YAML author's whole contract: a change to the shipped rules that
passes them passes what CI runs. The change is the one docs/rules.md's walkthrough makes (a
source, a question, a rule, a suggestion and two rule tests), made to a copy of the clone; then
CI's commands run on the copy, and so do the suite's tests that read the shipped rules as a
whole.

What the copy does not run: the tmux terminal tests and the journal's and packs' tests (slow,
and they read the shipped rules only for a consultation), and tests/test_docs.py, whose
walkthrough makes this very change again (as this file does). `python tests/test_contribution.py` runs the whole
suite on such a copy (about 5 minutes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from doc_samples import REPO, blocks

# The suite's modules that derive what they check from the shipped rules: every question, rule,
# suggestion and source, the questionnaire over all of them, the case bank.
RULES_WIDE = [
    "tests/test_questionnaire.py",
    "tests/test_knowledge.py",
    "tests/test_authoring.py",
    "tests/test_case_bank.py",
    "tests/test_relevance.py",
    "tests/test_wording.py",
    "tests/test_first_error.py",
]
WALKTHROUGH = "**7. Or add it to the shipped rules**"


def contribute(clone: Path) -> list[str]:
    """Make the walkthrough's change in `clone`; the ids it adds."""
    rules_md = REPO / "docs" / "rules.md"
    start = rules_md.read_text(encoding="utf-8").count(
        "\n", 0, rules_md.read_text().index(WALKTHROUGH)
    )
    added: list[str] = []
    for block in blocks(rules_md):
        if block.line < start:
            continue
        if block.kind == "console":
            break
        if block.kind != "diff":
            continue
        lines = block.body.splitlines()
        target = clone / lines[0].removeprefix("--- ").strip()
        old = "\n".join(line[1:] for line in lines[1:] if line.startswith(("-", " ")))
        new = "\n".join(line[1:] for line in lines[1:] if line.startswith(("+", " ")))
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{block.where}: the lines to change are not in {target}"
        target.write_text(text.replace(old, new), encoding="utf-8")
        added += [line.split("id: ", 1)[1] for line in lines if line.startswith("+  - id: ")]
    return added


def copy_of_the_clone(into: Path) -> Path:
    clone = into / "clone"
    ignore = shutil.ignore_patterns("__pycache__", ".venv", "*.pyc")
    for folder in ("triage", "rules", "tests", "docs"):
        shutil.copytree(REPO / folder, clone / folder, ignore=ignore)
    for file in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / file, clone / file)
    return clone


def _run(clone: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(clone), "SPASM_TRIAGE_CACHE_DIR": ""}
    return subprocess.run(
        [sys.executable, *command], cwd=clone, capture_output=True, text=True, env=env, timeout=600
    )


def test_a_change_to_the_shipped_rules_that_passes_check_and_test_passes_ci(
    tmp_path: Path,
) -> None:
    clone = copy_of_the_clone(tmp_path)
    added = contribute(clone)
    assert {"coach_heavy_pulls", "heavy_pulls_back_to_back", "a_day_between_heavy_pulls"} <= set(
        added
    ), added

    # The author's contract, as CI runs it on the rules.
    checked = _run(clone, "-m", "triage", "check", "--strict")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _run(clone, "-m", "triage", "test")
    assert tested.returncode == 0 and "heavy pulls on back-to-back days" in tested.stdout
    bank = sorted(str(p) for p in (clone / "tests" / "cases" / "bank").glob("*.yaml"))
    assert _run(clone, "-m", "triage", "evaluate", *bank).returncode == 0
    asked = _run(clone, "-m", "triage", "questions")
    assert "heavy_pulls_back_to_back" in asked.stdout  # the copy's rules are the ones in use

    # The suite's tests of the shipped rules, on the changed rules.
    suite = _run(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", *RULES_WIDE)
    assert suite.returncode == 0, suite.stdout[-4000:]


def test_a_new_rule_without_a_case_fails_test_as_it_would_fail_the_suite(tmp_path: Path) -> None:
    """The suite asks every shipped rule to fire, and every suggestion to be shown, in some
    case: `test` asks it too, so an author learns it from `test`, not from pytest."""
    clone = copy_of_the_clone(tmp_path)
    contribute(clone)
    tests = clone / "rules" / "tests" / "training.yaml"
    text = tests.read_text(encoding="utf-8")
    start = text.index("  - name: heavy pulls on back-to-back days")
    end = text.index("  - name:", text.index("  - name: a lifter who rests between heavy pulls") + 1)
    tests.write_text(text[:start] + text[end:], encoding="utf-8")  # the walkthrough's cases out
    tested = _run(clone, "-m", "triage", "test")
    assert tested.returncode == 1
    failed = [line for line in tested.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 2, failed
    assert "rule 'back_to_back_heavy_pulls' fires in no case" in failed[0]
    assert "suggestion 'a_day_between_heavy_pulls' is shown in no case" in failed[1]


def test_check_says_what_a_new_file_of_rule_tests_must_start_with(tmp_path: Path) -> None:
    """The one thing beyond the YAML the suite asks of a shipped rule file: the line that points
    editors at the schema. `check --strict` names it, in the words to write."""
    clone = copy_of_the_clone(tmp_path)
    (clone / "rules" / "tests" / "more.yaml").write_text(
        "cases:\n  - name: x\n    answers: {fever: yes}\n    tier: urgent\n", encoding="utf-8"
    )
    checked = _run(clone, "-m", "triage", "check", "--strict")
    assert checked.returncode == 1
    assert (
        "rules/tests/more.yaml:1:1: W109: the first line should point editors at the schema: "
        "# yaml-language-server: $schema=../../triage/cases.schema.json"
    ) in checked.stdout


if __name__ == "__main__":  # the whole suite on a copy with the walkthrough's change
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        clone = copy_of_the_clone(Path(scratch))
        print("added:", ", ".join(contribute(clone)))
        done = _run(
            clone,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # Both make the walkthrough's change themselves: it is made already.
            "--deselect",
            "tests/test_docs.py",
            "--deselect",
            "tests/test_contribution.py",
        )
        print(done.stdout[-3000:])
        raise SystemExit(done.returncode)
