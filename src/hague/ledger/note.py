"""C2SP signed-note (https://c2sp.org/signed-note) and tlog-cosignature v1 (https://c2sp.org/tlog-cosignature).

Stdlib + `cryptography` only. A note is UTF-8 text ending in a newline, an empty line, then signature
lines `— <key name> base64(key ID ‖ signature)`. Key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖
public key); type 0x01 is Ed25519 over the text, 0x04 is a cosignature: Ed25519 over
"cosignature/v1\\ntime <t>\\n" ‖ text, with the 8-byte big-endian timestamp t before the signature.
Malformed input MUST raise `VerificationError` (fail closed), never a raw ValueError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
import time
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hague.errors import VerificationError

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100
DASH = "\u2014"


def _fail(step: str, message: str, **details: object) -> VerificationError:
    return VerificationError(message, step=step, **details)


def b64decode(text: str, step: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4), or a VerificationError naming `step`."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise _fail(step, f"{step}: not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise _fail(step, f"{step}: non-canonical base64")
    return raw


def b64(raw: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(raw).decode("ascii")


def valid_key_name(name: str) -> bool:
    """Key names are non-empty and contain no whitespace and no '+'."""
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name) and name.isprintable()


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """C2SP key ID: SHA-256(name ‖ 0x0A ‖ alg ‖ public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()[:4]


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a tlog-cosignature/v1 signs."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID, and the algorithm-specific signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The line as it appears in a note (with its newline)."""
        return f"{DASH} {self.name} {b64(self.key_id + self.signature)}\n"

    @property
    def timestamp(self) -> int | None:
        """The cosignature timestamp, when the signature has the cosignature/v1 layout (8 + 64 bytes)."""
        return struct.unpack(">Q", self.signature[:8])[0] if len(self.signature) == 72 else None


def parse_signature_line(line: str) -> NoteSignature:
    """Parse `— name base64` (without its newline)."""
    if not line.startswith(DASH + " "):
        raise _fail("note signature", "signature line does not start with an em dash and a space")
    parts = line[2:].split(" ")
    if len(parts) != 2 or not valid_key_name(parts[0]):
        raise _fail("note signature", "signature line is not '— <name> <base64>'")
    raw = b64decode(parts[1], "note signature")
    if len(raw) < 5:
        raise _fail("note signature", "signature is too short")
    return NoteSignature(parts[0], raw[:4], raw[4:])


@dataclass(frozen=True)
class Note:
    """A signed note: its text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...] = field(default_factory=tuple)

    def to_text(self) -> str:
        """The note as transmitted: text, empty line, signature lines."""
        return self.text + "\n" + "".join(sig.line() for sig in self.signatures)

    def with_signatures(self, *extra: NoteSignature) -> Note:
        """The same note with more signatures (duplicates dropped)."""
        sigs = list(self.signatures)
        for sig in extra:
            if sig not in sigs:
                sigs.append(sig)
        return Note(self.text, tuple(sigs))


def check_text(text: str) -> str:
    """A note text MUST be non-empty, end in a newline and contain no control characters but newlines."""
    if not text.endswith("\n"):
        raise _fail("note format", "note text does not end with a newline")
    if any((ord(ch) < 0x20 and ch != "\n") or ch == "\x7f" for ch in text):
        raise _fail("note format", "note text contains control characters")
    return text


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into text and signature lines; refuse anything malformed."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail("note format", "note is not valid UTF-8") from exc
    cut = data.rfind("\n\n")
    if cut < 0:
        raise _fail("note format", "note has no signature block (truncated?)")
    text, block = check_text(data[: cut + 1]), data[cut + 2 :]
    if not block.endswith("\n"):
        raise _fail("note format", "signature block does not end with a newline (truncated?)")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise _fail("note format", f"note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(parse_signature_line(line) for line in lines))


@dataclass(frozen=True)
class VerifierKey:
    """A public key in note verifier-key form: `<name>+<hex key ID>+base64(type ‖ public key)`."""

    name: str
    alg: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return key_id(self.name, self.alg, self.public_key)

    def to_text(self) -> str:
        """The vkey text."""
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.alg]) + self.public_key)}"

    def matches(self, sig: NoteSignature) -> bool:
        """True if the signature line names this key (name and key ID)."""
        return sig.name == self.name and sig.key_id == self.key_id

    def verify(self, text: str, sig: NoteSignature) -> int | None:
        """Check `sig` over `text`; returns the cosignature timestamp (None for plain Ed25519)."""
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        timestamp: int | None = None
        if self.alg == ALG_COSIGNATURE_V1:
            if len(sig.signature) != 72:
                raise _fail("cosignature", f"cosignature from {self.name} has the wrong length")
            timestamp = struct.unpack(">Q", sig.signature[:8])[0]
            message, raw = cosignature_message(text, timestamp), sig.signature[8:]
        else:
            message, raw = text.encode("utf-8"), sig.signature
        try:
            public.verify(raw, message)
        except InvalidSignature as exc:
            raise _fail(
                "cosignature" if timestamp is not None else "note signature",
                f"signature by {self.name} ({self.key_id.hex()}) does not verify",
                key=self.to_text(),
            ) from exc
        return timestamp


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse a vkey and check its key ID."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not valid_key_name(parts[0]):
        raise _fail("verifier key", "verifier key is not '<name>+<hex id>+<base64 key>'")
    raw = b64decode(parts[2], "verifier key")
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise _fail("verifier key", "only Ed25519 (type 0x01) and cosignature/v1 (0x04) keys are supported")
    key = VerifierKey(parts[0], raw[0], raw[1:])
    if key.key_id.hex() != parts[1].lower() or len(parts[1]) != 8:
        raise _fail("verifier key", "verifier key ID does not match its name and key", expected=key.key_id.hex())
    return key


@dataclass(frozen=True)
class Signer:
    """An Ed25519 note signer (type 0x01) or cosigner (type 0x04) with its key name."""

    name: str
    alg: int
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        """A fresh key."""
        if not valid_key_name(name):
            raise VerificationError("key names must be non-empty without spaces or '+'", step="signer key")
        return cls(name, alg, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> VerifierKey:
        """The matching public key."""
        return VerifierKey(self.name, self.alg, self.private_key.public_key().public_bytes_raw())

    def sign(self, text: str, timestamp: int | None = None) -> NoteSignature:
        """Sign a note text; cosigners put `timestamp` (default now, seconds) in the signature."""
        check_text(text)
        if self.alg == ALG_COSIGNATURE_V1:
            ts = int(time.time()) if timestamp is None else timestamp
            raw = struct.pack(">Q", ts) + self.private_key.sign(cosignature_message(text, ts))
        else:
            raw = self.private_key.sign(text.encode("utf-8"))
        return NoteSignature(self.name, self.verifier.key_id, raw)

    def to_text(self) -> str:
        """Signer-key text: `PRIVATE+KEY+<name>+<hex id>+base64(type ‖ seed)`; keep it secret."""
        seed = self.private_key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{b64(bytes([self.alg]) + seed)}"


def parse_signer(text: str) -> Signer:
    """Parse a signer key (`PRIVATE+KEY+...`)."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not valid_key_name(parts[2]):
        raise _fail("signer key", "signer key is not 'PRIVATE+KEY+<name>+<hex id>+<base64>'")
    raw = b64decode(parts[4], "signer key")
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise _fail("signer key", "unsupported signer key type")
    signer = Signer(parts[2], raw[0], Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier.key_id.hex() != parts[3].lower():
        raise _fail("signer key", "signer key ID does not match its name and key")
    return signer


def verify_note(note: Note, keys: list[VerifierKey]) -> dict[str, int | None]:
    """Verify every signature made by a known key; unknown keys are ignored, a bad known one fails.

    Returns {vkey text: cosignature timestamp or None} for the keys that signed; MUST be checked
    against the caller's quorum (an empty result means nothing trusted signed).
    """
    out: dict[str, int | None] = {}
    for sig in note.signatures:
        for key in keys:
            if key.matches(sig):
                ts = key.verify(note.text, sig)
                out[key.to_text()] = ts
    return out
