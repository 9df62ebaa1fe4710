"""The results screen: the short first screen (the action, what fits you, the rest on request),
the full one with because and sources, and NO_COLOR honoured."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from conftest import CASES, NO_RED_FLAGS
from rich.console import Console

from triage import answers, ranking, screen
from triage.engine import Engine
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
    assert shipped.about.tiers["self_care"].action in shown


def test_no_color_turns_colour_off(
    shipped: KnowledgeBase, shipped_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    colour = re.compile(r"\x1b\[[0-9;]*3[1-7]m")  # any foreground colour
    assert colour.search(render(shipped, shipped_engine))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour.search(render(shipped, shipped_engine))
