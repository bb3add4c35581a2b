"""The identity vault: envelope encryption with AES-256-GCM.

A master key (from `Settings.master_key`, `Settings.master_key_file` or `DATA_DIR/vault/master.key`)
wraps one data key per case and purpose; data keys encrypt identities. Rotating the master key
re-wraps the data keys only, so identity ciphertexts (and all evidence) stay untouched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Unit
from hague.errors import ConfigurationError, Conflict, IntegrityError
from hague.ledger.canonical import record_hash
from hague.settings import Settings
from hague.testimony.identity import Identity
from hague.testimony.models import VaultKey, Witness, WitnessIdentity

PURPOSES = ("identity", "index")
KEY_BYTES = 32


def default_key_path(settings: Settings) -> Path:
    """Where `hague vault init` writes the master key when no other location is configured."""
    return settings.master_key_file or settings.data_dir / "vault" / "master.key"


@dataclass(frozen=True)
class MasterKey:
    """The key-encryption key; `key_id` (a hash prefix) tells which master key wrapped a data key."""

    key: bytes

    @property
    def key_id(self) -> str:
        """First 16 hex digits of SHA-256 over a domain tag and the key."""
        return hashlib.sha256(b"hague-master-key-id\0" + self.key).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"MasterKey(id={self.key_id})"

    @classmethod
    def decode(cls, text: str) -> MasterKey:
        """A master key from its base64 text (32 bytes)."""
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError("the master key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ConfigurationError(f"the master key must be {KEY_BYTES} bytes, base64-encoded")
        return cls(key)

    @classmethod
    def generate(cls) -> MasterKey:
        """A fresh random master key."""
        return cls(AESGCM.generate_key(bit_length=256))

    def encode(self) -> str:
        """Base64 text of the key."""
        return base64.b64encode(self.key).decode("ascii")


def write_key_file(path: Path, key: MasterKey) -> Path:
    """Write `key` to a new file readable by its owner only (0600); refuses to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(f"a key file already exists at {path}; it is never overwritten") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key.encode() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path


def init_key_file(settings: Settings) -> Path:
    """Generate a master key into the configured key file (default `DATA_DIR/vault/master.key`)."""
    if settings.master_key:
        raise Conflict("a master key is already configured in HAGUE_MASTER_KEY")
    return write_key_file(default_key_path(settings), MasterKey.generate())


def load_master_key(settings: Settings) -> MasterKey:
    """The configured master key; a ConfigurationError (without key material) if there is none."""
    if settings.master_key:
        return MasterKey.decode(settings.master_key)
    path = default_key_path(settings)
    try:
        return MasterKey.decode(path.read_text())
    except FileNotFoundError:
        raise ConfigurationError(
            "no vault master key: run `hague vault init` or set HAGUE_MASTER_KEY / HAGUE_MASTER_KEY_FILE"
        ) from None


def _wrap_aad(case_id: int, purpose: str, version: int) -> bytes:
    return f"hague-vault/1|case={case_id}|purpose={purpose}|version={version}".encode()


def _identity_aad(witness: Witness) -> bytes:
    return f"hague-identity/1|witness={witness.id}|pseudonym={witness.pseudonym}".encode()


class Vault:
    """Opens data keys with the master key; encrypts and decrypts identities bound to their witness."""

    def __init__(self, master: MasterKey) -> None:
        self.master = master

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        """The vault of the configured master key."""
        return cls(load_master_key(settings))

    def _unwrap(self, row: VaultKey) -> bytes:
        if row.master_key_id != self.master.key_id:
            raise ConfigurationError(
                f"vault key {row.id} is wrapped by master key {row.master_key_id}, not {self.master.key_id}"
            )
        try:
            return AESGCM(self.master.key).decrypt(
                row.nonce, row.wrapped, _wrap_aad(row.case_id, row.purpose, row.version)
            )
        except InvalidTag:
            raise IntegrityError(f"vault key {row.id} failed authentication") from None

    def _key_row(self, session: Session, case_id: int, purpose: str) -> VaultKey | None:
        return session.scalar(
            select(VaultKey)
            .where(VaultKey.case_id == case_id, VaultKey.purpose == purpose)
            .order_by(VaultKey.version.desc())
            .limit(1)
        )

    def data_key(self, session: Session, case_id: int, purpose: str) -> tuple[VaultKey, bytes]:
        """The current data key of a case for `purpose` (NotFound-free: ConfigurationError if none yet)."""
        row = self._key_row(session, case_id, purpose)
        if row is None:
            raise ConfigurationError(f"case {case_id} has no {purpose} key yet")
        return row, self._unwrap(row)

    def ensure_data_key(self, unit: Unit, case_id: int, case_code: str, purpose: str) -> tuple[VaultKey, bytes]:
        """The case's data key for `purpose`, created (and logged) on first use."""
        assert purpose in PURPOSES
        row = self._key_row(unit.session, case_id, purpose)
        if row is not None:
            return row, self._unwrap(row)
        key = AESGCM.generate_key(bit_length=256)
        return self.store_key(unit, case_id, case_code, purpose, key), key

    def store_key(self, unit: Unit, case_id: int, case_code: str, purpose: str, key: bytes) -> VaultKey:
        """Wrap and keep `key` as the next version for `purpose` (e.g. a secret shared with a partner)."""
        previous = self._key_row(unit.session, case_id, purpose)
        version = previous.version + 1 if previous else 1
        nonce = os.urandom(12)
        row = VaultKey(
            case_id=case_id,
            purpose=purpose,
            version=version,
            master_key_id=self.master.key_id,
            nonce=nonce,
            wrapped=AESGCM(self.master.key).encrypt(nonce, key, _wrap_aad(case_id, purpose, version)),
        )
        unit.session.add(row)
        unit.session.flush()
        unit.attest(
            "vault.key_created",
            {"case": case_code, "key": row.id, "record": record_hash(key_record(row, case_code))},
        )
        return row

    def key_by_id(self, session: Session, key_id: int) -> bytes:
        """Unwrap the data key with this id."""
        row = session.get(VaultKey, key_id)
        if row is None:
            raise IntegrityError(f"vault key {key_id} is missing")
        return self._unwrap(row)

    def seal(self, unit: Unit, witness: Witness, identity: Identity) -> WitnessIdentity:
        """Encrypt `identity` under the case's identity key, bound to the witness id and pseudonym."""
        row, key = self.ensure_data_key(unit, witness.case_id, witness.case.code, "identity")
        nonce = os.urandom(12)
        sealed = WitnessIdentity(
            witness_id=witness.id,
            key_id=row.id,
            nonce=nonce,
            ciphertext=AESGCM(key).encrypt(nonce, identity.to_bytes(), _identity_aad(witness)),
        )
        unit.session.add(sealed)
        unit.session.flush()
        return sealed

    def open(self, session: Session, witness: Witness) -> Identity:
        """Decrypt a witness's identity; callers MUST have checked need-to-know (see `reveal`)."""
        sealed = session.get(WitnessIdentity, witness.id)
        if sealed is None:
            raise IntegrityError(f"{witness.pseudonym} has no identity record in the vault")
        row = session.get(VaultKey, sealed.key_id)
        if row is None:
            raise IntegrityError(f"{witness.pseudonym}: its vault key is missing")
        try:
            plain = AESGCM(self._unwrap(row)).decrypt(sealed.nonce, sealed.ciphertext, _identity_aad(witness))
        except InvalidTag:
            raise IntegrityError(f"{witness.pseudonym}: identity record failed authentication") from None
        return Identity.from_bytes(plain)


def key_record(row: VaultKey, case_code: str) -> dict[str, object]:
    """The attested record of a data key's creation (the wrapping is not attested: rotation changes it)."""
    return {"case": case_code, "key": row.id, "purpose": row.purpose, "version": row.version}


def rotate_master_key(unit: Unit, old: MasterKey, new: MasterKey) -> int:
    """Re-wrap every data key under `new`; identity ciphertexts and evidence are not touched."""
    if old.key_id == new.key_id:
        raise Conflict("the new master key is the same as the old one")
    vault = Vault(old)
    rows = list(unit.session.scalars(select(VaultKey).order_by(VaultKey.id)))
    for row in rows:
        key = vault._unwrap(row)
        row.nonce = os.urandom(12)
        row.wrapped = AESGCM(new.key).encrypt(row.nonce, key, _wrap_aad(row.case_id, row.purpose, row.version))
        row.master_key_id = new.key_id
    unit.session.flush()
    unit.attest(
        "vault.rotated",
        {
            "from": old.key_id,
            "to": new.key_id,
            "keys": [r.id for r in rows],
            "record": record_hash(rotation_record([r.id for r in rows], new.key_id)),
        },
    )
    return len(rows)


def rotation_record(key_ids: list[int], to: str) -> dict[str, object]:
    """The attested record of a rotation: which data keys were re-wrapped, under which master key."""
    return {"keys": sorted(key_ids), "to": to}
