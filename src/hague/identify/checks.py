"""Record checks for identification log entries: `hague verify` recomputes each record from the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.errors import NotFound
from hague.evidence.models import Case, Item
from hague.identify.models import (
    AMReport,
    FrequencyDatabase,
    Match,
    MatchEvent,
    PMRecord,
    ReferencePedigree,
    Sample,
    StrProfile,
)
from hague.identify.records import am_record, get_am, get_pm, pm_record, sample_record
from hague.identify.store import frequency_record, pedigree_record, profile_record
from hague.identify.workflow import event_record
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash


def _case(session: Session, code: str) -> Case:
    from hague.evidence.register import get_case

    return get_case(session, code)


@record_check("identify.am_recorded")
def _am(session: Session, fields: dict[str, Any]) -> str:
    report: AMReport = get_am(session, fields["code"])
    return record_hash(am_record(report, fields["case"]))


@record_check("identify.pm_recorded")
def _pm(session: Session, fields: dict[str, Any]) -> str:
    record: PMRecord = get_pm(session, fields["code"])
    item = session.get(Item, record.item_id)
    return record_hash(pm_record(record, fields["case"], item.ern if item else ""))


@record_check("identify.sample_registered")
def _sample(session: Session, fields: dict[str, Any]) -> str:
    case = _case(session, fields["case"])
    sample = session.scalar(select(Sample).where(Sample.case_id == case.id, Sample.barcode == fields["barcode"]))
    if sample is None:
        raise NotFound(f"no sample {fields['barcode']}")
    item = session.get(Item, sample.item_id) if sample.item_id else None
    pm = session.get(PMRecord, sample.pm_id) if sample.pm_id else None
    return record_hash(sample_record(sample, case.code, item.ern if item else None, pm.code if pm else None))


@record_check("identify.profile_imported")
def _profile(session: Session, fields: dict[str, Any]) -> str:
    case = _case(session, fields["case"])
    row = session.scalar(
        select(StrProfile).where(StrProfile.case_id == case.id, StrProfile.barcode == fields["barcode"])
    )
    if row is None:
        raise NotFound(f"no profile of {fields['barcode']}")
    return record_hash(profile_record(row, case.code))


@record_check("identify.frequencies_imported")
def _frequencies(session: Session, fields: dict[str, Any]) -> str:
    case = _case(session, fields["case"])
    row = session.scalar(
        select(FrequencyDatabase).where(FrequencyDatabase.case_id == case.id, FrequencyDatabase.name == fields["name"])
    )
    if row is None:
        raise NotFound(f"no frequency database {fields['name']!r}")
    return record_hash(frequency_record(row, case.code))


@record_check("identify.pedigree_imported")
def _pedigree(session: Session, fields: dict[str, Any]) -> str:
    case = _case(session, fields["case"])
    row = session.scalar(
        select(ReferencePedigree).where(
            ReferencePedigree.case_id == case.id, ReferencePedigree.family_id == fields["family"]
        )
    )
    if row is None:
        raise NotFound(f"no pedigree of family {fields['family']}")
    return record_hash(pedigree_record(row, case.code))


def _event(session: Session, fields: dict[str, Any]) -> str:
    event = session.get(MatchEvent, fields["event"])
    match = session.get(Match, event.match_id) if event else None
    if event is None or match is None:
        raise NotFound(f"no workflow event {fields['event']}")
    return record_hash(event_record(event, match, fields["case"]))


for _step in ("candidate", "reviewed", "confirmed", "notified"):
    record_check(f"identify.{_step}")(_event)
