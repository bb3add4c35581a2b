"""Custody tables: events (CASE/UCO `ProvenanceRecord` entries), per-item custody state, integrity incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow

EVENT_TYPES = (
    "collected",
    "sealed",
    "transferred",
    "received",
    "stored",
    "checked_out",
    "checked_in",
    "examined",
    "sampled",
    "copied",
    "released",
    "disposed",
    "lost",
)
SEAL_STATES = ("intact", "broken", "replaced")
STATUSES = ("held", "in_transit", "released", "disposed", "lost")


class CustodyEvent(Base):
    """One entry of an item's chain of custody (ISO/IEC 27037, NIST SP 800-61 evidence log)."""

    __tablename__ = "custody_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    occurred_tz: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    organisation_code: Mapped[str] = mapped_column(String(16), default="")
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    counterpart_name: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    facility: Mapped[str] = mapped_column(String(200), default="")
    room: Mapped[str] = mapped_column(String(100), default="")
    shelf: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    seal_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    seal_state: Mapped[str] = mapped_column(String(16), default="")
    condition: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="recorded")
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    log_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (UniqueConstraint("item_id", "seq"),)


class CustodyState(Base):
    """Who holds an item now: one custodian, or in transit between a sender and a named receiver."""

    __tablename__ = "custody_state"
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    checked_out: Mapped[bool] = mapped_column(default=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IntegrityIncident(Base):
    """A refused operation that revealed an integrity problem (a copy whose hash differs), kept on record."""

    __tablename__ = "custody_integrity_incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    expected_sha256: Mapped[str] = mapped_column(String(64))
    found_sha256: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
