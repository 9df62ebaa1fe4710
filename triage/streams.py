"""Standard output and error that cannot cost the person their advice: a terminal whose
encoding cannot show a character gets it in plain letters (never UnicodeEncodeError before the
emergency is printed), and a notice that cannot be written to stderr is dropped rather than
ending the run."""

from __future__ import annotations

import codecs
import contextlib
import os
import unicodedata
from typing import Any

HANDLER = "spasm-triage-plain"

# The characters the rules and the screen use that ASCII and Latin-1 lack, in plain letters.
_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": "*",
    "\u2713": "v",
    "\u2717": "x",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00d7": "x",
    "\u00b0": " deg",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2588": "#",
    "\u2502": "|",
    "\u2503": "|",
    "\u2551": "|",
    "\u2500": "-",
    "\u2501": "=",
    "\u2550": "=",
    **dict.fromkeys(
        "\u256d\u256e\u256f\u2570\u250c\u2510\u2514\u2518\u251c\u2524\u252c\u2534\u253c", "+"
    ),
    **dict.fromkeys("\u250f\u2513\u2517\u251b\u2523\u252b\u2533\u253b\u254b\u2547\u2548", "+"),
    **dict.fromkeys("\u2554\u2557\u255a\u255d\u2560\u2563\u2566\u2569\u256c\u2561\u255e", "+"),
}


def _plain(char: str) -> str:
    if char in _PLAIN:
        return _PLAIN[char]
    # é -> e: the letter without its accent, where Unicode knows one.
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare and bare.isascii() else "?"


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_plain(c) for c in text), error.end


codecs.register_error(HANDLER, _handler)


def plain_when_needed(stream: Any) -> None:
    """If `stream` cannot encode the rules' own characters (an ASCII or Latin-1 terminal,
    LC_ALL=C without UTF-8), write them in plain letters instead of failing."""
    encoding = getattr(stream, "encoding", None)
    reconfigure = getattr(stream, "reconfigure", None)
    if not encoding or reconfigure is None:
        return
    try:
        "\u2026\u2019\u2713".encode(encoding)
        return
    except (UnicodeError, LookupError):
        pass
    with contextlib.suppress(ValueError, OSError, AttributeError):
        reconfigure(errors=HANDLER)


class Notices:
    """stderr for notices: a write that fails (a closed pipe, a full disk, a closed file) is
    dropped. The advice is on stdout; a notice that cannot be shown must not stop it. On a
    terminal, a notice longer than a line is wrapped between words, so the terminal never cuts
    a word or a path in two (a path longer than a line stands whole on its own)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        try:
            self._terminal = bool(stream.isatty())
        except (OSError, ValueError, AttributeError):
            self._terminal = False

    def write(self, text: str) -> int:
        shown = wrap_lines(text, columns(self._stream)) if self._terminal else text
        try:
            self._stream.write(shown)
            return len(text)
        except (OSError, ValueError):
            self._silence()
            return len(text)


    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._silence()

    def _silence(self) -> None:
        """What is still buffered can never be written: point the descriptor at /dev/null, so
        that exiting does not fail on it a second time."""
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def columns(stream: Any) -> int:
    """How wide the terminal `stream` writes to is ($COLUMNS first, as for every tool)."""
    try:
        return int(os.environ.get("COLUMNS") or os.get_terminal_size(stream.fileno())[0])
    except (OSError, ValueError, AttributeError):
        return 80


def wrap_lines(text: str, columns: int) -> str:
    """Each line of `text` longer than `columns` broken between words (never inside one, nor
    at a hyphen of a path), its continuation indented like the line."""
    import textwrap

    if columns < 20 or all(len(line) <= columns for line in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= columns:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        out.extend(
            textwrap.wrap(
                line,
                width=columns,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(out)


class Wrapping:
    """A terminal's stream whose long lines are wrapped between words (see wrap_lines): the
    authors' commands' stdout, whose messages run long. Never the advice's or the prompts':
    they lay out their own lines."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(wrap_lines(text, columns(self._stream)))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
