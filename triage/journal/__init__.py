"""The spasm journal: every finished consultation in a local SQLite file, what helped, and the
answers of an unfinished questionnaire.

It holds health data, so it is created readable by its owner only and nothing leaves the
machine. Every write is one transaction; WAL lets two processes use it at once; the schema has a
version (PRAGMA user_version) and a migration from each earlier one. Before anything writes,
the file is recognised and checked (triage/journal/check.py): one that is not a journal, is
from a newer spasm-triage, or has any damage in it is reported by name and never written to,
moved or deleted; the advice is then given without the history.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from triage.journal import check as journal_check
from triage.journal.check import Damage, DamagedJournal, JournalError
from triage.journal.drafts import Draft, DraftKeeping
from triage.journal.facts import SAME_EPISODE, as_answers, episode_starts, episodes
from triage.journal.schema import MIGRATIONS, VERSION, read_time, stamp
from triage.journal.schema import statements as _statements
from triage.text import clean

__all__ = [
    "MIGRATIONS",
    "SAME_EPISODE",
    "VERSION",
    "Damage",
    "DamagedJournal",
    "Draft",
    "Entry",
    "Journal",
    "JournalError",
    "as_answers",
    "episode_starts",
    "episodes",
]

ENV = "SPASM_TRIAGE_JOURNAL"  # a path to use instead of the default


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
        # '~/j.sqlite3' in quotes reaches us unexpanded: it means the home folder, never a
        # folder named '~'.
        return Path(os.path.expanduser(chosen))
    import platformdirs

    return Path(platformdirs.user_data_dir("spasm-triage", appauthor=False)) / "journal.sqlite3"


class Journal(DraftKeeping):
    def __init__(self, path: Path) -> None:
        self.path = Path(os.path.expanduser(path))
        self._db: sqlite3.Connection | None = None
        self.writable = False
        # What cannot be read, when the journal was opened to salvage the rest (read-only).
        self.damage: list[Damage] = []

    # ---- opening ----

    def open(self, salvage: bool = False) -> Journal:
        """Open (creating it, owner-only), check it, and bring the schema up to date. Damage
        raises DamagedJournal before anything is written. With `salvage`, a journal whose only
        damage is in some of its rows is opened read-only instead, for what can still be read:
        `damage` says what cannot."""
        try:
            self._prepare()
            self._db = self._connect(readonly=self._log_exists())
            found, version = journal_check.refuse_strangers(self.db)
            if found == "empty" and not journal_check.blank_or_sqlite(self.path):
                # SQLite reads a file too short for its header as an empty database; it is not
                # one, and writing a journal over it would destroy what it holds.
                raise sqlite3.DatabaseError("file is not a database")
            if found != "empty":
                damage = journal_check.inspect(self.db, version)
                if damage:
                    in_rows = all(d.table for d in damage) and version == VERSION
                    if not (salvage and in_rows):
                        raise DamagedJournal(self.path, damage)
                    self.damage = damage
                    return self  # read-only: nothing is ever written to a damaged journal
            if self._log_exists() or found == "empty":
                self.close()
                self._db = self._connect(readonly=False)
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.DatabaseError(f"could not switch to WAL mode ({mode})")
            # In WAL mode, NORMAL stays consistent through a crash or kill -9; only the last
            # consultation could be lost, and only to a power cut. FULL's fsync per write is
            # most of what recording costs.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.writable = True
            self._migrate()
        except DamagedJournal:
            self.close()
            raise
        except (sqlite3.Error, UnicodeError) as exc:
            self.close()
            if _cannot_write(exc):
                raise JournalError(
                    f"{self.path}: the journal cannot be written ({journal_check.short(exc)}: "
                    "a read-only or full disk?); it is left as it is"
                ) from None
            raise JournalError(
                f"{self.path}: the journal cannot be read ({journal_check.short(exc)}); it is "
                "left as it is"
            ) from None
        except OSError as exc:
            self.close()
            raise JournalError(
                f"{self.path}: the journal cannot be opened ({exc.strerror})"
            ) from None
        return self

    def _prepare(self) -> None:
        """The folder and an empty owner-only file, or JournalError saying what is in the way."""
        if self.path.is_dir():
            raise JournalError(f"{self.path} is a folder, not a journal file")
        for folder in self.path.parents:
            if folder.exists():
                if not folder.is_dir():
                    raise JournalError(
                        f"{self.path}: the journal cannot be created: {folder} is a file, "
                        "not a folder"
                    )
                break
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A folder anyone may write (without /tmp's sticky bit) lets another user swap the
        # journal for their own file. (Group-writable is left alone: with a private group per
        # user, the usual umask 002 makes every folder so.)
        mode = os.stat(self.path.parent).st_mode
        if mode & 0o002 and not mode & stat.S_ISVTX:
            raise JournalError(
                f"{self.path}: its folder can be written by any user, who could put "
                "their own file in the journal's place; keep the journal in a folder of your own"
            )
        if not self.path.exists():
            # Created before SQLite touches it, so it is never readable by others.
            with contextlib.suppress(FileExistsError):  # another questionnaire, just now
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        self._make_private()

    def _make_private(self) -> None:
        """The journal and its -wal and -shm files are the person's own: a file someone else
        owns (made in their place beforehand, to read what is written) is refused, and one
        others can read is made owner-only before anything is written to it."""
        uid = os.geteuid()
        for path in (
            self.path,
            *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm")),
        ):
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            if info.st_uid != uid:
                raise JournalError(
                    f"{path}: the journal file belongs to another user, so it is not used "
                    "(what you write there, they could read); delete it or choose another "
                    "with --journal"
                )
            if stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(path, 0o600)

    def _log_exists(self) -> bool:
        return self.path.with_name(self.path.name + "-wal").exists()

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        """Read-only while a write-ahead log is there and the file is not yet checked: closing
        a read-write connection would fold the log into a file that may be damaged."""
        if readonly:
            db = sqlite3.connect(
                f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=10,
                isolation_level=None,
            )  # fmt: skip
        else:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self.writable = False

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
        assert self.writable, "a journal opened to salvage what can be read is never written"
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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
        draft: int | None = None,
    ) -> int:
        """Store a finished consultation and its advice (suggestion, tier, confidence), in
        order; the questionnaire's own draft, if it had one, goes in the same transaction."""
        finished = stamp(when)
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
            if draft is not None:
                db.execute("DELETE FROM draft WHERE id = ?", (draft,))
        return consultation

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM consultation").fetchone()[0])

    def iter_entries(self, last: int | None = None) -> Iterator[Entry]:
        """Consultations oldest first (only the `last` ones, if given) with their advice and
        follow-up, a batch at a time, so a long journal is never all in memory. Rows that
        cannot be read are left out and added to `damage`."""
        skip = json.dumps(sorted(d.row for d in self.damage if d.table == "consultation" and d.row))
        # Left out by SQLite, not after: a row of text that is not UTF-8 cannot even be fetched.
        query = (
            "SELECT id, finished, tier, answers FROM consultation WHERE id NOT IN "
            "(SELECT value FROM json_each(?)) ORDER BY finished {0}, id {0}"
        )
        if last is None:
            rows: Iterator[tuple[Any, ...]] = iter(self.db.execute(query.format("ASC"), (skip,)))
        else:
            newest = self.db.execute(query.format("DESC") + " LIMIT ?", (skip, last)).fetchall()
            rows = reversed(newest)
        while batch := list(itertools.islice(rows, 500)):
            entries = [e for e in (self._entry(*row) for row in batch) if e is not None]
            by_id = {e.id: e for e in entries}
            for cid, suggestion, tier, confidence, tried, helped in self.db.execute(
                "SELECT consultation_id, suggestion, tier, confidence, tried, helped FROM advice "
                "WHERE consultation_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY consultation_id, rank",
                (json.dumps(list(by_id)),),
            ):
                by_id[cid].advice.append(
                    {
                        "suggestion": clean(suggestion),
                        "tier": clean(tier),
                        "confidence": confidence,
                        "tried": None if tried is None else bool(tried),
                        "helped": None if helped is None else bool(helped),
                    }
                )
            yield from entries

    def _entry(self, cid: int, finished: Any, tier: Any, answers: Any) -> Entry | None:
        """One consultation row as an Entry, or None (and noted in `damage`) if it is not one."""
        try:
            when = read_time(finished)
            plain = json.loads(answers)
            if not isinstance(plain, dict):
                raise ValueError("its answers are not a JSON object")
        except (TypeError, ValueError, OverflowError) as exc:
            self.damage.append(Damage("consultation", cid, str(exc)))
            return None
        # Rows are text anyone with the file could have written: no escape code in them
        # reaches a terminal.
        return Entry(cid, when, clean(tier) if isinstance(tier, str) else None, clean(plain), [])

    def entries(self) -> list[Entry]:
        """Every consultation, oldest first, with its advice and follow-up."""
        return list(self.iter_entries())

    def last(self) -> Entry | None:
        return next(iter(self.iter_entries(last=1)), None)

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
                (stamp(None), consultation),
            )

    def times(self) -> list[datetime]:
        """When each consultation finished, sorted; the rows in `damage` left out."""
        skip = sorted(d.row for d in self.damage if d.table == "consultation" and d.row)
        times = []
        for cid, finished in self.db.execute(
            "SELECT id, finished FROM consultation WHERE id NOT IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(skip),),
        ):
            try:
                times.append(read_time(finished))
            except (TypeError, ValueError, OverflowError) as exc:
                raise JournalError(f"{self.path}: consultation {cid}: {exc}") from None
        return sorted(times)

    def facts(self, now: datetime | None = None) -> dict[str, Any]:
        """What the history says, as the journal facts rules can use. Counts are of earlier
        episodes: consulting again about the spasm in progress is not another spasm."""
        now = now or datetime.now(UTC)
        # Only the times are needed: reading whole entries (answers, advice) would make every
        # consultation slower the longer the journal grows.
        times = self.times()
        finished = episode_starts(times)
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


def _cannot_write(exc: BaseException) -> bool:
    """SQLite's way of saying the file or its disk cannot take a write, not that it is damaged."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc).lower()
    return name.startswith(("SQLITE_READONLY", "SQLITE_FULL", "SQLITE_CANTOPEN")) or any(
        words in text for words in ("readonly database", "disk is full", "unable to open")
    )


def forget(path: Path) -> list[Path]:
    """Delete the journal and its -wal and -shm files; returns what was deleted. Anything that
    is not a spasm-triage journal raises JournalError and is left alone."""
    return journal_check.forget(path)
