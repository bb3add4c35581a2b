"""Media tables: versioned extraction results per stored file, and perceptual hashes for near-duplicates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow

STATUSES = ("ok", "partial", "failed")


class MediaExtraction(Base):
    """One extraction run over one stored file: tools and versions, raw output, suggestions, failures.

    Runs are numbered per file and never overwritten (`hague media reprocess` adds the next run); the
    collector's record on the item is never changed: these are suggestions.
    """

    __tablename__ = "media_extractions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    run: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    sniffed_mime: Mapped[str] = mapped_column(String(200), default="")
    tools: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suggestions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    phash: Mapped[list[Any]] = mapped_column(JSON, default=list)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("file_id", "run"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
    )


class MediaHash(Base):
    """A 64-bit perceptual hash (signed BIGINT) of an image or of one video keyframe, as stored upright."""

    __tablename__ = "media_hashes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    extraction_id: Mapped[int] = mapped_column(ForeignKey("media_extractions.id"))
    algorithm: Mapped[str] = mapped_column(String(16), default="phash64")
    frame: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_media_hashes_case_id_id", "case_id", "id"),)
