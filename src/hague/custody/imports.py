"""Importing custody history from another system (e.g. a national police custody log, CSV).

Imported history is what it is: its events are validated for form (known item, type, time zone,
seals) and attested, but custody rules are not enforced; the anomaly report and the SOP conformance
check judge it instead. Each event is marked `source="imported"` with the other system's reference.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select

from hague.core import Unit
from hague.custody.inputs import check_seals, check_zone
from hague.custody.models import EVENT_TYPES, CustodyEvent, CustodyState
from hague.custody.records import event_entry
from hague.db.base import utcnow
from hague.errors import ValidationError
from hague.evidence.models import Item, Organisation, User
from hague.evidence.register import _check_text, get_case
from hague.ledger.log import append_many

CSV_COLUMNS = (
    "ern",
    "event_type",
    "occurred_at",
    "tz",
    "actor",
    "organisation",
    "counterpart",
    "place",
    "facility",
    "room",
    "shelf",
    "reason",
    "seal_numbers",
    "seal_state",
    "condition",
    "notes",
    "source_ref",
)
DETAIL_COLUMNS = ("method", "lab", "result", "decision", "authorised_by", "destination")


@dataclass
class ImportedEvent:
    """One event as another system recorded it; actor and counterpart are usernames or plain names."""

    ern: str
    event_type: str
    occurred_at: datetime
    actor: str
    tz: str = "UTC"
    organisation: str = ""
    counterpart: str = ""
    place: str = ""
    facility: str = ""
    room: str = ""
    shelf: str = ""
    reason: str = ""
    seal_numbers: tuple[str, ...] = ()
    seal_state: str = ""
    condition: str = ""
    notes: str = ""
    source_ref: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def read_csv(path: Path) -> Iterator[ImportedEvent]:
    """Rows of a custody log CSV (columns `CSV_COLUMNS`; seals separated by `;`, times ISO 8601 with offset)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"ern", "event_type", "occurred_at", "actor"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(f"the custody log lacks the columns {', '.join(sorted(missing))}", field="csv")
        for line, row in enumerate(reader, start=2):
            try:
                when = datetime.fromisoformat((row.get("occurred_at") or "").strip())
            except ValueError as exc:
                raise ValidationError(f"line {line}: occurred_at is not an ISO 8601 time", field="occurred_at") from exc
            yield ImportedEvent(
                ern=row["ern"],
                event_type=(row.get("event_type") or "").strip().lower(),
                occurred_at=when,
                actor=row.get("actor") or "",
                tz=(row.get("tz") or "UTC").strip(),
                organisation=row.get("organisation") or "",
                counterpart=row.get("counterpart") or "",
                place=row.get("place") or "",
                facility=row.get("facility") or "",
                room=row.get("room") or "",
                shelf=row.get("shelf") or "",
                reason=row.get("reason") or "",
                seal_numbers=tuple((row.get("seal_numbers") or "").split(";")),
                seal_state=(row.get("seal_state") or "").strip().lower(),
                condition=row.get("condition") or "",
                notes=row.get("notes") or "",
                source_ref=row.get("source_ref") or f"line {line}",
                details={k: row[k].strip() for k in DETAIL_COLUMNS if (row.get(k) or "").strip()},
            )


def _replay(state: dict[str, Any], kind: str, actor_id: int | None, counterpart_id: int | None) -> None:
    """Custody state after an imported event, without judging it."""
    if kind in ("collected", "received"):
        state.update(status="held", custodian_id=actor_id, receiver_id=None)
    elif kind == "transferred":
        state.update(status="in_transit", custodian_id=actor_id, receiver_id=counterpart_id)
    elif kind == "checked_out":
        state.update(checked_out=True, examiner_id=counterpart_id)
    elif kind == "checked_in":
        state.update(checked_out=False, examiner_id=None)
    elif kind in ("released", "disposed", "lost"):
        state["status"] = kind


def import_events(unit: Unit, case_code: str, events: Iterable[ImportedEvent]) -> int:
    """Append imported events after each item's existing trail, in time order per item; returns how many."""
    session = unit.session
    case = get_case(session, case_code)
    users = {u.username: u for u in session.scalars(select(User))}
    by_name = {u.display_name.casefold(): u for u in users.values()}
    orgs = {o.code: o for o in session.scalars(select(Organisation))}
    per_item: dict[str, list[ImportedEvent]] = {}
    for event in events:
        per_item.setdefault(event.ern.strip().upper(), []).append(event)
    items = {i.ern: i for i in session.scalars(select(Item).where(Item.case_id == case.id, Item.ern.in_(per_item)))}
    unknown = sorted(set(per_item) - set(items))
    if unknown:
        raise ValidationError(f"no item {unknown[0]} in case {case.code}", field="ern")
    states = {
        s.item_id: s
        for s in session.scalars(select(CustodyState).where(CustodyState.item_id.in_([i.id for i in items.values()])))
    }
    now = utcnow()
    rows: list[dict[str, Any]] = []
    entries: list[tuple[str, dict[str, Any]]] = []
    new_states: list[dict[str, Any]] = []
    for ern, trail in per_item.items():
        item = items[ern]
        old = states.get(item.id)
        state: dict[str, Any] = (
            {
                k: getattr(old, k)
                for k in ("status", "custodian_id", "receiver_id", "examiner_id", "checked_out", "last_seq", "last_at")
            }
            if old
            else {
                "status": "held",
                "custodian_id": None,
                "receiver_id": None,
                "examiner_id": None,
                "checked_out": False,
                "last_seq": 0,
                "last_at": None,
            }
        )
        for event in sorted(
            trail, key=lambda e: e.occurred_at.astimezone(UTC) if e.occurred_at.tzinfo else e.occurred_at
        ):
            row = _row(event, item, case.id, users, by_name, orgs, now)
            _replay(state, row["event_type"], row["actor_id"], row["counterpart_id"])
            state["last_seq"] += 1
            state["last_at"] = row["occurred_at"]
            row["seq"] = state["last_seq"]
            rows.append(row)
            entries.append(("custody.imported", event_entry(ern, case.code, row)))
        if old is None:
            new_states.append({"item_id": item.id, **state})
        else:
            for key, value in state.items():
                setattr(old, key, value)
    session.flush()
    appended = append_many(session, entries)
    unit.appended.extend(appended)
    for row, entry in zip(rows, appended, strict=True):
        row["log_seq"] = entry.seq
    if rows:
        session.connection().execute(insert(cast(Table, CustodyEvent.__table__)), rows)
    if new_states:
        session.connection().execute(insert(cast(Table, CustodyState.__table__)), new_states)
    return len(rows)


def _optional(value: str, what: str, limit: int) -> str:
    """Optional text: empty stays empty without a scan (most columns of most imported rows are empty)."""
    return _check_text(value, what, limit, required=False) if value else ""


def _row(
    event: ImportedEvent,
    item: Item,
    case_id: int,
    users: dict[str, User],
    by_name: dict[str, User],
    orgs: dict[str, Organisation],
    now: datetime,
) -> dict[str, Any]:
    where = f"{item.ern} ({event.source_ref or event.event_type})"
    if event.event_type not in EVENT_TYPES:
        raise ValidationError(f"{where}: unknown event type {event.event_type!r}", field="event_type")
    if event.occurred_at.tzinfo is None:
        raise ValidationError(f"{where}: the time has no zone offset", field="occurred_at")
    if event.occurred_at > now:
        raise ValidationError(f"{where}: the time is in the future", field="occurred_at")
    check_zone(event.tz)
    seals, seal_state = check_seals(event.seal_numbers, event.seal_state)
    actor_name = _check_text(event.actor, "actor", 200)
    actor = users.get(actor_name.lower()) or by_name.get(actor_name.casefold())
    counterpart_name = _optional(event.counterpart, "counterpart", 200)
    counterpart = (
        (users.get(counterpart_name.lower()) or by_name.get(counterpart_name.casefold())) if counterpart_name else None
    )
    org_code = event.organisation.strip().upper()
    org = orgs.get(org_code) if org_code else (actor.organisation if actor else None)
    return {
        "item_id": item.id,
        "case_id": case_id,
        "event_type": event.event_type,
        "occurred_at": event.occurred_at.astimezone(UTC),
        "occurred_tz": event.tz,
        "actor_id": actor.id if actor else None,
        "actor_name": actor.display_name if actor else actor_name,
        "organisation_id": org.id if org else None,
        "organisation_code": org.code if org else org_code,
        "counterpart_id": counterpart.id if counterpart else None,
        "counterpart_name": counterpart.display_name if counterpart else counterpart_name,
        "place": _optional(event.place, "place", 300),
        "facility": _optional(event.facility, "facility", 200),
        "room": _optional(event.room, "room", 100),
        "shelf": _optional(event.shelf, "shelf", 100),
        "reason": _optional(event.reason, "reason", 20000),
        "seal_numbers": seals,
        "seal_state": seal_state,
        "condition": _optional(event.condition, "condition", 300),
        "notes": _optional(event.notes, "notes", 20000),
        "details": {k: _check_text(str(v), k, 2000) for k, v in event.details.items()},
        "attachments": [],
        "source": "imported",
        "source_ref": _optional(event.source_ref, "source reference", 200),
        "recorded_at": now,
    }
