"""The questionnaire's screens, drawn with rich: the intro, section headings, the urgent banner,
the review of answers and the results. rich honours NO_COLOR and terminals without colour.
Every word of advice comes from the rules; this module only lays it out."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from triage.model import KnowledgeBase, Question
from triage.ranking import Result, answer_words
from triage.relevance import Progress

TIER_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold red",
    "see_clinician": "bold yellow",
    "self_care": "bold green",
    "training": "bold blue",
    "prevention": "bold cyan",
}


def intro(console: Console, kb: KnowledgeBase, kept: bool) -> None:
    """What the tool is (the rules' words), and what Ctrl-C does with the answers: that depends
    on whether a journal keeps them."""
    stop = (
        "Ctrl-C stops at any time: your answers are kept, and 'spasm-triage --resume' carries on."
        if kept
        else "Ctrl-C stops at any time; no journal is in use, so your answers are not kept."
    )
    text = f"{kb.about.intro} {stop}"
    console.print(Panel(text, title="spasm-triage", title_align="left", expand=False))


def section(console: Console, title: str) -> None:
    console.rule(Text(title, style="bold"), align="left")


def _hanging(mark: str, text: Text) -> Table:
    """A numbered or bulleted paragraph with a hanging indent, so wrapped lines stay under it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=max(len(mark), 1), justify="right")
    grid.add_column(ratio=1)
    grid.add_row(mark, text)
    return grid


def urgent_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    urgent = [a for a in result.advice if a.tier == "urgent"]
    if not urgent:
        return
    tier = kb.about.tiers["urgent"]
    action = result.action if result.tier == "urgent" else tier.action
    body = Group(
        Text(action or tier.action, style="bold"),
        *(_hanging("-", Text(a.text)) for a in urgent),
    )
    console.print(Panel(body, title=tier.title, title_align="left", border_style="red"))


def emergency_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    """The emergency advice, the moment the answers mean one: before anything else is asked."""
    emergency = [a for a in result.advice if a.tier == "emergency"]
    tier = kb.about.tiers["emergency"]
    action = result.action if result.tier == "emergency" else tier.action
    body = Group(
        Text(action or tier.action, style="bold"),
        *(_hanging("-", Text(a.text)) for a in emergency),
    )
    console.print(
        Panel(
            body,
            title=Text(tier.title, style=TIER_STYLE["emergency"]),
            title_align="left",
            border_style="red",
        )
    )


def result(console: Console, outcome: Result, kb: KnowledgeBase, *, full: bool = False) -> None:
    """The result screen: the shared layout (triage/layout.py), in the terminal's colours."""
    from triage.layout import lay_out

    lines, _ = lay_out(outcome, kb, full=full, more="'Show why and sources', below, shows them")
    if outcome.tier is None:
        console.print("Nothing in the rules applies to these answers.")
        return
    style = TIER_STYLE[outcome.tier]
    title, action, *rest = lines
    parts: list[RenderableType] = [
        Panel(Text(action.text, style=style), title=title.text, title_align="left", expand=False)
    ]
    for line in rest:
        if line.gap:
            parts.append(Text(""))
        if line.kind == "heading":
            parts.append(Text(line.text, style=TIER_STYLE.get(line.tier or "", "bold")))
        elif line.kind in ("item", "bullet", "source"):
            parts.append(_hanging(line.mark, Text(line.text)))
        elif line.kind == "detail":
            parts.append(_hanging("", Text(line.text, style="dim")))
        elif line.kind == "disclaimer":
            parts.append(Text(line.text, style="dim"))
        else:
            parts.append(Text(line.text, style="italic"))
    height = sum(len(console.render_lines(part, console.options)) for part in parts)
    for part in parts:
        console.print(part)
    # Taller than the terminal: the red-flag action once more, so it is on the last screen too.
    if outcome.tier in kb.about.protected_tiers and height > console.height - 2:
        console.print(Text(action.text, style=style))


def offer_full(console: Console) -> bool:
    """After the short result: ask whether to show why and the sources (the --full result)."""
    from triage import prompts

    # The same keys as every other prompt; Done is pointed at, so Enter ends as before.
    options = [prompts.Option(False, "Done", "d"), prompts.Option(True, "Show why and sources", "s")]
    try:
        return bool(prompts.choose("Anything else?", options, default=False))
    except (KeyboardInterrupt, EOFError):  # the advice is shown and kept: Ctrl-C here is Done
        return False


def answers_table(console: Console, progress: Progress, kb: KnowledgeBase) -> None:
    from triage.answers import Answers

    given = Answers(progress.values, progress.weight_units)
    table = Table(title="Your answers", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("question")
    table.add_column("answer", style="bold")
    for number, question in enumerate(asked_questions(progress, kb), start=1):
        value = progress.values.get(question.id)
        if value is None:
            words = "(left blank)"
        elif isinstance(value, tuple):
            words = ", ".join(question.label(v) for v in value) or "(none)"
        elif question.type == "yes_no":  # the words of the choice, as on the prompt
            words = {"yes": "Yes", "no": "No", "unsure": "Not sure"}.get(value, value)
        else:
            words = answer_words(question, value, given)
        table.add_row(str(number), question.short, words)
    console.print(table)


def asked_questions(progress: Progress, kb: KnowledgeBase) -> list[Question]:
    """The answers given, in the order they were asked (those carried in from a file or a
    draft first, in the rules' order)."""
    given = [q for q in kb.questions.values() if progress.asked(q.id) and not q.journal]
    rank = {qid: i for i, qid in enumerate(progress.order)}
    return sorted(given, key=lambda q: rank.get(q.id, -1))
