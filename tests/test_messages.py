"""The smaller messages an author meets, in plain, correct words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli, write_rules


def test_check_counts_in_correct_english() -> None:
    done = run_cli("check")
    assert done.returncode == 0
    ok = done.stdout.splitlines()[-1]
    for count, word in re.findall(r"(\d+) ([a-z]+)", ok):
        assert word.endswith("s") == (count != "1"), ok


def test_an_emergency_result_takes_an(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("saddle_numbness: yes\n")
    done = run_cli("explain", "heat_for_pain", "--answers", str(answers))
    assert "is not in the advice: an emergency result leaves it out" in done.stdout


def test_an_about_block_in_a_pack_is_one_error_that_says_why(tmp_path: Path) -> None:
    for about in ("about:\n  title: mine\n", 'about:\n  disclaimer: "Mine."\n'):
        pack = write_rules(tmp_path / "pack", {"mine.yaml": about})
        done = run_cli("--rules", str(pack), "check")
        assert done.returncode == 1
        lines = done.stdout.splitlines()
        assert lines[0] == (
            f"{pack}/mine.yaml:1:1: E003: a rule pack cannot have 'about': the disclaimer, the "
            "tiers' words and the policy are the shipped rules' own (rules/about.yaml); take it out"
        )
        assert lines[-1].startswith("1 error, 0 warnings")


def test_test_names_case_files_the_same_way_with_or_without_paths() -> None:
    """In a clone, `test` and `test rules/tests` print the same relative paths."""
    repo = Path(__file__).resolve().parents[1]
    alone = run_cli("test", cwd=repo).stdout.splitlines()
    given = run_cli("test", "rules/tests", cwd=repo).stdout.splitlines()
    assert alone == given and alone[0].startswith(("PASS  rules/tests/", "FAIL  rules/tests/"))


def test_history_as_csv_holds_every_piece_of_advice_whole(tmp_path: Path) -> None:
    import csv
    import io

    from conftest import AK47

    from triage.knowledge import loading

    kb = loading.load()
    journal = {"SPASM_TRIAGE_JOURNAL": str(tmp_path / "journal.sqlite3")}
    assert run_cli("--answers", str(AK47), env=journal).returncode == 0
    rows = list(csv.DictReader(io.StringIO(run_cli("history", "--format", "csv", env=journal).stdout)))
    assert rows
    for row in rows:
        assert row["advice"] == kb.suggestions[row["suggestion"]].text
        assert "…" not in row["advice"]


def test_a_long_notice_on_a_terminal_is_wrapped_between_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from triage.streams import Notices, wrap_lines

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "80")
    screen = Terminal()
    notice = (
        "spasm-triage: that was the advice for an example lifter's answers "
        "(tnation_ak47.yaml); nothing was kept. Run 'spasm-triage' for your own."
    )
    print(notice, file=Notices(screen))
    lines = screen.getvalue().splitlines()
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    assert " ".join(lines) == notice  # every word whole, in order
    path = "/home/someone/" + "a-very-long-folder-name/" * 4 + "rules/training.yaml"
    wrapped = wrap_lines(f"spasm-triage: {path}: cannot read: No such file", 80)
    assert f"{path}:" in wrapped.splitlines()  # a path is never cut, even when longer than a line
    assert wrap_lines("short\n", 80) == "short\n"
    piped = io.StringIO()
    print(notice, file=Notices(piped))
    assert piped.getvalue() == notice + "\n"  # not a terminal: as it is
