"""A choice from a list: nothing pointed at until a key chooses; a yes/no of the tool's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from triage.prompts.base import (
    Lines,
    Option,
    Scroll,
    Typed,
    common_keys,
    fit,
    head,
    run,
    terminal_width,
    wrapped,
)


@dataclass
class _Choice:
    options: Sequence[Option]
    pointer: int | None = None
    hint: str = ""
    done: bool = False
    scroll: Scroll = field(default_factory=Scroll)
    typed: Typed = field(default_factory=Typed)


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
    widest = max((len(o.key) for o in options), default=0)

    def body() -> FormattedText:
        width = terminal_width()
        if state.done and state.pointer is not None:
            chosen = options[state.pointer].label
            return FormattedText(wrapped(f"{message}  {chosen}", "? ", "  ", "bold", width)[:-1])
        blocks: list[Lines] = []
        for index, option in enumerate(options):
            pointed = index == state.pointer
            mark = "» " if pointed else "  "
            key = f"[{option.key}]".rjust(widest + 2) + " " if option.key else " " * (widest + 3)
            style = "bold fg:ansicyan" if pointed else ""
            blocks.append(wrapped(option.label, f" {mark}{key}", " " * (len(key) + 3), style, width))
        hint = wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width) if state.hint else []
        return fit(head(message, keys, width), blocks, hint, state.pointer, state.scroll)

    bindings = KeyBindings()
    common_keys(bindings)

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

    numbers = {o.key: i for i, o in enumerate(options) if o.key.isdigit()}
    for index, option in enumerate(options):
        if option.key in numbers:
            continue
        for key in {option.key, option.key.upper()} - {""}:
            bindings.add(key)(_pointer_to(state, index))
    for digit in sorted({d for key in numbers for d in key}):
        bindings.add(digit)(_number_to(state, digit, numbers))

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

    return run(body, bindings, io or {})


def _number_to(state: _Choice, digit: str, numbers: dict[str, int]) -> Any:
    def handler(event: KeyPressEvent) -> None:
        typed = state.typed.add(digit, list(numbers))
        if typed is None:
            state.hint = "There is no such number here."
            return
        state.pointer = numbers[typed]
        state.hint = ""

    return handler


def _pointer_to(state: _Choice, index: int) -> Any:
    def handler(event: KeyPressEvent) -> None:
        state.pointer = index
        state.hint = ""

    return handler


def _key_words(options: Sequence[Option]) -> str:
    keys = [o.key for o in options if o.key]
    numbers = [k for k in keys if k.isdigit()]
    if len(numbers) > 9:  # a long numbered list, and perhaps a letter or two (b: back)
        others = "".join(f", {k}" for k in keys if not k.isdigit())
        return f"a number from {numbers[0]} to {numbers[-1]}{others} or the arrows"
    return (", ".join(keys) + " or the arrows") if keys else "the arrows"


def confirm(message: str, yes: str, no: str, io: dict[str, Any] | None = None) -> bool:
    """A yes/no question of the tool itself: y or n, then Enter. Enter alone does nothing."""
    return bool(choose(message, [Option(True, yes, "y"), Option(False, no, "n")], io=io))
