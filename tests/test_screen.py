"""The results screen: the short first screen (the action, what fits you, the rest on request),
the full one with because and sources, and NO_COLOR honoured."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from conftest import CASES, NO_RED_FLAGS
from rich.console import Console

from triage import answers, conditions, ranking, report, screen
from triage.engine import Engine
from triage.layout import lay_out
from triage.model import KnowledgeBase


def render(kb: KnowledgeBase, engine: Engine, *, full: bool = True, width: int = 100) -> str:
    """The result screen of the bench-thread poster, who went through the questionnaire: the
    red-flag screen answered (no), then his own answers."""
    text = (CASES / "bench_op.yaml").read_text() + yaml.safe_dump(NO_RED_FLAGS)
    given = answers.read_bytes(text.encode(), "case", kb)
    out = io.StringIO()
    screen.result(
        Console(file=out, force_terminal=True, width=width, height=50),
        ranking.rank(kb, given, engine.consult(given)),
        kb,
        full=full,
    )
    return out.getvalue()


def test_results_are_grouped_by_tier_with_reasons_sources_and_the_dissent(
    shipped: KnowledgeBase, shipped_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    shown = re.sub(
        r"\x1b\[[0-9;]*m", "", render(shipped, shipped_engine)
    )  # bold stays; compare text
    words = shipped.about.words
    order = [shown.index(words.personal_title), shown.index(words.generic_title)]
    assert order == sorted(order)
    assert "because: lifts you do, or did until this spasm: Deadlift" in shown
    assert "unnamed reply 1" in shown and "Where the advice disagrees" in shown
    assert words.safety_net_title in shown
    assert shipped.about.disclaimer.split(".")[0] in " ".join(shown.split())


def test_the_first_screen_is_short_and_names_each_source_once(
    shipped: KnowledgeBase, shipped_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    shown = re.sub(r"\x1b\[[0-9;]*m", "", render(shipped, shipped_engine, full=False))
    lines = shown.rstrip("\n").split("\n")
    assert len(lines) <= 40
    assert f"({screen.MORE_ON_SCREEN})" in shown and "because:" not in shown
    assert shown.count("Lower Back Spasms from Bench") == 1  # the source, listed once
    assert shipped.about.tiers["self_care"].action in " ".join(shown.replace("│", " ").split())


def test_no_color_turns_colour_off(
    shipped: KnowledgeBase, shipped_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    colour = re.compile(r"\x1b\[[0-9;]*3[1-7]m")  # any foreground colour
    assert colour.search(render(shipped, shipped_engine))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour.search(render(shipped, shipped_engine))


# ---- issue 18: a result that fits the screen it is on ----


def bank_results(kb: KnowledgeBase, engine: Engine) -> list[tuple[str, ranking.Result]]:
    """Every case of the project's bank, ranked on all its answers, and the bench-thread poster
    after the questionnaire's red-flag screen."""
    from pathlib import Path

    from triage.evaluate import read

    files = sorted((Path(__file__).parent / "cases" / "bank").glob("*.yaml"))
    out = [(c.id, ranking.rank(kb, c.answers, engine.consult(c.answers))) for c in read(kb, files)]
    text = (CASES / "bench_op.yaml").read_text() + yaml.safe_dump(NO_RED_FLAGS)
    given = answers.read_bytes(text.encode(), "case", kb)
    return [*out, ("bench_op", ranking.rank(kb, given, engine.consult(given)))]


@pytest.fixture(scope="module")
def bank(request: pytest.FixtureRequest) -> list[tuple[str, ranking.Result]]:
    kb = request.getfixturevalue("shipped")
    return bank_results(kb, Engine(kb))


def test_items_are_numbered_straight_through_what_is_shown_and_open_in_place(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    from triage.layout import lay_out

    hid = 0
    for case, result in bank:
        short, _ = lay_out(result, shipped)
        opened, _ = lay_out(result, shipped, opened=True)
        short_items = [line for line in short if line.kind == "item"]
        opened_items = [line for line in opened if line.kind == "item"]
        for items in (short_items, opened_items):
            assert [line.mark for line in items] == [f"{n}." for n in range(1, len(items) + 1)], (
                case
            )
        # Opened: every item of every group, in the order of the groups, short words kept.
        everything = [a for g in result.groups() for _, a in g.items]
        assert len(opened_items) == len(everything), case
        assert not any(line.kind == "note" and line.text.startswith("+ ") for line in opened), case
        hid += len(opened_items) > len(short_items)
    assert hid  # the bank has results with hidden items, so opening them was tried


def test_a_disagreement_is_shown_only_when_it_bears_on_the_person(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    from triage.layout import bears_on_person

    seen = {True: 0, False: 0}
    for case, result in bank:
        text = report.to_text(result, shipped, width=100)
        full = report.to_text(result, shipped, width=100, full=True)
        for debate in result.disagreements:
            heading = f"Where the advice disagrees: {debate.disagreement.topic}"
            bears = bears_on_person(debate)
            seen[bears] += 1
            assert (heading in text) == bears, case
            assert heading in full, case  # why and sources: every disagreement, with why
            # Bearing on the person: a side came from a rule that read their answers.
            made_by = {r.rule for a in (debate.preferred, *debate.dissent) for r in a.because}
            read_answers = any(
                not negated
                for rule in shipped.rules
                if rule.id in made_by
                for _, negated in conditions.leaves(rule.when)
            )
            assert bears == read_answers, case
    assert seen[True] and seen[False], seen  # both kinds are in the bank


def test_one_deadline_per_result_advice_of_a_lesser_tier_comes_after_it(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    from triage.model import TIER_RANK

    words = shipped.about.words
    later = 0
    for case, result in bank:
        if result.tier is None:
            continue
        text = report.to_text(result, shipped, width=200)
        for group in result.groups():
            if group.key == result.tier:
                continue
            lesser = (
                TIER_RANK[group.key] > TIER_RANK[result.tier]
                if group.key in TIER_RANK
                else result.tier not in words.personal_first
            )
            expected = words.later_titles.get(group.key, group.title) if lesser else group.title
            assert f"\n{expected}:\n" in text or f"\n{expected}\n" in text, (case, expected)
            if lesser and group.key in words.later_titles:
                later += 1
                # Its own title, a deadline of its own, is not shown as a heading.
                assert f"\n{group.title}:\n" not in text, (case, group.title)
    assert later  # the bank has clinical results with less urgent advice under them


def test_the_emergency_banner_states_its_action_once(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    tried = 0
    for case, result in bank:
        if result.tier != "emergency":
            continue
        out = io.StringIO()
        screen.emergency_banner(Console(file=out, width=100, color_system=None), result, shipped)
        said = " ".join(out.getvalue().replace("│", " ").split())
        action = " ".join((result.action or "").split())
        assert said.count(action) == 1, case
        # The top item goes on from the action; it does not open by saying it again.
        top = " ".join(result.advice[0].text.split())
        first = top.split(". ")[0]
        restated = screen.without_action(top, action) != top
        assert (said.count(first) == 0) == restated, case
        tried += restated
    assert tried


def words(rows: list[str]) -> str:
    """Rows of a screen as one line of words: a panel's borders and the wrapping gone."""
    return " ".join(" ".join(rows).replace("│", " ").split())


def test_the_result_view_opens_at_its_top_and_comes_back_to_its_menu(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    from triage import result_view

    result = next(r for _, r in bank if r.tier == "self_care")
    view = result_view.View(Console(color_system=None, width=80), result, shipped)
    for rows in (24, 45):
        view.top = 0
        shown = _plain(view.frame(79, rows))
        assert len(shown) <= rows
        assert result.action in words(shown[:4]), shown
        assert "Anything else?" in shown[-2]
    # Why and sources, then back: each opens at its top, with the menu under it.
    keys = [c.key for c in view.choices()]
    assert keys[0] == "d" and "s" in keys
    view.top = 10
    view.choose("s")
    assert view.take() == result_view.FULL and view.top == 0
    shown = _plain(view.frame(79, 24))
    assert "Back to my advice" in shown[-1] and result.action in words(shown)
    view.choose("a")
    assert view.take() == result_view.SHORT
    hidden = view.hidden()
    if hidden:
        view.choose("m")
        assert view.take() == result_view.OPENED and view.hidden() == 0
    view.choose("d")
    assert view.take() == "done"
    shown = _plain(view.frame(79, 24))
    assert shown[-1].endswith("Done")
    # What stays when Done: the whole result, every item, and the choice last.
    printed = view.printed()
    lines, _ = lay_out(result, shipped, opened=True)
    assert printed.index(result.action[:40]) < printed.index("Anything else?  Done")
    for line in lines:
        if line.kind in ("item", "bullet"):
            assert " ".join(line.text.split()[:6]) in " ".join(printed.split()), line.text
    assert "below shows them" not in printed  # no menu is left to show them


def test_opened_items_stay_open_and_are_scrolled_to(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    """Items opened with m stay open after why and sources and back; m pressed while scrolled
    down shows the first item it opened."""
    from triage import result_view

    tried = 0
    for _, result in bank:
        view = result_view.View(Console(color_system=None, width=80), result, shipped)
        if not view.hidden():
            continue
        tried += 1
        short = _plain(view.frame(79, 24))
        view.top = 10**6  # scrolled to the end
        view.frame(79, 24)
        view.choose("m")
        assert view.take() == result_view.OPENED
        opened_lines, _ = lay_out(result, shipped, opened=True)
        short_lines, _ = lay_out(result, shipped)
        first_new = next(
            line for line in opened_lines if line.kind == "item" and line not in short_lines
        )
        shown = " ".join(" ".join(_plain(view.frame(79, 24))).split())
        assert " ".join(first_new.text.split()[:5]) in shown, (first_new.text, shown)
        top = view.top
        view.choose("s")
        view.take()
        view.choose("a")
        assert view.take() == result_view.OPENED and view.top == top
        assert "more items" not in " ".join(_plain(view.frame(79, 24)))
        assert short  # the view opened short
    assert tried


def test_opened_items_that_fit_under_the_action_keep_the_action_on_the_screen(
    shipped: KnowledgeBase, bank: list[tuple[str, ranking.Result]]
) -> None:
    """A tester at 100x45 pressed m and saw "Lines 4-44 of 44": the action had scrolled off,
    though the items opened fitted under it. The view scrolls only as far as it takes to show
    what was opened."""
    from triage import result_view

    tried = 0
    for _, result in bank:
        probe = result_view.View(Console(color_system=None, width=100), result, shipped)
        if not probe.hidden():
            continue
        probe.frame(99, 44)
        probe.choose("m")
        probe.take()
        opened = probe.lines(99)
        menu = len(probe.menu(99))
        opened_items = [
            " ".join(line.text.split()[:5])
            for line in lay_out(result, shipped, opened=True)[0]
            if line.kind == "item" and line not in lay_out(result, shipped)[0]
        ]
        last = max(i for i, line in enumerate(opened) if opened_items[-1][:20] in line)
        end = last + 1  # past the wrapped lines of the last item opened
        while end < len(opened) and opened[end].startswith(" ") and opened[end].strip():
            end += 1
        # A screen that holds the top down to the last item opened, but not the whole result.
        rows = end + menu + 2
        if rows - menu >= len(opened):
            continue
        view = result_view.View(Console(color_system=None, width=100), result, shipped)
        view.frame(99, rows)
        view.choose("m")
        assert view.take() == result_view.OPENED
        shown = _plain(view.frame(99, rows))
        assert result.action in words(shown[:4]), shown[:4]
        for item in opened_items:
            assert item in words(shown), item
        tried += 1
    assert tried


def _plain(rows: list[list[tuple[str, str]]]) -> list[str]:
    """A frame of the result view as plain lines."""
    return ["".join(text for _, text in row) for row in rows]
