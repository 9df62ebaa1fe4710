"""Prompts in which every answer is a key the person pressed for it.

No answer is taken because a cursor happened to rest on it: a list opens with nothing pointed
at, and Enter on an untouched prompt only says what to press. A choice is made with its own key
(y, n, ? or its number) or by moving to it with the arrows, then Enter. A checklist ticks signs
(y or Space), marks one "not sure" (?), or says "None of these" (0); Enter takes it once
something is marked. Ctrl-C raises KeyboardInterrupt and a closed terminal EOFError, as
questionary does, so the caller keeps what was answered.

Built on prompt_toolkit (which questionary uses) with an optional input and output, so tests
drive the real prompts through a pipe.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl

Lines = list[tuple[str, str]]
NONE = "\x00none"  # the "None of these" line of a checklist


@dataclass
class Option:
    """One line of a list: what it records, its words, and the key that chooses it."""

    value: Any
    label: str
    key: str = ""


def _width() -> int:
    try:
        return max(30, get_app().output.get_size().columns - 1)
    except Exception:  # no terminal size (a pipe in tests): a common width
        return 79


def _wrapped(text: str, first: str, rest: str, style: str, width: int) -> Lines:
    lines = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest) or [
        first
    ]
    out: Lines = []
    for line in lines:
        out += [(style, line), ("", "\n")]
    return out


def _head(message: str, instruction: str, width: int) -> Lines:
    out = _wrapped(message, "? ", "  ", "bold", width)
    for line in instruction.splitlines():
        out += _wrapped(line, "  ", "  ", "fg:ansibrightblack", width) if line else []
    return out


def _run(body: Any, bindings: KeyBindings, io: dict[str, Any]) -> Any:  # the Application's result
    app: Application[Any] = Application(
        layout=Layout(HSplit([Window(FormattedTextControl(body), wrap_lines=True)])),
        key_bindings=bindings,
        full_screen=False,
        erase_when_done=False,
        **io,
    )
    return app.run()


def _common(bindings: KeyBindings) -> None:
    @bindings.add("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add("c-d")
    def _end(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError)


@dataclass
class _Choice:
    options: Sequence[Option]
    pointer: int | None = None
    hint: str = ""
    done: bool = False


def choose(
    message: str,
    options: Sequence[Option],
    instruction: str = "",
    default: Any = None,
    io: dict[str, Any] | None = None,
) -> Any:
    """One choice from `options`; returns its value. `default` (an earlier answer) starts
    pointed at, so Enter keeps it; otherwise nothing is pointed at until a key chooses."""
    state = _Choice(options)
    values = [o.value for o in options]
    if default in values:
        state.pointer = values.index(default)
    keys = "\n".join([instruction, "Choose with " + _key_words(options) + ", then Enter."]).strip(
        "\n"
    )

    def body() -> FormattedText:
        width = _width()
        if state.done and state.pointer is not None:
            chosen = options[state.pointer].label
            return FormattedText(_wrapped(f"{message}  {chosen}", "? ", "  ", "bold", width)[:-1])
        out = _head(message, keys, width)
        for index, option in enumerate(options):
            pointed = index == state.pointer
            mark = "» " if pointed else "  "
            key = f"[{option.key}] " if option.key else "    "
            style = "bold fg:ansicyan" if pointed else ""
            out += _wrapped(option.label, f" {mark}{key}", " " * (len(key) + 3), style, width)
        if state.hint:
            out += _wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width)
        return FormattedText(out[:-1])

    bindings = KeyBindings()
    _common(bindings)

    @bindings.add("down")
    @bindings.add("tab")
    def _down(event: KeyPressEvent) -> None:
        state.pointer = 0 if state.pointer is None else (state.pointer + 1) % len(options)
        state.hint = ""

    @bindings.add("up")
    @bindings.add("s-tab")
    def _up(event: KeyPressEvent) -> None:
        state.pointer = len(options) - 1 if state.pointer is None else state.pointer - 1
        state.pointer %= len(options)
        state.hint = ""

    for index, option in enumerate(options):
        for key in {option.key, option.key.upper()} - {""}:
            bindings.add(key)(_pointer_to(state, index))

    @bindings.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        if state.pointer is None:
            state.hint = "Nothing is chosen yet: press " + _key_words(options) + ", then Enter."
            return
        state.done = True
        event.app.exit(result=options[state.pointer].value)

    @bindings.add("<any>")
    def _other(event: KeyPressEvent) -> None:
        state.hint = "Choose with " + _key_words(options) + ", then Enter."

    return _run(body, bindings, io or {})


def _pointer_to(state: _Choice, index: int) -> Any:
    def handler(event: KeyPressEvent) -> None:
        state.pointer = index
        state.hint = ""

    return handler


def _key_words(options: Sequence[Option]) -> str:
    keys = [o.key for o in options if o.key]
    return (", ".join(keys) + " or the arrows") if keys else "the arrows"


def confirm(message: str, yes: str, no: str, io: dict[str, Any] | None = None) -> bool:
    """A yes/no question of the tool itself: y or n, then Enter. Enter alone does nothing."""
    return bool(choose(message, [Option(True, yes, "y"), Option(False, no, "n")], io=io))


@dataclass
class _Checklist:
    rows: Sequence[Option]
    marks: dict[int, str] = field(default_factory=dict)  # row -> "yes" or "unsure"
    none: bool = False
    pointer: int | None = None  # len(rows) is the "None of these" line
    hint: str = ""
    done: bool = False


def checklist(
    message: str,
    rows: Sequence[Option],
    instruction: str = "",
    unsure: bool = True,
    current: dict[Any, str] | None = None,
    none_label: str = "None of these",
    io: dict[str, Any] | None = None,
) -> dict[Any, str] | None:
    """Tick what applies. Returns each row's value -> "yes" or "unsure" for the marked rows
    (the others are "no"), an empty dict for "None of these". `current` marks earlier answers."""
    state = _Checklist(rows)
    for index, row in enumerate(rows):
        if current and current.get(row.value) in ("yes", "unsure"):
            state.marks[index] = current[row.value]
    # One line at 80 columns: a 24-line terminal still shows the whole first checklist.
    how = "Tick: a line's number (or arrows, then y)"
    how += "; ? not sure" if unsure else ""
    keys = "\n".join([instruction, f"{how}; 0 none; then Enter."]).strip("\n")

    def summary() -> str:
        if state.none or not state.marks:
            return none_label
        words = []
        for index, mark in sorted(state.marks.items()):
            words.append(rows[index].label + (" (not sure)" if mark == "unsure" else ""))
        return "; ".join(words)

    def body() -> FormattedText:
        width = _width()
        if state.done:
            return FormattedText(
                _wrapped(message, "? ", "  ", "bold", width)
                + _wrapped(summary(), "  ", "  ", "fg:ansicyan", width)[:-1]
            )
        out = _head(message, keys, width)
        lines = [*rows, Option(NONE, none_label)]
        for index, row in enumerate(lines):
            pointed = index == state.pointer
            if index == len(rows):
                box = "(x)" if state.none else "( )"
                number = "0"
            else:
                box = {"yes": "[x]", "unsure": "[?]"}.get(state.marks.get(index, ""), "[ ]")
                number = str(index + 1) if index < 9 else " "
            first = f" {'»' if pointed else ' '} {number} {box} "
            style = "bold fg:ansicyan" if pointed else ""
            out += _wrapped(row.label, first, " " * len(first), style, width)
        if state.hint:
            out += _wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width)
        return FormattedText(out[:-1])

    bindings = KeyBindings()
    _common(bindings)
    count = len(rows) + 1

    def mark(index: int, value: str | None) -> None:
        state.hint = ""
        if index == len(rows):
            state.none = value is not None
            if state.none:
                state.marks.clear()
            return
        if value is None:
            state.marks.pop(index, None)
        else:
            state.marks[index] = value
            state.none = False

    @bindings.add("down")
    @bindings.add("tab")
    def _down(event: KeyPressEvent) -> None:
        state.pointer = 0 if state.pointer is None else (state.pointer + 1) % count
        state.hint = ""

    @bindings.add("up")
    @bindings.add("s-tab")
    def _up(event: KeyPressEvent) -> None:
        state.pointer = count - 1 if state.pointer is None else (state.pointer - 1) % count
        state.hint = ""

    def on_pointer(action: str) -> Any:
        def handler(event: KeyPressEvent) -> None:
            if state.pointer is None:
                state.hint = "Move to a line first (the arrows or its number)."
                return
            index = state.pointer
            if action == "toggle":
                on = state.none if index == len(rows) else index in state.marks
                mark(index, None if on else "yes")
            elif action == "unsure" and index < len(rows):
                mark(index, "unsure")
            elif action == "unsure":
                state.hint = "'Not sure' is for a sign; '" + none_label + "' is ticked or not."
            else:
                mark(index, None if action == "no" else "yes")

        return handler

    bindings.add("space")(on_pointer("toggle"))
    bindings.add("y")(on_pointer("yes"))
    bindings.add("Y")(on_pointer("yes"))
    bindings.add("n")(on_pointer("no"))
    bindings.add("N")(on_pointer("no"))
    if unsure:
        bindings.add("?")(on_pointer("unsure"))

    def jump(index: int) -> Any:
        def handler(event: KeyPressEvent) -> None:
            state.pointer = index
            on = state.none if index == len(rows) else index in state.marks
            mark(index, None if on else "yes")

        return handler

    for index in range(min(9, len(rows))):
        bindings.add(str(index + 1))(jump(index))
    bindings.add("0")(jump(len(rows)))

    @bindings.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        if not state.marks and not state.none:
            if state.pointer == len(rows):
                state.none = True  # moved to "None of these" on purpose
            else:
                state.hint = f"Nothing is ticked yet: tick what applies, or 0 for '{none_label}'."
                return
        state.done = True
        if state.none:
            event.app.exit(result={})
        else:
            event.app.exit(result={rows[i].value: m for i, m in state.marks.items()})

    @bindings.add("<any>")
    def _other(event: KeyPressEvent) -> None:
        state.hint = "Keys: the arrows or a number to move and tick, y / n / ? for the line, Enter when done."

    result: dict[Any, str] | None = _run(body, bindings, io or {})
    return result
