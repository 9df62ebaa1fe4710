"""The invariant, under fault injection (issue 10): whatever is done to the journal file and the
draft in it (flipped bytes, garbage pages, truncation, rows with bad times, JSON or types, a
draft of garbage), every emergency and urgent answer set of the shipped rule tests, consulted
through the real command, gets advice at its tier, that tier first, and never a traceback. A
journal the tool finds damaged is left byte for byte as it was; one it finds nothing wrong with
must be sound by an independent check (SQLite's full integrity check and every row read back in
Python), and then keeps every earlier row as it was."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from damage import PAGE, execute, sound
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from safety import protected_cases

from triage import cli
from triage.journal.schema import APPLICATION_ID


@cache
def pristine() -> bytes:
    """A sound journal of several pages: consultations, advice, a follow-up, a draft."""
    with tempfile.TemporaryDirectory() as folder:
        path = sound(Path(folder) / "journal.sqlite3", consultations=12, pad=400)
        return path.read_bytes()


# ---- the faults ----

TEXT_GARBAGE = st.one_of(
    st.sampled_from(
        ["garbage", "", "2026-01-01T10:00:00", "2026-02-30T10:00:00+00:00", "{", "[]", "null",
         "\x1b[31m", "9999-12-31T23:59:59+00:00", "0000-01-01T00:00:00+00:00", '"x"', "{}"]
    ),
    st.text(max_size=30),
)  # fmt: skip
VALUES = st.one_of(
    TEXT_GARBAGE, st.integers(-(2**63), 2**63 - 1), st.floats(), st.binary(max_size=20), st.none()
)
COLUMNS = st.sampled_from(
    [
        ("consultation", "finished"),
        ("consultation", "answers"),
        ("consultation", "tier"),
        ("advice", "suggestion"),
        ("advice", "tier"),
        ("advice", "confidence"),
        ("advice", "tried"),
        ("advice", "helped"),
        ("advice", "rank"),
        ("draft", "answers"),
        ("draft", "left_blank"),
        ("draft", "saved"),
        ("draft", "started"),
    ]
)


@st.composite
def faults(draw: st.DrawFn) -> list[tuple[str, Any]]:
    size = len(pristine())
    one = st.one_of(
        st.tuples(
            st.just("flip"),
            st.lists(
                st.tuples(st.integers(0, size - 1), st.integers(1, 255)), min_size=1, max_size=8
            ),
        ),
        st.tuples(st.just("page"), st.tuples(st.integers(1, size // PAGE), st.binary(min_size=1, max_size=8))),
        st.tuples(st.just("truncate"), st.integers(0, size - 1)),
        st.tuples(st.just("row"), st.tuples(COLUMNS, VALUES, st.integers(1, 12))),
        st.tuples(st.just("draft"), st.one_of(st.binary(max_size=64), st.text(max_size=64))),
    )  # fmt: skip
    return draw(st.lists(one, min_size=1, max_size=3))


def apply(path: Path, fault: tuple[str, Any]) -> None:
    kind, how = fault
    data = bytearray(path.read_bytes())
    if kind == "flip":
        for offset, mask in how:
            if offset < len(data):
                data[offset] ^= mask
    elif kind == "page":
        page, fill = how
        start = (page - 1) * PAGE + (100 if page == 1 else 0)
        data[start : page * PAGE] = (fill * PAGE)[: max(0, page * PAGE - start)]
    elif kind == "truncate":
        del data[how:]
    elif kind in ("row", "draft"):
        (table, column), value, row = how if kind == "row" else (("draft", "answers"), how, 1)
        key = "consultation_id" if table == "advice" else "id"
        # The file may be past changing by now: SQLite refuses, or a flipped byte in its schema
        # text is not UTF-8 any more (Python's sqlite3 then fails to decode it).
        with contextlib.suppress(sqlite3.Error, UnicodeDecodeError):
            execute(path, f"UPDATE {table} SET {column} = ? WHERE {key} = ?", value, row)
        return
    path.write_bytes(bytes(data))


# ---- the independent check ----


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]] | None:
    """Every row, if the file is a sound journal by SQLite's full check and Python's own
    reading of each value; None if it is not."""
    if not path.exists() or path.stat().st_size == 0:
        return {"consultation": [], "advice": [], "draft": []}
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            if db.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                return None
            if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return None
            if db.execute("PRAGMA user_version").fetchone()[0] != 4:
                return None
            found = {
                table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("consultation", "advice", "draft")
            }
        finally:
            db.close()
        for _, finished, answers, tier, fingerprint, followed in found["consultation"]:
            assert datetime.fromisoformat(finished).tzinfo is not None
            assert isinstance(json.loads(answers), dict)
            assert tier is None or isinstance(tier, str)
            assert isinstance(fingerprint, str) and (followed is None or isinstance(followed, str))
        for _, rank, suggestion, tier, confidence, tried, helped in found["advice"]:
            assert isinstance(rank, int) and isinstance(suggestion, str) and isinstance(tier, str)
            assert isinstance(confidence, int | float)
            assert tried in (None, 0, 1) and helped in (None, 0, 1)
            assert not isinstance(tried, float) and not isinstance(helped, float)
        for _, started, saved, answers, blank, owner in found["draft"]:
            for when in (started, saved):
                assert datetime.fromisoformat(when).tzinfo is not None
            assert isinstance(json.loads(answers), dict)
            assert all(isinstance(q, str) for q in json.loads(blank))
            assert isinstance(json.loads(blank), list) and (owner is None or isinstance(owner, str))
    except (sqlite3.Error, AssertionError, ValueError, TypeError):
        return None
    return found


def consult(journal: Path, answers: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--journal", str(journal), "--answers", str(answers), "--format", "json"])
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=int(os.environ.get("SPASM_TRIAGE_FAULT_EXAMPLES", "25")),  # more, for a deep run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(faults())
def test_no_damage_to_the_journal_or_draft_weakens_a_red_flag(
    tmp_path: Path, done: list[tuple[str, Any]]
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        journal = folder / "journal.sqlite3"
        journal.write_bytes(pristine())
        for fault in done:
            apply(journal, fault)
        damaged = journal.read_bytes()
        earlier = rows(journal)
        event("sound by the independent check" if earlier is not None else "damaged")
        for name, answers, tier in protected_cases():
            given_file = folder / "answers.yaml"
            given_file.write_text(yaml.safe_dump(answers))
            before = journal.read_bytes()
            code, out, err = consult(journal, given_file)
            assert code == 0, (name, err)
            result = json.loads(out)
            assert result["tier"] == tier, (name, result["tier"], err)
            assert result["suggestions"][0]["tier"] == tier, name
            assert "Traceback" not in err
            lines = err.splitlines()
            assert len(lines) <= 1 or all(line.startswith("spasm-triage: ") for line in lines)
            if "without your history" in err:  # the tool found it unusable
                assert journal.read_bytes() == before == damaged, name
                assert not journal.with_name(journal.name + "-wal").exists()
            else:  # it found nothing wrong: then nothing is, and nothing earlier was lost
                assert earlier is not None, (name, err, done)
                now = rows(journal)
                assert now is not None
                assert set(earlier["consultation"]) <= set(now["consultation"])
                assert set(earlier["advice"]) <= set(now["advice"])
                assert now["draft"] == earlier["draft"]
    finally:
        shutil.rmtree(folder)
