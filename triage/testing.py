"""Rule tests: YAML cases beside the rules (rules/tests/*.yaml) give answers and say what the
advice must hold. Each case passes or fails with a diff of expected against what came out, and
the *why not* of every missing suggestion; `todo` cases are known gaps, reported but not failed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from triage import answers, explain, ranking
from triage.engine import Engine
from triage.errors import AnswersError, Location, Problem, RulesError
from triage.files import TooLarge, read_bounded
from triage.knowledge.located import LocDict
from triage.knowledge.yaml_reader import load_bytes
from triage.model import KnowledgeBase
from triage.text import a_or_an

MAX_CASE_FILE = 64 * 10**6  # as a rule file: far beyond any bank of cases


@dataclass
class Outcome:
    name: str
    location: Location
    status: str  # PASS, FAIL, TODO (a known gap that still fails), FIXED (a todo that passes)
    details: list[str] = field(default_factory=list)
    fired: tuple[str, ...] = ()  # the rules this case's answers fired
    shown: tuple[str, ...] = ()  # the advice it showed


def case_files(paths: Iterable[Path]) -> list[Path]:
    from triage.knowledge.rule_files import rule_files

    return rule_files(paths)  # the same rule: every *.yaml in a folder, or the file given


@cache
def _validator(schema_file: str) -> Any:
    import jsonschema

    schema = json.loads(resources.files("triage").joinpath(schema_file).read_text())
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(doc: Any, name: str, schema_file: str) -> list[Problem]:
    from triage.knowledge.schema import _describe

    return [p for e in _validator(schema_file).iter_errors(doc) for p in _describe(e, doc, name)]


def read_case_files(
    files: list[Path], schema_file: str = "cases.schema.json"
) -> tuple[list[tuple[str, LocDict]], list[Problem]]:
    """Case files read with their positions and checked against their JSON Schema (rule tests'
    by default; `spasm-triage evaluate` has its own): the well-formed documents by file name,
    and every problem found in the others."""
    problems: list[Problem] = []
    loaded: list[tuple[str, LocDict]] = []
    for file in files:
        name = str(file)
        try:
            # Bounded, and only a regular file: /dev/zero would fill memory, a FIFO hang.
            raw = read_bounded(file, MAX_CASE_FILE, regular=True)
        except OSError as exc:
            why = exc.strerror or str(exc)
            if why == "not a regular file":
                why += " (a pipe or a device): give a YAML case file"
            problems.append(Problem("E004", f"cannot read: {why}", Location(name)))
            continue
        except TooLarge as exc:
            problems.append(
                Problem(
                    "E004",
                    f"too large for a case file ({exc.describe(MAX_CASE_FILE)}; at most "
                    f"{MAX_CASE_FILE // 10**6} MB): split it into several files",
                    Location(name),
                )
            )
            continue
        data, found = load_bytes(raw, name)
        if data is None and not found:  # empty, or only comments: no case would run
            found = [
                Problem(
                    "E003",
                    "the file is empty: expected 'cases:' with a list of cases",
                    Location(name),
                )
            ]
        elif data is not None and not found:
            found = _schema_problems(data, name, schema_file)
        problems += found
        if not found and isinstance(data, LocDict):
            loaded.append((name, data))
    return loaded, problems


def run(kb: KnowledgeBase, files: list[Path]) -> list[Outcome]:
    """Run every case; unreadable or malformed case files raise RulesError with every problem."""
    loaded, problems = read_case_files(files)
    if problems:
        raise RulesError(problems)
    engine = Engine(kb)
    return [_run_case(kb, engine, name, case) for name, doc in loaded for case in doc["cases"]]


def _run_case(kb: KnowledgeBase, engine: Engine, name: str, case: LocDict) -> Outcome:
    where = case.loc
    details: list[str] = []
    wanted = [*case.get("suggests", []), *case.get("not_suggests", [])]
    for line in case.get("order", []):
        wanted += line.split(" above ")
    unknown = [s for s in wanted if s not in kb.suggestions]
    if unknown:
        return Outcome(
            case["name"],
            where,
            "FAIL",
            [f"unknown suggestion '{s}' (not in the rules)" for s in unknown],
        )
    try:
        given = answers.from_mapping(case["answers"], kb, name)
    except AnswersError as exc:
        return Outcome(case["name"], where, "FAIL", [p.plain() for p in exc.problems])
    consultation = engine.consult(given)
    result = ranking.rank(kb, given, consultation)
    shown = [a.id for a in result.advice]
    dissent = {a.id for d in result.disagreements for a in d.dissent}
    left_out = {a.id for a in result.left_out}
    not_applicable = {a.id: a.suggestion for a in result.not_applicable}

    if "tier" in case and result.tier != case["tier"]:
        details.append(f"tier: expected {case['tier']}, got {result.tier}")
    for sid in case.get("suggests", []):
        if sid in shown:
            continue
        if sid in dissent:
            details.append(f"missing: {sid}: made, but shown as the dissent in a disagreement")
        elif sid in left_out:
            details.append(
                f"missing: {sid}: made, but {a_or_an(result.tier)} result leaves out "
                f"{kb.suggestions[sid].tier} advice (about.policy)"
            )
        elif sid in not_applicable:
            details.append(f"missing: {sid}: made, but its 'unless' holds: it does not apply")
        else:
            details.append(f"missing: {sid}")
            details += [f"  {line}" for line in explain.why_not(sid, kb, given, consultation)]
    rules = {rule.id: rule for rule in kb.rules}
    for sid in case.get("not_suggests", []):
        if sid in shown:
            makers = [
                r for r in consultation.order if any(ref.id == sid for ref in rules[r].suggest)
            ]
            details.append(f"unexpected: {sid} (made by {', '.join(makers) or 'a disagreement'})")
    for line in case.get("order", []):
        first, second = line.split(" above ")
        if first in shown and second in shown and shown.index(first) < shown.index(second):
            continue
        place = {s: (f"#{shown.index(s) + 1}" if s in shown else "absent") for s in (first, second)}
        details.append(
            f"order: '{first}' should rank above '{second}' "
            f"(got {first} {place[first]}, {second} {place[second]})"
        )

    failed = bool(details)
    if "todo" in case:
        status = "TODO" if failed else "FIXED"
        details = (
            [f"known gap: {case['todo']}", *details]
            if failed
            else [f"passes now: remove its 'todo' ({case['todo']})"]
        )
    else:
        status = "FAIL" if failed else "PASS"
    return Outcome(case["name"], where, status, details, tuple(consultation.order), tuple(shown))


def _coverage(files: list[Path]) -> tuple[set[Path], set[Path]]:
    """What these case files answer for: whole rule folders (every case file of their tests/
    folder is here), and single rule files (a case file alone answers for the rule file of its
    name: rules/tests/form.yaml for rules/form.yaml)."""
    given = {f.resolve() for f in files}
    folders: set[Path] = set()
    single: set[Path] = set()
    for file in given:
        tests = file.parent
        if {f.resolve() for f in case_files([tests])} <= given:
            folders.add(tests.parent)
        else:
            single.add(tests.parent / file.name)
    return folders, single


def _within(location: Location, places: set[Path]) -> bool:
    where = Path(location.file).resolve()
    return any(where == place or where.is_relative_to(place) for place in places)


def untested(kb: KnowledgeBase, outcomes: list[Outcome], files: list[Path]) -> list[Outcome]:
    """For a whole tests/ folder: each rule beside it that no case fires, and each suggestion
    no case shows (but for one only ever shown as a disagreement's other view), as a failure.
    A rule nothing tests can be wrong without anyone knowing; the project's own suite refuses
    one in the shipped rules, so `test` does too."""
    folders, _ = _coverage(files)
    fired = {rule for outcome in outcomes for rule in outcome.fired}
    shown = {sid for outcome in outcomes for sid in outcome.shown}
    dissent = {sid for d in kb.disagreements for sid in d.over}
    gaps = [
        Outcome(f"rule '{rule.id}' fires in no case: add a case that fires it", rule.location, "FAIL")
        for rule in kb.rules
        if rule.id not in fired and _within(rule.location, folders)
    ]
    gaps += [
        Outcome(
            f"suggestion '{sid}' is shown in no case: add a case that shows it",
            suggestion.location,
            "FAIL",
        )
        for sid, suggestion in kb.suggestions.items()
        if sid not in shown and sid not in dissent and _within(suggestion.location, folders)
    ]
    return gaps


def unfired(kb: KnowledgeBase, outcomes: list[Outcome], files: list[Path]) -> list[str]:
    """For a single case file: the rules of the rule file of its name that none of its cases
    fires, said as notes that do not fail the run (the folder's other files may fire them)."""
    _, single = _coverage(files)
    fired = {rule for outcome in outcomes for rule in outcome.fired}
    return [
        f"rule '{rule.id}' ({rule.location}) fires in none of these cases: add one that fires it"
        for rule in kb.rules
        if rule.id not in fired and _within(rule.location, single)
    ]


def report(outcomes: list[Outcome], notes: Sequence[str] = ()) -> tuple[str, bool]:
    """The printed report and whether the run passed; `notes` (rules no case fires) are said
    before the totals, and do not fail the run."""
    lines = []
    for outcome in outcomes:
        lines.append(f"{outcome.status:5} {outcome.location}: {outcome.name}")
        lines += [f"      {d}" for d in outcome.details]
    lines += [f"note: {note}" for note in notes]
    passed = sum(o.status in ("PASS", "FIXED") for o in outcomes)
    failed = sum(o.status == "FAIL" for o in outcomes)
    gaps = sum(o.status == "TODO" for o in outcomes)
    lines.append(f"rules: {passed} passed, {failed} failed, {gaps} skipped")
    return "\n".join(lines) + "\n", failed == 0
