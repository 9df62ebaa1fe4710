"""`explain ID --last`: why a piece of advice was (or was not) in the person's last real
consultation, read from their journal, with no answers file and no jq."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import AK47, run_cli


def test_explain_last_explains_the_last_consultation_with_its_history(tmp_path: Path) -> None:
    journal = {"SPASM_TRIAGE_JOURNAL": str(tmp_path / "journal.sqlite3")}
    assert run_cli("--answers", str(AK47), env=journal).returncode == 0
    assert run_cli("follow-up", "--helped", "heat_for_pain", env=journal).returncode == 0
    assert run_cli("--answers", str(AK47), env=journal).returncode == 0

    done = run_cli("explain", "heat_for_pain", "--last", env=journal)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("your last consultation, ")
    assert lines[1].startswith("suggestion 'heat_for_pain' is in the advice: self_care")
    # The journal's history is part of it: heat helped before, and the rule that says so fired.
    assert "rule 'helped_before_heat_for_pain' fired" in done.stdout
    assert "helped_before includes heat_for_pain  (answer: " in done.stdout

    # The same answers from the file, without the journal: that rule did not fire.
    from_file = run_cli("explain", "heat_for_pain", "--answers", str(AK47), "--no-journal")
    assert "rule 'helped_before_heat_for_pain' did not fire" in from_file.stdout


def test_explain_last_without_a_consultation_says_so() -> None:
    empty = {"SPASM_TRIAGE_JOURNAL": f"{tempfile.mkdtemp()}/journal.sqlite3"}
    done = run_cli("explain", "heat_for_pain", "--last", env=empty)
    assert done.returncode == 2
    assert (
        done.stderr == "spasm-triage: the journal is empty: there is no consultation to explain\n"
    )
    off = run_cli("explain", "heat_for_pain", "--last", "--no-journal")
    assert off.returncode == 2 and "--no-journal" in off.stderr
