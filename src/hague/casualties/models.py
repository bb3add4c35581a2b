"""Casualty records (Every Casualty standards), their sources and import batches, linkage runs and review pairs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow

SOURCE_TYPES = ("un_monitor", "local_authority", "hospital", "ngo", "media", "morgue", "prosecutor", "other")
SEXES = ("male", "female", "unknown")
AGE_GROUPS = ("child", "adult", "unknown")
STATUSES = ("killed", "injured", "unknown")
VERIFICATION = ("reported", "corroborated", "verified")
CONTROL = ("government", "occupied", "contested", "unknown")
DECISIONS = ("pending", "accept", "reject", "unsure")


class CasualtySource(Base):
    """A source list (UN monitors, a regional administration, a hospital, an NGO...) with its saved column mapping."""

    __tablename__ = "casualty_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    source_type: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "code"),)


class CasualtyImport(Base):
    """One import batch of a file into a source list; withdrawn only by a recorded decision, never deleted."""

    __tablename__ = "casualty_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("casualty_sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(8))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rows: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CasualtyRecord(Base):
    """One casualty as one source reports it (Every Casualty record fields)."""

    __tablename__ = "casualty_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("casualty_imports.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("casualty_sources.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    source_document: Mapped[str] = mapped_column(String(500), default="")
    name_original: Mapped[str] = mapped_column(String(300), default="")
    given_name: Mapped[str] = mapped_column(String(120), default="")
    surname: Mapped[str] = mapped_column(String(120), default="")
    patronymic: Mapped[str] = mapped_column(String(120), default="")
    transliterations: Mapped[list[str]] = mapped_column(JSON, default=list)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    sex: Mapped[str] = mapped_column(String(8), default="unknown")
    age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_group: Mapped[str] = mapped_column(String(8), default="unknown")
    date_text: Mapped[str] = mapped_column(String(10), default="")
    place_name: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(80), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    territorial_control: Mapped[str] = mapped_column(String(16), default="unknown")
    status: Mapped[str] = mapped_column(String(8), default="unknown")
    harm_type: Mapped[str] = mapped_column(String(120), default="")
    circumstances: Mapped[str] = mapped_column(Text, default="")
    alleged_actor: Mapped[str] = mapped_column(String(200), default="")
    verification: Mapped[str] = mapped_column(String(16), default="reported")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    evidence_erns: Mapped[list[str]] = mapped_column(JSON, default=list)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_code: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)


class LinkRun(Base):
    """One record-linkage run over a case's records; its assignments are kept so it can be verified later."""

    __tablename__ = "casualty_link_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    run_by: Mapped[str] = mapped_column(String(80))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    records: Mapped[int] = mapped_column(Integer)
    victims: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="model")  # model | review


class LinkAssignment(Base):
    """Which victim a record belonged to after a run."""

    __tablename__ = "casualty_link_assignments"
    run_id: Mapped[int] = mapped_column(ForeignKey("casualty_link_runs.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("casualty_records.id"), primary_key=True)
    victim_code: Mapped[str] = mapped_column(String(24))


class LinkPair(Base):
    """A scored candidate pair; those in the uncertain band wait for a clerical decision."""

    __tablename__ = "casualty_link_pairs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("casualty_link_runs.id"), index=True)
    record_a: Mapped[int] = mapped_column(ForeignKey("casualty_records.id"))
    record_b: Mapped[int] = mapped_column(ForeignKey("casualty_records.id"))
    probability: Mapped[str] = mapped_column(String(24))
    decision: Mapped[str] = mapped_column(String(8), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("case_id", "record_a", "record_b"),)


class SourceMapping(Base):
    """One saved version of a source's column mapping (the source keeps the latest)."""

    __tablename__ = "casualty_mappings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("casualty_sources.id"), index=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_by: Mapped[str] = mapped_column(String(80))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LinkDecision(Base):
    """One clerical decision on a pair, who and when; the pair shows the latest."""

    __tablename__ = "casualty_link_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("casualty_link_pairs.id"), index=True)
    decision: Mapped[str] = mapped_column(String(8))
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
