"""Conformance of custody trails to their organisation's SOP: which items deviate, where (event), and how.

Kinds: `not_a_start`, `unknown_step`, `skipped_step` (the event is reachable, but steps were left
out), `illegal_transition`, `missing_field`, `overdue` (longer in a step than its `max_duration`),
`open_end` (the trail stops in a step the SOP does not allow as an end).
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hague.custody.trails import Trail, load_trails
from hague.workflow.sop import Sop, current_sops


@dataclass(frozen=True)
class Deviation:
    """One departure from the SOP at one event of one item."""

    ern: str
    seq: int
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


@dataclass
class ConformanceReport:
    """Result of a check: items checked, items without an SOP, and every deviation."""

    checked: int = 0
    without_sop: list[str] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)

    @property
    def deviant_items(self) -> list[str]:
        """ERNs with at least one deviation, in order."""
        return list(dict.fromkeys(d.ern for d in self.deviations))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "checked": self.checked,
            "conforming": self.checked - len(self.deviant_items),
            "deviant_items": self.deviant_items,
            "without_sop": self.without_sop,
            "deviations": [d.to_dict() for d in self.deviations],
        }


class _Compiled:
    """An SOP prepared for fast checking: transition sets and shortest skipped paths."""

    def __init__(self, sop: Sop) -> None:
        self.sop = sop
        self.next = {name: set(step.next) for name, step in sop.steps.items()}
        self.paths: dict[tuple[str, str], list[str]] = {}
        for origin in sop.steps:
            seen = {origin: [origin]}
            queue = deque([origin])
            while queue:
                here = queue.popleft()
                for nxt in sop.steps[here].next:
                    if nxt not in seen:
                        seen[nxt] = [*seen[here], nxt]
                        queue.append(nxt)
            for target, path in seen.items():
                self.paths[(origin, target)] = path


def check_trail(trail: Trail, compiled: _Compiled) -> list[Deviation]:
    """Deviations of one trail from one SOP, in event order."""
    sop, found = compiled.sop, []

    def flag(seq: int, kind: str, message: str) -> None:
        found.append(Deviation(trail.ern, seq, kind, message))

    previous = None
    for step in trail.steps:
        kind = step.event_type
        rule = sop.steps.get(kind)
        if rule is None:
            flag(step.seq, "unknown_step", f"{kind} is not a step of {sop.name}")
        if previous is None:
            if kind not in sop.start:
                flag(step.seq, "not_a_start", f"starts with {kind}; expected {' or '.join(sop.start)}")
        else:
            before = previous.event_type
            if before in compiled.next and kind not in compiled.next[before] and rule is not None:
                path = compiled.paths.get((before, kind))
                if path and len(path) > 2:
                    flag(step.seq, "skipped_step", f"{before} → {kind} skips {', '.join(path[1:-1])}")
                else:
                    allowed = ", ".join(sop.steps[before].next) or "nothing"
                    flag(step.seq, "illegal_transition", f"{before} → {kind}; allowed after {before}: {allowed}")
            limit = sop.steps[before].max_duration if before in sop.steps else None
            waited = step.occurred_at - previous.occurred_at
            if limit is not None and waited > limit:
                flag(step.seq, "overdue", f"{_hours(waited)} in {before} before {kind}; at most {_hours(limit)}")
        if rule is not None:
            missing = [name for name in rule.required if not step.field_value(name)]
            if missing:
                flag(step.seq, "missing_field", f"{kind} lacks {', '.join(missing)}")
        previous = step
    if sop.end is not None and previous is not None and previous.event_type not in sop.end:
        flag(previous.seq, "open_end", f"the trail stops at {previous.event_type}")
    return found


def _hours(delta: Any) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


def check_trails(trails: list[Trail], sops: dict[int, Sop]) -> ConformanceReport:
    """Check each trail against the SOP of its item's organisation."""
    compiled = {org: _Compiled(sop) for org, sop in sops.items()}
    report = ConformanceReport()
    for trail in trails:
        prepared = compiled.get(trail.organisation_id)
        if prepared is None:
            report.without_sop.append(trail.ern)
            continue
        report.checked += 1
        report.deviations.extend(check_trail(trail, prepared))
    return report


def check(
    session: Session, *, case_code: str | None = None, organisation: str | None = None, sop: Sop | None = None
) -> ConformanceReport:
    """Conformance of every trail of a case (or of an organisation's items) to the owning organisation's SOP.

    With `sop`, every trail is checked against that procedure instead.
    """
    trails = load_trails(session, case_code=case_code, organisation=organisation)
    sops = current_sops(session)
    if sop is not None:
        sops = {trail.organisation_id: sop for trail in trails}
    return check_trails(trails, sops)
