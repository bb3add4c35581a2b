"""Writes the named attack fixtures under tests/ledger/fixtures (run: python -m tests.ledger.make_fixtures).

Keys come from fixed seeds so the files are reproducible; the test log has 10 entries `entry <i>`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hague.ledger.checkpoint import Checkpoint
from hague.ledger.note import ALG_COSIGNATURE_V1, ALG_ED25519, Note, Signer
from hague.ledger.rfc9162 import leaf_hash
from hague.ledger.tree import StoredTree
from hague.ledger.verify_offline import ProofBundle

HERE = Path(__file__).resolve().parent / "fixtures"
ORIGIN = "hague.test/log"
ENTRIES = [f'{{"n":{i},"type":"test.entry","v":1}}'.encode() for i in range(10)]


def signer(name: str, alg: int, seed: str) -> Signer:
    return Signer(name, alg, Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest()))


LOG = signer(ORIGIN, ALG_ED25519, "hague test log key")
WITNESS = signer("witness.test/w1", ALG_COSIGNATURE_V1, "hague test witness key")
TREE = StoredTree.from_leaves([leaf_hash(e) for e in ENTRIES])


def signed(size: int, root: bytes | None = None, origin: str = ORIGIN, by: Signer = LOG) -> str:
    text = Checkpoint(origin, size, TREE.root(size) if root is None else root).to_text()
    return Note(text, (by.sign(text),)).to_text()


def bundle(index: int, size: int, checkpoint: str, extra: bytes | None = None) -> str:
    proof = TREE.inclusion_proof(index, size) + ([extra] if extra else [])
    return ProofBundle(index, ENTRIES[index], tuple(proof), checkpoint).to_json()


def main() -> None:
    HERE.mkdir(exist_ok=True)
    good = signed(10)
    text = Checkpoint(ORIGIN, 10, TREE.root(10)).to_text()
    cosigned = Note(text, (LOG.sign(text), WITNESS.sign(text, 1_700_000_000))).to_text()
    files = {
        "log.vkey": LOG.verifier.to_text() + "\n",
        "witness.vkey": WITNESS.verifier.to_text() + "\n",
        "checkpoint_valid.txt": good,
        "checkpoint_cosigned.txt": cosigned,
        "forged_signature.txt": good[:-10] + ("A" if good[-10] != "A" else "B") + good[-9:],
        "wrong_origin.txt": signed(10, origin="evil.test/log", by=signer("evil.test/log", ALG_ED25519, "x")),
        "wrong_origin_same_key.txt": signed(10, origin="other.test/log"),
        "truncated_note.txt": good[: len(good) - 30],
        "size_regression_old.txt": signed(8),
        "size_regression_new.txt": signed(6),
        "split_view_a.txt": good,
        "split_view_b.txt": signed(10, root=hashlib.sha256(b"another tree").digest()),
        "bundle_valid.json": bundle(3, 10, good),
        "bundle_proof_wrong_length.json": bundle(3, 10, good, extra=TREE.root(10)),
        "bundle_forged_entry.json": json.dumps(
            {**json.loads(bundle(3, 10, good)), "entry": "eyJuIjozMywidHlwZSI6InRlc3QuZW50cnkiLCJ2IjoxfQ=="}
        ),
    }
    for name, content in files.items():
        (HERE / name).write_text(content)
    consistency = {"old": 6, "new": 8, "proof": [h.hex() for h in TREE.consistency_proof(6, 8)]}
    (HERE / "consistency_6_8.json").write_text(json.dumps(consistency, indent=2))


if __name__ == "__main__":
    main()
