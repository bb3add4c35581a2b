"""CLK encodings and Dice matching: properties of the encoding and agreement of the numpy matcher."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.pprl.clk import CLK_BITS, ClkEncoder, LinkageRecord, bigrams, dice
from hague.pprl.match import EncodedSet, candidate_pairs, dice_scores, match

SECRET = b"property-test-secret-0001"
ENCODER = ClkEncoder(SECRET)
names = st.text(alphabet="абвгдеєжзиіїйклмнопрстуфхцчшщьюяabcdefghijklmnopqrstuvwxyz", min_size=2, max_size=14)
records = st.builds(
    LinkageRecord,
    st.tuples(names, names),
    names,
    st.one_of(st.none(), st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))),
)


@given(records)
def test_encoding_is_deterministic_and_full_length(record: LinkageRecord) -> None:
    clk = ENCODER.encode(record)
    assert len(clk) == CLK_BITS // 8 and clk == ClkEncoder(SECRET).encode(record)


@given(records)
def test_name_order_does_not_change_the_encoding(record: LinkageRecord) -> None:
    swapped = LinkageRecord(tuple(reversed(record.names)), record.patronymic, record.date_of_birth)
    assert ENCODER.encode(swapped) == ENCODER.encode(record)


@given(records, records)
def test_dice_is_symmetric_and_bounded(a: LinkageRecord, b: LinkageRecord) -> None:
    x, y = ENCODER.encode(a), ENCODER.encode(b)
    assert dice(x, y) == dice(y, x) and 0.0 <= dice(x, y) <= 1.0
    assert dice(x, x) == 1.0 or int.from_bytes(x, "big") == 0


@settings(max_examples=30)
@given(st.lists(records, min_size=2, max_size=25))
def test_numpy_dice_equals_the_reference(batch: list[LinkageRecord]) -> None:
    clks = [ENCODER.encode(r) for r in batch]
    encoded = EncodedSet.build(clks, [ENCODER.block_keys(r) for r in batch])
    pa = np.repeat(np.arange(len(batch)), len(batch))
    pb = np.tile(np.arange(len(batch)), len(batch))
    scores = dice_scores(encoded, encoded, pa, pb)
    assert np.allclose(scores, [dice(clks[i], clks[j]) for i, j in zip(pa, pb, strict=True)])


@settings(max_examples=30)
@given(st.lists(records, min_size=1, max_size=25))
def test_candidate_pairs_are_exactly_the_pairs_sharing_a_block(batch: list[LinkageRecord]) -> None:
    blocks = [set(ENCODER.block_keys(r)) for r in batch]
    encoded = EncodedSet.build([ENCODER.encode(r) for r in batch], [sorted(b) for b in blocks])
    pa, pb = candidate_pairs(encoded, encoded, self_join=True)
    expected = {(i, j) for i in range(len(batch)) for j in range(i + 1, len(batch)) if blocks[i] & blocks[j]}
    assert set(zip(pa.tolist(), pb.tolist(), strict=True)) == expected


def test_each_token_sets_k_bits_by_double_hashing() -> None:
    positions = ENCODER.positions("dob_year", "1979")
    assert len(positions) == 40
    step = (positions[1] - positions[0]) % CLK_BITS
    assert all((positions[i] - positions[0]) % CLK_BITS == (i * step) % CLK_BITS for i in range(40))


def test_bigrams_are_padded() -> None:
    assert bigrams("ola") == ["_o", "ol", "la", "a_"]


def test_another_secret_gives_unrelated_encodings() -> None:
    record = LinkageRecord(("Олена", "Гордієнко"), "Петрівна", date(1980, 3, 4))
    assert dice(ENCODER.encode(record), ClkEncoder(SECRET + b"!").encode(record)) < 0.6


def test_one_to_one_keeps_the_best_pair_per_record() -> None:
    a = [LinkageRecord(("Олена", "Гордієнко"), "Петрівна", date(1980, 3, 4))]
    b = [
        LinkageRecord(("Olena", "Hordiienko"), "Petrivna", date(1980, 3, 4)),
        LinkageRecord(("Olena", "Hordienko"), "Petrivna", date(1980, 3, 5)),
    ]
    ea = EncodedSet.build([ENCODER.encode(r) for r in a], [ENCODER.block_keys(r) for r in a])
    eb = EncodedSet.build([ENCODER.encode(r) for r in b], [ENCODER.block_keys(r) for r in b])
    found = match(ea, eb, 0.5, one_to_one=True)
    assert [(x, y) for x, y, _ in found.pairs()] == [(0, 0)]
