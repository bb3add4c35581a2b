"""Screening remains against reference pedigrees (issue 8): 5,000 remains x 2,000 families, 21 STR markers,
2 worker processes; target under 5 minutes. Baseline, measured in the same run: the exact per-pair
computation (`statistics.pair_lr`, one pedigree likelihood per pair and marker) timed on a sample of pairs
and extrapolated to all pairs.
"""

from __future__ import annotations

import random
import time

from tests.identify.disaster import disaster, mutation_models

from bench.common import Result
from hague.identify.screening import screen
from hague.identify.statistics import pair_lr

FULL = (5_000, 2_000)
QUICK = (500, 200)
BASELINE_PAIRS = 40


def run(quick: bool) -> list[Result]:
    """Time the vectorised screen and the per-pair baseline on one simulated disaster."""
    n_remains, n_families = QUICK if quick else FULL
    d = disaster(families=n_families, remains=n_remains, unrelated_share=0.6, seed=2026)
    mutation = mutation_models()
    start = time.perf_counter()
    result = screen(d.remains, d.families, d.table, mutation=mutation, sexes=d.sexes, workers=2)
    elapsed = time.perf_counter() - start
    true = sum(1 for c in result.candidates if d.truth.get(c.remains) == (c.family, c.missing_person))
    false = len(result.candidates) - true

    rng = random.Random(7)
    rows = [(f, mp) for f in d.families for mp in f.pedigree.missing]
    sample = [(rng.choice(rows), rng.choice(d.remains)) for _ in range(BASELINE_PAIRS)]
    start = time.perf_counter()
    for (fam, mp), remains in sample:
        pair_lr(fam.pedigree, mp, fam.references, remains, d.table, mutation)
    per_pair = (time.perf_counter() - start) / BASELINE_PAIRS
    pairs = len(rows) * len(d.remains)
    return [
        Result(
            name=f"identify screen {n_remains} remains x {n_families} pedigrees, 21 markers, 2 workers",
            value=elapsed,
            unit="s",
            baseline=per_pair * pairs,
            baseline_name="exact per-pair LR (extrapolated)",
            goal="< 300 s" if not quick else "",
            passed=elapsed < 300 if not quick else None,
            extra={
                "pairs": pairs,
                "missing_persons": len(rows),
                "candidates": len(result.candidates),
                "true_identifications": true,
                "false_identifications": false,
                "related_remains": len(d.truth),
            },
        )
    ]
