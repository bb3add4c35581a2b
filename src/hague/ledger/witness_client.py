"""Asking partner witnesses to cosign checkpoints: the C2SP tlog-witness `add-checkpoint` exchange.

Request body: `old <size>`, one base64 consistency-proof hash per line, an empty line, the signed
checkpoint. A 200 answer is cosignature lines, each verified against the witness's key before storing.
"""

from __future__ import annotations

import logging

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.errors import Conflict, NotFound, ValidationError, VerificationError
from hague.ledger.attest import record_check
from hague.ledger.canonical import record_hash
from hague.ledger.models import LogCheckpoint, LogCosignature, LogWitness
from hague.ledger.note import ALG_COSIGNATURE_V1, b64, b64decode, parse_note, parse_verifier_key, verify_note
from hague.ledger.tree import consistency_proof

log = logging.getLogger(__name__)
MAX_PROOF_LINES = 63


def add_checkpoint_body(old: int, proof: list[bytes], note: str) -> str:
    """The add-checkpoint request body."""
    return f"old {old}\n" + "".join(b64(h) + "\n" for h in proof) + "\n" + note


def parse_add_checkpoint(body: str) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into old size, proof hashes and checkpoint note (VerificationError if malformed)."""
    head, sep, note = body.partition("\n\n")
    if not sep:
        raise VerificationError("add-checkpoint body has no empty line", step="request format")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or (first[4:] != "0" and first[4:].startswith("0")):
        raise VerificationError("add-checkpoint body does not start with 'old <size>'", step="request format")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise VerificationError("too many consistency proof lines", step="request format")
    return int(first[4:]), [b64decode(line, "consistency proof") for line in lines[1:]], note


def add_witness(hague: Hague, name: str, vkey: str, url: str) -> LogWitness:
    """Register a partner witness (cosignature/v1 verifier key and submission URL); logged."""
    key = parse_verifier_key(vkey)
    if key.alg != ALG_COSIGNATURE_V1 or key.name != name:
        raise ValidationError("a witness key must be a cosignature/v1 (type 0x04) key named like the witness")
    if not url.startswith(("http://", "https://")):
        raise ValidationError("the witness URL must be http(s)", field="url")
    with hague.unit() as unit:
        if unit.session.scalar(select(LogWitness).where(LogWitness.name == name)):
            raise Conflict(f"witness {name} is already configured")
        row = LogWitness(name=name, vkey=key.to_text(), url=url.rstrip("/"), active=True)
        unit.session.add(row)
        unit.session.flush()
        unit.attest("log.witness_added", {"witness": name, "record": record_hash({"name": name, "vkey": row.vkey})})
    return row


def list_witnesses(session: Session) -> list[LogWitness]:
    """Configured witnesses."""
    return list(session.scalars(select(LogWitness).order_by(LogWitness.id)))


def _last_cosigned_size(session: Session, witness: LogWitness) -> int:
    size = session.scalar(
        select(func.max(LogCheckpoint.size))
        .join(LogCosignature, LogCosignature.checkpoint_id == LogCheckpoint.id)
        .where(LogCosignature.witness_id == witness.id)
    )
    return int(size or 0)


def _submit(client: httpx.Client, hague: Hague, witness: LogWitness, old: int, row: LogCheckpoint) -> httpx.Response:
    with hague.reader() as session:
        proof = consistency_proof(session, old, row.size) if old else []
    body = add_checkpoint_body(old, proof, row.note)
    return client.post(f"{witness.url}/add-checkpoint", content=body.encode())


def request_cosignatures(hague: Hague, checkpoint_id: int, *, timeout: float = 10.0) -> list[str]:
    """Ask every active witness to cosign a stored checkpoint; store valid cosignatures; return who cosigned.

    No database transaction is held during HTTP calls (SQLite readers here take the write lock)."""
    cosigned: list[str] = []
    with hague.reader() as session:
        row = session.get(LogCheckpoint, checkpoint_id)
        if row is None:
            raise ValidationError(f"no checkpoint {checkpoint_id}")
        witnesses = [(w, _last_cosigned_size(session, w)) for w in list_witnesses(session) if w.active]
    with httpx.Client(timeout=timeout) as client:
        for witness, last in witnesses:
            try:
                signed = _cosign_one(client, hague, witness, min(last, row.size), row)
            except (httpx.HTTPError, VerificationError, ValueError) as exc:
                log.warning("witness %s did not cosign checkpoint %s: %s", witness.name, row.size, exc)
                continue
            _store(hague, row.id, witness.id, signed)
            cosigned.append(witness.name)
    return cosigned


def _cosign_one(
    client: httpx.Client, hague: Hague, witness: LogWitness, old: int, row: LogCheckpoint
) -> tuple[int, str]:
    response = _submit(client, hague, witness, old, row)
    if response.status_code == 409 and response.headers.get("content-type", "").startswith("text/x.tlog.size"):
        known = int(response.text.strip())
        if known > row.size:
            raise VerificationError(f"witness {witness.name} has already seen size {known}", step="witness")
        response = _submit(client, hague, witness, known, row)
    if response.status_code != 200:
        raise VerificationError(
            f"witness {witness.name} answered {response.status_code}: {response.text[:200]}", step="witness"
        )
    key = parse_verifier_key(witness.vkey)
    note = parse_note(row.note + "".join(ln + "\n" for ln in response.text.splitlines() if ln))
    timestamp = verify_note(note, [key]).get(key.to_text())
    line = next((sig.line() for sig in note.signatures if key.matches(sig)), None)
    if timestamp is None or line is None:
        raise VerificationError(f"witness {witness.name} returned no cosignature of its key", step="cosignature")
    return timestamp, line


def _store(hague: Hague, checkpoint_id: int, witness_id: int, signed: tuple[int, str]) -> None:
    timestamp, line = signed
    with hague.unit() as unit:
        exists = unit.session.scalar(
            select(LogCosignature).where(
                LogCosignature.checkpoint_id == checkpoint_id, LogCosignature.witness_id == witness_id
            )
        )
        if exists is None:
            unit.session.add(
                LogCosignature(checkpoint_id=checkpoint_id, witness_id=witness_id, timestamp=timestamp, line=line)
            )


@record_check("log.witness_added")
def _check_witness_added(session: Session, fields: dict[str, object]) -> str:
    row = session.scalar(select(LogWitness).where(LogWitness.name == fields["witness"]))
    if row is None:
        raise NotFound(f"witness {fields['witness']} is missing")
    return record_hash({"name": row.name, "vkey": row.vkey})
