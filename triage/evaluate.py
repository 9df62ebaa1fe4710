"""`spasm-triage evaluate`: realistic cases run through the rules, scored the way symptom-checker
studies score vignettes (exact tier, safety, under- and over-triage, emergency recall), plus the
prompts the questionnaire would have shown each person.

Each case is evaluated on its own answers alone: the journal is never read or written. The
answers are replayed through the questionnaire's own flow (triage/replay.py), as a person who
takes "See my advice now" as soon as it is offered; the advice scored is the advice ranked from
the answers that replay asked (blank where it left them blank): what that person sees. The same
measures over the case's every answer (as `--answers` would advise with the whole file) are
given beside it, labelled as the counterfactual "if they answered every question".
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage import answers, ranking, testing
from triage.answers import Answers
from triage.errors import (
    DUPLICATE_ID,
    EXIT_USAGE,
    UNKNOWN_REFERENCE,
    AnswersError,
    Location,
    Problem,
    TriageError,
    did_you_mean,
)
from triage.interview import engine_for
from triage.knowledge.located import LocDict, location_of
from triage.model import TIER_RANK, TIERS, KnowledgeBase
from triage.replay import Replay, Replayer

SCHEMA_FILE = "bank.schema.json"
TOP_WITHIN = 3  # a `top` item counts when it is among the first three numbered items


class CaseFileError(TriageError):
    """A case file that cannot be evaluated: unreadable, malformed, or naming unknown ids."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Case:
    id: str
    location: Location
    story: str
    source: str
    answers: Answers
    tier: str
    suggests: tuple[str, ...]
    not_suggests: tuple[str, ...]
    top: tuple[str, ...]


def read(kb: KnowledgeBase, files: Iterable[Path]) -> list[Case]:
    """Every case of every file, checked; any problem in any file raises CaseFileError with all
    of them, each at its line and column."""
    loaded, problems = testing.read_case_files(list(files), SCHEMA_FILE)
    cases: list[Case] = []
    first_seen: dict[str, Location] = {}
    for name, doc in loaded:
        for raw, where in zip(doc["cases"], doc["cases"].item_locs, strict=True):
            found = _check(kb, raw, name)
            case_id = raw["id"]
            if case_id in first_seen:
                found.append(
                    Problem(
                        DUPLICATE_ID,
                        f"case id '{case_id}' is used twice (first at {first_seen[case_id]}); "
                        "give each case its own id",
                        location_of(raw, ["id"]) or where,
                        related=(first_seen[case_id],),
                    )
                )
            else:
                first_seen[case_id] = location_of(raw, ["id"]) or where
            try:
                given = answers.from_mapping(raw["answers"], kb, name)
            except AnswersError as exc:  # the answers file's own checks and words
                found += exc.problems
            problems += found
            if found:
                continue
            expect = raw["expect"]
            cases.append(
                Case(
                    case_id,
                    where,
                    raw["story"],
                    raw["source"],
                    given,
                    expect["tier"],
                    tuple(expect.get("suggests", ())),
                    tuple(expect.get("not_suggests", ())),
                    tuple(expect.get("top", ())),
                )
            )
    if problems:
        raise CaseFileError(problems)
    return cases


def _check(kb: KnowledgeBase, raw: LocDict, name: str) -> list[Problem]:
    """Suggestions the case names that the rules do not have: an error, never a silent pass."""
    problems = []
    for key in ("suggests", "not_suggests", "top"):
        for index, sid in enumerate(raw["expect"].get(key, [])):
            if sid not in kb.suggestions:
                problems.append(
                    Problem(
                        UNKNOWN_REFERENCE,
                        f"unknown suggestion '{sid}' in 'expect' '{key}'"
                        f"{did_you_mean(sid, kb.suggestions)}",
                        location_of(raw, ["expect", key, index]) or Location(name),
                    )
                )
    return problems


@dataclass(frozen=True)
class Scored:
    """The advice for one set of answers, scored against a case's expectations."""

    tier: str | None  # the tier given; None when nothing in the rules applies
    missing: tuple[str, ...]  # expected suggestions not in the advice shown
    violated: tuple[str, ...]  # suggestions the case rules out, in the advice shown
    top_rank: int | None  # the number of the first `top` item in the advice; None: not there
    first: tuple[str, ...]  # the first TOP_WITHIN numbered items, in order


@dataclass(frozen=True)
class Verdict:
    """One case's outcome: scored on the quick path (what the person sees), and on every
    answer the case gives (a counterfactual)."""

    case: Case
    tier: str | None  # the tier given; None when nothing in the rules applies
    missing: tuple[str, ...]  # expected suggestions not in the advice shown
    violated: tuple[str, ...]  # suggestions the case rules out, in the advice shown
    top_rank: int | None  # the number of the first `top` item in the advice; None: not there
    replay: Replay
    first: tuple[str, ...] = ()  # the first three numbered items the person sees
    full: Scored | None = None  # if they answered every question the case answers

    @property
    def exact(self) -> bool:
        return self.tier == self.case.tier

    @property
    def under(self) -> bool:
        """Less urgent than expected (or no advice at all): unsafe."""
        return self.tier is None or TIER_RANK[self.tier] > TIER_RANK[self.case.tier]

    @property
    def over(self) -> bool:
        return self.tier is not None and TIER_RANK[self.tier] < TIER_RANK[self.case.tier]

    @property
    def safe(self) -> bool:
        return not self.under

    @property
    def full_under(self) -> bool:
        """Less urgent than expected with every answer given: unsafe too."""
        full = self.full
        return full is not None and (
            full.tier is None or TIER_RANK[full.tier] > TIER_RANK[self.case.tier]
        )


def _score(case: Case, result: ranking.Result) -> Scored:
    shown = {a.id for a in result.advice}
    numbered = [a.id for group in result.groups() for _, a in group.items]
    ranks = [numbered.index(s) + 1 for s in case.top if s in numbered]
    return Scored(
        result.tier,
        tuple(s for s in case.suggests if s not in shown),
        tuple(s for s in case.not_suggests if s in shown),
        min(ranks) if ranks else None,
        tuple(numbered[:TOP_WITHIN]),
    )


class Evaluator:
    """The rules compiled once, and the questionnaire's planner built once, for every case."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.replayer = Replayer(kb)
        self.engine = engine_for(self.replayer.planner)  # the one the replays' quick path uses

    def evaluate(self, case: Case) -> Verdict:
        full = _score(case, ranking.rank(self.kb, case.answers, self.engine.consult(case.answers)))
        replay = self.replayer.replay(case.answers)
        progress = replay.progress
        asked = Answers(dict(progress.values), dict(progress.weight_units))
        quick = _score(
            case,
            ranking.rank(self.kb, asked, self.engine.consult(asked), frozenset(progress.blank)),
        )
        return Verdict(
            case,
            quick.tier,
            quick.missing,
            quick.violated,
            quick.top_rank,
            replay,
            quick.first,
            full,
        )


@dataclass(frozen=True)
class Run:
    verdicts: list[Verdict]
    seconds: float  # evaluating the cases, once the rules are loaded and compiled
    setup_seconds: float  # compiling the rules into the engine, building the planner

    @property
    def failed(self) -> bool:
        """An unsafe case or a violated not_suggests, in the advice the person sees, fails the
        run (exit 1)."""
        return any(v.under or v.violated for v in self.verdicts)


def run(kb: KnowledgeBase, cases: list[Case]) -> Run:
    start = time.perf_counter()
    evaluator = Evaluator(kb)
    ready = time.perf_counter()
    verdicts = [evaluator.evaluate(case) for case in cases]
    done = time.perf_counter()
    return Run(verdicts, done - ready, ready - start)


# ---- totals ----


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _prompt_stats(verdicts: list[Verdict]) -> dict[str, Any]:
    counts = [v.replay.prompts for v in verdicts]
    return {
        "cases": len(counts),
        "median": statistics.median(counts) if counts else None,
        "max": max(counts) if counts else None,
    }


def _same_first(verdicts: list[Verdict]) -> list[list[str]]:
    """Cases that see the same first three items although their `top` differ: each such set
    of case ids (advice that is not telling these people apart)."""
    by_first: dict[tuple[str, ...], list[Verdict]] = {}
    for v in verdicts:
        if v.case.top and v.first:
            by_first.setdefault(v.first, []).append(v)
    return [
        [v.case.id for v in group]
        for group in by_first.values()
        if len({frozenset(v.case.top) for v in group}) > 1
    ]


def _counterfactual(verdicts: list[Verdict]) -> dict[str, Any]:
    """The advice measures if each person answered every question their case answers."""
    full = [(v, v.full) for v in verdicts if v.full is not None]
    n = len(full)
    exact = sum(f.tier == v.case.tier for v, f in full)
    safe = sum(not v.full_under for v, _ in full)
    expected = sum(len(v.case.suggests) for v, _ in full)
    met = expected - sum(len(f.missing) for _, f in full)
    with_top = [(v, f) for v, f in full if v.case.top]
    top_met = sum(f.top_rank is not None and f.top_rank <= TOP_WITHIN for _, f in with_top)
    return {
        "cases": n,
        "exact": exact,
        "exact_accuracy": _share(exact, n),
        "safe": safe,
        "safety": _share(safe, n),
        "suggests": {"expected": expected, "met": met, "share": _share(met, expected)},
        "not_suggests_violations": sum(len(f.violated) for _, f in full),
        "top_in_first_three": {
            "cases": len(with_top),
            "met": top_met,
            "share": _share(top_met, len(with_top)),
        },
    }


def totals(outcome: Run) -> dict[str, Any]:
    """Every total, as defined in docs/evaluate.md: on the quick path (what each person sees),
    and under `if_answered_all`, the counterfactual of every answer given."""
    verdicts = outcome.verdicts
    n = len(verdicts)
    per_tier = {}
    for tier in TIERS:
        of_tier = [v for v in verdicts if v.case.tier == tier]
        if of_tier:
            exact = sum(v.exact for v in of_tier)
            per_tier[tier] = {
                "cases": len(of_tier),
                "exact": exact,
                "accuracy": _share(exact, len(of_tier)),
            }
    emergencies = [v for v in verdicts if v.case.tier == "emergency"]
    others = [v for v in verdicts if v.case.tier != "emergency"]
    expected = sum(len(v.case.suggests) for v in verdicts)
    met = expected - sum(len(v.missing) for v in verdicts)
    with_top = [v for v in verdicts if v.case.top]
    top_met = sum(v.top_rank is not None and v.top_rank <= TOP_WITHIN for v in with_top)
    exact_count = sum(v.exact for v in verdicts)
    safe_count = sum(v.safe for v in verdicts)
    under_count = sum(v.under for v in verdicts)
    over_count = sum(v.over for v in verdicts)
    recalled = sum(v.tier == "emergency" for v in emergencies)
    return {
        "cases": n,
        "exact": exact_count,
        "exact_accuracy": _share(exact_count, n),
        "accuracy_per_tier": per_tier,
        "safe": safe_count,
        "safety": _share(safe_count, n),
        "under_triaged": under_count,
        "under_triage_rate": _share(under_count, n),
        "over_triaged": over_count,
        "over_triage_rate": _share(over_count, n),
        "emergency_cases": len(emergencies),
        "emergency_given": recalled,
        "emergency_recall": _share(recalled, len(emergencies)),
        "suggests": {"expected": expected, "met": met, "share": _share(met, expected)},
        "not_suggests_violations": sum(len(v.violated) for v in verdicts),
        "top_in_first_three": {
            "cases": len(with_top),
            "met": top_met,
            "share": _share(top_met, len(with_top)),
        },
        "same_first_three": _same_first(verdicts),
        "if_answered_all": _counterfactual(verdicts),
        "prompts": {
            "all": _prompt_stats(verdicts),
            "emergency": _prompt_stats(emergencies),
            "non_emergency": _prompt_stats(others),
        },
        "seconds": round(outcome.seconds, 4),
        "setup_seconds": round(outcome.setup_seconds, 4),
        "cases_per_second": round(n / outcome.seconds, 1) if outcome.seconds > 0 else None,
    }


def case_dict(verdict: Verdict) -> dict[str, Any]:
    case, full = verdict.case, verdict.full
    return {
        "id": case.id,
        "location": str(case.location),
        "expected": {
            "tier": case.tier,
            "suggests": list(case.suggests),
            "not_suggests": list(case.not_suggests),
            "top": list(case.top),
        },
        "tier": verdict.tier,
        "exact": verdict.exact,
        "safe": verdict.safe,
        "triage": "under" if verdict.under else "over" if verdict.over else "exact",
        "missing_suggests": list(verdict.missing),
        "violated_not_suggests": list(verdict.violated),
        "top_rank": verdict.top_rank,
        "prompts": verdict.replay.prompts,
        "keys": verdict.replay.keys,
        "asked": list(verdict.replay.asked),
        "blank": list(verdict.replay.blank),
        "reviewed": verdict.replay.reviewed,
        "first_three": list(verdict.first),
        "if_answered_all": None
        if full is None
        else {
            "tier": full.tier,
            "missing_suggests": list(full.missing),
            "violated_not_suggests": list(full.violated),
            "top_rank": full.top_rank,
            "first_three": list(full.first),
        },
    }


def as_dict(outcome: Run) -> dict[str, Any]:
    return {"cases": [case_dict(v) for v in outcome.verdicts], "totals": totals(outcome)}
