"""Bundle tables: bundles this instance created, bundles it imported, and external references of items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hague.db.base import Base, UTCDateTime, utcnow


class BundleCreated(Base):
    """A disclosure bundle made here: its hash (SHA-256 of the tag manifest), recipient and checkpoint."""

    __tablename__ = "bundles_created"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str] = mapped_column(String(16), default="")
    files_mode: Mapped[str] = mapped_column(String(16))
    encrypted: Mapped[bool] = mapped_column(default=False)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    withheld: Mapped[list[str]] = mapped_column(JSON, default=list)
    checkpoint_size: Mapped[int] = mapped_column(BigInteger)
    checkpoint_root: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BundleImport(Base):
    """A bundle received from another instance: its hash, the sender's log origin and checkpoint."""

    __tablename__ = "bundles_imported"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    origin: Mapped[str] = mapped_column(String(200))
    checkpoint: Mapped[str] = mapped_column(Text)
    checkpoint_size: Mapped[int] = mapped_column(BigInteger)
    checkpoint_root: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(80))
    items: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    log_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalReference(Base):
    """An item's ERN at another instance, with the sender's proofs kept to pass on in later bundles."""

    __tablename__ = "item_external_refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bundles_imported.id"), index=True)
    origin: Mapped[str] = mapped_column(String(200))
    ern: Mapped[str] = mapped_column(String(64))
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
