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
from test_terminal import COMMAND, ENTER, Screen

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
    screen.wait_for("None of these")
    screen.keys("C-c")
    shown = screen.wait_for("EXIT=130")
    assert "Your answers so far are kept" in " ".join(shown.split())
    screen.stop()
    screen.start(f"{COMMAND} --resume", cwd, env)
    shown = screen.wait_for("None of these")
    assert "Carrying on from your answers" in shown
    asked = shown.split("Carrying on")[1]
    assert "between your legs" not in asked and "trouble peeing" not in asked  # kept: not asked


def test_two_questionnaires_at_once_keep_two_drafts(screens) -> None:  # type: ignore[no-untyped-def]
    first, second, env, cwd = screens
    first.start(COMMAND, cwd, env)
    first.wait_for("None of these")
    first.keys("0", ENTER)  # none of the first checklist: the first questionnaire has a draft
    first.wait_for("going into your legs")
    second.start(COMMAND, cwd, env)
    shown = second.wait_for("None of these")
    assert "Another questionnaire is running on this journal" in " ".join(shown.split())
    assert "Carry on with it?" not in shown  # the running one's draft is not offered
    second.keys("5", ENTER)  # a high temperature: urgent, and the questions go on
    second.wait_for("going into your legs")
    for screen in (second, first):
        screen.keys("C-c")
        assert "Your answers so far are kept" in " ".join(screen.wait_for("EXIT=130").split())
    with Journal(Path(env["SPASM_TRIAGE_JOURNAL"])) as journal:
        fevers = sorted(d.answers["fever"] for d in journal.drafts())
    assert fevers == ["no", "yes"]  # two drafts, each with its own answers
    first.stop()
    first.start(f"{COMMAND} --resume", cwd, env)
    shown = first.wait_for("Which one?")
    assert "You have 2 unfinished questionnaires" in shown
    first.keys(ENTER)  # untouched: nothing is chosen
    first.wait_for("Nothing is chosen yet")
    first.keys("1", ENTER)  # the most recent: the second one's
    shown = first.wait_for("going into your legs")
    assert "Carrying on from your answers" in shown


def _emergency_and_done(screen: Screen) -> str:
    screen.wait_for("None of these")
    screen.keys("1", ENTER)  # numbness between the legs: an emergency, so it ends at once
    screen.wait_for("Pressed the wrong key?")
    screen.keys("a", ENTER)  # show all my advice
    screen.wait_for("Anything else?")
    screen.keys(ENTER)  # done
    return screen.wait_for("EXIT=0")


def test_an_unreadable_draft_is_named_kept_and_the_questions_still_come(screens) -> None:  # type: ignore[no-untyped-def]
    screen, _, env, cwd = screens
    path = sound(Path(env["SPASM_TRIAGE_JOURNAL"]))
    damage(path, "bad_draft")
    before = path.read_bytes()
    screen.start(COMMAND, cwd, env)
    shown = " ".join(screen.wait_for("Discard it and carry on").split())
    assert "unfinished questionnaire (draft 1) cannot be read" in shown
    screen.keys(ENTER)  # untouched: nothing is chosen, nothing discarded
    screen.wait_for("Nothing is chosen yet")
    screen.keys("n", ENTER)  # keep it
    shown = _emergency_and_done(screen)
    assert "Go to an emergency department now" in shown and "Traceback" not in shown
    assert path.read_bytes() == before  # kept exactly as it was
    screen.stop()
    screen.start(COMMAND, cwd, env)
    screen.wait_for("Discard it and carry on")
    screen.keys("y", ENTER)  # the person's word: discard it
    _emergency_and_done(screen)
    with Journal(path) as journal:  # sound again, and this consultation is in it
        assert journal.drafts() == [] and len(journal.entries()) == 4
