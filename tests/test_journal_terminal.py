"""The questionnaire's drafts in a real terminal (tmux, its own socket): answers from a file are
kept from the start, two questionnaires on one journal keep two drafts, and an unreadable draft
is named, kept until the person says otherwise, and never stops the questions."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from damage import damage, sound
from test_terminal import COMMAND, DOWN, ENTER, Screen

from triage.journal import Journal


@pytest.fixture
def screens(tmp_path: Path) -> Iterator[tuple[Screen, Screen, dict[str, str], Path]]:
    socket = f"spasm-triage-journal-test-{os.getpid()}"
    env = {
        "SPASM_TRIAGE_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "SPASM_TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    first, second = Screen(socket, "a"), Screen(socket, "b")
    first.tmux("new-session", "-d", "-s", "keep", "sleep 600")  # outlives the others
    yield first, second, env, tmp_path
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=30)


def test_ctrl_c_after_answers_from_a_file_keeps_them_and_resume_carries_on(screens) -> None:  # type: ignore[no-untyped-def]
    screen, _, env, cwd = screens
    (cwd / "mine.yaml").write_text("saddle_numbness: no\nbladder_bowel_change: no\n")
    screen.start(f"{COMMAND} --answers mine.yaml --interactive", cwd, env)
    screen.wait_for("going into your legs")
    screen.keys("C-c")
    shown = screen.wait_for("EXIT=130")
    assert "Your answers so far are kept" in " ".join(shown.split())
    screen.stop()
    screen.start(f"{COMMAND} --resume", cwd, env)
    shown = screen.wait_for("going into your legs")
    assert "Carrying on from your answers" in shown
    assert "trouble peeing" not in shown  # the file's answers were kept: not asked again


def test_two_questionnaires_at_once_keep_two_drafts(screens) -> None:  # type: ignore[no-untyped-def]
    first, second, env, cwd = screens
    first.start(COMMAND, cwd, env)
    first.wait_for("why we ask:")
    first.keys(DOWN, ENTER)  # No to numbness: the first questionnaire has a draft now
    first.wait_for("trouble peeing")
    second.start(COMMAND, cwd, env)
    shown = second.wait_for("why we ask:")
    assert "Another questionnaire is running on this journal" in " ".join(shown.split())
    assert "Carry on with it?" not in shown  # the running one's draft is not offered
    second.keys(DOWN, ENTER)
    second.wait_for("trouble peeing")
    second.keys(DOWN, ENTER)
    second.wait_for("going into your legs")
    for screen in (second, first):
        screen.keys("C-c")
        assert "Your answers so far are kept" in " ".join(screen.wait_for("EXIT=130").split())
    with Journal(Path(env["SPASM_TRIAGE_JOURNAL"])) as journal:
        kept = sorted(sorted(d.answers) for d in journal.drafts())
    assert kept == [["bladder_bowel_change", "saddle_numbness"], ["saddle_numbness"]]
    first.stop()
    first.start(f"{COMMAND} --resume", cwd, env)
    shown = first.wait_for("Which one?")
    assert "You have 2 unfinished questionnaires" in shown
    first.keys(ENTER)  # the most recent: the second one's, two answers
    shown = first.wait_for("going into your legs")
    assert "Carrying on from your answers" in shown


def test_an_unreadable_draft_is_named_kept_and_the_questions_still_come(screens) -> None:  # type: ignore[no-untyped-def]
    screen, _, env, cwd = screens
    path = sound(Path(env["SPASM_TRIAGE_JOURNAL"]))
    damage(path, "bad_draft")
    before = path.read_bytes()
    screen.start(COMMAND, cwd, env)
    shown = " ".join(screen.wait_for("Discard it and carry on").split())
    assert "unfinished questionnaire (draft 1) cannot be read" in shown
    screen.keys(ENTER)  # No, the default: keep it
    screen.wait_for("why we ask:")
    screen.keys(ENTER)  # Yes to numbness: an emergency, so it ends at once
    shown = screen.wait_for("EXIT=0")
    assert "Go to an emergency department now" in shown and "Traceback" not in shown
    assert path.read_bytes() == before  # kept exactly as it was
    screen.stop()
    screen.start(COMMAND, cwd, env)
    screen.wait_for("Discard it and carry on")
    screen.keys("y")  # the person's word: discard it
    screen.wait_for("why we ask:")
    screen.keys(ENTER)
    screen.wait_for("EXIT=0")
    with Journal(path) as journal:  # sound again, and this consultation is in it
        assert journal.drafts() == [] and len(journal.entries()) == 4
