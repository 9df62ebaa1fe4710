"""Sources of every kind authors cite: an article, a book, a video or a course, with an evidence
level the result names honestly (expert opinion, not "personal experience")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, write_rules

PACK = """
section: training
sources:
  - id: coach_source
    kind: {kind}
    title: "Back Mechanic"
    published: "Stuart McGill, Backfitpro (2015)"
questions:
  - id: sits_all_day
    ask: "Do you sit most of the day?"
    type: yes_no
    why: "Long sitting loads the back."
rules:
  - id: sitting_breaks
    when: {{sits_all_day: yes}}
    suggest: stand_every_half_hour
suggestions:
  - id: stand_every_half_hour
    tier: prevention
    text: "Stand up and walk for a minute every half hour."
    confidence: 0.4
    evidence: expert_opinion
    sources:
      - source: coach_source
        quote: "Break up long sitting."
"""


@pytest.mark.parametrize("kind", ["article", "book", "video", "course"])
def test_a_published_source_of_any_kind_is_cited_as_expert_opinion(
    kind: str, tmp_path: Path
) -> None:
    pack = write_rules(tmp_path / "pack", {"mine.yaml": PACK.format(kind=kind)})
    checked = run_cli("--rules", str(pack), "check", "--strict")
    assert checked.returncode == 0, checked.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text("sits_all_day: yes\n")
    full = run_cli("--rules", str(pack), "--no-journal", "--answers", str(answers), "--full")
    at = full.stdout.index("Stand up and walk for a minute every half hour.")
    assert "confidence 40% (expert opinion)" in full.stdout[at : at + 200]
    assert "personal experience" not in full.stdout[at : at + 200]
    as_json = run_cli(
        "--rules", str(pack), "--no-journal", "--answers", str(answers), "--format", "json"
    )
    (made,) = [
        s for s in json.loads(as_json.stdout)["suggestions"] if s["id"] == "stand_every_half_hour"
    ]
    assert made["evidence"] == "expert_opinion" and made["sources"][0]["kind"] == kind


def test_the_schema_editors_use_offers_every_kind() -> None:
    schema = json.loads(run_cli("schema").stdout)
    kinds = schema["$defs"]["source"]["properties"]["kind"]["enum"]
    assert {"article", "book", "video", "course"} <= set(kinds)
    levels = schema["$defs"]["suggestion"]["properties"]["evidence"]["enum"]
    assert "expert_opinion" in levels
