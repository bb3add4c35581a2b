"""Proofs as handed to outsiders: a self-contained inclusion bundle, and consistency proofs as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hague.core import Hague
from hague.errors import NotFound
from hague.ledger.checkpoints import get_checkpoint, present_checkpoint
from hague.ledger.models import LogEntry
from hague.ledger.note import b64
from hague.ledger.tree import consistency_proof, inclusion_proof, root_at
from hague.ledger.verify_offline import ProofBundle


def inclusion_bundle(hague: Hague, index: int, checkpoint_id: int | None = None) -> ProofBundle:
    """Entry `index`, its inclusion proof, and the (latest) signed checkpoint with its cosignatures."""
    with hague.reader() as session:
        row = get_checkpoint(session, checkpoint_id)
        if not 0 <= index < row.size:
            raise NotFound(f"entry {index} is not covered by the checkpoint of size {row.size}: make a new checkpoint")
        body = session.scalar(select(LogEntry.body).where(LogEntry.seq == index))
        if body is None:
            raise NotFound(f"log entry {index} is missing")
        proof = inclusion_proof(session, index, row.size)
    note = present_checkpoint(hague, row.id, final=False)
    return ProofBundle(index=index, entry=bytes(body), inclusion=tuple(proof), checkpoint=note)


def consistency_json(hague: Hague, old: int, new: int) -> dict[str, Any]:
    """A consistency proof between two sizes with both roots (base64)."""
    with hague.reader() as session:
        proof = consistency_proof(session, old, new)
        return {
            "old": old,
            "new": new,
            "old_root": b64(root_at(session, old)),
            "new_root": b64(root_at(session, new)),
            "proof": [b64(h) for h in proof],
        }
