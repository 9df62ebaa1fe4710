"""`spasm-triage evaluate`, run as a user runs it: one row per case and the totals, the JSON
object, the exit codes (0 safe, 1 unsafe or a violated not_suggests, 2 a case file that cannot
be evaluated, with its exact lines), and the prompts each case would be shown."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import NO_RED_FLAGS, run_cli

from triage import answers
from triage.knowledge import loading
from triage.model import KnowledgeBase
from triage.replay import replay

HERE = Path(__file__).parent / "evaluate"


def _signs_now() -> tuple[str, ...]:
    """The red-flag screen's first checklist, as rules/red_flags.yaml declares it."""
    kb = loading.load()
    first = next(q for q in kb.questions.values() if q.section == "red_flags")
    return kb.groups[str(first.group)].questions


SIGNS_NOW = _signs_now()
BAD = sorted((HERE / "bad").glob("*.yaml"))


def evaluate_json(*args: str, **kw: Any) -> tuple[int, dict[str, Any], str]:
    done = run_cli("evaluate", *args, "--format", "json", **kw)
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def write_cases(path: Path, cases: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"cases": cases}), encoding="utf-8")  # JSON is YAML
    return path


def case(case_id: str, given: dict[str, Any], tier: str, **expect: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "story": "a test",
        "source": "a test",
        "answers": given,
        "expect": {"tier": tier, **expect},
    }


def test_a_safe_bank_prints_a_row_per_case_and_the_totals_and_exits_0() -> None:
    done = run_cli("evaluate", str(HERE / "good.yaml"), env={"COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    assert rows["saddle-numbness-first"] == [
        "saddle-numbness-first", "emergency", "emergency", "yes", "yes", "#1", "#1", "1"
    ]  # fmt: skip
    assert rows["fever-over-triaged"][1:5] == ["self_care", "urgent", "no", "yes"]
    assert "exact accuracy 66.7% 2 of 3" in " ".join(done.stdout.split())
    assert "over-triage 33.3% 1 of 3" in " ".join(done.stdout.split())
    assert "Left blank (asked by the questionnaire, not answered by the case):" in done.stdout


def test_the_text_fits_80_columns_without_cutting_a_tier_or_a_number(tmp_path: Path) -> None:
    long_id = "a-rather-long-case-id-that-has-to-wrap-somewhere"
    bank = write_cases(
        tmp_path / "bank.yaml",
        [case(long_id, {"saddle_numbness": "no", "cancer_history": "yes"}, "see_clinician",
              suggests=["gp_cancer_history", "physio_for_recurring"])],
    )  # fmt: skip
    done = run_cli("evaluate", str(bank), env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    table = done.stdout.split("missing:")[0]
    assert "see_clinician see_clinician yes   yes" in table  # tiers whole, never "see_cli…"
    assert "Missing from the advice:" in done.stdout  # narrow: the lists follow the table
    assert "physio_for_recurring" in done.stdout


def test_json_is_one_object_with_every_case_and_the_totals() -> None:
    code, out, err = evaluate_json(str(HERE / "good.yaml"))
    assert (code, err) == (0, "")
    assert set(out) == {"cases", "totals"}
    by_id = {c["id"]: c for c in out["cases"]}
    assert list(by_id) == ["saddle-numbness-first", "ordinary-strain", "fever-over-triaged"]
    first = by_id["saddle-numbness-first"]
    assert (
        first
        == {
            "id": "saddle-numbness-first",
            "location": f"{HERE}/good.yaml:3:5",
            "expected": {
                "tier": "emergency",
                "suggests": ["emergency_cauda_equina"],
                "not_suggests": ["stay_active"],
                "top": ["emergency_cauda_equina"],
            },
            "tier": "emergency",
            "exact": True,
            "safe": True,
            "triage": "exact",
            "missing_suggests": [],
            "violated_not_suggests": [],
            "top_rank": 1,
            "prompts": 1,  # the first checklist: one sign ticked, the others left unticked
            "keys": 2,
            "asked": list(SIGNS_NOW),
            "blank": list(SIGNS_NOW[1:]),
            "reviewed": False,
            "first_three": ["emergency_cauda_equina", "tell_the_clinician"],
            "if_answered_all": {
                "tier": "emergency",
                "missing_suggests": [],
                "violated_not_suggests": [],
                "top_rank": 1,
                "first_three": ["emergency_cauda_equina", "tell_the_clinician"],
            },
        }
    )
    over = by_id["fever-over-triaged"]
    assert (over["tier"], over["exact"], over["safe"], over["triage"]) == (
        "urgent",
        False,
        True,
        "over",
    )
    assert over["top_rank"] is None and over["expected"]["top"] == []
    totals = out["totals"]
    assert {k: totals[k] for k in ("cases", "exact", "exact_accuracy", "safety")} == {
        "cases": 3,
        "exact": 2,
        "exact_accuracy": 0.6667,
        "safety": 1.0,
    }
    assert totals["accuracy_per_tier"] == {
        "emergency": {"cases": 1, "exact": 1, "accuracy": 1.0},
        "self_care": {"cases": 2, "exact": 1, "accuracy": 0.5},
    }
    assert (totals["under_triage_rate"], totals["over_triage_rate"]) == (0.0, 0.3333)
    assert (totals["emergency_cases"], totals["emergency_recall"]) == (1, 1.0)
    assert totals["suggests"] == {"expected": 2, "met": 2, "share": 1.0}
    assert totals["not_suggests_violations"] == 0
    assert totals["top_in_first_three"] == {"cases": 2, "met": 2, "share": 1.0}
    strain = by_id["ordinary-strain"]["prompts"]
    fever = by_id["fever-over-triaged"]["prompts"]
    assert totals["prompts"] == {
        "all": {"cases": 3, "median": fever, "max": max(strain, fever)},
        "emergency": {"cases": 1, "median": 1, "max": 1},
        "non_emergency": {"cases": 2, "median": (strain + fever) / 2, "max": max(strain, fever)},
    }
    assert totals["cases_per_second"] > 0 and totals["seconds"] > 0


def test_an_under_triaged_case_fails_with_exit_1_and_names_it() -> None:
    code, out, err = evaluate_json(str(HERE / "unsafe.yaml"))
    assert code == 1
    assert err == "spasm-triage evaluate: under-triaged (unsafe): vague-numbness\n"
    unsafe = out["cases"][0]
    assert (unsafe["tier"], unsafe["safe"], unsafe["triage"]) == ("urgent", False, "under")
    assert out["totals"]["under_triage_rate"] == 0.5 and out["totals"]["emergency_recall"] == 0.0


def test_a_violated_not_suggests_fails_with_exit_1_even_when_the_tier_is_right() -> None:
    code, out, err = evaluate_json(str(HERE / "violation.yaml"))
    assert code == 1
    assert err == "spasm-triage evaluate: not_suggests violated: emergency-advice-ruled-out\n"
    (only,) = out["cases"]
    assert only["safe"] and only["violated_not_suggests"] == ["emergency_cauda_equina"]
    assert out["totals"]["not_suggests_violations"] == 1


def test_missing_suggestions_and_a_top_item_too_far_down_are_reported_but_do_not_fail(
    tmp_path: Path,
) -> None:
    bank = write_cases(
        tmp_path / "bank.yaml",
        [case("strain", {**NO_RED_FLAGS, "lifts": ["deadlift"]}, "self_care",
              suggests=["stay_active", "physio_for_recurring"], top=["glute_activation"])],
    )  # fmt: skip
    code, out, _ = evaluate_json(str(bank))
    assert code == 0
    (only,) = out["cases"]
    assert only["missing_suggests"] == ["physio_for_recurring"]
    assert only["top_rank"] is None
    assert out["totals"]["suggests"] == {"expected": 2, "met": 1, "share": 0.5}
    assert out["totals"]["top_in_first_three"] == {"cases": 1, "met": 0, "share": 0.0}


@pytest.mark.parametrize("example", BAD, ids=lambda p: p.stem)
def test_each_malformed_case_file_gets_exactly_its_lines_and_exit_2(example: Path) -> None:
    expected = [
        line[len("# expect: ") :]
        for line in example.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect: ")
    ]
    assert expected, f"{example.name} has no '# expect:' line"
    done = run_cli("evaluate", example.name, cwd=example.parent)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == expected


def test_every_problem_in_every_file_is_reported_in_one_run() -> None:
    files = [HERE / "bad" / "unknown_question.yaml", HERE / "bad" / "bad_tier.yaml"]
    done = run_cli("evaluate", *map(str, files))
    assert done.returncode == 2
    assert [line.split(": ")[0].rsplit("/", 1)[-1] for line in done.stderr.splitlines()] == [
        "bad_tier.yaml:6:20",
        "unknown_question.yaml:5:15",
    ]


def test_a_file_that_is_not_there_or_a_folder_without_cases_is_exit_2(tmp_path: Path) -> None:
    done = run_cli("evaluate", "nowhere.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "nowhere.yaml: E004: cannot read: No such file or directory\n",
    )
    done = run_cli("evaluate", str(tmp_path))
    assert (done.returncode, done.stderr) == (
        2,
        f"spasm-triage: no case files (*.yaml) in {tmp_path}\n",
    )


def test_the_answers_in_a_case_are_checked_as_an_answers_file_is(tmp_path: Path) -> None:
    """The same words as `--answers` gives for the same answers, at the case file's lines."""
    (tmp_path / "my-answers.yaml").write_text("weight_unit: kg\nage: 29\nleg_symptoms: both\n")
    consult = run_cli("--answers", "my-answers.yaml", "--no-journal", cwd=tmp_path)
    evaluated = run_cli("evaluate", "not_a_choice.yaml", cwd=HERE / "bad")
    # The consultation's last line says not to wait for the tool (issue 19): no advice was given.
    *mistakes, seek_help = consult.stderr.splitlines()
    assert "do not wait for this tool" in seek_help
    ((_, said),) = [line.split(": ", 1) for line in mistakes if not line.startswith("spasm-")]
    ((where, code, again),) = [line.split(": ", 2) for line in evaluated.stderr.splitlines()]
    assert (where, code, again) == ("not_a_choice.yaml:8:7", "A001", said)


def test_prompts_stop_at_the_red_flag_that_makes_an_emergency(tmp_path: Path) -> None:
    bank = write_cases(
        tmp_path / "bank.yaml",
        [
            case("third-flag", {"saddle_numbness": "no", "bladder_bowel_change": "no",
                                "leg_symptoms": "both_legs", "age": 40}, "emergency"),
            case("old-and-fell", {"fall_or_knock": "yes", "age": 72}, "emergency"),
        ],
    )  # fmt: skip
    code, out, _ = evaluate_json(str(bank))
    assert code == 0
    legs, fell = out["cases"]
    # The first checklist (nothing ticked), then the legs: both is an emergency at once.
    assert legs["asked"] == [*SIGNS_NOW, "leg_symptoms"]
    assert (legs["prompts"], legs["reviewed"]) == (2, False)
    assert legs["blank"] == [q for q in SIGNS_NOW if q not in legs["asked"][:2]]
    # A small fall is on the first checklist; at 70 the age makes it an emergency: 3 prompts.
    assert fell["asked"] == [*SIGNS_NOW, "leg_symptoms", "age"] and fell["prompts"] == 3
    assert "leg_symptoms" in fell["blank"]
    assert out["totals"]["prompts"]["emergency"] == {"cases": 2, "median": 2.5, "max": 3}


def test_a_full_questionnaire_counts_the_review_and_the_unit_from_a_weight(
    shipped: KnowledgeBase,
) -> None:
    given = answers.from_mapping(
        {**NO_RED_FLAGS, "spasm_during": ["deadlift"], "recent_layoff": "yes",
         "working_weight": "140 kg"},
        shipped,
    )  # fmt: skip
    done = replay(shipped, given)
    assert done.reviewed and done.prompts == len(done.screens) + 1
    # The weight only puts numbers in the advice, never an item among the first three: it is
    # asked after "See my advice now", when refining.
    assert "working_weight" not in done.asked
    done = replay(shipped, given, refine=True)
    assert done.reviews == 2 and done.prompts == len(done.screens) + 2
    # Asked for the unit before the weight, the person says kg: the unit they gave with it.
    assert done.asked.index("weight_unit") == done.asked.index("working_weight") - 1
    assert "weight_unit" not in done.blank and done.progress.values["weight_unit"] == "kg"
    assert "pain_now" in done.blank and "pain_now" in done.asked


def test_history_answers_come_from_the_case_and_the_journal_is_never_touched(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "journal.sqlite3"
    recurring = {**NO_RED_FLAGS, "episodes_last_year": 3}
    bank = write_cases(
        tmp_path / "bank.yaml",
        [case("third-this-year", recurring, "see_clinician", suggests=["physio_for_recurring"])],
    )
    code, out, _ = evaluate_json(str(bank), env={"SPASM_TRIAGE_JOURNAL": str(journal)})
    assert code == 0
    (only,) = out["cases"]
    assert only["missing_suggests"] == [] and "episodes_last_year" not in only["asked"]
    assert not journal.exists() and list(tmp_path.iterdir()) == [bank]


def test_a_local_pack_adds_its_suggestions_with_rules(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "warmup.yaml").write_text(
        textwrap.dedent(
            """
            section: training
            sources:
              - {id: my_coach, kind: personal, title: My coach, published: in person}
            questions:
              - {id: warms_up, ask: Do you warm up?, type: yes_no, why: Cold backs.}
            rules:
              - {id: cold_pulls, when: {warms_up: no}, suggest: warm_up_sets}
            suggestions:
              - {id: warm_up_sets, tier: training, text: Warm up., confidence: 0.5,
                 evidence: one_poster, sources: [{source: my_coach, quote: Never cold.}]}
            """
        )
    )
    bank = write_cases(
        tmp_path / "bank.yaml",
        [case("cold", {**NO_RED_FLAGS, "warms_up": "no"}, "self_care", suggests=["warm_up_sets"])],
    )
    code, out, _ = evaluate_json(str(bank), "--rules", str(pack))
    # A question not marked quick refines the advice: asked after "See my advice now" is
    # offered, so the person who takes the advice then never sees the pack's suggestion; with
    # every answer given (the counterfactual) they would.
    (scored,) = out["cases"]
    assert code == 0 and scored["missing_suggests"] == ["warm_up_sets"]
    assert scored["if_answered_all"]["missing_suggests"] == []
    assert "warms_up" not in scored["asked"]
    quick = (
        (pack / "warmup.yaml")
        .read_text()
        .replace("why: Cold backs.}", "why: Cold backs., quick: true}")
    )
    (pack / "warmup.yaml").write_text(quick)
    code, out, _ = evaluate_json(str(bank), "--rules", str(pack))
    (scored,) = out["cases"]
    assert code == 0 and scored["missing_suggests"] == [] and "warms_up" in scored["asked"]
    (pack / "warmup.yaml").write_text(quick.replace(", quick: true}", "}"))
    from triage.knowledge import loading

    packed = loading.load([loading.shipped_rules_dir(), pack], trust_cache=False)
    given = answers.from_mapping({**NO_RED_FLAGS, "warms_up": "no"}, packed)
    assert "warms_up" in replay(packed, given, refine=True).asked
    done = run_cli("evaluate", str(bank))  # without the pack, its ids are unknown
    assert done.returncode == 2 and "unknown question 'warms_up'" in done.stderr


def test_json_evaluation_loads_no_terminal_library_and_no_journal() -> None:
    """The replay runs the questionnaire's flow without questionary or rich, and nothing opens
    the journal (sqlite3 is never imported)."""
    import subprocess
    import sys

    script = (
        "import contextlib, io, sys\n"
        "from triage.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['evaluate', {str(HERE / 'good.yaml')!r}, '--format', 'json'])\n"
        "print(code, sorted(m for m in ('rich', 'questionary', 'prompt_toolkit', 'sqlite3')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout == "0 []\n"
