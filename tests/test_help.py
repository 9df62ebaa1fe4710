"""Help where a person looks for it: --version, `help [COMMAND]`, examples in --help, words on
every option, and an answers template to fill in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli

from triage import __version__
from triage.cli.args import parser as _parser
from triage.knowledge import loading


def test_version() -> None:
    done = run_cli("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"spasm-triage {__version__}")


def test_help_names_the_commands_and_shows_examples() -> None:
    done = run_cli("help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and "spasm-triage --demo" in done.stdout
    assert done.stdout == run_cli("--help").stdout


@pytest.mark.parametrize("command", ["check", "history", "evaluate", "follow-up"])
def test_help_of_one_command_is_its_own(command: str) -> None:
    done = run_cli("help", command)
    assert done.returncode == 0 and f"usage: spasm-triage {command}" in done.stdout
    assert done.stdout == run_cli(command, "--help").stdout


def test_every_commands_help_says_what_it_does_with_examples_the_tool_accepts() -> None:
    import shlex

    from triage.cli.args import COMMAND_EXAMPLES

    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, command in commands.items():
        page = command.format_help()
        assert command.description, f"{name} has no description"
        if name == "help":
            continue
        assert "examples:" in page, f"{name} has no examples"
        for line in COMMAND_EXAMPLES[name].splitlines():
            words = shlex.split(re.split(r"\s[|>]|\s{2,}", line.strip())[0])
            assert words[0] == "spasm-triage"
            _parser().parse_args(words[1:])  # a usage error would exit


def test_help_of_a_misspelt_command_says_what_there_is() -> None:
    done = run_cli("help", "chek")
    assert done.returncode == 2
    assert done.stderr.startswith("spasm-triage: no command 'chek' (did you mean 'check'?)")


def test_every_option_of_every_command_has_help_text() -> None:
    import argparse

    parser = _parser()
    parsers = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(action.choices.values())
    missing = [
        f"{p.prog} {'/'.join(a.option_strings) or a.dest}"
        for p in parsers
        for a in p._actions
        if not a.help and not isinstance(a, argparse._SubParsersAction)
    ]
    assert missing == []


def test_the_answers_template_names_every_asked_question_and_loads_as_it_is(
    tmp_path: Path,
) -> None:
    done = run_cli("questions", "--format", "yaml")
    assert done.returncode == 0
    kb = loading.load()
    asked = [q.id for q in kb.questions.values() if not q.journal]
    assert re.findall(r"^(\w+):$", done.stdout, re.M) == asked
    assert "# Why: " in done.stdout and "# Answer one of: none (No);" in done.stdout
    blank = tmp_path / "blank.yaml"
    blank.write_text(done.stdout)
    assert run_cli("--answers", str(blank), "--format", "json").returncode == 0
    filled = tmp_path / "filled.yaml"
    filled.write_text(done.stdout.replace("\nsaddle_numbness:\n", "\nsaddle_numbness: yes\n"))
    emergency = run_cli("--answers", str(filled), "--format", "json")
    assert '"tier": "emergency"' in emergency.stdout


def test_a_bare_launch_parses_as_the_whole_command_line_would() -> None:
    """`spasm-triage` alone is parsed without the commands' parsers (the questionnaire's first
    screen waits for none of them): every value is what the whole parser gives."""
    from triage.cli import args

    assert vars(args.parser(commands=False).parse_args([])) == vars(args.parser().parse_args([]))
