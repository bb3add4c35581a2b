"""Forensic item records: one structured, validated form per item, with normalised link keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow


class ForensicRecord(Base):
    """The structured form of an item (weapon, cartridge case, human remains...); the JSON is validated."""

    __tablename__ = "forensic_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    form: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    munition_type: Mapped[str] = mapped_column(String(100), default="", index=True)
    weapon_system: Mapped[str] = mapped_column(String(100), default="", index=True)
    headstamp: Mapped[str] = mapped_column(String(200), default="", index=True)
    recorded_by: Mapped[str] = mapped_column(String(80), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
