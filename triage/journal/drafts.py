"""Unfinished questionnaires: a draft each, and which running questionnaire is writing it, so
two at once never write the same answers and --resume never takes a draft still in use."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.journal.schema import stamp
from triage.text import clean

if TYPE_CHECKING:
    from triage.journal.check import DamagedJournal


@dataclass(frozen=True)
class Draft:
    """The answers of an unfinished questionnaire, and which running questionnaire, if any,
    is writing them."""

    id: int
    started: str
    saved: str
    answers: dict[str, Any]
    left_blank: list[str]
    owner: str | None = None

    def in_use(self) -> bool:
        """Another questionnaire, running now on this machine, is writing it."""
        return self.owner is not None and self.owner != me() and alive(self.owner)


def me() -> str:
    """This process, as a draft's owner: host, pid, and the pid's start time (so a pid reused
    after a reboot is not taken for the questionnaire that wrote the draft)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def _started(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""  # no /proc (macOS): the pid alone
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, after the command's name


def alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # written elsewhere: there is no telling, and a draft must stay usable
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    except OverflowError:
        return False
    return not started or _started(pid) in ("", started)


class DraftKeeping:
    """The journal's unfinished questionnaires, a draft each (the part of Journal that keeps
    them, on its connection and in its transactions)."""

    if TYPE_CHECKING:

        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    @staticmethod
    def discard_damaged_drafts(error: DamagedJournal) -> None:
        """On the user's word: delete the unfinished questionnaires that cannot be read, when
        they are all that is damaged. The one write ever made to a damaged journal."""
        assert error.drafts_only
        db = sqlite3.connect(error.path, timeout=10, isolation_level=None)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            table = "draft" if version >= 4 else "unfinished"
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"DELETE FROM {table} WHERE id = ?", [(d.row,) for d in error.damage])
            db.execute("COMMIT")
        finally:
            db.close()

    def drafts(self) -> list[Draft]:
        """Every unfinished questionnaire, the most recently saved first."""
        found = []
        for row in self.db.execute(
            "SELECT id, started, saved, answers, left_blank, owner FROM draft "
            "ORDER BY saved DESC, id DESC"
        ):
            try:  # checked when the journal was opened; a change since is left out, not a crash
                values, blank = json.loads(row[3]), json.loads(row[4])
            except (TypeError, ValueError):
                continue
            if isinstance(values, dict) and isinstance(blank, list):
                found.append(
                    Draft(row[0], clean(row[1]), clean(row[2]), clean(values), clean(blank), row[5])
                )
        return found

    def save_draft(
        self,
        draft: int | None,
        answers: Mapping[str, Any],
        left_blank: list[str],
        wait: bool = True,
    ) -> int:
        """Keep a questionnaire's answers so far, in its own draft (a new one when `draft` is
        None or was discarded meanwhile); returns the draft's id. With `wait` False, a lock
        another process holds is not waited for: sqlite3.OperationalError at once."""
        now = stamp(None)
        plain = json.dumps(dict(answers), ensure_ascii=False)
        blank = json.dumps(list(left_blank))
        if not wait:
            self.db.execute("PRAGMA busy_timeout = 0")
        try:
            return self._save_draft(draft, now, plain, blank)
        finally:
            if not wait:
                self.db.execute("PRAGMA busy_timeout = 10000")

    def _save_draft(self, draft: int | None, now: str, plain: str, blank: str) -> int:
        with self.transaction() as db:
            if draft is not None:
                cursor = db.execute(
                    "UPDATE draft SET saved = ?, answers = ?, left_blank = ?, owner = ? "
                    "WHERE id = ?",
                    (now, plain, blank, me(), draft),
                )
                if cursor.rowcount:
                    return draft
            cursor = db.execute(
                "INSERT INTO draft (started, saved, answers, left_blank, owner) "
                "VALUES (?, ?, ?, ?, ?)",
                (now, now, plain, blank, me()),
            )
            return int(cursor.lastrowid or 0)

    def claim_draft(self, draft: Draft) -> bool:
        """Make this questionnaire the one writing `draft`; False when another running one
        is writing it (or it is gone), so two never write the same answers."""
        with self.transaction() as db:
            row = db.execute("SELECT owner FROM draft WHERE id = ?", (draft.id,)).fetchone()
            if row is None or (row[0] not in (None, me()) and alive(row[0])):
                return False
            db.execute("UPDATE draft SET owner = ? WHERE id = ?", (me(), draft.id))
        return True

    def release_draft(self, draft: int) -> None:
        """The questionnaire stops (Ctrl-C): its draft is free for --resume at once."""
        with self.transaction() as db:
            db.execute("UPDATE draft SET owner = NULL WHERE id = ? AND owner = ?", (draft, me()))

    def discard_drafts(self, drafts: list[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM draft WHERE id = ?", [(d,) for d in drafts])
