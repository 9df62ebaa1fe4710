"""What every prompt shares: a line of a list, wrapping to the terminal, a list that scrolls
with its pointer, a number typed in full, the keys that stop a prompt, and running one."""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


def terminal_width() -> int:
    try:
        return max(30, get_app().output.get_size().columns - 1)
    except Exception:  # no terminal size (a pipe in tests): a common width
        return 79


def terminal_height() -> int:
    try:
        return max(6, get_app().output.get_size().rows)
    except Exception:  # no terminal size: a common height
        return 24


def count(lines: Lines) -> int:
    """The screen rows of wrapped lines, each ending with a newline."""
    return sum(text.count("\n") for _, text in lines)


@dataclass
class Scroll:
    """Which block of a list is the first on screen; moved only to keep the pointer in view."""

    top: int = 0


def fit(
    head: Lines, blocks: Sequence[Lines], tail: Lines, focus: int | None, scroll: Scroll
) -> FormattedText:
    """The head, as many blocks as the terminal has rows for, around `focus` (the block
    pointed at), and the tail; the rows left out are counted above and below."""
    sizes = [count(block) for block in blocks]
    room = terminal_height() - count(head) - count(tail)
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
class Typed:
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


def wrapped(text: str, first: str, rest: str, style: str, width: int) -> Lines:
    lines = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest) or [
        first
    ]
    out: Lines = []
    for line in lines:
        out += [(style, line), ("", "\n")]
    return out


def head(message: str, instruction: str, width: int) -> Lines:
    out = wrapped(message, "? ", "  ", "bold", width)
    for line in instruction.splitlines():
        out += wrapped(line, "  ", "  ", "fg:ansibrightblack", width) if line else []
    return out


def run(
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


def common_keys(bindings: KeyBindings) -> None:
    @bindings.add("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add("c-d")
    def _end(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError)
