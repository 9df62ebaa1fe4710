"""Benchmark: whole-process time of `spasm-triage --answers` on a typical case, next to the floor
of any program built on these libraries (importing experta and yaml), plus where the time goes
inside one process. Prints a table; asserts nothing.

    python tests/benchmarks/startup.py [--runs 15]

experta 1.9.4 cannot be imported on Python 3.10+ without the frozendict shim, so the floor is
measured as `import triage.experta_compat, yaml` (the shim is a few lines; it imports experta).
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


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def stages() -> list[tuple[str, float]]:
    """One cold process, timed stage by stage."""
    code = f"""
import time, sys
t0 = time.perf_counter()
import yaml
from triage import experta_compat
t1 = time.perf_counter()
from triage import answers, loading, ranking, report
from triage.engine import Engine
kb = loading.load()
t2 = time.perf_counter()
engine = Engine(kb)
t3 = time.perf_counter()
given = answers.read_bytes(open({str(CASE)!r}, 'rb').read(), 'case', kb)
result = ranking.rank(kb, given, engine.consult(given))
t4 = time.perf_counter()
report.to_json(result, kb)
t5 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    parts = [float(x) * 1000 for x in done.stdout.split()]
    names = [
        "import experta + yaml",
        "load + validate rules (YAML, JSON Schema, model)",
        "compile to experta (rules + RETE network)",
        "consult + rank",
        "render JSON",
    ]
    return list(zip(names, parts, strict=True))


def main() -> None:
    import os

    # A throwaway journal: the benchmark's consultations are not the user's history.
    os.environ.setdefault("SPASM_TRIAGE_JOURNAL", f"{tempfile.mkdtemp()}/journal.sqlite3")
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    python = sys.executable
    bare = wall([python, "-c", "pass"], runs)
    floor = wall([python, "-c", "import triage.experta_compat, yaml"], runs)
    tool = wall([python, "-m", "triage", "--answers", str(CASE), "--format", "json"], runs)
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}; median of {runs} runs"
    )
    print(f"{'python -c pass':52} {bare:7.1f} ms")
    print(f"{'import experta, yaml (the floor)':52} {floor:7.1f} ms")
    print(f"{'spasm-triage --answers bench_op.yaml --format json':52} {tool:7.1f} ms")
    print(f"{'ratio to the floor':52} {tool / floor:7.2f} x")
    print("\none cold process, by stage:")
    for name, ms in stages():
        print(f"  {name:50} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
