"""A corpus of broken answers files (tests/bad_answers/), each with the exact lines it must
print, plus inputs made on the fly (binary garbage, invalid UTF-8, 50 MB): every one gets its
message and exit code 2, with no traceback, no hang, and nothing executed."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import run_cli

from triage.cli import main
from triage.errors import NO_ADVICE

SEEK_HELP = f"spasm-triage: {NO_ADVICE}"

CORPUS = Path(__file__).parent / "bad_answers"
EXAMPLES = sorted(CORPUS.glob("*.yaml"))


def consult(path: Path) -> tuple[int, list[str]]:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["--no-journal", "--answers", str(path), "--format", "json"])
    lines = [line.replace(f"{path.parent}/", "") for line in err.getvalue().splitlines()]
    if code != 0:  # no advice: the last line always says not to wait for the tool (issue 19)
        assert lines[-1] == SEEK_HELP, lines
        lines = lines[:-1]
    return code, lines


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_broken_answers_file_gets_exactly_its_message(example: Path) -> None:
    expected = [
        line[len("# expect: ") :].rstrip("\r")
        for line in example.read_bytes().decode("utf-8").splitlines()
        if line.startswith("# expect: ")
    ]
    assert expected, f"{example.name} has no '# expect:' line"
    code, lines = consult(example)
    if expected == ["nothing: it loads normally"]:
        assert (code, lines) == (0, [])
    else:
        assert (code, lines) == (2, expected)


def test_a_yaml_tag_that_would_run_a_command_runs_nothing() -> None:
    marker = Path("/tmp/spasm-triage-was-pwned")
    marker.unlink(missing_ok=True)
    code, _ = consult(CORPUS / "python_tag.yaml")
    assert code == 2 and not marker.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "garbage.bin",
            bytes(range(256)) * 4,
            "garbage.bin:2:118: not UTF-8 text (bad byte 0x80); save the file as UTF-8",
        ),
        (
            "latin1.yaml",
            "fever: no\nnote: caf\xe9\n".encode("latin-1"),
            "latin1.yaml:2:10: not UTF-8 text (bad byte 0xe9); save the file as UTF-8",
        ),
        ("nul.yaml", b"fever: no\n\x00\x00\x00", "nul.yaml: binary data, not a YAML text file"),
    ],
)
def test_files_that_are_not_text_are_refused(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    (tmp_path / name).write_bytes(content)
    assert consult(tmp_path / name) == (2, [expected])


def test_a_50_mb_file_is_refused_at_once_without_a_traceback(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as out:
        out.write(b"fever: no\n")
        out.write((b"# padding " + b"x" * 1013 + b"\n") * 50_000)
    assert big.stat().st_size > 50_000_000
    done = run_cli("--answers", str(big), "--no-journal")
    assert done.returncode == 2
    assert done.stderr == (
        f"{big}: too large for an answers file (51.2 MB); it should map "
        "question ids to answers, one per line\n"
        f"{SEEK_HELP}\n"
    )
