"""Strange input and broken surroundings: each gets one clear line and a non-zero exit, never a
traceback, a hang or memory filling up. Each case here crashed, hung or misled before."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BASE, make_kb, run_cli, write_rules
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from triage import questionnaire
from triage.errors import RulesError
from triage.knowledge import loading
from triage.relevance import Progress
from triage.terminal import Terminal


def _answers(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_clear_line(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip(), done.stderr
    return done.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age: " + "9" * 400, "'age' must be from 12 to 110 years (got a number of 400 digits)"),
        ("age: " + "9" * 5000, "'age' must be from 12 to 110 years (got a number of 5000 digits)"),
        ('age: "' + "9" * 400 + '"', "'age' must be from 12 to 110 years (got a number of 400"),
        ("pain_now: " + "9" * 400, "'pain_now' must be from 0 to 10 (got a number of 400 digits)"),
        ("sitting_hours: " + "9" * 400 + ".0", "'sitting_hours' needs a finite number"),
    ],
    ids=["400 digits", "5000 digits", "400 digits quoted", "on a scale", "as a float"],
)
def test_a_huge_number_is_refused_in_one_line(tmp_path: Path, text: str, expected: str) -> None:
    line = _one_clear_line(run_cli("--answers", str(_answers(tmp_path, text + "\n"))))
    assert expected in line


def test_a_huge_number_in_a_rule_test_fails_that_case_only(tmp_path: Path) -> None:
    cases = _answers(
        tmp_path,
        textwrap.dedent(f"""
            cases:
              - name: a very old lifter
                answers: {{age: {"9" * 400}}}
                tier: self_care
        """),
        "cases.yaml",
    )
    done = run_cli("test", str(cases))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "FAIL" in done.stdout and "'age' must be from 12 to 110 years" in done.stdout


def test_json_and_yaml_numbers_with_an_exponent_are_numbers(tmp_path: Path) -> None:
    for name, text in (("a.json", '{"age": 3e1, "pain_now": 5E0}'), ("a.yaml", "age: 3e1\n")):
        done = run_cli("--answers", str(_answers(tmp_path, text, name)), "--format", "json")
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_answers_file_is_refused_after_a_megabyte(device: str) -> None:
    line = _one_clear_line(run_cli("--answers", device))
    assert line == (
        f"{device}: too large for an answers file (more than 1.0 MB); it should map question "
        "ids to answers, one per line"
    )


def test_an_endless_standard_input_is_refused_after_a_megabyte() -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "triage", "--no-journal", "--answers", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "<stdin>: too large for an answers file" in _one_clear_line(done)


def test_a_device_or_a_fifo_as_a_rule_file_is_refused_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    for path in ("/dev/zero", str(tmp_path / "fifo.yaml")):
        done = run_cli("--rules", path, "check")
        assert done.returncode == 1, done.stderr
        assert f"{path}: E004: cannot read: not a regular file" in done.stdout


def test_an_empty_answers_path_says_so() -> None:
    line = _one_clear_line(run_cli("--answers", ""))
    assert line == "--answers: no file named: give the answers file's path, or '-' to read stdin"


def _shell(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tool = f"{sys.executable} -m triage --no-journal"
    return subprocess.run(
        ["sh", "-c", command.replace("TOOL", tool)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )


def test_closed_or_full_output_is_said_with_a_word_to_seek_help(tmp_path: Path) -> None:
    _answers(tmp_path, "saddle_numbness: yes\n")
    for command, code in (
        ("TOOL --answers a.yaml >&-", 2),
        ("TOOL --answers a.yaml > /dev/full", 1),
    ):
        done = _shell(command, tmp_path)
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
        assert "emergency number" in done.stderr, done.stderr


def test_closed_standard_input_is_read_as_empty(tmp_path: Path) -> None:
    piped = _shell("TOOL --answers - <&-", tmp_path)
    assert "<stdin>: the file is empty" in _one_clear_line(piped)
    asked = _shell("TOOL <&-", tmp_path)
    assert "the questionnaire needs a terminal" in _one_clear_line(asked)


def test_a_full_disk_for_a_listing_is_one_line(tmp_path: Path) -> None:
    done = _shell("TOOL questions > /dev/full", tmp_path)
    assert _one_clear_line(done, 1) == "spasm-triage: could not finish: No space left on device."


@pytest.mark.parametrize(
    "text",
    ['"\\e[2Jx": yes\n', 'age: "\\e[31mred"\n', 'fever: "\\u202eon"\n'],
    ids=["escape in an id", "escape in a value", "a bidirectional override"],
)
def test_control_characters_from_a_file_are_shown_escaped(tmp_path: Path, text: str) -> None:
    line = _one_clear_line(run_cli("--answers", str(_answers(tmp_path, text))))
    assert "\x1b" not in line and "\u202e" not in line
    assert "\\x1b" in line or "\\u202e" in line


def test_a_typed_huge_number_at_a_prompt_is_a_message_not_a_loop(shipped: object) -> None:
    kb = loading.load()
    question = kb.questions["pain_now"]
    with create_pipe_input() as pipe:
        # 400 nines and Enter (refused), the line wiped (Ctrl-U), then a real answer.
        pipe.send_text("9" * 400 + "\r" + "\x15" + "3\r")
        terminal = Terminal(Console(file=open(os.devnull, "w")), pipe, DummyOutput())  # noqa: SIM115
        value, _ = questionnaire.prompt(question, Progress(), kb, terminal)
    assert value == 3


def test_a_pack_folder_that_cannot_be_listed_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root (CI), chmod refuses nothing: the refusal the OS would give is made here."""
    pack = write_rules(tmp_path / "pack", {"a.yaml": "findings: [{id: f, means: F}]\n"})
    real = Path.iterdir

    def refuse(self: Path) -> object:
        if self == pack:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(RulesError) as raised:
        loading.load([loading.shipped_rules_dir(), pack])
    assert [str(p) for p in raised.value.problems] == [
        f"{pack}: E004: cannot list the folder: Permission denied"
    ]


def test_dangling_and_looping_links_in_a_pack_are_reported(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (pack / "loop.yaml").symlink_to(pack / "loop.yaml")
    done = run_cli("--rules", str(pack), "check")
    assert done.returncode == 1
    assert (
        f"{pack / 'gone.yaml'}: E004: cannot read: a link to a file that does not exist "
        f"({tmp_path / 'nowhere.yaml'})"
    ) in done.stdout
    assert f"{pack / 'loop.yaml'}: E004: cannot read: Too many levels of symbolic links" in (
        done.stdout
    )


def test_check_of_a_many_choice_condition_stays_small(tmp_path: Path) -> None:
    """27 choices named in one condition: 2^27 subsets, which `check` used to build in memory
    (24 took 2.6 GB). Run under a 1 GB address-space limit, it must finish."""
    count = 27
    choices = "".join(f"      c{i}: C{i}\n" for i in range(count))
    tests = "".join(f"      - many: {{includes: c{i}}}\n" for i in range(count))
    write_rules(
        tmp_path / "pack",
        {
            "m.yaml": "section: {id: mp, title: MP, order: 50}\n"
            "questions:\n  - id: many\n    ask: Which?\n    type: many_of\n    why: Because.\n"
            f"    choices:\n{choices}"
            f"rules:\n  - id: every_one\n    when:\n{tests}    suggest: stay_active\n"
        },
    )
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from triage.cli import main\n"
        "sys.exit(main(['--rules', sys.argv[1], 'check', '--strict']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "pack")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-1000:]


@pytest.mark.parametrize("template", ["{age:>100000000}", "{age:{age}}", "{age!r}"])
def test_a_personal_sentence_with_a_format_is_an_error(tmp_path: Path, template: str) -> None:
    rules = f"""
        questions:
          - {{id: age, ask: Age?, type: number, unit: years, why: Age.}}
        rules:
          - {{id: r, when: {{age: {{at_least: 1}}}}, suggest: s}}
        suggestions:
          - id: s
            tier: self_care
            text: Do it.
            personal: "At {template}."
            confidence: 0.5
            evidence: clinical_guideline
            sources: [{{source: guide, quote: "q"}}]
    """
    with pytest.raises(RulesError, match="E014") as raised:
        make_kb(tmp_path, textwrap.dedent(rules), BASE)
    assert "write just '{age}'" in str(raised.value)


def test_a_refused_answer_at_a_prompt_is_worded_for_the_person() -> None:
    """At the prompt, a refusal speaks to the person ("The answer must be ..."), not of the
    question's id as an answers file's message does."""
    from triage import answers

    kb = loading.load()
    for qid, typed in (("pain_now", "11"), ("age", "200"), ("age", "old")):
        question = kb.questions[qid]
        with pytest.raises(ValueError) as refused:
            answers.normalize(question, typed)
        said = questionnaire.refusal(question, refused.value)
        assert said.startswith("The answer ") and f"'{qid}'" not in said, said
