"""The questionnaire's flow, apart from any screen: the red-flag screen first and in full, then
only what can still change the advice, most urgent first. Once what can change the tier is
answered, the review offers the advice at once, or the questions that could refine it; any
answer can be changed there, and on the emergency screen.

Yes/no signs declared as a group in the rules are asked on one checklist; each sign is still its
own answer.

Everything the person sees or answers goes through a Frontend: the terminal's
(triage/questionnaire.py) or a scripted one that answers from a case (triage/replay.py). Both run
this one flow, so a replay asks exactly what a person would be asked, in the same order. This
module imports no terminal library: a replay does not pay for questionary or rich.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from triage.model import TIER_RANK, Group, KnowledgeBase, Question
from triage.relevance import Planner, Progress, possible_rules

if TYPE_CHECKING:  # imported where advice is first needed: the first prompt waits for none
    from triage import ranking
    from triage.engine import Engine

# The review's answer that asks the questions that could refine the advice.
MORE = "\x00more"


class Frontend(Protocol):
    """What the flow needs from whoever is answering. A frontend with a true `answers_at_once`
    (a script) takes no time to read a prompt: nothing is prepared meanwhile."""

    def ask(self, question: Question, progress: Progress) -> tuple[Any, str | None]:
        """One prompt: (value, weight unit); value None means left blank."""

    def ask_group(
        self, group: Group, questions: list[Question], progress: Progress
    ) -> dict[str, Any]:
        """One checklist of yes/no signs: each sign's answer (yes, no or unsure)."""

    def section(self, title: str) -> None:
        """A new section of questions begins (a heading, not a prompt)."""

    def urgent(self, result: Callable[[], ranking.Result]) -> None:
        """The answers need a doctor within a day or two: say so now (a banner, not a prompt).
        `result` builds the advice so far; a frontend that draws nothing need not pay for it."""

    def review(self, progress: Progress, more: int) -> str | None:
        """The review prompt: None to see the advice, MORE to answer the `more` questions that
        could refine it (0: none left), or the id of an answer to change."""

    def emergency(self, result: Callable[[], ranking.Result], progress: Progress) -> str | None:
        """The answers mean an emergency: say what to do now, then offer a way back to a
        mis-keyed answer. None: the advice stands; or the id of an answer to change."""


# The whole rules compiled, one per planner (and so per knowledge base and run).
_ENGINES: weakref.WeakKeyDictionary[Planner, Engine] = weakref.WeakKeyDictionary()
# One compilation per planner, whichever thread asks first; the others wait for it.
_LOCKS: weakref.WeakKeyDictionary[Planner, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def engine_for(planner: Planner) -> Engine:
    """The whole rules compiled, once per planner: every consultation of a run shares it."""
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault(planner, threading.Lock())
    with lock:
        engine = _ENGINES.get(planner)
        if engine is None:
            from triage.engine import Engine

            engine = _ENGINES[planner] = Engine(planner.kb)
        return engine


def _compile_meanwhile(planner: Planner) -> None:
    """Compile the whole rules in the background, while the person reads a prompt: the quick
    path's first step needs them (about 25 ms for the shipped rules, 300 at 1,000 rules), and
    would otherwise compile them between two prompts. A failure here is met again, and
    reported, when the flow itself asks for the engine."""

    def build() -> None:
        with contextlib.suppress(Exception):
            engine_for(planner)

    if planner not in _ENGINES:
        threading.Thread(target=build, name="compile-rules", daemon=True).start()


def planner_for(kb: KnowledgeBase) -> Planner:
    """The questionnaire's planner: the sections marked always_ask (the red flags) in full."""
    return Planner(kb, always_ask=frozenset(s.id for s in kb.sections if s.always_ask))


def settle_journal_questions(
    kb: KnowledgeBase, progress: Progress, facts: Mapping[str, Any]
) -> None:
    """Questions filled from the journal are never asked: each takes its fact, or is blank."""
    for question in kb.questions.values():
        if question.journal:
            if question.id in facts:
                progress.values.setdefault(question.id, facts[question.id])
            elif question.id not in progress.values:
                progress.blank.add(question.id)


def _ignore(progress: Progress) -> None:
    pass


class Interview:
    """One run of the questionnaire's flow over a frontend."""

    kb: KnowledgeBase
    frontend: Frontend
    progress: Progress
    on_answer: Callable[[Progress], None]
    planner: Planner

    def __init__(
        self,
        kb: KnowledgeBase,
        frontend: Frontend,
        progress: Progress | None = None,
        on_answer: Callable[[Progress], None] = _ignore,
        planner: Planner | None = None,
    ) -> None:
        self.kb = kb
        self.progress = progress if progress is not None else Progress()
        self.on_answer = on_answer
        self._begin(frontend, planner)

    def _begin(self, frontend: Frontend, planner: Planner | None = None) -> None:
        # The planner's caches depend only on the rules: a caller running many interviews on
        # one knowledge base passes one in.
        self.frontend = frontend
        self.planner = planner if planner is not None else planner_for(self.kb)
        self.titles = {s.id: s.title for s in self.kb.sections}
        self.urgent_shown = False
        self._shipped_planner: Planner | None = None
        self.refining = False  # the person asked for the questions that could refine the advice
        self.compiling = False  # the whole rules' compilation was started

    # ---- asking ----

    def ask(self, question: Question) -> None:
        """Prompt for one question and record the answer (or that it was left blank)."""
        value, unit = self.frontend.ask(question, self.progress)
        self._record(question.id, value, unit)
        self._settle()

    def ask_group(self, group: Group) -> None:
        """One checklist for the group's signs that are open now; each sign's answer kept."""
        evaluation = self.planner.evaluation(self.progress)
        open_signs = [
            self.kb.questions[qid]
            for qid in group.questions
            if not self.progress.asked(qid) and evaluation.ask_if(self.kb.questions[qid]) is True
        ]
        given = self.frontend.ask_group(group, open_signs, self.progress)
        for question in open_signs:  # a sign's mark gives its question's answer
            self._record(question.id, question.from_mark(given.get(question.id)), None)
        self._settle()

    def _record(self, qid: str, value: Any, unit: str | None) -> None:
        if not self.compiling:  # the first answer given: the next prompt is read meanwhile
            self.compiling = True
            if not getattr(self.frontend, "answers_at_once", False):
                _compile_meanwhile(self.planner)
        if qid not in self.progress.order:
            self.progress.order.append(qid)
        self.progress.values.pop(qid, None)
        self.progress.weight_units.pop(qid, None)
        self.progress.blank.discard(qid)
        if value is None:
            self.progress.blank.add(qid)
        else:
            self.progress.values[qid] = value
            if unit:
                self.progress.weight_units[qid] = unit

    def _settle(self) -> None:
        for stale in self.planner.stale(self.progress):  # a change can make answers moot
            self.progress.values.pop(stale, None)
            self.progress.blank.discard(stale)
        self.on_answer(self.progress)

    def interview(self) -> bool:
        """Ask until nothing open remains, or, until the person asks for more, nothing that can
        change the tier, the first three items shown, or whether an item shown applies. False
        when the answers reach an emergency: checked before every question, so pre-filled
        answers and changes made in review count too."""
        current = None
        while True:
            tier, shipped_tier = self._settled()
            question = self.planner.next_question(self.progress)
            screen_done = question is None or question.section not in self.planner.always_ask
            # A pack's own emergency waits for the whole red-flag screen; the shipped one stops it.
            if tier == "emergency" and (screen_done or shipped_tier == "emergency"):
                return False
            if tier == "urgent" and not self.urgent_shown and screen_done:
                self.urgent_shown = True
                self.frontend.urgent(self.result)
            if question is None or (
                not self.refining and not self.planner.core(question, self.progress)
            ):
                # The tier is settled: what could still change the first items shown, and the
                # cautions of what is shown, are asked before the advice; the rest can only
                # refine it, and the review offers the advice now.
                from triage import worth

                question = worth.next_quick(self.planner, self.progress, self._advice_now())
                if question is None:
                    return True
            unit_question = self.kb.about.weight_unit_question
            if question.is_weight and unit_question and not self.progress.asked(unit_question):
                question = self.kb.questions[unit_question]  # the unit, once, before any weight
            if question.section != current:
                current = question.section
                self.frontend.section(self.titles.get(current, current))
            if question.group is not None:
                self.ask_group(self.kb.groups[question.group])
            else:
                self.ask(question)

    def _settled(self) -> tuple[str | None, str | None]:
        """The tier the answers already settle, and the part of it the shipped rules settle on
        their own (with local packs: their verdict leads, so a pack can raise the tier but
        never lower it; without packs, the same)."""
        tier = self.planner.settled_tier(self.progress)
        shipped = self.kb.shipped
        if shipped is None:
            return tier, tier
        if self._shipped_planner is None:
            self._shipped_planner = planner_for(shipped)
        own = self._shipped_planner.settled_tier(self.progress)
        tiers = [t for t in (tier, own) if t is not None]
        return min(tiers, key=TIER_RANK.__getitem__, default=None), own

    def review(self) -> bool:
        """Show the answers and let any be changed, asking what a change makes relevant, or
        ask the questions that could refine the advice. False when a change reaches an
        emergency."""
        while True:
            more = 0 if self.refining else self.planner.remaining(self.progress)
            change = self.frontend.review(self.progress, more)
            if change is None:
                return True
            if change == MORE:
                self.refining = True
            else:
                self.ask(self.kb.questions[change])
            if not self.interview():
                return False

    def conduct(self) -> bool:
        """The questions, then the review unless an emergency stopped them; the emergency
        screen can take the person back to an answer. False when the questionnaire ended on
        an emergency."""
        while not (self.interview() and self.review()):
            change = self.frontend.emergency(self.result, self.progress)
            if change is None:
                return False
            self.ask(self.kb.questions[change])
        return True

    # ---- results ----

    def result(self) -> ranking.Result:
        """The advice for the answers so far: what is not answered counts as not given."""
        from triage import answers, ranking
        from triage.engine import Engine

        given = answers.Answers(dict(self.progress.values), dict(self.progress.weight_units))
        engine = Engine(self.kb, possible_rules(self.kb, dict(given.values)))
        # A warning sign the person was asked and answered "I don't know" was not left out,
        # nor one its ask_if rules out on those answers: only what was never asked is.
        blank = frozenset(self.progress.blank)
        return ranking.rank(self.kb, given, engine.consult(given), blank)

    def _advice_now(self) -> ranking.Result:
        """The advice as it stands, for choosing the next question: the same as `result`, from
        the whole rules compiled once per planner (a step of the quick path would otherwise
        compile the rules its answers can fire each time)."""
        from triage import answers, ranking

        engine = engine_for(self.planner)
        given = answers.Answers(dict(self.progress.values), dict(self.progress.weight_units))
        return ranking.rank(self.kb, given, engine.consult(given), frozenset(self.progress.blank))

    def run(self) -> ranking.Result:
        """The whole questionnaire; returns the result to show."""
        self.conduct()
        return self.result()
