"""The log's signing keys: generated, shown and rotated; private halves under DATA_DIR/keys (mode 0600).

Each key file is named by its C2SP key ID and written once (O_EXCL), before the transaction that makes
it current commits, so a crash leaves either the old key current or the new one usable. A rotation is a
hand-over note naming old and new key, signed by both, kept on the key row and attested in the log.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.db.base import utcnow
from hague.errors import Conflict, NotFound
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash
from hague.ledger.models import LogKey
from hague.ledger.note import ALG_ED25519, Note, Signer, VerifierKey, parse_signer, parse_verifier_key


def keys_dir(hague: Hague) -> Path:
    """Folder of the private key files."""
    return hague.settings.data_dir / "keys"


def _write_private(path: Path, signer: Signer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (signer.to_text() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def key_record(row: LogKey) -> dict[str, str]:
    """What a key entry attests."""
    return {"key_id": row.key_id, "vkey": row.vkey, "handover": row.handover}


def current_key(session: Session) -> LogKey:
    """The active key row."""
    row = session.scalar(select(LogKey).where(LogKey.retired_at.is_(None)).order_by(LogKey.id.desc()))
    if row is None:
        raise NotFound("no log signing key: run `hague keys generate`")
    return row


def trusted_keys(session: Session) -> list[VerifierKey]:
    """Every key this log ever signed with (old checkpoints stay verifiable after rotation)."""
    return [parse_verifier_key(row.vkey) for row in session.scalars(select(LogKey).order_by(LogKey.id))]


def load_signer(hague: Hague) -> Signer:
    """The private key of the active signing key."""
    with hague.reader() as session:
        row = current_key(session)
    path = keys_dir(hague) / f"log-{row.key_id}.key"
    try:
        return parse_signer(path.read_text())
    except FileNotFoundError as exc:
        raise NotFound(f"the private key file for key {row.key_id} is missing from the data folder") from exc


def generate_key(hague: Hague) -> VerifierKey:
    """Create the log's first signing key (named by the log origin); refuses if one exists."""
    with hague.reader() as session:
        if session.scalar(select(LogKey.id).limit(1)) is not None:
            raise Conflict("a signing key already exists: use `hague keys rotate`")
    signer = Signer.generate(hague.settings.log_origin, ALG_ED25519)
    vkey = signer.verifier
    _write_private(keys_dir(hague) / f"log-{vkey.key_id.hex()}.key", signer)
    with hague.unit() as unit:
        row = LogKey(name=vkey.name, key_id=vkey.key_id.hex(), vkey=vkey.to_text(), handover="")
        unit.session.add(row)
        unit.session.flush()
        unit.attest("log.key_generated", {"key_id": row.key_id, "record": record_hash(key_record(row))})
    return vkey


def handover_text(origin: str, old: VerifierKey, new: VerifierKey, size: int) -> str:
    """The hand-over statement both keys sign."""
    return f"hague key rotation\norigin {origin}\nold {old.to_text()}\nnew {new.to_text()}\nlog size {size}\n"


def rotate_key(hague: Hague) -> tuple[VerifierKey, str]:
    """Replace the signing key; returns the new public key and the hand-over note (signed by old and new)."""
    from hague.ledger.log import log_size

    old = load_signer(hague)
    new = Signer.generate(hague.settings.log_origin, ALG_ED25519)
    _write_private(keys_dir(hague) / f"log-{new.verifier.key_id.hex()}.key", new)
    with hague.unit() as unit:
        current = current_key(unit.session)
        if current.key_id != old.verifier.key_id.hex():
            raise Conflict("the signing key changed while rotating; try again")
        text = handover_text(hague.settings.log_origin, old.verifier, new.verifier, log_size(unit.session))
        statement = Note(text, (old.sign(text), new.sign(text))).to_text()
        current.retired_at = utcnow()
        row = LogKey(name=new.name, key_id=new.verifier.key_id.hex(), vkey=new.verifier.to_text(), handover=statement)
        unit.session.add(row)
        unit.session.flush()
        unit.attest(
            "log.key_rotated",
            {"old": current.key_id, "key_id": row.key_id, "record": record_hash(key_record(row))},
        )
    return new.verifier, statement


def _key_row(session: Session, key_id: str) -> LogKey:
    row = session.scalar(select(LogKey).where(LogKey.key_id == key_id))
    if row is None:
        raise NotFound(f"signing key {key_id} is missing")
    return row


@record_check("log.key_generated")
def _check_key_generated(session: Session, fields: dict[str, object]) -> str:
    return record_hash(key_record(_key_row(session, str(fields["key_id"]))))


@record_check("log.key_rotated")
def _check_key_rotated(session: Session, fields: dict[str, object]) -> str:
    return record_hash(key_record(_key_row(session, str(fields["key_id"]))))
