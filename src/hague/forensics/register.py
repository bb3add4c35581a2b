"""Recording an item's forensic form (validated, attested) and linking incidents by shared munitions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.core import Unit
from hague.custody.events import CUSTODY_ROLES
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.models import Case, Incident, Item, ItemIncident, User
from hague.evidence.register import get_case, get_item
from hague.forensics.forms import FORMS, Ballistic
from hague.forensics.models import ForensicRecord
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash
from hague.store import BlobStore

LINK_KEYS = ("munition_type", "weapon_system", "headstamp")


def link_key(value: str, compact: bool = True) -> str:
    """Normalised form for matching: NFKC, upper case; designations lose spaces and dashes (`BM-30` = `bm 30`),
    headstamps (`compact=False`) keep single spaces between their markings."""
    text = unicodedata.normalize("NFKC", value).upper()
    text = re.sub(r"[\s\u2010-\u2015-]+" if compact else r"\s+", "" if compact else " ", text)
    return text.strip()


def forensic_record(record: ForensicRecord, ern: str) -> dict[str, Any]:
    """The attested form of a forensic record."""
    return {"ern": ern, "form": record.form, "data": record.data}


def record_form(unit: Unit, store: BlobStore, ern: str, form: str, data: dict[str, Any], by: User) -> ForensicRecord:
    """Validate and attach the structured form of an item (one per item); the photo MUST be in the store."""
    model = FORMS.get(form)
    if model is None:
        raise ValidationError(f"form must be one of {', '.join(FORMS)}", field="form")
    try:
        parsed = model.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or form
        raise ValidationError(f"{form} {where}: {first['msg']}", field=where) from exc
    session = unit.session
    item = get_item(session, ern)
    case = session.get(Case, item.case_id)
    assert case is not None
    require_role(session, by, case, CUSTODY_ROLES)
    if isinstance(parsed, Ballistic) and not store.exists(parsed.photo_sha256):
        raise ValidationError("the photo (with scale) is not in the store; put it there first", field="photo_sha256")
    if session.scalar(select(ForensicRecord.id).where(ForensicRecord.item_id == item.id)):
        raise Conflict(f"{item.ern} already has a forensic form")
    values = parsed.model_dump(mode="json")
    row = ForensicRecord(
        item_id=item.id,
        case_id=item.case_id,
        form=form,
        data=values,
        munition_type=link_key(values.get("munition_type", "")),
        weapon_system=link_key(values.get("weapon_system", "")),
        headstamp=link_key(values.get("headstamp", ""), compact=False),
        recorded_by=by.username,
    )
    session.add(row)
    session.flush()
    unit.attest(
        "forensic.recorded", {"ern": item.ern, "form": form, "record": record_hash(forensic_record(row, item.ern))}
    )
    return row


def get_form(session: Session, ern: str) -> ForensicRecord:
    """The forensic form of an item."""
    item = get_item(session, ern)
    row = session.scalar(select(ForensicRecord).where(ForensicRecord.item_id == item.id))
    if row is None:
        raise NotFound(f"{item.ern} has no forensic form")
    return row


@dataclass
class LinkGroup:
    """Incidents sharing one munition type, weapon system or headstamp."""

    by: str
    key: str
    values: list[str] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"by": self.by, "key": self.key, "values": self.values, "incidents": self.incidents, "items": self.items}


def linked_incidents(
    session: Session, case_code: str, by: str = "munition_type", value: str | None = None, min_incidents: int = 2
) -> list[LinkGroup]:
    """Groups of incidents whose items share `by` ("the same 9M55K in these 12 incidents"), largest first."""
    if by not in LINK_KEYS:
        raise ValidationError(f"link by one of {', '.join(LINK_KEYS)}", field="by")
    case = get_case(session, case_code)
    column = getattr(ForensicRecord, by)
    stmt = (
        select(column, ForensicRecord.data, Item.ern, Incident.id, Incident.title, Incident.date_from)
        .join(Item, Item.id == ForensicRecord.item_id)
        .join(ItemIncident, ItemIncident.item_id == Item.id)
        .join(Incident, Incident.id == ItemIncident.incident_id)
        .where(ForensicRecord.case_id == case.id, column != "")
        .order_by(Incident.id, Item.id)
    )
    if value is not None:
        stmt = stmt.where(column == link_key(value, compact=by != "headstamp"))
    groups: dict[str, LinkGroup] = {}
    for key, data, ern, incident_id, title, when in session.execute(stmt):
        group = groups.setdefault(key, LinkGroup(by, key))
        verbatim = data.get(by, "")
        if verbatim and verbatim not in group.values:
            group.values.append(verbatim)
        if ern not in group.items:
            group.items.append(ern)
        if all(i["id"] != incident_id for i in group.incidents):
            group.incidents.append({"id": incident_id, "title": title, "date": when.isoformat() if when else None})
    found = [g for g in groups.values() if len(g.incidents) >= min_incidents]
    return sorted(found, key=lambda g: (-len(g.incidents), g.key))


@record_check("forensic.recorded")
def _check_form(session: Session, fields: dict[str, Any]) -> str:
    return record_hash(forensic_record(get_form(session, fields["ern"]), fields["ern"]))
