"""Prompts in which every answer is a key the person pressed for it.

No answer is taken because a cursor happened to rest on it: a list opens with nothing pointed
at, and Enter on an untouched prompt only says what to press. A choice is made with its own key
(y, n, ? or its number, typed in full: 1 then 2 is the twelfth) or by moving to it with the
arrows, then Enter. A checklist ticks signs (y or Space), marks one "not sure" (?), or says "None
of these" (0); Enter takes it once something is marked. On a list of up to nine lines a number
ticks its line; on a longer one it goes to the line, so a slow "1", "2" cannot tick the first
line on the way to the twelfth.

A list taller than the terminal scrolls with the pointer, the question always on screen and a
line saying how many lines are above or below: no line can be pointed at, or ticked, unseen. Ctrl-C raises KeyboardInterrupt and a closed terminal EOFError, as
questionary does, so the caller keeps what was answered.

Built on prompt_toolkit (which questionary uses) with an optional input and output, so tests
drive the real prompts through a pipe.
"""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Callable, Sequence
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


def _height() -> int:
    try:
        return max(6, get_app().output.get_size().rows)
    except Exception:  # no terminal size: a common height
        return 24


def _count(lines: Lines) -> int:
    """The screen rows of wrapped lines, each ending with a newline."""
    return sum(text.count("\n") for _, text in lines)


@dataclass
class _Scroll:
    """Which block of a list is the first on screen; moved only to keep the pointer in view."""

    top: int = 0


def _fit(
    head: Lines, blocks: Sequence[Lines], tail: Lines, focus: int | None, scroll: _Scroll
) -> FormattedText:
    """The head, as many blocks as the terminal has rows for, around `focus` (the block
    pointed at), and the tail; the rows left out are counted above and below."""
    sizes = [_count(block) for block in blocks]
    room = _height() - _count(head) - _count(tail)
    shown = range(len(blocks))
    if sum(sizes) > room:
        room = max(room - 2, 1)  # a line for what is above, one for what is below
        scroll.top = min(scroll.top, len(blocks) - 1)
        if focus is not None:
            scroll.top = min(scroll.top, focus)
            while scroll.top < focus and sum(sizes[scroll.top : focus + 1]) > room:
                scroll.top += 1
        end, used = scroll.top, 0
        while end < len(blocks) and (used + sizes[end] <= room or end == scroll.top):
            used += sizes[end]
            end += 1
        # At the foot of the list, fill the screen from the bottom up.
        while scroll.top > 0 and used + sizes[scroll.top - 1] <= room and end == len(blocks):
            scroll.top -= 1
            used += sizes[scroll.top]
        shown = range(scroll.top, end)
    out: Lines = list(head)
    above = sum(sizes[: shown.start])
    below = sum(sizes[shown.stop :])
    if above:
        out += [("fg:ansibrightblack", f"  ... {above} more {'line' if above == 1 else 'lines'} above"), ("", "\n")]
    for index in shown:
        out += blocks[index]
    if below:
        out += [("fg:ansibrightblack", f"  ... {below} more {'line' if below == 1 else 'lines'} below"), ("", "\n")]
    out += tail
    while out and out[-1] == ("", "\n"):
        out.pop()
    return FormattedText(out)


@dataclass
class _Typed:
    """A number being typed: its digits so far, and when the last one came."""

    digits: str = ""
    at: float = 0.0

    def add(self, digit: str, known: Sequence[str]) -> str | None:
        """The number the digits typed so far make, if it is one of `known`; else the digit
        alone, if it is. A pause of a second starts a new number."""
        now = time.monotonic()
        joined = self.digits + digit if now - self.at < 1.0 else digit
        self.at = now
        for candidate in (joined, digit):
            if candidate in known:
                self.digits = candidate
                return candidate
        self.digits = ""
        return None


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


def _run(
    body: Any,
    bindings: KeyBindings,
    io: dict[str, Any],
    meanwhile: Callable[[], None] | None = None,
) -> Any:  # the Application's result
    app: Application[Any] = Application(
        layout=Layout(HSplit([Window(FormattedTextControl(body), wrap_lines=True)])),
        key_bindings=bindings,
        full_screen=False,
        erase_when_done=False,
        **io,
    )
    if meanwhile is not None:
        work = meanwhile

        def drawn(_: object) -> None:
            # Started once the prompt is on the screen, not before: a thread running beside
            # the first drawing would hold Python's lock half the time and slow it down.
            app.after_render.remove_handler(drawn)
            threading.Thread(target=work, name="meanwhile", daemon=True).start()

        app.after_render.add_handler(drawn)
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
    scroll: _Scroll = field(default_factory=_Scroll)
    typed: _Typed = field(default_factory=_Typed)


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
        width = _width()
        if state.done and state.pointer is not None:
            chosen = options[state.pointer].label
            return FormattedText(_wrapped(f"{message}  {chosen}", "? ", "  ", "bold", width)[:-1])
        blocks: list[Lines] = []
        for index, option in enumerate(options):
            pointed = index == state.pointer
            mark = "» " if pointed else "  "
            key = f"[{option.key}]".rjust(widest + 2) + " " if option.key else " " * (widest + 3)
            style = "bold fg:ansicyan" if pointed else ""
            blocks.append(_wrapped(option.label, f" {mark}{key}", " " * (len(key) + 3), style, width))
        hint = _wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width) if state.hint else []
        return _fit(_head(message, keys, width), blocks, hint, state.pointer, state.scroll)

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

    return _run(body, bindings, io or {})


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


@dataclass
class _Checklist:
    rows: Sequence[Option]
    marks: dict[int, str] = field(default_factory=dict)  # row -> "yes" or "unsure"
    none: bool = False
    pointer: int | None = None  # len(rows) is the "None of these" line
    hint: str = ""
    done: bool = False
    scroll: _Scroll = field(default_factory=_Scroll)
    typed: _Typed = field(default_factory=_Typed)


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
        width = _width()
        if state.done:
            return FormattedText(
                _wrapped(message, "? ", "  ", "bold", width)
                + _wrapped(summary(), "  ", "  ", "fg:ansicyan", width)[:-1]
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
            blocks.append(_wrapped(row.label, first, " " * len(first), style, width))
        hint = _wrapped(state.hint, "  ", "  ", "fg:ansiyellow", width) if state.hint else []
        return _fit(_head(message, keys, width), blocks, hint, state.pointer, state.scroll)

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

    result: dict[Any, str] | None = _run(body, bindings, io or {}, meanwhile)
    return result
