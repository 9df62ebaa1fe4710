"""Benchmark the journal at scale: a journal of many consultations (50,000 by default, each with
realistic answers and a dozen pieces of advice) is generated in a temporary folder, then
`history` (text, JSON, CSV), `follow-up` and a consultation are run against it, each in a fresh
process. Prints wall time and peak memory (max RSS) for each; asserts nothing.

    python tests/benchmarks/history.py [CONSULTATIONS]
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.journal import Journal

CASES = Path(__file__).resolve().parents[1] / "cases"
ANSWERS = {
    "weight_unit": "kg", "age": 34, "saddle_numbness": "no", "bladder_bowel_change": "no",
    "leg_symptoms": "none", "leg_weakness": "no", "major_trauma": "no", "collapse_signs": "no",
    "fever": "no", "infection_risk": "no", "night_pain": "no", "lifts": ["deadlift", "bench"],
    "spasm_during": ["deadlift"], "working_weight": "140 kg", "tail_tuck": "unsure",
    "pain_now": 6, "can_move": "yes", "days_since_start": 1, "on_program": "yes",
}  # fmt: skip
ADVICE = [
    ("heat_for_pain", "self_care", 0.8), ("stay_active", "self_care", 0.85),
    ("when_to_get_help", "self_care", 0.9), ("back_off_few_weeks", "training", 0.6),
    ("fix_tail_tuck", "training", 0.6), ("hip_mobility_daily", "prevention", 0.5),
    ("more_salt_electrolytes", "self_care", 0.4), ("deep_tissue_massage", "self_care", 0.4),
    ("glute_activation", "prevention", 0.4), ("lighter_weights_period", "training", 0.5),
    ("looser_hamstrings", "prevention", 0.4), ("flexibility_work", "prevention", 0.4),
]  # fmt: skip


def build(path: Path, count: int) -> None:
    Journal(path).open().close()  # the current schema
    now = datetime.now(UTC)
    answers = json.dumps(ANSWERS)
    db = sqlite3.connect(path)
    with db:
        for i in range(count):
            when = (now - timedelta(hours=12 * (count - i))).isoformat(timespec="seconds")
            cid = db.execute(
                "INSERT INTO consultation (finished, answers, tier, kb_fingerprint) "
                "VALUES (?, ?, 'self_care', 'bench')",
                (when, answers),
            ).lastrowid
            db.executemany(
                "INSERT INTO advice (consultation_id, rank, suggestion, tier, confidence, "
                "tried, helped) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (cid, r, s, t, c, 1 if r == 1 and i % 3 == 0 else None, 1 if r == 1 else None)
                    for r, (s, t, c) in enumerate(ADVICE, start=1)
                ],
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds, peak RSS in MB, exit code, bytes written to stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "triage", *args],
            stdout=out,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        size = out.tell()
    return wall, usage.ru_maxrss / 1024, child.returncode, size


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    folder = Path(tempfile.mkdtemp(prefix="spasm-history-bench-"))
    try:
        path = folder / "journal.sqlite3"
        start = time.perf_counter()
        build(path, count)
        size = path.stat().st_size / 1e6
        print(f"journal: {count:,} consultations, {size:.1f} MB, "
              f"built in {time.perf_counter() - start:.1f} s")  # fmt: skip
        env = {
            **os.environ,
            "SPASM_TRIAGE_JOURNAL": str(path),
            "SPASM_TRIAGE_CACHE_DIR": str(folder / "cache"),
            "COLUMNS": "120",
        }
        runs = [
            ("history", ["history"]),
            ("history --format json", ["history", "--format", "json"]),
            ("history --format csv", ["history", "--format", "csv"]),
            ("follow-up --helped heat_for_pain", ["follow-up", "--helped", "heat_for_pain"]),
            ("--answers bench_op.yaml --format json",
             ["--answers", str(CASES / "bench_op.yaml"), "--format", "json"]),
        ]  # fmt: skip
        measure(["--no-journal", "--answers", str(CASES / "bench_op.yaml")], env)  # warm cache
        print(f"{'command':<42} {'s':>7} {'MB':>7} {'exit':>5} {'output':>10}")
        for name, args in runs:
            wall, rss, code, out = measure(args, env)
            print(f"{name:<42} {wall:7.2f} {rss:7.0f} {code:5d} {out / 1e6:8.1f}MB")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
