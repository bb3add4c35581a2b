"""Witnesses under pseudonyms, the blind index, repeat-interview warnings and audited identity reveals.

Everyone with a role on the case sees pseudonyms; only a witness-protection officer or the case
lead may reveal an identity, stating a reason, which is audited and logged (by hash only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role, roles_on
from hague.core import Unit
from hague.errors import NotFound, ValidationError
from hague.evidence.counters import next_value
from hague.evidence.models import Case, Organisation, User
from hague.evidence.register import _check_text, get_case
from hague.ledger.canonical import record_hash
from hague.pprl.clk import ClkEncoder, LinkageRecord, dice, encoder_for
from hague.pprl.match import DEFAULT_THRESHOLD
from hague.testimony.identity import Identity
from hague.testimony.models import (
    IdentityReveal,
    Interview,
    PartnerRecord,
    PartnerToken,
    PprlImport,
    Witness,
    WitnessIdentity,
    WitnessToken,
)
from hague.testimony.policy import RECORD, REVEAL, SEE
from hague.testimony.vault import Vault


def linkage_record(identity: Identity) -> LinkageRecord:
    """What matching uses of an identity: name words (all scripts given), patronymic, date of birth."""
    return LinkageRecord((identity.given_name, identity.family_name), identity.patronymic, identity.date_of_birth)


def token_text(token: int) -> str:
    """A blind-index token as stored (16 hex digits)."""
    return f"{token:016x}"


@dataclass(frozen=True)
class RepeatWarning:
    """The person was probably heard already: by which organisation and when (pseudonym only if cleared)."""

    organisation: str
    heard_on: tuple[date, ...]
    score: float
    pseudonym: str | None

    def message(self) -> str:
        """One line for people; names no identity."""
        when = ", ".join(d.isoformat() for d in self.heard_on) or "no interview recorded yet"
        who = f" as {self.pseudonym}" if self.pseudonym else ""
        return f"probably heard already by {self.organisation}{who} ({when}); similarity {self.score:.2f}"


def _encoder(vault: Vault, session: Session, case: Case) -> ClkEncoder | None:
    from hague.testimony.models import VaultKey

    exists = session.scalar(select(VaultKey.id).where(VaultKey.case_id == case.id, VaultKey.purpose == "index"))
    if exists is None:
        return None
    return encoder_for(vault.data_key(session, case.id, "index")[1])


def _candidates(session: Session, case: Case, encoder: ClkEncoder, record: LinkageRecord) -> list[Witness]:
    tokens = [token_text(t) for t in encoder.block_keys(record)]
    ids = set(
        session.scalars(
            select(WitnessToken.witness_id).where(WitnessToken.case_id == case.id, WitnessToken.token.in_(tokens))
        )
    )
    return list(session.scalars(select(Witness).where(Witness.id.in_(ids)).order_by(Witness.id))) if ids else []


def check_repeat(
    session: Session,
    vault: Vault,
    case_code: str,
    identity: Identity,
    viewer: User,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[RepeatWarning]:
    """Warnings for witnesses of the case that are probably this person (blind index, then Dice of CLKs)."""
    case = get_case(session, case_code)
    require_role(session, viewer, case, SEE)
    encoder = _encoder(vault, session, case)
    record = linkage_record(identity)
    cleared = bool(roles_on(session, viewer, case) & REVEAL)
    warnings = []
    local = _candidates(session, case, encoder, record) if encoder else []
    clk = encoder.encode(record) if encoder else b""
    for witness in local:
        score = dice(clk, witness.clk)
        if score < threshold:
            continue
        org = session.get(Organisation, witness.organisation_id)
        dates = session.scalars(
            select(Interview.interview_date)
            .where(Interview.witness_id == witness.id)
            .order_by(Interview.interview_date)
        )
        warnings.append(
            RepeatWarning(
                org.code if org else "?", tuple(dates), round(score, 3), witness.pseudonym if cleared else None
            )
        )
    warnings += _partner_warnings(session, vault, case, record, cleared, threshold)
    return sorted(warnings, key=lambda w: -w.score)


def _partner_warnings(
    session: Session, vault: Vault, case: Case, record: LinkageRecord, cleared: bool, threshold: float
) -> list[RepeatWarning]:
    """Warnings from partners' imported encodings (latest import per partner), under each shared secret."""
    latest: dict[int, PprlImport] = {}
    for imp in session.scalars(select(PprlImport).where(PprlImport.case_id == case.id).order_by(PprlImport.id)):
        latest[imp.partner_id] = imp
    out = []
    for imp in latest.values():
        encoder = encoder_for(vault.key_by_id(session, imp.secret_key_id))
        tokens = [token_text(t) for t in encoder.block_keys(record)]
        ids = set(
            session.scalars(
                select(PartnerToken.record_id).where(PartnerToken.import_id == imp.id, PartnerToken.token.in_(tokens))
            )
        )
        if not ids:
            continue
        clk = encoder.encode(record)
        partner = session.get(Organisation, imp.partner_id)
        for row in session.scalars(select(PartnerRecord).where(PartnerRecord.id.in_(ids)).order_by(PartnerRecord.id)):
            score = dice(clk, row.clk)
            if score >= threshold:
                heard = tuple(date.fromisoformat(d) for d in row.heard)
                out.append(
                    RepeatWarning(
                        partner.code if partner else "?", heard, round(score, 3), row.ref if cleared else None
                    )
                )
    return out


@dataclass
class AddedWitness:
    """A new witness and the repeat warnings raised before it was added."""

    witness: Witness
    warnings: list[RepeatWarning]


def add_witness(unit: Unit, vault: Vault, case_code: str, identity: Identity, by: User) -> AddedWitness:
    """Give the person a pseudonym, seal the identity in the vault and index it blindly; warn of repeats."""
    session = unit.session
    case = get_case(session, case_code)
    require_role(session, by, case, RECORD)
    warnings = check_repeat(session, vault, case_code, identity, by)
    _, index_key = vault.ensure_data_key(unit, case.id, case.code, "index")
    encoder = encoder_for(index_key)
    record = linkage_record(identity)
    number = next_value(session, f"pseudonym:{case.situation}:{case.organisation.code}")
    witness = Witness(
        case_id=case.id,
        organisation_id=by.organisation_id,
        pseudonym=f"{case.situation}-{case.organisation.code}-P-{number:04d}",
        number=number,
        created_by=by.username,
        clk=encoder.encode(record),
    )
    session.add(witness)
    session.flush()
    sealed = vault.seal(unit, witness, identity)
    session.add_all(
        WitnessToken(case_id=case.id, witness_id=witness.id, token=token_text(t)) for t in encoder.block_keys(record)
    )
    session.flush()
    unit.attest(
        "witness.registered",
        {"case": case.code, "pseudonym": witness.pseudonym, "record": record_hash(witness_record(witness, sealed))},
    )
    return AddedWitness(witness, warnings)


def witness_record(witness: Witness, sealed: WitnessIdentity) -> dict[str, object]:
    """The attested record of a witness: pseudonym and the hashes of its sealed identity and CLK."""
    return {
        "pseudonym": witness.pseudonym,
        "case_id": witness.case_id,
        "organisation_id": witness.organisation_id,
        "created_by": witness.created_by,
        "identity_sha256": hashlib.sha256(sealed.nonce + sealed.ciphertext).hexdigest(),
        "clk_sha256": hashlib.sha256(witness.clk).hexdigest(),
    }


def get_witness(session: Session, pseudonym: str) -> Witness:
    """The witness with this pseudonym."""
    witness = session.scalar(select(Witness).where(Witness.pseudonym == pseudonym.strip().upper()))
    if witness is None:
        raise NotFound(f"no witness {pseudonym!r}")
    return witness


def list_witnesses(session: Session, case_code: str, viewer: User) -> list[dict[str, object]]:
    """Pseudonyms of the case with their interviews (dates only): what everyone with a role may see."""
    case = get_case(session, case_code)
    require_role(session, viewer, case, SEE)
    out: list[dict[str, object]] = []
    for witness in session.scalars(select(Witness).where(Witness.case_id == case.id).order_by(Witness.number)):
        dates = list(
            session.scalars(
                select(Interview.interview_date).where(Interview.witness_id == witness.id).order_by(Interview.id)
            )
        )
        out.append({"pseudonym": witness.pseudonym, "interviews": dates, "created_at": witness.created_at})
    return out


def reveal(unit: Unit, vault: Vault, pseudonym: str, user: User, reason: str) -> Identity:
    """Decrypt an identity for a cleared user; records the reveal (audit row + `identity.revealed` entry)."""
    session = unit.session
    witness = get_witness(session, pseudonym)
    role = require_role(session, user, witness.case, REVEAL)
    reason = _check_text(reason, "reason", 2000)
    if len(reason) < 10:
        raise ValidationError("state the reason for revealing this identity (at least 10 characters)", field="reason")
    identity = vault.open(session, witness)
    audit = IdentityReveal(
        witness_id=witness.id,
        user_id=user.id,
        username=user.username,
        role=role,
        reason=reason,
        reason_hash=hashlib.sha256(reason.encode("utf-8")).hexdigest(),
    )
    session.add(audit)
    session.flush()
    unit.attest(
        "identity.revealed",
        {
            "pseudonym": witness.pseudonym,
            "reveal": audit.id,
            "user": user.username,
            "reason_sha256": audit.reason_hash,
            "record": record_hash(reveal_record(audit, witness)),
        },
    )
    return identity


def reveal_record(audit: IdentityReveal, witness: Witness) -> dict[str, object]:
    """The attested record of a reveal."""
    return {
        "id": audit.id,
        "pseudonym": witness.pseudonym,
        "user": audit.username,
        "role": audit.role,
        "reason_sha256": audit.reason_hash,
        "revealed_at": audit.revealed_at,
    }


def reveals_of(session: Session, pseudonym: str) -> list[IdentityReveal]:
    """The audit trail of reveals of one witness, oldest first."""
    witness = get_witness(session, pseudonym)
    return list(
        session.scalars(
            select(IdentityReveal).where(IdentityReveal.witness_id == witness.id).order_by(IdentityReveal.id)
        )
    )


def can_reveal(session: Session, user: User, pseudonym: str) -> bool:
    """True if `user` holds a role on the witness's case that may reveal identities."""
    witness = get_witness(session, pseudonym)
    return bool(roles_on(session, user, witness.case) & REVEAL)
