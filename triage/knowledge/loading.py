"""Load rule files into a KnowledgeBase, in stages: read, parse, validate each file against the
schema, then build the model and check every cross-reference (triage.knowledge.build). All
problems are collected and reported together, sorted by file and line; a stage that failed
stops the later ones, whose messages would only echo it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from triage.errors import FILE_UNREADABLE, SCHEMA, Location, Problem, RulesError
from triage.knowledge import cache
from triage.knowledge.located import LocDict
from triage.knowledge.rule_files import MAX_RULE_FILE as MAX_RULE_FILE
from triage.knowledge.rule_files import read_all
from triage.knowledge.rule_files import rule_files as rule_files
from triage.knowledge.rule_files import shipped_rules_dir as shipped_rules_dir
from triage.model import KnowledgeBase


def load(paths: Iterable[Path] | None = None, *, trust_cache: bool = True) -> KnowledgeBase:
    """Load and validate; raise RulesError with every problem found. Rules unchanged since a
    run that loaded them cleanly come from that run's snapshot (see triage.knowledge.cache).

    With trust_cache=False (what `check` and the rule tests use) nothing is read from the cache:
    the files are parsed and validated as they are. A load that used cached parts and then
    failed in any way is done again without them, so cached data can cost time but never turn
    a good knowledge base into errors, or into a crash."""
    given = [shipped_rules_dir()] if paths is None else list(paths)
    files = rule_files(given)
    contents = read_all(files)
    stamp = cache.stamp(contents) if files else None
    # The first path is the knowledge base; every later one is a pack loaded on top of it.
    base = {str(file) for file in rule_files(given[:1])}
    packs = frozenset(str(file) for file in files if str(file) not in base)
    if trust_cache and stamp is not None and (known := cache.knowledge_base(stamp)) is not None:
        if not packs:
            return known
        try:  # the shipped part, from its own snapshot when it has one
            return replace(known, shipped=load(given[:1]))
        except RulesError:
            return replace(known, shipped=None)  # the first folder is not whole on its own
    if not files:
        where = ", ".join(str(p) for p in given)
        raise RulesError(
            [Problem(FILE_UNREADABLE, "no rule files (*.yaml) found", Location(where))]
        )
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
    unread: list[Problem] = []  # files that could not be read or parsed at all
    for file, _, raw in contents:
        name = str(file)
        if isinstance(raw, OSError):
            unread.append(Problem(FILE_UNREADABLE, f"cannot read: {raw.strerror}", Location(name)))
            continue
        read.append((name, raw))
        key = cache.file_key(raw)
        known_valid = use_cache and cache.is_valid(key)
        data = cache.parsed(key, name) if known_valid else None
        if known_valid:
            used.append(name)
        found: list[Problem] = []
        if data is None:
            from triage.knowledge.yaml_reader import (
                load_bytes,  # PyYAML: only for files read afresh
            )

            data, found = load_bytes(raw, name)
            (problems if data is not None else unread).extend(found)
            if data is not None and not found:
                cache.store_parsed(key, data)
        if data is None:  # unreadable (reported), or empty: an empty file loads nothing
            continue
        if name in packs and isinstance(data, LocDict) and "about" in data:
            # Said once, and first: not the schema's "missing 'disclaimer'", then, once that
            # is given, "already given".
            problems.append(
                Problem(
                    SCHEMA,
                    "a rule pack cannot have 'about': the disclaimer, the tiers' words and the "
                    "policy are the shipped rules' own (rules/about.yaml); take it out",
                    data.key_locs["about"],
                )
            )
            del data["about"]
            known_valid = False  # validated again without it
        if not known_valid:
            # jsonschema is imported only for files not yet validated
            from triage.knowledge import schema

            found, data, broken_here = schema.validate_items(data, name)
            problems.extend(found)
            for kind, ids in broken_here.items():
                broken.setdefault(kind, set()).update(ids)
            if not found:
                newly_valid.append(key)
        if isinstance(data, LocDict):
            docs.append((name, data))
    from triage.knowledge.build import (
        build,  # the model from parsed files: not needed from a snapshot
    )

    shipped: KnowledgeBase | None = None
    try:
        kb = build(docs, cache.fingerprint(read), broken)
    except RulesError as exc:
        problems.extend(exc.problems)
    else:
        if packs:
            found, shipped = _pack_problems(docs, kb, packs, broken, read)
            problems.extend(found)
    if unread:
        # A file that could not be read takes its ids with it, so most problems in the other
        # files follow from it (unknown questions, suggestions, sources): they are counted, not
        # shown, until it is put right.
        raise RulesError(unread, suppressed=len(problems))
    if problems:
        raise RulesError(problems)
    # Only a whole knowledge base that loaded cleanly marks its files as valid.
    cache.remember_valid(newly_valid)
    if stamp is not None:
        cache.store_knowledge_base(stamp, kb)
    return replace(kb, shipped=shipped) if packs else kb


def _pack_problems(
    docs: list[tuple[str, LocDict]],
    kb: KnowledgeBase,
    packs: frozenset[str],
    broken: dict[str, set[str]],
    read: list[tuple[str, bytes]],
) -> tuple[list[Problem], KnowledgeBase | None]:
    """What the packs do to the protected red flags, against the base loaded on its own; and
    that base, whose verdict leads every result."""
    from triage.knowledge import protect
    from triage.knowledge.build import build

    own = [(name, raw) for name, raw in read if name not in packs]
    try:
        base = build(
            [(name, doc) for name, doc in docs if name not in packs],
            cache.fingerprint(own),
            broken,
        )
    except RulesError:
        # The whole loaded, so the packs supply what the base lacks: nothing to guard.
        return [], None
    disabled = [
        (ident, loc)
        for name, doc in docs
        if name in packs and "disable" in doc
        for ident, loc in zip(doc["disable"], doc["disable"].item_locs, strict=True)
    ]
    return protect.problems(base, kb, packs, disabled), base
