"""The samples in README.md and docs/*.md, read as a reader reads them and run against the real
tool.

A document is a session, in order: a YAML block whose first line is `# some/path.yaml` is a file
the reader saves; a diff block (`--- path`, then lines of context, `-` and `+`) is an edit the reader makes,
put back after the next command sample; a console block is commands (`$ ...`) and what they
print, where a line `...` stands for any lines and `...` within a line for any text. A session
starts in a folder holding a copy of the clone's `rules/`, `tests/cases/` and `triage/` (the
README's commands are run from a clone, and the tool reads that copy's rules, as an editable
install does), with a home, a journal and a cache of its own.

An HTML comment just before a block says more about it (GitHub does not show it):
- `<!-- doc-test: $ COMMAND -->`: the block (a Mermaid diagram, plain text) is exactly what
  COMMAND prints; `<!-- doc-test: shape of $ COMMAND -->`: the JSON block has the keys of
  COMMAND's JSON output, at every level it shows;
- `<!-- doc-test: checked by tests/FILE.py::TEST -->`: that test checks the block (a screen of
  the questionnaire, a benchmark's numbers);
- `<!-- doc-test: empty folder -->`: from this block on, commands run in a new empty folder;
  `<!-- doc-test: clone -->`: back in the clone's copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Blocks that show what the tool prints: each must be run, or checked by a named test.
OUTPUT_KINDS = {"console", "text", "", "mermaid"}

_FENCE = re.compile(
    r"(?:<!--\s*doc-test:\s*(?P<directive>.*?)\s*-->\n+)?^```(?P<kind>[a-z]*)\n(?P<body>.*?)^```$",
    re.S | re.M,
)


_SAVED_AS = re.compile(r"# ([\w./-]+\.ya?ml)\n")


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    kind: str
    body: str
    directive: str  # the doc-test comment before it, or ""

    @property
    def where(self) -> str:
        shown = (
            self.document.relative_to(REPO) if self.document.is_relative_to(REPO) else self.document
        )
        return f"{shown}:{self.line}"


def blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    return [
        Block(
            document,
            text.count("\n", 0, found.start("kind")) + 1,
            found["kind"],
            found["body"],
            found["directive"] or "",
        )
        for found in _FENCE.finditer(text)
    ]


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


def same_shape(shown: Any, real: Any) -> bool:
    """Whether every object the sample shows has exactly the keys of the real one at that place
    (the first element of a list stands for every element)."""
    if isinstance(shown, dict):
        return (
            isinstance(real, dict)
            and set(shown) == set(real)
            and all(same_shape(shown[key], real[key]) for key in shown)
        )
    if isinstance(shown, list) and shown:
        return isinstance(real, list) and all(same_shape(shown[0], item) for item in real)
    return True


def _tool_dir(scratch: Path) -> Path:
    """A folder holding `spasm-triage`: the installed console script beside this Python, or, when
    there is none (the package imported from the checkout), one that runs `python -m triage`."""
    installed = Path(sys.executable).with_name("spasm-triage")
    if installed.is_file():
        return installed.parent
    shim = scratch / "bin" / "spasm-triage"
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m triage "$@"\n')
    shim.chmod(0o755)
    return shim.parent


class Session:
    """A reader working through one document."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.cwd = scratch / "clone"
        shutil.copytree(REPO / "rules", self.cwd / "rules")
        shutil.copytree(REPO / "tests" / "cases", self.cwd / "tests" / "cases")
        # The tool runs from the clone's copy, as an editable install runs from a clone: an
        # edit a document makes to rules/ is what the next command reads.
        shutil.copytree(
            REPO / "triage",
            self.cwd / "triage",
            ignore=shutil.ignore_patterns("__pycache__", "rules"),
        )
        (scratch / "home").mkdir()
        self.env = {
            "PATH": f"{_tool_dir(scratch)}:/usr/bin:/bin",
            "HOME": str(scratch / "home"),
            "LANG": "C.UTF-8",
            "COLUMNS": "80",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "SPASM_TRIAGE_CACHE_DIR": str(scratch / "cache"),
            "SPASM_TRIAGE_JOURNAL": str(scratch / "journal.sqlite3"),
        }
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(self.cwd), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.undo: list[tuple[Path, str]] = []

    def empty_folder(self) -> None:
        self.cwd = self.scratch / "folder"
        self.cwd.mkdir(exist_ok=True)

    def save(self, block: Block) -> None:
        saved_as = _SAVED_AS.match(block.body)
        assert saved_as is not None
        target = self.cwd / saved_as[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")

    def edit(self, block: Block) -> None:
        lines = block.body.splitlines()
        target = self.cwd / lines[0].removeprefix("--- ").strip()
        old = "\n".join(line[1:] for line in lines[1:] if line.startswith(("-", " ")))
        new = "\n".join(line[1:] for line in lines[1:] if line.startswith(("+", " ")))
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{block.where}: the lines to change are not in {target}"
        self.undo.append((target, text))
        target.write_text(text.replace(old, new), encoding="utf-8")

    def run(self, command: str, stdout_only: bool = False) -> list[str]:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=300,
            env=self.env,
        )
        assert "Traceback" not in done.stderr, f"$ {command}\n{done.stderr}"
        out = done.stdout if stdout_only else done.stdout + done.stderr
        return [line.rstrip() for line in out.splitlines()]

    def check(self, block: Block) -> None:
        """Run a block that shows output, and say where it differs from what the tool prints."""
        if block.kind == "console":
            for chunk in re.split(r"^\$ ", block.body, flags=re.M)[1:]:
                command, *expected = chunk.rstrip("\n").split("\n")
                self._compare(block, command, [line.rstrip() for line in expected])
            for target, text in reversed(self.undo):  # "put the lines back as they were"
                target.write_text(text, encoding="utf-8")
            self.undo = []
        elif block.directive.startswith("shape of $ "):
            command = block.directive.removeprefix("shape of $ ")
            real = json.loads("\n".join(self.run(command, stdout_only=True)))
            assert same_shape(json.loads(block.body), real), (
                f"{block.where}: the JSON shown has not the keys of `{command}`: "
                + json.dumps(real)[:2000]
            )
        elif block.directive.startswith("$ "):
            expected = [line.rstrip() for line in block.body.rstrip("\n").split("\n")]
            self._compare(block, block.directive[2:], expected)

    def _compare(self, block: Block, command: str, expected: list[str]) -> None:
        got = self.run(command)
        while got and not got[-1]:  # blank lines at the end are not seen
            got.pop()
        assert matches(expected, got), (
            f"{block.where}: $ {command}\n--- the document says:\n"
            + "\n".join(expected)
            + "\n--- the tool prints:\n"
            + "\n".join(got)
        )


def run_document(document: Path, scratch: Path) -> int:
    """Work through a document as its reader would; the number of samples checked."""
    session = Session(scratch)
    checked = 0
    for block in blocks(document):
        if block.directive == "empty folder":
            session.empty_folder()
        elif block.directive == "clone":
            session.cwd = scratch / "clone"
        if block.kind == "yaml" and _SAVED_AS.match(block.body):
            session.save(block)
        elif block.kind == "diff":
            session.edit(block)
        elif block.kind == "console" or block.directive.startswith(("$ ", "shape of $ ")):
            session.check(block)
            checked += 1
    return checked


def unchecked(block: Block) -> str | None:
    """Why an output block is not checked by anything, or None when it is."""
    if block.kind == "console" or block.directive.startswith(("$ ", "shape of $ ")):
        return None
    claim = re.fullmatch(r"checked by (tests/[\w/]+\.py)::(\w+)", block.directive)
    if claim:
        test_file = REPO / claim[1]
        if test_file.is_file() and f"def {claim[2]}(" in test_file.read_text(encoding="utf-8"):
            return None
        return f"{block.where}: '{block.directive}' names no test that exists"
    if block.kind in OUTPUT_KINDS:
        return f"{block.where}: a ```{block.kind} block that no test runs or checks"
    return None
