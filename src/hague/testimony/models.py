"""Testimony tables: witnesses (pseudonyms), the identity vault, interviews, consent, reveals, redactions.

No column here holds a plaintext identity: names, dates of birth, contacts and addresses exist only as
AES-GCM ciphertext in `witness_identities`, matching data only as keyed hashes and keyed Bloom filters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hague.db.base import Base, UTCDateTime, utcnow
from hague.evidence.models import Case, Item


class VaultKey(Base):
    """A per-case data key (identity encryption or blind-index/matching), wrapped by the master key."""

    __tablename__ = "vault_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    master_key_id: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "purpose", "version"),)


class Witness(Base):
    """A person heard in a case, known outside the vault only by a pseudonym (`UKR-OTP-P-0538`)."""

    __tablename__ = "witnesses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clk: Mapped[bytes] = mapped_column(LargeBinary)
    case: Mapped[Case] = relationship()


class WitnessIdentity(Base):
    """The identity vault: one AES-GCM ciphertext per witness, bound to its pseudonym as associated data."""

    __tablename__ = "witness_identities"
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("vault_keys.id"))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class WitnessToken(Base):
    """Blind index: keyed HMAC tokens of normalised name words and date-of-birth parts."""

    __tablename__ = "witness_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    token: Mapped[str] = mapped_column(String(32))
    __table_args__ = (Index("ix_witness_tokens_case_token", "case_id", "token"),)


class Interview(Base):
    """An interview record (Eurojust/ICC-OTP guidelines 2022); the testimony item holds its files."""

    __tablename__ = "interviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    interview_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(300))
    interviewers: Mapped[list[str]] = mapped_column(JSON)
    interpreter: Mapped[str] = mapped_column(String(200), default="")
    persons_present: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    vulnerability: Mapped[str] = mapped_column(Text, default="")
    protection_needs: Mapped[str] = mapped_column(Text, default="")
    referrals: Mapped[list[str]] = mapped_column(JSON)
    breaks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    recording_method: Mapped[str] = mapped_column(String(32))
    read_back: Mapped[bool] = mapped_column(Boolean)
    signed: Mapped[bool] = mapped_column(Boolean)
    signature_note: Mapped[str] = mapped_column(Text, default="")
    consent_given_on: Mapped[date] = mapped_column(Date)
    consent_form: Mapped[str] = mapped_column(String(16))
    consent_scope: Mapped[list[str]] = mapped_column(JSON)
    consent_partners: Mapped[list[str]] = mapped_column(JSON)
    consent_defence: Mapped[bool] = mapped_column(Boolean)
    consent_withdrawal_effects: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    item: Mapped[Item] = relationship()
    witness: Mapped[Witness] = relationship()


class ConsentWithdrawal(Base):
    """A recorded withdrawal of consent: for one partner, for defence disclosure, or for all use."""

    __tablename__ = "consent_withdrawals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    withdrawn_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effects: Mapped[list[str]] = mapped_column(JSON)


class IdentityReveal(Base):
    """Audit record of one identity reveal: who, when, why (the reason text stays in this table)."""

    __tablename__ = "identity_reveals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    reason_hash: Mapped[str] = mapped_column(String(64))
    revealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RedactionVersion(Base):
    """One redacted version of a transcript (`-Red`, `-Red2`...): text and PDF files plus its decision."""

    __tablename__ = "redaction_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    text_file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    pdf_file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    ern_suffix: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(300))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("redaction_versions.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    redactions: Mapped[list[Redaction]] = relationship(order_by="Redaction.start")


class Redaction(Base):
    """One redacted span of the source text (offsets only: the redacted words are not copied here)."""

    __tablename__ = "redactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("redaction_versions.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)


class PprlExport(Base):
    """Audit of one export of linkage encodings (CLKs, no names) to a partner organisation."""

    __tablename__ = "pprl_exports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    records: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PprlImport(Base):
    """One partner export taken in for repeat warnings; the latest import per partner and case is in force."""

    __tablename__ = "pprl_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    secret_key_id: Mapped[int] = mapped_column(ForeignKey("vault_keys.id"))
    records: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartnerRecord(Base):
    """A partner's encoding of one person: their reference, when they heard the person, and the CLK."""

    __tablename__ = "pprl_partner_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("pprl_imports.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    heard: Mapped[list[str]] = mapped_column(JSON)
    clk: Mapped[bytes] = mapped_column(LargeBinary)


class PartnerToken(Base):
    """Blocking tokens of partner records (keyed by the shared secret), for lookups at interview time."""

    __tablename__ = "pprl_partner_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("pprl_imports.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("pprl_partner_records.id"))
    token: Mapped[str] = mapped_column(String(32))
    __table_args__ = (Index("ix_pprl_partner_tokens_import_token", "import_id", "token"),)
