"""The answers of an unfinished questionnaire, kept after every answer so that Ctrl-C, a closed
terminal or a crash loses nothing; `spasm-triage --resume` reads them back.

The file is health data: it is written atomically, readable by its owner only, and deleted when
the questionnaire finishes. A file that no longer fits the rules is reported and left in place.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from triage import answers
from triage.answers import display_weight
from triage.errors import AnswersError, Location, Problem
from triage.model import KnowledgeBase
from triage.relevance import Progress
from triage.yaml_reader import load_bytes

ENV = "SPASM_TRIAGE_STATE_DIR"
NAME = "unfinished.yaml"


def path() -> Path:
    chosen = os.environ.get(ENV)
    if chosen:
        return Path(chosen) / NAME
    import platformdirs

    return Path(platformdirs.user_state_dir("spasm-triage", appauthor=False)) / NAME


def save(progress: Progress, kb: KnowledgeBase) -> None:
    target = path()
    plain: dict[str, Any] = {}
    for qid, value in progress.values.items():
        if kb.questions[qid].is_weight:  # back to the user's own words and unit
            unit = progress.weight_units.get(qid, "kg")
            plain[qid] = f"{display_weight(value, unit):g} {unit}"
        else:
            plain[qid] = list(value) if isinstance(value, tuple) else value
    document = {
        "saved": datetime.now(UTC).isoformat(timespec="seconds"),
        "answers": plain,
        "left_blank": sorted(progress.blank),
    }
    text = "# spasm-triage: an unfinished questionnaire; `spasm-triage --resume` continues it\n"
    text += yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".unfinished-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(kb: KnowledgeBase) -> tuple[Progress, str] | None:
    """The saved progress and when it was saved, or None when there is none.
    Raises AnswersError (naming the file) when it no longer fits the rules."""
    target = path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    data, problems = load_bytes(raw, str(target))
    if problems:
        raise AnswersError(problems)
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        raise AnswersError(
            [Problem(answers.CODE, "not a saved questionnaire", Location(str(target)))]
        )
    given = answers.from_mapping(data.get("answers") or {}, kb, str(target))
    blank = {q for q in data.get("left_blank") or [] if q in kb.questions}
    progress = Progress(dict(given.values), blank, dict(given.weight_units))
    return progress, str(data.get("saved", "earlier"))


def clear() -> None:
    path().unlink(missing_ok=True)


def set_aside() -> Path:
    """Move an unreadable file out of the way, keeping it, so a new questionnaire can start."""
    target = path()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = target.with_name(f"{target.stem}.unreadable-{stamp}{target.suffix}")
    target.rename(aside)
    return aside
