"""Loading custody trails in bulk (one query, ordered per item) for reports, conformance and process maps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, Text, cast, func, select
from sqlalchemy.orm import Session

from hague.custody.models import CustodyEvent
from hague.errors import NotFound
from hague.evidence.models import Case, Item
from hague.evidence.register import get_case, get_item, get_organisation


@dataclass(frozen=True, slots=True)
class Step:
    """One event of a trail, with the fields the analyses read."""

    seq: int
    event_type: str
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    organisation_id: int | None
    counterpart_id: int | None
    counterpart_name: str
    place: str
    facility: str
    room: str
    shelf: str
    reason: str
    seals_json: str
    seal_state: str
    condition: str
    details_json: str
    source: str

    @property
    def seal_numbers(self) -> list[str]:
        """Seal numbers (kept as stored JSON text until asked for: analyses of 100,000 events rarely need them)."""
        return list(json.loads(self.seals_json))

    @property
    def details(self) -> dict[str, Any]:
        """Type-specific details (method, lab, decision...)."""
        return dict(json.loads(self.details_json))


@dataclass
class Trail:
    """An item's chain of custody in order."""

    item_id: int
    ern: str
    case_id: int
    organisation_id: int
    steps: list[Step]


def _columns(dialect: str) -> tuple[Any, ...]:
    """Columns of a Step; JSON as text and SQLite times as text, parsed faster than the generic types do."""
    when = cast(CustodyEvent.occurred_at, Text) if dialect == "sqlite" else CustodyEvent.occurred_at
    return (
        CustodyEvent.item_id,
        CustodyEvent.seq,
        CustodyEvent.event_type,
        when,
        CustodyEvent.actor_id,
        CustodyEvent.actor_name,
        CustodyEvent.organisation_id,
        CustodyEvent.counterpart_id,
        CustodyEvent.counterpart_name,
        CustodyEvent.place,
        CustodyEvent.facility,
        CustodyEvent.room,
        CustodyEvent.shelf,
        CustodyEvent.reason,
        cast(CustodyEvent.seal_numbers, Text),
        CustodyEvent.seal_state,
        CustodyEvent.condition,
        cast(CustodyEvent.details, Text),
        CustodyEvent.source,
    )


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load_trails(
    session: Session, *, case_code: str | None = None, organisation: str | None = None, ern: str | None = None
) -> list[Trail]:
    """Trails of one item, of a case's items, or of the items an organisation owns (in ERN order)."""
    items = select(Item.id, Item.ern, Item.case_id, Item.organisation_id)
    dialect = session.get_bind().dialect.name
    events = select(*_columns(dialect))
    if ern is not None:
        item = get_item(session, ern)
        items, events = items.where(Item.id == item.id), events.where(CustodyEvent.item_id == item.id)
    elif case_code is not None:
        case = get_case(session, case_code)
        items, events = items.where(Item.case_id == case.id), events.where(CustodyEvent.case_id == case.id)
    elif organisation is not None:
        org = get_organisation(session, organisation)
        owned = select(Item.id).where(Item.organisation_id == org.id)
        items = items.where(Item.organisation_id == org.id)
        events = events.where(CustodyEvent.item_id.in_(owned))
    else:
        raise NotFound("say which item, case or organisation")
    trails = {
        row.id: Trail(row.id, row.ern, row.case_id, row.organisation_id, [])
        for row in session.execute(items.order_by(Item.id))
    }
    rows = session.execute(events.order_by(CustodyEvent.item_id, CustodyEvent.seq)).tuples()
    if dialect == "sqlite":
        for row in rows:
            trails[row[0]].steps.append(Step(row[1], row[2], _utc(row[3]), *row[4:]))
    else:
        for row in rows:
            trails[row[0]].steps.append(Step(*row[1:]))
    return [t for t in trails.values() if t.steps]


def case_of(session: Session, case_id: int) -> Case:
    """The case row by id."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


@dataclass(slots=True)
class Flow:
    """An item's trail reduced to what process analyses read: event types and times (epoch seconds), in order."""

    item_id: int
    ern: str
    organisation_id: int
    seqs: list[int]
    types: list[str]
    times: list[float]


def _epoch(dialect: str) -> Any:
    if dialect == "sqlite":
        return (func.julianday(CustodyEvent.occurred_at) - 2440587.5) * 86400.0
    return cast(func.extract("epoch", CustodyEvent.occurred_at), Float)


def load_flows(session: Session, *, case_code: str | None = None, organisation: str | None = None) -> list[Flow]:
    """Flows of a case's items, or of the items an organisation owns: four narrow columns, computed times."""
    dialect = session.get_bind().dialect.name
    items = select(Item.id, Item.ern, Item.organisation_id)
    events = select(CustodyEvent.item_id, CustodyEvent.seq, CustodyEvent.event_type, _epoch(dialect))
    if case_code is not None:
        case = get_case(session, case_code)
        items, events = items.where(Item.case_id == case.id), events.where(CustodyEvent.case_id == case.id)
    elif organisation is not None:
        org = get_organisation(session, organisation)
        items = items.where(Item.organisation_id == org.id)
        events = events.where(CustodyEvent.item_id.in_(select(Item.id).where(Item.organisation_id == org.id)))
    else:
        raise NotFound("say which case or organisation")
    flows = {row[0]: Flow(row[0], row[1], row[2], [], [], []) for row in session.execute(items.order_by(Item.id))}
    current: Flow | None = None
    for item_id, seq, kind, when in session.execute(events.order_by(CustodyEvent.item_id, CustodyEvent.seq)).tuples():
        if current is None or current.item_id != item_id:
            current = flows[item_id]
        current.seqs.append(seq)
        current.types.append(kind)
        current.times.append(when)
    return [f for f in flows.values() if f.seqs]
