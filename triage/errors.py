"""Problems found in rule or answer files, located by file, line and column (1-based)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple


class Location(NamedTuple):
    """Where something stands in a file. A named tuple: a large rule set has one per value,
    and a tuple is several times cheaper to make than a frozen dataclass."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        if self.col <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with a stable code so tools and tests can match on the kind."""

    code: str
    message: str
    location: Location
    related: tuple[Location, ...] = field(default=(), compare=False)
    severity: str = "error"  # or "warning": a lint, which fails `check` only with --strict

    def __str__(self) -> str:
        return printable(f"{self.location}: {self.code}: {self.message}")

    def plain(self) -> str:
        """Without the code: how a person's own answers file is reported."""
        return printable(f"{self.location}: {self.message}")

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.code)


# Zero-width characters too: an id with one in it looks like the id it is not.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """Text from a file, safe to show: control characters (a terminal's escape codes),
    bidirectional overrides and zero-width characters are written as escapes instead of acting
    on the terminal or hiding in a name."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


# Said whenever a consultation ends without advice, so nobody is left waiting on the tool.
NO_ADVICE = (
    "no advice was given. If you are worried about your back, do not wait for this tool: "
    "call a doctor, your health line or your emergency number."
)

# Exit codes, the same for every command.
EXIT_OK, EXIT_RULES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class TriageError(Exception):
    """Base for errors the CLI turns into messages and exit codes, never tracebacks."""

    exit_code = 1

    def __init__(self, problems: list[Problem], *, suppressed: int = 0) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        self.notes: list[str] = []  # said after the problems, each on its own line
        # Problems found but not shown: they probably follow from the ones shown.
        self.suppressed = suppressed
        super().__init__("\n".join(str(p) for p in self.problems))


class RulesError(TriageError):
    """The knowledge base could not be loaded."""

    exit_code = 1


class AnswersError(TriageError):
    """An answers file is unreadable or does not fit the questions."""

    exit_code = 2


class UsageError(TriageError):
    """An option the command line cannot use as given (an empty file name)."""

    exit_code = 2


class RunawayError(Exception):
    """The engine hit its firing limit: a guard, since facts are finite and should stop it sooner."""


# Stable codes: documented in README ("Error codes"); tests match on them.
YAML_SYNTAX = "E001"
DUPLICATE_KEY = "E002"
SCHEMA = "E003"
FILE_UNREADABLE = "E004"
DUPLICATE_ID = "E010"
UNKNOWN_REFERENCE = "E011"
NOT_A_CHOICE = "E012"
WRONG_COMPARISON = "E013"
BAD_TEMPLATE = "E014"
MISPLACED = "E015"
WEAKENS_RED_FLAG = "E016"
BAD_GROUP = "E017"
# Lints: the knowledge base loads, but something in it is probably not what its author meant.
NEVER_FIRES = "W101"
UNUSED_QUESTION = "W102"
UNUSED_SUGGESTION = "W103"
DEAD_FINDING = "W104"
FINDING_CYCLE = "W105"
NEVER_ASKED = "W106"
AMBIGUOUS_TIE = "W107"
CAUTION_OFF_PATH = "W108"
NO_SCHEMA_POINTER = "W109"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    import difflib  # only when something is misspelt: it is not needed to give advice

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""
