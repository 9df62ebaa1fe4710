"""One rule-file item to its model object, with the checks that belong to that item alone:
a question's fields for its type, a rule's references, a suggestion's sources, numbers and
personal sentence, a disagreement's sides."""

from __future__ import annotations

import string
from collections.abc import Collection
from typing import Any

from triage import conditions
from triage.errors import (
    BAD_TEMPLATE,
    MISPLACED,
    SCHEMA,
    UNKNOWN_REFERENCE,
    Location,
    Problem,
    did_you_mean,
)
from triage.knowledge.located import LocDict
from triage.model import (
    NUMERIC_TYPES,
    WEIGHT_UNITS,
    Citation,
    Disagreement,
    Finding,
    NumberSpec,
    Question,
    Rule,
    Source,
    Suggestion,
    SuggestRef,
)

SECONDARY_MARK = "[secondary source]"


def source(item: LocDict) -> Source:
    secondary = bool(item.get("secondary", False))
    title = item["title"]
    if secondary and SECONDARY_MARK not in title:
        # Said in the title, so every place that names the source says it is a copy.
        title = f"{title} {SECONDARY_MARK}"
    return Source(
        item["id"],
        item["kind"],
        title,
        item["published"],
        item.get("file"),
        item.get("url"),
        item.loc,
        secondary,
    )


def question(item: LocDict, section: str, problems: list[Problem]) -> Question:
    """The question without its ask_if, which is resolved once all questions are known."""
    qtype = item["type"]
    choices = item.get("choices") or {}

    def misplaced(key: str, why: str) -> None:
        problems.append(Problem(MISPLACED, f"question '{item['id']}': {why}", item.key_locs[key]))

    journal = item.get("journal")
    if journal is not None:
        wanted = "many_of" if journal == "helped" else "number"
        if qtype != wanted:
            misplaced("journal", f"journal '{journal}' fills a {wanted} question, not {qtype}")
        if journal == "helped" and choices:
            misplaced(
                "choices",
                "the journal's 'helped' question takes its choices from the "
                "suggestions: leave 'choices' out",
            )
    elif qtype in ("one_of", "many_of") and not choices:
        problems.append(
            Problem(SCHEMA, f"question '{item['id']}' is {qtype}: it needs 'choices'", item.loc)
        )
    if choices and qtype not in ("one_of", "many_of"):
        misplaced("choices", f"'choices' only fit one_of and many_of questions, not {qtype}")
    for key in ("unit", "min", "max"):
        if key in item and qtype != "number":
            misplaced(key, f"'{key}' only fits number questions, not {qtype}")
    if "min" in item and "max" in item and item["min"] > item["max"]:
        misplaced("max", f"'max' ({item['max']}) is below 'min' ({item['min']})")
    if "tick" in item:
        takes = ("yes", "no", "unsure") if qtype == "yes_no" else tuple(map(str, choices))
        if qtype not in ("yes_no", "one_of"):
            misplaced("tick", f"'tick' only fits yes_no and one_of questions, not {qtype}")
        elif item["tick"] not in takes:
            misplaced("tick", f"'tick' is '{item['tick']}'; it is one of: {', '.join(takes)}")
        elif "unsure" not in takes:
            # A checklist line can be marked "not sure" (?): with no answer to record it as,
            # what the person said would be lost.
            misplaced(
                "tick",
                "a line with a 'tick' can be marked not sure (?): give it an 'unsure' choice "
                "(for example unsure: \"Not sure\"), or what was said is lost",
            )
    return Question(
        id=item["id"],
        ask=item["ask"],
        type=qtype,
        why=item["why"],
        choices=tuple((str(k), v) for k, v in choices.items()),
        unit=item.get("unit"),
        min=item.get("min", 0 if qtype == "scale" else None),
        max=item.get("max", 10 if qtype == "scale" else None),
        ask_if=None,
        short=item.get("short", item["ask"]),
        priority=item.get("priority", 0),
        section=section,
        sign=item.get("sign", ""),
        tick=item.get("tick"),
        quick=bool(item.get("quick", False)),
        retired=tuple((str(k), str(v)) for k, v in item.get("retired", {}).items()),
        location=item.loc,
        journal=item.get("journal"),
    )


def ids(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def known(
    problems: list[Problem],
    name: str,
    known: Collection[str],
    what: str,
    where: Location,
    broken: Collection[str] = (),
    then: str = "",
) -> None:
    """Report `name` unless it is among `known` (or `broken`, already reported); `what` reads
    before it, e.g. "rule 'r' suggests"; `then` after it, what to do."""
    if name not in known and name not in broken:
        problems.append(
            Problem(
                UNKNOWN_REFERENCE, f"{what} '{name}'{did_you_mean(name, known)}{then}", where
            )
        )


def at(item: LocDict, key: str, index: int) -> Location:
    """Where the index-th id of item[key] stands: the item itself when the value is a list."""
    value = item[key]
    locs = getattr(value, "item_locs", None)
    return locs[index] if locs else item.value_locs[key]


def suggest_refs(raw: Any) -> list[SuggestRef]:
    """A rule's `suggest` as written (an id, a {id, tier} mapping, or a list of them)."""
    entries = [raw] if isinstance(raw, str | dict) else (raw or [])
    return [
        SuggestRef(e, None) if isinstance(e, str) else SuggestRef(e["id"], e.get("tier"))
        for e in entries
    ]


def rule(
    item: LocDict,
    index: int,
    section: str,
    questions: dict[str, Question],
    findings: dict[str, Finding],
    suggestions: dict[str, Suggestion],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> Rule:
    skip = broken.get("questions", set()) | broken.get("findings", set())
    when = conditions.resolve(
        conditions.parse(item["when"], item.value_locs["when"]), questions, findings, problems, skip
    )
    conclude = ids(item.get("conclude"))
    for i, name in enumerate(conclude):
        what = f"rule '{item['id']}' concludes unknown finding"
        known(problems, name, findings, what, at(item, "conclude", i), broken.get("findings", ()))
    refs: list[SuggestRef] = []
    for i, ref in enumerate(suggest_refs(item.get("suggest"))):
        what = f"rule '{item['id']}' suggests unknown suggestion"
        where = at(item, "suggest", i)
        known(problems, ref.id, suggestions, what, where, broken.get("suggestions", ()))
        refs.append(ref)
    if not conclude and not refs and not item.dropped:
        problems.append(
            Problem(
                SCHEMA,
                f"rule '{item['id']}' does nothing: give it 'conclude' or 'suggest'",
                item.loc,
            )
        )
    return Rule(
        item["id"],
        when,
        tuple(conclude),
        tuple(refs),
        item.get("confidence"),
        item.get("priority", 0),
        index,
        item.loc,
        section,
        bool(item.get("for_everyone", False)),
    )


def suggestion(
    item: LocDict,
    index: int,
    sources: dict[str, Source],
    questions: dict[str, Question],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> Suggestion:
    ident = item["id"]
    cites: list[Citation] = []
    for cite, loc in zip(item["sources"], item["sources"].item_locs, strict=True):
        source = sources.get(cite["source"])
        what = f"suggestion '{ident}' cites undeclared source"
        where = (
            "; declare it in a 'sources:' list, in any rule file (the shipped sources are in "
            "rules/sources.yaml)"
        )
        known(problems, cite["source"], sources, what, loc, broken.get("sources", ()), where)
        if source is not None and source.kind == "forum_thread" and "poster" not in cite:
            problems.append(
                Problem(
                    SCHEMA,
                    f"suggestion '{ident}' quotes forum thread "
                    f"'{source.id}' without 'poster': say who wrote it",
                    loc,
                )
            )
        cites.append(Citation(cite["source"], cite.get("poster"), cite["quote"]))

    numbers: dict[str, NumberSpec] = {}
    for name, spec in (item.get("numbers") or {}).items():
        of = questions.get(spec["of"])
        if spec["of"] in broken.get("questions", ()):
            pass  # that question's own error is reported
        elif of is None or of.type not in NUMERIC_TYPES:
            what = "which is not a question" if of is None else f"a {of.type} question"
            problems.append(
                Problem(
                    UNKNOWN_REFERENCE,
                    f"number '{name}' of suggestion '{ident}' is "
                    f"computed from '{spec['of']}', {what}: it needs a number question",
                    item["numbers"].value_locs[name],
                )
            )
        numbers[name] = NumberSpec(
            spec["of"],
            float(spec.get("times", 1)),
            tuple(sorted((spec.get("round_to") or {}).items())),
        )
        bad_units = set(spec.get("round_to") or {}) - set(WEIGHT_UNITS)
        if of is not None and of.is_weight and bad_units:
            problems.append(
                Problem(
                    SCHEMA,
                    f"round_to of '{name}' names {', '.join(sorted(bad_units))}: "
                    f"weights are in {' or '.join(WEIGHT_UNITS)}",
                    item["numbers"].value_locs[name],
                )
            )
    personal = item.get("personal")
    placeholders: list[str] = []
    if personal is not None:
        placeholders = template_names(personal, item.value_locs["personal"], problems)
        for placeholder in placeholders:
            question = questions.get(placeholder)
            if placeholder not in numbers and (
                question is None or question.type not in NUMERIC_TYPES
            ):
                problems.append(
                    Problem(
                        BAD_TEMPLATE,
                        f"'{{{placeholder}}}' in suggestion '{ident}' is "
                        "neither one of its numbers nor a number question",
                        item.value_locs["personal"],
                    )
                )
    return Suggestion(
        ident,
        item["tier"],
        item["text"],
        personal,
        tuple(placeholders),
        tuple(numbers.items()),
        float(item["confidence"]),
        item["evidence"],
        tuple(cites),
        bool(item.get("safety_net", False)),
        index,
        item.loc,
        None,  # `unless` is resolved once every question and finding is known
        item.get("brief"),
        item.get("action"),
    )


def template_names(text: str, loc: Location, problems: list[Problem]) -> list[str]:
    """Names in {braces}; only plain names, so a template can never reach into Python objects."""
    try:
        fields = [
            (field, spec, conversion)
            for _, field, spec, conversion in string.Formatter().parse(text)
            if field is not None
        ]
    except ValueError as exc:
        problems.append(
            Problem(BAD_TEMPLATE, f"broken {{placeholder}}: {exc}; write {{{{ for a brace", loc)
        )
        return []
    names = []
    for field, spec, conversion in fields:
        if not field.isidentifier():
            problems.append(Problem(BAD_TEMPLATE, f"'{{{field}}}' is not a plain name", loc))
        elif spec or conversion:
            # The numbers are already in words ("70 kg"); a format spec could only pad them
            # to any width ({age:>100000000}) or fail at a consultation ({age:{age}}).
            written = f"{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"
            problems.append(
                Problem(
                    BAD_TEMPLATE,
                    f"'{{{written}}}' has a format: write just '{{{field}}}'",
                    loc,
                )
            )
        else:
            names.append(field)
    return names


def disagreement(
    item: LocDict,
    suggestions: dict[str, Suggestion],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> Disagreement:
    over = ids(item["over"])
    for key, names in (("prefer", [item["prefer"]]), ("over", over)):
        for i, name in enumerate(names):
            what = f"disagreement '{item['id']}' names unknown suggestion"
            where = at(item, key, i)
            known(problems, name, suggestions, what, where, broken.get("suggestions", ()))
    if item["prefer"] in over:
        problems.append(
            Problem(
                SCHEMA,
                f"disagreement '{item['id']}' prefers '{item['prefer']}' over itself",
                item.value_locs["over"],
            )
        )
    return Disagreement(
        item["id"], item["topic"], item["prefer"], tuple(over), item["why"], item.loc
    )
