"""Benchmark `spasm-triage evaluate`: cases per second for a whole bank in one process, at the
shipped size and with a generated 1,000-rule knowledge base (tests/benchmarks/scaling.py's
generator). Prints numbers; asserts nothing.

    python tests/benchmarks/evaluate.py [BANK_FILE...]

The bank is tests/cases/bank/*.yaml, or the files given. Without one, the shipped rule tests'
answers (rules/tests/*.yaml, 170 sets) stand in for it: speed depends on the answers, not on
what a case expects. Each case is timed in two parts: the consultation (engine and ranking) and
the replay through the questionnaire (the prompts). The goal is 200 cases per second at the
shipped size, on the bank: `python tests/benchmarks/evaluate.py tests/cases/bank/*.yaml`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from triage import evaluate, ranking
from triage.knowledge import loading
from triage.knowledge.yaml_reader import load_bytes
from triage.model import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
import scaling  # noqa: E402  (the generator of large knowledge bases, beside this file)


def stand_in_bank(folder: Path) -> list[Path]:
    """The shipped rule tests' answers as evaluation cases, one file."""
    cases = []
    for file in sorted((ROOT / "rules" / "tests").glob("*.yaml")):
        doc, _ = load_bytes(file.read_bytes(), str(file))
        for i, case in enumerate(doc["cases"]):
            cases.append(
                {
                    "id": f"{file.stem}-{i}",
                    "story": case["name"],
                    "source": str(file.name),
                    "answers": dict(case["answers"]),
                    "expect": {"tier": case.get("tier", "prevention")},
                }
            )
    out = folder / "stand-in.yaml"
    out.write_text(json.dumps({"cases": cases}))  # JSON is YAML
    return [out]


def generated(folder: Path, n_rules: int, n_cases: int) -> tuple[Path, list[Path]]:
    """A generated knowledge base and cases for it. The generator's questions do not depend on
    its seed, only their answers do: other seeds give other people for the same rules."""
    text, _, _ = scaling.generate(n_rules)
    rules = folder / f"rules{n_rules}"
    rules.mkdir()
    scaling.write_shipped_base(rules)
    (rules / "generated.yaml").write_text(text)
    cases = [
        {
            "id": f"generated-{seed}",
            "story": "generated",
            "source": "tests/benchmarks/scaling.py",
            "answers": scaling.generate(n_rules, seed=seed)[2],
            "expect": {"tier": "prevention"},
        }
        for seed in range(100, 100 + n_cases)
    ]
    bank = folder / f"bank{n_rules}.yaml"
    bank.write_text(json.dumps({"cases": cases}))
    return rules, [bank]


def measure(kb: KnowledgeBase, files: list[Path], label: str, runs: int) -> None:
    start = time.perf_counter()
    cases = evaluate.read(kb, files)
    read = time.perf_counter() - start
    outcomes = [evaluate.run(kb, cases) for _ in range(runs)]  # each compiles afresh
    speeds = sorted(len(cases) / o.seconds for o in outcomes)
    setup = statistics.median(o.setup_seconds for o in outcomes)
    # The same work again, in its two parts, on a fresh evaluator.
    parts = evaluate.Evaluator(kb)
    consult, replay, prompts = [], [], []
    for case in cases:
        t0 = time.perf_counter()
        ranking.rank(kb, case.answers, parts.engine.consult(case.answers))
        t1 = time.perf_counter()
        prompts.append(parts.replayer.replay(case.answers).prompts)
        t2 = time.perf_counter()
        consult.append((t1 - t0) * 1000)
        replay.append((t2 - t1) * 1000)
    n = len(cases)
    print(
        f"{label}: {len(kb.rules)} rules, {len(kb.questions)} questions, {n} cases\n"
        f"  cases/s: median {statistics.median(speeds):.0f}, best {speeds[-1]:.0f}, worst "
        f"{speeds[0]:.0f} over {runs} runs ({1000 / statistics.median(speeds):.2f} ms a case)\n"
        f"  once per run: compiling the rules and the planner {setup * 1000:.0f} ms; reading "
        f"the case files {read * 1000:.0f} ms\n"
        f"  a case: consultation and ranking {statistics.mean(consult):.2f} ms mean "
        f"({max(consult):.2f} worst), replay {statistics.mean(replay):.2f} ms mean "
        f"({max(replay):.2f} worst) for {statistics.mean(prompts):.1f} prompts"
    )


def whole_command(files: list[Path], rules: list[Path]) -> float:
    """The installed command, start to finish, warm cache: wall seconds."""
    packs = [arg for r in rules for arg in ("--rules", str(r))]
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "triage", "evaluate", *map(str, files), "--format", "json", *packs],
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    given = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "tests/cases/bank").glob("*.yaml"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}"
        f"; load average {os.getloadavg()[0]:.2f} (a shared machine: cases per second fall with it)"
    )
    with tempfile.TemporaryDirectory() as scratch:  # cases, rules and cache, removed after
        folder = Path(scratch)
        os.environ.setdefault("SPASM_TRIAGE_CACHE_DIR", str(folder / "cache"))
        os.environ["SPASM_TRIAGE_JOURNAL"] = str(folder / "journal.sqlite3")  # never opened
        bank = given or stand_in_bank(folder)
        label = "the bank" if given else "shipped rules, the rule tests' answers standing in"
        measure(loading.load(), bank, label, runs=7)
        whole_command(bank, [])  # fills the cache
        whole = statistics.median(whole_command(bank, []) for _ in range(5))
        print(
            f"  the whole command, median of 5 (start-up, load, evaluate, JSON): {whole * 1000:.0f} ms"
        )
        rules, generated_bank = generated(folder, 1000, 40)
        kb = loading.load([rules])  # the generated rules alone, with the shipped about and sources
        measure(kb, generated_bank, "generated knowledge base", runs=3)


if __name__ == "__main__":
    main()
