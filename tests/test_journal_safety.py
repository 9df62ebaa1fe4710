"""Nothing is destroyed or written against the user's word (issue 10, items 4 and 8): `history
--forget` deletes only a spasm-triage journal, `--no-journal` is honoured by every command, two
questionnaires keep two drafts, the saved Markdown is the user's only, journal-filled numbers
stay within their question's bounds, and a journal that cannot be created says why."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CASES, run_cli
from damage import ADVICE, EMERGENCY, overwrite_page, root_page, sound

from triage.journal import MIGRATIONS, Journal


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    if len(lines) == 2 and "do not wait for this tool" in lines[1]:
        lines = lines[:1]  # no advice was given: the seek-help line follows (issue 19)
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# ---- history --forget ----


def other_program_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
        db.execute("INSERT INTO recipes VALUES ('soup')")
    return path


@pytest.mark.parametrize("what", ["text", "other_sqlite", "other_sqlite_same_tables", "empty"])
def test_forget_refuses_a_file_that_is_not_a_journal_and_leaves_it(
    tmp_path: Path, what: str
) -> None:
    path = tmp_path / "precious"
    if what == "text":
        path.write_text("my thesis\n")
    elif what == "other_sqlite":
        other_program_sqlite(path)
    elif what == "other_sqlite_same_tables":  # our table names, another program's file
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE consultation (x)")
            db.execute("CREATE TABLE advice (y)")
            db.execute("PRAGMA application_id = 42")
    else:
        path.write_bytes(b"")
    before = path.read_bytes()
    done = run_cli("--journal", str(path), "history", "--forget", "--yes")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith(f"spasm-triage: {path}: ") and "not a spasm-triage journal" in line
    assert "nothing was deleted" in line
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]


def test_forget_deletes_a_journal_with_its_wal_files_even_while_it_is_open(
    tmp_path: Path,
) -> None:
    path = sound(tmp_path / "journal.sqlite3")
    keep = tmp_path / "keep.txt"
    keep.write_text("not mine to delete")
    journal = Journal(path).open()  # another process has it open: -wal and -shm exist
    journal.record({}, "self_care", ADVICE, "kb")
    assert path.with_name(path.name + "-wal").exists()
    done = run_cli("--journal", str(path), "history", "--forget", "--yes")
    journal.close()
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_forget_deletes_a_damaged_journal_and_one_from_an_earlier_version(
    tmp_path: Path,
) -> None:
    damaged = sound(tmp_path / "damaged.sqlite3")
    overwrite_page(damaged, root_page(damaged, "consultation"))
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:  # schema 3, before journals said whose they are
        for script in MIGRATIONS[:3]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 3")
    for path in (damaged, old):
        done = run_cli("--journal", str(path), "history", "--forget", "--yes")
        assert done.returncode == 0, done.stderr
        assert not path.exists()


# ---- --no-journal ----


@pytest.mark.parametrize(
    "args",
    [
        ["--no-journal", "history"],
        ["history", "--no-journal"],
        ["--no-journal", "history", "--format", "json"],
        ["--no-journal", "history", "--forget", "--yes"],
        ["history", "--forget", "--yes", "--no-journal"],
        ["--no-journal", "follow-up", "--helped", "heat_for_pain"],
        ["follow-up", "--no-journal", "--helped", "heat_for_pain"],
    ],
)
def test_no_journal_is_honoured_and_the_default_journal_is_never_touched(
    tmp_path: Path, args: list[str]
) -> None:
    path = sound(tmp_path / "journal.sqlite3")
    before = path.read_bytes()
    done = run_cli(*args, env={"SPASM_TRIAGE_JOURNAL": str(path)})
    assert done.returncode == 2
    assert "no journal in use" in one_line(done.stderr)
    assert done.stdout == ""
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3"]


# ---- two questionnaires, one journal ----


def test_two_questionnaires_keep_two_drafts(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as first, Journal(path) as second:
        a = first.save_draft(None, {"saddle_numbness": "no"}, [])
        b = second.save_draft(None, {"fever": "no"}, [])
        first.save_draft(a, {"saddle_numbness": "no", "leg_weakness": "no"}, [])
        second.save_draft(b, {"fever": "no", "age": 30}, ["night_pain"])
        drafts = {d.id: d for d in first.drafts()}
    assert drafts[a].answers == {"saddle_numbness": "no", "leg_weakness": "no"}
    assert drafts[b].answers == {"fever": "no", "age": 30} and drafts[b].left_blank == [
        "night_pain"
    ]


def test_a_draft_being_written_by_a_running_questionnaire_is_not_offered(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from triage.journal import Journal\n"
            "j = Journal(Path(sys.argv[1])).open(); j.save_draft(None, {'fever': 'no'}, [])\n"
            "print('saved', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "saved\n"
        with Journal(path) as journal:
            (draft,) = journal.drafts()
            assert draft.in_use()  # its questionnaire is still running
            assert not journal.claim_draft(draft)
    finally:
        holder.communicate("", timeout=30)
    with Journal(path) as journal:
        (draft,) = journal.drafts()
        assert not draft.in_use()  # its process is gone: it can be resumed
        assert journal.claim_draft(draft)


def test_a_consultation_from_a_file_leaves_an_unfinished_questionnaire_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        journal.save_draft(None, {"saddle_numbness": "no"}, [])
    run_cli("--journal", str(path), "--answers", str(CASES / "bench_op.yaml"))
    with Journal(path) as journal:
        assert [d.answers for d in journal.drafts()] == [{"saddle_numbness": "no"}]


# ---- --save ----


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o777])
def test_the_saved_markdown_is_readable_by_the_user_only_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    report = tmp_path / "for-my-physio.md"
    done = subprocess.run(
        [sys.executable, "-c", f"import os, sys; os.umask({umask}); "
         "from triage.cli import main; sys.exit(main(sys.argv[1:]))",
         "--no-journal", "--answers", str(CASES / "bench_op.yaml"), "--save", str(report)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert report.read_text().startswith("# spasm-triage")


def test_saving_over_an_existing_file_makes_it_owner_only(tmp_path: Path) -> None:
    """Issue 19 item 21: health answers are the person's only, whether the file existed or not
    (an existing 0640 file used to keep its mode)."""
    report = tmp_path / "for-my-physio.md"
    report.write_text("old")
    os.chmod(report, 0o640)
    done = run_cli("--no-journal", "--answers", str(CASES / "bench_op.yaml"), "--save", str(report))
    assert done.returncode == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert report.read_text().startswith("# spasm-triage")


# ---- item 8: bounds, messages ----


def test_a_journal_number_out_of_its_question_bounds_is_refused_in_an_answers_file(
    tmp_path: Path,
) -> None:
    given = tmp_path / "answers.yaml"
    given.write_text("days_since_last_episode: -1.0e+308\n")
    done = run_cli("--no-journal", "--answers", str(given))
    assert done.returncode == 2
    assert "'days_since_last_episode' must be from 0" in one_line(done.stderr)


def test_a_journal_filled_number_out_of_bounds_is_left_out_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = datetime.now(UTC)
    with Journal(path) as journal:  # a clock that was set weeks ahead
        for days in (10, 30):
            journal.record({}, "self_care", ADVICE, "kb", when=now + timedelta(days=days))
    done = run_cli(
        "--journal", str(path), "--answers", str(CASES / "bench_op.yaml"), "--format", "json"
    )
    assert done.returncode == 0
    line = one_line(done.stderr)
    assert "days_since_last_episode" in line and "left out" in line
    ids = [s["id"] for s in json.loads(done.stdout)["suggestions"]]
    assert "gp_not_settling" not in ids  # not "back within two weeks" from a date to come


def test_a_journal_whose_folder_is_a_file_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "spasm-triage"
    blocker.write_text("a file where the folder should be")
    path = blocker / "journal.sqlite3"
    given = tmp_path / "answers.yaml"
    given.write_text(EMERGENCY)
    done = run_cli("--journal", str(path), "--answers", str(given), "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["tier"] == "emergency"
    line = one_line(done.stderr)
    assert f"{blocker} is a file, not a folder" in line and "File exists" not in line
    assert blocker.read_text() == "a file where the folder should be"


def test_a_journal_path_that_is_a_folder_says_so(tmp_path: Path) -> None:
    done = run_cli("--journal", str(tmp_path), "--answers", str(CASES / "bench_op.yaml"))
    assert done.returncode == 0
    assert f"{tmp_path} is a folder, not a journal file" in one_line(done.stderr)


def test_the_history_text_is_bounded_however_long_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = datetime.now(UTC)
    with Journal(path) as journal:
        for i in range(60):
            journal.record({}, "self_care", ADVICE, "kb", when=now - timedelta(days=60 - i))
    text = run_cli("--journal", str(path), "history", env={"COLUMNS": "120"})
    assert text.returncode == 0
    rows = [line for line in text.stdout.splitlines() if re.search(r"│ \d+ \w{3} 20\d\d, ", line)]
    assert len(rows) == 30
    assert "30 earlier consultations are not shown" in text.stdout
    assert "--format csv" in text.stdout
    exported = json.loads(run_cli("--journal", str(path), "history", "--format", "json").stdout)
    assert len(exported) == 60
