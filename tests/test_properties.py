"""Properties that must hold for every input, checked with hypothesis: any valid answers give
one well-formed result, with an emergency always first; any YAML document loads or is reported,
never crashes."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_relevance import complete_answers

from triage import answers, ranking
from triage.cli import main
from triage.engine import Engine
from triage.errors import RulesError
from triage.knowledge import loading, snapshot
from triage.model import TIERS, KnowledgeBase

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=_QUIET)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=_QUIET)
EMERGENCY_ANSWERS = [
    {"saddle_numbness": "yes"},
    {"bladder_bowel_change": "yes"},
    {"leg_symptoms": "both_legs"},
    {"leg_weakness": "yes"},
    {"major_trauma": "yes"},
    {"collapse_signs": "yes"},
]


def consult(kb: KnowledgeBase, engine: Engine, chosen: dict[str, Any]) -> tuple[Any, Any]:
    parsed = answers.Answers(chosen)
    log = engine.consult(parsed)
    return log, ranking.rank(kb, parsed, log)


@SLOW
@given(data=st.data())
def test_any_valid_answers_give_one_well_formed_result(
    data: st.DataObject, shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    chosen = data.draw(complete_answers(shipped))
    log, result = consult(shipped, shipped_engine, chosen)
    assert result.tier in TIERS
    assert result.advice and result.advice[0].tier == result.tier
    for advice in result.advice:
        assert advice.tier in TIERS and advice.suggestion.sources
        assert 0 < advice.confidence <= 1
    # A rule that gives an emergency fired: the result is an emergency, said first.
    emergency_rules = {
        r.id
        for r in shipped.rules
        if any((ref.tier or shipped.suggestions[ref.id].tier) == "emergency" for ref in r.suggest)
    }
    if emergency_rules & set(log.order):
        assert result.tier == "emergency"
    if result.tier == "emergency":
        assert not {a.tier for a in result.advice} & {"training", "prevention"}


@SLOW
@given(data=st.data())
def test_an_emergency_answer_always_makes_an_emergency_whatever_else_is_said(
    data: st.DataObject, shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    chosen = data.draw(complete_answers(shipped))
    chosen.update(data.draw(st.sampled_from(EMERGENCY_ANSWERS)))
    _, result = consult(shipped, shipped_engine, chosen)
    assert result.tier == "emergency" and result.advice[0].tier == "emergency"


# ---- any YAML document ----

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["yes", "no", "rules", "id", "when"]),
)
keys = st.one_of(
    st.sampled_from(
        [
            "rules",
            "questions",
            "suggestions",
            "findings",
            "sources",
            "about",
            "id",
            "when",
            "suggest",
            "type",
            "choices",
            "any",
            "not",
            "finding",
            "tier",
            "text",
            "sources",
            "disable",
        ]
    ),
    st.text(max_size=12),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=40,
)


def survives(tmp: Path, text: str | bytes) -> None:
    """Loading and check either succeed or report problems: never another exception."""
    base = (Path(__file__).parent / "bad_rules" / "_base.yaml").read_text()
    folder = tmp / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "_base.yaml").write_text(base)
    target = folder / "fuzz.yaml"
    target.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    try:
        kb = loading.load([folder])
    except RulesError as exc:
        assert exc.problems
    else:  # whatever loads, loads the same again from its snapshot, positions included
        again = loading.load([folder])
        assert again == kb and snapshot.to_data(again) == snapshot.to_data(kb)
    with redirect_stdout(io.StringIO()):
        assert main(["check", str(folder)]) in (0, 1)


@FUZZ
@given(tree=trees)
def test_any_yaml_tree_loads_or_is_reported(tree: Any, tmp_path: Path) -> None:
    survives(tmp_path, yaml.safe_dump(tree, allow_unicode=True))


@FUZZ
@given(
    text=st.text(
        alphabet=st.sampled_from(list("rules:- {}[]&*!%@`'\"#|>\n\t ,?ab01yes")), max_size=200
    )
)
def test_any_text_at_all_loads_or_is_reported(text: str, tmp_path: Path) -> None:
    survives(tmp_path, text)


def test_pathological_documents_are_reported_quickly(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    cases = {
        "alias bomb": bomb,
        "deep nesting": "rules: " + "[" * 5000 + "]" * 5000,
        "deep mappings": "rules:\n" + "".join("  " * i + "- a:\n" for i in range(300)),
        "huge string": "rules:\n  - id: r\n    when: {}\n    suggest: " + "x" * 5_000_000 + "\n",
        "python tag": "rules: !!python/object/apply:os.system ['echo hacked']\n",
        "binary": bytes(range(256)) * 10,
        "not utf-8": b"rules:\n  - id: \xff\xfe\n",
        "many documents": "rules: []\n---\nrules: []\n",
    }
    for name, text in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        survives(folder, text)


@SLOW
@given(data=st.data())
def test_building_only_the_rules_that_can_fire_changes_nothing(
    data: st.DataObject, shipped: KnowledgeBase, shipped_engine: Engine
) -> None:
    from triage.relevance import possible_rules

    chosen = data.draw(complete_answers(shipped))
    parsed = answers.Answers(chosen)
    full = shipped_engine.consult(parsed)
    small = Engine(shipped, possible_rules(shipped, chosen)).consult(parsed)
    assert (small.order, small.fired, small.concluded_by) == (
        full.order,
        full.fired,
        full.concluded_by,
    )
