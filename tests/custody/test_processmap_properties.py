"""Process map invariants on random trails: every event is counted once, every step pair once."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from statistics import median

from hypothesis import given
from hypothesis import strategies as st

from hague.custody.models import EVENT_TYPES
from hague.custody.trails import Flow
from hague.workflow.processmap import build

trail = st.lists(
    st.tuples(st.sampled_from(EVENT_TYPES), st.integers(min_value=0, max_value=10**6)), min_size=1, max_size=12
)


def flows_of(trails: list[list[tuple[str, int]]]) -> list[Flow]:
    out = []
    for n, steps in enumerate(trails):
        times, t = [], 0.0
        for _, gap in steps:
            t += gap
            times.append(t)
        out.append(Flow(n, f"E-{n}", 1, list(range(1, len(steps) + 1)), [k for k, _ in steps], times))
    return out


@given(st.lists(trail, min_size=1, max_size=20))
def test_counts_and_medians_follow_from_the_trails(trails: list[list[tuple[str, int]]]) -> None:
    graph = build(flows_of(trails))
    events = sum(len(t) for t in trails)
    assert graph["events"] == sum(n["count"] for n in graph["nodes"]) == events
    assert sum(n["starts"] for n in graph["nodes"]) == sum(n["ends"] for n in graph["nodes"]) == len(trails)
    assert sum(e["count"] for e in graph["edges"]) == events - len(trails)
    pairs: dict[tuple[str, str], list[int]] = {}
    for steps in trails:
        for (a, _), (b, gap) in pairwise(steps):
            pairs.setdefault((a, b), []).append(gap)
    assert {(e["from"], e["to"]): e["count"] for e in graph["edges"]} == {k: len(v) for k, v in pairs.items()}
    assert {(e["from"], e["to"]): e["median_seconds"] for e in graph["edges"]} == {
        k: round(median(v)) for k, v in pairs.items()
    }
    assert Counter(k for t in trails for k, _ in t) == {n["type"]: n["count"] for n in graph["nodes"]}
