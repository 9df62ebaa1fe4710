"""Remember which rule files already passed schema validation, so most runs skip the JSON Schema
stage (and importing jsonschema, the slowest part of loading). Validity depends only on a file's
bytes and the schema, so a marker named by their hash is enough: nothing executable is cached,
and any edit, or a new schema, gives a new hash. A cache that cannot be written is skipped."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from triage import __version__

ENV = "SPASM_TRIAGE_CACHE_DIR"  # a directory; empty disables the cache


@cache
def _salt() -> bytes:
    schema = resources.files("triage").joinpath("schema.json").read_bytes()
    return hashlib.sha256(__version__.encode() + b"\0" + schema).digest()


def file_key(raw: bytes) -> str:
    return hashlib.sha256(_salt() + raw).hexdigest()


def fingerprint(files: list[tuple[str, bytes]]) -> str:
    """One hash for a whole knowledge base: file names and contents, in load order."""
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
        from triage.yaml_reader import decode_cached

        return decode_cached(json.loads(text), filename)
    except (OSError, ValueError, TypeError, IndexError, KeyError):
        return None  # missing or damaged: parse the YAML as if it were not there


def store_parsed(key: str, data: Any) -> None:
    directory = _directory()
    if directory is None:
        return
    from triage.yaml_reader import encode

    try:
        (directory / "parsed").mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=directory / "parsed", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(encode(data), out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, directory / "parsed" / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written costs speed, never the advice


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
