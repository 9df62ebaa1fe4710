"""A picture of the knowledge: questions -> findings -> suggestions, each edge a rule with the
values it tests, each suggestion marked with its tier, and a question's `ask_if` as an edge
into it; as Mermaid (renders on GitHub) or Graphviz dot (triage.graph_picture draws SVG, PNG
and a self-contained HTML page)."""

from __future__ import annotations

from triage.conditions import OP_WORDS, AnswerTest, Condition, leaves
from triage.model import KnowledgeBase
from triage.text import dot, mermaid

Node = tuple[str, str]  # (kind, id): kind is question, finding, suggestion or always
# (from, to, label): the rule's id and what it tests of `from` ("not: " before it when the rule
# needs it absent), or "asked if: ..." for a question's ask_if.
Edge = tuple[Node, Node, str]
ASKED_IF = "asked if: "

TIER_COLOUR = {
    "emergency": "#c62828",
    "urgent": "#ef6c00",
    "see_clinician": "#f9a825",
    "self_care": "#2e7d32",
    "training": "#1565c0",
    "prevention": "#00838f",
}
ALWAYS: Node = ("always", "always")


def _inputs(cond: Condition) -> set[tuple[Node, bool]]:
    """What a condition reads, and whether it reads it under a `not` (the rule needs it absent)."""
    return {
        (("question", t.question) if isinstance(t, AnswerTest) else ("finding", t.finding), negated)
        for t, negated in leaves(cond)
    }


def _tested(cond: Condition, node: Node, negated: bool) -> str:
    """What a condition tests of one question: 'is yes', 'is at least 6'; '' for a finding."""
    words = []
    for test, under_not in leaves(cond):
        if not isinstance(test, AnswerTest) or under_not != negated:
            continue
        if ("question", test.question) == node:
            words.append(f"{OP_WORDS[test.op]} {_values(test)}")
    return "; ".join(dict.fromkeys(words))


def _values(test: AnswerTest) -> str:
    values = test.value if isinstance(test.value, tuple) else (test.value,)
    return ", ".join(str(v) for v in values)


def edges(kb: KnowledgeBase) -> list[Edge]:
    out: list[Edge] = []
    for rule in kb.rules:
        sources = sorted(_inputs(rule.when)) or [(ALWAYS, False)]
        targets = [("finding", f) for f in rule.conclude]
        targets += [("suggestion", ref.id) for ref in rule.suggest]
        for source, negated in sources:
            tested = _tested(rule.when, source, negated)
            label = f"{rule.id}: {tested}" if tested else rule.id
            label = f"not: {label}" if negated else label
            out += [(source, b, label) for b in targets]
    return out


def asked_if(kb: KnowledgeBase, questions: set[str]) -> list[Edge]:
    """For each of these questions, an edge from every question its ask_if reads."""
    out: list[Edge] = []
    for qid in sorted(questions):
        condition = kb.questions[qid].ask_if
        if condition is None:
            continue
        for source, negated in sorted(_inputs(condition)):
            tested = _tested(condition, source, negated)
            label = f"{ASKED_IF}{'not ' if negated else ''}{tested or source[1]}"
            out.append((source, ("question", qid), label))
    return out


def _rule_of(label: str) -> str:
    return label.removeprefix("not: ").split(":", 1)[0]


def _focused(all_edges: list[Edge], focus: Node) -> list[Edge]:
    """Edges on a path into or out of the focus node, with every condition of each rule drawn.
    Going back from the focus, a guard (an edge whose rule needs its source absent) is kept as
    its own edge but not followed further: what would raise a red flag is not part of how, say,
    glute advice comes about."""
    kept: set[Edge] = set()
    seen, todo = {focus}, [focus]
    while todo:  # forward: everything the focus leads to
        node = todo.pop()
        for edge in all_edges:
            if edge[0] == node:
                kept.add(edge)
                if edge[1] not in seen:
                    seen.add(edge[1])
                    todo.append(edge[1])
    seen, todo = {focus}, [focus]
    while todo:  # back: everything that leads to it, up to the guards
        node = todo.pop()
        for edge in all_edges:
            if edge[1] == node:
                kept.add(edge)
                if edge[0] not in seen and not edge[2].startswith("not: "):
                    seen.add(edge[0])
                    todo.append(edge[0])
    # A rule on the picture is drawn whole: its other conditions too, not only the one on the
    # focus's path (a question's rule may also need another answer, or a finding absent).
    drawn = {(_rule_of(label), b) for _, b, label in kept}
    kept |= {e for e in all_edges if (_rule_of(e[2]), e[1]) in drawn}
    return [e for e in all_edges if e in kept]


def draw(kb: KnowledgeBase, fmt: str = "mermaid", focus: str | None = None) -> str:
    """The graph as text. Raises KeyError when `focus` names nothing in the knowledge base."""
    nodes, chosen = nodes_and_edges(kb, focus)
    return _mermaid(kb, nodes, chosen) if fmt == "mermaid" else _dot(kb, nodes, chosen)


def nodes_and_edges(kb: KnowledgeBase, focus: str | None = None) -> tuple[list[Node], list[Edge]]:
    """What is drawn: every rule's edges, or those that connect to `focus`; then, into each
    question drawn, its ask_if. Raises KeyError when `focus` names nothing."""
    chosen = edges(kb)
    if focus is not None:
        kinds = [
            k
            for k, table in (
                ("question", kb.questions),
                ("finding", kb.findings),
                ("suggestion", kb.suggestions),
            )
            if focus in table
        ]
        if not kinds:
            raise KeyError(focus)
        chosen = _focused(chosen, (kinds[0], focus))
        alone = {(kinds[0], focus)}  # the focus itself, even with nothing connected to it
    else:
        alone = set()
    questions = {n[1] for a, b, _ in chosen for n in (a, b) if n[0] == "question"}
    questions |= {n[1] for n in alone if n[0] == "question"}
    chosen = chosen + asked_if(kb, questions)
    return sorted({n for a, b, _ in chosen for n in (a, b)} | alone), chosen


def node_label(kb: KnowledgeBase, node: Node) -> str:
    kind, ident = node
    if kind == "suggestion":
        return f"{ident} [{kb.suggestions[ident].tier}]"
    if kind == "question":
        return _short(f"{ident}: {kb.questions[ident].short}")
    if kind == "finding":
        return _short(f"{ident}: {kb.findings[ident].means}")
    return "always"


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _key(node: Node) -> str:
    return f"{node[0][0]}_{node[1]}"


def _mermaid(kb: KnowledgeBase, nodes: list[Node], chosen: list[Edge]) -> str:
    lines = ["flowchart LR"]
    for node in nodes:
        text = mermaid(node_label(kb, node))
        shape = {
            "question": '(["{}"])',
            "finding": '{{{{"{}"}}}}',
            "suggestion": '["{}"]',
            "always": '(("{}"))',
        }[node[0]].format(text)
        tier = f":::{kb.suggestions[node[1]].tier}" if node[0] == "suggestion" else ""
        lines.append(f"  {_key(node)}{shape}{tier}")
    for a, b, label in chosen:
        arrow = "-.->" if label.startswith("not: ") else "==>" if label.startswith(ASKED_IF) else "-->"
        lines.append(f'  {_key(a)} {arrow}|"{mermaid(label)}"| {_key(b)}')
    for tier, colour in TIER_COLOUR.items():
        lines.append(f"  classDef {tier} fill:{colour},color:#fff")
    return "\n".join(lines) + "\n"


def _dot(kb: KnowledgeBase, nodes: list[Node], chosen: list[Edge]) -> str:
    lines = ["digraph knowledge {", "  rankdir=LR;", '  node [fontname="sans-serif"];']
    for node in nodes:
        text = dot(node_label(kb, node))
        if node[0] == "suggestion":
            colour = TIER_COLOUR[kb.suggestions[node[1]].tier]
            style = f'shape=box, style=filled, fillcolor="{colour}", fontcolor=white'
        else:
            style = {
                "question": "shape=box, style=rounded",
                "finding": "shape=hexagon",
                "always": "shape=circle",
            }[node[0]]
        lines.append(f'  "{_key(node)}" [{style}, label="{text}"];')
    for a, b, label in chosen:
        style = (
            ", style=dashed"
            if label.startswith("not: ")
            else ", style=dotted"
            if label.startswith(ASKED_IF)
            else ""
        )
        lines.append(f'  "{_key(a)}" -> "{_key(b)}" [label="{dot(label)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
