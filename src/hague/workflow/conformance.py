"""Conformance of custody trails to their organisation's SOP: which items deviate, where (event), and how.

Kinds: `not_a_start`, `unknown_step`, `skipped_step` (the event is reachable, but steps were left
out), `illegal_transition`, `missing_field`, `overdue` (longer in a step than its `max_duration`),
`open_end` (the trail stops in a step the SOP does not allow as an end).
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, select
from sqlalchemy.orm import Session

from hague.custody.models import CustodyEvent
from hague.custody.trails import Flow, load_flows
from hague.evidence.models import Item
from hague.evidence.register import get_case, get_organisation
from hague.workflow.processmap import build, scope_name
from hague.workflow.sop import Sop, current_sops

COLUMN_FIELDS = frozenset({"place", "reason", "seal_state", "condition", "facility", "room", "shelf", "notes"})


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
        self.limits = {
            name: step.max_duration.total_seconds() for name, step in sop.steps.items() if step.max_duration is not None
        }
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


def check_flow(flow: Flow, compiled: _Compiled) -> list[Deviation]:
    """Deviations of one trail's order and timing from one SOP, in event order (fields are checked in SQL)."""
    sop, found = compiled.sop, []

    def flag(seq: int, kind: str, message: str) -> None:
        found.append(Deviation(flow.ern, seq, kind, message))

    before = ""
    for index, (seq, kind) in enumerate(zip(flow.seqs, flow.types, strict=True)):
        if kind not in sop.steps:
            flag(seq, "unknown_step", f"{kind} is not a step of {sop.name}")
        if index == 0:
            if kind not in sop.start:
                flag(seq, "not_a_start", f"starts with {kind}; expected {' or '.join(sop.start)}")
        else:
            if before in compiled.next and kind not in compiled.next[before] and kind in sop.steps:
                path = compiled.paths.get((before, kind))
                if path and len(path) > 2:
                    flag(seq, "skipped_step", f"{before} → {kind} skips {', '.join(path[1:-1])}")
                else:
                    allowed = ", ".join(sop.steps[before].next) or "nothing"
                    flag(seq, "illegal_transition", f"{before} → {kind}; allowed after {before}: {allowed}")
            limit = compiled.limits.get(before)
            waited = flow.times[index] - flow.times[index - 1]
            if limit is not None and waited > limit:
                flag(seq, "overdue", f"{_hours(waited)} in {before} before {kind}; at most {_hours(limit)}")
        before = kind
    if sop.end is not None and before not in sop.end:
        flag(flow.seqs[-1], "open_end", f"the trail stops at {before}")
    return found


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.0f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def _empty(field: str) -> ColumnElement[bool]:
    """SQL condition: the event lacks `field` (a column, the counterpart, the seals, or a detail)."""
    if field == "counterpart":
        return func.coalesce(CustodyEvent.counterpart_name, "") == ""
    if field == "seal_numbers":
        return func.coalesce(cast(CustodyEvent.seal_numbers, Text), "[]").in_(("[]", "null", ""))
    if field in COLUMN_FIELDS:
        return func.coalesce(getattr(CustodyEvent, field), "") == ""
    return func.coalesce(CustodyEvent.details[field].as_string(), "") == ""


def missing_fields(session: Session, scope: Any, organisation_id: int, sop: Sop) -> list[Deviation]:
    """Events of the organisation's items lacking a field their step requires, one query per (step, field)."""
    missing: dict[tuple[int, str, int, str], list[str]] = {}
    owned = select(Item.id).where(Item.organisation_id == organisation_id)
    for step, rule in sop.steps.items():
        for name in rule.required:
            stmt = (
                select(CustodyEvent.item_id, Item.ern, CustodyEvent.seq)
                .join(Item, Item.id == CustodyEvent.item_id)
                .where(scope, CustodyEvent.item_id.in_(owned), CustodyEvent.event_type == step, _empty(name))
            )
            for item_id, ern, seq in session.execute(stmt).tuples():
                missing.setdefault((item_id, ern, seq, step), []).append(name)
    return [
        Deviation(ern, seq, "missing_field", f"{step} lacks {', '.join(fields)}")
        for (_, ern, seq, step), fields in sorted(missing.items())
    ]


def check_flows(session: Session, scope: Any, flows: list[Flow], sops: dict[int, Sop]) -> ConformanceReport:
    """Check each trail against the SOP of its item's organisation; findings in ERN then event order."""
    compiled = {org: _Compiled(sop) for org, sop in sops.items()}
    report = ConformanceReport()
    found: list[Deviation] = []
    for flow in flows:
        prepared = compiled.get(flow.organisation_id)
        if prepared is None:
            report.without_sop.append(flow.ern)
            continue
        report.checked += 1
        found.extend(check_flow(flow, prepared))
    for org in {f.organisation_id for f in flows} & set(sops):
        found.extend(missing_fields(session, scope, org, sops[org]))
    order = {flow.ern: n for n, flow in enumerate(flows)}
    report.deviations = sorted(found, key=lambda d: (order[d.ern], d.seq))
    return report


def _scope(session: Session, case_code: str | None, organisation: str | None) -> Any:
    if case_code is not None:
        return CustodyEvent.case_id == get_case(session, case_code).id
    return Item.organisation_id == get_organisation(session, organisation or "").id


def check(
    session: Session, *, case_code: str | None = None, organisation: str | None = None, sop: Sop | None = None
) -> ConformanceReport:
    """Conformance of every trail of a case (or of an organisation's items) to the owning organisation's SOP.

    With `sop`, every trail is checked against that procedure instead.
    """
    flows = load_flows(session, case_code=case_code, organisation=organisation)
    return check_loaded(session, flows, case_code=case_code, organisation=organisation, sop=sop)


def check_loaded(
    session: Session,
    flows: list[Flow],
    *,
    case_code: str | None = None,
    organisation: str | None = None,
    sop: Sop | None = None,
) -> ConformanceReport:
    """`check` on flows already loaded (so a process map can share them)."""
    sops = current_sops(session)
    if sop is not None:
        sops = {flow.organisation_id: sop for flow in flows}
    return check_flows(session, _scope(session, case_code, organisation), flows, sops)


def analyse(
    session: Session, *, case_code: str | None = None, organisation: str | None = None
) -> tuple[ConformanceReport, dict[str, Any]]:
    """Conformance report and process map from one load of the trails (what `hague workflow check --map` shows)."""
    flows = load_flows(session, case_code=case_code, organisation=organisation)
    report = check_loaded(session, flows, case_code=case_code, organisation=organisation)
    return report, build(flows, scope_name(case_code, organisation))
