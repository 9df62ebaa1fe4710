"""A picture of the knowledge: questions -> findings -> suggestions, each edge a rule, each
suggestion marked with its tier, as Mermaid (renders on GitHub) or Graphviz dot."""

from __future__ import annotations

from triage.conditions import AnswerTest, Condition, leaves
from triage.model import KnowledgeBase
from triage.text import dot, mermaid

Node = tuple[str, str]  # (kind, id): kind is question, finding, suggestion or always
Edge = tuple[Node, Node, str]  # (from, to, label): the rule's id, "not: " before it when negated

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


def edges(kb: KnowledgeBase) -> list[Edge]:
    out: list[Edge] = []
    for rule in kb.rules:
        sources = sorted(_inputs(rule.when)) or [(ALWAYS, False)]
        targets = [("finding", f) for f in rule.conclude]
        targets += [("suggestion", ref.id) for ref in rule.suggest]
        for source, negated in sources:
            label = f"not: {rule.id}" if negated else rule.id
            out += [(source, b, label) for b in targets]
    return out


def _focused(all_edges: list[Edge], focus: Node) -> list[Edge]:
    """Edges on a path into or out of the focus node. Going back from the focus, a guard (an
    edge whose rule needs its source absent) is kept as its own edge but not followed further:
    what would raise a red flag is not part of how, say, glute advice comes about."""
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
    return [e for e in all_edges if e in kept]


def draw(kb: KnowledgeBase, fmt: str = "mermaid", focus: str | None = None) -> str:
    """The graph as text. Raises KeyError when `focus` names nothing in the knowledge base."""
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
    nodes = sorted({n for a, b, _ in chosen for n in (a, b)})
    return _mermaid(kb, nodes, chosen) if fmt == "mermaid" else _dot(kb, nodes, chosen)


def _label(kb: KnowledgeBase, node: Node) -> str:
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
        text = mermaid(_label(kb, node))
        shape = {
            "question": '(["{}"])',
            "finding": '{{{{"{}"}}}}',
            "suggestion": '["{}"]',
            "always": '(("{}"))',
        }[node[0]].format(text)
        tier = f":::{kb.suggestions[node[1]].tier}" if node[0] == "suggestion" else ""
        lines.append(f"  {_key(node)}{shape}{tier}")
    for a, b, label in chosen:
        arrow = "-.->" if label.startswith("not: ") else "-->"
        # Rule ids are plain names (the schema's pattern): nothing in them needs escaping.
        lines.append(f"  {_key(a)} {arrow}|{label}| {_key(b)}")
    for tier, colour in TIER_COLOUR.items():
        lines.append(f"  classDef {tier} fill:{colour},color:#fff")
    return "\n".join(lines) + "\n"


def _dot(kb: KnowledgeBase, nodes: list[Node], chosen: list[Edge]) -> str:
    lines = ["digraph knowledge {", "  rankdir=LR;", '  node [fontname="sans-serif"];']
    for node in nodes:
        text = dot(_label(kb, node))
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
        dashed = ", style=dashed" if label.startswith("not: ") else ""
        lines.append(f'  "{_key(a)}" -> "{_key(b)}" [label="{dot(label)}"{dashed}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
