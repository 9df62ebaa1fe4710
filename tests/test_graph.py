"""`spasm-triage graph`: every condition of the rules it shows, with the values they test and
each question's ask_if, and a picture a person can open offline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from conftest import run_cli

from triage.conditions import AnswerTest, leaves
from triage.model import KnowledgeBase


def _rules_reading(kb: KnowledgeBase, question: str) -> list[str]:
    return [
        r.id
        for r in kb.rules
        if any(isinstance(t, AnswerTest) and t.question == question for t, _ in leaves(r.when))
    ]


def test_focus_on_a_question_draws_every_condition_of_its_rules(shipped: KnowledgeBase) -> None:
    """Derived from the rules: for a question read by a rule with several conditions, every
    input of that rule is drawn into what it concludes or suggests, with the value it tests."""
    rule = next(
        r
        for r in shipped.rules
        if r.conclude or r.suggest
        if len({t.question for t, _ in leaves(r.when) if isinstance(t, AnswerTest)}) >= 2
    )
    first = next(t for t, _ in leaves(rule.when) if isinstance(t, AnswerTest))
    drawn = run_cli("graph", "--focus", first.question).stdout
    for test, negated in leaves(rule.when):
        source = f"q_{test.question}" if isinstance(test, AnswerTest) else f"f_{test.finding}"
        arrow = "-.->" if negated else "-->"
        assert re.search(rf'^  {source} {re.escape(arrow)}\|"(not: )?{rule.id}', drawn, re.M), (
            rule.id,
            source,
        )


def test_edges_carry_the_values_tested_and_ask_if_is_drawn(shipped: KnowledgeBase) -> None:
    """Derived from the rules: a rule's test on an answer is its arrow's label, in words; a
    question's ask_if is an arrow into it."""
    from triage.conditions import OP_WORDS

    rule, test = next(
        (r, t)
        for r in shipped.rules
        if r.conclude or r.suggest
        for t, negated in leaves(r.when)
        if isinstance(t, AnswerTest) and not negated and not isinstance(t.value, tuple)
    )
    drawn = run_cli("graph", "--focus", test.question).stdout.splitlines()
    label = f'"{rule.id}: {OP_WORDS[test.op]} {test.value}"'
    assert any(line.startswith(f"  q_{test.question} -->|{label}| ") for line in drawn), label
    asked = next(q for q in shipped.questions.values() if q.ask_if is not None)
    source = next(t for t, _ in leaves(asked.ask_if) if isinstance(t, AnswerTest))  # type: ignore[arg-type]
    drawn = run_cli("graph", "--focus", asked.id).stdout.splitlines()
    assert any(
        line.startswith(f'  q_{source.question} ==>|"asked if: ')
        and line.endswith(f"q_{asked.id}")
        for line in drawn
    ), asked.id
    dot = run_cli("graph", "--format", "dot", "--focus", asked.id).stdout
    assert 'label="asked if: ' in dot and "style=dotted" in dot


def test_the_html_picture_is_one_page_that_needs_no_network() -> None:
    done = run_cli("graph", "--focus", "glute_activation", "--format", "html")
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert (
        page.startswith("<!DOCTYPE html>") and "<svg" in page and page.rstrip().endswith("</html>")
    )
    assert "<script" not in page and "<link" not in page and "@import" not in page
    # The only address in it is the SVG namespace, which is a name, never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    texts = {
        "".join(e.itertext()) for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    }
    assert "glute_activation [prevention]" in texts
    assert "sitting_hours: hours sitting per day" in texts


@pytest.mark.parametrize("focus", [None, "fever"])
def test_the_svg_is_well_formed(focus: str | None) -> None:
    args = ["graph", "--format", "svg"] + (["--focus", focus] if focus else [])
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    ET.fromstring(done.stdout)


def test_png_without_graphviz_says_what_draws_without_it() -> None:
    import shutil

    if shutil.which("dot"):
        pytest.skip("Graphviz is installed here: the PNG is drawn")
    done = run_cli("graph", "--format", "png")
    assert done.returncode == 2 and done.stdout == ""
    assert "Graphviz, which is not installed" in done.stderr and "--format html" in done.stderr
