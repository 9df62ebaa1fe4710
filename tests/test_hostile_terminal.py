"""Issue 19 item 23, in a real terminal: while another process holds the journal's write lock,
a ticked emergency sign shows the emergency at once (it used to wait up to 10 s on the lock,
then say the answers could not be kept), and the answers are kept once the lock is free."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_terminal import ENTER, INSTALLED, WAY_BACK, draft, terminal  # noqa: F401 (fixture)

from triage.journal import Journal


def test_item23_the_emergency_is_shown_before_the_draft_waits_on_a_held_lock(terminal) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    screen, env, cwd = terminal
    path = Path(env["SPASM_TRIAGE_JOURNAL"])
    Journal(path).open().close()  # a journal in use, with its schema
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing: the lock is held
    try:
        screen.start(INSTALLED, cwd, env)
        screen.wait_for("None of these")
        screen.keys("1", ENTER)  # the first sign of the first checklist
        shown = screen.wait_for(WAY_BACK)
        assert "emergency" in shown.split(WAY_BACK)[0].lower()
        assert "Could not keep your answers" not in shown  # nothing waited on the lock
        screen.keys("C-c")
    finally:
        holder.execute("ROLLBACK")  # the other process is done: the answers can be kept
        holder.close()
    shown = screen.wait_for("EXIT=130")
    assert "answers so far are kept" in shown, shown
    kept = draft(env)
    assert kept is not None and "yes" in kept.values()
