"""Every check has a failing example in tests/bad_rules/: a small rule file, loaded beside a clean
base (`_base.yaml`), whose `# expect:` lines are exactly what `spasm-triage check` must print."""

from __future__ import annotations

import io
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from triage.cli import main

CORPUS = Path(__file__).parent / "bad_rules"
CODE = re.compile(r": ([EW]\d{3}): ")
EXAMPLES = sorted(p for p in CORPUS.glob("*.yaml") if p.name != "_base.yaml")
CODES = {
    "E001",
    "E002",
    "E003",
    "E004",
    "E010",
    "E011",
    "E012",
    "E013",
    "E014",
    "E015",
    "W101",
    "W102",
    "W103",
    "W105",
    "W106",
    "W107",
    "W108",
}


def check(directory: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["check", str(directory)])
    lines = [line.replace(f"{directory}/", "") for line in out.getvalue().splitlines()]
    return code, lines


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_check_prints_exactly_the_expected_problems(example: Path, tmp_path: Path) -> None:
    expected = [
        line[len("# expect: ") :].rstrip("\n")
        for line in example.read_bytes().decode("utf-8", "replace").splitlines()
        if line.startswith("# expect: ")
    ]
    assert expected, f"{example.name} has no '# expect:' line"
    shutil.copy(CORPUS / "_base.yaml", tmp_path)
    shutil.copy(example, tmp_path)
    code, lines = check(tmp_path)
    problems = [line for line in lines if not line.startswith(" ")][
        :-1
    ]  # without snippets, summary
    assert problems == expected
    errors = any(CODE.search(line).group(1).startswith("E") for line in expected)  # type: ignore[union-attr]
    assert code == (1 if errors else 0)


def test_the_corpus_covers_every_kind_of_problem() -> None:
    seen = {
        CODE.search(line).group(1)
        for p in EXAMPLES  # type: ignore[union-attr]
        for line in p.read_bytes().decode("utf-8", "replace").splitlines()
        if line.startswith("# expect: ")
    }
    assert seen >= CODES, CODES - seen


def test_the_clean_base_has_no_problems(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "_base.yaml", tmp_path)
    code, lines = check(tmp_path)
    assert code == 0 and lines[-1].endswith("0 errors, 0 warnings in 1 file")
