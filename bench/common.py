"""Shared bench helpers: a result record, a timer, and scratch folders on the store's filesystem."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """One measurement: value and baseline in the same unit, the ratio, and whether the goal holds."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""
    passed: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """value / baseline."""
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**asdict(self), "ratio": self.ratio}


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    """Yields a function returning elapsed seconds (frozen when the block ends)."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def best_of(n: int, func: Callable[[], Any]) -> float:
    """Fastest of `n` timed runs of `func`, in seconds (least disturbed by noisy neighbours)."""
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best
