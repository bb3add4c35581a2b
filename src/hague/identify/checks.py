"""Record checks for identification log entries: `hague verify` recomputes each record from the rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from hague.ledger.attest import EntryKey, record_check, record_rows
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


# rows that MUST have an entry: `verify` names any identification record that was never attested
def _case_codes(session: Session) -> dict[int, str]:
    return {case.id: case.code for case in session.scalars(select(Case))}


@record_rows("identify.am_recorded", key=lambda f: (f.get("code"),))
def _am_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for code in session.scalars(select(AMReport.code)):
        yield (code,), f"AM report {code}"


@record_rows("identify.pm_recorded", key=lambda f: (f.get("code"),))
def _pm_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for code in session.scalars(select(PMRecord.code)):
        yield (code,), f"PM record {code}"


@record_rows("identify.sample_registered", key=lambda f: (f.get("case"), f.get("barcode")))
def _sample_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    codes = _case_codes(session)
    for case_id, barcode in session.execute(select(Sample.case_id, Sample.barcode)).tuples():
        yield (codes[case_id], barcode), f"sample {barcode}"


@record_rows("identify.profile_imported", key=lambda f: (f.get("case"), f.get("barcode")))
def _profile_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    codes = _case_codes(session)
    for case_id, barcode in session.execute(select(StrProfile.case_id, StrProfile.barcode)).tuples():
        yield (codes[case_id], barcode), f"STR profile of {barcode}"


@record_rows("identify.frequencies_imported", key=lambda f: (f.get("case"), f.get("name")))
def _frequency_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    codes = _case_codes(session)
    for case_id, name in session.execute(select(FrequencyDatabase.case_id, FrequencyDatabase.name)).tuples():
        yield (codes[case_id], name), f"frequency database {name}"


@record_rows("identify.pedigree_imported", key=lambda f: (f.get("case"), f.get("family")))
def _pedigree_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    codes = _case_codes(session)
    for case_id, family in session.execute(select(ReferencePedigree.case_id, ReferencePedigree.family_id)).tuples():
        yield (codes[case_id], family), f"pedigree of family {family}"


def _event_rows(step: str) -> Callable[[Session], Iterator[tuple[EntryKey, str]]]:
    def rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
        for event_id, match_id in session.execute(
            select(MatchEvent.id, MatchEvent.match_id).where(MatchEvent.step == step)
        ).tuples():
            yield (event_id,), f"match {match_id} step {step}"

    return rows


for _step in ("candidate", "reviewed", "confirmed", "notified"):
    record_rows(f"identify.{_step}", key=lambda f: (f.get("event"),))(_event_rows(_step))
