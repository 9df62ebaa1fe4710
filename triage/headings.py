"""The questionnaire's intro and section headings, drawn with prompt_toolkit: the prompts have
already loaded it, so the first checklist is on the screen without waiting for rich (which draws
the later screens: banners, the review, the result). They look as rich drew them: the intro in a
rounded box with the tool's name on its top edge, a heading in bold with a rule after it."""

from __future__ import annotations

import textwrap
from typing import Any

from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.utils import get_cwidth

Lines = list[tuple[str, str]]


def intro(words: str, kept: bool, width: int) -> FormattedText:
    """What the tool is (`words`: the rules' intro), and what Ctrl-C does with the answers:
    that depends on whether a journal keeps them."""
    stop = (
        "Ctrl-C stops at any time: your answers are kept, and 'spasm-triage --resume' carries on."
        if kept
        else "Ctrl-C stops at any time; no journal is in use, so your answers are not kept."
    )
    return box(f"{words} {stop}", "spasm-triage", width)


def box(text: str, title: str, width: int) -> FormattedText:
    """`text` wrapped in a box no wider than it needs and than `width`, `title` on its top
    edge (as rich's Panel with expand=False)."""
    inner = max(10, width - 4)
    lines = textwrap.wrap(text, width=inner, break_on_hyphens=False) or [""]  # as rich wraps
    # As wide as the text unwrapped, up to the terminal's width: a text that wraps fills it.
    top = f"─ {title} "
    span = max(min(get_cwidth(text), inner), get_cwidth(top) - 1)
    out: Lines = [("", f"╭{top}{'─' * (span + 2 - get_cwidth(top))}╮\n")]
    for line in lines:
        out.append(("", f"│ {line}{' ' * (span - get_cwidth(line))} │\n"))
    out.append(("", f"╰{'─' * (span + 2)}╯\n"))
    return FormattedText(out)


def rule(title: str, width: int) -> FormattedText:
    """A heading in bold, and a rule to the edge of the terminal after it."""
    shown = title if get_cwidth(title) <= width - 2 else textwrap.shorten(title, width - 2)
    return FormattedText(
        [
            ("bold", shown),
            ("", " "),
            ("fg:ansibrightgreen", "─" * max(0, width - get_cwidth(shown) - 1)),
            ("", "\n"),
        ]
    )


def show(text: FormattedText, output: Any = None) -> None:
    """Print on the terminal (or on the prompt_toolkit output a test passes)."""
    print_formatted_text(text, end="", output=output)
