"""The first error first: one indentation slip in a rule file is reported alone, in plain words
about the indentation, and does not flood `check` with follow-on errors from files the author
never touched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from triage.knowledge import loading

SHIPPED = loading.rule_files([loading.shipped_rules_dir()])


def _slip(text: str) -> tuple[str, int]:
    """The file with one space too many before a key of a list item (the middle such line), and
    that line's number."""
    lines = text.splitlines(keepends=True)
    keys = [i for i, line in enumerate(lines) if re.match(r"^    [a-z_]+:", line)]
    assert keys, "no key of a list item to slip"
    at = keys[len(keys) // 2]
    lines[at] = " " + lines[at]
    return "".join(lines), at + 1


@pytest.mark.parametrize("shipped_file", SHIPPED, ids=lambda p: p.name)
def test_a_one_space_slip_in_a_shipped_file_is_one_error_about_its_indentation(
    shipped_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from triage.cli import main

    rules = tmp_path / "rules"
    shutil.copytree(loading.shipped_rules_dir(), rules)
    slipped, line = _slip(shipped_file.read_text(encoding="utf-8"))
    (rules / shipped_file.name).write_text(slipped, encoding="utf-8")

    assert main(["check", str(rules)]) == 1
    out = capsys.readouterr().out.splitlines()
    summary = next(i for i, text in enumerate(out) if re.match(r"\d+ errors?, ", text))
    assert summary <= 3, "\n".join(out)  # at most 3 lines of errors before the summary
    first = out[0]
    assert first.startswith(f"{rules / shipped_file.name}:{line}:"), first
    assert "indentation" in first and "indented 5 spaces" in first and "indent it 4" in first
    # The caret stands on the space too many.
    assert out[2].endswith("|     ^"), out[2]


def test_follow_on_problems_are_counted_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sources that cannot be read leave every citation unknown: those are counted in the
    summary, not listed."""
    from triage.cli import main

    rules = tmp_path / "rules"
    shutil.copytree(loading.shipped_rules_dir(), rules)
    sources = rules / "sources.yaml"
    sources.write_text(_slip(sources.read_text(encoding="utf-8"))[0], encoding="utf-8")
    assert main(["check", str(rules)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4
    assert re.fullmatch(
        r"1 error, 0 warnings in \d+ files; \d+ more problems in the other files not shown: "
        r"they may follow from the file above, which could not be read; put it right and run "
        r"check again",
        out[3],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  - id: a\n    when: {x: 1}\n   suggest: b\n",
            "line 4 is indented 3 spaces, 1 fewer than",
        ),
        (
            "rules:\n  - id: a\n    suggest: b\n      priority: 3\n",
            "line 4 is indented 6 spaces, 2 more than line 3 above",
        ),
    ],
    ids=["one-less", "two-more"],
)
def test_other_slips_are_named_as_indentation(text: str, expected: str) -> None:
    from triage.knowledge.yaml_reader import parse

    data, problems = parse(text, "r.yaml")
    assert data is None and len(problems) == 1
    assert problems[0].code == "E001" and expected in problems[0].message, problems[0].message


def test_a_syntax_error_that_is_not_indentation_keeps_the_parsers_words() -> None:
    from triage.knowledge.yaml_reader import parse

    _, problems = parse('rules:\n  - id: "a\n', "r.yaml")
    assert "indentation" not in problems[0].message and "YAML syntax" in problems[0].message
