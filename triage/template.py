"""An answers file to fill in: every question the questionnaire can ask, in its order, each with
its wording, why it is asked and what it takes, as comments over a blank answer."""

from __future__ import annotations

import textwrap

from triage.conditions import YES_NO, All, AnswerTest, Condition, FindingTest, Not
from triage.model import KnowledgeBase, Question

WIDTH = 96


def answers_template(kb: KnowledgeBase) -> str:
    titles = {section.id: section.title for section in kb.sections}
    screen = " and ".join(
        f"'{titles.get(s, s)}'" for s in kb.about.protected_sections if s in titles
    )
    # What the tool does with a blank, said as it is: a blank warning sign is taken as no
    # (and named in the result as not answered), so "not sure" must be written, not left out.
    lines = [
        "# spasm-triage answers. Fill in what you know and leave the rest blank (unknown).",
        *_comment(
            f"A blank warning sign{f' (the {screen} questions)' if screen else ''} counts as "
            "'no', and the result lists it as not answered: if you are not sure about a yes/no sign, "
            "write unsure, never a blank."
        ),
        "# Then: spasm-triage --answers THIS_FILE",
        "# Questions marked 'asked only if' matter only in that case: leave them blank otherwise.",
    ]
    section = None
    for question in kb.questions.values():
        if question.journal:
            continue  # filled from the spasm journal, never asked
        if question.section != section:
            section = question.section
            lines += ["", f"# --- {titles.get(section, section)} ---"]
        lines += ["", *_comment(question.ask), *_comment(f"Why: {question.why}")]
        lines += _comment(_accepts(question))
        if question.ask_if is not None:
            lines += _comment(f"Asked only if: {_depends(question, kb)}")
        lines.append(f"{question.id}:")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(text, WIDTH - 2)]


def _accepts(question: Question) -> str:
    if question.type == "yes_no":
        return f"Answer: {' / '.join(YES_NO)}"
    if question.type in ("one_of", "many_of"):
        choices = "; ".join(f"{cid} ({label})" for cid, label in question.choices)
        if question.type == "one_of":
            return f"Answer one of: {choices}"
        return f"Answer a list of any of, e.g. [{question.choice_ids[0]}]: {choices}"
    if question.type == "scale":
        return "Answer: a whole number from 0 (none) to 10 (worst)"
    if question.is_weight:
        return "Answer: a weight with its unit, e.g. 140 kg or 310 lb"
    span = ""
    if question.min is not None and question.max is not None:
        span = f", from {question.min:g} to {question.max:g}"
    unit = f" of {question.unit}" if question.unit else ""
    return f"Answer: a number{unit}{span}"


def _depends(question: Question, kb: KnowledgeBase) -> str:
    assert question.ask_if is not None
    return _words(question.ask_if, kb)


def _words(cond: Condition, kb: KnowledgeBase) -> str:
    """A condition on one line, as `explain` words its tests."""
    from triage.explain import test_words

    if isinstance(cond, AnswerTest):
        return test_words(cond, kb)
    if isinstance(cond, FindingTest):
        return (
            kb.findings[cond.finding].means.lower() if cond.finding in kb.findings else cond.finding
        )
    if isinstance(cond, Not):
        return f"not ({_words(cond.part, kb)})"
    joiner = " and " if isinstance(cond, All) else " or "
    words = [_words(part, kb) for part in cond.parts]
    return joiner.join(words) if len(words) < 2 else "(" + joiner.join(words) + ")"
