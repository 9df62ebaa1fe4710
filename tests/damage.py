"""Journals damaged on purpose, for the tests: a sound journal written by the tool itself, then
one fault put into it the way a disk, a crash or another program would."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.journal import Journal

ADVICE = [("heat_for_pain", "self_care", 0.8), ("stay_active", "self_care", 0.85)]
EMERGENCY = "saddle_numbness: yes\n"  # from rules/tests/red_flags.yaml
URGENT = "fever: yes\n"
PAGE = 4096


def sound(path: Path, consultations: int = 3, pad: int = 0) -> Path:
    """A journal with consultations a month apart (the last one followed up) and one
    unfinished questionnaire, left as a closed journal is: one file, no -wal or -shm."""
    with Journal(path) as journal:
        now = datetime.now(UTC)
        for i in range(consultations):
            journal.record(
                {"fever": "no", "note": "x" * pad},
                "self_care",
                ADVICE,
                "kb",
                when=now - timedelta(days=30 * (consultations - i)),
            )
        last = journal.entries()[-1].id
        journal.follow_up(last, set(), {"heat_for_pain"}, set())
        journal.save_draft(None, {"saddle_numbness": "no"}, ["age"])
    settle(path)
    return path


def settle(path: Path) -> None:
    """Fold any write-ahead log into the file, so the file alone is the journal."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def execute(path: Path, sql: str, *params: object) -> None:
    """Change rows behind the tool's back, the way another program (or a bad disk) would."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA ignore_check_constraints = ON")
    db.execute(sql, params)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def root_page(path: Path, name: str) -> int:
    db = sqlite3.connect(path)
    (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    db.close()
    return int(page)


def overwrite_page(path: Path, page: int, fill: bytes = b"\xab") -> None:
    """Page `page` (1-based) turned to garbage; the file's header, on page 1, stays valid."""
    data = bytearray(path.read_bytes())
    start = (page - 1) * PAGE + (100 if page == 1 else 0)
    data[start : page * PAGE] = (fill * PAGE)[: page * PAGE - start]
    path.write_bytes(bytes(data))


# Each kind of damage the issue names, as (name, how to do it to a sound journal).
def damage(path: Path, kind: str) -> None:
    if kind == "page_consultations":
        overwrite_page(path, root_page(path, "consultation"))
    elif kind == "page_times_index":
        overwrite_page(path, root_page(path, "consultation_finished"))
    elif kind == "page_advice":
        overwrite_page(path, root_page(path, "advice"))
    elif kind == "index_entry":  # the index of times disagrees with its table
        page = root_page(path, "consultation_finished")
        data = bytearray(path.read_bytes())
        at = (page - 1) * PAGE + data[(page - 1) * PAGE : page * PAGE].find(b"+00:00") - 1
        data[at] = ord("7") if data[at] != ord("7") else ord("8")
        path.write_bytes(bytes(data))
    elif kind == "bad_time":
        execute(path, "UPDATE consultation SET finished = 'garbage' WHERE id = 2")
    elif kind == "naive_time":
        execute(path, "UPDATE consultation SET finished = '2026-01-01T10:00:00' WHERE id = 2")
    elif kind == "bad_json":
        execute(path, "UPDATE consultation SET answers = '{not json' WHERE id = 2")
    elif kind == "not_utf8":  # a flipped high bit: stored and compared, but not text
        execute(
            path,
            "UPDATE consultation SET answers = '{\"fever\": \"n' || CAST(x'ef' AS TEXT) "
            "|| '\"}' WHERE id = 2",
        )
    elif kind == "bad_type":
        execute(path, "UPDATE advice SET confidence = 'high' WHERE consultation_id = 2")
    elif kind == "bad_draft":
        execute(path, "UPDATE draft SET answers = x'00ff00'")
    else:
        raise AssertionError(kind)


KINDS = [
    "page_consultations",
    "page_times_index",
    "page_advice",
    "index_entry",
    "bad_time",
    "naive_time",
    "bad_json",
    "not_utf8",
    "bad_type",
    "bad_draft",
]
