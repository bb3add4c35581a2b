"""Canonical JSON and RFC 9162 hashing: properties that every verifier relies on."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hague.ledger.canonical import canonical_json, decimal_text, record_hash

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.text()
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5), max_leaves=30
)


@given(values)
def test_canonical_json_round_trips_through_any_json_parser(value: Any) -> None:
    assert json.loads(canonical_json(value)) == value


@given(st.dictionaries(st.text(), scalars, min_size=2, max_size=8), st.randoms())
def test_canonical_json_ignores_key_insertion_order(value: dict[str, Any], rnd: Any) -> None:
    keys = list(value)
    rnd.shuffle(keys)
    assert canonical_json({k: value[k] for k in keys}) == canonical_json(value)


@given(values)
def test_record_hash_is_sha256_of_the_canonical_bytes(value: Any) -> None:
    assert record_hash(value) == hashlib.sha256(canonical_json(value)).hexdigest()


def test_canonical_json_has_no_insignificant_whitespace_and_keeps_unicode() -> None:
    assert canonical_json({"b": [1, 2], "a": "Київ"}) == '{"a":"Київ","b":[1,2]}'.encode()


def test_floats_are_refused_because_their_text_is_not_canonical() -> None:
    with pytest.raises(TypeError, match="decimal strings"):
        canonical_json({"lat": 50.45})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TypeError, match="naive"):
        canonical_json({"at": datetime(2022, 4, 8, 10, 30)})


def test_aware_datetimes_encode_as_iso_8601() -> None:
    assert canonical_json({"at": datetime(2022, 4, 8, 10, 30, tzinfo=UTC)}) == b'{"at":"2022-04-08T10:30:00+00:00"}'


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_decimal_text_round_trips_floats_exactly(value: float) -> None:
    assert float(decimal_text(value) or "nan") == value
