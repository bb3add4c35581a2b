"""The simulated disaster of issue 8: 200 families, 300 remains, 21 markers, threshold 10,000."""

from __future__ import annotations

import pytest

from hague.identify.screening import screen
from tests.identify.disaster import disaster, mutation_models


@pytest.mark.slow
def test_simulated_disaster_finds_true_identifications_and_no_false_ones() -> None:
    d = disaster(families=200, remains=300)
    assert len(d.families) == 200 and len(d.remains) == 300
    assert len(d.truth) < 300  # some remains belong to no family
    assert any(len(p.genotypes) < 21 or any(b is None for _, b in p.genotypes.values()) for p in d.remains)
    result = screen(d.remains, d.families, d.table, mutation=mutation_models(), sexes=d.sexes, threshold=10_000)
    true = [c for c in result.candidates if d.truth.get(c.remains) == (c.family, c.missing_person)]
    false = [c for c in result.candidates if d.truth.get(c.remains) != (c.family, c.missing_person)]
    share = len({c.remains for c in true}) / len(d.truth)
    print(f"disaster: {len(true)} true of {len(d.truth)} ({share:.1%}), {len(false)} false at LR >= 10,000")
    assert false == []
    assert share >= 0.9
