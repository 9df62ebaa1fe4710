"""End to end in a real terminal: tmux runs the installed `spasm-triage` in a pseudo-terminal,
the test types keys and reads the rendered screen, as a person would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CASES

if not shutil.which("tmux"):
    if os.environ.get("CI"):
        pytest.fail("tmux is needed for the terminal tests in CI", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)

DOWN, ENTER = "Down", "Enter"


class Screen:
    def __init__(self, socket: str, name: str) -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return done.stdout

    def start(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            "100",
            "-y",
            "60",
            "-c",
            str(cwd),
            f"env {exports} {command}; echo EXIT=$?; sleep 600",
        )

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", self.name)

    def wait_for(self, words: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.text()
            if words in seen:
                return seen
            time.sleep(0.1)
        raise AssertionError(f"{words!r} never appeared; the screen shows:\n{self.text()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def stop(self) -> None:
        self.tmux("kill-session", "-t", self.name)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Screen, dict[str, str], Path]]:
    socket = f"spasm-triage-test-{os.getpid()}"
    env = {
        "SPASM_TRIAGE_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "SPASM_TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    screen = Screen(socket, "t")
    # A session that outlives the test's own: killing the last session stops the tmux server,
    # and a new session started while it shuts down fails.
    screen.tmux("new-session", "-d", "-s", "keep", "sleep 600")
    yield screen, env, tmp_path
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=30)


COMMAND = f"{sys.executable} -m triage"


def test_an_emergency_sign_stops_the_questions_and_says_what_to_do(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(COMMAND, cwd, env)
    screen.wait_for("not a diagnosis")
    screen.wait_for("why we ask:")
    screen.keys(ENTER)  # "Yes" to numbness between the legs
    shown = screen.wait_for("Anything else?")
    assert "Go to an emergency department now" in shown
    screen.keys(ENTER)  # Done
    shown = screen.wait_for("EXIT=0")
    assert "Since the back pain started" not in shown  # the next question was never asked


def test_ctrl_c_keeps_the_answers_and_resume_carries_on(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(COMMAND, cwd, env)
    screen.wait_for("why we ask:")
    screen.keys(DOWN, ENTER)  # No
    screen.wait_for("trouble peeing")
    screen.keys(DOWN, ENTER)  # No
    screen.wait_for("going into your legs")
    screen.keys("C-c")
    shown = screen.wait_for("EXIT=130")
    assert "spasm-triage --resume" in shown and "Traceback" not in shown
    screen.stop()

    screen.start(f"{COMMAND} --resume", cwd, env)
    shown = screen.wait_for("going into your legs")
    assert "Carrying on from your answers" in shown
    assert "trouble peeing" not in shown.split("Carrying on")[1]  # not asked again
    screen.keys(DOWN, DOWN, DOWN, ENTER)  # Yes, both legs
    screen.wait_for("Anything else?")
    screen.keys(ENTER)  # Done
    shown = screen.wait_for("EXIT=0")
    assert "emergency department" in shown


def test_prefilled_answers_lead_to_review_results_and_a_saved_report(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    answers = cwd / "answers.yaml"
    flags = [
        "saddle_numbness",
        "bladder_bowel_change",
        "leg_weakness",
        "major_trauma",
        "collapse_signs",
        "kidney_pain_pattern",
        "upper_back_pain",
        "worse_on_straining",
        "fever",
        "infection_risk",
        "cancer_history",
        "weight_loss",
        "night_pain",
        "bone_risk",
    ]
    answers.write_text(
        (CASES / "bench_op.yaml").read_text()
        + "".join(f"{f}: no\n" for f in flags)
        + "leg_symptoms: none\nage: 30\n"
    )
    screen.start(f"{COMMAND} --answers answers.yaml --interactive --save report.md", cwd, env)
    # Only what the file leaves open is asked; answer each with the first choice or a blank.
    deadline = time.monotonic() + 60
    while "Your answers are above" not in screen.text():
        assert time.monotonic() < deadline, screen.text()
        screen.wait_for("?")
        if "Your answers are above" in screen.text():
            break
        screen.keys(ENTER)
        time.sleep(0.2)
    screen.keys(ENTER)  # See my advice
    shown = screen.wait_for("Anything else?")
    assert "What would change this advice" in shown and "Sources:" in shown
    screen.keys(DOWN, ENTER)  # Show why and sources
    shown = screen.wait_for("EXIT=0")
    assert "Where the advice disagrees" in shown
    assert "unnamed reply 1" in shown  # sources are shown
    report = (cwd / "report.md").read_text()
    assert report.startswith("# spasm-triage") and "banded good mornings" in report.lower()
    # The finished questionnaire is in the journal, and no draft is left behind.
    from triage.journal import Journal

    with Journal(Path(env["SPASM_TRIAGE_JOURNAL"])) as journal:
        (entry,) = journal.entries()
        assert entry.answers["on_program"] == "yes" and journal.drafts() == []


def test_without_a_terminal_it_points_to_answers_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "triage"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr and "--answers FILE" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_damaged_journal_is_named_left_alone_and_the_questionnaire_still_runs(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    journal = Path(env["SPASM_TRIAGE_JOURNAL"])
    journal.write_bytes(b"this is not a database\n" * 100)
    before = journal.read_bytes()
    screen.start(COMMAND, cwd, env)
    shown = screen.wait_for("why we ask:")
    assert "the journal cannot be read" in " ".join(shown.split())
    screen.keys(ENTER)  # Yes: an emergency, so it ends at once
    screen.wait_for("Anything else?")
    screen.keys(ENTER)  # Done
    screen.wait_for("EXIT=0")
    assert journal.read_bytes() == before  # never written to, moved or deleted


def test_follow_up_asks_what_was_tried_and_whether_it_helped(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    done = subprocess.run(
        [sys.executable, "-m", "triage", "--answers", str(CASES / "bench_op.yaml")],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0
    screen.start(f"{COMMAND} follow-up", cwd, env)
    screen.wait_for("which of these did you try?")
    # The fourth suggestion: keep moving (stay_active), after the three that fit this lifter.
    screen.keys("Down", "Down", "Down", "Space", ENTER)
    screen.wait_for("Did it help")
    screen.keys(ENTER)  # Yes
    shown = screen.wait_for("EXIT=0")
    assert "helped: Keep moving gently" in shown
    history = subprocess.run(
        [sys.executable, "-m", "triage", "history", "--format", "json"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    helped = [a["suggestion"] for a in json.loads(history.stdout)[0]["advice"] if a["helped"]]
    assert helped == ["stay_active"]
