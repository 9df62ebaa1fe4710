"""The graph as a picture a person can open offline: SVG (Graphviz's where it is installed, else
drawn here), PNG (Graphviz only), or one self-contained HTML page holding the SVG and a key. No
script, font or style is fetched at view time: nothing in the page points anywhere."""

from __future__ import annotations

import shutil
import subprocess
from html import escape

from triage.graph import ASKED_IF, TIER_COLOUR, Edge, Node, draw, node_label, nodes_and_edges
from triage.model import KnowledgeBase
from triage.text import strip_controls

FONT = 12  # px; a character is taken as about 0.6 of it wide
GAP = 190  # between columns: room for an edge's label
ROW = 46


class NeedsGraphviz(Exception):
    """PNG is drawn by Graphviz, which is not installed."""


def graphviz() -> str | None:
    return shutil.which("dot")


def picture(kb: KnowledgeBase, fmt: str, focus: str | None) -> bytes:
    """The picture's bytes in `fmt` (svg, png or html). Raises KeyError for an unknown focus,
    NeedsGraphviz for PNG without Graphviz."""
    nodes, chosen = nodes_and_edges(kb, focus)  # KeyError first, whatever the format
    dot_program = graphviz()
    if fmt == "png":
        if dot_program is None:
            raise NeedsGraphviz
        return _run_dot(dot_program, draw(kb, "dot", focus), "png")
    if dot_program is not None:
        svg = _run_dot(dot_program, draw(kb, "dot", focus), "svg").decode("utf-8")
        svg = svg[svg.index("<svg") :]  # without the XML prolog: it is inlined in a page
    else:
        svg = _svg(kb, nodes, chosen)
    if fmt == "svg":
        return svg.encode("utf-8")
    return _page(svg, focus).encode("utf-8")


def _run_dot(program: str, source: str, fmt: str) -> bytes:
    done = subprocess.run(
        [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=120
    )
    if done.returncode != 0:
        raise OSError(done.stderr.decode("utf-8", "replace").strip() or "Graphviz failed")
    return done.stdout


def _width(text: str) -> int:
    return int(len(text) * FONT * 0.6) + 20


def _layers(nodes: list[Node], chosen: list[Edge]) -> dict[Node, int]:
    """Each node's column: the longest chain of edges that leads to it (asked-if edges, which
    point back at questions, do not count). A cycle is cut after as many steps as nodes."""
    column = dict.fromkeys(nodes, 0)
    flow = [(a, b) for a, b, label in chosen if not label.startswith(ASKED_IF)]
    for _ in range(len(nodes)):
        changed = False
        for a, b in flow:
            if column[b] < column[a] + 1:
                column[b] = column[a] + 1
                changed = True
        if not changed:
            break
    return column


def _svg(kb: KnowledgeBase, nodes: list[Node], chosen: list[Edge]) -> str:
    column = _layers(nodes, chosen)
    labels = {n: strip_controls(node_label(kb, n)) for n in nodes}
    columns: dict[int, list[Node]] = {}
    for node in nodes:
        columns.setdefault(column[node], []).append(node)
    # Order each column by where its nodes' inputs stand: fewer crossings.
    row: dict[Node, float] = {}
    for c in sorted(columns):
        inputs = {n: [row[a] for a, b, _ in chosen if b == n and a in row] for n in columns[c]}
        columns[c].sort(key=lambda n: (sum(inputs[n]) / len(inputs[n]) if inputs[n] else 0, n))
        for i, node in enumerate(columns[c]):
            row[node] = i
    widths = {c: max(_width(labels[n]) for n in columns[c]) for c in columns}
    x: dict[int, int] = {}
    left = 20
    for c in sorted(columns):
        x[c] = left
        left += widths[c] + GAP
    height = max(len(ns) for ns in columns.values()) * ROW + 40
    width = left - GAP + 20
    place = {n: (x[column[n]], 20 + int(row[n]) * ROW) for n in nodes}

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{FONT}">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for a, b, label in chosen:
        (ax, ay), (bx, by) = place[a], place[b]
        x1, y1 = ax + _width(labels[a]), ay + 14
        x2, y2 = bx, by + 14
        if x2 <= x1:  # into a question of the same column or an earlier one: round the top
            x2, y2 = bx + _width(labels[b]) // 2, by
        bend = max(abs(x2 - x1) // 2, 40)
        dash = (
            ' stroke-dasharray="6,4"'
            if label.startswith("not: ")
            else ' stroke-dasharray="2,3"'
            if label.startswith(ASKED_IF)
            else ""
        )
        out.append(
            f'<path d="M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}" fill="none" '
            f'stroke="#555"{dash} marker-end="url(#arrow)"><title>{escape(label)}</title></path>'
        )
        mx, my = (x1 + x2) // 2, (y1 + y2) // 2 - 3
        out.append(
            f'<text x="{mx}" y="{my}" text-anchor="middle" font-size="{FONT - 2}" '
            f'fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{escape(_short(label))}</text>"
        )
    for node in nodes:
        nx, ny = place[node]
        w = _width(labels[node])
        kind = node[0]
        if kind == "suggestion":
            fill, colour, shape = TIER_COLOUR[kb.suggestions[node[1]].tier], "#fff", "rect"
        elif kind == "finding":
            fill, colour, shape = "#fff8e1", "#000", "hexagon"
        else:
            fill, colour, shape = "#f5f5f5", "#000", "round"
        if shape == "hexagon":
            points = f"{nx + 10},{ny} {nx + w - 10},{ny} {nx + w},{ny + 14} {nx + w - 10},{ny + 28} {nx + 10},{ny + 28} {nx},{ny + 14}"
            out.append(f'<polygon points="{points}" fill="{fill}" stroke="#555"/>')
        else:
            rx = 14 if shape == "round" else 3
            out.append(
                f'<rect x="{nx}" y="{ny}" width="{w}" height="28" rx="{rx}" fill="{fill}" '
                'stroke="#555"/>'
            )
        out.append(
            f'<text x="{nx + w // 2}" y="{ny + 18}" text-anchor="middle" fill="{colour}">'
            f"{escape(labels[node])}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _short(text: str, width: int = 40) -> str:
    text = strip_controls(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _page(svg: str, focus: str | None) -> str:
    title = f"spasm-triage: what connects to {focus}" if focus else "spasm-triage: the knowledge"
    key = "".join(
        f'<span style="background:{colour};color:#fff;padding:1px 6px;margin-right:6px">'
        f"{tier}</span>"
        for tier, colour in TIER_COLOUR.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
</head>
<body style="font-family:sans-serif;margin:16px">
<h1 style="font-size:18px">{escape(title)}</h1>
<p style="font-size:13px">Questions (rounded) lead to findings (hexagons) and suggestions
(coloured by tier). Each arrow is a rule, with what it tests; dashed: the rule needs it
<em>absent</em>; dotted: the question is asked only if this holds. Hover over an arrow for its
whole label.</p>
<p style="font-size:13px">{key}</p>
{svg}
</body>
</html>
"""
