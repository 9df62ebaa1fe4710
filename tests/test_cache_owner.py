"""Issue 19, item 13: the cache's seal is an unkeyed digest, which anyone can recompute, so it
catches damage, not a forger. A forged entry (a snapshot resealed without the cauda equina
rule, which once gave self_care) is read only if the person's own cache, private to them, holds
it: entries another user owns, and folders others can write to, are neither read nor written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import consult
from safety import assert_first, protected_cases, snapshot_entry

from triage.knowledge import cache, loading


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _forge(cache_dir: Path) -> Path:
    """A snapshot of the shipped rules without the cauda equina rule, resealed as the tool
    would seal it: what a forger who can write the folder leaves there."""
    loading.load()
    entry = snapshot_entry(cache_dir)
    stored: Any = json.loads(entry.read_bytes().partition(b"\n")[2])
    kb = stored["kb"]
    kb["rules"] = [r for r in kb["rules"] if r["id"] != "cauda_equina_emergency"]
    entry.write_bytes(cache._seal(json.dumps(stored).encode()))
    return entry


def test_the_forgery_is_what_the_owner_check_stops(cache_dir: Path) -> None:
    """The reproducer: in the person's own private cache a resealed forgery is read (the same
    user can edit the installed rules too, so this is not a boundary the tool can keep)."""
    _forge(cache_dir)
    assert consult(loading.load(), {"saddle_numbness": "yes"}).tier != "emergency"


def test_an_entry_owned_by_another_user_is_not_read(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _forge(cache_dir)
    if os.geteuid() == 0:
        os.chown(entry, 65534, 65534)  # nobody's
    else:  # pragma: no cover (the suite runs as root in CI's container)
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
    kb = loading.load()
    for name, given, tier in protected_cases():
        assert_first(consult(kb, given), tier, name)


@pytest.mark.parametrize("mode", [0o770, 0o777, 0o1777])
@pytest.mark.parametrize("where", ["cache", "kb"])
def test_a_folder_others_can_write_to_is_not_read(cache_dir: Path, mode: int, where: str) -> None:
    _forge(cache_dir)
    folder = cache_dir if where == "cache" else cache_dir / "kb"
    os.chmod(folder, mode)
    kb = loading.load()
    assert_first(consult(kb, {"saddle_numbness": "yes"}), "emergency", f"{where} {mode:o}")


def test_nothing_is_written_to_a_folder_others_can_write_to(cache_dir: Path) -> None:
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)
    assert loading.load().rules
    assert list(cache_dir.iterdir()) == []
    os.chmod(cache_dir, 0o700)  # private again: used again
    assert loading.load().rules
    assert (cache_dir / "kb").is_dir()
    assert not stat.S_IMODE(os.stat(cache_dir / "kb").st_mode) & 0o077
