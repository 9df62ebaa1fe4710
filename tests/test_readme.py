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


def test_the_readme_followed_to_the_letter_keeps_no_consultation_and_uninstalls_clean(
    tmp_path: Path,
) -> None:
    """Every command of the README that runs without a terminal, in order, in a fresh home, with
    its files saved and its edits made (the questionnaire's own commands stop at once without a
    terminal): the person's journal holds no consultation they did not make. Then the uninstall
    steps, in the order given, leave nothing of the tool's in the home."""
    import sqlite3

    from doc_samples import REPO, Session, blocks

    session = Session(tmp_path)
    home = Path(session.env["HOME"])
    for default_elsewhere in ("SPASM_TRIAGE_JOURNAL", "SPASM_TRIAGE_CACHE_DIR"):
        del session.env[default_elsewhere]  # the defaults, in the fresh home
    readme = blocks(REPO / "README.md")
    uninstalling = next(i for i, b in enumerate(readme) if "history --forget     #" in b.body)
    ran = []
    for block in readme[:uninstalling]:
        if block.kind == "yaml" and block.body.startswith("# my-answers.yaml"):
            session.save(block)
        elif block.kind == "diff":
            session.edit(block)
        elif block.kind in ("sh", "console"):
            for line in block.body.splitlines():
                line = line.removeprefix("$ ").split("  #")[0].strip()
                if line.startswith("spasm-triage") and "history --forget" not in line:
                    session.run(line + " < /dev/null")  # Traceback-free, or it fails here
                    ran.append(line)
            for target, text in reversed(session.undo):  # the edit put back, as the text says
                target.write_text(text, encoding="utf-8")
            session.undo = []
    assert any("--answers my-answers.yaml" in line for line in ran)
    assert any("follow-up" in line for line in ran)

    journal = home / ".local" / "share" / "spasm-triage" / "journal.sqlite3"
    if journal.exists():
        with sqlite3.connect(journal) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if "consultation" in tables:
                assert db.execute("SELECT count(*) FROM consultation").fetchone()[0] == 0

    # A consultation of the person's own, then the uninstall steps, in order.
    session.run("spasm-triage --answers my-answers.yaml")
    assert journal.exists()
    steps = [line.split("  #")[0].strip() for line in readme[uninstalling].body.splitlines()]
    assert steps[0] == "spasm-triage history --forget" and steps[-1] == "rm -r .venv"
    for step in steps[:-1]:  # the last removes the tool itself (here: the suite's own venv)
        # No terminal here to say yes on: --yes, as the person's y and Enter would.
        session.run(step + (" --yes" if step.endswith("--forget") else ""))
    left = [p for p in home.rglob("*") if "spasm-triage" in p.name]
    assert left == []
