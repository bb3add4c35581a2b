"""Record checks for testimony log entries: `hague verify` recomputes each attested record from the rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.errors import NotFound
from hague.evidence.models import Case, Item, Organisation
from hague.evidence.register import get_item
from hague.ledger.attest import EntryKey, record_check, record_rows
from hague.ledger.canonical import record_hash
from hague.testimony.consent import withdrawal_record
from hague.testimony.interviews import interview_of, interview_record
from hague.testimony.models import (
    ConsentWithdrawal,
    IdentityReveal,
    Interview,
    RedactionVersion,
    VaultKey,
    Witness,
    WitnessIdentity,
)
from hague.testimony.redaction import get_version, version_record
from hague.testimony.vault import key_record, rotation_record
from hague.testimony.witnesses import get_witness, reveal_record, witness_record


@record_check("witness.registered")
def _witness(session: Session, fields: dict[str, Any]) -> str:
    witness = get_witness(session, fields["pseudonym"])
    sealed = session.get(WitnessIdentity, witness.id)
    if sealed is None:
        raise NotFound(f"{witness.pseudonym} has no sealed identity")
    return record_hash(witness_record(witness, sealed))


@record_check("vault.key_created")
def _key(session: Session, fields: dict[str, Any]) -> str:
    row = session.get(VaultKey, fields["key"])
    if row is None:
        raise NotFound(f"no vault key {fields['key']}")
    case = session.get(Case, row.case_id)
    return record_hash(key_record(row, case.code if case else "?"))


@record_check("vault.rotated")
def _rotated(session: Session, fields: dict[str, Any]) -> str:
    ids = list(fields["keys"])
    found = set(session.scalars(select(VaultKey.id).where(VaultKey.id.in_(ids))))
    if found != set(ids):
        raise NotFound(f"vault keys {sorted(set(ids) - found)} are gone")
    return record_hash(rotation_record(ids, fields["to"]))


@record_check("interview.recorded")
def _interview(session: Session, fields: dict[str, Any]) -> str:
    interview = interview_of(session, fields["ern"])
    return record_hash(interview_record(interview, interview.witness, interview.item))


@record_check("identity.revealed")
def _revealed(session: Session, fields: dict[str, Any]) -> str:
    audit = session.get(IdentityReveal, fields["reveal"])
    if audit is None:
        raise NotFound(f"no reveal audit record {fields['reveal']}")
    return record_hash(reveal_record(audit, get_witness(session, fields["pseudonym"])))


@record_check("consent.withdrawn")
def _withdrawn(session: Session, fields: dict[str, Any]) -> str:
    row = session.get(ConsentWithdrawal, fields["withdrawal"])
    if row is None:
        raise NotFound(f"no consent withdrawal {fields['withdrawal']}")
    org = session.get(Organisation, row.organisation_id) if row.organisation_id else None
    return record_hash(withdrawal_record(row, get_item(session, fields["ern"]).ern, org.code if org else None))


@record_check("redaction.applied")
def _redaction(session: Session, fields: dict[str, Any]) -> str:
    version = get_version(session, fields["ern"], fields["suffix"])
    return record_hash(version_record(version, get_item(session, fields["ern"])))


@record_check("pprl.exported")
def _exported(session: Session, fields: dict[str, Any]) -> str:
    from hague.pprl.exchange import export_record
    from hague.testimony.models import PprlExport

    row = session.get(PprlExport, fields["export"])
    if row is None:
        raise NotFound(f"no linkage export {fields['export']}")
    case = session.get(Case, row.case_id)
    partner = session.get(Organisation, row.partner_id)
    return record_hash(export_record(row, case.code if case else "?", partner.code if partner else "?"))


@record_check("pprl.imported")
def _imported(session: Session, fields: dict[str, Any]) -> str:
    from hague.pprl.exchange import import_record
    from hague.testimony.models import PprlImport

    row = session.get(PprlImport, fields["import"])
    if row is None:
        raise NotFound(f"no linkage import {fields['import']}")
    case = session.get(Case, row.case_id)
    partner = session.get(Organisation, row.partner_id)
    return record_hash(import_record(row, case.code if case else "?", partner.code if partner else "?"))


# Rows that MUST each have a log entry: `hague verify` names any row written around the log.
@record_rows("witness.registered", key=lambda f: (f.get("pseudonym"),))
def _witness_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for pseudonym in session.scalars(select(Witness.pseudonym)):
        yield (pseudonym,), f"witness {pseudonym}"


@record_rows("interview.recorded", key=lambda f: (f.get("ern"),))
def _interview_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for ern in session.scalars(select(Item.ern).join(Interview, Interview.item_id == Item.id)):
        yield (ern,), f"interview {ern}"


@record_rows("identity.revealed", key=lambda f: (f.get("reveal"),))
def _reveal_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for row_id in session.scalars(select(IdentityReveal.id)):
        yield (row_id,), f"identity reveal {row_id}"


@record_rows("consent.withdrawn", key=lambda f: (f.get("withdrawal"),))
def _withdrawal_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for row_id in session.scalars(select(ConsentWithdrawal.id)):
        yield (row_id,), f"consent withdrawal {row_id}"


@record_rows("redaction.applied", key=lambda f: (f.get("ern"), f.get("suffix")))
def _redaction_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    stmt = select(Item.ern, RedactionVersion.ern_suffix).join(Item, Item.id == RedactionVersion.item_id)
    for ern, suffix in session.execute(stmt).tuples():
        yield (ern, suffix), f"redacted version {ern}{suffix}"


@record_rows("vault.key_created", key=lambda f: (f.get("key"),))
def _key_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    for row_id in session.scalars(select(VaultKey.id)):
        yield (row_id,), f"vault key {row_id}"


@record_rows("pprl.exported", key=lambda f: (f.get("export"),))
def _export_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    from hague.testimony.models import PprlExport

    for row_id in session.scalars(select(PprlExport.id)):
        yield (row_id,), f"linkage export {row_id}"


@record_rows("pprl.imported", key=lambda f: (f.get("import"),))
def _import_rows(session: Session) -> Iterator[tuple[EntryKey, str]]:
    from hague.testimony.models import PprlImport

    for row_id in session.scalars(select(PprlImport.id)):
        yield (row_id,), f"linkage import {row_id}"
