"""Recording custody events with every rule checked at write time; one log entry per event, same transaction.

Rules (ISO/IEC 27037, NIST SP 800-61): exactly one custodian at any moment, or in transit between two
named people; only the named receiver can receive; an item in transit takes only its receipt or a
recorded loss; no time in the future, before collection or before the last event; the actor MUST hold
a custody role on the case; a digital copy whose hash differs is refused and kept as an integrity incident.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.core import Hague, Unit
from hague.custody.inputs import EventInput
from hague.custody.models import CustodyEvent, CustodyState, IntegrityIncident
from hague.custody.records import event_entry, incident_record
from hague.db.base import utcnow
from hague.errors import Conflict, IntegrityError, NotFound, ValidationError
from hague.evidence.models import Case, File, Item, Organisation, User
from hague.evidence.register import ItemInput, add_derivative, add_item
from hague.evidence.sniff import HEAD, sniff_mime
from hague.ledger.canonical import record_hash
from hague.ledger.log import append_many
from hague.store import BlobStore

CUSTODY_ROLES = frozenset({"investigator", "custodian", "analyst", "case_lead", "admin"})
DISPOSAL_ROLES = frozenset({"case_lead", "admin"})
CLOCK_SKEW = timedelta(minutes=5)
FINAL = {"released": "was released", "disposed": "was disposed of", "lost": "is recorded as lost"}


class CopyHashMismatch(IntegrityError):
    """A digital copy's content differs from its source; the event is refused, the incident kept."""


@dataclass
class _Trail:
    """Custody state of one item during a batch (loaded once, written back once)."""

    item: Item
    case: Case
    status: str | None
    custodian_id: int | None
    receiver_id: int | None
    examiner_id: int | None
    checked_out: bool
    last_seq: int
    last_at: datetime | None
    is_new: bool

    def values(self) -> dict[str, Any]:
        return {
            "item_id": self.item.id,
            "status": self.status,
            "custodian_id": self.custodian_id,
            "receiver_id": self.receiver_id,
            "examiner_id": self.examiner_id,
            "checked_out": self.checked_out,
            "last_seq": self.last_seq,
            "last_at": self.last_at,
        }


@dataclass
class _Batch:
    """Caches and pending writes of one recording transaction."""

    unit: Unit
    store: BlobStore
    trails: dict[str, _Trail] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[int, str] = field(default_factory=dict)
    cleared: set[tuple[int, int]] = field(default_factory=set)
    rows: list[dict[str, Any]] = field(default_factory=list)
    entries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    now: datetime = field(default_factory=utcnow)

    @property
    def session(self) -> Session:
        return self.unit.session


def _load(batch: _Batch, erns: Sequence[str]) -> None:
    """Load items, their cases and custody state (locked on PostgreSQL) for every ERN in the batch."""
    wanted = sorted({e.strip().upper() for e in erns} - set(batch.trails))
    if not wanted:
        return
    session = batch.session
    items = {i.ern: i for i in session.scalars(select(Item).where(Item.ern.in_(wanted)))}
    missing = [e for e in wanted if e not in items]
    if missing:
        raise NotFound(f"no item {missing[0]!r}")
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_({i.case_id for i in items.values()})))}
    stmt = select(CustodyState).where(CustodyState.item_id.in_([i.id for i in items.values()]))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    states = {s.item_id: s for s in session.scalars(stmt)}
    for ern, item in items.items():
        state = states.get(item.id)
        batch.trails[ern] = _Trail(
            item=item,
            case=cases[item.case_id],
            status=state.status if state else None,
            custodian_id=state.custodian_id if state else None,
            receiver_id=state.receiver_id if state else None,
            examiner_id=state.examiner_id if state else None,
            checked_out=state.checked_out if state else False,
            last_seq=state.last_seq if state else 0,
            last_at=state.last_at if state else None,
            is_new=state is None,
        )


def _user(batch: _Batch, username: str) -> User:
    key = username.strip().lower()
    if key not in batch.users:
        user = batch.session.scalar(select(User).where(User.username == key))
        if user is None:
            raise NotFound(f"no user {username!r}")
        batch.users[key] = user
    return batch.users[key]


def _org_code(batch: _Batch, org_id: int) -> str:
    if org_id not in batch.orgs:
        org = batch.session.get(Organisation, org_id)
        batch.orgs[org_id] = org.code if org else ""
    return batch.orgs[org_id]


def _clear(batch: _Batch, user: User, case: Case, allowed: frozenset[str] = CUSTODY_ROLES) -> None:
    key = (user.id, case.id) if allowed is CUSTODY_ROLES else (user.id, -case.id)
    if key not in batch.cleared:
        require_role(batch.session, user, case, allowed)
        batch.cleared.add(key)


def _name(batch: _Batch, user_id: int | None) -> str:
    for known in batch.users.values():
        if known.id == user_id:
            return known.username
    found = batch.session.get(User, user_id) if user_id else None
    return found.username if found else "an unknown custodian"


def _check_time(batch: _Batch, trail: _Trail, event: EventInput) -> datetime:
    when = event.occurred_at.astimezone(UTC)
    if when > batch.now + CLOCK_SKEW:
        raise ValidationError(f"the {event.event_type} time {when.isoformat()} is in the future", field="occurred_at")
    collected = trail.item.collected_at
    if collected is not None and when < collected:
        raise ValidationError(
            f"the {event.event_type} time is before {trail.item.ern} was collected ({collected.isoformat()})",
            field="occurred_at",
        )
    if trail.last_at is not None and when < trail.last_at:
        raise ValidationError(
            f"the {event.event_type} time is earlier than the last custody event of {trail.item.ern}",
            field="occurred_at",
        )
    return when


def _check_state(batch: _Batch, trail: _Trail, actor: User, event: EventInput) -> User | None:
    """Apply the custody rules; returns the counterpart (receiver or examiner) when there is one."""
    kind, ern = event.event_type, trail.item.ern
    if trail.status is None:
        if kind != "collected":
            raise Conflict(f"{ern} has no custody record yet: its first event must be 'collected'")
        return None
    if kind == "collected":
        raise Conflict(f"{ern} was already collected; custody continues by transfer")
    if trail.status in FINAL:
        raise Conflict(f"{ern} {FINAL[trail.status]}; no further custody event can be recorded")
    if trail.status == "in_transit":
        sender, receiver = _name(batch, trail.custodian_id), _name(batch, trail.receiver_id)
        if kind == "received":
            if actor.id != trail.receiver_id:
                raise Conflict(f"{ern} was sent by {sender} to {receiver}; only {receiver} can acknowledge receipt")
            return _user(batch, sender) if trail.custodian_id else None
        if kind == "lost" and actor.id in (trail.custodian_id, trail.receiver_id):
            return None
        raise Conflict(
            f"{ern} is in transit from {sender} to {receiver}; only its receipt by {receiver} "
            "(or a loss recorded by either) can be recorded"
        )
    if kind == "received":
        raise Conflict(f"{ern} is not in transit; nothing to receive")
    examiner_acts = kind in ("examined", "sampled", "copied", "checked_in") and actor.id == trail.examiner_id
    if actor.id != trail.custodian_id and not examiner_acts:
        raise Conflict(
            f"{_name(batch, trail.custodian_id)} is the custodian of {ern}; {actor.username} cannot record '{kind}'"
        )
    if kind == "transferred":
        if trail.checked_out:
            raise Conflict(f"{ern} is checked out for examination; check it in before transferring it")
        named = _user(batch, event.receiver)
        if named.id == actor.id:
            raise ValidationError("a transfer needs two different people: the receiver is the sender", field="receiver")
        _clear(batch, named, trail.case)
        return named
    if kind == "checked_out":
        if trail.checked_out:
            raise Conflict(f"{ern} is already checked out")
        if event.examiner:
            examiner = _user(batch, event.examiner)
            _clear(batch, examiner, trail.case)
            return examiner
        return None
    if kind == "checked_in" and not trail.checked_out:
        raise Conflict(f"{ern} is not checked out")
    if kind in ("released", "disposed") and trail.checked_out:
        raise Conflict(f"{ern} is checked out for examination; check it in first")
    if kind == "disposed":
        authoriser = _user(batch, event.authorised_by)
        _clear(batch, authoriser, trail.case, DISPOSAL_ROLES)
    return None


def _apply(trail: _Trail, actor: User, kind: str, counterpart: User | None, when: datetime) -> None:
    if kind == "collected":
        trail.status, trail.custodian_id = "held", actor.id
    elif kind == "transferred" and counterpart is not None:
        trail.status, trail.receiver_id = "in_transit", counterpart.id
    elif kind == "received":
        trail.status, trail.custodian_id, trail.receiver_id = "held", actor.id, None
    elif kind == "checked_out":
        trail.checked_out, trail.examiner_id = True, counterpart.id if counterpart else None
    elif kind == "checked_in":
        trail.checked_out, trail.examiner_id = False, None
    elif kind in FINAL:
        trail.status = kind
    trail.last_seq += 1
    trail.last_at = when


def _digest_in_store(store: BlobStore, sha256: str) -> str:
    """Re-hash a stored object by reading it back through the store."""
    digest = hashlib.sha256()
    with store.open(sha256) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _originals(batch: _Batch, item: Item) -> list[File]:
    return list(
        batch.session.scalars(
            select(File).where(File.item_id == item.id, File.derived_from_id.is_(None)).order_by(File.id)
        )
    )


def _effects(batch: _Batch, trail: _Trail, actor: User, event: EventInput, details: dict[str, Any]) -> None:
    """Type-specific effects: result derivatives, child items for samples, copy verification."""
    store, item = batch.store, trail.item
    for sha in [*event.attachments, *details.get("result_files", [])]:
        if not store.exists(sha):
            raise ValidationError(f"file {sha} is not in the store; put it there first", field="attachments")
    if event.event_type == "examined" and details["result_files"]:
        originals = _originals(batch, item)
        if originals:
            for sha in details["result_files"]:
                with store.open(sha) as fh:
                    mime = sniff_mime(fh.read(HEAD))
                reason = f"examination result ({details['lab']}, {details['method']})"
                if batch.session.scalar(select(File.id).where(File.item_id == item.id, File.sha256 == sha)):
                    raise Conflict(f"{item.ern} already holds a file with SHA-256 {sha}")
                add_derivative(batch.unit, originals[0], sha, store.size(sha), mime, "examination_result", reason)
            details["result_files_as"] = "derivatives"
        else:
            details["result_files_as"] = "attachments"  # a physical item has no original file to derive from
    if event.event_type == "copied":
        originals = _originals(batch, item)
        if not originals:
            raise ValidationError(f"{item.ern} has no stored file to copy", field="copy_sha256")
        source = details.get("source_sha256") or originals[0].sha256
        if source not in {f.sha256 for f in originals}:
            raise ValidationError(f"{item.ern} holds no original file {source}", field="source_sha256")
        details["source_sha256"] = source
        if not store.exists(details["copy_sha256"]):
            raise ValidationError("the copy is not in the store; put it there first", field="copy_sha256")
        found = _digest_in_store(store, details["copy_sha256"])
        if found != source:
            raise CopyHashMismatch(
                f"the copy of {item.ern} does not match its source: expected SHA-256 {source}, found {found}; "
                "the copy was refused and an integrity incident recorded",
                ern=item.ern,
                expected=source,
                found=found,
                actor=actor.username,
                occurred_at=event.occurred_at.astimezone(UTC).isoformat(),
                destination=details.get("destination", ""),
            )
        details["verified_sha256"] = found
    if event.event_type == "sampled":
        child = add_item(
            batch.unit,
            trail.case.code,
            ItemInput(
                kind="physical",
                title=details["sample_title"],
                collected_at=event.occurred_at,
                collected_tz=event.tz,
                collected_by=actor.display_name,
                place_name=event.place,
                method=f"sampled from {item.ern}",
                classification=item.classification,
                parent_ern=item.ern,
            ),
            organisation_id=item.organisation_id,
        )
        details["child_ern"] = child.ern
        batch.trails[child.ern] = _Trail(child, trail.case, None, None, None, None, False, 0, None, True)
        collected = EventInput(
            "collected", event.occurred_at, event.tz, place=event.place, reason=f"sample of {item.ern}"
        )
        _append_row(batch, batch.trails[child.ern], actor, collected, {"parent_ern": item.ern}, None)


def _append_row(
    batch: _Batch, trail: _Trail, actor: User, event: EventInput, details: dict[str, Any], counterpart: User | None
) -> dict[str, Any]:
    when = event.occurred_at.astimezone(UTC)
    _apply(trail, actor, event.event_type, counterpart, when)
    row = {
        "item_id": trail.item.id,
        "case_id": trail.case.id,
        "seq": trail.last_seq,
        "event_type": event.event_type,
        "occurred_at": when,
        "occurred_tz": event.tz,
        "actor_id": actor.id,
        "actor_name": actor.display_name,
        "organisation_id": actor.organisation_id,
        "organisation_code": _org_code(batch, actor.organisation_id),
        "counterpart_id": counterpart.id if counterpart else None,
        "counterpart_name": counterpart.display_name if counterpart else "",
        "place": event.place,
        "facility": event.facility,
        "room": event.room,
        "shelf": event.shelf,
        "reason": event.reason,
        "seal_numbers": list(event.seal_numbers),
        "seal_state": event.seal_state,
        "condition": event.condition,
        "notes": event.notes,
        "details": details,
        "attachments": list(event.attachments),
        "source": "recorded",
        "source_ref": "",
        "recorded_at": batch.now,
    }
    batch.rows.append(row)
    batch.entries.append((f"custody.{event.event_type}", event_entry(trail.item.ern, trail.case.code, row)))
    return row


def _flush(batch: _Batch) -> None:
    """Write the batch's events, the new custody state and the log entries (still uncommitted)."""
    session = batch.session
    session.flush()
    appended = append_many(session, batch.entries)
    batch.unit.appended.extend(appended)
    for row, entry in zip(batch.rows, appended, strict=True):
        row["log_seq"] = entry.seq
    if batch.rows:
        # Core executemany on the session's connection: same transaction, one round of statements, no ORM bookkeeping.
        session.connection().execute(insert(cast(Table, CustodyEvent.__table__)), batch.rows)
    touched = [t for t in batch.trails.values() if t.last_at is not None]
    new = [t.values() for t in touched if t.is_new]
    old = [{**t.values(), "key": t.item.id} for t in touched if not t.is_new]
    if new:
        session.connection().execute(insert(cast(Table, CustodyState.__table__)), new)
    if old:
        table = cast(Table, CustodyState.__table__)
        session.connection().execute(update(table).where(table.c.item_id == bindparam("key")), old)


def record_in(unit: Unit, store: BlobStore, planned: Sequence[tuple[str, User, EventInput]]) -> list[dict[str, Any]]:
    """Record events (ERN, actor, input) in order inside `unit`; any broken rule raises and the caller rolls back.

    On `CopyHashMismatch` the caller MUST roll back and then call `record_incident` (as `record_many` does).
    """
    batch = _Batch(unit, store)
    _load(batch, [ern for ern, _, _ in planned])
    out: list[dict[str, Any]] = []
    for ern, actor, event in planned:
        details = event.validate()
        trail = batch.trails[ern.strip().upper()]
        _clear(batch, actor, trail.case)
        batch.users.setdefault(actor.username, actor)
        _check_time(batch, trail, event)
        counterpart = _check_state(batch, trail, actor, event)
        _effects(batch, trail, actor, event, details)
        row = _append_row(batch, trail, actor, event, details, counterpart)
        out.append({**row, "ern": trail.item.ern})
    _flush(batch)
    return out


def record_many(hague: Hague, planned: Sequence[tuple[str, User, EventInput]]) -> list[dict[str, Any]]:
    """Record events in one transaction (group commit); all or nothing. A mismatching copy leaves an incident."""
    try:
        with hague.unit() as unit:
            return record_in(unit, hague.store, planned)
    except CopyHashMismatch as exc:
        record_incident(hague, exc)
        raise
    except DatabaseIntegrityError as exc:
        # Two first events (no state row to lock yet) raced on one item: the loser retries and gets the rules.
        raise Conflict("another custody event was recorded on the same item at the same moment; try again") from exc


def record(hague: Hague, ern: str, actor: User, event: EventInput) -> dict[str, Any]:
    """Record one custody event in its own transaction; returns the stored row (with `ern`)."""
    return record_many(hague, [(ern, actor, event)])[0]


def record_incident(hague: Hague, exc: CopyHashMismatch) -> IntegrityIncident:
    """Commit the integrity incident of a refused copy, with its own log entry."""
    info = exc.details
    with hague.unit() as unit:
        item = unit.session.scalar(select(Item).where(Item.ern == info["ern"]))
        if item is None:
            raise NotFound(f"no item {info['ern']!r}")
        incident = IntegrityIncident(
            item_id=item.id,
            kind="copy_hash_mismatch",
            expected_sha256=info["expected"],
            found_sha256=info["found"],
            actor_name=info["actor"],
            occurred_at=datetime.fromisoformat(info["occurred_at"]),
            details={"destination": info["destination"]},
        )
        unit.session.add(incident)
        unit.session.flush()
        unit.attest(
            "custody.integrity_incident",
            {"ern": item.ern, "incident": incident.id, "record": record_hash(incident_record(incident, item.ern))},
        )
    return incident
