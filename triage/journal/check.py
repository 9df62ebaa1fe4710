"""Whether a file is a spasm-triage journal, and whether it is sound: read-only checks made
before anything writes to it, and `history --forget`, which deletes only a journal.

Every check here only reads. A journal is recognised by its application id (set by schema 4
onwards) or, for an earlier schema, by its version with that version's tables. It is sound when
SQLite's full integrity check passes and every row holds what the tool writes: a UTC time, a JSON
object of answers, text where text belongs, 0 or 1 for a yes or no.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from triage.journal.schema import APPLICATION_ID, TABLES, VERSION

HEADER = b"SQLite format 3\x00"


class JournalError(Exception):
    """The journal cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Damage:
    """One thing in the journal that cannot be read as the tool wrote it."""

    table: str  # consultation, advice, draft; "" for the file itself
    row: int | None  # the consultation or draft it belongs to
    what: str

    def __str__(self) -> str:
        if self.table == "draft":
            return f"an unfinished questionnaire (draft {self.row}) cannot be read: {self.what}"
        if self.row is not None:
            return f"consultation {self.row} cannot be read: {self.what}"
        return self.what


class DamagedJournal(JournalError):
    """A journal with damage in it: never read for history, never written."""

    def __init__(self, path: Path, damage: list[Damage]) -> None:
        self.path, self.damage = path, damage
        more = f", and {len(damage) - 1} more problem(s)" if len(damage) > 1 else ""
        then = " (the questionnaire asks whether to discard it)" if self.drafts_only else ""
        super().__init__(
            f"{path}: the journal is damaged ({damage[0]}{more}); it is left as it is{then}"
        )

    @property
    def drafts_only(self) -> bool:
        """Only unfinished questionnaires are damaged: discarding them makes it sound again."""
        return all(d.table == "draft" for d in self.damage)


def kind(db: sqlite3.Connection) -> tuple[str, int]:
    """('journal', version), ('empty', 0), ('newer', version) or ('stranger', version), by
    what the file's header and tables say."""
    app = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {  # as bytes: a damaged name may not be UTF-8
        bytes(r[0]).decode("utf-8", "replace")
        for r in db.execute("SELECT CAST(name AS BLOB) FROM sqlite_master WHERE type = 'table'")
    }
    if app == APPLICATION_ID:
        return ("newer" if version > VERSION else "journal"), version
    if app == 0 and version == 0 and not tables:
        return "empty", 0
    if app == 0 and version in TABLES and TABLES[version] <= tables:
        return "journal", version
    return "stranger", version


def refuse_strangers(db: sqlite3.Connection) -> tuple[str, int]:
    """The file's kind and schema version, or DatabaseError naming why it is not touched."""
    found, version = kind(db)
    if found == "newer":
        raise sqlite3.DatabaseError(
            f"it was written by a newer spasm-triage (schema {version}, this one knows {VERSION})"
        )
    if found == "stranger":
        raise sqlite3.DatabaseError("it is an SQLite file, but not a spasm-triage journal")
    return found, version


def blank_or_sqlite(path: Path) -> bool:
    """The file is empty (a journal about to be made) or starts as an SQLite file does."""
    with path.open("rb") as file:
        start = file.read(len(HEADER))
    return not start or start == HEADER


# A time the tool wrote: ISO 8601 to the second with a UTC offset, and a real date.
def _bad_time(column: str) -> str:
    return (
        f"(typeof({column}) != 'text' OR length({column}) != 25 OR {column} NOT GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-]"
        f"[0-1][0-9]:[0-5][0-9]' OR substr({column}, 1, 4) = '0000' OR strftime("
        f"'%Y-%m-%dT%H:%M:%S', substr({column}, 1, 19)) IS NOT substr({column}, 1, 19))"
    )


def _bad_flag(column: str) -> str:
    return f"({column} IS NOT NULL AND ({column} NOT IN (0, 1) OR typeof({column}) != 'integer'))"


def _bad_json(column: str, shape: str) -> str:
    return f"(typeof({column}) != 'text' OR NOT json_valid({column}) OR json_type({column}) != '{shape}')"


def inspect(db: sqlite3.Connection, version: int) -> list[Damage]:
    """Everything in the journal that is not as the tool writes it; [] when it is sound.
    Reads only, in one read transaction (one consistent view while others write)."""
    try:
        db.execute("BEGIN")
        try:
            return _inspect(db, version)
        finally:
            db.execute("COMMIT")
    except (sqlite3.DatabaseError, UnicodeError) as exc:
        return [Damage("", None, f"SQLite cannot read it: {short(exc)}")]


def _inspect(db: sqlite3.Connection, version: int) -> list[Damage]:
    # The full check, not quick_check: an index that disagrees with its table passes the
    # quick one, and reads through that index (the consultations' times) would then lie.
    problem = db.execute("PRAGMA integrity_check(1)").fetchone()[0]
    if problem != "ok":
        detail = " ".join(problem.replace("*** in database main ***", "").split())
        return [Damage("", None, f"a damaged page: {detail}")]
    time_problem = "its time is not a UTC time"
    # One pass per table: every condition OR-ed in one scan (the reason is worked out only for
    # the rows that fail), so a long journal is read once, not once per check.
    checks: list[tuple[str, str, str, list[tuple[str, str]]]] = [
        ("consultation", "id", "finished", [
            (_bad_time("finished"), time_problem),
            (_bad_json("answers", "object"), "its answers are not a JSON object"),
            ("(tier IS NOT NULL AND typeof(tier) != 'text')", "its tier is not text"),
        ]),
        ("advice", "consultation_id", "NULL", [
            ("(typeof(suggestion) != 'text' OR typeof(tier) != 'text' OR typeof(rank) != "
             "'integer' OR typeof(confidence) NOT IN ('real', 'integer'))",
             "a piece of its advice is not text and a number"),
        ] + ([(f"({_bad_flag('tried')} OR {_bad_flag('helped')})",
               "what was tried or helped is not yes or no")] if version >= 2 else [])),
    ]  # fmt: skip
    drafts = "draft" if version >= 4 else "unfinished" if version == 3 else None
    if drafts is not None:
        started = _bad_time("started") if version >= 4 else "0"
        checks.append((drafts, "id", "saved", [
            (_bad_json("answers", "object"), "its answers are not a JSON object"),
            (_bad_json("left_blank", "array"), "its blank questions are not a list"),
            (f"({_bad_time('saved')} OR {started})", time_problem),
        ]))  # fmt: skip
    found: list[Damage] = []
    seen: set[tuple[str, int]] = set()
    for table, key, shown, conditions in checks:
        reason = " ".join(f"WHEN {bad} THEN '{what}'" for bad, what in conditions)
        anything = " OR ".join(bad for bad, _ in conditions)
        name = "draft" if table in ("draft", "unfinished") else "consultation"
        for row, what, value in db.execute(
            f"SELECT {key}, CASE {reason} END, {shown} FROM {table} WHERE {anything}"
        ):
            if (name, row) not in seen:
                seen.add((name, row))
                # repr: a value from a damaged file may hold terminal escapes
                shows = what == time_problem and value is not None
                found.append(Damage(name, row, f"{what} ({_show(value)})" if shows else what))
    for damage in _not_utf8(db, version, drafts):
        if (damage.table, damage.row or 0) not in seen:
            seen.add((damage.table, damage.row or 0))
            found.append(damage)
    if drafts is not None:
        # A blank question that is not a question id: only the valid JSON lists are looked into.
        for (row,) in db.execute(
            f"SELECT DISTINCT d.id FROM {drafts} d, json_each(d.left_blank) e WHERE "
            f"json_valid(d.left_blank) AND json_type(d.left_blank) = 'array' AND e.type != 'text'"
        ):
            if ("draft", row) not in seen:
                seen.add(("draft", row))
                found.append(Damage("draft", row, "its blank questions are not question ids"))
    return sorted(found, key=lambda d: (d.table != "consultation", d.row or 0))


CHUNK = 20_000  # rows whose text is joined and decoded at once: memory stays bounded


def _not_utf8(db: sqlite3.Connection, version: int, drafts: str | None) -> list[Damage]:
    """Rows holding text that is not UTF-8 (a flipped high bit in a letter does that): SQLite
    stores and compares it, but it cannot be read back as text. Checked a chunk at a time, as
    one joined string per chunk, then row by row only where a chunk fails."""
    followed = " || ifnull(followed_up, '')" if version >= 2 else ""
    tables = [
        ("consultation", "id", f"answers || ifnull(tier, '') || kb_fingerprint{followed}"),
        ("advice", "consultation_id", "suggestion || tier"),
    ]
    if drafts is not None:
        extra = " || started || ifnull(owner, '')" if version >= 4 else ""
        tables.append((drafts, "id", f"answers || left_blank || saved{extra}"))
    found = []
    for table, key, text in tables:
        name = "draft" if table == drafts else "consultation"
        (top,) = db.execute(f"SELECT max(rowid) FROM {table}").fetchone()
        for low in range(0, (top or 0) + 1, CHUNK):
            span = (low, low + CHUNK)
            (joined,) = db.execute(
                f"SELECT CAST(group_concat(ifnull({text}, ''), '') AS BLOB) FROM {table} "
                "WHERE rowid >= ? AND rowid < ?",
                span,
            ).fetchone()
            if _utf8(joined):
                continue
            for row, raw in db.execute(
                f"SELECT {key}, CAST(ifnull({text}, '') AS BLOB) FROM {table} "
                "WHERE rowid >= ? AND rowid < ?",
                span,
            ):
                if not _utf8(raw):
                    found.append(Damage(name, row, "it holds text that is not UTF-8"))
    return found


def _utf8(raw: bytes | None) -> bool:
    try:
        (raw or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def short(exc: Exception) -> str:
    """An error from a damaged file, short and without its raw bytes (terminal escapes)."""
    text = repr(str(exc))[1:-1]
    return text if len(text) <= 100 else text[:97] + "..."


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- forget ----


def _reader(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: not even SQLite's own folding of a log into the file."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    # No log to read: an immutable view of the file alone creates no -wal or -shm beside it.
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)


def recognise(path: Path) -> str | None:
    """None when `path` is a spasm-triage journal (any version, damaged or not); otherwise
    what it is instead, in words."""
    if path.is_dir():
        return "it is a folder"
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if not header:
        return "it is empty"
    if not header.startswith(HEADER) or len(header) < 100:
        return "it is not an SQLite file"
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return None  # says so in its header: recognised even when the rest is damaged
    try:
        db = _reader(path)
        try:
            found, _ = kind(db)
        finally:
            db.close()
    except (sqlite3.Error, UnicodeError) as exc:
        return f"SQLite cannot read it ({short(exc)})"
    if found in ("journal", "newer"):
        return None
    return "it is an SQLite file of another program" if found == "stranger" else "it is empty"


def forget(path: Path) -> list[Path]:
    """Delete the journal and its -wal and -shm files; returns what was deleted. A file that is
    not a spasm-triage journal raises JournalError and nothing is deleted."""
    target = path.resolve() if path.is_symlink() else path
    why = recognise(target)
    if why is not None:
        raise JournalError(f"{path}: {why}, not a spasm-triage journal; nothing was deleted")
    gone = []
    for candidate in (
        target,
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
        *([path] if target != path else []),  # the link, once what it points to is gone
    ):
        if candidate.is_symlink() or candidate.exists():
            candidate.unlink()
            gone.append(candidate)
    return gone
