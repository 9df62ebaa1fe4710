"""A YAML syntax error that comes from a line indented one way or the other, said in plain words.

PyYAML reports a slipped line in its parser's words ("did not find expected key", "mapping values
are not allowed in this context"), at the first character of the line or at its colon. An author
needs to hear what is wrong with the indentation, on which line, and what the lines above expect,
with the caret on the space too many (or where the line should start)."""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Slip:
    line: int  # 1-based
    col: int  # 1-based: the first space too many, or where the line should start
    message: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _keys_at(line: str) -> int:
    """Where the keys of the mapping a line belongs to start: under the item's first key for a
    line that opens a list item ('- id: x')."""
    indent = _indent(line)
    rest = line[indent:]
    while rest.startswith("- "):
        indent += 2 + _indent(rest[2:])
        rest = line[indent:]
    return indent


def diagnose(text: str, exc: yaml.MarkedYAMLError) -> Slip | None:
    """The slipped line behind a parser error, or None when the error is not about indentation."""
    mark = exc.problem_mark
    if mark is None:
        return None
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines) or not _content(lines[mark.line]):
        return None
    at = mark.line
    here = _indent(lines[at])
    above = next((i for i in range(at - 1, -1, -1) if _content(lines[i])), None)
    if above is None:
        return None
    started = exc.context_mark
    if (
        started is not None
        and exc.context is not None
        and exc.context.startswith("while parsing a block")
        and started.line < at
    ):
        expected = started.column
        opened = started.line + 1
        keys = _keys_at(lines[above])
        if "collection" in exc.context and expected < here < keys:
            # Between a list's dashes and its item's keys: a key of the item, too far left.
            expected = keys
            opened = 1 + next(
                (
                    i
                    for i in range(above, started.line - 1, -1)
                    if _indent(lines[i]) == started.column and lines[i].lstrip().startswith("- ")
                ),
                started.line,
            )
    elif exc.problem is not None and exc.problem.startswith("mapping values are not allowed"):
        if lines[above].rstrip().endswith(":"):
            return None  # the line above opens a block: its indentation is not the question
        expected = _keys_at(lines[above])
        opened = 0
    else:
        return None
    if here == expected:
        return None
    more = f"{here - expected} more" if here > expected else f"{expected - here} fewer"
    if opened:
        like = f", like line {above + 1} above" if _keys_at(lines[above]) == expected else ""
        whose = (
            f"the other keys of the item that starts at line {opened} ({_spaces(expected)}{like})"
        )
    else:
        whose = f"line {above + 1} above, a key of the same item ({_spaces(expected)})"
    message = (
        f"indentation: line {at + 1} is indented {_spaces(here)}, {more} than {whose}; "
        f"indent it {_spaces(expected)}"
    )
    return Slip(at + 1, min(here, expected) + 1, message)


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"
