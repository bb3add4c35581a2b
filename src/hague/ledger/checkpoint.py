"""C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed statement of a log's size and root.

Body: origin line, decimal tree size (no leading zeros), base64 root hash, then optional non-empty
extension lines; it is the text of a signed note. Stdlib + `cryptography` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hague.errors import VerificationError
from hague.ledger.note import Note, VerifierKey, b64, b64decode, check_text, parse_note, verify_note


@dataclass(frozen=True)
class Checkpoint:
    """Origin, tree size and RFC 9162 root hash, plus extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default_factory=tuple)

    def to_text(self) -> str:
        """The checkpoint body (the note text)."""
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        return check_text("".join(line + "\n" for line in lines))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body; refuse anything that does not round-trip exactly."""
    check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise VerificationError("checkpoint has fewer than three lines (truncated?)", step="checkpoint format")
    origin, size_text, root_text, *ext = lines
    if not origin or origin.strip() != origin:
        raise VerificationError("checkpoint origin line is empty or padded", step="checkpoint format")
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")) or not size_text.isascii():
        raise VerificationError("checkpoint size is not a decimal without leading zeros", step="checkpoint format")
    root = b64decode(root_text, "checkpoint root")
    if len(root) != 32:
        raise VerificationError("checkpoint root is not a SHA-256 hash", step="checkpoint format")
    if any(not line for line in ext):
        raise VerificationError("checkpoint has an empty extension line", step="checkpoint format")
    return Checkpoint(origin, int(size_text), root, tuple(ext))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature (and cosignatures, if asked for) verified."""

    checkpoint: Checkpoint
    note: Note
    signed_by: tuple[str, ...]
    cosigned_by: dict[str, int]


def open_checkpoint(
    data: str | bytes | Note,
    log_keys: list[VerifierKey],
    *,
    origin: str | None = None,
    witness_keys: list[VerifierKey] | None = None,
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint: a trusted log key signed it, its origin is `origin`, and at least
    `quorum` of `witness_keys` cosigned it. Fails closed with VerificationError."""
    note = data if isinstance(data, Note) else parse_note(data)
    signed = verify_note(note, [k for k in log_keys if k.alg == 0x01])
    if not signed:
        raise VerificationError("no trusted log key signed this checkpoint", step="checkpoint signature")
    checkpoint = parse_checkpoint(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(
            "checkpoint is for another log", step="checkpoint origin", expected=origin, computed=checkpoint.origin
        )
    cosigned: dict[str, int] = {}
    if witness_keys:
        for vkey, ts in verify_note(note, [k for k in witness_keys if k.alg == 0x04]).items():
            if ts is not None:
                cosigned[vkey] = ts
    if len(cosigned) < quorum:
        raise VerificationError(
            f"checkpoint has {len(cosigned)} valid cosignatures, {quorum} required",
            step="cosignature quorum",
            expected=quorum,
            computed=len(cosigned),
        )
    return VerifiedCheckpoint(checkpoint, note, tuple(signed), cosigned)
