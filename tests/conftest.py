"""Shared helpers: small knowledge bases written as YAML text, the way an author writes them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from triage import answers, ranking
from triage.engine import Engine
from triage.knowledge import cache, loading
from triage.model import KnowledgeBase

CASES = Path(__file__).parent / "cases"
AK47 = Path(__file__).parents[1] / "rules" / "examples" / "tnation_ak47.yaml"  # the demo's lifter

# Tests never touch the person's own journal, cache or settings, and leave nothing behind: the
# whole run (pytest's tmp_path folders, every tempfile, a home folder for anything that looks
# for one) lives in one folder, removed when the run ends. Subprocesses inherit all of it.
SESSION = Path(tempfile.mkdtemp(prefix="spasm-triage-tests-"))
for _name in ("home", "tmp", "tmux"):
    (SESSION / _name).mkdir()
os.environ.update(
    {
        "HOME": str(SESSION / "home"),
        "XDG_DATA_HOME": str(SESSION / "home" / "data"),
        "XDG_CACHE_HOME": str(SESSION / "home" / "cache"),
        "XDG_STATE_HOME": str(SESSION / "home" / "state"),
        "XDG_CONFIG_HOME": str(SESSION / "home" / "config"),
        "TMPDIR": str(SESSION / "tmp"),
        "TMUX_TMPDIR": str(SESSION / "tmux"),  # the terminal tests' tmux sockets
        cache.ENV: str(SESSION / "cache"),
        "SPASM_TRIAGE_JOURNAL": str(SESSION / "journal.sqlite3"),
    }
)
tempfile.tempdir = str(SESSION / "tmp")
# hypothesis keeps no example database, nor its other files, in the checkout.
set_hypothesis_home_dir(str(SESSION / "hypothesis"))
settings.register_profile("spasm-triage", database=None)
settings.load_profile("spasm-triage")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SESSION, ignore_errors=True)


# A person with none of the red flags, in the shipped rules' words.
NO_RED_FLAGS = {
    "saddle_numbness": "no",
    "bladder_bowel_change": "no",
    "leg_symptoms": "none",
    "leg_weakness": "no",
    "major_trauma": "no",
    "collapse_signs": "no",
    "kidney_pain_pattern": "no",
    "upper_back_pain": "no",
    "worse_on_straining": "no",
    "fever": "no",
    "infection_risk": "no",
    "cancer_history": "no",
    "weight_loss": "no",
    "night_pain": "no",
    "bone_risk": "no",
    "fall_or_knock": "no",
    "steroid_injections": "no",
    "inflammatory_pattern": "no",
    "dark_urine_after_training": "no",
    "injection_site_infection": "no",
    "urine_infection_signs": "no",
    "mid_back_pain": "no",
    "same_moving_or_resting": "no",
    "eases_lying_down": "no",
    "age": 30,
}


def _every_red_flag_answered_no() -> None:
    """NO_RED_FLAGS names the shipped red flags as they were written; a red-flag question an
    author adds is answered "no" (or "none", or nothing ticked) too, derived from the rules, so
    no test needs to learn it."""
    shipped_kb = loading.load()
    screened = {s.id for s in shipped_kb.sections if s.always_ask}
    for q in shipped_kb.questions.values():
        if q.section not in screened or q.id in NO_RED_FLAGS or q.journal:
            continue
        if q.type == "yes_no":
            NO_RED_FLAGS[q.id] = "no"
        elif q.type == "many_of":
            NO_RED_FLAGS[q.id] = []
        elif q.type == "one_of" and "none" in q.choice_ids:
            NO_RED_FLAGS[q.id] = "none"


_every_red_flag_answered_no()

# The smallest complete knowledge base: the 'about' block and one source. Tests add the rest.
BASE = """
about:
  disclaimer: "Not a diagnosis."
  weight_unit_question: weight_unit
  tiers:
    emergency: {title: Emergency, action: Go now.}
    urgent: {title: Urgent, action: See a doctor within 24-48 hours.}
    see_clinician: {title: See a clinician, action: Book a GP or physio.}
    self_care: {title: Self care, action: Do this now.}
    training: {title: Training, action: Change your training.}
    prevention: {title: Prevention, action: Keep it from coming back.}
sources:
  # Each with an address, which check asks of every source (W110), in as many lines as
  # before, so that the positions tests expect in this text stay where they were.
  - {id: thread, kind: forum_thread, title: A thread,
     published: A forum,
     url: "https://forum.example.org/t/a-thread/1"}
  - {id: guide, kind: guideline, title: A guideline,
     published: A body,
     url: "https://www.example.org/a-guideline"}
questions:
  - id: weight_unit
    ask: kg or lb?
    type: one_of
    choices: {kg: kg, lb: lb}
    why: So numbers come back in your unit.
"""


def write_rules(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return directory


def write_pack(tmp_path: Path, text: str, name: str = "pack") -> Path:
    """A one-file local rule pack (`local.yaml`) in its own folder under tmp_path."""
    return write_rules(tmp_path / name, {"local.yaml": text})


def make_kb(tmp_path: Path, rules: str, base: str = BASE) -> KnowledgeBase:
    return loading.load([write_rules(tmp_path / "rules", {"base.yaml": base, "test.yaml": rules})])


def consult(kb: KnowledgeBase, given: dict[str, Any]) -> ranking.Result:
    parsed = answers.from_mapping(given, kb)
    return ranking.rank(kb, parsed, Engine(kb).consult(parsed))


def run_cli(
    *args: str,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it (from another directory, so the installed rules are
    used), with a journal of its own unless the test gives one: no run sees another's history."""
    journal = {"SPASM_TRIAGE_JOURNAL": f"{tempfile.mkdtemp()}/journal.sqlite3"}
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd or tempfile.gettempdir(),
        env={**os.environ, **journal, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="session")
def shipped() -> KnowledgeBase:
    return loading.load()


@pytest.fixture(scope="session")
def shipped_engine(shipped: KnowledgeBase) -> Engine:
    return Engine(shipped)
