"""The questionnaire, driven through prompt_toolkit's pipe input: the real prompts
(triage/prompts/, questionary's text prompt) receive keystrokes, as from a keyboard. An oracle
answers whatever is asked, so the tests see what the adaptive questionnaire chooses to ask."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import questionary
from conftest import NO_RED_FLAGS
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from triage import prompts, questionnaire
from triage.journal import Journal
from triage.model import KnowledgeBase
from triage.prompts import Option
from triage.questionnaire import Session
from triage.relevance import Progress
from triage.terminal import Terminal

DOWN, ENTER, SPACE = "\x1b[B", "\r", " "


class Driver:
    """Types the oracle's answer into each prompt just before it opens, and notes what was asked.
    A sign of a checklist the oracle does not answer is left unticked, as a person would."""

    def __init__(
        self, kb: KnowledgeBase, pipe: Any, oracle: dict[str, Any], review: list[str] | None = None
    ) -> None:
        self.kb, self.pipe, self.oracle = kb, pipe, oracle
        self.review = list(review or ["done"])
        self.asked: list[str] = []
        self.screens: list[tuple[str, ...]] = []
        self.by_words = {" ".join(q.ask.split()): q for q in kb.questions.values()}
        self.groups = {g.ask: g for g in kb.groups.values()}
        self.emergencies = 0

    def send(self, keys: str) -> None:
        with contextlib.suppress(OSError):  # the terminal is gone: the prompt reads end-of-file
            self.pipe.send_text(keys)

    def question(self, message: str) -> Any:
        return self.by_words.get(" ".join(message.split()))

    def choose(self, message: str, options: Sequence[Option], *args: Any, **kw: Any) -> Any:
        values = [o.value for o in options]
        question = self.question(message)
        if question is not None:
            self.asked.append(question.id)
            self.screens.append((question.id,))
            wanted = self.oracle.get(
                question.id, "unsure" if question.type == "yes_no" else values[0]
            )
        elif message.startswith("Your answers"):
            step = self.review.pop(0) if self.review else "done"
            wanted = step.split(":")[0]
            if step.startswith("change"):
                self.review.insert(0, step)  # the next prompt picks the answer to change
        elif message.startswith("Pressed the wrong key"):
            self.emergencies += 1
            step = self.review[0] if self.review else ""
            wanted = "change" if step.startswith("fix") else "end" if step == "end" else "done"
            if step.startswith("fix"):
                self.review[0] = step.replace("fix", "change")
        else:  # "Which answer?"
            wanted = self.review.pop(0).split(":", 1)[1]
        option = options[values.index(wanted)]
        # Its own key where it has one; otherwise the arrows, from nothing pointed at.
        start = values.index(kw["default"]) if kw.get("default") in values else -1
        moves = values.index(wanted) - start
        keys = option.key if option.key else ("\x1b[A" * -moves if moves < 0 else DOWN * moves)
        self.send(keys + ENTER)
        return REAL["choose"](message, options, *args, **kw)

    def checklist(self, message: str, rows: Sequence[Option], *args: Any, **kw: Any) -> Any:
        group = self.groups.get(message)
        if group is not None:
            ids = [r.value for r in rows]
            self.asked.extend(ids)
            self.screens.append(tuple(ids))
            # The mark that gives the oracle's answer: a sign with a `tick` is ticked only
            # for that answer.
            wanted = {
                qid: self.kb.questions[qid].to_mark(self.oracle.get(qid)) or "no" for qid in ids
            }
        else:
            question = self.question(message)
            self.asked.append(question.id)
            self.screens.append((question.id,))
            wanted = {v: "yes" for v in self.oracle.get(question.id, [])}
        keys = "".join(
            DOWN + {"yes": "y", "unsure": "?"}.get(wanted.get(r.value, "no"), "n") for r in rows
        )
        if not any(v in ("yes", "unsure") for v in wanted.values()):
            keys += DOWN  # to "None of these"
        self.send(keys + ENTER)
        return REAL["checklist"](message, rows, *args, **kw)

    def text(self, message: str, **kw: Any) -> Any:
        question = self.question(message)
        self.asked.append(question.id)
        self.screens.append((question.id,))
        answer = self.oracle.get(question.id, "?")
        self.send("\x7f" * len(kw.get("default", "")) + str(answer) + ENTER)
        return REAL["text"](message, **kw)


REAL: dict[str, Any] = {
    "choose": prompts.choose,
    "checklist": prompts.checklist,
    "text": questionary.text,
}


@pytest.fixture
def drive(shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def run(
        oracle: dict[str, Any],
        review: list[str] | None = None,
        progress: Progress | None = None,
        close_after: int | None = None,
    ) -> tuple[Any, ...]:
        with create_pipe_input() as pipe:
            driver = Driver(shipped, pipe, oracle, review)
            monkeypatch.setattr(questionnaire.prompts, "choose", driver.choose)
            monkeypatch.setattr(questionnaire.prompts, "checklist", driver.checklist)
            monkeypatch.setattr(questionary, "text", driver.text)  # imported where a number is asked
            out = io.StringIO()
            console = Console(file=out, width=100, color_system=None)
            saved: list[dict[str, Any]] = []

            def on_answer(p: Progress) -> None:
                saved.append(dict(p.values))
                if close_after is not None and len(saved) >= close_after:
                    pipe.close()  # the terminal goes away mid-questionnaire

            session = Session(
                shipped, Terminal(console, pipe, DummyOutput()), progress or Progress(), on_answer
            )
            result = session.run()
            return driver, session, result, out.getvalue(), saved

    yield run


def test_the_red_flag_screen_comes_first_and_in_full(drive: Any, shipped: KnowledgeBase) -> None:
    driver, _, result, _, _ = drive(NO_RED_FLAGS)
    screen = [q.id for q in shipped.questions.values() if q.section == "red_flags"]
    asked_flags = [q for q in driver.asked if q in screen]
    assert driver.asked[: len(asked_flags)] == asked_flags
    # Every red-flag question whose own ask-condition holds was asked: at 30, none of those
    # asked by age (first_episode from 50, worse_leaning_back up to 25).
    by_age = {q.id for q in shipped.questions.values() if q.section == "red_flags" and q.ask_if}
    assert by_age and set(screen) - set(asked_flags) == by_age
    # In as few prompts as the rules' groups allow: three checklists, the legs and the age.
    flag_screens = [s for s in driver.screens if s[0] in screen]
    assert len(flag_screens) == 5 and len(flag_screens[0]) == len(
        shipped.groups["signs_now"].questions
    )
    assert result.tier in ("self_care", "see_clinician")


def test_a_yes_to_an_emergency_sign_stops_the_questions_at_once(drive: Any) -> None:
    driver, _, result, out, _ = drive({"saddle_numbness": "yes"})
    assert driver.screens == [shipped_signs_now()]  # one checklist, then the emergency
    assert driver.emergencies == 1 and "Your answers are above" not in out
    assert result.tier == "emergency" and result.advice[0].tier == "emergency"
    assert not {a.tier for a in result.advice} & {"training", "prevention"}


def test_questions_that_cannot_change_the_advice_are_not_asked(drive: Any) -> None:
    more = ["more", "done"]  # the questions that refine the advice, after the offer
    squatter, _, _, _, _ = drive(
        {**NO_RED_FLAGS, "lifts": ["squat"], "spasm_during": ["squat"]}, review=more
    )
    assert "gm_style" not in squatter.asked and "tail_tuck" not in squatter.asked
    gm, _, _, _, _ = drive(
        {**NO_RED_FLAGS, "lifts": ["good_morning", "deadlift"], "spasm_during": ["squat"]},
        review=more,
    )
    assert "gm_style" in gm.asked and "tail_tuck" in gm.asked
    assert len(squatter.asked) < len(gm.asked)


def test_the_unit_is_asked_once_before_a_weight_and_numbers_come_back_in_it(drive: Any) -> None:
    oracle = {
        **NO_RED_FLAGS,
        "lifts": ["deadlift"],
        "spasm_during": ["deadlift"],
        "recent_layoff": "yes",
        "weight_unit": "lb",
        "working_weight": "315",
    }
    driver, _, result, _, _ = drive(oracle, review=["more", "done"])
    assert driver.asked.count("weight_unit") == 1
    assert driver.asked.index("weight_unit") < driver.asked.index("working_weight")
    back_off = next(a for a in result.advice if a.id == "back_off_few_weeks")
    assert "160 lb instead of 315 lb" in back_off.text


def test_an_invalid_number_is_refused_at_the_prompt_with_a_reason(shipped: KnowledgeBase) -> None:
    question = shipped.questions["age"]
    with create_pipe_input() as pipe:
        pipe.send_text("forty" + ENTER + "\x7f" * 5 + "41" + ENTER)
        out = io.StringIO()
        value, _ = questionnaire.prompt(
            question, Progress(), shipped, Terminal(Console(file=out), pipe, DummyOutput())
        )
    assert value == 41


def test_changing_an_answer_in_review_re_asks_what_it_opens_and_drops_what_it_closes(
    drive: Any, shipped: KnowledgeBase
) -> None:
    oracle: dict[str, Any] = {**NO_RED_FLAGS, "lifts": ["good_morning"], "gm_style": "locked_knees"}

    class Changing(dict):  # type: ignore[type-arg]
        """Answers lifts differently the second time it is asked."""

        count = 0

        def get(self, key: str, default: Any = None) -> Any:
            if key == "lifts":
                self.count += 1
                return ["good_morning"] if self.count == 1 else ["squat"]
            return super().get(key, default)

    driver, session, result, _, _ = drive(Changing(oracle), review=["more", "change:lifts", "done"])
    assert driver.asked.count("lifts") == 2
    assert "gm_style" not in session.progress.values  # no longer relevant: dropped
    assert "gm_hips_back_rdl_style" not in [a.id for a in result.advice]


def test_every_answer_is_handed_over_as_given_and_a_closed_terminal_ends_the_prompts(
    drive: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[dict[str, Any]] = []
    real = Session.__post_init__

    def spy(self: Session) -> None:
        real(self)
        inner = self.on_answer
        self.on_answer = lambda p: (handed.append(dict(p.values)), inner(p))  # type: ignore[assignment]

    monkeypatch.setattr(Session, "__post_init__", spy)
    with pytest.raises(EOFError):  # the CLI turns this into a message and exit code 130
        drive(NO_RED_FLAGS, close_after=3)
    signs = list(shipped_signs_now())  # a checklist hands over all its signs at once
    assert [list(h) for h in handed] == [
        signs,
        [*signs, "leg_symptoms"],
        [*signs, "leg_symptoms", "age"],
    ]


def test_resume_continues_where_it_stopped(
    drive: Any, shipped: KnowledgeBase, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.cli.drafts import draft_progress

    with Journal(tmp_path / "journal.sqlite3") as journal:
        journal.save_draft(None, {"saddle_numbness": "no", "bladder_bowel_change": "no"}, ["age"])
        (draft,) = journal.drafts()
        loaded = draft_progress(shipped, draft, Console(file=io.StringIO()))
    assert loaded.blank == {"age"}
    driver, _, _, _, _ = drive(NO_RED_FLAGS, progress=loaded)
    assert "saddle_numbness" not in driver.asked and "bladder_bowel_change" not in driver.asked
    # The checklist carries on with the signs not answered yet; the blank age is not re-asked.
    assert driver.screens[0] == shipped_signs_now()[2:] and "age" not in driver.asked


def test_prefilled_answers_are_not_asked_again(drive: Any) -> None:
    driver, _, _, _, _ = drive(NO_RED_FLAGS, progress=Progress(dict(NO_RED_FLAGS)))
    assert not set(driver.asked) & set(NO_RED_FLAGS)


def test_prefilled_answers_that_are_an_emergency_stop_before_any_question(drive: Any) -> None:
    driver, _, result, _, _ = drive({}, progress=Progress({"major_trauma": "yes"}))
    assert driver.asked == [] and result.tier == "emergency"


def test_a_change_in_review_that_makes_an_emergency_stops_the_review(drive: Any) -> None:
    class Changing(dict):  # type: ignore[type-arg]
        """Answers 'no' to saddle numbness the first time, 'yes' when asked again in review."""

        count = 0

        def get(self, key: str, default: Any = None) -> Any:
            if key == "saddle_numbness":
                self.count += 1
                return "no" if self.count == 1 else "yes"
            return super().get(key, default)

    driver, _, result, _, _ = drive(Changing(NO_RED_FLAGS), review=["change:saddle_numbness"])
    assert driver.asked.count("saddle_numbness") == 2
    assert result.tier == "emergency" and result.advice[0].tier == "emergency"


def test_the_emergency_screen_leads_back_to_a_mis_keyed_answer(drive: Any) -> None:
    class Miskeyed(dict):  # type: ignore[type-arg]
        """Ticks saddle numbness by mistake, and puts it right when asked again."""

        count = 0

        def get(self, key: str, default: Any = None) -> Any:
            if key == "saddle_numbness":
                self.count += 1
                return "yes" if self.count == 1 else "no"
            return super().get(key, default)

    driver, _, result, out, _ = drive(Miskeyed(NO_RED_FLAGS), review=["fix:saddle_numbness"])
    assert driver.emergencies == 1 and driver.asked.count("saddle_numbness") == 2
    # The emergency advice was on the screen before the way back was offered.
    # The emergency advice was on the screen first; then the answers to pick from, and, with
    # the mistake put right, the questionnaire went on to its review.
    assert out.index("cauda equina") < out.index("Your answers") < out.rindex("Your answers")
    assert result.tier != "emergency"


def shipped_signs_now() -> tuple[str, ...]:
    from triage.knowledge import loading

    return loading.load().groups["signs_now"].questions


EVERYTHING = {
    **NO_RED_FLAGS,
    "kidney_pain_pattern": "no",
    "upper_back_pain": "no",
    "worse_on_straining": "no",
    "steroid_injections": "no",
    "first_episode": "no",
    "fall_or_knock": "no",
    "weight_unit": "kg",
    "days_since_start": 2,
    "pain_now": 6,
    "can_move": "yes",
    "improving": "no",
    "previous_spasms": "second",
    "spasm_during": ["deadlift"],
    "lifts": ["deadlift", "good_morning", "bench"],
    "inflammatory_pattern": "no",
    "working_weight": 140,
    "recent_layoff": "yes",
    "on_program": "no",
    "fear_of_lifting": "no",
    "bench_arch": "yes",
    "bench_belt": "no",
    "tail_tuck": "yes",
    "gm_style": "locked_knees",
    "tight_hips": "yes",
    "sitting_hours": 8,
    "hunched_sitting": "yes",
    "knee_ache_from_chair": "yes",
    "tight_hamstrings": "yes",
    "back_feels_tight": "yes",
    "nsaid_caution": "no",
    "heavy_sweating": "yes",
    "getting_worse": "no",
    "stretches_back": "no",
}


def answered_in_full(kb: KnowledgeBase, chosen: dict[str, Any]) -> dict[str, Any]:
    """`chosen`, and an answer to every other question the rules can ask (derived from the
    rules, so a question an author adds is answered too): no, the first choice, none ticked,
    the lowest number it takes."""
    full = dict(chosen)
    for q in kb.questions.values():
        if q.id in full or q.journal:
            continue
        if q.type == "yes_no":
            full[q.id] = "no"
        elif q.type == "one_of":
            full[q.id] = q.choice_ids[0]
        elif q.type == "many_of":
            full[q.id] = []
        else:
            full[q.id] = int(q.min) if q.min is not None and q.min > 0 else 1
    return full


@pytest.mark.parametrize(
    "oracle",
    [EVERYTHING, {**EVERYTHING, "leg_weakness": "yes"}, {**EVERYTHING, "fever": "yes"}],
    ids=["full", "emergency", "urgent"],
)
def test_a_replay_asks_what_the_questionnaire_on_a_terminal_asks(
    drive: Any, shipped: KnowledgeBase, oracle: dict[str, Any]
) -> None:
    """`spasm-triage evaluate` counts prompts by replaying answers through the questionnaire's
    flow; typed into the real prompts, the same answers are asked in the same order."""
    from triage import answers
    from triage.replay import replay

    oracle = answered_in_full(shipped, oracle)
    given = answers.from_mapping(oracle, shipped)
    for refine in (False, True):
        driver, _, result, out, _ = drive(oracle, review=["more", "done"] if refine else None)
        replayed = replay(shipped, given, refine=refine)
        # Left blank: only the signs with a `tick` whose answer is not the tick (a checklist
        # can only say the tick; unticked leaves the question blank).
        unticked = tuple(
            q for q in replayed.asked
            if shipped.questions[q].tick not in (None, oracle[q])
        )  # fmt: skip
        assert list(replayed.asked) == driver.asked and replayed.blank == unticked
        assert list(replayed.screens) == driver.screens  # each checklist is one prompt
        assert replayed.reviewed == (result.tier != "emergency") == ("Your answers" in out)


def test_a_questionnaires_result_never_says_warning_signs_were_left_out(
    shipped: KnowledgeBase,
) -> None:
    """The questionnaire asks the whole red-flag screen: an age answered "I don't know" was
    asked, not left out, so its result has no "not answered" note; the same answers from a
    file, which never asked, have it."""
    from triage import ranking
    from triage.answers import from_mapping
    from triage.engine import Engine
    from triage.interview import Interview
    from triage.replay import replay

    without_age = {k: v for k, v in NO_RED_FLAGS.items() if k not in ("age", "first_episode")}
    given = from_mapping(without_age, shipped, "case")
    done = replay(shipped, given)
    assert "age" in done.blank  # asked, and left blank
    assert Interview(shipped, None, done.progress).result().unanswered == ()  # type: ignore[arg-type]
    from_file = ranking.rank(shipped, given, Engine(shipped).consult(given))
    # Asked from 50: with the age not known, not known to be unasked (the other question asked
    # by age, worse_leaning_back, is answered no in NO_RED_FLAGS, which names every red flag).
    assert from_file.unanswered == ("age", "first_episode")


# ---- every choice has a key; Done on the emergency screen ----


def test_every_choice_of_every_question_has_a_key_of_its_own(
    shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, list[Option]] = {}

    def capture(message: str, options: Sequence[Option], *args: Any, **kw: Any) -> Any:
        seen[message] = list(options)
        return options[0].value

    monkeypatch.setattr(questionnaire.prompts, "choose", capture)
    terminal = Terminal(Console(file=io.StringIO(), width=80))
    for question in shipped.questions.values():
        if question.type in ("yes_no", "one_of"):
            questionnaire.prompt(question, Progress(), shipped, terminal)
            keys = [o.key for o in seen[question.ask]]
            assert all(keys) and len(set(keys)) == len(keys), question.id
    # "Which answer?" after every question was answered: one number per row, past the ninth too.
    progress = Progress({q.id: "x" for q in shipped.questions.values() if not q.journal})
    progress.order = list(progress.values)
    questionnaire.TerminalFrontend(shipped, terminal)._which(progress)
    rows, back = seen["Which answer?"][:-1], seen["Which answer?"][-1]
    assert len(rows) > 9 and [o.key for o in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert back.key == "b" and back.label.startswith("Back")  # and a way back, changing nothing


def test_which_answer_has_a_way_back_to_the_menu_that_changes_nothing(
    shipped: KnowledgeBase,
) -> None:
    """Change an answer, then b at "Which answer?": the menu again, no answer changed; then
    the advice."""
    output = io.StringIO()
    progress = Progress({"fever": "no"})
    progress.order = ["fever"]
    with create_pipe_input() as pipe:
        pipe.send_text("c" + ENTER + "b" + ENTER + "a" + ENTER)
        terminal = Terminal(Console(file=output, width=80), pipe, DummyOutput())
        chosen = questionnaire.TerminalFrontend(shipped, terminal).review(progress, 0)
    assert chosen is None and progress.values == {"fever": "no"}


def test_a_choice_past_the_ninth_is_chosen_by_typing_its_number(shipped: KnowledgeBase) -> None:
    options = [Option(n, f"choice {n}", str(n)) for n in range(1, 13)]
    with create_pipe_input() as pipe:
        pipe.send_text("1" + "2" + ENTER)
        assert prompts.choose("Which?", options, io={"input": pipe, "output": DummyOutput()}) == 12
    with create_pipe_input() as pipe:
        pipe.send_text("1" + ENTER)  # the first, alone, is still the first
        assert prompts.choose("Which?", options, io={"input": pipe, "output": DummyOutput()}) == 1


def test_every_line_of_a_long_checklist_can_be_ticked_by_its_number(shipped: KnowledgeBase) -> None:
    longest = max(
        (q for q in shipped.questions.values() if q.type == "many_of"), key=lambda q: len(q.choices)
    )
    assert len(longest.choices) > 9
    rows = [Option(value, label) for value, label in longest.choices]
    last, tenth = str(len(rows)), "10"
    with create_pipe_input() as pipe:
        # A number goes to its line (typed in full); y ticks it.
        pipe.send_text(last + "y" + tenth + "y" + ENTER)
        io = {"input": pipe, "output": DummyOutput()}
        marked = prompts.checklist(longest.ask, rows, unsure=False, io=io)
    assert marked == {rows[-1].value: "yes", rows[9].value: "yes"}


def test_done_on_the_emergency_screen_ends_with_its_advice(drive: Any) -> None:
    driver, session, result, _, _ = drive({"saddle_numbness": "yes"}, review=["end"])
    assert driver.emergencies == 1 and result.tier == "emergency"
    assert session.screens.ended
    kept: list[bool] = []
    session.present(result, shown=lambda: kept.append(True))  # no result view: it has ended
    assert kept == [True]  # and the journal still keeps the consultation


def test_enter_on_the_emergency_menu_is_done_as_on_every_menu_after_advice(
    shipped: KnowledgeBase,
) -> None:
    from triage.interview import Interview

    first = next(s for s in shipped.sections if s.always_ask)
    sign = next(q for q in shipped.questions.values() if q.section == first.id)
    progress = Progress({sign.id: sign.tick or "yes"})
    progress.order = [sign.id]
    output = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(ENTER)  # Enter alone: Done, pointed at
        terminal = Terminal(Console(file=output, width=80), pipe, DummyOutput())
        frontend = questionnaire.TerminalFrontend(shipped, terminal)
        result = Interview(shipped, frontend, progress).result
        assert result().tier == "emergency"
        assert frontend.emergency(result, progress) is None
    assert frontend.ended


# ---- "not sure" on a checklist line that gives one answer when ticked ----


def test_not_sure_on_a_tick_sign_is_kept_everywhere_the_answer_goes(
    drive: Any, shipped: KnowledgeBase, tmp_path: Any
) -> None:
    """A tester marked "3 times or more in the last 12 months" ? and saw "(not sure)"; the
    review said "not ticked" and the saved answers had nothing. A ? on any sign with a `tick`
    is the question's "unsure": in the answers, the review, a draft and --resume."""
    from triage.answers import from_mapping, in_words
    from triage.cli.drafts import draft_progress
    from triage.journal import Journal

    signs = [q for q in shipped.questions.values() if q.tick is not None and q.sign and q.group]
    assert signs
    oracle = {**NO_RED_FLAGS, "days_since_start": 1, "pain_now": 5}
    oracle.update({q.id: "unsure" for q in signs})
    driver, session, _, out, saved = drive(oracle)
    assert {q.id for q in signs} <= set(driver.asked)
    for question in signs:
        assert session.progress.values[question.id] == "unsure", question.id
        assert question.id not in session.progress.blank
        assert saved[-1][question.id] == "unsure"  # handed to the draft as it was answered
    assert "Your answers" in out  # the review was shown; its rows, unwrapped:
    rows = review(shipped, session.progress)
    for question in signs:
        assert rows[question.sign] == "Not sure", question.id
    # The words an answers file, a draft or the journal hold read back as the same answer.
    own = {q: v for q, v in session.progress.values.items() if not shipped.questions[q].journal}
    words = in_words(shipped, own, session.progress.weight_units)
    back = from_mapping(words, shipped)
    assert all(back.values[q.id] == "unsure" for q in signs)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        journal.save_draft(None, words, sorted(session.progress.blank))
        (draft,) = journal.drafts()
        resumed = draft_progress(shipped, draft, Console(file=io.StringIO()))
    assert all(resumed.values[q.id] == "unsure" for q in signs)


def test_an_unticked_tick_sign_reads_as_the_plain_no_that_none_of_these_says(
    drive: Any, shipped: KnowledgeBase
) -> None:
    """ "None of these" on the episode checklist: its tick lines read "No", as its other lines
    do, in the sign's own words."""
    signs = [q for q in shipped.questions.values() if q.tick is not None and q.sign and q.group]
    oracle = {**NO_RED_FLAGS, "days_since_start": 1, "pain_now": 5, "getting_worse": "no"}
    oracle.update({"nsaid_caution": "no"})
    _, session, _, _, _ = drive(oracle)
    rows = review(shipped, session.progress)
    assert "not ticked" not in rows.values()
    for question in signs:
        assert question.id in session.progress.blank
        assert rows[question.sign] == "No", question.id


def review(kb: KnowledgeBase, progress: Progress) -> dict[str, str]:
    """The review's rows, each on one line: question as shown -> answer as shown."""
    from triage import screen

    out = io.StringIO()
    screen.answers_table(Console(file=out, width=400, color_system=None), progress, kb)
    cells = [[c.strip() for c in line.split("│")] for line in out.getvalue().splitlines()]
    return {row[2]: row[3] for row in cells if len(row) == 5}


def test_not_sure_says_how_before_any_line_is_chosen(shipped: KnowledgeBase) -> None:
    """A tester pressed ? on a checklist first and was told only "Move to a line first": the
    keys line and the hint both say that ? comes after a line's number, and that works."""
    import threading

    from prompt_toolkit.output.plain_text import PlainTextOutput

    group = next(iter(shipped.groups.values()))
    rows = [Option(q, shipped.questions[q].sign or q) for q in group.questions]
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text("?")  # nothing chosen yet
        later = threading.Timer(1.0, pipe.send_text, ["2?" + ENTER])
        later.start()
        marked = prompts.checklist(
            group.ask, rows, io={"input": pipe, "output": PlainTextOutput(shown)}
        )
        later.join()
    words = " ".join(shown.getvalue().split())
    assert "a line's number (or arrows, then y); then ? if not sure" in words
    assert "Not sure: first a line's number (or the arrows), then ?." in words
    assert marked == {rows[1].value: "unsure"}
