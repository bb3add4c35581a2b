"""Canonical forms of custody records (what the log attests) and the record checks `verify` runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.custody.models import EVENT_TYPES, CustodyEvent, IntegrityIncident
from hague.errors import NotFound
from hague.evidence.models import Item
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash

EVENT_FIELDS = (
    "event_type",
    "occurred_tz",
    "actor_id",
    "actor_name",
    "organisation_code",
    "counterpart_id",
    "counterpart_name",
    "place",
    "facility",
    "room",
    "shelf",
    "reason",
    "seal_state",
    "condition",
    "notes",
    "source",
    "source_ref",
)


def event_record(ern: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The attested form of a custody event, from an insert dict or a loaded row's columns."""
    occurred: datetime = row["occurred_at"]
    record = {name: row[name] for name in EVENT_FIELDS}
    record.update(
        ern=ern,
        seq=row["seq"],
        occurred_at=occurred.astimezone(UTC),
        seal_numbers=list(row["seal_numbers"]),
        details=dict(row["details"]),
        attachments=list(row["attachments"]),
    )
    return record


def _plain_details(details: dict[str, Any]) -> bool:
    """True when details hold only strings, ints, booleans, None or lists of strings (what custody writes)."""
    for value in details.values():
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if kind is list and all(type(v) is str for v in value):
            continue
        return False
    return True


def event_hash(record: dict[str, Any]) -> str:
    """`record_hash(record)` for an event record, faster: the other fields are strings, ints, None and lists
    of strings by construction, so only the datetime needs converting and only the details checking.

    Anything else goes through the generic encoder (which refuses floats).
    """
    if not _plain_details(record.get("details", {})):
        return record_hash(record)
    plain = {**record, "occurred_at": record["occurred_at"].isoformat()}
    body = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def event_entry(ern: str, case_code: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Fields of a `custody.<type>` (or `custody.imported`) log entry."""
    return {
        "ern": ern,
        "case": case_code,
        "seq": row["seq"],
        "event": row["event_type"],
        "record": event_hash(event_record(ern, row)),
    }


def row_of(event: CustodyEvent) -> dict[str, Any]:
    """A loaded event as the mapping `event_record` reads."""
    return {column.key: getattr(event, column.key) for column in CustodyEvent.__table__.columns}


def incident_record(incident: IntegrityIncident, ern: str) -> dict[str, Any]:
    """The attested form of an integrity incident."""
    return {
        "ern": ern,
        "id": incident.id,
        "kind": incident.kind,
        "expected_sha256": incident.expected_sha256,
        "found_sha256": incident.found_sha256,
        "actor_name": incident.actor_name,
        "occurred_at": incident.occurred_at.astimezone(UTC),
        "details": dict(incident.details),
    }


def _check_event(session: Session, fields: dict[str, Any]) -> str:
    row = session.execute(
        select(CustodyEvent)
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(Item.ern == fields["ern"], CustodyEvent.seq == fields["seq"])
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no custody event {fields['seq']} on {fields['ern']}")
    return event_hash(event_record(fields["ern"], row_of(row)))


def _rows_of(kind: str) -> Callable[[Session], Iterator[tuple[EntryKey, str]]]:
    """Lister of the custody events a `custody.<kind>` entry MUST attest (imported ones: `custody.imported`)."""

    def rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
        stmt = select(Item.ern, CustodyEvent.seq).join(Item, Item.id == CustodyEvent.item_id)
        if kind == "imported":
            stmt = stmt.where(CustodyEvent.source == "imported")
        else:
            stmt = stmt.where(CustodyEvent.source == "recorded", CustodyEvent.event_type == kind)
        for ern, seq in session.execute(stmt):
            yield (ern, seq), f"custody event {seq} of {ern}"

    return rows


def _event_key(fields: dict[str, Any]) -> EntryKey:
    return (fields.get("ern"), fields.get("seq"))


for _kind in (*EVENT_TYPES, "imported"):
    record_check(f"custody.{_kind}")(_check_event)
    record_rows(f"custody.{_kind}", key=_event_key)(_rows_of(_kind))


@record_check("custody.integrity_incident")
def _check_incident(session: Session, fields: dict[str, Any]) -> str:
    incident = session.get(IntegrityIncident, fields["incident"])
    if incident is None:
        raise NotFound(f"no integrity incident {fields['incident']}")
    return record_hash(incident_record(incident, fields["ern"]))
