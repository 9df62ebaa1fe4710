"""The result on a terminal, as a pager does it (git, man): it opens at its top, so the action is
the first thing on the screen at any size, and reads on with the arrows, Space and Page Down. Its
menu stays under it: Done, the hidden items opened in place, or why and the sources; each comes
back to the menu: why and the sources open at their top; back from them, the advice is as it
was left (items opened stay open); items opened are scrolled to.

Keys are those of every other prompt (triage/prompts/): a choice's own key, then Enter; Done
is pointed at, so Enter alone ends. Ctrl-C or a closed terminal is Done too: the advice has been
shown. When Done, the view is wiped and what it showed is printed whole, as `less -X` and git
leave text: the whole advice stays in the terminal's scrollback, the action first, nothing cut.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.formatted_text import ANSI, FormattedText, to_formatted_text
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from rich.console import Console

from triage import screen
from triage.layout import lay_out
from triage.model import KnowledgeBase
from triage.prompts import Lines, wrapped
from triage.ranking import Result

SHORT, OPENED, FULL = "short", "opened", "full"
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
_Colours = Literal["auto", "standard", "256", "truecolor", "windows"] | None


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    action: str  # "done" or the view it opens


@dataclass
class View:
    """What is on the screen: which view of the result, from which line, and the menu."""

    console: Console
    outcome: Result
    kb: KnowledgeBase
    view: str = SHORT
    top: int = 0
    pointer: int = 0  # Done
    done: bool = False
    rendered: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    left_out: int | None = None  # items the short view leaves out, once counted
    advice: str = SHORT  # the advice as last shown (short, or with its items opened)
    advice_top: int = 0  # and the line it was read from
    width: int = 79  # the width last drawn at: the result is printed at it when Done
    # Lines just opened (first, end): the next frame scrolls only as far as it takes to show
    # them, so the action stays on the screen wherever they fit under it.
    reveal: tuple[int, int] | None = None

    def lines(self, width: int) -> list[str]:
        """The view's lines at this width, in the terminal's colours (ANSI)."""
        key = (self.view, width)
        if key not in self.rendered:
            buffer = io.StringIO()
            console = Console(
                file=buffer,
                width=width,
                force_terminal=True,
                color_system=cast(_Colours, self.console.color_system),
                no_color=self.console.no_color,
                highlight=False,
            )
            full, opened = self.view == FULL, self.view == OPENED
            for part in screen.parts(console, self.outcome, self.kb, full=full, opened=opened):
                console.print(part)
            self.rendered[key] = _encodable(buffer.getvalue()).rstrip("\n").split("\n")
        return self.rendered[key]

    def hidden(self) -> int:
        """How many items the short view leaves out."""
        if self.view != SHORT:
            return 0
        if self.left_out is None:
            short, _ = lay_out(self.outcome, self.kb)
            opened, _ = lay_out(self.outcome, self.kb, opened=True)
            self.left_out = sum(line.kind == "item" for line in opened) - sum(
                line.kind == "item" for line in short
            )
        return self.left_out

    def choices(self) -> list[Choice]:
        out = [Choice("d", "Done", "done")]
        if self.view == FULL:
            out.append(Choice("a", "Back to my advice", self.advice))
            return out
        hidden = self.hidden()
        if hidden:
            out.append(Choice("m", f"Show {hidden} more {'item' if hidden == 1 else 'items'}", OPENED))
        out.append(Choice("s", "Show why and sources", FULL))
        return out

    def frame(self, width: int, rows: int) -> list[Lines]:
        """The screen's rows: as much of the result as fits from `top`, then the menu."""
        self.width = width
        lines = self.lines(width)
        if self.done:  # wiped on exit, then printed whole (`printed`)
            return [[("bold", self.chosen())]]
        menu = self.menu(width)
        room = max(rows - len(menu), 1)
        status: list[Lines] = []
        if len(lines) > room:  # taller than the screen: a line says where the reader is
            room = max(room - 1, 1)
            if self.reveal is not None:
                first, end = self.reveal
                self.top = max(0, min(first - 2, end - room))
            self.top = max(0, min(self.top, len(lines) - room))
            last = min(self.top + room, len(lines))
            where = f" Lines {self.top + 1}-{last} of {len(lines)}: the arrows, Space, PgUp, PgDn read on "
            status = [[("reverse", where[:width])]]
        else:
            self.top = 0
        self.reveal = None
        body = lines[self.top : self.top + room]
        return [*(_ansi(line) for line in body), *status, *menu]

    def menu(self, width: int) -> list[Lines]:
        options = "   ".join(
            f"{'»' if i == self.pointer else ' '} [{c.key}] {c.label}"
            for i, c in enumerate(self.choices())
        )
        head = wrapped("Anything else? (its key, then Enter)", "? ", "  ", "bold", width)
        return _split(head) + _split(wrapped(options, " ", "   ", "", width))

    def choose(self, key: str) -> None:
        for index, choice in enumerate(self.choices()):
            if choice.key == key:
                self.pointer = index

    def chosen(self) -> str:
        return f"? Anything else?  {self.choices()[self.pointer].label}"

    def printed(self) -> str:
        """What stays in the terminal when Done: the whole result (every item: no "'m' below
        shows them" left behind with no menu under it; in full if it was shown in full), then
        the choice, as a finished prompt leaves it."""
        chosen = self.chosen()
        if self.view == SHORT:
            self.view = OPENED
        return "\n".join([*self.lines(self.width), chosen]) + "\n"

    def take(self) -> str:
        """Enter: Done, or the view chosen. Why and sources open at their top; back from them,
        the advice where it was left; hidden items open in place, scrolled to the first."""
        action = self.choices()[self.pointer].action
        if action == "done":
            self.done, self.top = True, 0
            return action
        if action == OPENED and self.view == SHORT:
            self.reveal = self._opened()
            self.top = max(0, self.reveal[0] - 2)
        elif action == FULL:
            self.advice, self.advice_top, self.top = self.view, self.top, 0
        else:  # back to the advice, as it was left
            self.top = self.advice_top
        self.view, self.pointer = action, 0
        if action == OPENED:
            self.advice = OPENED
        return action

    def _opened(self) -> tuple[int, int]:
        """The lines of the first items opened in the opened view: (first, end). They run
        from the first line that differs from the short view to the blank line that ends
        their group."""
        short = self.lines(self.width)
        self.view = OPENED
        opened = self.lines(self.width)
        self.view = SHORT
        first = next(
            (i for i, (a, b) in enumerate(zip(short, opened, strict=False)) if a != b),
            len(short),
        )
        end = next(
            (i for i in range(first, len(opened)) if not _ANSI_CODE.sub("", opened[i]).strip()),
            len(opened),
        )
        return first, end


def _encodable(text: str) -> str:
    """The text in the terminal's encoding: on an ASCII or Latin-1 terminal, boxes and quotes in
    plain letters (triage/streams.py's), as everything else the tool prints."""
    import sys

    from triage import streams

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, errors=streams.HANDLER).decode(encoding)
    except (LookupError, UnicodeError):
        return text


def _ansi(line: str) -> Lines:
    return [(style, text) for style, text, *_ in to_formatted_text(ANSI(line))]


def _split(fragments: Lines) -> list[Lines]:
    rows: list[Lines] = [[]]
    for style, text in fragments:
        if text == "\n":
            rows.append([])
        else:
            rows[-1].append((style, text))
    return [row for row in rows if row] or [[]]


def _leave(console: Console, view: View) -> None:
    """The whole result, left in the terminal's scrollback: nothing of the advice is lost when
    the view closes (only the part that fitted the window was on the screen)."""
    view.done = True
    try:
        console.file.write(view.printed())
        console.file.flush()
    except (OSError, ValueError):  # a closed terminal: the advice was shown, and is kept
        pass


def _choosing(view: View, key: str) -> Callable[[KeyPressEvent], None]:
    def handler(event: KeyPressEvent) -> None:
        view.choose(key)

    return handler


def _size() -> tuple[int, int]:
    try:
        size = get_app().output.get_size()
        # One row short of the screen: a view that starts at the screen's top row would be
        # erased from there on Done, which a terminal such as tmux (scroll-on-clear) takes for
        # a clear screen and copies into the scrollback, a cut-off copy above the whole result.
        return max(30, size.columns - 1), max(6, size.rows - 1)
    except Exception:  # no terminal size (a pipe in tests)
        return 79, 24


def present(
    console: Console,
    outcome: Result,
    kb: KnowledgeBase,
    *,
    full: bool = False,
    shown: Callable[[], None] = lambda: None,
    io_: dict[str, Any] | None = None,
) -> View:
    """Show the result until Done. `shown` is called once the result is on the screen (the
    journal keeps it then, so saving never holds the advice back)."""
    view = View(console, outcome, kb, view=FULL if full else SHORT)
    called: list[bool] = []
    failed: list[BaseException] = []

    def body() -> FormattedText:
        width, rows = _size()
        out: Lines = []
        for index, row in enumerate(view.frame(width, rows)):
            out += ([("", "\n")] if index else []) + row
        return FormattedText(out)

    bindings = KeyBindings()

    def scroll(by: Callable[[int], int]) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            _, rows = _size()
            view.top = max(0, view.top + by(rows))

        return handler

    for keys, by in (
        (("down", "j", "c-n"), lambda rows: 1),
        (("up", "k", "c-p"), lambda rows: -1),
        (("space", "pagedown", "f"), lambda rows: rows - 4),
        (("pageup", "b"), lambda rows: -(rows - 4)),
        (("home", "g"), lambda rows: -10**6),
        (("end", "G"), lambda rows: 10**6),
    ):
        for key in keys:
            bindings.add(key)(scroll(by))

    @bindings.add("tab")
    def _next(event: KeyPressEvent) -> None:
        view.pointer = (view.pointer + 1) % len(view.choices())

    @bindings.add("s-tab")
    def _previous(event: KeyPressEvent) -> None:
        view.pointer = (view.pointer - 1) % len(view.choices())

    for key in "dmsaDMSA":
        bindings.add(key)(_choosing(view, key.lower()))

    @bindings.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        if view.take() == "done":
            event.app.exit()

    @bindings.add("c-c")
    @bindings.add("c-d")
    def _end(event: KeyPressEvent) -> None:  # the advice is shown and kept: this is Done
        view.pointer, _ = 0, view.take()
        event.app.exit()

    app: Application[None] = Application(
        layout=Layout(HSplit([Window(FormattedTextControl(body), wrap_lines=False)])),
        key_bindings=bindings,
        full_screen=False,
        erase_when_done=True,  # the window goes; the whole result is printed in its place
        **(io_ or {}),
    )

    def after_render(_: object) -> None:
        if called:
            return
        called.append(True)
        try:
            shown()
        except BaseException as exc:  # said after the view closes, as it would be without it
            failed.append(exc)
            app.exit()

    app.after_render += after_render
    try:
        app.run()
    except EOFError:
        view.done = True
    finally:
        _leave(console, view)
    if failed:
        raise failed[0]
    if not called:
        shown()
    return view
