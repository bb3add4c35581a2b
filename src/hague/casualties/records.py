"""Canonical forms of casualty rows (what the log attests) and the record checks `verify` runs on them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.casualties.models import (
    CasualtyImport,
    CasualtyRecord,
    CasualtySource,
    LinkAssignment,
    LinkDecision,
    LinkPair,
    LinkRun,
    SourceMapping,
)
from hague.errors import NotFound
from hague.evidence.models import Case
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import decimal_text, record_hash


def casualty_record(record: CasualtyRecord) -> dict[str, Any]:
    """The attested content of one casualty record as imported (withdrawal and linkage are attested apart)."""
    return {
        "id": record.id,
        "row": record.row_number,
        "source_document": record.source_document,
        "name_original": record.name_original,
        "given_name": record.given_name,
        "surname": record.surname,
        "patronymic": record.patronymic,
        "transliterations": list(record.transliterations or []),
        "aliases": list(record.aliases or []),
        "sex": record.sex,
        "age": record.age,
        "age_group": record.age_group,
        "date": record.date_text,
        "place_name": record.place_name,
        "region": record.region,
        "lat": decimal_text(record.lat),
        "lon": decimal_text(record.lon),
        "territorial_control": record.territorial_control,
        "status": record.status,
        "harm_type": record.harm_type,
        "circumstances": record.circumstances,
        "alleged_actor": record.alleged_actor,
        "verification": record.verification,
        "incident_id": record.incident_id,
        "evidence_erns": list(record.evidence_erns or []),
    }


def source_record(source: CasualtySource, case: Case) -> dict[str, Any]:
    """The attested source list (its mappings are attested one version at a time)."""
    return {"case": case.code, "source": source.code, "name": source.name, "source_type": source.source_type}


def mapping_record(version: SourceMapping) -> dict[str, Any]:
    """One attested version of a source's column mapping."""
    return {"version": version.id, "source_id": version.source_id, "mapping": version.mapping, "by": version.saved_by}


def import_record(session: Session, batch: CasualtyImport) -> dict[str, Any]:
    """The attested import batch: file hash, mapping, and the hash of every record it brought in."""
    rows = session.scalars(
        select(CasualtyRecord).where(CasualtyRecord.import_id == batch.id).order_by(CasualtyRecord.row_number)
    ).all()
    return {
        "import": batch.id,
        "source_id": batch.source_id,
        "file_name": batch.file_name,
        "sha256": batch.sha256,
        "format": batch.file_format,
        "mapping": batch.mapping or {},
        "rows": batch.rows,
        "imported_by": batch.imported_by,
        "records": [record_hash(casualty_record(r)) for r in rows],
    }


def withdrawal_record(batch: CasualtyImport) -> dict[str, Any]:
    """The attested withdrawal decision."""
    return {
        "import": batch.id,
        "withdrawn": batch.withdrawn,
        "withdrawn_by": batch.withdrawn_by,
        "withdrawn_at": batch.withdrawn_at,
        "reason": batch.withdrawal_reason,
    }


def link_run_record(session: Session, run: LinkRun) -> dict[str, Any]:
    """The attested linkage run: its settings and every record-to-victim assignment."""
    assignments = session.execute(
        select(LinkAssignment.record_id, LinkAssignment.victim_code)
        .where(LinkAssignment.run_id == run.id)
        .order_by(LinkAssignment.record_id)
    ).all()
    return {
        "run": run.id,
        "kind": run.kind,
        "run_by": run.run_by,
        "settings": run.settings or {},
        "records": run.records,
        "victims": run.victims,
        "assignments": [[record_id, code] for record_id, code in assignments],
    }


def decision_record(pair: LinkPair, decision: LinkDecision) -> dict[str, Any]:
    """The attested clerical decision on a pair: the pair, what was decided, who and when."""
    return {
        "decision_id": decision.id,
        "pair": pair.id,
        "record_a": pair.record_a,
        "record_b": pair.record_b,
        "probability": pair.probability,
        "decision": decision.decision,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
        "note": decision.note,
    }


def _get(session: Session, model: Any, key: Any, what: str) -> Any:
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} is gone")
    return row


@record_check("casualties.source_saved")
def _check_source(session: Session, fields: dict[str, Any]) -> str:
    source = _get(session, CasualtySource, fields["source_id"], "casualty source")
    return record_hash(source_record(source, _get(session, Case, source.case_id, "case")))


@record_check("casualties.mapping_saved")
def _check_mapping(session: Session, fields: dict[str, Any]) -> str:
    return record_hash(mapping_record(_get(session, SourceMapping, fields["version"], "mapping version")))


@record_check("casualties.imported")
def _check_import(session: Session, fields: dict[str, Any]) -> str:
    return record_hash(import_record(session, _get(session, CasualtyImport, fields["import"], "casualty import")))


@record_check("casualties.import_withdrawn")
def _check_withdrawal(session: Session, fields: dict[str, Any]) -> str:
    return record_hash(withdrawal_record(_get(session, CasualtyImport, fields["import"], "casualty import")))


@record_check("casualties.linked")
def _check_link_run(session: Session, fields: dict[str, Any]) -> str:
    return record_hash(link_run_record(session, _get(session, LinkRun, fields["run"], "link run")))


@record_check("casualties.review_decided")
def _check_decision(session: Session, fields: dict[str, Any]) -> str:
    decision = _get(session, LinkDecision, fields["decision_id"], "review decision")
    return record_hash(decision_record(_get(session, LinkPair, decision.pair_id, "review pair"), decision))


def _key(name: str) -> Any:
    return lambda fields: (fields.get(name),)


@record_rows("casualties.imported", _key("import"))
def _import_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for (batch,) in session.execute(select(CasualtyImport.id)):
        yield (batch,), f"casualty import {batch}"


@record_rows("casualties.mapping_saved", _key("version"))
def _mapping_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for (version,) in session.execute(select(SourceMapping.id)):
        yield (version,), f"casualty mapping version {version}"


@record_rows("casualties.linked", _key("run"))
def _run_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for (run,) in session.execute(select(LinkRun.id)):
        yield (run,), f"casualty link run {run}"


@record_rows("casualties.review_decided", _key("decision_id"))
def _decision_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for (decision,) in session.execute(select(LinkDecision.id)):
        yield (decision,), f"casualty review decision {decision}"
