"""What the journal's history says: consultations grouped into episodes, and the history
facts as answers to the `journal:` questions, each checked like a typed answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

# Consultations this close together are one episode: the same spasm, asked about again.
SAME_EPISODE = timedelta(days=7)


def episodes(entries: list[Any]) -> list[list[Any]]:
    """Consultations grouped into episodes: a new one starts after a week without any."""
    ordered = sorted(entries, key=lambda e: e.finished)
    return [ordered[start:end] for start, end in _runs([entry.finished for entry in ordered])]


def episode_starts(times: list[datetime]) -> list[datetime]:
    """When each episode began, from the sorted times of the consultations."""
    return [times[start] for start, _ in _runs(times)]


def _runs(times: list[datetime]) -> list[tuple[int, int]]:
    """(start, end) index ranges of sorted times, split wherever a week passes without one."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(times) + 1):
        if i == len(times) or times[i] - times[i - 1] > SAME_EPISODE:
            runs.append((start, i))
            start = i
    return runs


def as_answers(kb: Any, facts: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The journal facts as answers to the knowledge base's `journal:` questions, each checked
    like a typed answer (type, min, max); one that does not fit is left out, with a notice."""
    from triage.answers import normalize

    values: dict[str, Any] = {}
    notices: list[str] = []
    for question in kb.questions.values():
        value = facts.get(question.journal) if question.journal else None
        if question.journal == "helped":
            value = tuple(s for s in value or () if s in question.choice_ids) or None
        if value is None:
            continue
        try:
            values[question.id], _ = normalize(
                question, list(value) if isinstance(value, tuple) else value
            )
        except (ValueError, ArithmeticError) as exc:
            notices.append(f"{exc}, from the journal; it is left out")
    return values, notices
