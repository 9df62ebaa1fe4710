"""The intro and headings drawn with prompt_toolkit (triage/headings.py) look as rich drew them,
at any width: the later screens are rich's, and the first must not look like another tool's."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.formatted_text import to_plain_text
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from triage import headings

WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz'-.,;:()[]", min_size=1, max_size=14),
    min_size=1,
    max_size=60,
).map(" ".join)
WIDTHS = st.integers(min_value=30, max_value=160)


def _rich(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None)


@given(text=WORDS, width=WIDTHS)
def test_the_intro_box_is_richs_panel(text: str, width: int) -> None:
    console = _rich(width)
    # The rules' words, literally: neither markup nor emoji codes (":a:") are read in them.
    console.print(Panel(Text(text), title="spasm-triage", title_align="left", expand=False))
    assert to_plain_text(headings.box(text, "spasm-triage", width)) == console.file.getvalue()  # type: ignore[attr-defined]


@given(title=WORDS.filter(lambda t: len(t) < 28), width=WIDTHS)
def test_a_heading_is_richs_rule(title: str, width: int) -> None:
    console = _rich(width)
    console.rule(Text(title, style="bold"), align="left")  # literal, as the section's title
    assert to_plain_text(headings.rule(title, width)) == console.file.getvalue()  # type: ignore[attr-defined]
