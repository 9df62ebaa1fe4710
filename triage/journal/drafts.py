"""Unfinished questionnaires: a draft each, and which running questionnaire is writing it, so
two at once never write the same answers and --resume never takes a draft still in use."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Draft:
    """The answers of an unfinished questionnaire, and which running questionnaire, if any,
    is writing them."""

    id: int
    started: str
    saved: str
    answers: dict[str, Any]
    left_blank: list[str]
    owner: str | None = None

    def in_use(self) -> bool:
        """Another questionnaire, running now on this machine, is writing it."""
        return self.owner is not None and self.owner != me() and alive(self.owner)


def me() -> str:
    """This process, as a draft's owner: host, pid, and the pid's start time (so a pid reused
    after a reboot is not taken for the questionnaire that wrote the draft)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def _started(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""  # no /proc (macOS): the pid alone
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, after the command's name


def alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # written elsewhere: there is no telling, and a draft must stay usable
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    except OverflowError:
        return False
    return not started or _started(pid) in ("", started)
