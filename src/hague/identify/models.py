"""Identification tables: AM reports, PM records, samples, STR profiles, frequency databases, reference
pedigrees, and match candidates with their workflow events. No table holds a name: people appear as
pseudonymous ids and sample barcodes; reporters and family contacts are witnesses in the identity vault.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow

SAMPLE_KINDS = ("reference", "remains", "effect")
MATCH_STATES = ("candidate", "reviewed", "confirmed", "notified")


class AMReport(Base):
    """A missing-person report (ante-mortem, INTERPOL DVI "yellow form")."""

    __tablename__ = "identify_am_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    missing_person: Mapped[str] = mapped_column(String(64))
    reporter: Mapped[str] = mapped_column(String(40), default="")
    family_id: Mapped[str] = mapped_column(String(64), default="")
    circumstances: Mapped[str] = mapped_column(Text, default="")
    last_seen_place: Mapped[str] = mapped_column(String(300), default="")
    last_seen_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    relatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    consent_scope: Mapped[str] = mapped_column(String(300))
    sharing_scope: Mapped[str] = mapped_column(String(300), default="")
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "family_id", "missing_person"),)


class PMRecord(Base):
    """A post-mortem record of one set of remains (DVI "pink form"; Bournemouth recovery context)."""

    __tablename__ = "identify_pm_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    recovery_site: Mapped[str] = mapped_column(String(300))
    grave: Mapped[str] = mapped_column(String(100), default="")
    body_number: Mapped[str] = mapped_column(String(64), default="")
    bag_number: Mapped[str] = mapped_column(String(64), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Sample(Base):
    """A bar-coded DNA sample: a family reference, a remains sample (child item of the remains), or an effect."""

    __tablename__ = "identify_samples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    barcode: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True)
    pm_id: Mapped[int | None] = mapped_column(ForeignKey("identify_pm_records.id"), nullable=True)
    missing_person: Mapped[str] = mapped_column(String(64), default="")
    sex: Mapped[str] = mapped_column(String(8), default="unknown")
    age_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "barcode"),)


class StrProfile(Base):
    """The STR genotypes of a sample: {marker: [allele1, allele2 or null for a drop-out]}."""

    __tablename__ = "identify_profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    barcode: Mapped[str] = mapped_column(String(64))
    genotypes: Mapped[dict[str, list[str | None]]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(32), default="csv")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "barcode"),)


class FrequencyDatabase(Base):
    """An allele frequency database of one population; frequencies kept as exact decimal strings."""

    __tablename__ = "identify_frequency_dbs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    min_frequency: Mapped[str] = mapped_column(String(32))
    markers: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    mutation: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "name"),)


class ReferencePedigree(Base):
    """A family's reference pedigree: persons by pseudonymous id, typed by sample barcode."""

    __tablename__ = "identify_pedigrees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    family_id: Mapped[str] = mapped_column(String(64))
    persons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "family_id"),)


class Match(Base):
    """A remains–missing person match moving through candidate, reviewed, confirmed, notified."""

    __tablename__ = "identify_matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    remains: Mapped[str] = mapped_column(String(64))
    family_id: Mapped[str] = mapped_column(String(64))
    missing_person: Mapped[str] = mapped_column(String(64))
    log10_lr: Mapped[str] = mapped_column(String(40))
    exclusions: Mapped[int] = mapped_column(Integer)
    markers: Mapped[int] = mapped_column(Integer)
    database: Mapped[str] = mapped_column(String(100))
    threshold: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), default="candidate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("case_id", "remains", "family_id", "missing_person"),)


class MatchEvent(Base):
    """One workflow step of a match, with who, when and what was decided (each is logged)."""

    __tablename__ = "identify_match_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("identify_matches.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
