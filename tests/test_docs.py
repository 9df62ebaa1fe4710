"""The README and docs/ show what the tool really does: every sample of output is run against
the installed tool, in order, as a reader would work through the document (`doc_samples.py`
says how a document is read), so a changed output fails until the text is updated."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from doc_samples import DOCUMENTS, REPO, Block, blocks, matches, run_document, same_shape, unchecked


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_every_sample_of_output_is_what_the_tool_prints(document: Path, tmp_path: Path) -> None:
    run_document(document, tmp_path)


def test_every_sample_of_output_is_run_or_checked_by_a_named_test() -> None:
    problems = [why for d in DOCUMENTS for b in blocks(d) if (why := unchecked(b))]
    assert problems == []


def _commands(block: Block) -> list[str]:
    """The spasm-triage command lines of a shell or console block, without comments, pipes and
    redirections."""
    lines = block.body.splitlines()
    if block.kind == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    found = []
    for line in lines:
        line = re.split(r"\s#\s|\s[|<>]", line.strip())[0]
        words = shlex.split(line, comments=True)
        while words and "=" in words[0]:  # COLUMNS=100 spasm-triage ...
            words.pop(0)
        if words and words[0].endswith("spasm-triage"):
            found.append(" ".join(words[1:]))
    return found


def test_every_command_the_docs_name_is_one_the_tool_accepts() -> None:
    """A command in a shell sample is not run (it may open the questionnaire or need files the
    reader has), but its command and options must be ones the tool has."""
    from triage.cli import args as cli_args

    named = [
        (block.where, command)
        for document in DOCUMENTS
        for block in blocks(document)
        if block.kind in ("sh", "console")
        for command in _commands(block)
    ]
    assert len(named) > 30
    refused = []
    for where, command in named:
        try:
            cli_args.parser().parse_args(shlex.split(command))
        except SystemExit as stop:
            if stop.code:
                refused.append(f"{where}: spasm-triage {command}")
    assert refused == []


def test_the_docs_link_only_to_files_and_headings_that_exist() -> None:
    broken = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            if not linked.exists():
                broken.append(f"{document.name}: {target}")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", linked.read_text(encoding="utf-8"), re.M)
                slugs = {_slug(h) for h in headings}
                if anchor not in slugs:
                    broken.append(f"{document.name}: {target}")
    assert broken == []


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    heading = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return heading.replace(" ", "-")


def test_the_reader_is_held_to_the_samples() -> None:
    """The matcher and the shape check fail where a sample is wrong, not only where it is right."""
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["ok: ... files"], ["ok: 10 files"])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "b"])
    assert not matches(["ok: ... files"], ["ok: 10 file"])
    assert same_shape({"a": [{"b": 1}]}, {"a": [{"b": 2}, {"b": 3}]})
    assert not same_shape({"a": [{"b": 1}]}, {"a": [{"b": 2}, {"c": 3}]})
    assert not same_shape({"a": 1}, {"a": 1, "extra": 2})


def test_a_changed_output_fails_the_document(tmp_path: Path) -> None:
    """A document whose sample says something the tool does not print fails, naming the line."""
    document = tmp_path / "doc.md"
    document.write_text(
        "Intro.\n\n```console\n$ spasm-triage --version\nspasm-triage 0.0.0-not-this\n```\n"
    )
    with pytest.raises(AssertionError, match=r"doc\.md:3"):
        run_document(document, tmp_path / "session")
    assert unchecked(blocks(document)[0]) is None
    document.write_text("```\nsome output\n```\n")
    assert "no test runs or checks" in (unchecked(blocks(document)[0]) or "")
    assert REPO.joinpath("README.md") in DOCUMENTS
