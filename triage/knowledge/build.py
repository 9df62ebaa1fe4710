"""Schema-valid rule documents to a KnowledgeBase: sections, replacements and disabled rules,
ids unique across files, and every reference between files checked; each item becomes its
model object. Problems are collected, located, and raised together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from triage import conditions
from triage.errors import (
    BAD_GROUP,
    DUPLICATE_ID,
    SCHEMA,
    UNKNOWN_REFERENCE,
    WEAKENS_RED_FLAG,
    Location,
    Problem,
    RulesError,
)
from triage.knowledge import items as make
from triage.knowledge.located import LocDict
from triage.model import (
    TIERS,
    WEIGHT_UNITS,
    About,
    Disabled,
    Finding,
    Group,
    KnowledgeBase,
    Question,
    ResultWords,
    Section,
    Suggestion,
    TierPolicy,
    TierText,
)

KINDS = ("sources", "questions", "findings", "rules", "suggestions", "disagreements", "groups")


def build(
    docs: list[tuple[str, LocDict]],
    fingerprint: str = "",
    broken: dict[str, set[str]] | None = None,
) -> KnowledgeBase:
    """Schema-valid documents to a KnowledgeBase, checking ids and every reference between files.
    `broken` names items that failed the schema: references to them are not reported again."""
    broken = broken or {}
    problems: list[Problem] = []
    items: dict[str, list[tuple[LocDict, str]]] = {kind: [] for kind in KINDS}
    sections: list[Section] = []
    about_docs: list[LocDict] = []
    joined: list[tuple[str, Location]] = []
    disabled: list[tuple[str, Location]] = []
    for name, doc in docs:
        section_id = Path(name).stem
        if isinstance(doc.get("section"), str):  # joins a section declared elsewhere
            section_id = doc["section"]
            joined.append((section_id, doc.value_locs["section"]))
        elif "section" in doc:
            raw = doc["section"]
            section_id = raw["id"]
            sections.append(
                Section(
                    raw["id"],
                    raw["title"],
                    raw.get("order", 100),
                    bool(raw.get("always_ask", False)),
                    raw.loc,
                )
            )
        elif doc.get("questions"):
            sections.append(Section(section_id, section_id.replace("_", " "), 100, False, doc.loc))
        for kind in KINDS:
            for item in doc.get(kind, []):
                items[kind].append((item, section_id))
        if "about" in doc:
            about_docs.append(doc["about"])
        locs = doc["disable"].item_locs if "disable" in doc else []
        disabled += list(zip(doc.get("disable", []), locs, strict=True))

    for sid, loc in joined:
        make.known(problems, sid, {s.id for s in sections}, "joins unknown section", loc)
    for kind in KINDS:
        items[kind] = _replaced(kind, items[kind], problems, broken)
    rule_ids = {item["id"] for item, _ in items["rules"]}
    for ident, loc in disabled:
        make.known(problems, ident, rule_ids, "disables unknown rule", loc, broken.get("rules", ()))
    off = {ident for ident, _ in disabled}
    by_id = {item["id"]: item for item, _ in items["rules"]}
    turned_off = [
        Disabled(ident, where, tuple(r.id for r in make.suggest_refs(by_id[ident].get("suggest"))))
        for ident, where in disabled
        if ident in by_id
    ]
    items["rules"] = [(item, section) for item, section in items["rules"] if item["id"] not in off]

    for kind in (*KINDS, "sections"):
        seen: dict[str, Location] = {}
        entries = (
            [(s.id, s.location) for s in sections]
            if kind == "sections"
            else [(item["id"], item.value_locs["id"]) for item, _ in items[kind]]
        )
        for ident, loc in entries:
            if ident in seen:
                first = seen[ident]
                problems.append(
                    Problem(
                        DUPLICATE_ID,
                        f"{kind[:-1]} id '{ident}' is already used at {first}"
                        + (
                            ""
                            if kind == "sections"
                            else ": give this one another id, or add 'replace: true' to it "
                            "to replace that one"
                        ),
                        loc,
                        related=(first,),
                    )
                )
            else:
                seen[ident] = loc

    sources = {item["id"]: make.source(item) for item, _ in items["sources"]}
    findings = {
        item["id"]: Finding(item["id"], item["means"], item.loc) for item, _ in items["findings"]
    }
    skip = broken.get("questions", set()) | broken.get("findings", set())
    questions = {
        item["id"]: make.question(item, section, problems) for item, section in items["questions"]
    }
    suggestions = {
        item["id"]: make.suggestion(item, index, sources, questions, problems, broken)
        for index, (item, _) in enumerate(items["suggestions"])
    }
    # The journal's "what helped" question chooses among the suggestions themselves.
    helped = tuple((sid, s.title) for sid, s in suggestions.items())
    for qid, question in questions.items():
        if question.journal == "helped":
            questions[qid] = replace(question, choices=helped)
    # ask_if may name any question, so conditions are resolved once every question is known.
    for item, _ in items["questions"]:
        if "ask_if" in item:
            cond = conditions.parse(item["ask_if"], item.value_locs["ask_if"])
            resolved = conditions.resolve(cond, questions, findings, problems, skip)
            questions[item["id"]] = replace(questions[item["id"]], ask_if=resolved)
    # `unless` may name any question or finding, so it is resolved once all are known.
    for item, _ in items["suggestions"]:
        if "unless" in item and item["id"] in suggestions:
            cond = conditions.parse(item["unless"], item.value_locs["unless"])
            resolved = conditions.resolve(cond, questions, findings, problems, skip)
            suggestions[item["id"]] = replace(suggestions[item["id"]], unless=resolved)
    rules = [
        make.rule(item, index, section, questions, findings, suggestions, problems, broken)
        for index, (item, section) in enumerate(items["rules"])
    ]
    disagreements = [
        make.disagreement(item, suggestions, problems, broken) for item, _ in items["disagreements"]
    ]
    counts = Counter(item["id"] for item, _ in items["questions"])
    clashing = {qid for qid, count in counts.items() if count > 1}
    groups = _groups(items["groups"], questions, problems, skip, clashing)
    for group in groups.values():
        for qid in group.questions:
            questions[qid] = replace(questions[qid], group=group.id)
    about = _about(about_docs, questions, docs, problems, broken)
    for i, sid in enumerate(about.protected_sections):
        where = about_docs[0]["protected"]["sections"].item_locs[i]
        make.known(problems, sid, {s.id for s in sections}, "protects unknown section", where)
    _protect_policy(about, about_docs, suggestions, problems)
    if problems:
        raise RulesError(problems)

    order = {s.id: (s.order, i) for i, s in enumerate(sections)}
    asked = sorted(
        questions.values(),
        key=lambda q: (*order.get(q.section, (100, len(order))), -q.priority),
    )
    return KnowledgeBase(
        sections=tuple(sorted(sections, key=lambda s: order[s.id])),
        sources=MappingProxyType(sources),
        questions=MappingProxyType({q.id: q for q in asked}),
        findings=MappingProxyType(findings),
        rules=tuple(sorted(rules, key=lambda r: (-r.priority, r.index))),
        suggestions=MappingProxyType(suggestions),
        disagreements=tuple(disagreements),
        about=about,
        files=tuple(name for name, _ in docs),
        fingerprint=fingerprint,
        groups=MappingProxyType(groups),
        disabled=tuple(turned_off),
    )


def _groups(
    entries: list[tuple[LocDict, str]],
    questions: dict[str, Question],
    problems: list[Problem],
    broken: Collection[str],
    clashing: Collection[str] = (),
) -> dict[str, Group]:
    """Checklists of yes/no signs. A sign is in one group at most, and a group stays within
    one section, since sections are asked in order and a group is asked on one screen."""
    groups: dict[str, Group] = {}
    member_of: dict[str, str] = {}
    for item, section in entries:
        held: list[str] = []
        # A replacement that does not restate its signs keeps the earlier group's: a problem
        # with them is the replacement's doing, so it is shown at the replacement.
        inherited = item.value_locs["questions"].file != item.loc.file
        for index, qid in enumerate(item["questions"]):
            where = item.loc if inherited else make.at(item, "questions", index)
            if qid not in questions:
                what = f"group '{item['id']}' holds unknown question"
                make.known(problems, qid, questions, what, where, broken)
                continue
            question = questions[qid]
            if qid in clashing:  # its clash is the error (E010); which one is meant is unclear
                member_of[qid] = item["id"]
                held.append(qid)
            elif qid in member_of:
                problems.append(
                    Problem(
                        BAD_GROUP,
                        f"question '{qid}' is already in group '{member_of[qid]}'; "
                        "a question is in one group at most",
                        where,
                    )
                )
            elif (question.type != "yes_no" and question.tick is None) or question.journal:
                problems.append(
                    Problem(
                        BAD_GROUP,
                        f"group '{item['id']}' holds '{qid}', a {question.type} question; "
                        "a group holds yes_no questions that are asked (or a one_of "
                        "question with a 'tick')",
                        where,
                    )
                )
            elif question.section != section:
                problems.append(
                    Problem(
                        BAD_GROUP,
                        f"group '{item['id']}' is in section '{section}', but '{qid}' is in "
                        f"'{question.section}'; a group holds questions of its own section",
                        where,
                    )
                )
            else:
                member_of[qid] = item["id"]
                held.append(qid)
        if held:
            groups[item["id"]] = Group(
                item["id"], item["ask"], item["why"], tuple(held), section, item.loc
            )
    return groups


def _replaced(
    kind: str,
    entries: list[tuple[LocDict, str]],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> list[tuple[LocDict, str]]:
    """Apply `replace: true`: the item takes the place (and the file position) of the earlier one
    with its id, and keeps every key of it that it does not restate (a rule replaced to widen its
    condition keeps its priority). Only an explicit replace may reuse an id; any other clash is
    reported later."""
    out: list[tuple[LocDict, str]] = []
    position: dict[str, int] = {}
    for item, section in entries:
        ident = item["id"]
        if item.get("replace"):
            if ident in position:
                earlier, earlier_section = out[position[ident]]
                out[position[ident]] = (
                    _restated(earlier, item),
                    earlier_section if kind == "questions" else section,
                )
            elif ident not in broken.get(kind, ()):
                what = f"{kind[:-1]} '{ident}' says replace: true, but no earlier {kind[:-1]} has"
                problems.append(
                    Problem(UNKNOWN_REFERENCE, f"{what} that id", item.value_locs["id"])
                )
            continue
        position.setdefault(ident, len(out))
        out.append((item, section))
    return out


def _restated(earlier: LocDict, item: LocDict) -> LocDict:
    """The earlier item with the replacement's keys over it, each where it was written."""
    merged = LocDict()
    merged.loc, merged.key_locs, merged.value_locs = item.loc, {}, {}
    for source in (earlier, item):
        for key, value in source.items():
            if key != "replace":
                merged[key] = value
                merged.key_locs[key] = source.key_locs[key]
                merged.value_locs[key] = source.value_locs[key]
    merged.dropped = item.dropped
    return merged


def _about(
    found: list[LocDict],
    questions: dict[str, Question],
    docs: list[tuple[str, LocDict]],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> About:
    if not found and "about" in broken:
        return About("", "", MappingProxyType({}), None)  # its own errors are reported
    if not found:
        where = Location(docs[0][0]) if docs else Location("rules")
        problems.append(
            Problem(
                SCHEMA,
                "no file has an 'about' block (the disclaimer and the tier "
                "texts); add one, e.g. in about.yaml",
                where,
            )
        )
        return About("", "", MappingProxyType({}), None)
    for extra in found[1:]:
        problems.append(
            Problem(
                DUPLICATE_ID,
                f"'about' is already given at {found[0].loc}",
                extra.loc,
                related=(found[0].loc,),
            )
        )
    raw = found[0]
    unit_question = raw.get("weight_unit_question")
    if unit_question is not None:
        question = questions.get(unit_question)
        if question is None or set(question.choice_ids) != set(WEIGHT_UNITS):
            problems.append(
                Problem(
                    UNKNOWN_REFERENCE,
                    f"weight_unit_question '{unit_question}' must be a "
                    "one_of question with the choices kg and lb",
                    raw.value_locs["weight_unit_question"],
                )
            )
    tiers = {
        tier: TierText(raw["tiers"][tier]["title"], raw["tiers"][tier]["action"]) for tier in TIERS
    }
    intro = raw.get("intro", raw["disclaimer"])
    protected = raw.get("protected", {})
    policy = {
        tier: TierPolicy(tuple(spec["drop"]), spec["left_out"], spec.get("refine", True))
        for tier, spec in (raw.get("policy") or {}).items()
    }
    given: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in (raw.get("result") or {}).items()
    }
    words = ResultWords(**given)
    return About(
        raw["disclaimer"],
        intro,
        MappingProxyType(tiers),
        unit_question,
        tuple(protected.get("sections", ())),
        tuple(protected.get("tiers", ())),
        MappingProxyType(policy),
        words,
        tuple(host.lower().strip(".") for host in raw.get("source_mirrors", ())),
    )


def _protect_policy(
    about: About,
    found: list[LocDict],
    suggestions: dict[str, Suggestion],
    problems: list[Problem],
) -> None:
    """Tier policy and applicability shorten a result; they may never hide red-flag advice."""
    guarded = set(about.protected_tiers)
    if found and "policy" in found[0]:
        for tier, spec in found[0]["policy"].items():
            hidden = sorted(guarded & set(spec["drop"]))
            if hidden:
                problems.append(
                    Problem(
                        WEAKENS_RED_FLAG,
                        f"the policy for a {tier} result may not leave out "
                        f"{', '.join(hidden)} advice: it is protected",
                        found[0]["policy"].value_locs[tier],
                    )
                )
    for suggestion in suggestions.values():
        if suggestion.unless is not None and suggestion.tier in guarded:
            problems.append(
                Problem(
                    WEAKENS_RED_FLAG,
                    f"suggestion '{suggestion.id}' is {suggestion.tier} advice, which is "
                    "protected: it may not say when it does not apply ('unless')",
                    suggestion.location,
                )
            )
