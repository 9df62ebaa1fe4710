"""Text read from a file (a rule pack, a journal row) is data: stripped of control characters
when it is read, and escaped for where it is written (Markdown, CSV, Mermaid, DOT), so that
no text can act on a terminal, hide what follows it in a document, inject a link or markup, or
run as a spreadsheet formula."""

from __future__ import annotations

import re
from typing import Any

# A terminal's escape codes (ESC, CSI), the other C0 and C1 controls, and the bidirectional
# overrides and isolates that reorder what is shown. Tab and newline are layout, kept.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """The text without control characters (a terminal's escape codes, bidi overrides)."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def clean(value: Any) -> Any:
    """`value` with every string in it (keys included) stripped of control characters: how a
    row of the journal is read."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean(v) for v in value)
    return value


# ---- CSV: a spreadsheet runs a cell that starts with one of these as a formula ----

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as the text it is: text that starts like a formula gets a
    leading apostrophe (the usual mark for 'this is text'). Numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---- Markdown ----

# Inline marks, links and raw HTML (a comment hides everything after it, <script> runs):
# a backslash makes each of these characters literal in CommonMark.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# What would start a block at the beginning of a line: a heading, a quote, a list, a rule.
_MD_BLOCK = re.compile(r"^([#+=-])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")
# Autolinks GitHub makes of bare addresses, and entity references such as &lt; or &#60;.
_MD_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto)(:)|\b(www)(\.)|(@)")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def markdown(text: str) -> str:
    """`text` as literal Markdown on one line: no markup, HTML, comment, link or entity in it
    acts, and a line break in it cannot start a new block."""
    text = " ".join(strip_controls(text).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_AUTOLINK.sub(lambda m: _unlink(m), text)
    text = _MD_BLOCK.sub(r"\\\1", text)
    return _MD_NUMBERED.sub(r"\1\\\2", text)


def _unlink(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + "\\:"
    if match.group(3):
        return match.group(3) + "\\."
    return "\\@"


def markdown_url(url: str) -> str | None:
    """A link target: only an http(s) address, with the characters that would end it
    percent-encoded; None for anything else (javascript:, data:), shown as text instead."""
    url = "".join(strip_controls(url).split())
    if not re.match(r"(?i)https?://[^/\s]", url):
        return None
    for char, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C")):
        url = url.replace(char, code)
    return url


# ---- diagrams ----


def mermaid(text: str) -> str:
    """A Mermaid label inside double quotes: Mermaid's own entity codes for the characters
    that would end the label (an edge's too), start an entity, markup or HTML."""
    text = " ".join(strip_controls(text).split())
    out = []
    for char in text:
        if char in '#"<>&`|':
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def dot(text: str) -> str:
    """A Graphviz label inside double quotes: a backslash or quote cannot end it or escape."""
    text = " ".join(strip_controls(text).split())
    return text.replace("\\", "\\\\").replace('"', '\\"')


def a_or_an(word: str | None) -> str:
    """The word with its article: "an emergency", "an urgent", "a self_care"."""
    word = str(word)
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
