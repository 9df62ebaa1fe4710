"""Which files hold the rules, and their bytes: what a load reads first, and what the cache's
stamp is computed from. Apart from triage/knowledge/loading.py, which builds the model, so that checking
the cache for the first screen (triage/cli/questionnaire.py) builds none of it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from triage.errors import FILE_UNREADABLE, Location, Problem, RulesError

# Far above any real rule file (the 5,000-rule benchmark's is a few MB): a larger file, or a
# device such as /dev/zero, is refused before it fills memory.
MAX_RULE_FILE = 64 * 10**6


def shipped_rules_dir() -> Path:
    """The rules that come with the tool: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]  # triage/
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
    # The same file given twice (a pack named in SPASM_TRIAGE_RULES and again with --rules, or
    # the shipped folder given as a pack) is loaded once, where it first comes.
    seen: set[Path] = set()
    unique: list[Path] = []
    for file in files:
        try:
            key = file.resolve()
        except (OSError, RuntimeError):
            key = file
        if key not in seen:
            seen.add(key)
            unique.append(file)
    return unique


def read_all(files: list[Path]) -> list[tuple[Path, int, bytes | OSError]]:
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
