"""Issue 19, the hostile inputs that are not about what a pack may change: text from a pack or a
journal acting on a terminal, a document or a spreadsheet (items 3, 4, 5), a draft that skips
the red-flag screen (14), terminals and streams that cost the advice (16, 17), a mistake that
silences an emergency (18), the template's wording (19), the person's files (20, 21), case
files that never end (22) and the messages of item 24. Each test is the item's reproducer: it
failed on the tool as the issue found it."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli
from markdown_it import MarkdownIt

from triage import ranking
from triage.answers import Answers
from triage.errors import NO_ADVICE
from triage.journal import Draft, Entry, Journal, JournalError
from triage.journal.view import write_csv
from triage.knowledge import loading
from triage.model import KnowledgeBase
from triage.text import csv_cell, markdown, strip_controls

RULES = Path(__file__).parents[1] / "rules"
SEEK_HELP = "do not wait for this tool"
ESC = "\x1b"


def _first_case(tier: str) -> dict[str, Any]:
    """The first shipped red-flag test case of `tier` that takes one answer: the rules' own
    example of that tier, not a list kept here."""
    cases = yaml.safe_load((RULES / "tests" / "red_flags.yaml").read_text())["cases"]
    return next(c for c in cases if c.get("tier") == tier and len(c["answers"]) == 1)


EMERGENCY = _first_case("emergency")["answers"]
SIGN = next(iter(EMERGENCY))
EMERGENCY_YAML = yaml.safe_dump({SIGN: "yes" if EMERGENCY[SIGN] is True else EMERGENCY[SIGN]})


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return loading.load()


def _banner(kb: KnowledgeBase, tier: str = "emergency") -> str:
    return kb.about.tiers[tier].title


def _answers(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _no_red_flags(kb: KnowledgeBase) -> dict[str, Any]:
    """'no' (or its choice of none) to every yes/no or one-of question of the red-flag screen
    that the questionnaire asks of everyone."""
    screen = set(kb.about.protected_sections)
    out: dict[str, Any] = {}
    for q in kb.questions.values():
        if q.section not in screen or q.journal or q.ask_if is not None:
            continue
        if q.type == "yes_no":
            out[q.id] = "no"
        elif q.type == "one_of" and "none" in q.choice_ids:
            out[q.id] = "none"
    return out


# A pack whose texts carry a terminal's escape codes, Markdown that would hide or inject, and
# a spreadsheet formula. It passes `check`: nothing in it is against the schema.
HOSTILE_PACK = r"""
rules:
  - id: hostile_rule
    when: {can_move: "yes"}
    suggest: hostile_item
    priority: 100
suggestions:
  - id: hostile_item
    tier: self_care
    brief: "=HYPERLINK(\"http://evil\",\"x\") Rest a bit.\e[2J\e[1;1HWhat to do now: nothing\e[8m hidden"
    text: "=HYPERLINK(\"http://evil\",\"x\") Rest \u202eit [click](javascript:alert(1)) <img src=x onerror=alert(1)>.\n\n<!--"
    confidence: 0.5
    evidence: clinical_guideline
    sources:
      - source: hostile_source
        quote: "q"
sources:
  - id: hostile_source
    kind: guideline
    title: "<script>alert(1)</script> a title"
    url: "javascript:alert(1)"
    published: "2020 ]]> <!-- "
"""


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "hostile.yaml").write_text(HOSTILE_PACK)
    return pack


def _calm(kb: KnowledgeBase, tmp_path: Path) -> Path:
    return _answers(tmp_path, yaml.safe_dump({**_no_red_flags(kb), "can_move": "yes"}), "calm.yaml")


# ---- item 3: a pack's text never reaches the terminal raw ----


def test_item3_escape_codes_in_a_pack_are_stripped_when_it_is_loaded(hostile: Path) -> None:
    kb = loading.load([loading.shipped_rules_dir(), hostile], trust_cache=False)
    item = kb.suggestions["hostile_item"]
    assert ESC not in item.short_text and ESC not in item.text and "\u202e" not in item.text
    assert "Rest a bit." in item.short_text and "What to do now: nothing" in item.short_text
    # Read again, from the parse cache this time: still stripped.
    again = loading.load([loading.shipped_rules_dir(), hostile])
    assert ESC not in again.suggestions["hostile_item"].short_text


def test_item3_the_result_on_the_terminal_has_no_escape_code(
    kb: KnowledgeBase, hostile: Path, tmp_path: Path
) -> None:
    for extra in ([], ["--full"]):
        done = run_cli("--rules", str(hostile), "--answers", str(_calm(kb, tmp_path)), *extra)
        assert done.returncode == 0, done.stderr
        assert "Rest" in done.stdout  # the pack's advice is shown...
        assert ESC not in done.stdout and "\u202e" not in done.stdout  # ...as text


def test_item3_a_cached_tree_written_with_control_characters_is_stripped_when_read() -> None:
    from triage.knowledge.yaml_reader import decode_cached

    tree = [
        "d",
        [1, 1],
        [["a\x1b", 1, 1, 1, 4, "x\x1b[2Jy"], ["b", 2, 1, 2, 4, ["l", [2, 4], [[2, 5, "\x9b8m"]]]]],
    ]
    data = decode_cached(tree, "f.yaml")
    assert data == {"a": "x[2Jy", "b": ["8m"]}


# ---- item 4: the Markdown handover ----


def test_item4_the_handover_hides_nothing_and_injects_no_html_or_link(
    kb: KnowledgeBase, hostile: Path, tmp_path: Path
) -> None:
    for answers in (_calm(kb, tmp_path), _answers(tmp_path, EMERGENCY_YAML, "emergency.yaml")):
        saved = tmp_path / "advice.md"
        done = run_cli("--rules", str(hostile), "--answers", str(answers), "--save", str(saved))
        assert done.returncode == 0, done.stderr
        html = MarkdownIt("commonmark").render(saved.read_text())
        assert "<!--" not in html and "<script" not in html and "<img" not in html
        assert 'href="javascript' not in html
        # Nothing after the pack's text is hidden: the disclaimer at the very end is there,
        # and so are the result's action and its first piece of advice.
        assert kb.about.disclaimer.split(".")[0] in html.replace("\n", " ")
        shown = json.loads(
            run_cli("--rules", str(hostile), "--answers", str(answers), "--format", "json").stdout
        )
        text = unescape(" ".join(html.split()))
        assert shown["tier_action"].split(";")[0] in text
        assert shown["suggestions"][0]["text"].split(",")[0] in text


def test_item4_markdown_escaping_keeps_the_words() -> None:
    rendered = MarkdownIt("commonmark").render(markdown("a *b* <!-- c [d](e) # f & &lt; 1. g"))
    assert "<!--" not in rendered and "<em>" not in rendered and "<a " not in rendered
    assert "a *b* &lt;!-- c [d](e) # f &amp; &amp;lt; 1. g" in rendered


# ---- item 5: CSV formulas, escape codes in stored rows ----


def test_item5_csv_cells_never_start_a_formula() -> None:
    entry = Entry(
        1,
        datetime.now(UTC),
        "=cmd|' /C calc'!A0",
        {"note": "@SUM(1+1)", "other": "+1", "dash": "-2"},
        [{"suggestion": '=HYPERLINK("http://evil","x")', "tier": "-x", "confidence": "@y",
          "tried": None, "helped": None}],
    )  # fmt: skip
    out = io.StringIO()
    write_csv(out, [entry])
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    cells = [cell for row in rows for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert '\'=HYPERLINK("http://evil","x")' in cells  # kept, as text
    assert csv_cell(-1) == -1  # a number stays a number


def test_item5_history_shows_no_escape_code_stored_in_a_journal_row(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        journal.record(
            {"can_move": "yes\x1b[2J"},
            "self_care\x1b[8m",
            [("x\x1b]0;t\x07", "self_care", 0.5)],
            "kb",
        )
        journal.save_draft(None, {"age": "3\x1b[8m4"}, ["fever\x1b"])
    env = {"SPASM_TRIAGE_JOURNAL": str(path)}
    for fmt in ("text", "json", "csv"):
        done = run_cli("history", "--format", fmt, env=env)
        assert done.returncode == 0, done.stderr
        assert ESC not in done.stdout and "\\u001b" not in done.stdout and "\x07" not in done.stdout
    with Journal(path) as journal:
        (entry,) = journal.entries()
        assert entry.answers == {"can_move": "yes[2J"} and entry.tier == "self_care[8m"
        (draft,) = journal.drafts()
        assert draft.answers == {"age": "3[8m4"} and draft.left_blank == ["fever"]


# ---- item 14: a draft's blank list never skips the red-flag screen ----


def test_item14_a_draft_naming_the_red_flags_blank_still_asks_them(kb: KnowledgeBase) -> None:
    from rich.console import Console

    from triage.cli.drafts import draft_progress
    from triage.interview import planner_for

    screen = set(kb.about.protected_sections)
    signs = [q.id for q in kb.questions.values() if q.section in screen and not q.journal]
    # The questionnaire can leave blank only a typed answer ("?" for a number); a sign it asks
    # as a choice or on a checklist is always answered, so a blank one is not the person's.
    chosen = {q for q in signs if kb.questions[q].type in ("yes_no", "one_of", "many_of")}
    assert chosen
    draft = Draft(1, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", {}, signs)
    progress = draft_progress(kb, draft, Console(file=io.StringIO()))
    assert not progress.blank & chosen
    assert progress.blank == set(signs) - chosen  # a number left blank stays blank
    first = planner_for(kb).next_question(progress)
    assert first is not None and first.section in screen  # the screen is asked first
    # and the result of answering nothing more says the signs were not answered
    unanswered = ranking.unanswered_screen(kb, Answers(progress.values), frozenset(progress.blank))
    assert unanswered


# ---- item 16: terminals that cannot show every character ----


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1"},
        {
            "LC_ALL": "C",
            "LANG": "C",
            "PYTHONCOERCECLOCALE": "0",
            "PYTHONUTF8": "0",
            "PYTHONIOENCODING": "",
        },
    ],
    ids=["ascii", "latin-1", "C locale"],
)
def test_item16_the_emergency_is_printed_whatever_the_encoding(
    kb: KnowledgeBase, tmp_path: Path, env: dict[str, str]
) -> None:
    answers = _answers(tmp_path, EMERGENCY_YAML)
    for args in (
        ["--answers", str(answers)],
        ["--demo"],
        ["explain", _first_case("emergency")["suggests"][0], "--answers", str(answers)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "triage", "--no-journal", *args],
            capture_output=True,
            env={**os.environ, **env},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr
    out = subprocess.run(
        [sys.executable, "-m", "triage", "--no-journal", "--answers", str(answers)],
        capture_output=True, env={**os.environ, **env}, timeout=120,
    ).stdout.decode("latin-1")  # fmt: skip
    assert out.splitlines()[0].endswith(_banner(kb))


# ---- item 17: stderr that fails ----


def _broken_stderr_run(
    args: list[str], env: dict[str, str], stderr: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        stdout=subprocess.PIPE, stderr=stderr, env={**os.environ, **env}, timeout=120,
    )  # fmt: skip


def test_item17_a_broken_or_full_stderr_never_costs_the_advice(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    answers = _answers(tmp_path, EMERGENCY_YAML)
    (tmp_path / "folder").mkdir()  # a journal that cannot be used: a notice comes first
    env = {"SPASM_TRIAGE_JOURNAL": str(tmp_path / "folder")}
    read, write = os.pipe()
    os.close(read)
    try:
        done = _broken_stderr_run(["--answers", str(answers)], env, write)
    finally:
        os.close(write)
    assert done.returncode == 0 and done.stdout.decode().startswith(f"spasm-triage: {_banner(kb)}")
    with open("/dev/full", "w") as full:
        done = _broken_stderr_run(["--answers", str(answers)], env, full)
    assert done.returncode == 0 and done.stdout.decode().startswith(f"spasm-triage: {_banner(kb)}")


def test_item24_with_stderr_closed_no_notice_goes_into_the_json(tmp_path: Path) -> None:
    answers = _answers(tmp_path, EMERGENCY_YAML)
    (tmp_path / "folder").mkdir()
    done = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m triage --answers "{answers}" --format json 2>&-'],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SPASM_TRIAGE_JOURNAL": str(tmp_path / "folder")},
    )  # fmt: skip
    assert done.returncode == 0
    assert json.loads(done.stdout)["tier"] == "emergency"


# ---- item 18: an emergency plus a mistake ----


@pytest.mark.parametrize("mistake", ["misspelt id", "a choice that is not one", "out of range"])
def test_item18_a_mistake_beside_an_emergency_still_prints_the_emergency(
    kb: KnowledgeBase, tmp_path: Path, mistake: str
) -> None:
    one_of = next(q for q in kb.questions.values() if q.type == "one_of" and q.id != SIGN)
    number = next(q for q in kb.questions.values() if q.type == "number" and q.max is not None)
    line = {
        "misspelt id": f"{SIGN}x: yes\n",
        "a choice that is not one": f"{one_of.id}: not_a_choice_at_all\n",
        "out of range": f"{number.id}: {number.max + 1:g}\n",
    }[mistake]
    done = run_cli("--no-journal", "--answers", str(_answers(tmp_path, EMERGENCY_YAML + line)))
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == f"spasm-triage: {_banner(kb)}"
    assert "Traceback" not in done.stderr and "answers.yaml:2:1:" in done.stderr
    assert SEEK_HELP in done.stderr.splitlines()[-1]


def test_item18_a_mistake_without_a_red_flag_gives_no_advice_and_says_to_seek_help(
    tmp_path: Path,
) -> None:
    done = run_cli("--no-journal", "--answers", str(_answers(tmp_path, "not_a_question: yes\n")))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == f"spasm-triage: {NO_ADVICE}"


# ---- item 19: the template says what a blank is ----


def test_item19_the_template_says_what_the_tool_does_with_a_blank_sign(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    template = run_cli("questions", "--format", "yaml").stdout
    header = " ".join(line.lstrip("# ") for line in template.splitlines()[:6])
    assert "never 'no'" not in header
    assert "counts as 'no'" in header and "unsure" in header
    # What it says is what the tool does: the template as it is (every answer blank) gives a
    # result whose red-flag signs are named as not answered, and 'unsure' is a valid answer.
    blank = _answers(tmp_path, template, "template.yaml")
    done = run_cli("--no-journal", "--answers", str(blank), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout).get("unanswered")
    assert (
        run_cli(
            "--no-journal", "--answers", str(_answers(tmp_path, f"{SIGN}: unsure\n"))
        ).returncode
        == 0
    )


# ---- item 20 and 21: the person's files ----


def test_item20_save_never_replaces_the_answers_file_or_the_journal(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    answers = _answers(tmp_path, EMERGENCY_YAML)
    journal = tmp_path / "journal.sqlite3"
    env = {"SPASM_TRIAGE_JOURNAL": str(journal)}
    done = run_cli("--answers", str(answers), "--save", str(answers), env=env)
    assert done.returncode == 1 and "the answers file being read" in done.stderr
    assert answers.read_text() == EMERGENCY_YAML
    assert done.stdout.startswith(f"spasm-triage: {_banner(kb)}")  # the advice was shown
    before = journal.read_bytes()
    done = run_cli("--answers", str(answers), "--save", str(journal), env=env)
    assert done.returncode == 1 and "your spasm journal" in done.stderr
    with Journal(journal) as opened:
        assert opened.count() >= 1 and before[:16] == journal.read_bytes()[:16]
    # Another name for the journal (a hard link) is the journal too.
    os.link(journal, tmp_path / "other-name.md")
    done = run_cli("--answers", str(answers), "--save", str(tmp_path / "other-name.md"), env=env)
    assert done.returncode == 1 and "your spasm journal" in done.stderr


def test_item20_a_failed_save_leaves_the_earlier_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage import files

    report = tmp_path / "advice.md"
    report.write_text("the earlier advice, whole\n")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError):
        files.write_private(report, "x" * 100_000)
    assert report.read_text() == "the earlier advice, whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["advice.md"]  # no temporary file left


def test_item21_save_never_follows_a_link_and_is_owner_only(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    answers = _answers(tmp_path, EMERGENCY_YAML)
    target = tmp_path / "someone-elses.txt"
    target.write_text("theirs\n")
    (tmp_path / "link.md").symlink_to(target)
    done = run_cli("--no-journal", "--answers", str(answers), "--save", str(tmp_path / "link.md"))
    assert (
        done.returncode == 1 and "symbolic link" in done.stderr and target.read_text() == "theirs\n"
    )
    existing = tmp_path / "existing.md"
    existing.write_text("old")
    existing.chmod(0o644)
    assert (
        run_cli("--no-journal", "--answers", str(answers), "--save", str(existing)).returncode == 0
    )
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600


def test_item21_an_existing_journal_readable_by_others_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.touch()
    path.chmod(0o666)
    done = run_cli(
        "--answers",
        str(_answers(tmp_path, EMERGENCY_YAML)),
        env={"SPASM_TRIAGE_JOURNAL": str(path)},
    )
    assert done.returncode == 0
    for file in tmp_path.glob("journal.sqlite3*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_item21_a_journal_owned_by_another_user_is_not_used(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    path.touch()
    os.chown(path, 65534, 65534)
    path.chmod(0o666)
    done = run_cli(
        "--answers",
        str(_answers(tmp_path, EMERGENCY_YAML)),
        env={"SPASM_TRIAGE_JOURNAL": str(path)},
    )
    assert done.returncode == 0 and done.stdout.startswith(f"spasm-triage: {_banner(kb)}")
    assert "belongs to another user" in done.stderr and path.stat().st_size == 0


def test_item21_a_journal_in_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(JournalError, match="can be written by any user"):
        Journal(shared / "journal.sqlite3").open()
    assert not (shared / "journal.sqlite3").exists()


# ---- item 22: case files that never end ----


def test_item22_evaluate_and_test_refuse_devices_and_fifos(tmp_path: Path) -> None:
    fifo = tmp_path / "cases.yaml"
    os.mkfifo(fifo)
    for args in (["evaluate", "/dev/zero"], ["evaluate", str(fifo)], ["test", str(fifo)]):
        done = run_cli(*args)  # a hang would hit run_cli's timeout; /dev/zero would fill memory
        assert done.returncode != 0 and "not a regular file" in done.stderr, args
        assert "Traceback" not in done.stderr


# ---- item 24: messages ----


def test_item24_a_raw_control_character_is_one_line_with_its_line_and_column(
    tmp_path: Path,
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "raw.yaml").write_bytes(b'findings:\n  - id: f\n    means: "a\x1bb"\n')
    done = run_cli("check", str(pack))
    assert done.returncode == 1
    first = (
        done.stdout.splitlines()[0] if "raw.yaml" in done.stdout else done.stderr.splitlines()[0]
    )
    assert first.endswith(
        "raw.yaml:3:14: E001: a raw control character (U+001B) is not allowed in YAML: delete it"
    )
    assert "position" not in done.stdout + done.stderr


def test_item24_a_journal_on_a_read_only_or_full_disk_is_not_called_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for message in ("attempt to write a readonly database", "database or disk is full"):
        journal = Journal(tmp_path / f"{message[:8]}.sqlite3")

        def refuse(readonly: bool, message: str = message) -> sqlite3.Connection:
            raise sqlite3.OperationalError(message)

        monkeypatch.setattr(journal, "_connect", refuse)
        with pytest.raises(JournalError) as raised:
            journal.open()
        assert "cannot be written" in str(raised.value) and "cannot be read" not in str(
            raised.value
        )


def test_item24_a_stale_rules_variable_is_named(tmp_path: Path) -> None:
    gone = tmp_path / "my-old-pack"
    done = run_cli(
        "--answers", str(_answers(tmp_path, EMERGENCY_YAML)), env={"SPASM_TRIAGE_RULES": str(gone)}
    )
    assert done.returncode == 1
    first, *_, last = done.stderr.splitlines()
    assert str(gone) in first and "SPASM_TRIAGE_RULES" in first and SEEK_HELP in last


@pytest.mark.parametrize("option", ["--save", "--journal"])
def test_item24_an_empty_file_name_is_refused_not_ignored(tmp_path: Path, option: str) -> None:
    done = run_cli("--answers", str(_answers(tmp_path, EMERGENCY_YAML)), option, "")
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert f"{option} was given an empty name" in lines[0] and SEEK_HELP in lines[-1]


def test_item24_a_journal_path_with_a_tilde_means_the_home_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = run_cli(
        "--answers", str(_answers(tmp_path, EMERGENCY_YAML)),
        env={"HOME": str(home), "SPASM_TRIAGE_JOURNAL": "~/j.sqlite3"}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (home / "j.sqlite3").exists() and not (tmp_path / "~").exists()


def test_item24_zero_width_characters_in_an_unknown_id_are_shown(tmp_path: Path) -> None:
    done = run_cli(
        "--no-journal", "--answers", str(_answers(tmp_path, f"{SIGN[:3]}\u200b{SIGN[3:]}: yes\n"))
    )
    assert done.returncode == 2
    assert "\\u200b" in done.stderr and "\u200b" not in done.stderr


def test_strip_controls_keeps_layout_and_words() -> None:
    assert strip_controls("a\tb\nc\x1b[2J\x9b\u202ed\u2066") == "a\tb\nc[2Jd"


def test_item3_graph_labels_cannot_end_early_or_carry_markup(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "graph.yaml").write_text(
        textwrap.dedent(
            """\
            findings:
              - id: hostile_finding
                means: 'ends"]) --> x; click x call evil() <b>bold</b> #quot; `md`'
            rules:
              - id: hostile_graph_rule
                when: {can_move: "yes"}
                conclude: hostile_finding
            """
        )
    )
    mermaid = run_cli("--rules", str(pack), "graph", "--focus", "hostile_finding")
    assert mermaid.returncode == 0, mermaid.stderr
    (line,) = [x for x in mermaid.stdout.splitlines() if "f_hostile_finding{{" in x]
    label = line.split('{{"', 1)[1].rsplit('"}}', 1)[0]
    assert not set(label) & set('"<>`') and "#quot;" not in label.replace("#35;quot;", "")
    dot = run_cli("--rules", str(pack), "graph", "--format", "dot", "--focus", "hostile_finding")
    (line,) = [x for x in dot.stdout.splitlines() if x.startswith('  "f_hostile_finding" [')]
    label = line.split('label="', 1)[1].rsplit('"];', 1)[0]
    assert '"' not in label.replace('\\"', "")


def test_item5_journal_text_is_never_read_as_rich_markup(kb: KnowledgeBase) -> None:
    """A draft's keys and times are printed by the questionnaire through rich, whose markup a
    '[/x]' would break (MarkupError: no questionnaire at all) or a '[link=...]' would act on."""
    from rich.console import Console

    from triage.cli.drafts import draft_progress, when

    out = io.StringIO()
    draft = Draft(1, "[/x]", "[link=https://evil]t[/link]", {"[/y]": "yes", "[red]k": 1}, [])
    progress = draft_progress(kb, draft, Console(file=out, width=200))
    assert progress.values == {}
    assert "[/y]" in out.getvalue() and "[red]k" in out.getvalue()  # named as written
    assert when("[/x]") == "[/x]" and when("\x1b[2J") == "\\x1b[2J"


def test_a_fault_of_the_tools_own_still_says_to_seek_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever the error (a pack value no check caught, a bug): one line, then the seek-help
    line, exit 1; never a silent end or a bare traceback."""
    from triage import cli

    def broken(*args: Any, **kwargs: Any) -> int:
        raise ValueError("cannot convert float NaN to integer")

    monkeypatch.setattr(cli, "_consult", broken)
    monkeypatch.delenv("SPASM_TRIAGE_DEBUG", raising=False)
    code = cli.main(["--no-journal", "--answers", str(_answers(tmp_path, EMERGENCY_YAML))])
    first, last = capsys.readouterr().err.splitlines()
    assert (
        code == 1
        and "unexpected error (ValueError" in first
        and last == f"spasm-triage: {NO_ADVICE}"
    )


def test_item18_a_warning_sign_answer_that_cannot_be_read_is_named(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    screen = set(kb.about.protected_sections)
    sign = next(q for q in kb.questions.values() if q.section in screen and q.type == "one_of")
    done = run_cli("--no-journal", "--answers", str(_answers(tmp_path, f"{sign.id}: both\n")))
    assert done.returncode == 2 and done.stdout == ""
    *_, named, last = done.stderr.splitlines()
    assert f"warning-sign question could not be read ({sign.id})" in named
    assert "rules nothing out" in named and last == f"spasm-triage: {NO_ADVICE}"
