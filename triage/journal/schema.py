"""The journal's schema: a migration from each version to the next, and how each version is
recognised (never edit a migration that has shipped: add the next); and a time as the journal
keeps it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

APPLICATION_ID = int.from_bytes(b"SpTr", "big")  # PRAGMA application_id of every journal

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
    # 4: a draft per questionnaire, so two at once never overwrite each other's answers, with
    # the questionnaire writing it now; and the file says it is a journal (application id)
    f"""
    CREATE TABLE draft (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        saved TEXT NOT NULL,
        answers TEXT NOT NULL,           -- JSON: question id -> answer, in the user's words
        left_blank TEXT NOT NULL,        -- JSON: the questions asked and left blank
        owner TEXT                       -- host:pid:start of the questionnaire writing it
    );
    INSERT INTO draft (started, saved, answers, left_blank)
        SELECT saved, saved, answers, left_blank FROM unfinished;
    DROP TABLE unfinished;
    PRAGMA application_id = {APPLICATION_ID};
    """,
)
VERSION = len(MIGRATIONS)

# The tables each schema version before the application id has (later ones are known by it).
TABLES = {
    1: {"consultation", "advice"},
    2: {"consultation", "advice"},
    3: {"consultation", "advice", "unfinished"},
}


def statements(script: str) -> list[str]:
    """A migration's statements, one by one: executescript would commit the open transaction."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def stamp(when: datetime | None) -> str:
    """A time as the journal keeps it: UTC, ISO 8601, to the second."""
    return (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def read_time(text: Any) -> datetime:
    """A time the journal kept, or ValueError saying why it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"its time is not text ({text!r})")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"its time {text[:40]!r} is not a time") from None
    if when.tzinfo is None:
        raise ValueError(f"its time {text[:40]!r} has no time zone")
    return when
