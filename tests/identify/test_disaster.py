"""The simulated disaster of issue 8: 200 families, 300 remains, 21 markers, threshold 10,000."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hague.identify.screening import screen_matrix
from tests.identify.disaster import disaster, mutation_models


@pytest.mark.slow
def test_simulated_disaster_finds_true_identifications_and_no_false_ones() -> None:
    d = disaster(families=200, remains=300)
    assert len(d.families) == 200 and len(d.remains) == 300
    assert len(d.truth) < 300  # some remains belong to no family
    partial = {
        p.sample_id for p in d.remains if len(p.genotypes) < 21 or any(b is None for _, b in p.genotypes.values())
    }
    assert partial
    m = screen_matrix(d.remains, d.families, d.table, mutation=mutation_models(), sexes=d.sexes)
    true = np.zeros_like(m.log10_lr, dtype=bool)
    rows = {(f, mp): i for i, (f, mp, _) in enumerate(m.rows)}
    cols = {r: j for j, r in enumerate(m.remains)}
    for remains, pair in d.truth.items():
        true[rows[pair], cols[remains]] = True
    above = m.log10_lr >= math.log10(10_000)
    found = int((above & true).sum())
    false = int((above & ~true).sum())
    found_partial = sum(1 for r, pair in d.truth.items() if r in partial and above[rows[pair], cols[r]])
    print(
        f"\ndisaster: {found} of {len(d.truth)} true identifications at LR >= 10,000 ({found / len(d.truth):.1%}), "
        f"{found_partial} of {sum(1 for r in d.truth if r in partial)} with drop-out; {false} false; "
        f"weakest true log10 LR {m.log10_lr[true].min():.2f}, strongest false {m.log10_lr[~true].max():.2f}"
    )
    assert false == 0
    assert found / len(d.truth) >= 0.9
