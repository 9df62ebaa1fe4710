"""The Markdown handover for a clinician (`--save`, `--format markdown`): the date, the result
with its reasons, what to tell them, the advice in full (the shared layout's order), the answers
given in words, and the sources with their links. Every word of advice comes from the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.answers import Answers
from triage.layout import Line, lay_out
from triage.model import KnowledgeBase
from triage.ranking import Result, answer_words
from triage.text import markdown, markdown_url


def to_markdown(result: Result, kb: KnowledgeBase, answers: Answers | None = None) -> str:
    lines, sources = lay_out(result, kb, full=True)
    out = [f"# spasm-triage: {_escape(_title(result, kb))}", ""]
    out += [f"Date: {datetime.now().astimezone().strftime('%d %B %Y, %H:%M')}", ""]
    if result.tier is not None:
        out += [f"**{_escape(result.action or '')}**", ""]
    if result.reported:
        out += [f"## {_escape(kb.about.words.reported_title)}", ""]
        out += [f"- {_escape(sign)}" for sign in result.reported]
        out.append("")
    for line in lines[2:]:
        if line.kind == "disclaimer" or (line.kind == "heading" and line.text == "Sources"):
            break
        out.extend(_md(line))
    out.append("")
    if answers is not None:
        out += ["## Answers given", ""]
        out += [f"- {short}: {words}" for short, words in _answered(kb, answers)]
        out.append("")
    if sources.order:
        out += ["## Sources", ""]
        for sid in sources.order:
            source = kb.sources[sid]
            url = markdown_url(source.url) if source.url else None
            name = f"[{_escape(source.title)}]({url})" if url else _escape(source.title)
            if source.url and not url:  # not a web address: shown, never linked
                name += f" ({_escape(source.url)})"
            where = f" (saved copy: {_code(source.file)})" if source.file else ""
            out.append(f"{sources.number(sid)}. {name}, {_escape(source.published)}{where}")
        out.append("")
    out += [f"_{_escape(result.disclaimer)}_", ""]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def _title(result: Result, kb: KnowledgeBase) -> str:
    if result.tier is None:
        return "nothing in the rules applies"
    return kb.about.tiers[result.tier].title


def _md(line: Line) -> list[str]:
    text = _escape(line.text)
    if line.kind == "heading":
        return ["", f"## {text}", ""]
    if line.kind == "item":
        return [f"{line.mark} {text}"]
    if line.kind == "bullet":
        return [f"- {text}"]
    if line.kind == "detail":
        # Indented under its item: a sub-list, not a run-on paragraph.
        return [f"    - {text}"]
    if line.kind == "note":
        return ["", text, ""]
    return [text]


def _escape(text: str) -> str:
    """Keep the rules' words literal: no mark, HTML, comment or link in them acts (a pack's
    `<!--` would hide the rest of the handover, the emergency included)."""
    return markdown(text)


def _code(text: str) -> str:
    """A file name as code, unless a backtick in it would end the code span early."""
    plain = " ".join(text.split())
    return f"`{plain}`" if "`" not in plain else _escape(plain)


def _answered(kb: KnowledgeBase, answers: Answers) -> list[tuple[str, str]]:
    out = []
    for question in kb.questions.values():
        value: Any = answers.values.get(question.id)
        if value is None:
            continue
        if isinstance(value, tuple):
            words = ", ".join(question.label(v) for v in value) or "none"
        else:
            words = answer_words(question, value, answers)
        out.append((_escape(question.short), _escape(words)))
    return out
