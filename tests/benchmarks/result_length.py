"""How long the result is: every shipped case (the case bank and tests/cases/*.yaml), rendered as
the `--answers` text output and as the questionnaire's result screen at 80 and 100 columns.
Prints the lines per tier (median and longest), and in how many results the action is on the
first screen the questionnaire's result view shows at 80x24 (it opens at its top). Run: .venv/bin/python tests/benchmarks/result_length.py"""

from __future__ import annotations

import io
import statistics
import sys
from pathlib import Path

from rich.console import Console

from triage import ranking, report, result_view, screen
from triage.answers import read_path
from triage.engine import Engine
from triage.evaluate import read
from triage.knowledge import loading

ROOT = Path(__file__).resolve().parents[2]
SCREEN_ROWS = 24


def screen_lines(result: ranking.Result, kb: loading.KnowledgeBase, width: int) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    screen.result(console, result, kb)
    return buffer.getvalue().rstrip("\n").split("\n")


def main() -> int:
    kb = loading.load()
    engine = Engine(kb)
    people = [(c.id, c.answers) for c in read(kb, sorted((ROOT / "tests/cases/bank").glob("*.yaml")))]
    people += [(p.stem, read_path(str(p), kb)) for p in sorted((ROOT / "tests/cases").glob("*.yaml"))]
    rows: dict[str, list[dict[str, int]]] = {}
    action_first = 0
    for _, answers in people:
        result = ranking.rank(kb, answers, engine.consult(answers))
        counts = {}
        for width in (80, 100):
            text = report.to_text(result, kb, width=width).rstrip("\n").split("\n")
            shown = screen_lines(result, kb, width)
            counts[f"text {width}"] = len(text)
            counts[f"screen {width}"] = len(shown)
            if width == 80:
                view = result_view.View(Console(color_system=None, width=width), result, kb)
                first = view.frame(width - 1, SCREEN_ROWS)
                words = " ".join("".join(t for _, t in row).strip("│ ") for row in first)
                action_first += " ".join((result.action or "").split())[:40] in " ".join(words.split())
        rows.setdefault(result.tier or "none", []).append(counts)
    columns = ["text 80", "text 100", "screen 80", "screen 100"]
    print(f"{'tier':<14}{'cases':>6}  " + "  ".join(f"{c:>16}" for c in columns))
    for tier in ("emergency", "urgent", "see_clinician", "self_care"):
        found = rows.get(tier, [])
        if not found:
            continue
        cells = [
            f"{statistics.median(r[c] for r in found):>6g} (max {max(r[c] for r in found):>3})"
            for c in columns
        ]
        print(f"{tier:<14}{len(found):>6}  " + "  ".join(f"{c:>16}" for c in cells))
    print(f"results with the action on their first screen (80x24): {action_first} of {len(people)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
