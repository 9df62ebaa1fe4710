"""The README's walkthrough, performed as written: every file it shows is written, every change
it shows is made (and put back), every command it shows is run, and the output must be what the
README says (`...` stands for anything, on a line of its own or within one)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Add your own heuristic") :]
SECTION = SECTION[: SECTION.index("\n## ", 1)]
BLOCK = re.compile(r"```(yaml|diff|console)\n(.*?)```", re.S)


def matches(expected: list[str], got: list[str]) -> bool:
    """Whether `got` fits `expected`, where a line '...' matches any lines and '...' in a line
    matches any text."""
    if not expected:
        return not got
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, got[i:]) for i in range(len(got) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return bool(got) and re.fullmatch(pattern, got[0]) is not None and matches(rest, got[1:])


def run(command: str, cwd: Path) -> list[str]:
    words = shlex.split(command)
    assert words[0] == "spasm-triage"
    done = subprocess.run(
        [sys.executable, "-m", "triage", *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            "SPASM_TRIAGE_CACHE_DIR": "",
            "SPASM_TRIAGE_JOURNAL": str(cwd / "journal.sqlite3"),
        },
    )
    assert "Traceback" not in done.stderr, done.stderr
    return (done.stdout + done.stderr).splitlines()


def test_the_readme_walkthrough_works_as_written(tmp_path: Path) -> None:
    blocks = BLOCK.findall(SECTION)
    kinds = [kind for kind, _ in blocks]
    assert kinds.count("diff") == 3, "three ways to break it"
    assert kinds.count("console") >= 5
    undo: tuple[Path, str] | None = None
    for kind, body in blocks:
        if kind == "yaml":
            name = body.splitlines()[0].removeprefix("# ").strip()
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        elif kind == "diff":
            lines = body.splitlines()
            target = tmp_path / lines[0].removeprefix("--- ").strip()
            old = "\n".join(line[1:] for line in lines[1:] if line.startswith("-"))
            new = "\n".join(line[1:] for line in lines[1:] if line.startswith("+"))
            text = target.read_text()
            assert text.count(old) == 1, f"the line to change is not in {target.name}: {old}"
            undo = (target, text)
            target.write_text(text.replace(old, new))
        else:
            commands = re.split(r"^\$ ", body, flags=re.M)[1:]
            for chunk in commands:
                command, *expected = chunk.rstrip("\n").split("\n")
                got = run(command, tmp_path)
                assert matches(expected, got), (
                    f"$ {command}\nexpected:\n" + "\n".join(expected) + "\ngot:\n" + "\n".join(got)
                )
            if undo is not None:  # "put the line back as it was"
                undo[0].write_text(undo[1])
                undo = None


def test_the_matcher_is_strict_where_the_readme_is_exact() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["ok: ... files"], ["ok: 10 files"])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "b"])
