"""A checklist of signs: tick what applies, mark one not sure, or say "None of these"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from triage.prompts.base import (
    NONE,
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
class _Checklist:
    rows: Sequence[Option]
    marks: dict[int, str] = field(default_factory=dict)  # row -> "yes" or "unsure"
    none: bool = False
    pointer: int | None = None  # len(rows) is the "None of these" line
    hint: str = ""
    done: bool = False
    scroll: Scroll = field(default_factory=Scroll)
    typed: Typed = field(default_factory=Typed)


def checklist(
    message: str,
    rows: Sequence[Option],
    instruction: str = "",
    unsure: bool = True,
    current: dict[Any, str] | None = None,
    none_label: str = "None of these",
    io: dict[str, Any] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[Any, str] | None:
    """Tick what applies. Returns each row's value -> "yes" or "unsure" for the marked rows
    (the others are "no"), an empty dict for "None of these". `current` marks earlier answers.
    `meanwhile` is run in a thread of its own once the checklist is on the screen."""
    state = _Checklist(rows)
    for index, row in enumerate(rows):
        if current and current.get(row.value) in ("yes", "unsure"):
            state.marks[index] = current[row.value]
    # One line at 80 columns: a 24-line terminal still shows the whole first checklist.
    long = len(rows) > 9
    # "Not sure" marks the line pointed at: the words say it comes after the line is chosen
    # (a ? with no line chosen yet was refused with no way forward in a user test).
    if unsure:
        how = "Tick: go to a line (number or arrows), then y; ? if not sure" if long else (
            "Tick: a line's number (or arrows, then y); then ? if not sure"
        )
        how += "; 0 none; Enter."
    else:
        how = "Tick: go to a line (its number or arrows), then y" if long else (
            "Tick: a line's number (or arrows, then y)"
        )
        how += "; 0 none; then Enter."
    keys = "\n".join([instruction, how]).strip("\n")

    def summary() -> str:
        if state.none or not state.marks:
            return none_label
        words = []
        for index, mark in sorted(state.marks.items()):
            words.append(rows[index].label + (" (not sure)" if mark == "unsure" else ""))
        return "; ".join(words)

    def body() -> FormattedText:
        width = terminal_width()
        if state.done:
            return FormattedText(
                wrapped(message, "? ", "  ", "bold", width)
                + wrapped(summary(), "  ", "  ", "fg:ansicyan", width)[:-1]
            )
        blocks: list[Lines] = []
        digits = len(str(len(rows)))
        for index, row in enumerate([*rows, Option(NONE, none_label)]):
            pointed = index == state.pointer
            if index == len(rows):
                box = "(x)" if state.none else "( )"
                number = "0"
            else:
                box = {"yes": "[x]", "unsure": "[?]"}.get(state.marks.get(index, ""), "[ ]")
                number = str(index + 1)
            first = f" {'»' if pointed else ' '} {number.rjust(digits)} {box} "
            style = "bold fg:ansicyan" if pointed else ""
            blocks.append(wrapped(row.label, first, " " * len(first), style, width))
        hint = wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width) if state.hint else []
        return fit(head(message, keys, width), blocks, hint, state.pointer, state.scroll)

    bindings = KeyBindings()
    common_keys(bindings)
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
                state.hint = (
                    "Not sure: first a line's number (or the arrows), then ?."
                    if action == "unsure"
                    else "Move to a line first (the arrows or its number)."
                )
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

    if long:
        # A number goes to its line (typed in full: 1 then 2 is the twelfth); y ticks it.
        numbers = {str(index + 1): index for index in range(len(rows))} | {"0": len(rows)}

        def go(digit: str) -> Any:
            def handler(event: KeyPressEvent) -> None:
                typed = state.typed.add(digit, list(numbers))
                if typed is not None:
                    state.pointer = numbers[typed]
                    state.hint = ""

            return handler

        for digit in "0123456789":
            bindings.add(digit)(go(digit))
    else:
        for index in range(len(rows)):
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

    result: dict[Any, str] | None = run(body, bindings, io or {}, meanwhile)
    return result
