"""Reading a file the user named, bounded: a device such as /dev/zero, an endless pipe or a
huge file is refused after `limit` bytes instead of filling memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class TooLarge(Exception):
    """More than the limit; `size` is the file's size where it is known (a regular file)."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size

    def describe(self, limit: int) -> str:
        if self.size is None:
            return f"more than {limit / 1e6:.1f} MB"
        return f"{self.size / 1e6:.1f} MB"


def read_bounded(path: Path | str, limit: int, *, regular: bool = False) -> bytes:
    """The file's bytes; OSError when it cannot be read, TooLarge past `limit`. With `regular`,
    anything but a regular file (a FIFO would block, a device never end) is refused unopened."""
    if regular and not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file", str(path))
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLarge(info.st_size)
        return read_stream(handle, limit)


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(None)
    return raw
