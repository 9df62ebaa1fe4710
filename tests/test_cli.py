"""The command as a user runs it: the JSON contract, stdin, questions, check, and every error
path as one line with the right exit code and no traceback."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import AK47, BASE, CASES, run_cli, write_rules

from triage.errors import NO_ADVICE
from triage.model import TIERS


def test_json_output_keeps_the_contract() -> None:
    done = run_cli("--answers", str(CASES / "bench_op.yaml"), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"tier", "suggestions", "disagreements", "disclaimer"} <= set(result)
    assert result["tier"] in TIERS
    assert result["disclaimer"]
    for suggestion in result["suggestions"]:
        assert {"id", "tier", "text", "confidence", "because", "sources"} <= set(suggestion)
        assert 0 < suggestion["confidence"] <= 1
        assert suggestion["sources"], suggestion["id"]
        for source in suggestion["sources"]:
            assert source["quote"] and source["title"]
            if source["kind"] == "forum_thread":
                assert source["poster"]


def test_answers_from_stdin_in_json() -> None:
    done = run_cli("--answers", "-", "--format", "json", stdin=b'{"saddle_numbness": "yes"}')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["tier"] == "emergency"
    assert result["suggestions"][0]["tier"] == "emergency"


def test_text_and_markdown_show_tiers_sources_and_the_disclaimer() -> None:
    for fmt in ("text", "markdown"):
        done = run_cli("--answers", str(AK47), "--format", fmt, "--full")
        assert done.returncode == 0, done.stderr
        assert "not a diagnosis" in done.stdout
        assert "Shadowzz4" in done.stdout and "tail" in done.stdout
    assert done.stdout.startswith("# spasm-triage")
    short = run_cli("--answers", str(AK47))
    assert "Not a diagnosis" in short.stdout and "Shadowzz4" not in short.stdout


def test_questions_lists_every_question_with_its_type_and_choices(shipped) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("questions", "--format", "json")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert [q["id"] for q in listing] == list(shipped.questions)
    legs = next(q for q in listing if q["id"] == "leg_symptoms")
    assert legs["type"] == "one_of" and "both_legs" in legs["choices"]
    text = run_cli("questions")
    assert text.returncode == 0 and "saddle_numbness" in text.stdout


def test_check_passes_on_the_shipped_rules() -> None:
    done = run_cli("check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")


def test_check_names_a_broken_file_and_line_and_exits_1(tmp_path: Path) -> None:
    directory = write_rules(
        tmp_path / "rules", {"base.yaml": BASE, "broken.yaml": "rules:\n  - id: x\n    when: [\n"}
    )
    done = run_cli("check", str(directory))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{directory}/broken.yaml:4:1: E001: YAML syntax:")
    assert lines[1:] == ["1 error, 0 warnings in 2 files"]  # at the end of the file: no line
    assert done.stderr == ""


def test_check_shows_the_offending_line_with_a_caret_and_fails_warnings_only_if_strict(
    tmp_path: Path,
) -> None:
    directory = write_rules(
        tmp_path / "rules",
        {
            "base.yaml": BASE,
            "typo.yaml": (
                "findings: [{id: f, means: F}]\n"
                "rules:\n"
                "  - id: r\n"
                "    when: {finding: f}\n"
                "    sugest: x\n"
            ),
        },
    )
    done = run_cli("check", str(directory))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{directory}/typo.yaml:5:5: E003: unknown key 'sugest' in rule 'r' (did you mean "
        "'suggest'?); allowed: id, when, conclude, suggest, confidence, priority, replace, for_everyone",
        " 5 |     sugest: x",
        "   |     ^",
        "1 error, 0 warnings in 2 files",
    ]
    (directory / "typo.yaml").write_text("findings: [{id: f, means: F}]\n")
    done = run_cli("check", str(directory))
    assert (
        done.returncode == 0
        and "W104" in done.stdout
        and "0 errors, 1 warning in 2 files" in done.stdout
    )
    assert run_cli("check", "--strict", str(directory)).returncode == 1


def test_bad_answers_exit_2_with_one_line_then_seek_help_and_no_traceback(tmp_path: Path) -> None:
    cases = {
        "unknown.yaml": ("fevr: yes\n", "unknown question 'fevr' (did you mean 'fever'?)"),
        "choice.yaml": ("leg_symptoms: both\n", "'leg_symptoms' must be one of: none,"),
        "number.yaml": ("age: forty\n", "'age' needs a number of years (got 'forty')"),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text)
        done = run_cli("--answers", str(tmp_path / name))
        assert done.returncode == 2, name
        lines = done.stderr.splitlines()
        assert lines[0].startswith(f"{tmp_path / name}:1:1: ") and expected in lines[0]
        # A red-flag answer that could not be read is named as ruling nothing out, and, no
        # advice being given, the last line says not to wait for the tool (issue 19).
        assert all(line.startswith("spasm-triage: ") for line in lines[1:])
        assert "do not wait for this tool" in lines[-1] and len(lines) <= 3
        assert done.stdout == ""


def test_a_missing_answers_file_and_no_arguments_are_usage_errors() -> None:
    done = run_cli("--answers", "/nonexistent/answers.yaml")
    assert done.returncode == 2
    assert (
        done.stderr
        == "/nonexistent/answers.yaml: cannot read the answers file: No such file or directory\n"
        f"spasm-triage: {NO_ADVICE}\n"
    )
    done = run_cli()
    assert (
        done.returncode == 2 and "--answers FILE" in done.stderr and "Traceback" not in done.stderr
    )


def test_the_answers_path_imports_no_interactive_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from triage.cli import main\n"
        f"main(['--answers', {str(CASES / 'bench_op.yaml')!r}, '--format', 'json'])\n"
        "heavy = [m for m in ('questionary', 'prompt_toolkit', 'rich') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "[]"
