"""The case bank (tests/cases/bank/) is well formed: every case has a story, a source and an
expectation, names only known questions, choices and suggestions, and loads as an answers file.
Whether the tool meets the expectations is what `spasm-triage evaluate` measures, not this."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from triage import answers
from triage.knowledge.yaml_reader import load_bytes
from triage.model import TIER_RANK, KnowledgeBase

BANK = Path(__file__).parent / "cases" / "bank"
EVALUATE = Path(__file__).parents[1] / "docs" / "evaluate.md"
EXPECT_KEYS = {"tier", "suggests", "not_suggests", "top"}


def _cases() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(BANK.glob("*.yaml")):
        data, problems = load_bytes(path.read_bytes(), str(path))
        assert not problems, problems
        found += [(f"{path.name}:{case['id']}", case) for case in data["cases"]]
    return found


CASES = _cases()


def test_the_bank_is_big_enough_and_the_docs_count_it() -> None:
    assert len(CASES) >= 40
    ids = [case["id"] for _, case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    said = re.search(r"(\d+) people, written from", EVALUATE.read_text())
    assert said is not None and int(said.group(1)) == len(CASES)
    readme = (EVALUATE.parents[1] / "README.md").read_text()
    said = re.search(r"scored on (\d+) realistic people", readme)
    assert said is not None and int(said.group(1)) == len(CASES)


@pytest.mark.parametrize(("where", "case"), CASES, ids=[w for w, _ in CASES])
def test_every_case_is_complete_and_names_only_what_exists(
    shipped: KnowledgeBase, where: str, case: dict[str, Any]
) -> None:
    assert set(case) == {"id", "story", "source", "answers", "expect"}, where
    assert case["story"].strip() and case["source"].strip()
    expect = case["expect"]
    assert set(expect) <= EXPECT_KEYS and expect["tier"] in TIER_RANK
    named = [s for key in ("suggests", "not_suggests", "top") for s in expect.get(key, [])]
    assert [s for s in named if s not in shipped.suggestions] == []
    answers.from_mapping(case["answers"], shipped, where)  # raises on an unknown id or choice
    journal = [q for q in case["answers"] if shipped.questions[q].journal]
    assert not journal or "journal" in case["story"], "journal facts only for a journal story"
