"""Cryptographic long-term keys (CLKs): keyed Bloom-filter encodings of a person for record linkage.

Schnell, Bachteler & Reiher (2009) field-level Bloom filters combined into one CLK, as in clkhash:
each field's q-grams are hashed k times by double hashing, g_i = (h1 + i·h2) mod l, with
h1 = HMAC-SHA1 and h2 = HMAC-MD5 under two keys that HKDF-SHA256 derives per field from the
secret the partners share. Field weights are their k. Name words are folded first
(`hague.pprl.names.name_key`), so transliteration and name order do not change the encoding.
Blocking keys are keyed HMAC-SHA256 tokens of one name word with two of the three date parts.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import combinations

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hague.pprl.names import name_words

CLK_BITS = 1024
SCHEME = "hague-clk/1"


@dataclass(frozen=True)
class FieldSpec:
    """One field of the linkage schema: `k` bit positions per token (its weight); q-grams or whole tokens."""

    name: str
    k: int
    qgrams: bool


SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec("name", 10, True),
    FieldSpec("patronymic", 8, True),
    FieldSpec("dob_year", 40, False),
    FieldSpec("dob_month", 30, False),
    FieldSpec("dob_day", 30, False),
    FieldSpec("dob_day_month", 20, False),
)


@dataclass(frozen=True)
class LinkageRecord:
    """What a CLK encodes: the person's name words (any script, any order), patronymic, date of birth."""

    names: tuple[str, ...]
    patronymic: str = ""
    date_of_birth: date | None = None

    def __repr__(self) -> str:
        return "LinkageRecord(<withheld>)"


def bigrams(word: str) -> list[str]:
    """Padded bigrams of a word (`_ab_` style padding, as clkhash's default tokenizer)."""
    padded = f"_{word}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def field_tokens(record: LinkageRecord) -> dict[str, list[str]]:
    """The tokens of each schema field for `record` (empty lists for absent values)."""
    words = name_words(*record.names)
    patronymic = name_words(record.patronymic)
    dob = record.date_of_birth
    return {
        "name": sorted({g for w in words for g in bigrams(w)}),
        "patronymic": sorted({g for w in patronymic for g in bigrams(w)}),
        "dob_year": [f"{dob.year:04d}"] if dob else [],
        "dob_month": [f"{dob.month:02d}"] if dob else [],
        "dob_day": [f"{dob.day:02d}"] if dob else [],
        # day and month as an unordered pair: a date written D/M one time and M/D the next still agrees here
        "dob_day_month": ["-".join(sorted((f"{dob.day:02d}", f"{dob.month:02d}")))] if dob else [],
    }


def _hkdf(secret: bytes, info: str, length: int) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=SCHEME.encode(), info=info.encode()).derive(secret)


@dataclass
class ClkEncoder:
    """Encodes linkage records under one shared secret; MUST be the same secret and schema on both sides."""

    secret: bytes
    bits: int = CLK_BITS
    schema: tuple[FieldSpec, ...] = SCHEMA
    _keys: dict[str, tuple[bytes, bytes]] = field(init=False, repr=False)
    _block_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < 16:
            raise ValueError("the linkage secret must be at least 16 bytes")
        if self.bits % 64:
            raise ValueError("CLK length must be a multiple of 64 bits")
        self._keys = {}
        for spec in self.schema:
            okm = _hkdf(self.secret, f"field:{spec.name}", 64)
            self._keys[spec.name] = (okm[:32], okm[32:])
        self._block_key = _hkdf(self.secret, "blocking", 32)
        self._mask = lru_cache(maxsize=1 << 17)(self._mask_uncached)

    def __repr__(self) -> str:
        return f"ClkEncoder(bits={self.bits})"

    def _positions_uncached(self, field_name: str, k: int, token: str) -> tuple[int, ...]:
        key_sha1, key_md5 = self._keys[field_name]
        data = token.encode("utf-8")
        h1 = int.from_bytes(hmac.digest(key_sha1, data, "sha1"), "big") % self.bits
        h2 = int.from_bytes(hmac.digest(key_md5, data, "md5"), "big") % self.bits
        if h2 == 0:  # clkhash's "prevent singularity": a zero step would set one bit k times
            h2 = 1 + h1 % (self.bits - 1)
        return tuple((h1 + i * h2) % self.bits for i in range(k))

    def _mask_uncached(self, field_name: str, k: int, token: str) -> int:
        mask = 0
        for pos in self._positions_uncached(field_name, k, token):
            mask |= 1 << (self.bits - 1 - pos)
        return mask

    def encode(self, record: LinkageRecord) -> bytes:
        """The CLK of `record`: `bits` bits, big-endian bit order within each byte (bit 0 = MSB of byte 0)."""
        value = 0
        tokens = field_tokens(record)
        for spec in self.schema:
            for token in tokens[spec.name]:
                value |= self._mask(spec.name, spec.k, token)
        return value.to_bytes(self.bits // 8, "big")

    def positions(self, field_name: str, token: str) -> tuple[int, ...]:
        """The bit positions a token of a field sets (its k double-hashing indices)."""
        spec = next(f for f in self.schema if f.name == field_name)
        return self._positions_uncached(field_name, spec.k, token)

    def block_keys(self, record: LinkageRecord) -> list[int]:
        """Keyed blocking tokens (64-bit): each name word with each pair of date parts; name pairs otherwise."""
        words = sorted(set(name_words(*record.names)))
        dob = record.date_of_birth
        texts: list[str] = []
        if dob is not None:
            parts = {"y": f"{dob.year:04d}", "m": f"{dob.month:02d}", "d": f"{dob.day:02d}"}
            for word in words:
                for a, b in combinations("ymd", 2):
                    texts.append(f"wd|{word}|{a}{b}|{parts[a]}{parts[b]}")
        for first, second in combinations(words, 2):
            texts.append(f"ww|{first}|{second}")
        if len(words) == 1:
            texts.append(f"w|{words[0]}")
        return sorted(
            {int.from_bytes(hmac.digest(self._block_key, t.encode("utf-8"), "sha256")[:8], "big") for t in texts}
        )


def dice(a: bytes, b: bytes) -> float:
    """Sørensen–Dice coefficient of two CLKs: 2|A∩B| / (|A| + |B|)."""
    if len(a) != len(b):
        raise ValueError("CLKs of different lengths")
    x = int.from_bytes(a, "big")
    y = int.from_bytes(b, "big")
    total = x.bit_count() + y.bit_count()
    return 0.0 if total == 0 else 2 * (x & y).bit_count() / total


@lru_cache(maxsize=32)
def encoder_for(secret: bytes) -> ClkEncoder:
    """A shared encoder per secret, so its token caches survive between calls (keys stay in memory only)."""
    return ClkEncoder(secret)
