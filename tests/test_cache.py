"""The validation cache: a file that passed is not validated again; any change is; a cache that
cannot be written costs nothing but time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE, write_rules

from triage.errors import RulesError
from triage.knowledge import build, cache, loading, schema, snapshot, yaml_reader

RULES = "findings: [{id: f, means: F}]\n"


def test_a_valid_file_is_validated_once_and_a_changed_one_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": RULES})
    validated: list[str] = []
    real = schema.validate_items
    monkeypatch.setattr(
        schema, "validate_items", lambda d, n: validated.append(Path(n).name) or real(d, n)
    )
    first = loading.load([directory])
    assert sorted(validated) == ["a.yaml", "base.yaml"]
    validated.clear()
    second = loading.load([directory])
    assert validated == [] and second.fingerprint == first.fingerprint
    (directory / "a.yaml").write_text("findings: [{id: f, means: F, sugest: x}]\n")
    with pytest.raises(RulesError, match="unknown key 'sugest'"):
        loading.load([directory])
    # Only the changed file is validated again; a load that fails with cached parts is then
    # confirmed without them, so the error never comes from the cache.
    assert validated == ["a.yaml", "a.yaml", "base.yaml"]


def test_a_knowledge_base_that_failed_leaves_no_markers_and_no_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": "rules: [{id: r}]\n"})
    with pytest.raises(RulesError):
        loading.load([directory])
    assert not (tmp_path / "cache" / "valid").exists()
    assert not (tmp_path / "cache" / "kb").exists()  # nor is the knowledge base


@pytest.mark.parametrize("setting", ["", "/proc/cannot-write-here"])
def test_a_disabled_or_unwritable_cache_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv(cache.ENV, setting)
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": RULES})
    assert loading.load([directory]).findings["f"].means == "F"
    assert loading.load([directory]).findings["f"].means == "F"


def test_the_fingerprint_changes_with_any_file(tmp_path: Path) -> None:
    one = cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 2\n")])
    assert one == cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 2\n")])
    assert one != cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 3\n")])
    assert one != cache.fingerprint([("a.yaml", b"x: 1\n"), ("c.yaml", b"y: 2\n")])


# ---- the knowledge-base snapshot ----


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any YAML parsing or schema validation fail loudly: only the snapshot can answer."""

    def refuse(*_: object) -> None:
        raise AssertionError("the rules were parsed again")

    monkeypatch.setattr(yaml_reader, "load_bytes", refuse)  # imported by loading when it parses
    monkeypatch.setattr(schema, "validate_items", refuse)
    monkeypatch.setattr(build, "build", refuse)  # imported by loading when it builds


def test_unchanged_rules_come_from_the_snapshot_exactly_as_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    first = loading.load()
    with monkeypatch.context() as patched:
        _no_parsing(patched)
        second = loading.load()
    assert second == first and second is not first
    # Locations do not take part in ==; error messages and `explain` need them too.
    assert snapshot.to_data(second) == snapshot.to_data(first)
    rule = second.rules[0]
    assert rule.location == first.rules[0].location and rule.location.line > 0


@pytest.mark.parametrize(
    "edit",
    ["same size", "new file", "removed file"],
)
def test_any_edit_to_the_rules_is_seen_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(
        tmp_path / "rules",
        {"base.yaml": BASE, "a.yaml": RULES, "b.yaml": "findings: [{id: g, means: G}]\n"},
    )
    loading.load([directory])
    if edit == "same size":  # and the same timestamp, as a fast editor may leave it
        before = (directory / "a.yaml").stat()
        (directory / "a.yaml").write_text(RULES.replace("means: F", "means: X"))
        os.utime(directory / "a.yaml", ns=(before.st_atime_ns, before.st_mtime_ns))
        assert loading.load([directory]).findings["f"].means == "X"
    elif edit == "new file":
        (directory / "c.yaml").write_text("findings: [{id: h, means: H}]\n")
        assert "h" in loading.load([directory]).findings
    else:
        (directory / "b.yaml").unlink()
        assert "g" not in loading.load([directory]).findings


@pytest.mark.parametrize(
    "damage",
    [
        "not json at all {",
        '{"stamp": null, "kb": {}}',
        "[1, 2, 3]",
        "[" * 100_000 + "]" * 100_000,
        "MATCHING:" + "[" * 100_000 + "]" * 100_000,
        # A stamp that matches, with an item naming something outside the model: refused.
        "MATCHING:" + '{"@": "system", "command": "touch PWNED"}',
        "MATCHING:" + '{"@": "KnowledgeBase", "rules": []}',
        "MATCHING:" + '{"@loc": "x"}',
    ],
)
@pytest.mark.parametrize("sealed", [False, True], ids=["unsealed", "resealed"])
def test_a_damaged_or_foreign_snapshot_is_ignored_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, sealed: bool
) -> None:
    """Unsealed: what damage or a hand edit leaves. Resealed: an entry whose digest matches
    its body, which the decoder's own checks must still refuse."""
    import json

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    good = loading.load()
    (entry,) = (tmp_path / "cache" / "kb").iterdir()
    if damage.startswith("MATCHING:"):
        stamp = json.loads(entry.read_bytes().partition(b"\n")[2])["stamp"]
        damage = f'{{"stamp": {json.dumps(stamp)}, "kb": {damage.removeprefix("MATCHING:")}}}'
    entry.write_bytes(cache._seal(damage.encode()) if sealed else damage.encode())
    assert loading.load() == good
    assert not (tmp_path / "PWNED").exists()
    with monkeypatch.context() as patched:  # the damaged entry was replaced by a good one
        _no_parsing(patched)
        assert loading.load() == good


def test_a_snapshot_is_kept_per_set_of_rule_files_and_replaced_not_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": RULES})
    loading.load([directory])
    loading.load()
    assert len(list((tmp_path / "cache" / "kb").iterdir())) == 2
    for means in ("X", "Y", "Z"):
        (directory / "a.yaml").write_text(RULES.replace("means: F", f"means: {means}"))
        loading.load([directory])
    assert len(list((tmp_path / "cache" / "kb").iterdir())) == 2


def test_with_a_warm_snapshot_a_consultation_imports_no_validation_hashing_or_spelling_help(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\n"
        "from triage.cli import main\n"
        "main(['--answers', sys.argv[1], '--format', 'json', '--no-journal'])\n"
        "print(sorted(m for m in ('jsonschema', 'hashlib', 'triage.knowledge.schema', 'difflib') if m in sys.modules), file=sys.stderr)\n"
    )
    answers = tmp_path / "answers.yaml"
    answers.write_text("days_since_start: 1\ncan_move: yes\n")
    env = {"PATH": "/usr/bin:/bin", cache.ENV: str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, str(answers)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        for _ in range(2)
    ]
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == [
        "['difflib', 'hashlib', 'jsonschema', 'triage.knowledge.schema']",
        "[]",
    ], [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout


def test_another_version_of_the_tool_does_not_read_an_old_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    loading.load()
    monkeypatch.setattr(cache, "__version__", "999.0")
    with monkeypatch.context() as patched, pytest.raises(AssertionError, match="parsed again"):
        _no_parsing(patched)
        loading.load()


def test_every_class_of_the_model_can_be_stored() -> None:
    """A dataclass added to the model without a place in the snapshot's table would make every
    consultation load the YAML again, silently."""
    import dataclasses

    from triage import conditions, model

    defined = {
        obj.__name__
        for module in (model, conditions)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and dataclasses.is_dataclass(obj)
        and obj.__module__ == module.__name__
    }
    assert defined == set(snapshot._CLASSES)


@pytest.mark.parametrize(
    "damage", ["{", "[" * 100_000 + "]" * 100_000, '{"unexpected": "shape"}', "[1, 2]", "null"]
)
def test_a_damaged_parse_cache_entry_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": RULES})
    good = loading.load([directory])
    for entry in (tmp_path / "cache" / "parsed").iterdir():
        entry.write_text(damage)
    for entry in (tmp_path / "cache" / "kb").iterdir():
        entry.unlink()  # so the per-file entries are what is read
    assert loading.load([directory]) == good


def test_a_knowledge_base_the_snapshot_cannot_store_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))

    def cannot(_: object) -> None:
        raise snapshot.SnapshotError("cannot store a set")

    monkeypatch.setattr(snapshot, "to_data", cannot)
    assert loading.load().rules
    assert not (tmp_path / "cache" / "kb").exists()
