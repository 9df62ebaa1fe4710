"""Benchmark the questionnaire: time from launch to the first prompt on screen (a real terminal,
through tmux), the time from an answer to the next prompt (the adaptive re-computation) on the
shipped rules and on a knowledge base ten times larger, and how many questions each forum
poster's case is asked. Prints numbers; asserts nothing.

    python tests/benchmarks/questionnaire.py
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from triage import answers, loading
from triage.model import KnowledgeBase
from triage.questionnaire import Session, Terminal
from triage.relevance import Progress
from triage.replay import replay

CASES = Path(__file__).resolve().parents[1] / "cases"


def first_prompt(runs: int = 7) -> float:
    times = []
    state = tempfile.mkdtemp()
    # A session that outlives the measured ones: killing the last session stops the tmux server.
    subprocess.run(
        ["tmux", "-L", "spasm-bench", "new-session", "-d", "-s", "keep", "sleep 600"], check=True
    )
    for i in range(runs):
        name = f"bench{i}"
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "-L",
                "spasm-bench",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "100",
                "-y",
                "40",
                f"env SPASM_TRIAGE_STATE_DIR={state} {sys.executable} -m triage",
            ],
            check=True,
        )
        while True:
            shown = subprocess.run(
                ["tmux", "-L", "spasm-bench", "capture-pane", "-p", "-t", name],
                capture_output=True,
                text=True,
            ).stdout
            if "why we ask" in shown:
                break
            time.sleep(0.002)
        times.append(time.perf_counter() - start)
        subprocess.run(["tmux", "-L", "spasm-bench", "kill-session", "-t", name])
    subprocess.run(["tmux", "-L", "spasm-bench", "kill-server"], capture_output=True)
    return statistics.median(times) * 1000


def scaled(factor: int) -> KnowledgeBase:
    """The shipped rules copied `factor` times, every id renamed in each copy but the first."""
    target = Path(tempfile.mkdtemp())
    shipped = loading.shipped_rules_dir()
    texts = {p.name: p.read_text() for p in sorted(shipped.glob("*.yaml"))}
    kb = loading.load()
    names = (
        set(kb.questions)
        | set(kb.findings)
        | {r.id for r in kb.rules}
        | set(kb.suggestions)
        | {d.id for d in kb.disagreements}
        | set(kb.groups)
    )
    section = re.compile(r"^section:\n(?:  .*\n)+", re.M)  # copies join their file's own section
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )
    for copy in range(factor):
        for name, text in texts.items():
            if copy and name in ("about.yaml", "sources.yaml"):
                continue
            out = (
                text
                if copy == 0
                else pattern.sub(lambda m, c=copy: f"{m.group(1)}_x{c}", section.sub("", text))
            )
            (target / f"{copy:02d}_{name}").write_text(out)
    return loading.load([target])


def per_answer(kb: KnowledgeBase, oracle: dict[str, Any]) -> tuple[float, float, int]:
    """Mean and worst ms from an answer to the next question chosen, over one questionnaire."""
    steps: list[float] = []
    session = Session(kb, Terminal(console=None))  # type: ignore[arg-type]
    planner = session.planner
    progress = Progress()
    while True:
        start = time.perf_counter()
        question = planner.next_question(progress)
        planner.settled_tier(progress)
        planner.stale(progress)
        steps.append((time.perf_counter() - start) * 1000)
        if question is None:
            break
        base = question.id.split("_x")[0]
        value = oracle.get(base)
        if value is None:
            progress.blank.add(question.id)
        else:
            progress.values[question.id] = value
    return statistics.mean(steps), max(steps), len(steps) - 1


def asked_for(kb: KnowledgeBase, case: Path) -> tuple[int, int]:
    """Questions the questionnaire asks for a case's answers: its own flow, replayed."""
    given = answers.read_bytes(case.read_bytes(), str(case), kb)
    return len(replay(kb, given).asked), len(kb.questions)


def prompt_counts(kb: KnowledgeBase) -> None:
    """Prompts and keys until the advice is shown, for every case with a full set of answers:
    the case bank and the forum posters' cases, replayed through the questionnaire's own flow.
    'offer' takes "See my advice now" when the review offers it; 'all' answers every question
    that could refine the advice first (the review's choice counted each time it is shown)."""
    from triage import evaluate

    bank = sorted((CASES / "bank").glob("*.yaml"))
    cases = [(c.id, c.answers, c.tier) for c in evaluate.read(kb, bank)]
    examples = Path(__file__).resolve().parents[2] / "rules" / "examples"
    for path in (CASES / "bench_op.yaml", examples / "tnation_ak47.yaml"):
        given = answers.read_bytes(path.read_bytes(), path.name, kb)
        cases.append((f"poster:{path.stem}", given, "self_care"))
    rows = []
    for ident, given, tier in cases:
        offer, every = replay(kb, given), replay(kb, given, refine=True)
        rows.append(
            (ident, tier == "emergency", offer.prompts, offer.keys, every.prompts, every.keys)
        )
    print(f"{'case':44} {'offer':>5} {'keys':>4} {'all':>4} {'keys':>4}")
    for ident, _, p1, k1, p2, k2 in rows:
        print(f"{ident[:44]:44} {p1:5d} {k1:4d} {p2:4d} {k2:4d}")
    for label, keep in (("not an emergency", False), ("emergency", True)):
        chosen = [r for r in rows if r[1] == keep]
        for title, col in (
            ("prompts, offer taken", 2),
            ("keys, offer taken", 3),
            ("prompts, every question", 4),
            ("keys, every question", 5),
        ):
            values = [r[col] for r in chosen]
            print(
                f"{label}, {title}: median {statistics.median(values):g}, max {max(values)}"
                f" ({len(values)} cases)"
            )


def main() -> None:
    os.environ.setdefault("SPASM_TRIAGE_CACHE_DIR", tempfile.mkdtemp())
    os.environ.setdefault("SPASM_TRIAGE_JOURNAL", f"{tempfile.mkdtemp()}/journal.sqlite3")
    kb = loading.load()
    oracle = dict(answers.read_bytes((CASES / "bench_op.yaml").read_bytes(), "case", kb).values)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if shutil.which("tmux"):
        print(f"launch to first prompt on screen (tmux, median of 7): {first_prompt():7.1f} ms")
    for factor in (1, 10):
        big = kb if factor == 1 else scaled(factor)
        mean, worst, count = per_answer(big, oracle)
        print(
            f"{len(big.rules):5d} rules, {len(big.questions):4d} questions: answer -> next prompt "
            f"mean {mean:6.2f} ms, worst {worst:6.2f} ms over {count} questions"
        )
    examples = Path(__file__).resolve().parents[2] / "rules" / "examples"
    for path in (CASES / "bench_op.yaml", examples / "tnation_ak47.yaml"):
        asked, total = asked_for(kb, path)
        print(f"{path.name}: asked {asked} of {total} questions")
    prompt_counts(kb)


if __name__ == "__main__":
    main()
