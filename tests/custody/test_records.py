"""The fast event hash is the canonical record hash (property), and refuses what canonical JSON refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hague.custody.records import event_hash
from hague.ledger.canonical import record_hash

text = st.text(max_size=30)
leaf = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | text
details = st.dictionaries(text, leaf | st.lists(text, max_size=4), max_size=5)
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])


@given(
    when=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones),
    fields=st.dictionaries(st.sampled_from(["place", "reason", "actor_name", "seq", "actor_id"]), leaf),
    seals=st.lists(text, max_size=4),
    extra=details,
)
def test_event_hash_equals_the_canonical_record_hash(
    when: datetime, fields: dict[str, object], seals: list[str], extra: dict[str, object]
) -> None:
    record = {**fields, "occurred_at": when, "seal_numbers": seals, "details": extra}
    assert event_hash(record) == record_hash(record)


def test_event_hash_refuses_floats_like_canonical_json() -> None:
    with pytest.raises(TypeError, match="floats are not canonical"):
        event_hash({"occurred_at": datetime(2026, 1, 1, tzinfo=UTC), "details": {"weight": 3.2}})
