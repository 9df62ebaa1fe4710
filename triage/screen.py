"""The questionnaire's screens, drawn with rich: the intro, section headings, the urgent banner,
the review of answers and the results. rich honours NO_COLOR and terminals without colour.
Every word of advice comes from the rules; this module only lays it out."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from triage.model import KnowledgeBase, Question
from triage.ranking import Advice, Result, answer_words
from triage.relevance import Progress
from triage.report import flat_reasons, source_lines

TIER_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold red",
    "see_clinician": "bold yellow",
    "self_care": "bold green",
    "training": "bold blue",
    "prevention": "bold cyan",
}


def intro(console: Console, kb: KnowledgeBase) -> None:
    console.print(Panel(kb.about.intro, title="spasm-triage", title_align="left", expand=False))


def section(console: Console, title: str) -> None:
    console.rule(Text(title, style="bold"), align="left")


def _advice(advice: Advice, kb: KnowledgeBase, number: int | None) -> Table:
    """One suggestion with a hanging indent, so wrapped lines stay under their text."""
    evidence = advice.suggestion.evidence.replace("_", " ")
    parts = [
        Text(advice.text),
        Text(f"confidence {advice.confidence:.0%} ({evidence})", style="dim"),
    ]
    reasons = flat_reasons(advice.because)
    if reasons:
        parts.append(Text(f"because: {'; '.join(reasons)}", style="italic"))
    parts.extend(Text(line, style="dim") for line in source_lines(advice, kb, ""))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right")
    grid.add_column(ratio=1)
    grid.add_row(f"{number}." if number is not None else "-", Group(*parts))
    return grid


def urgent_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    urgent = [a for a in result.advice if a.tier == "urgent"]
    if not urgent:
        return
    tier = kb.about.tiers["urgent"]
    body = Group(Text(tier.action, style="bold"), *(_advice(a, kb, None) for a in urgent))
    console.print(Panel(body, title=tier.title, title_align="left", border_style="red"))


def emergency_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    """The emergency advice, the moment the answers mean one: before anything else is asked."""
    emergency = [a for a in result.advice if a.tier == "emergency"]
    tier = kb.about.tiers["emergency"]
    body = Group(Text(tier.action, style="bold"), *(_advice(a, kb, None) for a in emergency))
    console.print(
        Panel(
            body,
            title=Text(tier.title, style=TIER_STYLE["emergency"]),
            title_align="left",
            border_style="red",
        )
    )


def result(console: Console, outcome: Result, kb: KnowledgeBase) -> None:
    if outcome.tier is None:
        console.print("Nothing in the rules applies to these answers.")
        return
    overall = kb.about.tiers[outcome.tier]
    console.print(
        Panel(
            Text(f"{overall.title}: {overall.action}", style=TIER_STYLE[outcome.tier]), expand=False
        )
    )
    for tier, group in outcome.by_tier():
        blocks = [_advice(advice, kb, number) for number, advice in group]
        title = Text(kb.about.tiers[tier].title, style=TIER_STYLE[tier])
        console.print(Panel(Group(*blocks), title=title, title_align="left"))
    for debate in outcome.disagreements:
        d = debate.disagreement
        lines: list[Text | Table] = [
            Text("We suggest:", style="bold"),
            _advice(debate.preferred, kb, None),
        ]
        for other in debate.dissent:
            lines += [Text("The other view:", style="bold"), _advice(other, kb, None)]
        lines.append(Text(f"Why we prefer the first: {d.why}", style="italic"))
        console.print(
            Panel(Group(*lines), title=f"Where the advice disagrees: {d.topic}", title_align="left")
        )
    nets = outcome.safety_net
    if nets:
        console.print(
            Panel(
                Group(*(_advice(a, kb, None) for a in nets)),
                title="Get help if things change",
                title_align="left",
                border_style="yellow",
            )
        )
    if outcome.left_out:
        console.print(
            f"Training and prevention advice is left out until the emergency is dealt "
            f"with ({len(outcome.left_out)} suggestion(s))."
        )
    console.print(Text(outcome.disclaimer, style="dim"))


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
