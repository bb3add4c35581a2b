"""The offline verifier: entry + inclusion proof + signed checkpoint + trusted keys, no database.

This is what the defence runs (and what court bundles embed). Stdlib + `cryptography` only. Every
check fails closed with `hague.errors.VerificationError` whose details name the `step` and, where
hashes are compared, the `expected` and `computed` values (hex). Steps are numbered as in RFC 9162
§2.1.3.2 (inclusion) and §2.1.4.2 (consistency).

Public API: `verify_inclusion`, `verify_consistency`, `root_from_inclusion`, `ProofBundle`,
`verify_bundle`, `open_checkpoint`, `parse_verifier_key`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hague.errors import VerificationError
from hague.ledger.checkpoint import Checkpoint, VerifiedCheckpoint, open_checkpoint, parse_checkpoint
from hague.ledger.note import VerifierKey, b64, b64decode, parse_verifier_key

__all__ = [
    "BUNDLE_FORMAT",
    "Checkpoint",
    "ProofBundle",
    "VerifiedCheckpoint",
    "VerifiedEntry",
    "consistency_proof_length",
    "inclusion_proof_length",
    "open_checkpoint",
    "parse_checkpoint",
    "parse_verifier_key",
    "root_from_inclusion",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
]

BUNDLE_FORMAT = "hague-inclusion-proof/v1"
_sha256 = hashlib.sha256


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) has: the inner path plus the right-border ones."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_length(old: int, new: int) -> int:
    """How many hashes PROOF(old, D[new]) has (0 when old is 0 or equals new)."""
    if old in (0, new):
        return 0
    shift = (old & -old).bit_length() - 1
    length = inclusion_proof_length(old - 1, new) - shift
    return length if old == 1 << shift else length + 1


def _hex(value: bytes) -> str:
    return value.hex()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 steps 1-6: the root implied by `proof`; raises on a malformed proof."""
    if not 0 <= index < size:
        raise VerificationError(f"index {index} is not in a tree of size {size}", step="inclusion index")
    inner = (index ^ (size - 1)).bit_length()
    want = inner + (index >> inner).bit_count()
    if len(proof) != want:
        raise VerificationError(
            f"inclusion proof has {len(proof)} hashes, a tree of size {size} needs {want}",
            step="inclusion proof length",
            expected=want,
            computed=len(proof),
        )
    if len(b"".join(proof)) != 32 * want:
        raise VerificationError("proof hash is not 32 bytes", step="inclusion proof format")
    # RFC 9162 §2.1.3.2 steps 3-5, unrolled: the first `inner` hashes sit left or right by the index
    # bits, every later (border) hash is a left sibling. One loop, no per-step calls but the hash.
    sha256 = _sha256
    r = leaf
    for i, p in enumerate(proof):
        r = sha256(b"\x01" + r + p).digest() if i < inner and not index & 1 else sha256(b"\x01" + p + r).digest()
        index >>= 1
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf` is entry `index` of the tree of `size` with `root` (RFC 9162 §2.1.3.2)."""
    computed = root_from_inclusion(index, size, leaf, proof)
    if computed != root:
        raise VerificationError(
            f"inclusion proof for entry {index} does not lead to the checkpoint root",
            step="inclusion root",
            expected=_hex(root),
            computed=_hex(computed),
        )


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree of size `new` extends the one of size `old` (RFC 9162 §2.1.4.2)."""
    if not 0 <= old <= new:
        raise VerificationError(f"size went from {old} to {new}", step="size regression", expected=old, computed=new)
    want = consistency_proof_length(old, new)
    if len(proof) != want:
        raise VerificationError(
            f"consistency proof has {len(proof)} hashes, {old}→{new} needs {want}",
            step="consistency proof length",
            expected=want,
            computed=len(proof),
        )
    if old == new:
        if old_root != new_root:
            raise VerificationError(
                f"two different roots for size {old} (split view)",
                step="split view",
                expected=_hex(old_root),
                computed=_hex(new_root),
            )
        return
    if old == 0:
        return
    if any(len(p) != 32 for p in proof):
        raise VerificationError("proof hash is not 32 bytes", step="consistency proof format")
    path = list(proof)
    if old & (old - 1) == 0:  # step 1: old is a power of two, its root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:  # step 3
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:  # step 5
        if sn == 0:
            raise VerificationError("consistency proof is too long", step="consistency proof length")
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr).digest()
            sr = _sha256(b"\x01" + c + sr).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if fr != old_root:
        raise VerificationError(
            f"consistency proof does not rebuild the size-{old} root",
            step="consistency old root",
            expected=_hex(old_root),
            computed=_hex(fr),
        )
    if sr != new_root or sn != 0:
        raise VerificationError(
            f"consistency proof does not rebuild the size-{new} root",
            step="consistency new root",
            expected=_hex(new_root),
            computed=_hex(sr),
        )


@dataclass(frozen=True)
class ProofBundle:
    """One entry with its inclusion proof and the signed checkpoint it is proved against (JSON)."""

    index: int
    entry: bytes
    inclusion: tuple[bytes, ...]
    checkpoint: str

    def to_json(self) -> str:
        """The bundle as JSON text (hashes and entry in base64)."""
        return json.dumps(
            {
                "format": BUNDLE_FORMAT,
                "index": self.index,
                "entry": b64(self.entry),
                "inclusion": [b64(h) for h in self.inclusion],
                "checkpoint": self.checkpoint,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ProofBundle:
        """Parse a bundle; malformed input is a VerificationError."""
        try:
            data: Any = json.loads(text)
            if data.get("format") != BUNDLE_FORMAT:
                raise VerificationError(f"not a {BUNDLE_FORMAT} bundle", step="bundle format")
            index = data["index"]
            if not isinstance(index, int) or isinstance(index, bool):
                raise VerificationError("bundle index is not an integer", step="bundle format")
            return cls(
                index=index,
                entry=b64decode(data["entry"], "bundle entry"),
                inclusion=tuple(b64decode(h, "bundle proof") for h in data["inclusion"]),
                checkpoint=str(data["checkpoint"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise VerificationError(f"malformed proof bundle: {exc}", step="bundle format") from exc


@dataclass(frozen=True)
class VerifiedEntry:
    """An entry proven to be in a signed (and possibly witnessed) checkpoint."""

    index: int
    entry: bytes
    leaf_hash: bytes
    checkpoint: VerifiedCheckpoint

    def fields(self) -> dict[str, Any]:
        """The entry's canonical JSON decoded."""
        value: dict[str, Any] = json.loads(self.entry)
        return value


def verify_bundle(
    bundle: ProofBundle,
    log_keys: list[VerifierKey],
    *,
    origin: str | None = None,
    witness_keys: list[VerifierKey] | None = None,
    quorum: int = 0,
) -> VerifiedEntry:
    """1. checkpoint signed by a trusted log key (origin, cosignature quorum); 2. leaf = SHA-256(0x00‖entry);
    3. the inclusion proof leads from the leaf to the checkpoint root."""
    verified = open_checkpoint(bundle.checkpoint, log_keys, origin=origin, witness_keys=witness_keys, quorum=quorum)
    leaf = _sha256(b"\x00" + bundle.entry).digest()
    verify_inclusion(bundle.index, verified.checkpoint.size, leaf, bundle.inclusion, verified.checkpoint.root)
    return VerifiedEntry(bundle.index, bundle.entry, leaf, verified)
