"""Exchanging CLKs with partner organisations: export our encodings, match a partner's against ours.

An export holds, per witness the partner may know about under consent, an opaque reference (the
pseudonym), the interview dates and the CLK and blocking tokens under the partners' shared secret:
no name, date of birth or contact. A match reports which organisation heard whom and when.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import ValidationError
from hague.evidence.models import User
from hague.evidence.register import get_case, get_organisation
from hague.ledger.canonical import canonical_json, record_hash
from hague.pprl.clk import CLK_BITS, SCHEMA, SCHEME, ClkEncoder
from hague.pprl.match import DEFAULT_THRESHOLD, EncodedSet, match
from hague.testimony.consent import consents_to_partner
from hague.testimony.models import Interview, PartnerRecord, PartnerToken, PprlExport, PprlImport, Witness
from hague.testimony.policy import EXPORT
from hague.testimony.vault import Vault
from hague.testimony.witnesses import linkage_record, token_text

MIN_SECRET = 16


def _encoder(secret: bytes) -> ClkEncoder:
    if len(secret) < MIN_SECRET:
        raise ValidationError(f"the shared linkage secret must be at least {MIN_SECRET} bytes", field="secret")
    return ClkEncoder(secret)


def secret_check(secret: bytes) -> str:
    """A value both sides can compare to confirm they hold the same secret (reveals nothing about it)."""
    key = HKDF(algorithm=SHA256(), length=32, salt=SCHEME.encode(), info=b"secret-check").derive(secret)
    return hmac.new(key, SCHEME.encode(), "sha256").hexdigest()[:32]


def _schema() -> list[dict[str, Any]]:
    return [{"name": f.name, "k": f.k, "qgrams": f.qgrams} for f in SCHEMA]


def export_encodings(unit: Unit, vault: Vault, case_code: str, partner: str, secret: bytes, by: User) -> dict[str, Any]:
    """The export document for `partner`: witnesses whose consent covers that partner (and not withdrawn)."""
    session = unit.session
    case = get_case(session, case_code)
    require_role(session, by, case, EXPORT)
    org = get_organisation(session, partner)
    if org.id == case.organisation_id:
        raise ValidationError("export to a partner, not to the case's own organisation", field="partner")
    encoder = _encoder(secret)
    records = []
    for witness in session.scalars(select(Witness).where(Witness.case_id == case.id).order_by(Witness.number)):
        interviews = list(session.scalars(select(Interview).where(Interview.witness_id == witness.id)))
        heard = sorted(i.interview_date for i in interviews if consents_to_partner(session, i, org.id))
        if not heard:
            continue
        record = linkage_record(vault.open(session, witness))
        records.append(
            {
                "ref": witness.pseudonym,
                "heard": [d.isoformat() for d in heard],
                "clk": base64.b64encode(encoder.encode(record)).decode("ascii"),
                "blocks": [f"{t:016x}" for t in encoder.block_keys(record)],
            }
        )
    doc: dict[str, Any] = {
        "format": SCHEME,
        "bits": CLK_BITS,
        "schema": _schema(),
        "organisation": case.organisation.code,
        "partner": org.code,
        "secret_check": secret_check(secret),
        "created_at": utcnow().isoformat(),
        "records": records,
    }
    digest = hashlib.sha256(canonical_json(doc)).hexdigest()
    row = PprlExport(case_id=case.id, partner_id=org.id, records=len(records), sha256=digest, created_by=by.username)
    session.add(row)
    session.flush()
    unit.attest(
        "pprl.exported",
        {
            "case": case.code,
            "export": row.id,
            "partner": org.code,
            "record": record_hash(export_record(row, case.code, org.code)),
        },
    )
    return doc


def export_record(row: PprlExport, case_code: str, partner: str) -> dict[str, Any]:
    """The attested record of an export (count and digest; the encodings themselves are not kept)."""
    return {"case": case_code, "partner": partner, "records": row.records, "sha256": row.sha256, "by": row.created_by}


@dataclass(frozen=True)
class PartnerSet:
    """A partner's export, parsed and checked."""

    organisation: str
    refs: list[str]
    heard: list[list[str]]
    encoded: EncodedSet


def load_export(doc: dict[str, Any], secret: bytes | None = None) -> PartnerSet:
    """Validate a partner export (format, schema, sizes, and the shared secret if given); build its matrix."""
    if not isinstance(doc, dict) or doc.get("format") != SCHEME:
        raise ValidationError(f"not a {SCHEME} export")
    if secret is not None and doc.get("secret_check") != secret_check(secret):
        raise ValidationError("this export was made with another shared secret")
    if doc.get("bits") != CLK_BITS or doc.get("schema") != _schema():
        raise ValidationError("the export uses another CLK schema; both sides must use the same")
    rows = doc.get("records")
    if not isinstance(rows, list):
        raise ValidationError("the export has no records list")
    clks, blocks, refs, heard = [], [], [], []
    try:
        for row in rows:
            clk = base64.b64decode(row["clk"], validate=True)
            if len(clk) != CLK_BITS // 8:
                raise ValueError("length")
            clks.append(clk)
            blocks.append([int(t, 16) for t in row["blocks"]])
            refs.append(str(row["ref"]))
            heard.append([date.fromisoformat(d).isoformat() for d in row["heard"]])
    except (KeyError, TypeError, ValueError):
        raise ValidationError(f"record {len(clks) + 1} of the export is malformed") from None
    return PartnerSet(str(doc.get("organisation", "?")), refs, heard, EncodedSet.build(clks, blocks))


@dataclass(frozen=True)
class CandidateRepeat:
    """One of our witnesses probably heard by the partner too: who heard them and when, never who they are."""

    pseudonym: str
    partner: str
    partner_ref: str
    heard_on: tuple[str, ...]
    score: float


def match_partner(
    session: Session,
    vault: Vault,
    case_code: str,
    doc: dict[str, Any],
    secret: bytes,
    by: User,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[CandidateRepeat]:
    """Candidate repeats between our witnesses in the case and a partner's export (Dice ≥ threshold)."""
    case = get_case(session, case_code)
    require_role(session, by, case, EXPORT)
    encoder = _encoder(secret)
    partner = load_export(doc, secret)
    witnesses = list(session.scalars(select(Witness).where(Witness.case_id == case.id).order_by(Witness.number)))
    if not witnesses or not partner.refs:
        return []
    records = [linkage_record(vault.open(session, w)) for w in witnesses]
    ours = EncodedSet.build([encoder.encode(r) for r in records], [encoder.block_keys(r) for r in records])
    found = match(ours, partner.encoded, threshold, one_to_one=True)
    return [
        CandidateRepeat(
            witnesses[a].pseudonym, partner.organisation, partner.refs[b], tuple(partner.heard[b]), round(s, 3)
        )
        for a, b, s in found.pairs()
    ]


def import_encodings(
    unit: Unit, vault: Vault, case_code: str, doc: dict[str, Any], secret: bytes, by: User
) -> PprlImport:
    """Keep a partner's export (and the shared secret, in the vault) so new witnesses are checked against it."""
    session = unit.session
    case = get_case(session, case_code)
    require_role(session, by, case, EXPORT)
    _encoder(secret)
    parsed = load_export(doc, secret)
    org = get_organisation(session, parsed.organisation)
    if org.id == case.organisation_id:
        raise ValidationError("this export comes from the case's own organisation", field="organisation")
    key = vault.store_key(unit, case.id, case.code, f"partner:{org.code}", secret)
    imp = PprlImport(
        case_id=case.id,
        partner_id=org.id,
        secret_key_id=key.id,
        records=len(parsed.refs),
        sha256=hashlib.sha256(canonical_json(doc)).hexdigest(),
        created_by=by.username,
    )
    session.add(imp)
    session.flush()
    for row in doc["records"]:
        record = PartnerRecord(
            import_id=imp.id, ref=str(row["ref"])[:64], heard=list(row["heard"]), clk=base64.b64decode(row["clk"])
        )
        session.add(record)
        session.flush()
        session.add_all(
            PartnerToken(import_id=imp.id, record_id=record.id, token=token_text(int(t, 16))) for t in row["blocks"]
        )
    session.flush()
    unit.attest(
        "pprl.imported",
        {
            "case": case.code,
            "import": imp.id,
            "partner": org.code,
            "record": record_hash(import_record(imp, case.code, org.code)),
        },
    )
    return imp


def import_record(imp: PprlImport, case_code: str, partner: str) -> dict[str, Any]:
    """The attested record of an import."""
    return {
        "case": case_code,
        "partner": partner,
        "records": imp.records,
        "sha256": imp.sha256,
        "secret_key_id": imp.secret_key_id,
        "by": imp.created_by,
    }


def export_json(doc: dict[str, Any]) -> str:
    """The export as JSON text."""
    return json.dumps(doc, ensure_ascii=False, indent=1)
