"""The spasm journal: storage, history facts firing rules, follow-up changing the ranking,
migrations from every earlier version, two processes at once, kill -9 mid-write, a damaged file,
owner-only permissions, and the history, follow-up and forget commands."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import CASES, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import journal as journal_mod
from triage.journal import MIGRATIONS, VERSION, Journal, JournalError

ADVICE = [("heat_for_pain", "self_care", 0.8), ("stay_active", "self_care", 0.85)]


def days_ago(n: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=n)


def test_a_consultation_is_stored_with_its_advice_and_the_file_is_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        cid = journal.record(
            {"fever": "no", "working_weight": "140 kg"}, "self_care", ADVICE, "kb1"
        )
        (entry,) = journal.entries()
    assert entry.id == cid and entry.tier == "self_care"
    assert entry.answers == {"fever": "no", "working_weight": "140 kg"}
    assert [a["suggestion"] for a in entry.advice] == ["heat_for_pain", "stay_active"]
    for file in (path, *path.parent.glob("j.sqlite3-*")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
        assert db.execute("SELECT kb_fingerprint FROM consultation").fetchone()[0] == "kb1"


def test_history_facts_count_earlier_episodes_not_the_one_in_progress(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        for when in (days_ago(300), days_ago(299), days_ago(60), days_ago(2)):
            journal.record({}, "self_care", ADVICE, "kb", when=when)
        cid = journal.record({}, "self_care", ADVICE, "kb", when=days_ago(1))
        journal.follow_up(cid, {"stay_active"}, {"heat_for_pain"}, {"stay_active"})
        facts = journal.facts()
    # 300 and 299 days ago are one episode; 2 and 1 days ago are the one in progress.
    assert facts == {
        "episodes_90d": 1,
        "episodes_365d": 2,
        "days_since_last": 60,
        "helped": ("heat_for_pain",),
    }


def test_earlier_episodes_in_the_journal_fire_a_yaml_rule(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        for when in (days_ago(200), days_ago(100)):
            journal.record({}, "self_care", ADVICE, "kb", when=when)
    done = run_cli(
        "--journal", str(path), "--answers", str(CASES / "bench_op.yaml"), "--format", "json"
    )
    result = json.loads(done.stdout)
    assert result["tier"] == "see_clinician"
    physio = next(s for s in result["suggestions"] if s["id"] == "physio_for_recurring")
    texts = json.dumps(physio["because"])
    assert "earlier spasms in your journal, last 12 months: 2" in texts
    without = json.loads(
        run_cli(
            "--no-journal", "--answers", str(CASES / "bench_op.yaml"), "--format", "json"
        ).stdout
    )
    assert without["tier"] == "self_care"


def test_follow_up_ranks_what_helped_higher_next_time_and_says_so(tmp_path: Path) -> None:
    path = str(tmp_path / "j.sqlite3")
    case = str(CASES / "bench_op.yaml")

    def ranked() -> list[dict[str, object]]:
        done = run_cli("--journal", path, "--answers", case, "--format", "json")
        return list(json.loads(done.stdout)["suggestions"])

    before = ranked()
    ids = [s["id"] for s in before]
    done = run_cli(
        "--journal",
        path,
        "follow-up",
        "--helped",
        "more_salt_electrolytes",
        "--not-helped",
        "deep_tissue_massage",
    )
    assert done.returncode == 0, done.stderr
    assert "helped: Make sure you get enough salt and fluids" in done.stdout
    after = ranked()
    new_ids = [s["id"] for s in after]
    salt_before = next(s for s in before if s["id"] == "more_salt_electrolytes")
    salt_after = next(s for s in after if s["id"] == "more_salt_electrolytes")
    assert salt_after["confidence"] > salt_before["confidence"]
    assert new_ids.index("more_salt_electrolytes") < ids.index("more_salt_electrolytes")
    assert "advice that helped you before (your journal)" in json.dumps(salt_after["because"])


def test_follow_up_refuses_suggestions_it_did_not_give(tmp_path: Path) -> None:
    path = str(tmp_path / "j.sqlite3")
    run_cli("--journal", path, "--answers", str(CASES / "bench_op.yaml"))
    done = run_cli("--journal", path, "follow-up", "--helped", "heat_for_pan")
    assert done.returncode == 2
    assert done.stderr.startswith("spasm-triage: 'heat_for_pan' was not advised on ")
    assert "(did you mean 'heat_for_pain'?)" in done.stderr
    empty = run_cli("--journal", str(tmp_path / "none.sqlite3"), "follow-up", "--helped", "x")
    assert empty.returncode == 2 and "journal is empty" in empty.stderr


def build_at(path: Path, version: int) -> None:
    """A journal as an earlier spasm-triage left it: schema `version`, with data in it."""
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        for statement in journal_mod._statements(script):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    if version >= 1:
        db.execute(
            "INSERT INTO consultation (finished, answers, tier, kb_fingerprint) "
            "VALUES ('2026-01-02T10:00:00+00:00', '{\"fever\": \"no\"}', 'self_care', 'old')"
        )
        db.execute(
            "INSERT INTO advice (consultation_id, rank, suggestion, tier, confidence) "
            "VALUES (1, 1, 'heat_for_pain', 'self_care', 0.8)"
        )
    db.commit()
    db.close()


@pytest.mark.parametrize("version", range(VERSION))
def test_a_journal_from_every_earlier_version_is_migrated_with_its_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "j.sqlite3"
    build_at(path, version)
    with Journal(path) as journal:
        entries = journal.entries()
        journal.save_draft(None, {"fever": "no"}, [])  # the newest table works too
        cid = journal.record({}, "self_care", ADVICE, "new")
        journal.follow_up(cid, set(), {"heat_for_pain"}, set())
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if version >= 1:
        assert entries[0].answers == {"fever": "no"}
        assert entries[0].advice[0]["suggestion"] == "heat_for_pain"


def test_a_journal_from_a_newer_version_or_another_program_is_refused_and_untouched(
    tmp_path: Path,
) -> None:
    newer = tmp_path / "newer.sqlite3"
    build_at(newer, VERSION)
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {VERSION + 1}")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
    for path, why in (
        (newer, "written by a newer spasm-triage"),
        (other, "not a spasm-triage journal"),
    ):
        before = path.read_bytes()
        with pytest.raises(JournalError, match=why):
            Journal(path).open()
        assert path.read_bytes() == before


def test_a_damaged_journal_is_named_the_advice_still_comes_and_the_file_is_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = path.read_bytes()
    done = run_cli(
        "--journal", str(path), "--answers", str(CASES / "bench_op.yaml"), "--format", "json"
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["suggestions"]
    assert done.stderr.startswith(f"spasm-triage: {path}: the journal cannot be read")
    assert "The advice is given without your history." in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before
    history = run_cli("--journal", str(path), "history")
    assert history.returncode == 1 and str(path) in history.stderr


WRITER = """
import sys
from pathlib import Path
from triage.journal import Journal
with Journal(Path(sys.argv[1])) as journal:
    for i in range(int(sys.argv[2])):
        journal.record({"n": i}, "self_care", [("heat_for_pain", "self_care", 0.8)] * 1
                       + [("stay_active", "self_care", 0.85)], sys.argv[3])
        print(i, flush=True)
"""


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(path).open().close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), "60", name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with sqlite3.connect(path) as db:
        counts = dict(db.execute("SELECT kb_fingerprint, count(*) FROM consultation GROUP BY 1"))
        assert counts == {"a": 60, "b": 60}
        assert db.execute("SELECT count(*) FROM advice").fetchone()[0] == 240
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_kill_9_mid_write_leaves_a_valid_journal_with_every_earlier_episode(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        for when in (days_ago(100), days_ago(50)):
            journal.record({"earlier": True}, "self_care", ADVICE, "earlier", when=when)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "100000", "busy"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    for _ in range(30):  # let it get well into writing, then kill it without warning
        writer.stdout.readline()
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Every consultation that was written has all its advice: no half-written ones.
        assert (
            db.execute(
                "SELECT count(*) FROM consultation c WHERE (SELECT count(*) FROM "
                "advice a WHERE a.consultation_id = c.id) != 2"
            ).fetchone()[0]
            == 0
        )
    with Journal(path) as journal:
        earlier = [e for e in journal.entries() if e.answers.get("earlier")]
        assert len(earlier) == 2 and len(journal.entries()) >= 32


def test_history_shows_episodes_a_chart_exports_and_forgets(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        for when in (days_ago(70), days_ago(69), days_ago(10)):
            journal.record({"fever": "no"}, "self_care", ADVICE, "kb", when=when)
        cid = journal.entries()[-1].id
        journal.follow_up(cid, set(), {"heat_for_pain"}, set())
    text = run_cli("--journal", str(path), "history", env={"COLUMNS": "120"})
    assert text.returncode == 0
    assert "Your spasm journal: 2 episodes, 3 consultations" in text.stdout
    assert "Use heat for short-term relief" in text.stdout
    assert "What to do now" in text.stdout and "self_care" not in text.stdout  # the tier's title
    first = days_ago(70).astimezone()
    assert f"{first.day} {first:%b %Y, %H:%M}" in text.stdout  # when, in the person's clock
    chart = [line for line in text.stdout.splitlines() if line.startswith("  20")]
    assert len(chart) == 12 and sum(line.count("█") for line in chart) == 2  # 2 episodes
    exported = json.loads(run_cli("--journal", str(path), "history", "--format", "json").stdout)
    assert len(exported) == 3 and exported[-1]["advice"][0]["helped"] is True
    rows = run_cli("--journal", str(path), "history", "--format", "csv").stdout.splitlines()
    assert rows[0] == (
        "consultation,finished,date,time,tier,result,answers,rank,suggestion,advice,"
        "suggestion_tier,confidence,tried,helped"
    )
    assert len(rows) == 1 + 3 * len(ADVICE)
    table = list(csv.DictReader(io.StringIO("\n".join(rows))))
    assert table[0]["result"] == "What to do now" and table[0]["answers"] == "fever: no"
    assert table[0]["date"] == f"{days_ago(70).astimezone():%Y-%m-%d}"
    refused = run_cli("--journal", str(path), "history", "--forget")
    assert refused.returncode == 2 and path.exists()
    gone = run_cli("--journal", str(path), "history", "--forget", "--yes")
    assert gone.returncode == 0 and not path.exists()


def test_no_journal_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    done = run_cli(
        "--no-journal",
        "--answers",
        str(CASES / "bench_op.yaml"),
        env={"SPASM_TRIAGE_JOURNAL": str(path)},
    )
    assert done.returncode == 0 and not path.exists()


def test_check_knows_the_journal_fact_names(tmp_path: Path) -> None:
    from conftest import BASE, write_rules

    directory = write_rules(
        tmp_path / "rules",
        {
            "base.yaml": BASE,
            "h.yaml": (
                "questions:\n"
                "  - {id: past, ask: Past?, type: number, journal: episodes_in_2020, why: W.}\n"
                "  - {id: helped, ask: Helped?, type: yes_no, journal: helped, why: W.}\n"
            ),
        },
    )
    lines = run_cli("check", str(directory)).stdout.splitlines()
    assert any(
        "E003: question 'past' 'journal' must be one of: episodes_90d, episodes_365d, "
        "days_since_last, helped; got 'episodes_in_2020'" in line
        for line in lines
    )
    assert any(
        "E015: question 'helped': journal 'helped' fills a many_of question, not yes_no" in line
        for line in lines
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=400 * 24), max_size=30))
def test_episodes_split_exactly_where_a_week_passes_without_a_consultation(
    hours_ago: list[int],
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        journal_mod.Entry(i, now - timedelta(hours=h), "self_care", {})
        for i, h in enumerate(hours_ago)
    ]
    groups = journal_mod.episodes(entries)
    flat = [entry for group in groups for entry in group]
    assert sorted(e.id for e in flat) == list(range(len(entries)))  # each once
    assert [e.finished for e in flat] == sorted(e.finished for e in entries)
    week = journal_mod.SAME_EPISODE
    for group in groups:
        assert group and all(b.finished - a.finished <= week for a, b in pairwise(group))
    for before, after in pairwise(groups):
        assert after[0].finished - before[-1].finished > week


def test_follow_up_says_exactly_what_changes_next_time(tmp_path: Path) -> None:
    """'What helped is ranked up' was said of everything; it holds where a rule reads it from
    the journal (heat has one, keeping active has none), and the warning signs are not
    something to try."""
    path = tmp_path / "j.sqlite3"
    advice = [*ADVICE, ("when_to_get_help", "self_care", 0.9)]
    with Journal(path) as journal:
        journal.record({"fever": "no"}, "self_care", advice, "kb", when=days_ago(1))
    done = run_cli(
        "--journal", str(path), "follow-up", "--helped", "heat_for_pain", "--helped", "stay_active"
    )
    assert done.returncode == 0, done.stderr
    assert "Next time this is ranked up, and says it helped you: Use heat" in done.stdout
    assert "no rule ranks it up yet): Keep moving gently" in done.stdout
    net = run_cli("--journal", str(path), "follow-up", "--tried", "when_to_get_help")
    assert net.returncode == 2 and "not something to try" in net.stderr
