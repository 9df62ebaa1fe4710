"""The spasm journal: every finished consultation in a local SQLite file, what helped, and the
answers of an unfinished questionnaire.

It holds health data, so it is created readable by its owner only and nothing leaves the
machine. Every write is one transaction; WAL lets two processes use it at once; the schema has a
version (PRAGMA user_version) and a migration from each earlier one. A file that is not a
journal, or is damaged, is reported by name and never written to, moved or deleted: the advice
is then given without the history.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ENV = "SPASM_TRIAGE_JOURNAL"  # a path to use instead of the default
# Consultations this close together are one episode: the same spasm, asked about again.
SAME_EPISODE = timedelta(days=7)

# Each migration takes the schema from version i to i + 1. Never edit one that has shipped:
# add the next. Tests build a journal at every earlier version and migrate it.
MIGRATIONS: tuple[str, ...] = (
    # 1: consultations and the advice each gave
    """
    CREATE TABLE consultation (
        id INTEGER PRIMARY KEY,
        finished TEXT NOT NULL,          -- UTC, ISO 8601
        answers TEXT NOT NULL,           -- JSON: question id -> answer, in the user's words
        tier TEXT,
        kb_fingerprint TEXT NOT NULL
    );
    CREATE TABLE advice (
        consultation_id INTEGER NOT NULL REFERENCES consultation(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        suggestion TEXT NOT NULL,
        tier TEXT NOT NULL,
        confidence REAL NOT NULL,
        PRIMARY KEY (consultation_id, rank)
    );
    CREATE INDEX consultation_finished ON consultation(finished);
    """,
    # 2: follow-up: what was tried and whether it helped
    """
    ALTER TABLE advice ADD COLUMN tried INTEGER;   -- 1 tried, 0 not tried, NULL not asked
    ALTER TABLE advice ADD COLUMN helped INTEGER;  -- 1 helped, 0 did not, NULL not known
    ALTER TABLE consultation ADD COLUMN followed_up TEXT;
    """,
    # 3: the answers of an unfinished questionnaire (one at a time)
    """
    CREATE TABLE unfinished (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        saved TEXT NOT NULL,
        answers TEXT NOT NULL,
        left_blank TEXT NOT NULL
    );
    """,
)
VERSION = len(MIGRATIONS)


class JournalError(Exception):
    """The journal cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Entry:
    """One past consultation, with its advice and what the user said of it."""

    id: int
    finished: datetime
    tier: str | None
    answers: dict[str, Any]
    advice: list[dict[str, Any]] = field(default_factory=list)  # suggestion, tier, tried, helped


def default_path() -> Path:
    chosen = os.environ.get(ENV)
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_data_dir("spasm-triage", appauthor=False)) / "journal.sqlite3"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    # ---- opening ----

    def open(self) -> Journal:
        """Open (creating it, owner-only) and bring the schema up to date."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                # Created before SQLite touches it, so it is never readable by others.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            self._db = db
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 10000")
            self._refuse_strangers()  # before anything that writes, such as the WAL switch
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.DatabaseError(f"could not switch to WAL mode ({mode})")
            # In WAL mode, NORMAL stays consistent through a crash or kill -9; only the last
            # consultation could be lost, and only to a power cut. FULL's fsync per write is
            # most of what recording costs.
            db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise JournalError(
                f"{self.path}: the journal cannot be read ({exc}); it is left as it is"
            ) from None
        except OSError as exc:
            self.close()
            raise JournalError(
                f"{self.path}: the journal cannot be opened ({exc.strerror})"
            ) from None
        return self

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Journal:
        return self.open() if self._db is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None, "open() the journal first"
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write, all or nothing. BEGIN IMMEDIATE takes the write lock up front, so two
        writers queue instead of failing half-way."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _refuse_strangers(self) -> None:
        """Read-only checks: a file from a newer version, or another program's, is not touched."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > VERSION:
            raise sqlite3.DatabaseError(
                f"it was written by a newer spasm-triage (schema {version}, this one knows {VERSION})"
            )
        if version == 0 and self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise sqlite3.DatabaseError("it is an SQLite file, but not a spasm-triage journal")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == VERSION:
            return
        with self.transaction() as db:
            # Re-read inside the lock: another process may have migrated it meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:]:
                for statement in _statements(step):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {VERSION}")

    # ---- consultations ----

    def record(
        self,
        answers: Mapping[str, Any],
        tier: str | None,
        advice: list[tuple[str, str, float]],
        fingerprint: str,
        when: datetime | None = None,
    ) -> int:
        """Store a finished consultation and its advice (suggestion, tier, confidence), in order."""
        finished = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO consultation (finished, answers, tier, kb_fingerprint) VALUES (?, ?, ?, ?)",
                (finished, json.dumps(dict(answers), ensure_ascii=False), tier, fingerprint),
            )
            consultation = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO advice (consultation_id, rank, suggestion, tier, confidence) "
                "VALUES (?, ?, ?, ?, ?)",
                [(consultation, rank, s, t, c) for rank, (s, t, c) in enumerate(advice, start=1)],
            )
            db.execute("DELETE FROM unfinished")  # a finished questionnaire replaces the draft
        return consultation

    def entries(self) -> list[Entry]:
        """Every consultation, oldest first, with its advice and follow-up."""
        rows = self.db.execute(
            "SELECT id, finished, tier, answers FROM consultation ORDER BY finished, id"
        ).fetchall()
        advice: dict[int, list[dict[str, Any]]] = {}
        for cid, suggestion, tier, confidence, tried, helped in self.db.execute(
            "SELECT consultation_id, suggestion, tier, confidence, tried, helped FROM advice "
            "ORDER BY consultation_id, rank"
        ):
            advice.setdefault(cid, []).append(
                {
                    "suggestion": suggestion,
                    "tier": tier,
                    "confidence": confidence,
                    "tried": None if tried is None else bool(tried),
                    "helped": None if helped is None else bool(helped),
                }
            )
        return [
            Entry(
                cid,
                datetime.fromisoformat(finished),
                tier,
                json.loads(answers),
                advice.get(cid, []),
            )
            for cid, finished, tier, answers in rows
        ]

    def last(self) -> Entry | None:
        entries = self.entries()
        return entries[-1] if entries else None

    def follow_up(
        self, consultation: int, tried: set[str], helped: set[str], not_helped: set[str]
    ) -> None:
        with self.transaction() as db:
            for suggestion in tried | helped | not_helped:
                outcome = 1 if suggestion in helped else 0 if suggestion in not_helped else None
                db.execute(
                    "UPDATE advice SET tried = 1, helped = ? WHERE consultation_id = ? "
                    "AND suggestion = ?",
                    (outcome, consultation, suggestion),
                )
            db.execute(
                "UPDATE consultation SET followed_up = ? WHERE id = ?",
                (datetime.now(UTC).isoformat(timespec="seconds"), consultation),
            )

    def facts(self, now: datetime | None = None) -> dict[str, Any]:
        """What the history says, as the journal facts rules can use. Counts are of earlier
        episodes: consulting again about the spasm in progress is not another spasm."""
        now = now or datetime.now(UTC)
        # Only the times are needed: reading whole entries (answers, advice) would make every
        # consultation slower the longer the journal grows.
        times = sorted(
            datetime.fromisoformat(row[0])
            for row in self.db.execute("SELECT finished FROM consultation")
        )
        finished = [times[start] for start, _ in _runs(times)]
        if finished and now - finished[-1] <= SAME_EPISODE:
            finished = finished[:-1]  # the episode in progress
        helped = {
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT suggestion FROM advice JOIN consultation ON id = consultation_id "
                "WHERE helped = 1 AND finished >= ?",
                ((now - timedelta(days=365)).isoformat(timespec="seconds"),),
            )
        }
        return {
            "episodes_90d": sum(now - f <= timedelta(days=90) for f in finished),
            "episodes_365d": sum(now - f <= timedelta(days=365) for f in finished),
            "days_since_last": (now - max(finished)).days if finished else None,
            "helped": tuple(sorted(helped)),
        }

    # ---- the unfinished questionnaire ----

    def save_unfinished(self, answers: Mapping[str, Any], left_blank: list[str]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO unfinished (id, saved, answers, left_blank) "
                "VALUES (1, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    json.dumps(dict(answers), ensure_ascii=False),
                    json.dumps(left_blank),
                ),
            )

    def unfinished(self) -> tuple[dict[str, Any], list[str], str] | None:
        row = self.db.execute("SELECT answers, left_blank, saved FROM unfinished").fetchone()
        if row is None:
            return None
        return json.loads(row[0]), json.loads(row[1]), row[2]


def episodes(entries: list[Entry]) -> list[list[Entry]]:
    """Consultations grouped into episodes: a new one starts after a week without any."""
    ordered = sorted(entries, key=lambda e: e.finished)
    return [ordered[start:end] for start, end in _runs([entry.finished for entry in ordered])]


def _runs(times: list[datetime]) -> list[tuple[int, int]]:
    """(start, end) index ranges of sorted times, split wherever a week passes without one."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(times) + 1):
        if i == len(times) or times[i] - times[i - 1] > SAME_EPISODE:
            runs.append((start, i))
            start = i
    return runs


def as_answers(kb: Any, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The journal facts as answers to the knowledge base's `journal:` questions."""
    values: dict[str, Any] = {}
    for question in kb.questions.values():
        value = facts.get(question.journal) if question.journal else None
        if question.journal == "helped":
            value = tuple(s for s in value or () if s in question.choice_ids) or None
        if value is not None:
            values[question.id] = value
    return values


def _statements(script: str) -> list[str]:
    """A migration's statements, one by one: executescript would commit the open transaction."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def forget(path: Path) -> list[Path]:
    """Delete the journal and its WAL files; returns what was deleted."""
    gone = []
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            candidate.unlink()
            gone.append(candidate)
    return gone
