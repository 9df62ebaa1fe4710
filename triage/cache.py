"""What earlier runs learnt about the rule files, so most runs skip the slow stages of loading.
Nothing executable is cached (plain JSON and empty markers), and a cache that cannot be read or
written is skipped: it costs speed, never the advice.

Two levels:
- the whole knowledge base, as a snapshot of the validated model (triage.snapshot), checked
  against every rule file's size, timestamp and CRC-32 and against the tool's own files: a
  consultation on unchanged rules reads one file and imports neither jsonschema nor hashlib;
- per file, keyed by a SHA-256 of its bytes and the schema: a marker that it passed the schema,
  and its parsed tree (with positions), so editing one file re-reads only that file."""

from __future__ import annotations

import json
import os
import zlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage import __version__

if TYPE_CHECKING:
    from triage.model import KnowledgeBase

ENV = "SPASM_TRIAGE_CACHE_DIR"  # a directory; empty disables the cache
_PACKAGE = Path(__file__).resolve().parent


@cache
def _salt() -> bytes:
    import hashlib

    schema = (_PACKAGE / "schema.json").read_bytes()
    return hashlib.sha256(__version__.encode() + b"\0" + schema).digest()


def file_key(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(_salt() + raw).hexdigest()


def fingerprint(files: list[tuple[str, bytes]]) -> str:
    """One hash for a whole knowledge base: file names and contents, in load order."""
    import hashlib

    digest = hashlib.sha256(_salt())
    for name, raw in files:
        digest.update(Path(name).name.encode() + b"\0" + hashlib.sha256(raw).digest())
    return digest.hexdigest()


def _directory() -> Path | None:
    chosen = os.environ.get(ENV)
    if chosen == "":
        return None
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("spasm-triage", appauthor=False))


def parsed(key: str, filename: str) -> Any:
    """The file's parsed tree from an earlier run, or None: reading it back is much faster
    than parsing YAML. It is plain JSON (data and positions), never code."""
    directory = _directory()
    if directory is None:
        return None
    try:
        text = (directory / "parsed" / f"{key}.json").read_text(encoding="utf-8")
        from triage.yaml_reader import LocDict, LocList, decode_cached

        tree = decode_cached(json.loads(text), filename)
        # Only parsed files are stored, and a file's top is always a mapping or a list: anything
        # else is damage, and must not be read as a rule file's contents.
        return tree if isinstance(tree, LocDict | LocList) else None
    except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError):
        return None  # missing or damaged: parse the YAML as if it were not there


def store_parsed(key: str, data: Any) -> None:
    directory = _directory()
    if directory is None:
        return
    from triage.yaml_reader import encode

    try:
        (directory / "parsed").mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_json(directory / "parsed" / f"{key}.json", encode(data))
    except OSError:
        pass  # a cache that cannot be written costs speed, never the advice


def _write_json(path: Path, data: Any) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_valid(key: str) -> bool:
    directory = _directory()
    return directory is not None and (directory / "valid" / key).is_file()


def remember_valid(keys: list[str]) -> None:
    directory = _directory()
    if directory is None:
        return
    try:
        (directory / "valid").mkdir(parents=True, exist_ok=True, mode=0o700)
        for key in keys:
            (directory / "valid" / key).touch()
    except OSError:
        pass  # a read-only or full disk costs speed, never the advice


def stamp(contents: list[tuple[Path, int, bytes | OSError]]) -> list[Any] | None:
    """What a knowledge-base snapshot depends on: each rule file's path, timestamp, size and
    CRC-32 (from loading._read), in load order, and the tool's own files, so a changed model or
    schema never reads an old snapshot. None when a file could not be read: the load reports it."""
    rules = []
    for file, modified, raw in contents:
        if isinstance(raw, OSError):
            return None
        rules.append([str(file.resolve()), modified, len(raw), zlib.crc32(raw)])
    return [__version__, _code_stamp(), rules]


@cache
def _code_stamp() -> list[Any]:
    found = []
    with os.scandir(_PACKAGE) as entries:
        for entry in entries:
            if entry.name.endswith((".py", ".json")):
                info = entry.stat()
                found.append([entry.name, info.st_size, info.st_mtime_ns])
    return sorted(found)


def _snapshot_path(directory: Path, rules_stamp: list[Any]) -> Path:
    # One snapshot per set of rule files (the shipped ones, or with given packs), replaced when
    # they change, so the cache does not grow with every edit.
    names = "\0".join(entry[0] for entry in rules_stamp[2])
    return directory / "kb" / f"{zlib.crc32(names.encode()):08x}.json"


def knowledge_base(rules_stamp: list[Any]) -> KnowledgeBase | None:
    """The knowledge base an earlier run built from exactly these files, or None."""
    directory = _directory()
    if directory is None:
        return None
    from triage.snapshot import SnapshotError, from_data

    try:
        text = _snapshot_path(directory, rules_stamp).read_text(encoding="utf-8")
        stored = json.loads(text)
        if stored.get("stamp") != rules_stamp:
            return None
        return from_data(stored["kb"])
    except (
        OSError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        RecursionError,
        SnapshotError,
    ):
        return None  # missing, stale or damaged: load the rules as if it were not there


def store_knowledge_base(rules_stamp: list[Any], kb: KnowledgeBase) -> None:
    directory = _directory()
    if directory is None:
        return
    from triage.snapshot import SnapshotError, to_data

    try:
        data = {"stamp": rules_stamp, "kb": to_data(kb)}
        (directory / "kb").mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_json(_snapshot_path(directory, rules_stamp), data)
    except (OSError, SnapshotError):
        pass  # a cache that cannot be written costs speed, never the advice
