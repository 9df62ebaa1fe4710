"""The first screen drawn before the rules are loaded (triage/first_screen.py): it is the screen
the rules ask for, an answer given on it counts only when the loaded rules ask exactly that
checklist first, and nothing stored for it can leave a red flag out."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from triage import first_screen, prompts, questionnaire
from triage.journal import Journal
from triage.knowledge import cache
from triage.knowledge.rule_files import shipped_rules_dir
from triage.model import KnowledgeBase
from triage.questionnaire import Session
from triage.relevance import Progress
from triage.terminal import Terminal

ENTER = "\r"


def _session(kb: KnowledgeBase, pipe: Any, shown: Any = None) -> Session:
    import io

    terminal = Terminal(Console(file=io.StringIO(), width=100), pipe, DummyOutput())
    session = Session(kb, terminal, Progress())
    if shown is not None:
        session.screens.early, session.screens.early_heading = shown, True
    return session


class _Asked(Exception):
    pass


def _first_checklist(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the questionnaire, with no answers, shows on its first checklist."""
    seen: dict[str, Any] = {}

    def capture(message: str, rows: Any, instruction: str = "", **kw: Any) -> Any:
        seen.update(message=message, instruction=instruction, rows=[[r.value, r.label] for r in rows])
        raise _Asked

    monkeypatch.setattr(prompts, "checklist", capture)
    with create_pipe_input() as pipe, pytest.raises(_Asked):
        _session(kb, pipe).run()
    monkeypatch.undo()
    return seen


def test_the_stored_first_screen_is_the_questionnaires_first_checklist(
    shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = questionnaire.first_screen(shipped)
    assert screen is not None
    shown = _first_checklist(shipped, monkeypatch)
    assert {k: screen[k] for k in ("message", "instruction", "rows")} == shown
    first = next(s for s in shipped.sections if s.always_ask)
    assert screen["section"] == first.title and screen["intro"] == shipped.about.intro
    # Every sign of that checklist is a red-flag question of the rules.
    assert all(shipped.questions[qid].section == first.id for qid, _ in screen["rows"])


def test_a_tick_on_the_early_screen_is_the_checklists_answer(shipped: KnowledgeBase) -> None:
    """A sign ticked before the rules were loaded stops the questions as one ticked after."""
    screen = questionnaire.first_screen(shipped)
    assert screen is not None
    sign = screen["rows"][0][0]
    with create_pipe_input() as pipe:
        pipe.send_text("d" + ENTER)  # Done, on the emergency screen
        session = _session(shipped, pipe, (screen, {sign: "yes"}))
        result = session.run()
    assert result.tier == "emergency"
    assert session.progress.order[: len(screen["rows"])] == [qid for qid, _ in screen["rows"]]
    assert session.progress.values[sign] == (shipped.questions[sign].tick or "yes")


@pytest.mark.parametrize("change", ["a sign left out", "a sign reworded", "another group"])
def test_an_early_screen_unlike_the_rules_first_checklist_is_asked_again(
    shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A stored screen that is stale or was tampered with is never taken as the answer: the
    rules' own checklist is asked, every sign on it."""
    screen = questionnaire.first_screen(shipped)
    assert screen is not None
    stale = copy.deepcopy(screen)
    if change == "a sign left out":
        stale["rows"] = stale["rows"][1:]
    elif change == "a sign reworded":
        stale["rows"][0][1] = "Nothing to worry about"
    else:
        stale["group"] = "something_else"
    asked: list[list[str]] = []

    def prompt(message: str, rows: Any, *args: Any, **kw: Any) -> Any:
        asked.append([r.value for r in rows])
        raise _Asked

    monkeypatch.setattr(prompts, "checklist", prompt)
    monkeypatch.setattr(prompts, "choose", prompt)  # the question after it, were it skipped
    with create_pipe_input() as pipe, pytest.raises(_Asked):
        _session(shipped, pipe, (stale, {})).run()  # "none of these" on the stale screen
    assert asked == [[qid for qid, _ in screen["rows"]]]


def test_the_first_screen_is_stored_sealed_per_set_of_rule_files(
    shipped: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    rules = [shipped_rules_dir()]
    assert first_screen.stored(rules, None) is None  # nothing stored yet
    first_screen.remember(rules, shipped)
    found = first_screen.stored(rules, None)
    assert found is not None and found[0] == questionnaire.first_screen(shipped)
    (entry,) = (tmp_path / "cache" / "kb").glob("*.first.json")
    # Edited by hand (a sign dropped): the seal no longer matches, and nothing is drawn early.
    raw = entry.read_bytes()
    entry.write_bytes(raw.replace(found[0]["rows"][0][0].encode(), b"x", 1))
    assert first_screen.stored(rules, None) is None
    # Stored for other rule files: not these.
    first_screen.remember(rules, shipped)
    stamp = cache.stamp_of(rules)
    assert stamp is not None
    assert cache.first_screen([*stamp[:2], []]) is None


def test_no_early_screen_when_an_unfinished_questionnaire_waits(
    shipped: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first question is then whether to carry on with it."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    rules = [shipped_rules_dir()]
    first_screen.remember(rules, shipped)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        assert first_screen.stored(rules, journal) is not None
        journal.save_draft(None, {"fever": "no"}, [])
        assert first_screen.stored(rules, journal) is None


PROBE = """
import sys
from triage import prompts
from triage.cli import main

def checklist(*args, **kwargs):
    heavy = ("triage.model", "triage.knowledge.loading", "rich", "experta", "yaml")
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.__stderr__)
    raise KeyboardInterrupt

import json
prompts.checklist = checklist
sys.exit(main([]))
"""


def _loaded_at_first_checklist(env: dict[str, str]) -> list[str]:
    """The heavy modules imported when the questionnaire draws its first checklist, on a real
    pseudo-terminal."""
    main, child = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE],
            stdin=child,
            stdout=child,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            text=True,
        )
    finally:
        os.close(child)
        os.close(main)
    assert done.returncode == 130, done.stderr
    loaded: list[str] = json.loads(done.stderr.splitlines()[0])
    return loaded


def test_with_the_rules_unchanged_the_first_checklist_waits_for_no_rules_or_rich(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        cache.ENV: str(tmp_path / "cache"),
        "SPASM_TRIAGE_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "TERM": "xterm",
    }
    first = _loaded_at_first_checklist(env)  # loads the rules, and stores the first screen
    assert "triage.model" in first
    assert _loaded_at_first_checklist(env) == []


def test_the_early_screen_answers_the_first_prompt_only(
    shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the rules' first prompt anything else, the checklist drawn early answers nothing:
    the same checklist asked later is asked."""
    screen = questionnaire.first_screen(shipped)
    assert screen is not None
    group = shipped.groups[screen["group"]]
    signs = [shipped.questions[qid] for qid, _ in screen["rows"]]
    other = next(q for q in shipped.questions.values() if q.group is None and not q.journal)
    asked: list[str] = []

    def checklist(message: str, rows: Any, *args: Any, **kw: Any) -> Any:
        asked.append(message)
        return {}

    monkeypatch.setattr(prompts, "checklist", checklist)
    monkeypatch.setattr(questionnaire, "prompt", lambda *args: (None, None))
    with create_pipe_input() as pipe:
        frontend = _session(shipped, pipe, (screen, {signs[0].id: "yes"})).screens
        frontend.ask(other, Progress())
        given = frontend.ask_group(group, signs, Progress())
    assert asked == [group.ask] and given[signs[0].id] == "no"
