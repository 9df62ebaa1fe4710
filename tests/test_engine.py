"""The compiled engine: chaining, ordering, termination, and immunity to experta 1.9.4's hazards
(each measured in shared/reference/dependencies.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AK47, make_kb, run_cli

from triage import answers
from triage.engine import Engine, compile_rules
from triage.errors import RunawayError
from triage.model import KnowledgeBase

CHAIN = """
questions:
  - {id: sits, ask: Hours sitting?, type: number, unit: hours, why: Sitting matters.}
  - {id: hunched, ask: Hunched?, type: yes_no, why: Posture matters.}
  - {id: knee_ache, ask: Knee ache from a chair?, type: yes_no, why: A sign of lazy glutes.}
findings:
  - {id: desk_posture, means: You sit hunched for long hours}
  - {id: lazy_glutes, means: Your glutes may have stopped firing}
rules:
  - id: posture
    when: {sits: {at_least: 6}, hunched: yes}
    conclude: desk_posture
  - id: glutes
    when: {finding: desk_posture, knee_ache: yes}
    conclude: lazy_glutes
    suggest: glute_work
suggestions:
  - id: glute_work
    tier: prevention
    text: Get your glutes firing again.
    confidence: 0.5
    evidence: one_poster
    sources: [{source: thread, poster: Kubo, quote: get your inhibited glutes firing again}]
"""


def test_a_finding_concluded_by_one_rule_fires_another(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, CHAIN)
    engine = Engine(kb)
    log = engine.consult(
        answers.from_mapping({"sits": 8, "hunched": "yes", "knee_ache": "yes"}, kb)
    )
    assert log.order == ["posture", "glutes"]
    assert log.concluded_by == {"desk_posture": ["posture"], "lazy_glutes": ["glutes"]}
    # One link short of the chain: nothing fires after it.
    log = engine.consult(
        answers.from_mapping({"sits": 4, "hunched": "yes", "knee_ache": "yes"}, kb)
    )
    assert log.order == []


def test_reset_between_consultations_leaves_nothing_behind(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, CHAIN)
    engine = Engine(kb)
    engine.consult(answers.from_mapping({"sits": 8, "hunched": "yes", "knee_ache": "yes"}, kb))
    log = engine.consult(answers.from_mapping({"knee_ache": "yes"}, kb))
    assert log.order == [] and log.concluded_by == {}


def test_findings_concluded_in_a_cycle_terminate(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        """
    questions: [{id: q, ask: Q?, type: yes_no, why: W.}]
    findings: [{id: a, means: A}, {id: b, means: B}]
    rules:
      - {id: start, when: {q: yes}, conclude: a}
      - {id: a_to_b, when: {finding: a}, conclude: b}
      - {id: b_to_a, when: {finding: b}, conclude: a}
    """,
    )
    log = Engine(kb).consult(answers.from_mapping({"q": "yes"}, kb))
    assert log.order == ["start", "a_to_b", "b_to_a"]


def test_the_firing_limit_stops_a_run_with_a_clear_message(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, CHAIN)
    given = answers.from_mapping({"sits": 8, "hunched": "yes", "knee_ache": "yes"}, kb)
    with pytest.raises(RunawayError, match="fired 1 times without settling"):
        Engine(kb).consult(given, limit=1)


def test_rules_of_equal_priority_fire_in_file_order_every_time(tmp_path: Path) -> None:
    # experta fires equal-salience rules on the same facts in a different order from run to run
    # (15 orders in 18 runs, measured); file order must decide instead.
    rules = "\n".join(f"  - {{id: r{i}, when: {{q: yes}}, conclude: f{i}}}" for i in range(8))
    findings = "\n".join(f"  - {{id: f{i}, means: F{i}}}" for i in range(8))
    kb = make_kb(
        tmp_path,
        f"questions: [{{id: q, ask: Q?, type: yes_no, why: W.}}]\n"
        f"findings:\n{findings}\nrules:\n{rules}\n",
    )
    given = answers.from_mapping({"q": "yes"}, kb)
    orders = {tuple(Engine(kb).consult(given).order) for _ in range(10)}
    assert orders == {tuple(f"r{i}" for i in range(8))}


def test_a_not_that_became_false_stops_a_pending_rule(tmp_path: Path) -> None:
    # The agenda bug: with several equal-key activations on one fact, experta 1.9.4 can fail to
    # remove the guarded rule's activation when the blocking finding appears, and fires it anyway.
    many = "\n".join(f"  - {{id: same{i}, when: {{q: yes}}, suggest: s}}" for i in range(6))
    kb = make_kb(
        tmp_path,
        f"""
    questions: [{{id: q, ask: Q?, type: yes_no, why: W.}}]
    findings: [{{id: block, means: Blocked}}]
    rules:
      - {{id: blocker, when: {{q: yes}}, conclude: block, priority: 10}}
      - {{id: guarded, when: {{q: yes, not: {{finding: block}}}}, suggest: s}}
    {many.replace(chr(10), chr(10) + "    ")}
    suggestions:
      - {{id: s, tier: training, text: T., confidence: 0.5, evidence: one_poster,
         sources: [{{source: thread, poster: P, quote: Q.}}]}}
    """,
    )
    engine = Engine(kb)
    given = answers.from_mapping({"q": "yes"}, kb)
    for _ in range(20):
        log = engine.consult(given)
        assert "blocker" in log.order and "guarded" not in log.order


def test_safe_strategy_removes_the_stale_activation_in_raw_experta() -> None:
    # The same bug at experta level, equal saliences on purpose: the reproduction from the reference.
    from triage.experta_compat import NOT, Fact, KnowledgeEngine, Rule, SafeDepthStrategy

    for n in range(1, 9):
        fired: list[str] = []
        attrs = {
            f"r{i}": Rule(Fact(q="x"))(lambda self, i=i, log=fired: log.append(f"r{i}"))
            for i in range(n)
        }
        attrs["guarded"] = Rule(Fact(q="x"), NOT(Fact(block=True)))(
            lambda self, log=fired: log.append("guarded")
        )
        engine_class = type("E", (KnowledgeEngine,), {**attrs, "__strategy__": SafeDepthStrategy})
        engine = engine_class()
        engine.reset()
        engine.declare(Fact(q="x"))
        engine.declare(Fact(block=True))
        engine.run()
        assert "guarded" not in fired and len(fired) == n


def test_a_set_of_values_compiles_to_one_rule_not_one_per_value(tmp_path: Path) -> None:
    # L(a)|L(b) would be expanded into one sub-rule per value (3.2x the network at 3,000 rules).
    kb = make_kb(
        tmp_path,
        """
    questions:
      - {id: legs, ask: Legs?, type: one_of, choices: {a: A, b: B, c: C, d: D}, why: W.}
      - {id: lifts, ask: Lifts?, type: many_of, choices: {x: X, y: Y, z: Z}, why: W.}
    findings: [{id: f, means: F}]
    rules:
      - {id: r1, when: {legs: [a, b, c, d]}, conclude: f}
      - {id: r2, when: {lifts: {includes_any: [x, y, z]}}, conclude: f}
    """,
    )
    engine = compile_rules(kb)()
    assert len(engine.matcher._get_conflict_set_nodes()) == 2
    log = Engine(kb).consult(answers.from_mapping({"legs": "c", "lifts": ["y", "z"]}, kb))
    assert log.order == ["r1", "r2"]


def test_yes_written_bare_in_rules_and_answers_means_the_word(tmp_path: Path) -> None:
    # PyYAML reads a bare `yes` as True; a rule `q: yes` must still match an answer `q: yes`,
    # and `true` in an answers file means yes.
    kb = make_kb(
        tmp_path,
        """
    questions: [{id: q, ask: Q?, type: yes_no, why: W.}]
    findings: [{id: f, means: F}]
    rules: [{id: r, when: {q: yes}, conclude: f}]
    """,
    )
    engine = Engine(kb)
    for text in ("q: yes\n", "q: Yes\n", "q: true\n", '{"q": true}', '{"q": "yes"}'):
        given = answers.read_bytes(text.encode(), "a.yaml", kb)
        assert engine.consult(given).order == ["r"], text
    assert engine.consult(answers.read_bytes(b"q: no\n", "a.yaml", kb)).order == []


def test_not_holds_when_unanswered_and_any_fires_the_rule_once(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        """
    questions:
      - {id: q, ask: Q?, type: yes_no, why: W.}
      - {id: lifts, ask: Lifts?, type: many_of, choices: {x: X, y: Y}, why: W.}
    findings: [{id: f, means: F}, {id: g, means: G}]
    rules:
      - {id: unless_no, when: {not: {q: no}}, conclude: f}
      - {id: either, when: {any: [{lifts: x}, {lifts: y}]}, conclude: g}
    """,
    )
    engine = Engine(kb)
    assert engine.consult(answers.from_mapping({}, kb)).order == ["unless_no"]
    assert engine.consult(answers.from_mapping({"q": "no"}, kb)).order == []
    log = engine.consult(answers.from_mapping({"q": "no", "lifts": ["x", "y"]}, kb))
    assert log.order == ["either"] and len(log.fired["either"]) == 2


def test_importing_experta_the_project_way_runs_a_rule_and_leaves_logging_alone() -> None:
    # In a fresh interpreter: frozendict 1.2 imports on 3.10+, the temporary alias is removed,
    # and experta's logging.basicConfig() adds no root handler.
    code = (
        "import collections, logging\n"
        "from triage.experta_compat import Fact, KnowledgeEngine, Rule\n"
        "assert logging.getLogger().handlers == [], logging.getLogger().handlers\n"
        "assert not hasattr(collections, 'Mapping')\n"
        "out = []\n"
        "E = type('E', (KnowledgeEngine,), {'r': Rule(Fact(a=1))(lambda self: out.append('fired'))})\n"
        "e = E(); e.reset(); e.declare(Fact(a=1)); e.run()\n"
        "print(out)\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['fired']"
    assert done.stderr == ""


def test_the_result_is_identical_across_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        done = run_cli(
            "--answers",
            str(AK47),
            "--format",
            "json",
            env={"PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["suggestions"]


def test_the_linear_terminal_node_walk_finds_what_experta_finds_in_the_same_order(
    shipped: KnowledgeBase,
) -> None:
    from triage import experta_compat

    engine = compile_rules(shipped)()
    original = experta_compat._original_conflict_set_nodes.__wrapped__(engine.matcher)
    assert experta_compat._conflict_set_nodes(engine.matcher) == original
    assert len(original) >= len(shipped.rules)


def test_the_agenda_key_is_experta_s_own_without_its_cache_and_a_reused_engine_agrees(
    shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    # experta's DepthStrategy.get_key, uncached (its lru_cache never hits for a new activation
    # and slows every reset() of a reused engine): the same key for every activation, and one
    # engine reused for many consultations fires what a fresh engine fires, in the same order.
    from experta.strategies import DepthStrategy

    from triage.experta_compat import SafeDepthStrategy

    strategy = SafeDepthStrategy()
    assert not hasattr(SafeDepthStrategy.get_key, "cache_info")
    cases = [
        {"saddle_numbness": "no", "lifts": ["deadlift", "good_morning"], "gm_style": "hips_back"},
        {"saddle_numbness": "unsure", "fever": "yes", "age": 61},
        {"leg_symptoms": "one_leg_below_knee", "tail_tuck": "yes", "lifts": ["deadlift"]},
    ]
    for given in cases * 3:
        parsed = answers.from_mapping(given, shipped)
        assert shipped_engine.consult(parsed).order == Engine(shipped).consult(parsed).order
        agenda = shipped_engine._engine.agenda  # the initial fact's activations, after a reset
        shipped_engine._engine.reset()
        activations = shipped_engine._engine.agenda.activations + agenda.activations
        assert activations
        for activation in activations:
            original = DepthStrategy.get_key.__wrapped__(strategy, activation)
            assert strategy.get_key(activation) == original


def test_a_knowledge_base_of_thousands_of_rules_loads_compiles_and_terminates(
    tmp_path: Path,
) -> None:
    # The scaling benchmark's generator: the shipped rules' shapes, 2,000 rules.
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
    import scaling

    text, _, given = scaling.generate(2000)
    rules = tmp_path / "rules"
    rules.mkdir()
    scaling.write_shipped_base(rules)
    (rules / "generated.yaml").write_text(text)
    from triage.knowledge import loading

    kb = loading.load([rules])
    assert len(kb.rules) == 2000
    log = Engine(kb).consult(answers.from_mapping(json.loads(json.dumps(given)), kb))
    assert log.order  # it fired rules, and run() returned: it terminated


def _fired(log: object) -> list[tuple[str, list[list[tuple[str, object]]]]]:
    """What a consultation fired, as plain data: each rule with the facts of each activation."""
    fired = log.fired  # type: ignore[attr-defined]
    return [
        (rule, [[tuple(sorted(dict(f).items(), key=repr)) for f in facts] for facts in fired[rule]])
        for rule in log.order  # type: ignore[attr-defined]
    ]


def test_the_repaired_network_fires_what_experta_s_own_fires_on_every_bank_case(
    shipped: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Repairs 6 to 10 (experta_compat: literal dispatch in the alpha network, one reset per
    # node, only changed conflict sets asked, a token copied once it is needed, plain keys and
    # values read without a dispatch) are for speed
    # alone: an engine built and run with experta's own methods fires the same rules, on the
    # same facts, in the same order, for every case of the bank, its whole answers and halves.
    from experta import fact as experta_fact
    from experta.matchers.rete import ReteMatcher
    from experta.matchers.rete.abstract import OneInputNode
    from experta.matchers.rete.check import FeatureCheck
    from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode
    from experta.matchers.rete.token import Token

    from triage import evaluate, experta_compat

    cases = evaluate.read(
        shipped, sorted((Path(__file__).parent / "cases" / "bank").glob("*.yaml"))
    )
    sets = []
    for case in cases:
        items = list(case.answers.values.items())
        sets += [case.answers, answers.Answers(dict(items[: len(items) // 2]))]
    ours = Engine(shipped)
    assert any(
        isinstance(child.node, experta_compat._Dispatch)
        for child in ours._engine.matcher.root_node.children
    )
    mine = [_fired(ours._consult(given, None)) for given in sets]
    with monkeypatch.context() as patched:
        patched.setattr(ReteMatcher, "build_network", experta_compat._original_build_network)
        patched.setattr(ReteMatcher, "reset", experta_compat._original_reset)
        patched.setattr(ReteMatcher, "changes", experta_compat._original_changes)
        patched.setattr(Token, "copy", experta_compat._original_token_copy)
        patched.setattr(FeatureTesterNode, "activate", OneInputNode.activate)
        patched.setattr(FeatureCheck, "__call__", experta_compat._original_feature_check)
        patched.setattr(ConflictSetNode, "_activate", experta_compat._original_csn_activate)
        patched.setattr(experta_fact, "freeze", experta_compat._original_freeze)
        theirs = Engine(shipped)
        assert not any(
            isinstance(child.node, experta_compat._Dispatch)
            for child in theirs._engine.matcher.root_node.children
        )
        original = [_fired(theirs._consult(given, None)) for given in sets]
    assert mine == original
    assert sum(len(f) for f in mine) > len(sets)  # rules fired: the comparison is not empty


def test_a_consultation_of_the_same_answers_is_the_same_and_types_are_told_apart(
    shipped: KnowledgeBase,
) -> None:
    # The engine remembers recent consultations, keyed on the answers in order with their
    # types: the same answers give the same consultation; 1 is never taken for True.
    engine = Engine(shipped)
    given = answers.from_mapping({"age": 72, "fever": "yes"}, shipped)
    first = engine.consult(given)
    assert engine.consult(answers.Answers(dict(given.values))) is first
    assert _fired(engine.consult(given)) == _fired(Engine(shipped).consult(given))
    as_bool = answers.Answers({**given.values, "age": True})
    assert engine.consult(as_bool) is not first
    assert _fired(engine.consult(as_bool)) == _fired(Engine(shipped).consult(as_bool))
