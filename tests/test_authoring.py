"""The authoring tools: the shipped rule tests, explain, schema, local packs and the graph."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from conftest import AK47, BASE, run_cli, write_rules

from triage import testing
from triage.engine import Engine
from triage.knowledge import loading
from triage.model import KnowledgeBase


def shipped_cases() -> list[Path]:
    return testing.case_files([loading.shipped_rules_dir() / "tests"])


def test_the_shipped_rule_tests_pass(shipped: KnowledgeBase) -> None:
    outcomes = testing.run(shipped, shipped_cases())
    assert len(outcomes) > 100
    assert [o for o in outcomes if o.status != "PASS"] == []


def test_every_rule_fires_and_every_suggestion_is_shown_in_some_shipped_case(
    shipped: KnowledgeBase,
    shipped_engine: Engine,
) -> None:
    from triage import answers, ranking
    from triage.knowledge.yaml_reader import parse

    fired: set[str] = set()
    shown: set[str] = set()
    for file in shipped_cases():
        doc, _ = parse(file.read_text(), str(file))
        for case in doc["cases"]:
            given = answers.from_mapping(case["answers"], shipped)
            log = shipped_engine.consult(given)
            fired |= set(log.order)
            shown |= {a.id for a in ranking.rank(shipped, given, log).advice}
    assert {r.id for r in shipped.rules} - fired == set()
    dissent = {s for d in shipped.disagreements for s in d.over}
    assert set(shipped.suggestions) - dissent - shown == set()


def test_a_failing_case_shows_the_diff_and_why_not(shipped: KnowledgeBase, tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n"
        "  - name: glutes without the chain\n"
        "    answers: {sitting_hours: 8, knee_ache_from_chair: yes}\n"
        "    tier: urgent\n"
        "    suggests: [glute_activation]\n"
        "    order: ['heat_for_pain above stay_active']\n"
        "  - name: a known gap\n"
        "    answers: {fever: no}\n"
        "    suggests: [glute_activation]\n"
        "    todo: not built yet\n"
    )
    text, passed = testing.report(testing.run(shipped, [cases]))
    assert not passed
    assert text.splitlines() == [
        f"FAIL  {cases}:2:5: glutes without the chain",
        "      tier: expected urgent, got self_care",
        "      missing: glute_activation",
        "        rule 'wake_up_glutes' did not fire: hunched_sitting is yes (not answered)",
        "        rule 'helped_before_glute_activation' did not fire: helped_before includes "
        "glute_activation (not answered)",
        "      order: 'heat_for_pain' should rank above 'stay_active' (got heat_for_pain #2, "
        "stay_active #1)",
        f"TODO  {cases}:7:5: a known gap",
        "      known gap: not built yet",
        "      missing: glute_activation",
        "        rule 'wake_up_glutes' did not fire: hunched_sitting is yes (not answered); "
        "knee_ache_from_chair is yes (not answered)",
        "        rule 'helped_before_glute_activation' did not fire: helped_before includes "
        "glute_activation (not answered)",
        "rules: 0 passed, 1 failed, 1 skipped",
    ]


def test_a_malformed_case_file_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("cases:\n  - name: x\n    answer: {fever: no}\n")
    done = run_cli("test", str(tmp_path / "bad.yaml"))
    assert done.returncode == 1
    assert (
        f"{tmp_path}/bad.yaml:2:5: E003: 'cases' is missing 'answers'" in done.stderr + done.stdout
    )


def test_explain_shows_each_condition_with_the_value_seen() -> None:
    done = run_cli("explain", "wake_up_glutes", "--answers", str(AK47))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        "  ✗ finding inhibited_glutes  (not concluded)",
        "      ✗ rule glutes_not_firing",
        "          ✗ finding sitting_posture  (not concluded)",
        "              ✗ rule long_hunched_sitting",
        "                  ✗ hunched_sitting is yes  (not answered)",
        "                  ✓ not",
        "                      ✗ sitting_hours is less than 6  (not answered)",
        "          ✗ knee_ache_from_chair is yes  (not answered)",
    ]
    fired = run_cli("explain", "fix_tail_tuck", "--answers", str(AK47))
    assert "suggestion 'fix_tail_tuck' is in the advice: training" in fired.stdout
    assert "✓ tail_tuck is yes  (answer: yes)" in fired.stdout


def test_explain_without_answers_puts_a_rule_in_plain_words_with_its_sources() -> None:
    done = run_cli("explain", "tail_tuck_seen")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[1:3] == [
        "  when:",
        '    tail_tuck is yes  [asks: "At the start of a deadlift or '
        "clean, does your tailbone tuck under or your lower back round, even "
        'slightly?"]',
    ]
    assert any("source: Shadowzz4, Lower Back Muscle Spasms:" in line for line in lines)
    unknown = run_cli("explain", "tail_tuck_sen")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "spasm-triage: no rule or suggestion 'tail_tuck_sen' (did you mean 'tail_tuck_seen'?)\n"
    )


def _objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if "properties" in node:
            found.append(node)
        for key, value in node.items():
            if key != "if":  # a test of the object, not a shape of its own
                found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_schema_prints_the_schema_check_uses_with_a_description_on_every_field() -> None:
    done = run_cli("schema")
    schema = json.loads(done.stdout)
    assert schema == json.loads(resources.files("triage").joinpath("schema.json").read_text())
    defs = schema["$defs"]
    for obj in _objects(schema):
        assert "additionalProperties" in obj, obj  # unknown keys are refused (or typed)
        for name, field in obj["properties"].items():
            target = defs[field["$ref"].split("/")[-1]] if "$ref" in field else {}
            assert "description" in field or "description" in target, name
    cases = json.loads(run_cli("schema", "--cases").stdout)
    assert cases["properties"]["cases"]["items"]["additionalProperties"] is False


def test_the_shipped_rule_files_point_editors_at_the_schema() -> None:
    repo = Path(__file__).resolve().parents[1]
    for file in sorted((repo / "rules").glob("*.yaml")):
        first = file.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../triage/schema.json", file.name
    for file in sorted((repo / "rules" / "tests").glob("*.yaml")):
        first = file.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../triage/cases.schema.json", file.name


PACK = """
section: mobility
sources:
  - {id: my_coach, kind: personal, title: My coach, published: in person}
questions:
  - {id: desk_job, ask: Do you work at a desk?, type: yes_no, why: Long sitting.}
suggestions:
  - {id: walk_breaks, tier: prevention, text: Stand up and walk every hour., confidence: 0.4,
     evidence: one_poster, sources: [{source: my_coach, quote: Move every hour.}]}
rules:
  - {id: desk_breaks, when: {desk_job: yes}, suggest: walk_breaks}
  - id: tail_tuck_seen
    replace: true
    when: {tail_tuck: [yes, unsure]}
    conclude: pull_form_fault
    suggest: fix_tail_tuck
disable: [deadlifter_banded_gms]
"""


def test_a_local_pack_adds_replaces_and_disables_explicitly(tmp_path: Path) -> None:
    pack = write_rules(tmp_path / "pack", {"mine.yaml": PACK})
    answers = tmp_path / "a.yaml"
    answers.write_text("desk_job: yes\ntail_tuck: unsure\nlifts: [deadlift]\n")
    for how in (["--rules", str(pack)], []):
        env = {} if how else {"SPASM_TRIAGE_RULES": str(pack)}
        done = run_cli(*how, "--answers", str(answers), "--format", "json", env=env)
        assert done.returncode == 0, done.stderr
        shown = [s["id"] for s in json.loads(done.stdout)["suggestions"]]
        assert "walk_breaks" in shown and "fix_tail_tuck" in shown
        assert "banded_good_mornings" not in shown
    assert run_cli("check", "--rules", str(pack)).returncode == 0
    assert "desk_job" in run_cli("--rules", str(pack), "questions").stdout


def test_an_accidental_id_clash_in_a_pack_names_both_places(tmp_path: Path) -> None:
    pack = write_rules(
        tmp_path / "pack",
        {"clash.yaml": ("questions:\n  - {id: fever, ask: Hot?, type: yes_no, why: W.}\n")},
    )
    done = run_cli("check", "--rules", str(pack))
    assert done.returncode == 1
    assert "1 error, 0 warnings" in done.stdout  # the clash alone: no echo from fever's group
    first = done.stdout.splitlines()[0]
    assert first.startswith(
        f"{pack}/clash.yaml:2:10: E010: question id 'fever' is already used at "
    )
    assert "/red_flags.yaml:" in first
    assert first.endswith(": give this one another id, or add 'replace: true' to it to replace that one")
    replace = write_rules(
        tmp_path / "p2",
        {
            "r.yaml": (
                "rules:\n  - {id: no_such_rule, replace: true, when: {}, suggest: heat_for_pain}\n"
                "disable: [no_such_rule_either]\n"
            )
        },
    )
    lines = run_cli("check", "--rules", str(replace)).stdout.splitlines()
    assert [line.split(": ", 1)[1] for line in lines if line.startswith(str(replace))] == [
        "E011: rule 'no_such_rule' says replace: true, but no earlier rule has that id",
        "E011: disables unknown rule 'no_such_rule_either'",
    ]


def test_the_graph_draws_questions_findings_and_suggestions_with_tiers() -> None:
    done = run_cli("graph", "--focus", "glute_activation")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  s_glute_activation["glute_activation [prevention]"]:::prevention' in lines
    assert '  f_sitting_posture -->|"glutes_not_firing"| f_inhibited_glutes' in lines
    # A guard is drawn, but what raises it (the whole red-flag screen) is not glute advice's story.
    assert '  f_urgent_signs -.->|"not: helped_before_glute_activation"| s_glute_activation' in lines
    assert not any(line.startswith("  q_fever") for line in lines)
    whole = run_cli("graph", "--focus", "fever").stdout  # forward from a red flag: what it holds back
    assert 'f_urgent_signs -.->|"not: helped_before_glute_activation"| s_glute_activation' in whole
    dot = run_cli("graph", "--format", "dot", "--focus", "avoid_stretching_lower_back").stdout
    assert dot.startswith("digraph knowledge {")
    assert '"f_emergency_signs" -> "s_avoid_stretching_lower_back" [label="not: ' in dot
    assert run_cli("graph", "--focus", "nothing_here").returncode == 2


def test_check_and_test_accept_a_base_file_set(tmp_path: Path) -> None:
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE})
    assert run_cli("check", str(directory)).returncode == 0


def test_a_replaced_rule_keeps_what_it_does_not_restate(tmp_path: Path) -> None:
    """A pack widening a shipped rule's condition keeps the rule's priority and suggestions
    (before, a replace without `priority` silently dropped it to 0)."""
    from triage.knowledge import loading

    shipped = {r.id: r for r in loading.load().rules}["tail_tuck_seen"]
    assert shipped.priority != 0
    pack = write_rules(
        tmp_path / "pack",
        {"wider.yaml": "rules:\n  - id: tail_tuck_seen\n    replace: true\n"
         "    when: {tail_tuck: [yes, unsure]}\n"},
    )  # fmt: skip
    kb = loading.load([loading.shipped_rules_dir(), pack])
    replaced = {r.id: r for r in kb.rules}["tail_tuck_seen"]
    assert replaced.priority == shipped.priority and replaced.suggest == shipped.suggest
    assert replaced.when != shipped.when and replaced.location.file == str(pack / "wider.yaml")


def test_a_replaced_question_finding_or_suggestion_keeps_what_it_does_not_restate(
    tmp_path: Path,
) -> None:
    """Every kind of item, not only a rule: a pack restating one field of a shipped suggestion,
    question or finding changes that field and keeps the rest (before, it was refused for the
    fields it left out, each reported four times)."""
    from triage.knowledge import loading

    before = loading.load()
    pack = write_rules(
        tmp_path / "pack",
        {"edits.yaml": """
suggestions:
  - id: fix_tail_tuck
    replace: true
    text: "Film your pulls from the side first."
questions:
  - id: tail_tuck
    replace: true
    why: "A tucked pelvis loads the lower back."
findings:
  - id: pull_form_fault
    replace: true
    means: "Your pull loads the lower back"
"""},
    )  # fmt: skip
    assert run_cli("check", str(pack)).returncode == 0
    after = loading.load([loading.shipped_rules_dir(), pack])
    old, new = before.suggestions["fix_tail_tuck"], after.suggestions["fix_tail_tuck"]
    assert new.text == "Film your pulls from the side first." and new.tier == old.tier
    assert (new.confidence, new.evidence, new.sources) == (old.confidence, old.evidence, old.sources)
    question = after.questions["tail_tuck"]
    assert question.why == "A tucked pelvis loads the lower back."
    assert (question.ask, question.type) == (before.questions["tail_tuck"].ask, "yes_no")
    assert after.findings["pull_form_fault"].means == "Your pull loads the lower back"
    # A new item still needs every field, each missing one said once.
    (pack / "new.yaml").write_text("suggestions:\n  - id: new_one\n    text: A new one.\n")
    out = run_cli("check", str(pack)).stdout
    assert out.count("is missing 'tier'") == 1 and "4 errors" in out


def test_check_of_a_pack_folder_checks_it_on_the_shipped_rules(tmp_path: Path) -> None:
    """`check DIR` on a pack used to fail with three confusing errors (no 'about', an unknown
    rule to disable, nothing to replace); it is checked as it will be used."""
    pack = write_rules(
        tmp_path / "pack",
        {"mine.yaml": "disable: [deadlifter_banded_gms]\nrules:\n  - id: tail_tuck_seen\n"
         "    replace: true\n    when: {tail_tuck: [yes, unsure]}\n"},
    )  # fmt: skip
    as_path = run_cli("check", str(pack))
    as_pack = run_cli("--rules", str(pack), "check")
    assert as_path.returncode == 0, as_path.stdout
    assert as_path.stdout == as_pack.stdout


def test_test_fails_a_rule_no_case_of_its_folder_fires(tmp_path: Path) -> None:
    """A rule no case fires can be wrong without anyone knowing: run on a whole tests/ folder,
    `test` fails it (as the project's suite does for the shipped rules), for the rules beside
    the folder only; one case file on its own gets a note about the rule file of its name."""
    pack = write_rules(
        tmp_path / "pack",
        {"r.yaml": """
section: training
sources:
  - {id: coach, kind: personal, title: Coach, published: in person}
questions:
  - {id: braces, ask: "Do you brace?", type: yes_no, why: "Bracing protects the back."}
rules:
  - {id: no_brace, when: {braces: no}, suggest: practise_bracing}
  - {id: unsure_brace, when: {braces: unsure}, suggest: practise_bracing}
suggestions:
  - id: practise_bracing
    tier: training
    text: "Practise bracing."
    confidence: 0.4
    evidence: personal_experience
    sources: [{source: coach, quote: "Brace."}]
"""},
    )  # fmt: skip
    cases = write_rules(
        pack / "tests",
        {
            "r.yaml": "cases:\n  - {name: no brace, answers: {braces: no}, suggests: [practise_bracing]}\n",
            "other.yaml": "cases:\n  - {name: brace, answers: {braces: yes}}\n",
        },
    )
    whole = run_cli("--rules", str(pack), "test", str(cases))
    assert whole.returncode == 1
    lines = whole.stdout.splitlines()
    (gap,) = [line for line in lines if "fires in no case" in line]
    assert gap.startswith(f"FAIL  {pack}/r.yaml:") and "rule 'unsure_brace'" in gap
    assert lines[-1] == "rules: 2 passed, 1 failed, 0 skipped"  # no shipped rule is named
    alone = run_cli("--rules", str(pack), "test", str(cases / "r.yaml"))
    assert alone.returncode == 0
    notes = [line for line in alone.stdout.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "rule 'unsure_brace'" in notes[0]
    assert alone.stdout.splitlines()[-1] == "rules: 1 passed, 0 failed, 0 skipped"


def test_a_rule_a_pack_disables_is_named_as_disabled_in_explain_and_test(tmp_path: Path) -> None:
    """Turned off by a pack, a shipped rule is not 'unknown': explain and the why-not of a
    failing test say it is disabled, and where."""
    pack = write_rules(tmp_path / "pack", {"off.yaml": "disable: [deadlifter_banded_gms]\n"})
    where = f"{pack / 'off.yaml'}:1:11"
    done = run_cli("--rules", str(pack), "explain", "deadlifter_banded_gms")
    assert done.returncode == 0
    assert done.stdout == f"rule 'deadlifter_banded_gms' is disabled ({where}): it never fires\n"
    tested = run_cli("--rules", str(pack), "test").stdout
    assert f"rule 'deadlifter_banded_gms' would make it, but is disabled ({where})" in tested
