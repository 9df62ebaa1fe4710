"""Where the questionnaire's prompts and screens read and write: the real terminal, or the
pipe and console a test passes. rich, which draws the screens after the first checklist, is
imported when the first of them is shown."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

from triage import headings

if TYPE_CHECKING:
    from rich.console import Console


class Terminal:
    """Where prompts read and write. No input means the real terminal; tests pass a pipe input
    (and a console of their own for the screens drawn with rich)."""

    def __init__(self, console: Console | None = None, input: Any = None, output: Any = None):
        self._console, self.input, self.output = console, input, output

    @property
    def console(self) -> Console:
        """rich's console, made when a screen drawn with it is first shown: the intro, the
        headings and the prompts do not need it."""
        if self._console is None:
            from rich.console import Console

            self._console = Console()
        return self._console

    def print(self, markup: str) -> None:
        """A line of rich markup (escaped by the caller)."""
        self.console.print(markup)

    def width(self) -> int:
        if self._console is not None:
            return self._console.width
        return shutil.get_terminal_size().columns

    def heading(self, text: Any) -> None:
        """A heading drawn by triage/headings.py."""
        headings.show(text, self.output)

    def io(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output} if self.input is not None else {}
