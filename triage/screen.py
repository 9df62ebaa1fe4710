"""The questionnaire's screens, drawn with rich: the urgent banner, the review of answers and the
results (the intro and section headings are triage/headings.py's). rich honours NO_COLOR and
terminals without colour. Every word of advice comes from the rules; this module only lays it
out."""

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


def _hanging(mark: str, text: Text) -> Table:
    """A numbered or bulleted paragraph with a hanging indent, so wrapped lines stay under it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=max(len(mark), 1), justify="right")
    grid.add_column(ratio=1)
    grid.add_row(mark, text)
    return grid


def without_action(text: str, action: str) -> str:
    """An item's text without a first sentence that only says the action again: a banner
    states its action once, in bold, and the item goes on from there."""
    said_first = action.rstrip(".")
    if text.startswith(said_first) and len(text) > len(said_first) + 2:
        # The text goes on from the action itself: ", and if you can't be seen today, ..."
        rest = text[len(said_first) :].lstrip(",;:. ")
        rest = rest.removeprefix("and ")
        return rest[:1].upper() + rest[1:]
    first, cut, rest = text.partition(". ")
    if not cut or not rest:
        return text
    words = [w.strip("(),;:.").lower() for w in first.split()]
    said = {w.strip("(),;:.").lower() for w in action.split()}
    if words[:1] != [w.strip("(),;:.").lower() for w in action.split()[:1]]:
        return text
    return rest if sum(w in said for w in words) >= 0.7 * len(words) else text


def urgent_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    urgent = [a for a in result.advice if a.tier == "urgent"]
    if not urgent:
        return
    tier = kb.about.tiers["urgent"]
    action = (result.action if result.tier == "urgent" else tier.action) or tier.action
    body = Group(
        Text(action, style="bold"),
        *(_hanging("-", Text(without_action(a.text, action))) for a in urgent),
    )
    console.print(Panel(body, title=tier.title, title_align="left", border_style="red"))


def emergency_banner(console: Console, result: Result, kb: KnowledgeBase) -> None:
    """The emergency advice, the moment the answers mean one: before anything else is asked."""
    emergency = [a for a in result.advice if a.tier == "emergency"]
    tier = kb.about.tiers["emergency"]
    action = (result.action if result.tier == "emergency" else tier.action) or tier.action
    body = Group(
        Text(action, style="bold"),
        *(_hanging("-", Text(without_action(a.text, action))) for a in emergency),
    )
    console.print(
        Panel(
            body,
            title=Text(tier.title, style=TIER_STYLE["emergency"]),
            title_align="left",
            border_style="red",
        )
    )


MORE_ON_SCREEN = "'m' below shows them"


def parts(
    console: Console, outcome: Result, kb: KnowledgeBase, *, full: bool = False, opened: bool = False
) -> list[RenderableType]:
    """The result screen's pieces: the shared layout (triage/layout.py) in the terminal's
    colours, the action first, in a panel under the tier's title."""
    from triage.layout import lay_out

    if outcome.tier is None:
        return [Text("Nothing in the rules applies to these answers.")]
    lines, _ = lay_out(outcome, kb, full=full, opened=opened, more=MORE_ON_SCREEN)
    style = TIER_STYLE[outcome.tier]
    title, action, *rest = lines
    out: list[RenderableType] = [
        Panel(Text(action.text, style=style), title=title.text, title_align="left", expand=False)
    ]
    for line in rest:
        if line.gap:
            out.append(Text(""))
        if line.kind == "heading":
            out.append(Text(line.text, style=TIER_STYLE.get(line.tier or "", "bold")))
        elif line.kind == "source":  # an address is never cut: it folds onto the next line
            out.append(_hanging(line.mark, Text(line.text, overflow="fold")))
        elif line.kind in ("item", "bullet"):
            out.append(_hanging(line.mark, Text(line.text)))
        elif line.kind == "detail":
            out.append(_hanging("", Text(line.text, style="dim")))
        elif line.kind == "disclaimer":
            out.append(Text(line.text, style="dim"))
        else:
            out.append(Text(line.text, style="italic"))
    return out


def result(console: Console, outcome: Result, kb: KnowledgeBase, *, full: bool = False) -> None:
    """The result screen, printed (the questionnaire shows it in triage/result_view.py, which
    opens at its top and keeps its menu under it)."""
    for part in parts(console, outcome, kb, full=full):
        console.print(part)


def answers_table(console: Console, progress: Progress, kb: KnowledgeBase) -> None:
    from triage.answers import Answers

    given = Answers(progress.values, progress.weight_units)
    table = Table(title="Your answers", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("question")
    table.add_column("answer", style="bold")
    for number, question in enumerate(asked_questions(progress, kb), start=1):
        value = progress.values.get(question.id)
        label = question.short
        if on_its_line(question, value):
            # A checklist's sign that gives one answer when ticked: shown in the words the
            # person saw, with the plain answer to that line (what the checklist says: what is
            # left unticked is "no"), never as a blank or as its question's reverse.
            label = question.sign
            words = {question.tick: "Yes", "unsure": "Not sure"}.get(value, "No")
        elif value is None:
            words = "(left blank)"
        elif isinstance(value, tuple):
            words = ", ".join(question.label(v) for v in value) or "(none)"
        elif question.type == "yes_no":  # the words of the choice, as on the prompt
            words = {"yes": "Yes", "no": "No", "unsure": "Not sure"}.get(value, value)
        else:
            words = answer_words(question, value, given)
        table.add_row(str(number), label, words)
    console.print(table)


def on_its_line(question: Question, value: object) -> bool:
    """Whether an answer reads as a mark on the question's checklist line: a sign with a
    `tick`, ticked, unticked (blank) or marked not sure."""
    return (
        question.tick is not None
        and bool(question.sign)
        and (value is None or value in (question.tick, "unsure"))
    )


def asked_questions(progress: Progress, kb: KnowledgeBase) -> list[Question]:
    """The answers given, in the order they were asked (those carried in from a file or a
    draft first, in the rules' order)."""
    given = [q for q in kb.questions.values() if progress.asked(q.id) and not q.journal]
    rank = {qid: i for i, qid in enumerate(progress.order)}
    return sorted(given, key=lambda q: rank.get(q.id, -1))
