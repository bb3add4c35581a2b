"""Creating and reading the core records; each write appends its log entry in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.counters import next_value
from hague.evidence.models import (
    CLASSIFICATIONS,
    DERIVATIONS,
    ITEM_KINDS,
    Case,
    File,
    Incident,
    Item,
    ItemIncident,
    Organisation,
)
from hague.evidence.names import sanitise_name
from hague.evidence.records import file_entry, incident_record, item_entry
from hague.ledger.canonical import record_hash

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
CASE_CODE = re.compile(r"^([A-Z][A-Z0-9]{1,7})-([A-Z][A-Z0-9]{1,7})-(\d{4,})$")
ROME_ARTICLE = re.compile(
    r"^(6|7|8|8bis)(\(\d+\))?(\([a-z]+\))*(\((i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv|xvi|xvii|xviii|xix|xx|xxi|xxii|xxiii|xxiv|xxv|xxvi)\))*$"
)


def _check_code(value: str, what: str) -> str:
    value = value.strip().upper()
    if not CODE.match(value):
        raise ValidationError(f"{what} must be 2-8 capital letters or digits, starting with a letter", field=what)
    return value


def _check_text(value: str, what: str, max_len: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{what} is required", field=what)
    if len(value) > max_len:
        raise ValidationError(f"{what} is longer than {max_len} characters", field=what)
    if any(ord(ch) < 32 and ch not in "\n\t\r" for ch in value) or "\x00" in value:
        raise ValidationError(f"{what} contains control characters", field=what)
    return value


def _check_coords(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValidationError("give both latitude and longitude, or neither", field="lat")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError("coordinates out of range", field="lat")


def create_organisation(unit: Unit, code: str, name: str) -> Organisation:
    """Register an organisation by its short code (used in ERNs)."""
    code = _check_code(code, "organisation code")
    if unit.session.scalar(select(Organisation).where(Organisation.code == code)):
        raise Conflict(f"organisation {code} already exists")
    org = Organisation(code=code, name=_check_text(name, "name", 200))
    unit.session.add(org)
    unit.session.flush()
    unit.attest("organisation.created", {"code": code, "record": record_hash({"code": code, "name": org.name})})
    return org


def get_organisation(session: Session, code: str) -> Organisation:
    """The organisation with this code."""
    org = session.scalar(select(Organisation).where(Organisation.code == code.upper()))
    if org is None:
        raise NotFound(f"no organisation {code!r}")
    return org


def create_case(unit: Unit, organisation: str, situation: str, title: str) -> Case:
    """Open a case; its number is allocated per organisation and situation, e.g. `UKR-OTP-0001`."""
    org = get_organisation(unit.session, organisation)
    situation = _check_code(situation, "situation code")
    number = next_value(unit.session, f"case:{org.code}:{situation}")
    case = Case(situation=situation, number=number, title=_check_text(title, "title", 300), organisation=org)
    unit.session.add(case)
    unit.session.flush()
    unit.attest("case.opened", {"case": case.code, "record": record_hash({"case": case.code, "title": case.title})})
    return case


_CASE_BY_CODE = (
    select(Case)
    .join(Organisation)
    .where(
        Case.situation == bindparam("situation"),
        Organisation.code == bindparam("organisation"),
        Case.number == bindparam("number"),
    )
)  # built once: every case-scoped request looks its case up


def get_case(session: Session, code: str) -> Case:
    """The case with this code (`UKR-OTP-0001`)."""
    match = CASE_CODE.match(code.strip().upper())
    if not match:
        raise NotFound(f"no case {code!r}")
    situation, org_code, number = match.groups()
    case = session.scalar(_CASE_BY_CODE, {"situation": situation, "organisation": org_code, "number": int(number)})
    if case is None:
        raise NotFound(f"no case {code!r}")
    return case


def list_cases(session: Session) -> list[Case]:
    """All cases, oldest first."""
    return list(session.scalars(select(Case).order_by(Case.id)))


def add_incident(
    unit: Unit,
    case_code: str,
    title: str,
    *,
    description: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    place_name: str = "",
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    alleged_crimes: list[str] | None = None,
    act_types: list[str] | None = None,
) -> Incident:
    """Record an incident; alleged crimes are Rome Statute article codes such as `8(2)(b)(iv)`."""
    case = get_case(unit.session, case_code)
    _check_coords(lat, lon)
    if date_from and date_to and date_to < date_from:
        raise ValidationError("the incident ends before it starts", field="date_to")
    crimes = [c.replace(" ", "") for c in alleged_crimes or []]
    for crime in crimes:
        if not ROME_ARTICLE.match(crime):
            raise ValidationError(
                f"{crime!r} is not a Rome Statute article code like 8(2)(b)(iv)", field="alleged_crimes"
            )
    incident = Incident(
        case_id=case.id,
        title=_check_text(title, "title", 300),
        description=_check_text(description, "description", 20000, required=False),
        date_from=date_from,
        date_to=date_to or date_from,
        place_name=_check_text(place_name, "place name", 300, required=False),
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        alleged_crimes=crimes,
        act_types=list(act_types or []),
    )
    unit.session.add(incident)
    unit.session.flush()
    unit.attest(
        "incident.recorded",
        {"case": case.code, "incident": incident.id, "record": record_hash(incident_record(incident, case))},
    )
    return incident


def list_incidents(session: Session, case_code: str) -> list[Incident]:
    """Incidents of a case."""
    case = get_case(session, case_code)
    return list(session.scalars(select(Incident).where(Incident.case_id == case.id).order_by(Incident.id)))


@dataclass
class ItemInput:
    """What a collector records about an item (Berkeley Protocol / ISO/IEC 27037 collection record)."""

    kind: str
    title: str
    description: str = ""
    collected_at: datetime | None = None
    collected_tz: str = "UTC"
    collected_by: str = ""
    place_name: str = ""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    method: str = ""
    tool: str = ""
    tool_version: str = ""
    source: str = ""
    language: str = ""
    classification: str = "restricted"
    incident_ids: tuple[int, ...] = ()
    parent_ern: str | None = None
    extra: dict[str, Any] | None = None

    def validate(self) -> None:
        """Refuse incomplete or impossible collection records with a clear message."""
        if self.kind not in ITEM_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(ITEM_KINDS)}", field="kind")
        if self.classification not in CLASSIFICATIONS:
            raise ValidationError(f"classification must be one of {', '.join(CLASSIFICATIONS)}", field="classification")
        _check_text(self.title, "title", 500)
        _check_coords(self.lat, self.lon)
        try:
            ZoneInfo(self.collected_tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"unknown time zone {self.collected_tz!r}", field="collected_tz") from exc
        if self.collected_at is not None:
            if self.collected_at.tzinfo is None:
                raise ValidationError("collection time needs a time zone", field="collected_at")
            if self.collected_at > utcnow():
                raise ValidationError("collection time is in the future", field="collected_at")


def add_item(unit: Unit, case_code: str, data: ItemInput, organisation_id: int | None = None) -> Item:
    """Register an item and give it the next ERN of its case (`UKR-OTP-0001-0042`), never reused."""
    data.validate()
    session = unit.session
    case = get_case(session, case_code)
    number = next_value(session, f"ern:{case.code}")
    parent_id = None
    if data.parent_ern:
        parent_id = get_item(session, data.parent_ern).id
    item = Item(
        case_id=case.id,
        ern=f"{case.code}-{number:04d}",
        kind=data.kind,
        title=data.title.strip(),
        description=data.description,
        collected_at=data.collected_at,
        collected_tz=data.collected_tz,
        collected_by=data.collected_by,
        place_name=data.place_name,
        lat=data.lat,
        lon=data.lon,
        accuracy_m=data.accuracy_m,
        method=data.method,
        tool=data.tool,
        tool_version=data.tool_version,
        source=data.source,
        language=data.language,
        classification=data.classification,
        organisation_id=organisation_id or case.organisation_id,
        parent_item_id=parent_id,
        extra=data.extra or {},
    )
    session.add(item)
    session.flush()
    for incident_id in data.incident_ids:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.case_id != case.id:
            raise NotFound(f"no incident {incident_id} in case {case.code}")
        session.add(ItemIncident(item_id=item.id, incident_id=incident_id))
    unit.attest("item.registered", item_entry(item, case))
    return item


def get_item(session: Session, ern: str) -> Item:
    """The item with this ERN."""
    item = session.scalar(select(Item).where(Item.ern == ern.strip().upper()))
    if item is None:
        raise NotFound(f"no item {ern!r}")
    return item


def list_items(
    session: Session, case_code: str, kind: str | None = None, limit: int = 1000, offset: int = 0
) -> list[Item]:
    """Items of a case in ERN order, optionally of one kind."""
    case = get_case(session, case_code)
    stmt = select(Item).where(Item.case_id == case.id)
    if kind:
        stmt = stmt.where(Item.kind == kind)
    return list(session.scalars(stmt.order_by(Item.id).limit(limit).offset(offset)))


def count_items(session: Session, case_code: str) -> int:
    """Number of items in a case."""
    case = get_case(session, case_code)
    return int(session.scalar(select(func.count()).select_from(Item).where(Item.case_id == case.id)) or 0)


def attach_file(unit: Unit, item: Item, sha256: str, size: int, mime_type: str, original_name: str) -> File:
    """Attach a stored original to an item and attest it."""
    if unit.session.scalar(select(File).where(File.item_id == item.id, File.sha256 == sha256)):
        raise Conflict(f"{item.ern} already holds a file with SHA-256 {sha256}")
    file = File(
        item_id=item.id, sha256=sha256, size=size, mime_type=mime_type, original_name=sanitise_name(original_name)
    )
    unit.session.add(file)
    unit.session.flush()
    unit.attest("file.added", file_entry(file, item))
    return file


def next_suffix(session: Session, item: Item, derivation: str) -> str:
    """The ICC version suffix for a new derivative: `-Red`, `-Red2`, ... for redactions."""
    if derivation != "redacted":
        return ""
    count = (
        session.scalar(
            select(func.count()).select_from(File).where(File.item_id == item.id, File.derivation == "redacted")
        )
        or 0
    )
    return "-Red" if count == 0 else f"-Red{count + 1}"


def add_derivative(
    unit: Unit,
    source: File,
    sha256: str,
    size: int,
    mime_type: str,
    derivation: str,
    reason: str,
    original_name: str = "",
) -> File:
    """Record a derivative (working copy, redaction, transcript...) of a stored file; the source is untouched."""
    if derivation not in DERIVATIONS:
        raise ValidationError(f"derivation must be one of {', '.join(DERIVATIONS)}", field="derivation")
    reason = _check_text(reason, "reason", 2000)
    item = source.item
    file = File(
        item_id=item.id,
        sha256=sha256,
        size=size,
        mime_type=mime_type,
        original_name=sanitise_name(original_name or f"{derivation}-{source.original_name}"),
        derived_from_id=source.id,
        derivation=derivation,
        reason=reason,
        ern_suffix=next_suffix(unit.session, item, derivation),
    )
    unit.session.add(file)
    unit.session.flush()
    unit.attest("derivative.added", file_entry(file, item, source))
    return file
