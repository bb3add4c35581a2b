"""Core records: organisations, users, cases, incidents, evidence items, files and derivatives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hague.db.base import Base, UTCDateTime, utcnow

ITEM_KINDS = ("testimony", "physical", "digital", "document")
CLASSIFICATIONS = ("public", "restricted", "confidential", "strictly_confidential")
DERIVATIONS = ("working_copy", "redacted", "transcript", "translation", "thumbnail", "examination_result", "copy")


class Organisation(Base):
    """An organisation running or sharing cases (the OTP, a national prosecutor, an expert team)."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person using Hague, member of one organisation; roles are granted per case."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    clearance: Mapped[str] = mapped_column(String(32), default="restricted")
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation: Mapped[Organisation] = relationship()


def case_code(situation: str, organisation: str, number: int) -> str:
    """A case's public code from its parts, e.g. `UKR-OTP-0001`."""
    return f"{situation}-{organisation}-{number:04d}"


class Case(Base):
    """A case: a situation code (ERN prefix) and the organisation that owns it."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    situation: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation: Mapped[Organisation] = relationship()
    __table_args__ = (UniqueConstraint("organisation_id", "situation", "number"),)

    @property
    def code(self) -> str:
        """The case's public code, e.g. `UKR-OTP-0001`; ERNs in the case extend it."""
        return case_code(self.situation, self.organisation.code, self.number)


class CaseRole(Base):
    """A user's role on a case (viewer, investigator, analyst, custodian, wpo, case_lead, admin)."""

    __tablename__ = "case_roles"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class Counter(Base):
    """Monotonic counters (case numbers, ERNs, pseudonyms); a value is never handed out twice."""

    __tablename__ = "counters"
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Incident(Base):
    """An incident under investigation: what happened, when, where, and which crimes are alleged."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    place_name: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    alleged_crimes: Mapped[list[str]] = mapped_column(JSON, default=list)
    act_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Item(Base):
    """One evidence item with its ERN and collection record (Berkeley Protocol / ISO/IEC 27037)."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ern: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    collected_tz: Mapped[str] = mapped_column(String(64), default="UTC")
    collected_by: Mapped[str] = mapped_column(String(200), default="")
    place_name: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    method: Mapped[str] = mapped_column(String(200), default="")
    tool: Mapped[str] = mapped_column(String(200), default="")
    tool_version: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(35), default="")
    classification: Mapped[str] = mapped_column(String(32), default="restricted")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    parent_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    files: Mapped[list[File]] = relationship(back_populates="item", order_by="File.id")
    incidents: Mapped[list[Incident]] = relationship(secondary="item_incidents")
    __table_args__ = (
        CheckConstraint(f"kind IN {ITEM_KINDS!r}", name="kind"),
        CheckConstraint(f"classification IN {CLASSIFICATIONS!r}", name="classification"),
    )


class ItemIncident(Base):
    """Link between an item and an incident it documents."""

    __tablename__ = "item_incidents"
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)


class File(Base):
    """A stored file of an item: an original, or a derivative linked to the file it came from."""

    __tablename__ = "files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(500), default="")
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"), nullable=True)
    derivation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    ern_suffix: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    item: Mapped[Item] = relationship(back_populates="files")
    __table_args__ = (UniqueConstraint("item_id", "sha256"),)

    @property
    def is_original(self) -> bool:
        """True for the evidentiary original, False for a derivative."""
        return self.derived_from_id is None


class Share(Base):
    """A case or a single item shared by its owner with a partner organisation; revocable, never deleted."""

    __tablename__ = "shares"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_by: Mapped[str] = mapped_column(String(80), default="")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str] = mapped_column(String(80), default="")
