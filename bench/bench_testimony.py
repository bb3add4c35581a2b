"""Repeat-interview linkage: CLK matching of 100,000 × 100,000 encodings across two organisations.

Baseline (same run): the rate of all-pairs Dice comparisons without blocking, measured on a slice
and extrapolated to 100,000 × 100,000. Goal: matching under 60 s on 2 cores with precision and
recall ≥ 0.95 against the planted repeats.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench.common import Result, timer
from hague.pprl import synthetic
from hague.pprl.clk import ClkEncoder
from hague.pprl.match import EncodedSet, dice_scores, match

SECRET = b"bench-shared-secret-0123456789"


def _encode(records: list[synthetic.SyntheticRecord]) -> tuple[list[bytes], list[list[int]]]:
    encoder = ClkEncoder(SECRET)
    links = [r.linkage() for r in records]
    return [encoder.encode(x) for x in links], [encoder.block_keys(x) for x in links]


def encode_parallel(records: list[synthetic.SyntheticRecord], workers: int) -> EncodedSet:
    """CLKs and blocking keys of `records`, encoded by `workers` processes."""
    size = -(-len(records) // (workers * 4))
    chunks = [records[i : i + size] for i in range(0, len(records), size)]
    clks: list[bytes] = []
    blocks: list[list[int]] = []
    with ProcessPoolExecutor(workers) as pool:
        for c, b in pool.map(_encode, chunks):
            clks += c
            blocks += b
    return EncodedSet.build(clks, blocks)


def run(quick: bool) -> list[Result]:
    """Match n × n encodings with n/10 planted repeats; report time, precision, recall and the baseline."""
    n = 10_000 if quick else 100_000
    workers = min(2, os.cpu_count() or 1)
    a_records, b_records = synthetic.two_organisations(n, n, n // 10, seed=11)
    truth = synthetic.true_cross_pairs(a_records, b_records)
    with timer() as encode_time:
        a = encode_parallel(a_records, workers)
        b = encode_parallel(b_records, workers)
    with timer() as match_time:
        found = match(a, b, one_to_one=True)
    precision, recall = synthetic.precision_recall({(x, y) for x, y, _ in found.pairs()}, truth)

    # baseline: all-pairs Dice (no blocking) on a slice of A against all of B, extrapolated
    rows = 200
    pa = np.repeat(np.arange(rows, dtype=np.int64), len(b))
    pb = np.tile(np.arange(len(b), dtype=np.int64), rows)
    with timer() as slice_time:
        dice_scores(a, b, pa, pb)
    all_pairs = slice_time() * len(a) / rows
    ok = match_time() < 60 and precision >= 0.95 and recall >= 0.95
    return [
        Result(
            f"clk match {n:,} x {n:,} (blocking + Dice, one-to-one)",
            match_time(),
            "s",
            baseline=all_pairs,
            baseline_name="all-pairs Dice (extrapolated)",
            goal="< 60 s, P and R >= 0.95",
            passed=ok if not quick else None,
            extra={
                "precision": f"{precision:.4f}",
                "recall": f"{recall:.4f}",
                "planted": len(truth),
                "found": len(found.a),
                "encode_s": f"{encode_time():.1f}",
                "workers": workers,
            },
        ),
        Result(f"clk recall {n:,} x {n:,}", recall, "ratio", goal=">= 0.95", passed=recall >= 0.95),
        Result(f"clk precision {n:,} x {n:,}", precision, "ratio", goal=">= 0.95", passed=precision >= 0.95),
    ]
