"""The actual custody process as a directly-follows graph (event types, counts, median waits), in JSON and SVG.

A node counts the events of a type (and how many trails start or end there); an edge A → B counts
how often B directly follows A in an item's trail, with the median time between them.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from hague.custody.trails import Flow, load_flows

NODE_W, NODE_H, ROW, TOP = 170, 40, 78, 50


def build(flows: list[Flow], scope: str = "") -> dict[str, Any]:
    """The directly-follows graph of `flows` as JSON-ready data."""
    counts: dict[str, int] = defaultdict(int)
    starts: dict[str, int] = defaultdict(int)
    ends: dict[str, int] = defaultdict(int)
    positions: dict[str, list[int]] = defaultdict(list)
    waits: dict[tuple[str, str], list[float]] = defaultdict(list)
    events = 0
    for flow in flows:
        types, times = flow.types, flow.times
        starts[types[0]] += 1
        ends[types[-1]] += 1
        for index, kind in enumerate(types):
            counts[kind] += 1
            positions[kind].append(index)
            if index:
                waits[(types[index - 1], kind)].append(times[index] - times[index - 1])
        events += len(types)
    order = sorted(counts, key=lambda t: (median(positions[t]), -counts[t], t))
    rank = {t: n for n, t in enumerate(order)}
    return {
        "scope": scope,
        "items": len(flows),
        "events": events,
        "nodes": [{"type": t, "count": counts[t], "starts": starts[t], "ends": ends[t]} for t in order],
        "edges": [
            {"from": a, "to": b, "count": len(w), "median_seconds": round(median(w))}
            for (a, b), w in sorted(waits.items(), key=lambda kv: (rank[kv[0][0]], rank[kv[0][1]]))
        ],
    }


def scope_name(case_code: str | None, organisation: str | None) -> str:
    """How a map names what it covers."""
    return f"case {case_code.upper()}" if case_code else f"organisation {(organisation or '').upper()}"


def process_map(session: Session, *, case_code: str | None = None, organisation: str | None = None) -> dict[str, Any]:
    """The process map of a case, or of the items an organisation owns."""
    flows = load_flows(session, case_code=case_code, organisation=organisation)
    return build(flows, scope_name(case_code, organisation))


def _duration(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds // 60} min"


def to_svg(graph: dict[str, Any]) -> str:
    """Draw the graph: steps top to bottom in typical order, forward edges right, backward edges left."""
    nodes = graph["nodes"]
    rank = {node["type"]: i for i, node in enumerate(nodes)}
    top = max((e["count"] for e in graph["edges"]), default=1)
    span = max((abs(rank[e["to"]] - rank[e["from"]]) for e in graph["edges"]), default=1)
    centre = 140 + 60 * span + NODE_W // 2
    width = 2 * centre
    height = TOP + ROW * max(len(nodes), 1) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
        f'<text x="{centre}" y="24" text-anchor="middle" font-size="15" font-weight="bold">'
        f"{escape(graph['scope'])}: {graph['items']} items, {graph['events']} events</text>",
    ]
    for edge in graph["edges"]:
        a, b = rank[edge["from"]], rank[edge["to"]]
        y1, y2 = TOP + a * ROW + NODE_H // 2, TOP + b * ROW + NODE_H // 2
        stroke = 1 + 6 * edge["count"] / top
        label = f"{edge['count']} · {_duration(edge['median_seconds'])}"
        title = f"<title>{escape(edge['from'])} → {escape(edge['to'])}: {escape(label)}</title>"
        if a == b:
            x = centre + NODE_W // 2
            path = f"M{x},{y1 - 8} C{x + 45},{y1 - 30} {x + 45},{y1 + 30} {x},{y1 + 8}"
            lx, ly = x + 48, y1 + 4
        elif b == a + 1:
            path = f"M{centre},{y1 + NODE_H // 2} L{centre},{y2 - NODE_H // 2}"
            lx, ly = centre + 8, (y1 + y2) // 2 + 4
        else:
            side = 1 if b > a else -1
            x = centre + side * NODE_W // 2
            bulge = x + side * (40 + 60 * abs(b - a))
            path = f"M{x},{y1} C{bulge},{y1} {bulge},{y2} {x},{y2}"
            lx, ly = (x + bulge) // 2 + side * 20, (y1 + y2) // 2
        anchor = "end" if a != b and b < a else "start"
        out.append(
            f'<g class="edge">{title}<path d="{path}" fill="none" stroke="#555" stroke-width="{stroke:.1f}" '
            f'marker-end="url(#arrow)" opacity="0.8"/>'
            f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" fill="#222">{escape(label)}</text></g>'
        )
    for node in nodes:
        y = TOP + rank[node["type"]] * ROW
        out.append(
            f'<g class="node"><title>{escape(node["type"])}: {node["count"]} events, {node["starts"]} start, '
            f'{node["ends"]} end here</title><rect x="{centre - NODE_W // 2}" y="{y}" width="{NODE_W}" '
            f'height="{NODE_H}" rx="8" fill="#e8f0fb" stroke="#2c5aa0"/>'
            f'<text x="{centre}" y="{y + 17}" text-anchor="middle" font-weight="bold">{escape(node["type"])}</text>'
            f'<text x="{centre}" y="{y + 32}" text-anchor="middle">{node["count"]}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)
