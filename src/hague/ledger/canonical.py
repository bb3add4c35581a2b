"""Canonical JSON for log entries and record hashes: sorted keys, no spaces, UTF-8, no floats.

Floats are refused because their text form is not canonical across languages; callers encode
coordinates and measurements as decimal strings.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _normalise(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not canonical: encode them as decimal strings")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in a canonical record")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for key, val in value.items():
            if not isinstance(key, str):
                raise TypeError("canonical object keys must be strings")
            out[key] = _normalise(val)
        return out
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def canonical_json(value: Any) -> bytes:
    """The one byte string for `value`: sorted keys, compact separators, UTF-8."""
    return json.dumps(
        _normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_hash(value: Any) -> str:
    """SHA-256 hex of the canonical encoding of a record; what a log entry attests."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def decimal_text(value: float | None) -> str | None:
    """A coordinate or measurement as a canonical decimal string (repr round-trips exactly)."""
    return None if value is None else repr(float(value))
