"""Signed checkpoints of the log (C2SP tlog-checkpoint), on demand and on a schedule, optionally timestamped.

A checkpoint is *final* once it carries cosignatures from at least `Settings.witness_quorum` configured
witnesses; `present_checkpoint(final=True)` MUST refuse otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import ConfigurationError, Conflict, NotFound
from hague.ledger.checkpoint import Checkpoint
from hague.ledger.keys import current_key, load_signer
from hague.ledger.log import log_size, root_hash
from hague.ledger.models import LogCheckpoint, LogCosignature
from hague.ledger.note import Note, parse_note

log = logging.getLogger(__name__)


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    """The most recent stored checkpoint."""
    return session.scalar(select(LogCheckpoint).order_by(LogCheckpoint.size.desc(), LogCheckpoint.id.desc()).limit(1))


def get_checkpoint(session: Session, checkpoint_id: int | None = None) -> LogCheckpoint:
    """A stored checkpoint by id (default: the latest)."""
    row = latest_checkpoint(session) if checkpoint_id is None else session.get(LogCheckpoint, checkpoint_id)
    if row is None:
        raise NotFound("no checkpoint yet: run `hague checkpoint`" if checkpoint_id is None else "no such checkpoint")
    return row


def create_checkpoint(hague: Hague, *, force: bool = False) -> LogCheckpoint:
    """Sign and store a checkpoint of the log as committed now (reuses the latest if the log did not grow)."""
    signer = load_signer(hague)
    with hague.unit() as unit:
        session = unit.session
        key = current_key(session)
        if key.key_id != signer.verifier.key_id.hex():
            raise Conflict("the signing key changed; try again")
        size, root = log_size(session), root_hash(session)
        last = latest_checkpoint(session)
        if last is not None and last.size > size:
            raise Conflict(f"the log shrank from {last.size} to {size} entries")
        if last is not None and last.size == size and not force:
            return last
        text = Checkpoint(hague.settings.log_origin, size, root).to_text()
        note = Note(text, (signer.sign(text),))
        row = LogCheckpoint(size=size, root=root, note=note.to_text(), key_id=key.key_id)
        session.add(row)
        session.flush()
    if hague.settings.tsa_url:
        timestamp_checkpoint(hague, row.id)
    return row


def timestamp_checkpoint(hague: Hague, checkpoint_id: int) -> bytes:
    """Ask the configured RFC 3161 TSA to timestamp the checkpoint note; store and return the token (DER)."""
    import rfc3161ng

    if not hague.settings.tsa_url:
        raise ConfigurationError("no timestamp authority configured (HAGUE_TSA_URL)")
    with hague.reader() as session:
        note = get_checkpoint(session, checkpoint_id).note
    certificate = hague.settings.tsa_certificate.read_bytes() if hague.settings.tsa_certificate else None
    stamper = rfc3161ng.RemoteTimestamper(hague.settings.tsa_url, certificate=certificate, hashname="sha256")
    token: bytes = stamper.timestamp(data=note.encode(), include_tsa_certificate=True)
    with hague.unit() as unit:
        row = get_checkpoint(unit.session, checkpoint_id)
        row.tsa_token = token
    return token


def check_timestamp(hague: Hague, row: LogCheckpoint) -> None:
    """Verify a checkpoint's RFC 3161 token against the configured TSA certificate (raises on failure)."""
    import rfc3161ng

    from hague.errors import VerificationError

    if row.tsa_token is None:
        return
    certificate = hague.settings.tsa_certificate.read_bytes() if hague.settings.tsa_certificate else None
    try:
        ok = rfc3161ng.check_timestamp(
            row.tsa_token, certificate=certificate, data=row.note.encode(), hashname="sha256"
        )
    except Exception as exc:  # rfc3161ng raises ValueError and pyasn1 errors alike
        raise VerificationError(
            f"timestamp token of checkpoint {row.id} does not verify: {exc}", step="timestamp", checkpoint=row.id
        ) from exc
    if not ok:
        raise VerificationError(f"timestamp token of checkpoint {row.id} does not verify", step="timestamp")


def cosignatures(session: Session, row: LogCheckpoint) -> list[LogCosignature]:
    """Stored cosignatures of a checkpoint."""
    return list(session.scalars(select(LogCosignature).where(LogCosignature.checkpoint_id == row.id)))


def present_checkpoint(hague: Hague, checkpoint_id: int | None = None, *, final: bool = True) -> str:
    """The checkpoint note with its cosignature lines; with `final`, refuse below the witness quorum."""
    with hague.reader() as session:
        row = get_checkpoint(session, checkpoint_id)
        lines = [c.line for c in cosignatures(session, row)]
    quorum = hague.settings.witness_quorum
    if final and len(lines) < quorum:
        raise Conflict(
            f"checkpoint of size {row.size} has {len(lines)} cosignatures, the quorum is {quorum}: not final",
            cosignatures=len(lines),
            quorum=quorum,
        )
    note = parse_note(row.note)
    extra = parse_note(note.text + "\n" + "".join(lines)).signatures if lines else ()
    return note.with_signatures(*extra).to_text()


def latest_final_checkpoint(hague: Hague) -> str:
    """The newest checkpoint that meets the witness quorum, as note text."""
    quorum = hague.settings.witness_quorum
    with hague.reader() as session:
        counts = (
            select(LogCosignature.checkpoint_id, func.count().label("n"))
            .group_by(LogCosignature.checkpoint_id)
            .subquery()
        )
        stmt = select(LogCheckpoint).outerjoin(counts, counts.c.checkpoint_id == LogCheckpoint.id)
        if quorum:
            stmt = stmt.where(counts.c.n >= quorum)
        row = session.scalar(stmt.order_by(LogCheckpoint.size.desc(), LogCheckpoint.id.desc()).limit(1))
    if row is None:
        raise NotFound(f"no checkpoint has reached the witness quorum of {quorum}")
    return present_checkpoint(hague, row.id, final=True)


@dataclass
class ScheduleResult:
    """What one scheduled tick did."""

    checkpoint_id: int | None
    size: int
    created: bool
    cosigned_by: list[str]


def run_schedule(hague: Hague, *, every: timedelta = timedelta(minutes=5)) -> ScheduleResult:
    """One scheduler tick (call from cron or the web app): checkpoint if the log grew and `every` passed,
    then ask the configured witnesses to cosign the latest checkpoint."""
    from hague.ledger.witness_client import request_cosignatures

    with hague.reader() as session:
        last = latest_checkpoint(session)
        size = log_size(session)
    created = False
    if last is None or (size > last.size and utcnow() - last.created_at >= every):
        last = create_checkpoint(hague)
        created = True
    cosigned: list[str] = []
    if last is not None:
        cosigned = request_cosignatures(hague, last.id)
    return ScheduleResult(last.id if last else None, last.size if last else 0, created, cosigned)
