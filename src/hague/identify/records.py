"""AM reports, PM records and bar-coded samples: written with their log entries in one unit of work.

Names MUST NOT be written here: the missing person is a pseudonymous id, the reporter and family
contacts are witness pseudonyms whose identities live in the testimony vault (`hague.testimony`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import get_user, require_role
from hague.core import Unit
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.counters import next_value
from hague.evidence.models import Case, Item
from hague.evidence.register import ItemInput, _check_coords, _check_text, add_item, get_case, get_item
from hague.identify.descriptors import Descriptors
from hague.identify.models import SAMPLE_KINDS, AMReport, PMRecord, Sample
from hague.identify.profiles import check_barcode, check_sex
from hague.ledger.canonical import decimal_text, record_hash

WRITERS = frozenset({"investigator", "analyst", "case_lead", "admin"})


def authorise(session: Session, username: str, case: Case, allowed: frozenset[str] = WRITERS) -> str:
    """The acting user's name, after checking their role on the case."""
    user = get_user(session, username)
    require_role(session, user, case, allowed)
    return user.username


@dataclass
class AMInput:
    """A missing-person report: who is missing (pseudonymous id), reporter, circumstances, consent, description."""

    missing_person: str
    consent_scope: str
    reporter: str = ""
    family_id: str = ""
    circumstances: str = ""
    last_seen_place: str = ""
    last_seen_date: date | None = None
    relatives: list[dict[str, str]] = field(default_factory=list)
    sharing_scope: str = ""
    descriptors: Descriptors = field(default_factory=Descriptors)


@dataclass
class PMInput:
    """A post-mortem record: recovery context (site, grave, body/bag numbers, GPS) and estimates."""

    recovery_site: str
    grave: str = ""
    body_number: str = ""
    bag_number: str = ""
    lat: float | None = None
    lon: float | None = None
    recovered_at: datetime | None = None
    remains_ern: str | None = None
    descriptors: Descriptors = field(default_factory=Descriptors)


def _relatives(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        extra = set(row) - {"relationship", "sample", "witness"}
        if extra:
            raise ValidationError(f"relatives take relationship, sample, witness only (not {sorted(extra)})")
        out.append(
            {
                "relationship": _check_text(row.get("relationship", ""), "relationship", 100),
                "sample": check_barcode(row["sample"]) if row.get("sample") else "",
                "witness": check_barcode(row["witness"], "witness pseudonym") if row.get("witness") else "",
            }
        )
    return out


def am_record(report: AMReport, case_code: str) -> dict[str, Any]:
    """The attested form of an AM report."""
    return {
        "case": case_code,
        "code": report.code,
        "missing_person": report.missing_person,
        "reporter": report.reporter,
        "family_id": report.family_id,
        "circumstances": report.circumstances,
        "last_seen_place": report.last_seen_place,
        "last_seen_date": report.last_seen_date,
        "relatives": list(report.relatives or []),
        "consent_scope": report.consent_scope,
        "sharing_scope": report.sharing_scope,
        "descriptors": dict(report.descriptors or {}),
        "created_by": report.created_by,
    }


def record_am_report(unit: Unit, case_code: str, data: AMInput, by: str) -> AMReport:
    """Record a missing-person report (consent scope is mandatory; the reporter must be a vault witness)."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case)
    mp = check_barcode(data.missing_person, "missing person id")
    family = check_barcode(data.family_id, "family id") if data.family_id else ""
    if unit.session.scalar(
        select(AMReport).where(AMReport.case_id == case.id, AMReport.family_id == family, AMReport.missing_person == mp)
    ):
        raise Conflict(f"missing person {mp} already has a report in {case.code}")
    reporter = ""
    if data.reporter:
        from hague.testimony.witnesses import get_witness

        witness = get_witness(unit.session, data.reporter)
        if witness.case_id != case.id:
            raise NotFound(f"no witness {data.reporter!r} in case {case.code}")
        reporter = witness.pseudonym
    number = next_value(unit.session, f"identify-am:{case.code}")
    report = AMReport(
        case_id=case.id,
        code=f"{case.code}-AM-{number:04d}",
        missing_person=mp,
        reporter=reporter,
        family_id=family,
        circumstances=_check_text(data.circumstances, "circumstances", 20000, required=False),
        last_seen_place=_check_text(data.last_seen_place, "last seen place", 300, required=False),
        last_seen_date=data.last_seen_date,
        relatives=_relatives(data.relatives),
        consent_scope=_check_text(data.consent_scope, "consent scope", 300),
        sharing_scope=_check_text(data.sharing_scope, "sharing scope", 300, required=False),
        descriptors=data.descriptors.to_dict(),
        created_by=actor,
    )
    unit.session.add(report)
    unit.session.flush()
    unit.attest(
        "identify.am_recorded",
        {"case": case.code, "code": report.code, "record": record_hash(am_record(report, case.code))},
    )
    return report


def pm_record(record: PMRecord, case_code: str, ern: str) -> dict[str, Any]:
    """The attested form of a PM record."""
    return {
        "case": case_code,
        "code": record.code,
        "remains_ern": ern,
        "recovery_site": record.recovery_site,
        "grave": record.grave,
        "body_number": record.body_number,
        "bag_number": record.bag_number,
        "lat": decimal_text(record.lat),
        "lon": decimal_text(record.lon),
        "recovered_at": record.recovered_at,
        "descriptors": dict(record.descriptors or {}),
        "created_by": record.created_by,
    }


def record_pm(unit: Unit, case_code: str, data: PMInput, by: str) -> PMRecord:
    """Record remains (registering them as a physical item unless an ERN is given) with recovery context."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case)
    _check_coords(data.lat, data.lon)
    site = _check_text(data.recovery_site, "recovery site", 300)
    body = _check_text(data.body_number, "body number", 64, required=False)
    bag = _check_text(data.bag_number, "bag number", 64, required=False)
    if not body and not bag:
        raise ValidationError("give the body or bag number of the remains (Bournemouth Protocol)", field="body_number")
    if data.remains_ern:
        item = get_item(unit.session, data.remains_ern)
        if item.case_id != case.id:
            raise NotFound(f"no item {data.remains_ern} in case {case.code}")
    else:
        item = add_item(
            unit,
            case.code,
            ItemInput(
                kind="physical",
                title=f"Human remains, body {body or '-'} bag {bag or '-'}",
                place_name=site,
                lat=data.lat,
                lon=data.lon,
                collected_at=data.recovered_at,
                collected_by=actor,
                method="exhumation / recovery",
                classification="confidential",
            ),
        )
    number = next_value(unit.session, f"identify-pm:{case.code}")
    record = PMRecord(
        case_id=case.id,
        code=f"{case.code}-PM-{number:04d}",
        item_id=item.id,
        recovery_site=site,
        grave=_check_text(data.grave, "grave", 100, required=False),
        body_number=body,
        bag_number=bag,
        lat=data.lat,
        lon=data.lon,
        recovered_at=data.recovered_at,
        descriptors=data.descriptors.to_dict(),
        created_by=actor,
    )
    unit.session.add(record)
    unit.session.flush()
    unit.attest(
        "identify.pm_recorded",
        {"case": case.code, "code": record.code, "record": record_hash(pm_record(record, case.code, item.ern))},
    )
    return record


def get_am(session: Session, code: str) -> AMReport:
    """The AM report with this code."""
    report = session.scalar(select(AMReport).where(AMReport.code == code.strip().upper()))
    if report is None:
        raise NotFound(f"no AM report {code!r}")
    return report


def get_pm(session: Session, code: str) -> PMRecord:
    """The PM record with this code."""
    record = session.scalar(select(PMRecord).where(PMRecord.code == code.strip().upper()))
    if record is None:
        raise NotFound(f"no PM record {code!r}")
    return record


def sample_record(sample: Sample, case_code: str, ern: str | None, pm_code: str | None) -> dict[str, Any]:
    """The attested form of a sample."""
    return {
        "case": case_code,
        "barcode": sample.barcode,
        "kind": sample.kind,
        "ern": ern,
        "pm": pm_code,
        "missing_person": sample.missing_person,
        "sex": sample.sex,
        "age_min": sample.age_min,
        "age_max": sample.age_max,
    }


def add_sample(
    unit: Unit,
    case_code: str,
    barcode: str,
    kind: str,
    by: str,
    *,
    pm_code: str | None = None,
    missing_person: str = "",
    sex: str = "unknown",
    age_min: int | None = None,
    age_max: int | None = None,
) -> Sample:
    """Register a bar-coded sample; one taken from a PM record becomes a child item of the remains item
    (a lab's remains list may name samples before their PM record is linked)."""
    case = get_case(unit.session, case_code)
    actor = authorise(unit.session, by, case)
    barcode = check_barcode(barcode)
    if kind not in SAMPLE_KINDS:
        raise ValidationError(f"sample kind must be one of {', '.join(SAMPLE_KINDS)}", field="kind")
    if unit.session.scalar(select(Sample).where(Sample.case_id == case.id, Sample.barcode == barcode)):
        raise Conflict(f"sample {barcode} already exists in {case.code}")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValidationError("age_min is above age_max", field="age_min")
    pm = get_pm(unit.session, pm_code) if pm_code else None
    item: Item | None = None
    if pm is not None:
        if pm.case_id != case.id:
            raise NotFound(f"no PM record {pm_code} in case {case.code}")
        remains = unit.session.get(Item, pm.item_id)
        assert remains is not None
        item = add_item(
            unit,
            case.code,
            ItemInput(
                kind="physical",
                title=f"DNA sample {barcode}",
                parent_ern=remains.ern,
                collected_by=actor,
                method="sampled (bone/tooth/tissue) for DNA",
                classification="confidential",
            ),
        )
    sample = Sample(
        case_id=case.id,
        barcode=barcode,
        kind=kind,
        item_id=item.id if item else None,
        pm_id=pm.id if pm else None,
        missing_person=check_barcode(missing_person, "missing person id") if missing_person else "",
        sex=check_sex(sex),
        age_min=age_min,
        age_max=age_max,
    )
    unit.session.add(sample)
    unit.session.flush()
    unit.attest(
        "identify.sample_registered",
        {
            "case": case.code,
            "barcode": barcode,
            "record": record_hash(
                sample_record(sample, case.code, item.ern if item else None, pm.code if pm else None)
            ),
        },
    )
    return sample
