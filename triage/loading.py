"""Load rule files into a KnowledgeBase, in stages: read, parse, validate each file against the
schema, then build the model and check every cross-reference. All problems are collected and
reported together, sorted by file and line; a stage that failed stops the later ones, whose
messages would only echo it."""

from __future__ import annotations

import string
from collections.abc import Collection, Iterable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from triage import cache, conditions
from triage.errors import (
    BAD_GROUP,
    BAD_TEMPLATE,
    DUPLICATE_ID,
    FILE_UNREADABLE,
    MISPLACED,
    SCHEMA,
    UNKNOWN_REFERENCE,
    WEAKENS_RED_FLAG,
    Location,
    Problem,
    RulesError,
    did_you_mean,
)
from triage.model import (
    NUMERIC_TYPES,
    TIERS,
    WEIGHT_UNITS,
    About,
    Citation,
    Disagreement,
    Finding,
    Group,
    KnowledgeBase,
    NumberSpec,
    Question,
    ResultWords,
    Rule,
    Section,
    Source,
    Suggestion,
    SuggestRef,
    TierPolicy,
    TierText,
)
from triage.yaml_reader import LocDict, load_bytes

# Far above any real rule file (the 5,000-rule benchmark's is a few MB): a larger file, or a
# device such as /dev/zero, is refused before it fills memory.
MAX_RULE_FILE = 64 * 10**6
KINDS = ("sources", "questions", "findings", "rules", "suggestions", "disagreements", "groups")


def shipped_rules_dir() -> Path:
    """The rules that come with the tool: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "rules"
    return installed if installed.is_dir() else package.parent / "rules"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Every *.yaml (or *.yml) in each folder, sorted, and each file given. An entry that is not
    a readable file (a dangling or looping link, a folder) is kept, so that reading it reports
    it; a folder that cannot be listed is an error here."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        try:
            entries = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        except OSError as exc:
            raise RulesError(
                [
                    Problem(
                        FILE_UNREADABLE,
                        f"cannot list the folder: {exc.strerror or exc}",
                        Location(str(path)),
                    )
                ]
            ) from None
        files.extend(entries)
    return files


def load(paths: Iterable[Path] | None = None, *, trust_cache: bool = True) -> KnowledgeBase:
    """Load and validate; raise RulesError with every problem found. Rules unchanged since a
    run that loaded them cleanly come from that run's snapshot (see triage.cache).

    With trust_cache=False (what `check` and the rule tests use) nothing is read from the cache:
    the files are parsed and validated as they are. A load that used cached parts and then
    failed in any way is done again without them, so cached data can cost time but never turn
    a good knowledge base into errors, or into a crash."""
    given = [shipped_rules_dir()] if paths is None else list(paths)
    files = rule_files(given)
    contents = _read(files)
    stamp = cache.stamp(contents) if files else None
    if trust_cache and stamp is not None and (known := cache.knowledge_base(stamp)) is not None:
        return known
    if not files:
        where = ", ".join(str(p) for p in given)
        raise RulesError(
            [Problem(FILE_UNREADABLE, "no rule files (*.yaml) found", Location(where))]
        )
    # The first path is the knowledge base; every later one is a pack loaded on top of it.
    base = {str(file) for file in rule_files(given[:1])}
    packs = frozenset(str(file) for file in files if str(file) not in base)
    if trust_cache:
        used: list[str] = []
        try:
            return _load(contents, stamp, packs, use_cache=True, used=used)
        except Exception:
            if not used:
                raise
    return _load(contents, stamp, packs, use_cache=False, used=[])


def _load(
    contents: list[tuple[Path, int, bytes | OSError]],
    stamp: list[Any] | None,
    packs: frozenset[str],
    *,
    use_cache: bool,
    used: list[str],
) -> KnowledgeBase:
    """One load of the files' bytes; `used` collects the files whose schema check or parse
    came from the cache."""
    problems: list[Problem] = []
    docs: list[tuple[str, LocDict]] = []
    read: list[tuple[str, bytes]] = []
    newly_valid: list[str] = []
    broken: dict[str, set[str]] = {}  # ids of items that failed the schema, by kind
    for file, _, raw in contents:
        name = str(file)
        if isinstance(raw, OSError):
            problems.append(
                Problem(FILE_UNREADABLE, f"cannot read: {raw.strerror}", Location(name))
            )
            continue
        read.append((name, raw))
        key = cache.file_key(raw)
        known_valid = use_cache and cache.is_valid(key)
        data = cache.parsed(key, name) if known_valid else None
        if known_valid:
            used.append(name)
        found: list[Problem] = []
        if data is None:
            data, found = load_bytes(raw, name)
            problems.extend(found)
            if data is not None and not found:
                cache.store_parsed(key, data)
        if data is None:  # unreadable (reported), or empty: an empty file loads nothing
            continue
        if not known_valid:
            from triage import schema  # imports jsonschema: only for files not yet validated

            found, data, broken_here = schema.validate_items(data, name)
            problems.extend(found)
            for kind, ids in broken_here.items():
                broken.setdefault(kind, set()).update(ids)
            if not found:
                newly_valid.append(key)
        if isinstance(data, LocDict):
            docs.append((name, data))
    try:
        kb = build(docs, cache.fingerprint(read), broken)
    except RulesError as exc:
        problems.extend(exc.problems)
    else:
        if packs:
            problems.extend(_pack_problems(docs, kb, packs, broken))
    if problems:
        raise RulesError(problems)
    # Only a whole knowledge base that loaded cleanly marks its files as valid.
    cache.remember_valid(newly_valid)
    if stamp is not None:
        cache.store_knowledge_base(stamp, kb)
    return kb


def _pack_problems(
    docs: list[tuple[str, LocDict]],
    kb: KnowledgeBase,
    packs: frozenset[str],
    broken: dict[str, set[str]],
) -> list[Problem]:
    """What the packs do to the protected red flags, against the base loaded on its own."""
    from triage import protect

    try:
        base = build([(name, doc) for name, doc in docs if name not in packs], "", broken)
    except RulesError:
        return []  # the whole loaded, so the packs supply what the base lacks: nothing to guard
    disabled = [
        (ident, loc)
        for name, doc in docs
        if name in packs and "disable" in doc
        for ident, loc in zip(doc["disable"], doc["disable"].item_locs, strict=True)
    ]
    return protect.problems(base, kb, packs, disabled)


def _read(files: list[Path]) -> list[tuple[Path, int, bytes | OSError]]:
    """Each file's timestamp and bytes, read once for both the snapshot's stamp and the load.
    The timestamp is taken before the bytes, so an edit made while reading gives a newer one
    next time, never a stamp that matches bytes that were not loaded."""
    from triage.files import TooLarge, read_bounded

    contents: list[tuple[Path, int, bytes | OSError]] = []
    for file in files:
        try:
            modified = file.stat().st_mtime_ns
            contents.append((file, modified, read_bounded(file, MAX_RULE_FILE, regular=True)))
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and file.is_symlink():
                exc = OSError(
                    exc.errno, f"a link to a file that does not exist ({file.readlink()})"
                )
            contents.append((file, 0, exc))
        except TooLarge as exc:
            size = exc.describe(MAX_RULE_FILE)
            message = f"too large for a rule file ({size}; at most {MAX_RULE_FILE // 10**6} MB)"
            contents.append((file, 0, OSError(0, message)))
    return contents


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
        _known(problems, sid, {s.id for s in sections}, "joins unknown section", loc)
    for kind in KINDS:
        items[kind] = _replaced(kind, items[kind], problems, broken)
    rule_ids = {item["id"] for item, _ in items["rules"]}
    for ident, loc in disabled:
        _known(problems, ident, rule_ids, "disables unknown rule", loc, broken.get("rules", ()))
    off = {ident for ident, _ in disabled}
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
                        f"{kind[:-1]} id '{ident}' is already used at {first}",
                        loc,
                        related=(first,),
                    )
                )
            else:
                seen[ident] = loc

    sources = {item["id"]: _source(item) for item, _ in items["sources"]}
    findings = {
        item["id"]: Finding(item["id"], item["means"], item.loc) for item, _ in items["findings"]
    }
    skip = broken.get("questions", set()) | broken.get("findings", set())
    questions = {
        item["id"]: _question(item, section, problems) for item, section in items["questions"]
    }
    suggestions = {
        item["id"]: _suggestion(item, index, sources, questions, problems, broken)
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
        _rule(item, index, section, questions, findings, suggestions, problems, broken)
        for index, (item, section) in enumerate(items["rules"])
    ]
    disagreements = [
        _disagreement(item, suggestions, problems, broken) for item, _ in items["disagreements"]
    ]
    groups = _groups(items["groups"], questions, problems, skip)
    for group in groups.values():
        for qid in group.questions:
            questions[qid] = replace(questions[qid], group=group.id)
    about = _about(about_docs, questions, docs, problems, broken)
    for i, sid in enumerate(about.protected_sections):
        where = about_docs[0]["protected"]["sections"].item_locs[i]
        _known(problems, sid, {s.id for s in sections}, "protects unknown section", where)
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
    )


def _groups(
    entries: list[tuple[LocDict, str]],
    questions: dict[str, Question],
    problems: list[Problem],
    broken: Collection[str],
) -> dict[str, Group]:
    """Checklists of yes/no signs. A sign is in one group at most, and a group stays within
    one section, since sections are asked in order and a group is asked on one screen."""
    groups: dict[str, Group] = {}
    member_of: dict[str, str] = {}
    for item, section in entries:
        held: list[str] = []
        for index, qid in enumerate(item["questions"]):
            where = _at(item, "questions", index)
            if qid not in questions:
                what = f"group '{item['id']}' holds unknown question"
                _known(problems, qid, questions, what, where, broken)
                continue
            question = questions[qid]
            if qid in member_of:
                problems.append(
                    Problem(
                        BAD_GROUP,
                        f"question '{qid}' is already in group '{member_of[qid]}'; "
                        "a question is in one group at most",
                        where,
                    )
                )
            elif question.type != "yes_no" or question.journal:
                problems.append(
                    Problem(
                        BAD_GROUP,
                        f"group '{item['id']}' holds '{qid}', a {question.type} question; "
                        "a group holds yes_no questions that are asked",
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


def _source(item: LocDict) -> Source:
    return Source(
        item["id"],
        item["kind"],
        item["title"],
        item["published"],
        item.get("file"),
        item.get("url"),
        item.loc,
    )


def _question(item: LocDict, section: str, problems: list[Problem]) -> Question:
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
        retired=tuple((str(k), str(v)) for k, v in item.get("retired", {}).items()),
        location=item.loc,
        journal=item.get("journal"),
    )


def _ids(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


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


def _known(
    problems: list[Problem],
    name: str,
    known: Collection[str],
    what: str,
    where: Location,
    broken: Collection[str] = (),
) -> None:
    """Report `name` unless it is among `known` (or `broken`, already reported); `what` reads
    before it, e.g. "rule 'r' suggests"."""
    if name not in known and name not in broken:
        problems.append(
            Problem(UNKNOWN_REFERENCE, f"{what} '{name}'{did_you_mean(name, known)}", where)
        )


def _at(item: LocDict, key: str, index: int) -> Location:
    """Where the index-th id of item[key] stands: the item itself when the value is a list."""
    value = item[key]
    locs = getattr(value, "item_locs", None)
    return locs[index] if locs else item.value_locs[key]


def _rule(
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
    conclude = _ids(item.get("conclude"))
    for i, name in enumerate(conclude):
        what = f"rule '{item['id']}' concludes unknown finding"
        _known(problems, name, findings, what, _at(item, "conclude", i), broken.get("findings", ()))
    refs: list[SuggestRef] = []
    raw = item.get("suggest")
    for i, entry in enumerate([raw] if isinstance(raw, str) else (raw or [])):
        ref = (
            SuggestRef(entry, None)
            if isinstance(entry, str)
            else SuggestRef(entry["id"], entry.get("tier"))
        )
        what = f"rule '{item['id']}' suggests unknown suggestion"
        where = _at(item, "suggest", i)
        _known(problems, ref.id, suggestions, what, where, broken.get("suggestions", ()))
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


def _suggestion(
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
        _known(problems, cite["source"], sources, what, loc, broken.get("sources", ()))
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
        placeholders = _placeholders(personal, item.value_locs["personal"], problems)
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


def _placeholders(text: str, loc: Location, problems: list[Problem]) -> list[str]:
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


def _disagreement(
    item: LocDict,
    suggestions: dict[str, Suggestion],
    problems: list[Problem],
    broken: dict[str, set[str]],
) -> Disagreement:
    over = _ids(item["over"])
    for key, names in (("prefer", [item["prefer"]]), ("over", over)):
        for i, name in enumerate(names):
            what = f"disagreement '{item['id']}' names unknown suggestion"
            where = _at(item, key, i)
            _known(problems, name, suggestions, what, where, broken.get("suggestions", ()))
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
        tier: TierPolicy(tuple(spec["drop"]), spec["left_out"])
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
