"""Audit of reads of confidential items and files: a row per read and an `access.read` log entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.auth_models import AccessRead
from hague.access.policy import CONFIDENTIAL
from hague.core import Unit
from hague.db.base import utcnow
from hague.errors import NotFound
from hague.evidence.models import File, Item, User
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash


def _record(read: AccessRead) -> dict[str, Any]:
    return {
        "id": read.id,
        "user": read.username,
        "ern": read.ern,
        "file": read.file_sha256,
        "what": read.what,
        "remote": read.remote,
        "via": read.via,
        "at": read.at.isoformat(),
    }


def needs_audit(item: Item) -> bool:
    """Reads of confidential and strictly confidential material are audited."""
    return item.classification in CONFIDENTIAL


def record_read(
    unit: Unit, user: User, item: Item, file: File | None = None, *, remote: str = "", via: str = "api"
) -> AccessRead | None:
    """Audit one read (who, what, when, from where) if the item is confidential; returns the row."""
    if not needs_audit(item):
        return None
    read = AccessRead(
        username=user.username,
        ern=item.ern,
        file_sha256=file.sha256 if file else "",
        what="file" if file else "item",
        remote=remote[:64],
        via=via,
        at=utcnow(),  # set here, not by the flush: the attested record needs no read-back
    )
    unit.session.add(read)
    unit.session.flush()
    unit.attest(
        "access.read",
        {
            "read": read.id,
            "user": read.username,
            "ern": read.ern,
            "what": read.what,
            "record": record_hash(_record(read)),
        },
    )
    return read


def reads_of(session: Session, ern: str) -> list[AccessRead]:
    """Audited reads of an item, oldest first."""
    return list(session.scalars(select(AccessRead).where(AccessRead.ern == ern).order_by(AccessRead.id)))


@record_check("access.read")
def _check_read(session: Session, fields: dict[str, Any]) -> str:
    read = session.get(AccessRead, fields["read"])
    if read is None:
        raise NotFound(f"audited read {fields['read']} is missing")
    return record_hash(_record(read))
