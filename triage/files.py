"""Reading a file the user named, bounded: a device such as /dev/zero, an endless pipe or a
huge file is refused after `limit` bytes instead of filling memory; and writing one of the
person's files, owner-only and atomically."""

from __future__ import annotations

import contextlib
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


class Refused(Exception):
    """A file that must not be written: the reason, in words, for the person."""


def write_private(path: Path, text: str, *, not_over: dict[Path, str] | None = None) -> None:
    """Write `text` to `path`, readable by its owner only, atomically: a temporary file beside
    it, then a rename, so a full disk or a crash leaves the earlier file whole. Never through a
    symbolic link, never over anything but a regular file, and never over one of `not_over`
    (a file this run reads or keeps, each with its name in words): Refused says why."""
    import tempfile

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise Refused("it is a symbolic link, not written through: give the file itself")
        if not stat.S_ISREG(info.st_mode):
            raise Refused("it is not a regular file")
        for other, what in (not_over or {}).items():
            try:
                same = os.path.samefile(path, other)
            except OSError:
                continue
            if same:
                raise Refused(f"it is {what}, which would be lost: give another file name")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)  # mkstemp's mode already; said, since it is the point
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
