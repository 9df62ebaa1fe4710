"""docs/differential.md is the differential table for the rules as they are: every question its
"Asked as" column names exists, every red-flag question is in the table, and every finding it
names as holding advice back is one the rules conclude."""

from __future__ import annotations

import re
from pathlib import Path

from triage.model import KnowledgeBase

DOC = Path(__file__).resolve().parents[1] / "docs" / "differential.md"


def _rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## The conditions asked about", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def test_every_question_the_table_names_is_in_the_rules(shipped: KnowledgeBase) -> None:
    rows = _rows()
    assert len(rows) >= 20
    for row in rows:
        asked = row[2]
        for code in re.findall(r"`([^`]+)`", asked):
            qid = code.split(":")[0].strip()
            assert qid in shipped.questions, (row[0], qid)


def test_every_red_flag_question_is_in_the_table(shipped: KnowledgeBase) -> None:
    named = {
        code.split(":")[0].strip() for row in _rows() for code in re.findall(r"`([^`]+)`", row[2])
    }
    flags = {q.id for q in shipped.questions.values() if q.section == "red_flags"}
    assert flags - {"age"} <= named, flags - named


def test_the_findings_that_hold_advice_back_are_concluded_by_the_rules(
    shipped: KnowledgeBase,
) -> None:
    text = DOC.read_text(encoding="utf-8")
    listed = text.split("The findings that carry this are", 1)[1].split(".\n", 1)[0]
    findings = re.findall(r"`([a-z_]+)`", listed)
    concluded = {f for rule in shipped.rules for f in rule.conclude}
    assert findings and set(findings) <= concluded, set(findings) - concluded
