"""Editing the shipped rules in a clone: with the package imported from the clone (what an
editable install does), an edit shows at once in `check`, `test` and a consultation; with an
installed copy, the commands say that the clone's rules are not the ones in use."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _clone(tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copytree(
        REPO / "triage", clone / "triage", ignore=shutil.ignore_patterns("__pycache__", "rules")
    )
    shutil.copytree(REPO / "rules", clone / "rules")
    shutil.copy(REPO / "pyproject.toml", clone / "pyproject.toml")
    return clone


def _run(clone: Path, *args: str, imported_from: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(imported_from), "SPASM_TRIAGE_JOURNAL": ""}
    return subprocess.run(
        [sys.executable, "-P", "-m", "triage", *args],  # -P: the package from PYTHONPATH only
        cwd=clone,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_an_edit_to_the_clones_rules_shows_at_once(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    answers = tmp_path / "a.yaml"
    answers.write_text("saddle_numbness: no\nleg_symptoms: none\nage: 30\n")
    before = _run(clone, "check", imported_from=clone)
    assert before.returncode == 0 and "note:" not in before.stdout + before.stderr
    red_flags = clone / "rules" / "red_flags.yaml"
    text = red_flags.read_text()
    # A new red flag, written the way an author would: a question, a rule and a test.
    text = text.replace(
        "\nquestions:\n",
        '\nquestions:\n  - id: lost_feeling_in_feet\n    ask: "Have your feet gone numb?"\n'
        '    type: yes_no\n    why: "Numb feet can be a nerve sign."\n',
        1,
    ).replace(
        "\nrules:\n",
        "\nrules:\n  - id: numb_feet_urgent\n    when: {lost_feeling_in_feet: yes}\n"
        "    conclude: urgent_signs\n    suggest: urgent_check_nerve_signs\n",
        1,
    )
    red_flags.write_text(text)
    after = _run(clone, "check", imported_from=clone)
    assert after.returncode == 0, after.stdout
    count = lambda out: int(out.split(" questions")[0].rsplit(" ", 1)[1])  # noqa: E731
    assert count(after.stdout) == count(before.stdout) + 1
    answers.write_text(answers.read_text() + "lost_feeling_in_feet: yes\n")
    advice = _run(
        clone, "--no-journal", "--answers", str(answers), "--format", "json", imported_from=clone
    )
    assert '"tier": "urgent"' in advice.stdout, advice.stderr
    cases = clone / "rules" / "tests" / "feet.yaml"
    cases.write_text(
        "cases:\n  - name: numb feet\n    answers: {lost_feeling_in_feet: yes}\n    tier: emergency\n"
    )
    tested = _run(clone, "test", str(cases), imported_from=clone)
    assert tested.returncode == 1 and "tier: expected emergency, got urgent" in tested.stdout


def test_an_installed_copy_says_the_clones_rules_are_not_in_use(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    done = _run(clone, "check", imported_from=REPO)  # the tool's own rules are elsewhere
    assert done.returncode == 0
    # The first line of the output, before the "ok" about rules that are not the clone's.
    first = done.stdout.splitlines()[0]
    assert first.startswith("spasm-triage: note: using the installed rules"), done.stdout
    assert first.endswith('pip install -e ".[test]"') and done.stdout.splitlines()[1].startswith("ok")
