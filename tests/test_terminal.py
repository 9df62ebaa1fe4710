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

from triage.knowledge import loading

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

    def start(
        self, command: str, cwd: Path, env: dict[str, str], size: tuple[int, int] = (100, 60)
    ) -> None:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            "-c",
            str(cwd),
            f"env {exports} {command}; echo EXIT=$?; sleep 600",
        )

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", self.name)

    def visible(self) -> str:
        """What is on the screen now, and nothing that has scrolled off it."""
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_on_screen(self, words: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.visible()
            if words in seen:
                time.sleep(0.3)  # the whole screen drawn
                return self.visible()
            time.sleep(0.1)
        raise AssertionError(f"{words!r} never on the screen; it shows:\n{self.visible()}")

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
# The installed console script, as a person runs it.
INSTALLED = str(Path(sys.executable).with_name("spasm-triage"))
WAY_BACK = "Pressed the wrong key?"


def action_for(given: dict[str, object]) -> str:
    """The action of the advice for these answers, as the rules give it."""
    from triage import ranking
    from triage.answers import from_mapping
    from triage.engine import Engine
    from triage.knowledge import loading

    kb = loading.load()
    parsed = from_mapping(given, kb)
    return ranking.rank(kb, parsed, Engine(kb).consult(parsed)).action or ""


def draft(env: dict[str, str]) -> dict[str, object] | None:
    """The unfinished questionnaire kept in the test's journal, if any."""
    from triage.journal import Journal

    path = Path(env["SPASM_TRIAGE_JOURNAL"])
    if not path.exists():
        return None
    with Journal(path) as journal:
        saved = journal.drafts()
    return dict(saved[0].answers) if saved else None


def test_an_emergency_sign_stops_the_questions_and_says_what_to_do(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env)
    screen.wait_for("not a diagnosis")
    screen.wait_for("None of these")
    screen.keys("1", ENTER)  # numbness between the legs, ticked on the first checklist
    shown = screen.wait_for(WAY_BACK)
    assert "Go to an emergency department now" in shown.split(WAY_BACK)[0]
    assert "going into your legs" not in shown  # the next question was never asked
    screen.keys("a", ENTER)  # show all my advice
    shown = screen.wait_for("Anything else?")
    assert "Emergency" in shown
    screen.keys(ENTER)  # Done
    screen.wait_for("EXIT=0")


def test_the_first_screen_drawn_before_the_rules_load_is_the_same_and_answers_the_same(
    terminal,
) -> None:  # type: ignore[no-untyped-def]
    """The first run loads the rules before its first screen and stores that screen; the next
    draws it from the store while the rules load (triage/first_screen.py). A person sees the
    same screen, and a sign ticked on it stops the questions all the same."""
    screen, env, cwd = terminal
    shots = []
    for run in range(2):
        shown = Screen(screen.socket, f"run{run}")
        shown.start(INSTALLED, cwd, env, size=(80, 40))
        shots.append(shown.wait_on_screen("None of these"))
        if run == 0:
            shown.keys("C-c")
            shown.wait_for("EXIT=130")
            shown.stop()
    assert list((cwd / "cache" / "kb").glob("*.first.json"))  # the second was drawn early
    assert shots[0] == shots[1]
    signs = _first_checklist()
    shown.keys("1", ENTER)  # the first sign of the first checklist
    seen = shown.wait_for(WAY_BACK)
    assert draft(env) == {q: "yes" if q == signs[0] else "no" for q in signs}
    assert flat(action_for(draft(env) or {})) in flat(seen)  # the action of that sign
    shown.keys(ENTER)  # Done
    shown.wait_for("EXIT=0")


def test_enter_pressed_20_times_from_launch_records_nothing_and_shows_no_emergency(
    terminal,
) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env)
    screen.wait_for("None of these")
    screen.keys(*[ENTER] * 20)
    shown = screen.wait_for("Nothing is ticked yet")
    # Below the intro, which names an emergency department in what the tool is (on one line
    # or two, as the terminal's width has it): no emergency advice, no next question.
    asked = shown.split("Signs of serious trouble", 1)[1]
    assert "emergency department" not in asked.lower() and "going into your legs" not in asked
    assert draft(env) is None  # no answer was kept
    screen.keys("C-c")
    shown = screen.wait_for("EXIT=130")
    assert "Traceback" not in shown and draft(env) is None


def _first_checklist() -> list[str]:
    """The signs of the red-flag screen's first checklist, in the order shown."""
    kb = loading.load()
    first = next(q for q in kb.questions.values() if q.section == "red_flags")
    return list(kb.groups[str(first.group)].questions)


def test_a_grouped_red_flag_screen_with_one_sign_ticked_stops_at_once(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env)
    screen.wait_for("None of these")
    screen.keys("4", ENTER)  # tummy or chest pain, faintness...: the collapse signs
    shown = screen.wait_for(WAY_BACK)
    assert "going into your legs" not in shown
    # Each sign is its own answer: the one ticked is yes, the others no (the checklist's signs
    # are read from the rules).
    signs = _first_checklist()
    assert signs[3] == "collapse_signs"
    assert draft(env) == {q: "yes" if q == "collapse_signs" else "no" for q in signs}
    assert flat(action_for(draft(env) or {})) in flat(shown)  # the action of that sign
    # A mis-keyed tick can be put right without losing sight of the advice.
    screen.keys("c", ENTER)
    screen.wait_for("Which answer?")
    screen.keys("4", ENTER)  # the fourth answer: the collapse signs
    screen.wait_for("Along with the back pain")
    screen.keys("n", ENTER)
    screen.wait_for("going into your legs")
    screen.keys("C-c")
    screen.wait_for("EXIT=130")
    assert draft(env)["collapse_signs"] == "no"  # type: ignore[index]


def test_ctrl_c_inside_a_checklist_keeps_the_answers_and_resume_carries_on_there(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env)
    screen.wait_for("None of these")
    screen.keys("0", ENTER)  # none of these
    screen.wait_for("going into your legs")
    screen.keys("1", ENTER)  # No
    screen.wait_for("How old are you")
    screen.keys("3", "4", ENTER)
    screen.wait_for("Do any of these apply to you?")
    screen.keys("2")  # ticked, not yet taken with Enter
    screen.keys("C-c")
    shown = screen.wait_for("EXIT=130")
    assert "spasm-triage --resume" in shown and "Traceback" not in shown
    kept = draft(env)
    assert kept is not None and kept["age"] == 34 and kept["leg_symptoms"] == "none"
    assert "steroid_injections" not in kept  # a tick without Enter is no answer
    screen.stop()

    screen.start(f"{INSTALLED} --resume", cwd, env)
    shown = screen.wait_for("Do any of these apply to you?")
    assert "Carrying on from your answers" in shown
    assert "How old are you" not in shown.split("Carrying on")[1]  # not asked again
    screen.keys("0", ENTER)
    screen.wait_for("Is your pain like any of these?")
    screen.keys("C-c")
    screen.wait_for("EXIT=130")


def test_n_and_enter_at_the_carry_on_prompt_neither_discards_nor_answers(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env)
    screen.wait_for("None of these")
    screen.keys("0", ENTER)
    screen.wait_for("going into your legs")
    screen.keys("C-c")
    screen.wait_for("EXIT=130")
    saved = draft(env)
    assert saved is not None and len(saved) == len(_first_checklist())
    screen.stop()

    screen.start(INSTALLED, cwd, env)
    screen.wait_for("Carry on with it?")
    screen.keys(ENTER)  # untouched: nothing happens
    shown = screen.wait_for("Nothing is chosen yet")
    screen.keys("n", ENTER)  # a habit: starts again, as the choice says
    shown = screen.wait_for("None of these")
    asked = shown.split("Carry on with it?")[1]
    assert "Nothing is ticked yet" not in asked  # the Enter did not reach the checklist
    assert draft(env) == saved  # kept until a new answer replaces it
    screen.keys("C-c")
    screen.wait_for("EXIT=130")
    assert draft(env) == saved


def answer_whatever_is_asked(screen: Screen, until: str) -> str:
    """None of a checklist, the first choice of a list, '?' for a number, until `until`."""
    deadline = time.monotonic() + 90
    seen = 0
    while True:
        assert time.monotonic() < deadline, screen.text()
        shown = screen.text()
        if until in shown:
            return shown
        prompts = shown.count("? ")
        if prompts == seen:
            time.sleep(0.2)
            continue
        seen = prompts
        lines = shown.rstrip().splitlines()
        last = max(i for i, line in enumerate(lines) if line.startswith("? "))
        text = "\n".join(lines[last:])  # the prompt on screen now
        if "None of these" in text:
            screen.keys("0", ENTER)
        elif "? if you don't know" in text:
            screen.keys("?", ENTER)
        elif "Choose with" in text or "[1]" in text or "[y]" in text:
            screen.keys("1" if "[1]" in text else "y", ENTER)
        time.sleep(0.3)


def test_prefilled_answers_lead_to_review_results_and_a_saved_report(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    answers = cwd / "answers.yaml"
    # Every red-flag sign asked of everyone, answered no (read from the rules).
    flags = [
        q.id
        for q in loading.load().questions.values()
        if q.section == "red_flags" and q.type == "yes_no" and q.ask_if is None
    ]
    answers.write_text(
        (CASES / "bench_op.yaml").read_text()
        + "".join(f"{f}: no\n" for f in flags)
        + "leg_symptoms: none\nage: 30\n"
    )
    screen.start(f"{INSTALLED} --answers answers.yaml --interactive --save report.md", cwd, env)
    shown = answer_whatever_is_asked(screen, "Your answers are above")
    assert "Signs of serious trouble" not in shown  # the file answered the whole screen
    screen.keys("a", ENTER)  # See my advice (now)
    shown = screen.wait_for("Anything else?")
    assert "What would change this advice" in shown and "Sources:" in shown
    # The screen points to what is on the screen, not to a command-line flag.
    assert "more ('m' below shows them)" in shown and "--full" not in shown
    assert "Not answered" not in shown  # the whole red-flag screen was answered
    screen.keys("s", ENTER)  # Show why and sources
    screen.wait_on_screen("Back to my advice")
    shown = read_on(screen)
    # (No "Where the advice disagrees" here: the quick path now asks whether his back feels
    # tight or he stretches it, and left unticked, the stretching argument is not his.)
    assert "unnamed reply 1" in shown  # sources are shown
    screen.keys("d", ENTER)
    screen.wait_for("EXIT=0")
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
    shown = screen.wait_for("None of these")
    assert "the journal cannot be read" in " ".join(shown.split())
    screen.keys("1", ENTER)  # an emergency, so it ends at once
    screen.wait_for(WAY_BACK)
    screen.keys("a", ENTER)
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
    # The questionnaire's keys: to the fourth suggestion by its number (keep moving,
    # stay_active, after the three that fit this lifter), y ticks it, then Enter; y, then Enter.
    shown = screen.wait_for("0 none; then Enter.")
    assert "Space to tick" not in shown
    screen.keys("4", "y", ENTER)
    screen.wait_for("Did it help")
    screen.keys("y", ENTER)
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


def test_the_readme_shows_the_first_screen_of_the_questionnaire(terminal) -> None:  # type: ignore[no-untyped-def]
    """The README's sample of the questionnaire is the first screen as it is drawn, 80 columns
    wide, in a real terminal."""
    import re

    screen, env, cwd = terminal
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    marker = "checked by tests/test_terminal.py::test_the_readme_shows_the_first_screen"
    (shown,) = re.findall(r"```text\n(.*?)```", readme[readme.index(marker) :], re.S)[:1]
    narrow = Screen(screen.socket, "narrow")  # the same server, a terminal 80 columns wide
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    narrow.tmux(
        "new-session",
        "-d",
        "-s",
        "narrow",
        "-x",
        "80",
        "-y",
        "40",
        "-c",
        str(cwd),
        f"env {exports} {INSTALLED}; sleep 600",
    )
    narrow.wait_for("None of these")
    time.sleep(0.5)  # the whole screen drawn
    drawn = narrow.tmux("capture-pane", "-p", "-t", "narrow")
    lines = lambda text: [line.rstrip() for line in text.rstrip().splitlines()]  # noqa: E731
    assert lines(drawn) == lines(shown)


def test_forget_deletes_the_journal_only_after_y_and_then_enter(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    journal = Path(env["SPASM_TRIAGE_JOURNAL"])
    subprocess.run(
        [*COMMAND.split(), "--answers", str(CASES / "bench_op.yaml")],
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
    )
    assert journal.exists()
    screen.start(f"{INSTALLED} history --forget", cwd, env)
    screen.wait_for("Delete your spasm journal")
    screen.keys("y")  # a single careless key deletes nothing
    time.sleep(1)
    assert journal.exists() and "EXIT=" not in screen.text()
    screen.keys(ENTER)
    screen.wait_for("EXIT=0")
    assert not journal.exists()


def test_without_a_journal_the_intro_does_not_promise_to_keep_the_answers(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(f"{INSTALLED} --no-journal", cwd, env)
    shown = " ".join(screen.wait_for("None of these").replace("│", " ").split())
    assert "your answers are not kept" in shown and "--resume" not in shown


# ---- issue 18: a result that fits the screen it is on; issue 19: small terminals ----

SIZES = [(80, 24), (100, 45)]
BOX = str.maketrans({c: " " for c in "│╭╮╰╯─"})


def flat(text: str) -> str:
    """A screen's words, one line: the boxes' borders and the wrapping gone."""
    return " ".join(text.translate(BOX).split())


def read_on(screen: Screen) -> str:
    """Everything a reader of the result view sees, paging through it with Space."""
    import re

    seen = [screen.visible()]
    for _ in range(40):
        where = re.search(r"Lines (\d+)-(\d+) of (\d+)", seen[-1])
        if where is None or where[2] == where[3]:
            break
        screen.keys("Space")
        time.sleep(0.3)
        seen.append(screen.visible())
    return "\n".join(seen)


def person(tier: str) -> dict[str, object]:
    """Answers whose result is at `tier`: the bench-thread poster without red flags for
    self-care; else the first case of the bank's red-flag file at that tier, its other warning
    signs answered no."""
    import yaml
    from conftest import NO_RED_FLAGS

    from triage import ranking
    from triage.answers import from_mapping
    from triage.engine import Engine
    from triage.knowledge import loading

    kb = loading.load()
    engine = Engine(kb)
    base: dict[str, object] = dict(NO_RED_FLAGS)
    if tier == "self_care":
        return {**base, **yaml.safe_load((CASES / "bench_op.yaml").read_text())}
    bank = yaml.safe_load((CASES / "bank" / "red_flags.yaml").read_text())["cases"]
    for case in bank:
        given = {**base, **case["answers"]}
        parsed = from_mapping(given, kb)
        if ranking.rank(kb, parsed, engine.consult(parsed)).tier == tier:
            return given
    raise AssertionError(f"no case of the bank's red flags is {tier}")


def to_the_result(screen: Screen, cwd: Path, env: dict[str, str], tier: str, size: tuple[int, int]) -> str:
    import yaml

    (cwd / "answers.yaml").write_text(yaml.safe_dump(person(tier)))
    screen.start(f"{INSTALLED} --answers answers.yaml --interactive", cwd, env, size)
    stop = WAY_BACK if tier == "emergency" else "Your answers are above"
    answer_whatever_is_asked(screen, stop)
    screen.keys("a", ENTER)  # see my advice (now); on the emergency screen: show all my advice
    return screen.wait_on_screen("Anything else?")


def recorded_action(env: dict[str, str]) -> tuple[str, str]:
    """The tier's title and the action of the consultation the journal kept: the result shown."""
    from triage.journal import Journal
    from triage.knowledge import loading

    kb = loading.load()
    with Journal(Path(env["SPASM_TRIAGE_JOURNAL"])) as journal:
        (entry,) = journal.entries()
    assert entry.tier is not None
    top = kb.suggestions[entry.advice[0]["suggestion"]]
    return kb.about.tiers[entry.tier].title, top.action or kb.about.tiers[entry.tier].action


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("tier", ["self_care", "urgent", "emergency"])
def test_the_action_is_on_the_screen_when_the_result_appears(  # type: ignore[no-untyped-def]
    terminal, tier: str, size: tuple[int, int]
) -> None:
    screen, env, cwd = terminal
    shown = to_the_result(screen, cwd, env, tier, size)
    title, action = recorded_action(env)  # kept once the result was on the screen
    assert f"spasm-triage: {title}" in shown and flat(action) in flat(shown), shown
    # The result's top is on the screen: its title, the action right under it.
    lines = shown.splitlines()
    at = next(i for i, line in enumerate(lines) if f"spasm-triage: {title}" in line)
    assert flat(action) in flat("\n".join(lines[at : at + 4])), shown
    screen.keys("d", ENTER)
    done = screen.wait_for("EXIT=0")
    assert flat(action) in flat(done.split("Anything else?")[-2])  # still on the screen after Done


def test_show_why_and_sources_comes_back_to_the_menu(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    to_the_result(screen, cwd, env, "self_care", (80, 24))
    _, action = recorded_action(env)
    screen.keys("s", ENTER)
    full = screen.wait_on_screen("Back to my advice")
    assert flat(action) in flat(full) and "confidence" in full  # opens at its top, in full
    everything = read_on(screen)
    assert "Sources" in everything and "https://" in everything
    assert "EXIT=" not in screen.text()  # still running: the menu is there
    screen.keys("a", ENTER)  # back to my advice
    short = screen.wait_on_screen("Show why and sources")
    assert flat(action) in flat(short) and "confidence" not in short
    hidden = [line for line in short.splitlines() if "[m] Show" in line]
    if hidden:  # the hidden items open in place, numbered on from the last one shown
        screen.keys("m", ENTER)
        time.sleep(0.5)
        opened = read_on(screen)
        assert "more ('m' below shows them)" not in opened
    screen.keys("d", ENTER)
    screen.wait_for("EXIT=0")


def test_the_emergency_screen_states_its_action_once_and_offers_done(terminal) -> None:  # type: ignore[no-untyped-def]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env, (80, 24))
    screen.wait_for("None of these")
    screen.keys("1", ENTER)  # the first warning sign of the first checklist: an emergency
    shown = screen.wait_on_screen(WAY_BACK)
    box = flat(shown.split(WAY_BACK)[0].split("Emergency: get help now")[-1])
    assert "[d] Done" in shown and "[c] Change an answer" in shown
    screen.keys("d", ENTER)
    done = screen.wait_for("EXIT=0")
    title, action = recorded_action(env)  # the consultation is kept, as after any result
    assert title in shown and box.count(flat(action)) == 1
    # The action's opening words are said once: the item under it goes on from there.
    opening = " ".join(flat(action).split()[:5])
    assert box.count(opening) == 1, box
    assert "Anything else?" not in done  # Done is done: no result view after it


@pytest.mark.parametrize("size", [(80, 20), (60, 24)], ids=["80x20", "60x24"])
def test_on_a_small_terminal_every_sign_of_a_checklist_is_on_screen_when_pointed_at(  # type: ignore[no-untyped-def]
    terminal, size: tuple[int, int]
) -> None:
    from triage.knowledge import loading

    kb = loading.load()
    first = next(s for s in kb.sections if s.always_ask)
    group = next(g for g in kb.groups.values() if kb.questions[g.questions[0]].section == first.id)
    labels = [kb.questions[q].sign or kb.questions[q].ask for q in group.questions]
    screen, env, cwd = terminal
    screen.start(INSTALLED, cwd, env, size)
    shown = screen.wait_on_screen(" 1 [ ] ")
    assert "more lines below" in shown  # the list is taller than the screen, and says so
    for index, label in enumerate([*labels, "None of these"]):
        screen.keys(DOWN)
        time.sleep(0.2)
        shown = screen.visible()
        pointed = next(line for line in shown.splitlines() if "»" in line)
        assert " ".join(label.split()[:2]) in pointed, (index, shown)
        assert len(shown.splitlines()) <= size[1]
    screen.keys("Up", "y", ENTER)  # the last sign, ticked where it can be seen
    deadline = time.monotonic() + 30
    while (draft(env) or {}).get(group.questions[-1]) != "yes":
        assert time.monotonic() < deadline, (draft(env), screen.visible())
        time.sleep(0.2)
    assert [q for q, v in (draft(env) or {}).items() if v == "yes"] == [group.questions[-1]]
    screen.keys("C-c")


@pytest.mark.parametrize("tier", ["self_care", "urgent"])
def test_after_done_the_whole_result_stays_in_the_scrollback(terminal, tier: str) -> None:  # type: ignore[no-untyped-def]
    """At 80x24 the result is taller than the screen: after Done, the terminal's scrollback
    holds the action, every item of the advice and the safety net, not only the window that
    was showing."""
    from triage.journal import Journal
    from triage.knowledge import loading

    screen, env, cwd = terminal
    to_the_result(screen, cwd, env, tier, (80, 24))
    screen.keys("Space")  # read on a little, as a person does
    screen.keys("d", ENTER)
    screen.wait_for("EXIT=0")
    kept = flat(screen.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", screen.name))
    kb = loading.load()
    with Journal(Path(env["SPASM_TRIAGE_JOURNAL"])) as journal:
        (entry,) = journal.entries()
    _, action = recorded_action(env)
    after = kept.split(flat(action))[-1]  # from the last time the action is said
    assert flat(action) in kept
    shown = [kb.suggestions[a["suggestion"]] for a in entry.advice]
    assert any(s.safety_net for s in shown)
    for suggestion in shown:
        opening = " ".join(flat(suggestion.short_text).split()[:6])
        assert opening in after, (suggestion.id, after)
    assert after.rstrip().endswith("Anything else? Done EXIT=0")
