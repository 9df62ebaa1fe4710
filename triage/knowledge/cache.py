"""What earlier runs learnt about the rule files, so most runs skip the slow stages of loading.
Nothing executable is cached (plain JSON), and a cache that cannot be read or written is
skipped: it costs speed, never the advice.

Every entry is sealed: its first line is a BLAKE2b digest of the rest, checked before the rest
is parsed. An entry that was damaged or edited by hand (a red-flag rule dropped from a snapshot,
a tier changed in a parsed tree) no longer matches its digest and is ignored and rebuilt. The
digest is unkeyed, so it catches damage, not a forger: what keeps others out is ownership. An
entry is read only when the user owns it and its folder, and neither is writable by group or
others; a cache folder that is not private is neither read nor written (docs/development.md,
"Reliability", has the threat model). Only regular files of bounded size are read: a cache
directory swapped for a FIFO or a device costs a reload, not a hang.

Two levels:
- the whole knowledge base, as a snapshot of the validated model (triage.knowledge.snapshot), checked
  against every rule file's size, timestamp and CRC-32 and against the tool's own files: a
  consultation on unchanged rules reads one file and imports neither jsonschema nor hashlib;
- per file, keyed by a SHA-256 of its bytes and the schema: a marker that it passed the schema,
  and its parsed tree (with positions), so editing one file re-reads only that file."""

from __future__ import annotations

import json
import os
import stat
import zlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage import __version__

if TYPE_CHECKING:
    from triage.model import KnowledgeBase

ENV = "SPASM_TRIAGE_CACHE_DIR"  # a directory; empty disables the cache
_PACKAGE = Path(__file__).resolve().parents[1]  # the triage package: its code stamps the snapshot
# Larger than any entry the tool writes (the 5,000-rule benchmark's snapshot is about 20 MB):
# a bigger file is not the tool's, and is not read into memory.
_MAX_ENTRY = 256 * 1024 * 1024


def _digest(body: bytes) -> bytes:
    # hashlib would import OpenSSL (2 ms at every start); BLAKE2b is built in and as strong.
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover (an interpreter without the builtin module)
        from hashlib import blake2b
    return blake2b(body, digest_size=32, person=b"spasm-triage").hexdigest().encode()


def _seal(body: bytes) -> bytes:
    return _digest(body) + b"\n" + body


def _unsealed(raw: bytes | None) -> bytes | None:
    """The body of a sealed entry, or None when the digest does not match it."""
    if raw is None:
        return None
    seal, _, body = raw.partition(b"\n")
    return body if seal == _digest(body) else None


def _owned(info: os.stat_result) -> bool:
    """Made by this user, and writable by no one else: the seal is an unkeyed digest, which
    anyone can recompute, so it tells damage apart, not who wrote an entry; ownership does."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover (no owners to compare: Windows keeps ACLs instead)
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_folder(path: Path) -> bool:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISDIR(info.st_mode) and _owned(info)


def _read_entry(path: Path) -> bytes | None:
    """A cache file's bytes, or None: missing, unreadable, not a regular file, too large, or
    not the user's own (another user's file, or one in a folder others can write to)."""
    if not (_trusted_folder(path.parent) and _trusted_folder(path.parent.parent)):
        return None
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_ENTRY or not _owned(info):
            return None
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(handle)


def _make_dirs(directory: Path, *below: str) -> Path:
    """The cache directory (made private to the user, whatever the umask) and a folder in it."""
    if not directory.is_dir():
        directory.parent.mkdir(parents=True, exist_ok=True)
        try:
            directory.mkdir(mode=0o700)
            os.chmod(directory, 0o700)  # mkdir's mode is narrowed by the umask, never widened
        except FileExistsError:
            pass  # another process made it first
    if not _trusted_folder(directory):
        raise PermissionError(f"{directory} is not private to this user")
    target = directory.joinpath(*below)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not _trusted_folder(target):
        # Another user's folder, or one others can write to: nothing is kept there (what is
        # kept could be swapped), and nothing is read from it (_read_entry).
        raise PermissionError(f"{target} is not private to this user")
    return target


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
    body = _unsealed(_read_entry(directory / "parsed" / f"{key}.json"))
    if body is None:
        return None
    try:
        from triage.knowledge.located import LocDict, LocList
        from triage.knowledge.yaml_reader import decode_cached

        tree = decode_cached(json.loads(body), filename)
        # Only parsed files are stored, and a file's top is always a mapping or a list: anything
        # else is damage, and must not be read as a rule file's contents.
        return tree if isinstance(tree, LocDict | LocList) else None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError):
        return None  # not a tree this version wrote: parse the YAML as if it were not there


def store_parsed(key: str, data: Any) -> None:
    directory = _directory()
    if directory is None:
        return
    from contextlib import suppress

    from triage.knowledge.yaml_reader import encode

    # TypeError: a value JSON cannot hold (a !!timestamp date): the schema refuses the file.
    with suppress(OSError, ValueError, TypeError, RecursionError):  # costs speed, never advice
        _write_entry(_make_dirs(directory, "parsed") / f"{key}.json", encode(data))


def _write_entry(path: Path, data: Any) -> None:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _write_bytes(path, _seal(body))


def _write_bytes(path: Path, raw: bytes) -> None:
    """Atomically: a reader sees the old entry or the new one, never half of one. mkstemp makes
    the file readable by the user only."""
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_valid(key: str) -> bool:
    """Whether an earlier run's whole knowledge base loaded cleanly with this file's bytes. The
    marker holds a sealed word, so an empty or stray file is not taken for one."""
    directory = _directory()
    if directory is None:
        return False
    return _unsealed(_read_entry(directory / "valid" / key)) == _valid_word(key)


def _valid_word(key: str) -> bytes:
    return f"{key} passed the schema".encode()


def remember_valid(keys: list[str]) -> None:
    directory = _directory()
    if directory is None:
        return
    try:
        folder = _make_dirs(directory, "valid")
        for key in keys:
            _write_bytes(folder / key, _seal(_valid_word(key)))
    except OSError:
        pass  # a read-only or full disk costs speed, never the advice


def stamp(contents: list[tuple[Path, int, bytes | OSError]]) -> list[Any] | None:
    """What a knowledge-base snapshot depends on: each rule file's path, timestamp, size and
    CRC-32 (from rule_files.read_all), in load order, and the tool's own files, so a changed model or
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
    folders = [_PACKAGE]
    while folders:  # the package and its subpackages (not the rules shipped inside it)
        folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".py", ".json")):
                    info = entry.stat()
                    name = os.path.relpath(entry.path, _PACKAGE)
                    found.append([name, info.st_size, info.st_mtime_ns])
                elif entry.is_dir() and os.path.exists(os.path.join(entry.path, "__init__.py")):
                    folders.append(Path(entry.path))
    return sorted(found)


def _snapshot_path(directory: Path, rules_stamp: list[Any]) -> Path:
    # One snapshot per set of rule files (the shipped ones, or with given packs), replaced when
    # they change, so the cache does not grow with every edit.
    names = "\0".join(entry[0] for entry in rules_stamp[2])
    return directory / "kb" / f"{zlib.crc32(names.encode()):08x}.json"


def _stamped(path: Path, rules_stamp: list[Any], key: str) -> Any:
    """The `key` part of a sealed entry stored for exactly these files, or None: missing,
    stale or damaged."""
    body = _unsealed(_read_entry(path))
    if body is None:
        return None
    try:
        stored = json.loads(body)
        return stored[key] if stored.get("stamp") == rules_stamp else None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def knowledge_base(rules_stamp: list[Any]) -> KnowledgeBase | None:
    """The knowledge base an earlier run built from exactly these files, or None."""
    directory = _directory()
    if directory is None:
        return None
    data = _stamped(_snapshot_path(directory, rules_stamp), rules_stamp, "kb")
    if data is None:
        return None
    from triage.knowledge.snapshot import SnapshotError, from_data

    try:
        return from_data(data)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, SnapshotError):
        return None  # damaged: load the rules as if it were not there


def store_knowledge_base(rules_stamp: list[Any], kb: KnowledgeBase) -> None:
    directory = _directory()
    if directory is None:
        return
    from triage.knowledge.snapshot import SnapshotError, to_data

    try:
        data = {"stamp": rules_stamp, "kb": to_data(kb)}
        _make_dirs(directory, "kb")
        _write_entry(_snapshot_path(directory, rules_stamp), data)
    except (OSError, SnapshotError, ValueError, RecursionError):
        pass  # a cache that cannot be written costs speed, never the advice


def _first_screen_path(directory: Path, rules_stamp: list[Any]) -> Path:
    return _snapshot_path(directory, rules_stamp).with_suffix(".first.json")


def first_screen(rules_stamp: list[Any]) -> Any:
    """What the questionnaire's first screen showed for exactly these files (plain data, as
    stored), or None. Only a hint for drawing it early: the questionnaire uses an answer given
    on it only once the rules are loaded and show the same screen (triage/questionnaire.py)."""
    directory = _directory()
    if directory is None:
        return None
    return _stamped(_first_screen_path(directory, rules_stamp), rules_stamp, "screen")


def store_first_screen(rules_stamp: list[Any], screen: Any) -> None:
    directory = _directory()
    if directory is None:
        return
    try:
        _make_dirs(directory, "kb")
        data = {"stamp": rules_stamp, "screen": screen}
        _write_entry(_first_screen_path(directory, rules_stamp), data)
    except (OSError, ValueError, RecursionError):
        pass  # a cache that cannot be written costs speed, never the advice


def stamp_of(paths: list[Path]) -> list[Any] | None:
    """The stamp of the rule files in `paths` (see stamp), or None when they cannot all be
    read: the load then reports what is wrong."""
    from triage.errors import RulesError
    from triage.knowledge.rule_files import read_all, rule_files

    try:
        files = rule_files(paths)
    except RulesError:
        return None
    return stamp(read_all(files)) if files else None
