"""The questionnaire's first screen, drawn before the rules are loaded.

The first thing a person sees is the intro and the red-flag checklist. Loading the rules (the
model's classes, the snapshot's objects) and importing what the later screens need takes longer
than importing the prompts themselves, so a run whose rules have not changed since the last one
draws that screen from what the last run stored beside the rules' snapshot (triage/knowledge/cache.py),
and loads the rules in a thread while the person reads it.

What is drawn is only ever a hint: the answer given on it is used once the rules are loaded,
and only if they ask exactly that checklist first (triage/questionnaire.py); anything else is
asked again. So a stale or damaged stored screen can cost a second look at a checklist, never
a red flag left out. This module imports neither the model nor rich."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage import headings, prompts
from triage.knowledge import cache

if TYPE_CHECKING:
    from triage.journal import Journal
    from triage.model import KnowledgeBase
    from triage.relevance import Planner
    from triage.terminal import Terminal


def stored(rules: list[Path], journal: Journal | None) -> tuple[dict[str, Any], list[Any]] | None:
    """The first screen the last run stored for these exact rule files, and their stamp; None
    when there is none, or when the journal holds an unfinished questionnaire (the first
    question is then whether to carry on with it)."""
    if journal is not None:
        import sqlite3

        try:
            if journal.drafts():
                return None
        except (sqlite3.Error, UnicodeError):
            return None  # said, and handled, where the drafts are offered
    stamp = cache.stamp_of(rules)
    if stamp is None:
        return None
    screen = cache.first_screen(stamp)
    return (screen, stamp) if _well_formed(screen) else None


def remember(rules: list[Path], kb: KnowledgeBase) -> None:
    """Store the first screen of these rules for the next run, unless it is stored already."""
    from triage import questionnaire

    stamp = cache.stamp_of(rules)
    if stamp is None:
        return
    with contextlib.suppress(Exception):  # a hint for the next run: never this run's fault
        screen = questionnaire.first_screen(kb)
        if screen is not None and cache.first_screen(stamp) != screen:
            cache.store_first_screen(stamp, screen)


def _well_formed(screen: Any) -> bool:
    texts = ("intro", "section", "group", "message", "instruction")
    return (
        isinstance(screen, dict)
        and all(isinstance(screen.get(key), str) for key in texts)
        and isinstance(screen.get("rows"), list)
        and all(
            isinstance(row, list) and len(row) == 2 and all(isinstance(x, str) for x in row)
            for row in screen["rows"]
        )
    )


def draw(
    terminal: Terminal, screen: dict[str, Any], kept: bool, meanwhile: Callable[[], None]
) -> dict[str, str] | None:
    """The intro, the heading and the checklist; what was ticked. `meanwhile` starts once the
    checklist is on the screen."""
    width = terminal.width()
    terminal.heading(headings.intro(screen["intro"], kept, width))
    terminal.heading(headings.rule(screen["section"], width))
    return prompts.checklist(
        screen["message"],
        [prompts.Option(value, label) for value, label in screen["rows"]],
        instruction=screen["instruction"],
        io=terminal.io(),
        meanwhile=meanwhile,
    )


class Preparation:
    """The rules loaded, and what the next screens need imported and compiled, in a thread
    started while the first screen is read; `wait` gives them, or raises what loading raised."""

    def __init__(self, rules: list[Path], stamp: list[Any], shown: dict[str, Any]) -> None:
        self.rules, self.stamp, self.shown = rules, stamp, shown
        self._thread: threading.Thread | None = None
        self._done: tuple[KnowledgeBase, Planner] | None = None
        self._failed: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="load-rules", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._done = self._prepare()
        except BaseException as exc:  # raised again in the main thread, by wait()
            self._failed = exc

    def _prepare(self) -> tuple[KnowledgeBase, Planner]:
        from triage.knowledge import loading

        kb = loading.load(self.rules)
        from triage import questionnaire, screen  # noqa: F401 (rich, for the screens to come)
        from triage.interview import engine_for, planner_for

        planner = planner_for(kb)
        with contextlib.suppress(Exception):  # a hint for the next run: never this run's fault
            fresh = questionnaire.first_screen(kb)
            if fresh is not None and fresh != self.shown:
                cache.store_first_screen(self.stamp, fresh)
        with contextlib.suppress(Exception):  # met again, and reported, where it is needed
            engine_for(planner)
        return kb, planner

    def wait(self) -> tuple[KnowledgeBase, Planner]:
        if self._thread is None:  # the checklist ended before it was drawn: load here
            return self._prepare()
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        assert self._done is not None
        return self._done
