"""What the safety tests consult with: every answer set the shipped rule tests say is an
emergency or urgent, and a check that a result still gives that advice, first."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from triage.knowledge.loading import shipped_rules_dir
from triage.knowledge.yaml_reader import load_bytes
from triage.ranking import Result

PROTECTED = ("emergency", "urgent")


@cache
def protected_cases() -> tuple[tuple[str, dict[str, Any], str], ...]:
    """(name, answers, tier) for each shipped red-flag case at a protected tier, the answers as
    plain data (as an answers file would hold them)."""
    path = shipped_rules_dir() / "tests" / "red_flags.yaml"
    doc, problems = load_bytes(path.read_bytes(), str(path))
    assert doc is not None and not problems, problems
    plain = lambda value: list(value) if isinstance(value, list) else value  # noqa: E731
    return tuple(
        (case["name"], {q: plain(v) for q, v in case["answers"].items()}, case["tier"])
        for case in doc["cases"]
        if case.get("tier") in PROTECTED and not case.get("todo")
    )


def assert_first(result: Result | dict[str, Any], tier: str, name: str) -> None:
    """The result is at `tier` and its first piece of advice is at that tier too."""
    if isinstance(result, Result):
        got, first = result.tier, result.advice[0].tier
    else:  # the JSON output
        got, first = result["tier"], result["suggestions"][0]["tier"]
    assert (got, first) == (tier, tier), f"{name}: gave {got}, first item {first}"


def snapshot_entry(cache_dir: Path) -> Path:
    (entry,) = (cache_dir / "kb").iterdir()
    return entry
