"""Benchmark: whole-process time of `spasm-triage --answers` on a typical case, next to the floor
of any program built on these libraries (importing experta and yaml), plus where the time goes
inside one process. Prints a table; asserts nothing.

    python tests/benchmarks/startup.py [--runs 15]

experta 1.9.4 cannot be imported on Python 3.10+ without the frozendict shim, so the floor is
`import experta, yaml` with the shim's alias (collections.Mapping) and nothing of ours. The row
the goal is set on (at most 1.5x the floor) is `--answers FILE --format json --no-journal`, run
alternately with the floor so both see the same load.

Two more rows bound what any experta program could do on this case: the same rules (those that
can fire on these answers, as the tool compiles them) written by hand in experta, reading the
already-normalized answers with yaml.safe_load and printing what fired as JSON; then the same
program also keeping a journal the way the tool must (sqlite3, in the platformdirs user data
folder). The tool's own cost is its distance from the second.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = Path(__file__).resolve().parents[1] / "cases" / "bench_op.yaml"
# The floor: experta and yaml, with the alias experta's frozendict needs on Python 3.10+.
FLOOR = (
    "import collections, collections.abc; collections.Mapping = collections.abc.Mapping; "
    "import experta, yaml"
)


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def paired(command: list[str], anchor: list[str], runs: int) -> tuple[float, float, float]:
    """The command and the anchor in alternating runs (so both see the same load): medians in
    ms, and the median of the paired ratios."""
    mine, theirs = [], []
    for _ in range(runs):
        for times, run in ((theirs, anchor), (mine, command)):
            start = time.perf_counter()
            subprocess.run(run, check=True, capture_output=True, cwd=tempfile.gettempdir())
            times.append(time.perf_counter() - start)
    ratio = statistics.median(m / t for m, t in zip(mine, theirs, strict=True))
    return statistics.median(mine) * 1000, statistics.median(theirs) * 1000, ratio


def stages(runs: int = 7) -> list[tuple[str, float]]:
    """Cold processes, timed stage by stage along the path `--answers` takes: each stage's
    median over `runs` processes."""
    code = f"""
import time, sys
t0 = time.perf_counter()
import yaml
from triage import experta_compat
t1 = time.perf_counter()
import argparse, sqlite3, platformdirs
from triage import answers, cli, journal, ranking, report
from triage.knowledge import loading
from triage.engine import Engine
from triage.relevance import possible_rules
t2 = time.perf_counter()
kb = loading.load()
t3 = time.perf_counter()
given = answers.read_path({str(CASE)!r}, kb)
engine = Engine(kb, possible_rules(kb, dict(given.values)))
t4 = time.perf_counter()
result = ranking.rank(kb, given, engine.consult(given))
report.to_json(result, kb)
t5 = time.perf_counter()
with journal.Journal(journal.default_path()) as kept:
    kept.facts()
    kept.record(answers.in_words(kb, given.values, given.weight_units), result.tier,
                [(a.id, a.tier, a.confidence) for a in result.advice], kb.fingerprint)
t6 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)
"""
    measured = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
        )
        measured.append([float(x) * 1000 for x in done.stdout.split()])
    parts = [statistics.median(column) for column in zip(*measured, strict=True)]
    names = [
        "import experta + yaml (the floor's work)",
        "import the tool (argparse, sqlite3, platformdirs, ours)",
        "knowledge base (from the snapshot when unchanged)",
        "read answers; compile the rules that can fire",
        "consult + rank + render JSON",
        "journal: read history, record the consultation",
    ]
    return list(zip(names, parts, strict=True))


def _pattern(test: object) -> str:
    """One condition leaf as experta source, as the compiler in triage/engine.py builds it."""
    from triage.conditions import FindingTest

    if isinstance(test, FindingTest):
        return f"Finding(id={test.finding!r})"
    op, value, q = test.op, test.value, test.question  # type: ignore[attr-defined]
    if op in ("is", "includes"):
        return f"Answer(q={q!r}, value={value!r})"
    if op in ("one_of", "includes_any"):
        chosen = frozenset(value if isinstance(value, tuple) else (value,))
        return f"Answer(q={q!r}, value=P(lambda v: v in {set(chosen)!r}))"
    sign = {"at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<"}[op]
    return (
        f"Answer(q={q!r}, value=P(lambda v: isinstance(v, (int, float)) and "
        f"not isinstance(v, bool) and v {sign} {value!r}))"
    )


def _patterns(cond: object) -> list[str]:
    from triage import conditions

    if isinstance(cond, conditions.All):
        return [p for part in cond.parts for p in _patterns(part)]
    if isinstance(cond, conditions.AnyOf):
        branches = [_patterns(part) for part in cond.parts]
        joined = [b[0] if len(b) == 1 else f"AND({', '.join(b)})" for b in branches]
        return [f"OR({', '.join(joined)})"]
    if isinstance(cond, conditions.Not):
        return [f"NOT({_pattern(cond.part)})"]
    return [_pattern(cond)]


def handwritten(folder: Path) -> tuple[Path, Path, int, list[str]]:
    """The hand-written experta program for this case, its answers file, its rule count, and
    the rules the tool fires on the case, in order (what the program must match)."""
    import yaml

    from triage import answers, conditions
    from triage.engine import Engine
    from triage.knowledge import loading
    from triage.relevance import possible_rules

    kb = loading.load()
    given = answers.read_path(str(CASE), kb)
    rules = possible_rules(kb, dict(given.values))
    methods = []
    for position, rule in enumerate(rules):
        cond = conditions.negation_normal_form(rule.when)
        patterns = _patterns(cond)
        if all(p.startswith("NOT(") for p in patterns):
            patterns.insert(0, "InitialFact()")
        body = [f"        self.fired.append({rule.id!r})"]
        body += [f"        self.declare(Finding(id={f!r}))" for f in rule.conclude]
        methods.append(
            f"    @Rule({', '.join(patterns)}, salience={len(rules) - position})\n"
            f"    def r{position}(self, **facts):\n" + "\n".join(body) + "\n"
        )
    program = folder / "hand.py"
    program.write_text(
        "import json, os, sys\nimport yaml\n"
        "from triage.experta_compat import AND, NOT, OR, Fact, InitialFact, KnowledgeEngine, P, Rule\n\n"
        "class Answer(Fact):\n    pass\n\nclass Finding(Fact):\n    pass\n\n"
        "class Hand(KnowledgeEngine):\n" + "\n".join(methods) + "\n"
        "with open(sys.argv[1], 'rb') as handle:\n    given = yaml.safe_load(handle)\n"
        "engine = Hand()\nengine.reset()\nengine.fired = []\n"
        "engine.declare(*[Answer(q=q, value=v) for q, vs in given.items() "
        "for v in (vs if isinstance(vs, list) else [vs])])\n"
        "engine.run()\nprint(json.dumps({'fired': engine.fired}))\n"
        "if len(sys.argv) > 2:  # keep a journal, as the tool does\n"
        "    import sqlite3, platformdirs\n"
        "    platformdirs.user_data_dir('spasm-triage-bench', appauthor=False)\n"
        "    db = sqlite3.connect(sys.argv[2])\n"
        "    db.execute('PRAGMA journal_mode=WAL')\n"
        "    db.execute('CREATE TABLE IF NOT EXISTS c (answers TEXT, fired TEXT)')\n"
        "    with db:\n"
        "        db.execute('INSERT INTO c VALUES (?, ?)', (json.dumps(given), json.dumps(engine.fired)))\n"
        "    db.close()\n"
    )
    normalized = folder / "answers.yaml"
    values = {q: list(v) if isinstance(v, tuple) else v for q, v in given.values.items()}
    normalized.write_text(yaml.safe_dump(values))
    fired = Engine(kb, rules).consult(given).order
    return program, normalized, len(rules), fired


def same_firings(program: Path, normalized: Path, tool: list[str]) -> bool:
    """Whether the hand-written program is a fair comparison: the tool's firings, in its order."""
    import json

    done = subprocess.run(
        [sys.executable, str(program), str(normalized)], check=True, capture_output=True, text=True
    )
    return bool(json.loads(done.stdout)["fired"] == tool)


def main() -> None:
    import os

    # A throwaway journal: the benchmark's consultations are not the user's history.
    os.environ.setdefault("SPASM_TRIAGE_JOURNAL", f"{tempfile.mkdtemp()}/journal.sqlite3")
    # Its own cache, warmed by the first of the runs (the median ignores that one).
    os.environ.setdefault("SPASM_TRIAGE_CACHE_DIR", tempfile.mkdtemp())
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    # An installed wheel has its bytecode compiled; a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile every module at every start, and measure that instead.
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[2] / "triage"), quiet=1)
    python = sys.executable
    bare = wall([python, "-c", "pass"], runs)
    floor_command = [python, "-c", FLOOR]
    floor = wall(floor_command, runs)
    consult = [python, "-m", "triage", "--answers", str(CASE), "--format", "json"]
    wall(consult, 1)  # fills the cache
    goal_row, goal_floor, goal_ratio = paired([*consult, "--no-journal"], floor_command, runs)
    command = consult
    tool = wall(command, runs)
    cache_dir = os.environ["SPASM_TRIAGE_CACHE_DIR"]
    os.environ["SPASM_TRIAGE_CACHE_DIR"] = ""  # every run loads the YAML as if for the first time
    uncached = wall(command, runs)
    os.environ["SPASM_TRIAGE_CACHE_DIR"] = cache_dir
    folder = Path(tempfile.mkdtemp())
    program, normalized, count, fired = handwritten(folder)
    hand = wall([python, str(program), str(normalized)], runs)
    same = same_firings(program, normalized, fired)
    hand_journal = wall(
        [python, str(program), str(normalized), str(folder / "journal.sqlite3")], runs
    )
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}; median of {runs} runs; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'--answers bench_op.yaml --format json --no-journal':56} {goal_row:7.1f} ms  "
        f"{goal_ratio:5.2f} x the floor, {goal_floor:.1f} ms, in alternating runs (goal: 1.5 x)"
    )
    print(f"{'python -c pass':56} {bare:7.1f} ms")
    print(f"{'import experta, yaml (the floor)':56} {floor:7.1f} ms")
    print(f"{'spasm-triage --answers bench_op.yaml --format json':56} {tool:7.1f} ms")
    print(f"{'ratio to the floor':56} {tool / floor:7.2f} x")
    print(
        f"{'  the same with no cache (first run, or rules edited)':56} {uncached:7.1f} ms  {uncached / floor:5.2f} x"
    )
    print(
        f"{f'the same {count} rules by hand in experta':56} {hand:7.1f} ms  {hand / floor:5.2f} x"
    )
    print(
        f"{'  (fires the same rules as the tool, in the same order)':56} {'yes' if same else 'NO'}"
    )
    print(
        f"{'  ... and keeping a journal in SQLite':56} {hand_journal:7.1f} ms  {hand_journal / floor:5.2f} x"
    )
    print(
        f"{'the tool over the hand-written program with journal':56} {tool / hand_journal:7.2f} x"
    )
    print("\ncold processes, by stage (medians):")
    for name, ms in stages():
        print(f"  {name:54} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
