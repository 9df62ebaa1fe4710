"""The README's first command, as a newcomer runs it: advice, and nothing kept. (Every sample of
output in the README is run by `tests/test_docs.py`.)"""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_first_command_shows_advice_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The README's first command, as a newcomer runs it: advice on screen, and not a file
    written in their home (the demo is not their spasm; a later consultation must not count it)."""
    import os
    import subprocess
    import sys

    first = re.search(r"^python3 -m venv .*$", README, re.M)
    assert first is not None and first.group().endswith(".venv/bin/spasm-triage --demo")
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SPASM_TRIAGE", "XDG_"))}
    done = subprocess.run(
        [sys.executable, "-m", "triage", "--demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**keep, "HOME": str(home)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("spasm-triage: ") and "\n1. " in done.stdout  # advice
    assert "nothing was kept" in done.stderr
    assert list(home.rglob("*")) == []
