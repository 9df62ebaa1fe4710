"""A cache can cost time, never advice: edited, damaged, foreign or unreadable cache entries are
ignored and rebuilt, and every emergency and urgent answer still gets its advice first."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import BASE, consult, write_rules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safety import assert_first, protected_cases, snapshot_entry

from triage import answers, ranking
from triage.engine import Engine
from triage.errors import RulesError
from triage.knowledge import cache, loading


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _body(entry: Path) -> Any:
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def _items(tree: Any, kind: str) -> list[dict[str, Any]]:
    """Every encoded model item of one class in a snapshot's data."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("@") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


def _drop_red_flag_rule(kb: Any) -> None:
    kb["rules"] = [r for r in kb["rules"] if r["id"] != "cauda_equina_emergency"]


def _weaken_condition(kb: Any) -> None:
    for rule in _items(kb, "Rule"):
        if rule["id"] == "cauda_equina_emergency":
            rule["when"] = {"@": "FindingTest", "finding": "never", "location": {"@loc": ["x"]}}


def _retier_suggestion(kb: Any) -> None:
    kb["suggestions"]["@map"]["emergency_cauda_equina"]["tier"] = "prevention"


def _change_operator(kb: Any) -> None:
    for test in _items(kb, "AnswerTest"):
        if test["question"] == "saddle_numbness":
            test["value"] = "no"


EDITS: dict[str, Callable[[Any], None]] = {
    "drop a red-flag rule": _drop_red_flag_rule,
    "weaken its condition": _weaken_condition,
    "re-tier its suggestion": _retier_suggestion,
    "change an operator": _change_operator,
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_hand_edited_snapshot_is_not_used(cache_dir: Path, edit: str) -> None:
    good = loading.load()
    entry = snapshot_entry(cache_dir)
    stored = _body(entry)
    EDITS[edit](stored["kb"])
    entry.write_text(json.dumps(stored), encoding="utf-8")  # the stamp stays intact
    kb = loading.load()
    assert kb == good
    assert_first(consult(kb, {"saddle_numbness": "yes"}), "emergency", edit)


@pytest.mark.parametrize(
    "damage",
    ["unknown tier", "string confidence", "when of 5", "rule naming no suggestion"],
)
def test_a_resealed_snapshot_that_is_not_a_valid_model_is_not_used(
    cache_dir: Path, damage: str
) -> None:
    """Even with a digest that matches (as a deliberate forger could make), an entry that does
    not decode into a valid model is ignored."""
    good = loading.load()
    entry = snapshot_entry(cache_dir)
    stored = _body(entry)
    kb = stored["kb"]
    first_rule = _items(kb, "Rule")[0]
    if damage == "unknown tier":
        kb["suggestions"]["@map"]["emergency_cauda_equina"]["tier"] = "whenever"
    elif damage == "string confidence":
        kb["suggestions"]["@map"]["emergency_cauda_equina"]["confidence"] = "0.9"
    elif damage == "when of 5":
        first_rule["when"] = 5
    else:
        first_rule["suggest"] = [{"@": "SuggestRef", "id": "nothing_here", "tier": None}]
    entry.write_bytes(cache._seal(json.dumps(stored).encode()))
    assert loading.load() == good


def _parsed_entry(cache_dir: Path, name: str) -> Path:
    raw = (loading.shipped_rules_dir() / name).read_bytes()
    return cache_dir / "parsed" / f"{cache.file_key(raw)}.json"


def test_an_edited_parsed_tree_is_not_used(cache_dir: Path) -> None:
    good = loading.load()
    for entry in (cache_dir / "kb").iterdir():
        entry.unlink()  # so the load goes to the per-file cache
    parsed = _parsed_entry(cache_dir, "red_flags.yaml")
    text = parsed.read_bytes().partition(b"\n")[2].decode()
    assert '"emergency"' in text
    parsed.write_text(text.replace('"emergency"', '"prevention"'), encoding="utf-8")
    kb = loading.load()
    assert kb == good and kb.suggestions["emergency_cauda_equina"].tier == "emergency"


def test_a_damaged_parsed_tree_gives_no_false_errors(cache_dir: Path) -> None:
    """Before: one damaged entry, trusted because its file was marked valid, gave 46 errors
    about the unchanged shipped files."""
    good = loading.load()
    for entry in (cache_dir / "kb").iterdir():
        entry.unlink()
    parsed = _parsed_entry(cache_dir, "red_flags.yaml")
    body = json.loads(parsed.read_bytes().partition(b"\n")[2])
    body[2] = body[2][:1]  # the file's top mapping keeps only its first key
    parsed.write_bytes(cache._seal(json.dumps(body).encode()))  # resealed: decodes, but wrong
    assert loading.load() == good


def test_a_stray_valid_marker_does_not_skip_the_schema(cache_dir: Path, tmp_path: Path) -> None:
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": "rules: [{id: r}]\n"})
    key = cache.file_key((directory / "a.yaml").read_bytes())
    (cache_dir / "valid").mkdir(parents=True)
    (cache_dir / "valid" / key).touch()  # an empty marker: made by hand, not by a clean load
    with pytest.raises(RulesError, match="'r'"):
        loading.load([directory])


def test_check_reads_no_cache(cache_dir: Path, tmp_path: Path) -> None:
    """A forged snapshot (digest recomputed) dropping a red-flag rule: consults cannot tell,
    but `check` and the rule tests read the files themselves."""
    loading.load()
    entry = snapshot_entry(cache_dir)
    stored = _body(entry)
    _drop_red_flag_rule(stored["kb"])
    entry.write_bytes(cache._seal(json.dumps(stored).encode()))
    assert "cauda_equina_emergency" in {r.id for r in loading.load(trust_cache=False).rules}
    env = {**os.environ, cache.ENV: str(cache_dir), "SPASM_TRIAGE_JOURNAL": ""}
    checked = subprocess.run(
        [sys.executable, "-m", "triage", "check"], capture_output=True, text=True, env=env
    )
    shipped = loading.load(trust_cache=False)
    assert f"{len(shipped.rules)} rules" in checked.stdout
    tested = subprocess.run(
        [sys.executable, "-m", "triage", "test"], capture_output=True, text=True, env=env
    )
    assert tested.returncode == 0, tested.stdout[-2000:]


def _unreadable(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What another user's cache (mode 0700) looks like to us: every access is refused. The
    tests run as root, for whom chmod refuses nothing, so the refusal is made here."""
    inside = str(cache_dir)
    real_open, real_mkdir, real_stat = os.open, os.mkdir, os.stat

    def refuse(path: Any) -> None:
        if str(path).startswith(inside):
            raise PermissionError(13, "Permission denied", str(path))

    def guarded_open(path: Any, *args: Any, **kwargs: Any) -> int:
        refuse(path)
        return real_open(path, *args, **kwargs)

    def guarded_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        refuse(path)
        real_mkdir(path, *args, **kwargs)

    def guarded_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        refuse(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    monkeypatch.setattr(os, "stat", guarded_stat)


def test_a_cache_we_may_not_read_or_write_only_costs_speed(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = loading.load()  # a full cache, then made unreadable
    _unreadable(cache_dir, monkeypatch)
    kb = loading.load()
    assert kb == good
    assert_first(consult(kb, {"saddle_numbness": "yes"}), "emergency", "unreadable cache")


def test_a_cache_inside_a_file_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(tmp_path / "file" / "cache"))
    assert loading.load().rules


def test_a_fifo_in_place_of_the_snapshot_does_not_hang(cache_dir: Path, tmp_path: Path) -> None:
    loading.load()
    entry = snapshot_entry(cache_dir)
    entry.unlink()
    os.mkfifo(entry)
    answers = tmp_path / "a.yaml"
    answers.write_text("saddle_numbness: yes\n")
    done = subprocess.run(
        [sys.executable, "-m", "triage", "--no-journal", "--answers", str(answers)],
        capture_output=True,
        text=True,
        env={**os.environ, cache.ENV: str(cache_dir)},
        timeout=60,
    )
    assert done.returncode == 0 and "Emergency" in done.stdout


def test_the_cache_is_private_to_the_user_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "home" / ".cache" / "spasm-triage"))
    old = os.umask(0o002)
    try:
        loading.load()
    finally:
        os.umask(old)
    made = tmp_path / "home" / ".cache" / "spasm-triage"
    for path in [made, *made.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


@pytest.mark.parametrize("state", ["warm", "edited snapshot", "damaged parse cache", "unreadable"])
def test_every_protected_answer_gets_its_advice_first_whatever_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    loading.load()
    if state == "edited snapshot":
        entry = snapshot_entry(cache_dir)
        stored = _body(entry)
        for edit in EDITS.values():
            edit(stored["kb"])
        entry.write_text(json.dumps(stored), encoding="utf-8")
    elif state == "damaged parse cache":
        for entry in (cache_dir / "kb").iterdir():
            entry.unlink()
        for parsed in (cache_dir / "parsed").iterdir():
            parsed.write_bytes(re.sub(rb'"(emergency|urgent)"', b'"training"', parsed.read_bytes()))
    elif state == "unreadable":
        _unreadable(cache_dir, monkeypatch)
    kb = loading.load()
    for name, answers_given, tier in protected_cases():
        assert_first(consult(kb, answers_given), tier, name)


@st.composite
def _damage(draw: st.DrawFn, size: int) -> list[tuple[str, int, int]]:
    """Byte-level damage: bytes flipped, a cut, or bytes put in, anywhere in an entry."""
    kinds = st.sampled_from(["flip", "cut", "insert"])
    return draw(
        st.lists(
            st.tuples(kinds, st.integers(0, max(size - 1, 0)), st.integers(0, 255)),
            min_size=1,
            max_size=4,
        )
    )


def _apply(raw: bytes, damage: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(raw)
    for kind, at, value in damage:
        at = min(at, max(len(data) - 1, 0))
        if kind == "flip" and data:
            data[at] ^= value or 1
        elif kind == "cut":
            del data[at:]
        else:
            data[at:at] = bytes([value])
    return bytes(data)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damage_to_any_cache_entry_keeps_every_protected_answer_first(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """The invariant, for generated damage: whatever happens to the snapshot, the parsed
    trees and the validity markers, every emergency and urgent answer of the shipped rule tests
    still gets that advice first."""
    cache_dir = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.ENV, str(cache_dir))
        good = loading.load()
        entries = sorted(p for p in cache_dir.rglob("*") if p.is_file())
        chosen = data.draw(st.lists(st.sampled_from(entries), min_size=1, max_size=5, unique=True))
        for entry in chosen:
            raw = entry.read_bytes()
            entry.write_bytes(_apply(raw, data.draw(_damage(len(raw)))))
        kb = loading.load()
        assert kb == good
        engine = Engine(kb)  # one engine for every case, as evaluate uses it
        for name, given_answers, tier in protected_cases():
            parsed = answers.from_mapping(given_answers, kb)
            assert_first(ranking.rank(kb, parsed, engine.consult(parsed)), tier, name)
