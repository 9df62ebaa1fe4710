"""The journal shown: a table of the latest consultations, a chart of episodes per month over
the last year, and everything exported as JSON or CSV. Exports are written one consultation at
a time, so a journal of any length is never all in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from triage.journal import Entry, episode_starts
from triage.model import KnowledgeBase
from triage.text import csv_cell

BAR = "█"
SHOWN = 30  # consultations in the table; the exports have them all


def title(kb: KnowledgeBase | None, suggestion: str) -> str:
    """A suggestion's first clause; its id when today's rules no longer have it."""
    if kb is not None and suggestion in kb.suggestions:
        return kb.suggestions[suggestion].title
    return suggestion


def whole_text(kb: KnowledgeBase | None, suggestion: str) -> str:
    """A suggestion's whole text, for an export that holds everything; its id when today's
    rules no longer have it."""
    if kb is not None and suggestion in kb.suggestions:
        return kb.suggestions[suggestion].text
    return suggestion


def months(now: datetime) -> list[str]:
    """The last twelve months, oldest first, as YYYY-MM."""
    year, month = now.year, now.month
    out = []
    for _ in range(12):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def tier_title(kb: KnowledgeBase | None, tier: str | None) -> str:
    """What the tier is called for the person ("What to do now"); its id without the rules."""
    if tier is None:
        return "no advice"
    if kb is not None and tier in kb.about.tiers:
        return kb.about.tiers[tier].title
    return tier


def when(moment: datetime) -> str:
    """A time in the person's own clock and in words: 1 Dec 2026, 09:52."""
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def episode_numbers(times: list[datetime]) -> dict[datetime, int]:
    """Each consultation's episode, numbered from the first: consultations less than a week
    apart are the same spasm, asked about again."""
    starts = episode_starts(times)
    numbers: dict[datetime, int] = {}
    current = 0
    for moment in times:
        while current < len(starts) and starts[current] <= moment:
            current += 1
        numbers[moment] = current
    return numbers


def show(
    console: Console,
    latest: list[Entry],
    total: int,
    times: list[datetime],
    kb: KnowledgeBase | None,
    now: datetime | None = None,
) -> None:
    """The latest consultations (of `total`) in a table, by episode, then the episodes per
    month, from every consultation's time."""
    now = now or datetime.now(UTC)
    if not latest:
        console.print("The journal is empty: every finished consultation is kept here.")
        return
    numbers = episode_numbers(times)
    count = len(set(numbers.values()))
    table = Table(
        title=f"Your spasm journal: {count} episode{'s' if count != 1 else ''}, "
        f"{len(times)} consultation{'s' if len(times) != 1 else ''}",
        title_justify="left",
    )
    table.add_column("episode", justify="right")
    table.add_column("when")
    table.add_column("result")
    table.add_column("top advice")
    table.add_column("what helped")
    nets = {s.id for s in kb.suggestions.values() if s.safety_net} if kb is not None else set()
    shown_episode = None
    for entry in latest:
        top = [a for a in entry.advice if a["suggestion"] not in nets][:3]
        helped = [title(kb, a["suggestion"]) for a in entry.advice if a["helped"]]
        tried = any(a["tried"] is not None for a in entry.advice)
        episode = numbers.get(entry.finished)
        table.add_row(
            "" if episode == shown_episode else str(episode or ""),
            when(entry.finished),
            tier_title(kb, entry.tier),
            "\n".join(f"• {title(kb, a['suggestion'])}" for a in top),
            "\n".join(helped) if helped else ("nothing, so far" if tried else "(no follow-up)"),
        )
        shown_episode = episode
    console.print(table)
    console.print(
        "An episode is one spasm: consultations less than a week apart count as the same one."
    )
    if total > len(latest):
        console.print(
            f"{total - len(latest)} earlier consultations are not shown: "
            "'spasm-triage history --format csv' (or --format json) lists them all."
        )
    counts = dict.fromkeys(months(now), 0)
    for start in episode_starts(times):  # asking again about the same spasm is not a new one
        key = start.strftime("%Y-%m")
        if key in counts:
            counts[key] += 1
    console.print(Text("Episodes per month, last 12 months", style="bold"))
    for month, number in counts.items():
        console.print(f"  {month}  {BAR * number}{' ' if number else ''}{number}")


def write_json(out: TextIO, entries: Iterable[Entry]) -> None:
    """A JSON list of the consultations, the same text json.dumps(..., indent=2) gives."""
    first = True
    for entry in entries:
        body = json.dumps(_plain(entry), indent=2, ensure_ascii=False)
        # Indented one level, as inside the list; JSON text has no raw newline in a string.
        out.write(("[\n  " if first else ",\n  ") + body.replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def _plain(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "finished": entry.finished.isoformat(),
        "tier": entry.tier,
        "answers": entry.answers,
        "advice": entry.advice,
    }


def write_csv(out: TextIO, entries: Iterable[Entry], kb: KnowledgeBase | None = None) -> None:
    """One row per piece of advice, with its consultation, for a spreadsheet: the date and the
    time in the person's own clock in columns a spreadsheet reads as such, the tier and the
    advice in words beside their ids (the advice's whole text, never cut), and the answers as
    'question: answer' pairs."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "consultation",
            "finished",
            "date",
            "time",
            "tier",
            "result",
            "answers",
            "rank",
            "suggestion",
            "advice",
            "suggestion_tier",
            "confidence",
            "tried",
            "helped",
        ]
    )
    for entry in entries:
        local = entry.finished.astimezone()
        answers = "; ".join(
            f"{question}: {_answer(value)}" for question, value in sorted(entry.answers.items())
        )
        for rank, advice in enumerate(entry.advice or [{}], start=1):
            suggestion = advice.get("suggestion", "")
            writer.writerow(
                csv_cell(cell)
                for cell in [
                    entry.id,
                    entry.finished.isoformat(),
                    f"{local:%Y-%m-%d}",
                    f"{local:%H:%M:%S}",
                    entry.tier or "",
                    tier_title(kb, entry.tier),
                    answers,
                    rank if advice else "",
                    suggestion,
                    whole_text(kb, suggestion) if suggestion else "",
                    advice.get("tier", ""),
                    advice.get("confidence", ""),
                    _flag(advice.get("tried")),
                    _flag(advice.get("helped")),
                ]
            )


def _answer(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _flag(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"
