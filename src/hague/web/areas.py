"""Screens over other areas' libraries: custody timeline and events (`hague.custody`), extracted metadata
(`hague.media`). Each call checks the item is visible to the user first; the areas apply their own rules."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hague.access import policy
from hague.core import Hague
from hague.db.base import utcnow
from hague.evidence.models import File, User

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
    from hague.custody.models import CustodyEvent, CustodyState

    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        events = session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq))
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


def extracted_metadata(hague: Hague, user: User, ern: str) -> dict[str, Any]:
    """Extraction runs of the item's files (suggestions next to the collector's record)."""
    from hague.media.views import item_media

    with hague.reader() as session:
        item = policy.visible_item(session, user, ern)
        return item_media(session, item.ern)


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
