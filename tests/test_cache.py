"""The validation cache: a file that passed is not validated again; any change is; a cache that
cannot be written costs nothing but time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE, write_rules

from triage import cache, loading, schema
from triage.errors import RulesError

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
    assert validated == ["a.yaml"]


def test_files_of_a_knowledge_base_that_failed_are_not_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": "rules: [{id: r}]\n"})
    with pytest.raises(RulesError):
        loading.load([directory])
    assert not (tmp_path / "cache" / "valid").exists()


@pytest.mark.parametrize("setting", ["", "/proc/cannot-write-here"])
def test_a_disabled_or_unwritable_cache_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv(cache.ENV, setting)
    directory = write_rules(tmp_path / "rules", {"base.yaml": BASE, "a.yaml": RULES})
    assert loading.load([directory]).findings["f"].means == "F"
    assert loading.load([directory]).findings["f"].means == "F"


def test_with_a_warm_cache_a_consultation_does_not_import_jsonschema(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from triage import loading\n"
        "loading.load()\n"
        "print('jsonschema' in sys.modules)\n"
    )
    env = {"PATH": "/usr/bin:/bin", cache.ENV: str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        for _ in range(2)
    ]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]


def test_the_fingerprint_changes_with_any_file(tmp_path: Path) -> None:
    one = cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 2\n")])
    assert one == cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 2\n")])
    assert one != cache.fingerprint([("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 3\n")])
    assert one != cache.fingerprint([("a.yaml", b"x: 1\n"), ("c.yaml", b"y: 2\n")])
