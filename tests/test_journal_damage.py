"""A damaged journal never takes the advice away (issue 10, item 3): a garbage page behind a
valid header, a row with a bad or naive time, bad JSON or a wrong type, an unreadable draft.
Each is named in one line, the advice comes without the history, and the file is left exactly
as it was; `history` shows what can be read and names the rest; `follow-up` writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from damage import EMERGENCY, KINDS, URGENT, damage, sound

ROW_KINDS = ["bad_time", "naive_time", "bad_json", "not_utf8", "bad_type"]


def damaged(tmp_path: Path, kind: str) -> tuple[Path, bytes]:
    path = sound(tmp_path / "journal.sqlite3")
    damage(path, kind)
    return path, path.read_bytes()


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("answers", "tier"), [(EMERGENCY, "emergency"), (URGENT, "urgent")])
def test_a_consultation_gives_the_advice_without_the_history_and_leaves_the_file_alone(
    tmp_path: Path, kind: str, answers: str, tier: str
) -> None:
    path, before = damaged(tmp_path, kind)
    given = tmp_path / "answers.yaml"
    given.write_text(answers)
    done = run_cli("--journal", str(path), "--answers", str(given), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["tier"] == tier and result["suggestions"][0]["tier"] == tier
    line = one_line(done.stderr)
    assert line.startswith(f"spasm-triage: {path}: ") and "damaged" in line
    assert line.endswith("The advice is given without your history.")
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()


@pytest.mark.parametrize("kind", ROW_KINDS)
def test_history_shows_what_can_be_read_and_names_the_bad_row(tmp_path: Path, kind: str) -> None:
    path, before = damaged(tmp_path, kind)
    done = run_cli("--journal", str(path), "history", "--format", "json")
    assert done.returncode == 1
    shown = json.loads(done.stdout)
    assert [e["id"] for e in shown] == [1, 3]  # consultation 2 is the damaged one
    line = one_line(done.stderr)
    assert line.startswith(f"spasm-triage: {path}: consultation 2 ") and "left out" in line
    text = run_cli("--journal", str(path), "history", env={"COLUMNS": "120"})
    assert text.returncode == 1 and "Your spasm journal" in text.stdout
    one_line(text.stderr)
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["page_consultations", "page_times_index", "page_advice"])
def test_history_of_a_damaged_file_is_one_clear_line(tmp_path: Path, kind: str) -> None:
    path, before = damaged(tmp_path, kind)
    for fmt in ("text", "json", "csv"):
        done = run_cli("--journal", str(path), "history", "--format", fmt)
        assert done.returncode == 1 and done.stdout == ""
        line = one_line(done.stderr)
        assert line.startswith(f"spasm-triage: {path}: the journal is damaged")
    assert path.read_bytes() == before


def test_history_names_an_unreadable_draft_and_still_shows_every_consultation(
    tmp_path: Path,
) -> None:
    path, before = damaged(tmp_path, "bad_draft")
    done = run_cli("--journal", str(path), "history", "--format", "json")
    assert done.returncode == 1 and len(json.loads(done.stdout)) == 3
    assert "unfinished questionnaire" in one_line(done.stderr)
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", KINDS)
def test_follow_up_on_a_damaged_journal_records_nothing_and_says_so(
    tmp_path: Path, kind: str
) -> None:
    path, before = damaged(tmp_path, kind)
    done = run_cli("--journal", str(path), "follow-up", "--helped", "heat_for_pain")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert str(path) in line and "nothing was recorded" in line
    assert path.read_bytes() == before
