"""Benchmark: how the cost grows with the size of the knowledge base, and what the YAML layer
adds over rules written directly in experta. Prints a table; asserts nothing.

    python tests/benchmarks/scaling.py [--sizes 100,1000,5000]

For each size a knowledge base is generated in the shapes of the shipped rules (questions of
every type; conditions that test one value, a set of values, a number, a `not`, an `any`, and
findings concluded by other rules), written as YAML, and also written as a Python module of
experta rules, the way a person would write them by hand (the floor of the engine itself). Each
measurement runs in a fresh process, so imports and caches are cold; peak memory is the
process's maximum resident size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SHIPPED = None  # filled in main(): the shipped rules' about/sources, reused verbatim


def write_shipped_base(rules: Path) -> None:
    """The shipped about block and sources, beside generated rules. The about block's
    protection names the shipped red-flag section, which generated rules do not have."""
    shipped = Path(__file__).resolve().parents[2] / "rules"
    about = (shipped / "about.yaml").read_text()
    (rules / "about.yaml").write_text(re.sub(r"\n  protected:\n(?:    .*\n)+", "\n", about))
    (rules / "sources.yaml").write_text((shipped / "sources.yaml").read_text())


def generate(
    n_rules: int, seed: int = 7, dense: bool = False
) -> tuple[str, str, dict[str, object]]:
    """(rules YAML, hand-written experta module, answers) for a knowledge base of n rules.
    A questionnaire grows its questions slowly (the shipped one: 44 for 82 rules), so by default
    there is one question per ten rules, at least 40; `dense` gives one per two rules."""
    rng = random.Random(seed)
    n_questions = max(10, n_rules // 2) if dense else max(40, n_rules // 10)
    questions: list[dict[str, object]] = [  # the shipped about block names it
        {
            "id": "weight_unit",
            "ask": "kg or lb?",
            "type": "one_of",
            "why": "Units.",
            "choices": {"kg": "kg", "lb": "lb"},
        }
    ]
    answers: dict[str, object] = {}
    kinds = ["yes_no", "one_of", "many_of", "number"]
    for i in range(n_questions):
        kind = kinds[i % 4]
        q = {"id": f"q{i}", "ask": f"Question {i}?", "type": kind, "why": "Generated."}
        if kind in ("one_of", "many_of"):
            q["choices"] = {f"c{j}": f"Choice {j}" for j in range(5)}
        if kind == "number":
            q["unit"] = "days"
        questions.append(q)
        answers[f"q{i}"] = {
            "yes_no": rng.choice(["yes", "no", "unsure"]),
            "one_of": f"c{rng.randrange(5)}",
            "many_of": [f"c{j}" for j in range(5) if rng.random() < 0.4],
            "number": rng.randrange(0, 60),
        }[kind]
    n_findings = max(2, n_rules // 10)
    findings = [{"id": f"f{i}", "means": f"Finding {i}"} for i in range(n_findings)]
    n_suggestions = max(2, n_rules // 3)
    tiers = ["urgent", "see_clinician", "self_care", "training", "prevention"]
    suggestions = [
        {
            "id": f"s{i}",
            "tier": tiers[i % 5],
            "text": f"Suggestion {i}.",
            "confidence": 0.5,
            "evidence": "one_poster",
            "sources": [{"source": "gen", "poster": "someone", "quote": "Q."}],
        }
        for i in range(n_suggestions)
    ]

    def test(q: dict[str, object]) -> tuple[dict[str, object], str]:
        """A condition on q, as YAML data and as an experta pattern."""
        qid, kind = q["id"], q["type"]
        if kind == "yes_no":
            value = rng.choice(["yes", "no"])
            return {qid: value}, f'Answer(q="{qid}", value="{value}")'
        if kind == "number":
            t = rng.randrange(5, 50)
            return (
                {qid: {"at_least": t}},
                f'Answer(q="{qid}", value=P(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= {t}))',
            )
        choices = [f"c{j}" for j in range(5)]
        if rng.random() < 0.7:
            value = rng.choice(choices)
            return {qid: value}, f'Answer(q="{qid}", value="{value}")'
        some = rng.sample(choices, 2)
        if kind == "many_of":
            return {
                qid: {"includes_any": some}
            }, f'Answer(q="{qid}", value=P(lambda v: v in {set(some)!r}))'
        return {qid: some}, f'Answer(q="{qid}", value=P(lambda v: v in {set(some)!r}))'

    rules, hand = [], []
    for i in range(n_rules):
        conds, patterns = [], []
        for _ in range(rng.randint(2, 4)):
            data, pattern = test(rng.choice(questions[1:]))
            conds.append(data)
            patterns.append(pattern)
        if rng.random() < 0.1:  # a `not`
            data, pattern = test(rng.choice(questions[1:]))
            conds.append({"not": data})
            patterns.append(f"NOT({pattern})")
        if i > n_rules // 2 and rng.random() < 0.3:  # chain on a finding
            f = rng.choice(findings)["id"]
            conds.append({"finding": f})
            patterns.append(f'Finding(id="{f}")')
        rule: dict[str, object] = {
            "id": f"r{i}",
            "when": conds,
            "priority": rng.choice([0, 10, 20, 30]),
        }
        if rng.random() < 0.2:
            rule["conclude"] = findings[i % n_findings]["id"]
            action = f'self.declare(Finding(id="{findings[i % n_findings]["id"]}"))'
        else:
            rule["suggest"] = suggestions[i % n_suggestions]["id"]
            action = f'self.made.append("{suggestions[i % n_suggestions]["id"]}")'
        rules.append(rule)
        salience = n_rules - i
        hand.append(
            f"    @Rule({', '.join(patterns)}, salience={salience})\n"
            f"    def r{i}(self):\n        {action}\n"
        )
    document = {
        "sources": [
            {"id": "gen", "kind": "forum_thread", "title": "Generated", "published": "here"}
        ],
        "questions": questions,
        "findings": findings,
        "rules": rules,
        "suggestions": suggestions,
    }
    module = (
        "from triage.experta_compat import KnowledgeEngine, Fact, Rule, NOT, P, "
        "SafeDepthStrategy\n\nclass Answer(Fact):\n    pass\n\nclass Finding(Fact):\n"
        "    pass\n\nclass Hand(KnowledgeEngine):\n    __strategy__ = SafeDepthStrategy\n"
        "    made: list\n\n" + "\n".join(hand)
    )
    return json.dumps(document), module, answers


OURS = """
import json, resource, sys, time
t0 = time.perf_counter()
from triage import answers, ranking
from triage.knowledge import loading
from triage.engine import Engine
t1 = time.perf_counter()
kb = loading.load([__import__("pathlib").Path(sys.argv[1])])
t2 = time.perf_counter()
engine = Engine(kb)
t3 = time.perf_counter()
given = answers.from_mapping(json.load(open(sys.argv[2])), kb)
result = ranking.rank(kb, given, engine.consult(given))
t4 = time.perf_counter()
from triage.relevance import Planner, Progress
planner = Planner(kb)
planner.dependencies
progress, steps = Progress(), []
values = json.load(open(sys.argv[2]))
for _ in range(15):
    s = time.perf_counter()
    question = planner.next_question(progress)
    planner.settled_tier(progress)
    steps.append(time.perf_counter() - s)
    if question is None:
        break
    progress.values.update(answers.from_mapping({question.id: values[question.id]}, kb).values)
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "compile": t3 - t2, "consult": t4 - t3,
                  "fired": len(result.advice), "per_answer": sum(steps) / len(steps),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

HAND = """
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import hand
t1 = time.perf_counter()
engine = hand.Hand()
t2 = time.perf_counter()
engine.made = []
engine.reset()
facts = []
for q, v in json.load(open(sys.argv[2])).items():
    for value in (v if isinstance(v, list) else [v]):
        facts.append(hand.Answer(q=q, value=value))
engine.declare(*facts)
engine.run()
t3 = time.perf_counter()
print(json.dumps({"define": t1 - t0, "compile": t2 - t1, "consult": t3 - t2,
                  "fired": len(set(engine.made)),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(script: str, *args: str, cache: str = "") -> dict[str, float]:
    env = {**os.environ, "SPASM_TRIAGE_CACHE_DIR": cache}  # "": no cache, every run validates
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, timeout=1800
    )
    if done.returncode:
        raise SystemExit(f"the measurement failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument(
        "--dense",
        action="store_true",
        help="one question per two rules (experta's cost grows with facts x tests)",
    )
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}"
    )
    header = (
        f"{'rules':>6} | {'load cold/warm':>16} | {'compile':>8} | {'consult':>8} | "
        f"{'ours (warm)':>11} | {'experta by hand':>15} | {'engine':>6} | {'all':>5} | "
        f"{'per answer':>10} | {'peak RSS ours/hand':>18}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        folder = Path(tempfile.mkdtemp())
        text, module, answers = generate(n, dense=options.dense)
        rules = folder / "rules"
        rules.mkdir()
        write_shipped_base(rules)
        (rules / "generated.yaml").write_text(text)  # JSON is YAML
        (folder / "hand.py").write_text(module)
        (folder / "answers.json").write_text(json.dumps(answers))
        answers_file = str(folder / "answers.json")
        cold = measure(OURS, str(rules), answers_file)
        cache = tempfile.mkdtemp()
        measure(OURS, str(rules), answers_file, cache=cache)  # fills the cache
        ours = measure(OURS, str(rules), answers_file, cache=cache)
        hand = measure(HAND, str(folder), answers_file)
        ours_total = ours["load"] + ours["compile"] + ours["consult"]
        hand_total = hand["define"] + hand["compile"] + hand["consult"]
        engine_ratio = (ours["compile"] + ours["consult"]) / hand_total
        print(
            f"{n:>6} | {cold['load'] * 1000:>6.0f} / {ours['load'] * 1000:>4.0f} ms | "
            f"{ours['compile'] * 1000:>5.0f} ms | {ours['consult'] * 1000:>5.0f} ms | "
            f"{ours_total * 1000:>8.0f} ms | {hand_total * 1000:>12.0f} ms | "
            f"{engine_ratio:>5.2f}x | {ours_total / hand_total:>4.2f}x | "
            f"{ours['per_answer'] * 1000:>7.1f} ms | {ours['rss']:>7.0f} / {hand['rss']:>5.0f} MB"
        )
    print(
        "\nengine: our compile + consult over the hand-written rules' definition + compile + "
        "consult (what the YAML compiler costs over experta); all: adds loading the rules with "
        "a warm cache (the knowledge-base snapshot). Cold: no cache, as on the first run after "
        "a rule file changes: YAML, JSON Schema and cross-checks."
    )


if __name__ == "__main__":
    main()
