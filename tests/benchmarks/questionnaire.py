"""Benchmark the questionnaire: time from launch to the first checklist on screen (a real
terminal, through tmux), paired in alternating runs with launching a bare questionary.select of
three choices (the anchor: what any questionary program pays); the time from an answer to the
next prompt (the planner, and on the quick path the ranking of the advice as it stands) on the
shipped rules and on copies of them to at least 1,000 rules; and how many questions each forum
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

from triage import answers
from triage.interview import Interview, planner_for, settle_journal_questions
from triage.knowledge import loading
from triage.model import KnowledgeBase
from triage.relevance import Progress
from triage.replay import _Script, replay

CASES = Path(__file__).resolve().parents[1] / "cases"


ANCHOR = (
    "import questionary; "
    "questionary.select('Pick one of these', choices=['one', 'two', 'three']).ask()"
)


def _launch(name: str, command: str, shown: str) -> float:
    """Seconds from starting `command` in a new tmux window until `shown` is on its screen."""
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
            command,
        ],
        check=True,
    )
    while True:
        screen = subprocess.run(
            ["tmux", "-L", "spasm-bench", "capture-pane", "-p", "-t", name],
            capture_output=True,
            text=True,
        ).stdout
        if shown in screen:
            break
        time.sleep(0.002)
    seconds = time.perf_counter() - start
    subprocess.run(["tmux", "-L", "spasm-bench", "kill-session", "-t", name])
    return seconds


def first_prompt(runs: int = 9) -> tuple[float, float, float, float, float]:
    """Launch to the first checklist on screen, and launch to a bare questionary.select of
    three choices (the anchor), in alternating runs: medians in ms, and the median of the
    paired ratios; then the same for a launch with no first screen stored (the first run after
    the rules changed, or with an unfinished questionnaire waiting: the rules are loaded before
    the first screen is drawn)."""
    state = tempfile.mkdtemp()
    stored = Path(os.environ["SPASM_TRIAGE_CACHE_DIR"]) / "kb"
    # A session that outlives the measured ones: killing the last session stops the tmux server.
    subprocess.run(
        ["tmux", "-L", "spasm-bench", "new-session", "-d", "-s", "keep", "sleep 600"], check=True
    )
    tool_command = f"env SPASM_TRIAGE_JOURNAL={state}/journal.sqlite3 {sys.executable} -m triage"
    anchor_command = f'{sys.executable} -c "{ANCHOR}"'
    _launch("warm-tool", tool_command, "why we ask")  # fills the cache; not counted
    _launch("warm-anchor", anchor_command, "Pick one of these")
    tool, anchor, unstored, anchor2 = [], [], [], []
    for i in range(runs):
        anchor.append(_launch(f"anchor{i}", anchor_command, "Pick one of these"))
        tool.append(_launch(f"tool{i}", tool_command, "why we ask"))
    for i in range(runs):
        anchor2.append(_launch(f"anchor-b{i}", anchor_command, "Pick one of these"))
        for entry in stored.glob("*.first.json"):
            entry.unlink()
        unstored.append(_launch(f"unstored{i}", tool_command, "why we ask"))
    subprocess.run(["tmux", "-L", "spasm-bench", "kill-server"], capture_output=True)
    ratio = statistics.median(t / a for t, a in zip(tool, anchor, strict=True))
    ratio2 = statistics.median(t / a for t, a in zip(unstored, anchor2, strict=True))
    return (
        statistics.median(tool) * 1000,
        statistics.median(anchor) * 1000,
        ratio,
        statistics.median(unstored) * 1000,
        ratio2,
    )


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


class _Timed(_Script):
    """The replay's scripted person, noting the time from each answer given to the next prompt:
    what the questionnaire spends choosing the next question (the planner, the quick path's
    ranking of the advice as it stands) between two prompts."""

    answers_at_once = False  # a person: the flow prepares while they read

    def __init__(self, kb: KnowledgeBase, given: answers.Answers, reading: float) -> None:
        super().__init__(kb, given, refine=False)
        self.steps: list[float] = []
        self.answered: float | None = None
        self.reading = reading  # seconds the person takes to read a prompt and answer it

    def _prompted(self) -> None:
        if self.answered is not None:
            self.steps.append((time.perf_counter() - self.answered) * 1000)

    def ask(self, question: Any, progress: Progress) -> tuple[Any, str | None]:
        self._prompted()
        time.sleep(self.reading)
        try:
            return super().ask(question, progress)
        finally:
            self.answered = time.perf_counter()

    def ask_group(self, group: Any, questions: Any, progress: Progress) -> dict[str, Any]:
        self._prompted()
        time.sleep(self.reading)
        try:
            return super().ask_group(group, questions, progress)
        finally:
            self.answered = time.perf_counter()

    def review(self, progress: Progress, more: int) -> str | None:
        self._prompted()  # the review is the prompt after the last answer
        self.answered = None
        return super().review(progress, more)


def per_answer(
    kb: KnowledgeBase, oracle: dict[str, Any], reading: float = 0.0
) -> tuple[float, float, float, int]:
    """From an answer to the next prompt, over one questionnaire run through the flow the
    terminal runs (triage/interview.py), the person answering from `oracle` (a question of a
    scaled copy takes the answer of the question it copies) after `reading` seconds on each
    prompt: median, mean and worst ms. The whole rules are compiled in the background from the
    first answer on (the quick path ranks the advice with them); a person who reads each prompt
    for a moment never waits for that, a script answering at once does."""
    values = {
        qid: oracle[qid.split("_x")[0]] for qid in kb.questions if qid.split("_x")[0] in oracle
    }
    given = answers.Answers(values)
    script = _Timed(kb, given, reading)
    progress = Progress()
    settle_journal_questions(kb, progress, {})
    Interview(kb, script, progress, planner=planner_for(kb)).conduct()
    steps = script.steps
    return statistics.median(steps), statistics.mean(steps), max(steps), len(steps)


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
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}")
    if shutil.which("tmux"):
        tool, anchor, ratio, unstored, ratio2 = first_prompt()
        print(
            f"launch to the first checklist on screen (tmux, median of 9, alternating): "
            f"{tool:.1f} ms; a bare questionary.select of 3 choices: {anchor:.1f} ms; "
            f"ratio {ratio:.2f}x (median of paired ratios; goal: at most 1.25x)"
        )
        print(
            f"  with no first screen stored (the first run after the rules changed): "
            f"{unstored:.1f} ms, ratio {ratio2:.2f}x"
        )
    # The shipped rules, and copies of them to at least 1,000 rules.
    factor = -(-1000 // len(kb.rules))
    for size, big in ((1, kb), (factor, scaled(factor))):
        goal = 30 if size == 1 else 200
        for reading in (0.2, 0.0):
            median, mean, worst, count = per_answer(big, oracle, reading)
            print(
                f"{len(big.rules):5d} rules, {len(big.questions):4d} questions, "
                f"{reading:.1f} s to read each prompt: answer -> next prompt median "
                f"{median:6.2f} ms, mean {mean:6.2f} ms, worst {worst:6.2f} ms over {count} "
                f"answers (goal: at most {goal} ms)"
            )
    examples = Path(__file__).resolve().parents[2] / "rules" / "examples"
    for path in (CASES / "bench_op.yaml", examples / "tnation_ak47.yaml"):
        asked, total = asked_for(kb, path)
        print(f"{path.name}: asked {asked} of {total} questions")
    prompt_counts(kb)


if __name__ == "__main__":
    main()
