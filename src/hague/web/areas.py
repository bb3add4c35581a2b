"""Screens over other areas' libraries: custody timeline and events (`hague.custody`), extracted metadata
(`hague.media`). Each call checks the item is visible to the user first; the areas apply their own rules."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hague.access import policy
from hague.core import Hague
from hague.db.base import utcnow
from hague.evidence.models import File, Item, User
from hague.ledger.log import entries_naming

log = logging.getLogger("hague.web")
CUSTODY_FIELDS = ("place", "reason", "receiver", "facility", "room", "shelf", "condition", "notes", "seal_state")


def _event_view(event: Any) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "event_type": event.event_type,
        "occurred_at": event.occurred_at,
        "occurred_tz": event.occurred_tz,
        "actor": event.actor_name,
        "organisation": event.organisation_code,
        "counterpart": event.counterpart_name,
        "place": event.place,
        "facility": event.facility,
        "reason": event.reason,
        "seal_numbers": list(event.seal_numbers or []),
        "log_seq": event.log_seq,
    }


def custody_timeline(hague: Hague, user: User, ern: str) -> dict[str, Any]:
    """The item's custody events (oldest first) and who holds it now."""
    with hague.reader() as session:
        return custody_view(session, policy.visible_item(session, user, ern))


@cache
def _events_of(event: Any) -> Any:
    """The custody events of one item in order (built once)."""
    return select(event).where(event.item_id == bindparam("item_id")).order_by(event.seq)


def custody_view(session: Session, item: Item) -> dict[str, Any]:
    """Custody events and current holder of an item already checked visible."""
    from hague.custody.models import CustodyEvent, CustodyState

    events = session.scalars(_events_of(CustodyEvent), {"item_id": item.id})
    state = session.get(CustodyState, item.id)
    names = {}
    if state is not None:
        ids = [i for i in (state.custodian_id, state.receiver_id) if i]
        names = {u.id: u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return {
        "ern": item.ern,
        "events": [_event_view(e) for e in events],
        "status": state.status if state else None,
        "custodian": names.get(state.custodian_id) if state and state.custodian_id else None,
        "receiver": names.get(state.receiver_id) if state and state.receiver_id else None,
    }


def record_custody(hague: Hague, user: User, ern: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Record one custody event by the user, now (the custody library enforces every rule)."""
    from hague.custody import events
    from hague.custody.inputs import EventInput

    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
    occurred: datetime = fields.get("occurred_at") or utcnow()
    text = {name: str(fields.get(name) or "") for name in CUSTODY_FIELDS}
    data = EventInput(
        event_type=str(fields["event_type"]),
        occurred_at=occurred,
        tz=str(fields.get("tz") or "UTC"),
        seal_numbers=tuple(fields.get("seal_numbers") or ()),
    )
    for name, value in text.items():
        setattr(data, name, value)
    row = events.record(hague, item.ern, user, data)
    return {"ern": item.ern, "seq": row.get("seq"), "event_type": data.event_type}


def item_page(hague: Hague, user: User, ern: str, client: str) -> dict[str, Any]:
    """Everything the item page shows (item and files, custody, extracted metadata) from one read; the read
    of a confidential item is audited as for the API."""
    from hague.media.views import item_media
    from hague.web import service

    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        view = {
            "item": service.full_item_out(session, item),
            "custody": custody_view(session, item),
            "media": item_media(session, item),
        }
    service.audit_read(hague, user, item, client, "ui")
    return view


ITEM_LOG_KINDS = ("item.registered", "file.added", "derivative.added")


def item_log(hague: Hague, user: User, ern: str) -> list[dict[str, Any]]:
    """The log entries that attest a visible item and its files, oldest first (through the ERN index)."""
    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        return [
            {"seq": e.seq, "kind": e.kind, "body": e.body.decode(), "leaf": e.leaf_hash.hex(), "at": e.created_at}
            for e in entries_naming(session, [item.ern], ITEM_LOG_KINDS)
        ]


def extracted_metadata(hague: Hague, user: User, ern: str) -> dict[str, Any]:
    """Extraction runs of the item's files (suggestions next to the collector's record)."""
    from hague.media.views import item_media

    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        return item_media(session, item)


def extract_after_upload(hague: Hague, file_id: int) -> None:
    """Extract metadata of a just-uploaded original; a failure is logged and never fails the upload."""
    try:
        from hague.media.pipeline import extract_file_ids

        extract_file_ids(hague, [file_id])
    except Exception:  # the upload is committed; `hague media extract` picks up files left without a result
        log.exception("metadata extraction failed after upload of file %d", file_id)


def file_ids_of(hague: Hague, ern: str) -> list[int]:
    """Original file ids of an item."""
    from hague.evidence.models import Item

    with hague.reader() as session:
        return list(
            session.scalars(
                select(File.id).join(Item).where(Item.ern == ern, File.derived_from_id.is_(None)).order_by(File.id)
            )
        )


def witnesses(hague: Hague, user: User, code: str) -> list[dict[str, Any]]:
    """Pseudonyms of a case the user fully sees (the testimony library checks the role)."""
    from hague.testimony.witnesses import list_witnesses

    with hague.reader() as session:
        case = policy.visible_case(session, user, code, full=True)
        return list_witnesses(session, case.code, user)


def witness_page(hague: Hague, user: User, pseudonym: str) -> dict[str, Any]:
    """A witness under its pseudonym, its interview dates, and whether the user may reveal the identity."""
    from hague.testimony.witnesses import can_reveal, get_witness, list_witnesses, reveals_of

    with hague.reader() as session:
        witness = get_witness(session, pseudonym)
        case = policy.visible_case(session, user, witness.case.code, full=True)
        entry = next(w for w in list_witnesses(session, case.code, user) if w["pseudonym"] == witness.pseudonym)
        reveals = [
            {"user": r.username, "role": r.role, "at": r.revealed_at} for r in reveals_of(session, witness.pseudonym)
        ]
        return {
            **entry,
            "case": case.code,
            "may_reveal": can_reveal(session, user, witness.pseudonym),
            "reveals": reveals,
        }


def reveal_identity(hague: Hague, user: User, pseudonym: str, reason: str) -> dict[str, Any]:
    """Reveal a witness's identity with a reason (audited by the testimony library); shown once, never stored here."""
    from hague.testimony.vault import Vault
    from hague.testimony.witnesses import get_witness, reveal

    with hague.reader() as session:
        witness = get_witness(session, pseudonym)
        policy.visible_case(session, user, witness.case.code, full=True)
    vault = Vault.from_settings(hague.settings)
    with hague.unit() as unit:
        identity = reveal(unit, vault, pseudonym, unit.session.merge(user), reason)
    return identity.model_dump(mode="json")
