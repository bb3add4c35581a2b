"""Casualty benchmarks (issue 9): record linkage at scale and the log-linear model search.

- Deduplication of 1,000,000 generated records (--quick: 20,000) on this machine's 2 cores: under 10
  minutes, peak memory under 8 GB; precision/recall reported, Splink's documented default setup on
  the same data as the baseline (time and quality).
- Linkage quality on 100,000 records (--quick: 10,000): precision and recall >= 0.97, F1 >= the default's.
- Log-linear search over all hierarchical models of 5 lists: under 10 s; baseline is statsmodels' GLM
  fitting the same models one by one (measured on a sample, scaled to all models).
Each linkage run happens in a fresh process so its peak resident memory is its own.
"""

from __future__ import annotations

import itertools
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Result

GB = 1024**3


def _link_child(path: str, which: str) -> dict[str, Any]:
    """Run one linkage setup on the parquet at `path`; report time, peak memory and pairwise quality."""
    import pandas as pd

    from hague.casualties.linkage import cluster, default_splink_pairs, pair_quality, predict_pairs

    frame = pd.read_parquet(path)
    start = time.perf_counter()
    pairs = predict_pairs(frame) if which == "ours" else default_splink_pairs(frame)
    labels = cluster(frame["unique_id"].to_numpy(), pairs, 0.95)
    seconds = time.perf_counter() - start
    quality = pair_quality(frame["truth"].tolist(), labels, frame["unique_id"].tolist())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_bytes": peak, "pairs": len(pairs), **quality}


def _run(path: Path, which: str) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_link_child, str(path), which).result()


def _victims_for(records: int) -> int:
    # the generator yields about 1.95 records per person with 4 lists
    return max(int(records / 1.95), 100)


def linkage(records: int, goal_seconds: float | None) -> list[Result]:
    """Dedup `records` generated records with our setup and with Splink's default; quality and cost."""
    from tests.casualties.generate import generate

    frame = generate(_victims_for(records), lists=4, seed=2026)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.parquet"
        frame.to_parquet(path)
        ours = _run(path, "ours")
        print(f"  ours on {len(frame)} records: {ours}", flush=True)
        base = _run(path, "default")
        print(f"  splink default on {len(frame)} records: {base}", flush=True)
    size = len(frame)
    quality = Result(
        name=f"casualties linkage F1, {size} records",
        value=ours["f1"],
        unit="F1",
        baseline=base["f1"],
        baseline_name="splink default F1",
        goal="precision >= 0.97, recall >= 0.97, F1 >= default",
        passed=ours["precision"] >= 0.97 and ours["recall"] >= 0.97 and ours["f1"] >= base["f1"],
        extra={"ours": ours, "splink_default": base},
    )
    results = [quality]
    if goal_seconds is not None:
        results.append(
            Result(
                name=f"casualties dedup time, {size} records",
                value=ours["seconds"],
                unit="s",
                baseline=base["seconds"],
                baseline_name="splink default",
                goal=f"< {goal_seconds:.0f} s and peak < 8 GB",
                passed=ours["seconds"] < goal_seconds and ours["peak_bytes"] < 8 * GB,
                extra={
                    "peak_gb": ours["peak_bytes"] / GB,
                    "baseline_peak_gb": base["peak_bytes"] / GB,
                    "precision": ours["precision"],
                    "recall": ours["recall"],
                    "baseline_precision": base["precision"],
                    "baseline_recall": base["recall"],
                },
            )
        )
    return results


def loglinear_search() -> Result:
    """All hierarchical models of 5 lists (6,893) fitted, ranked, averaged, with profile intervals for the top 5."""
    import statsmodels.api as sm

    from hague.casualties.loglinear import CaptureTable, design, hierarchical_models, search

    rng = np.random.default_rng(5)
    classes = rng.random(5000) < 0.3
    p = np.where(classes[:, None], [0.5, 0.4, 0.6, 0.45, 0.5], [0.15, 0.2, 0.1, 0.25, 0.2])
    captures = rng.random(p.shape) < p
    counts: dict[tuple[int, ...], int] = {}
    for row in captures:
        key = tuple(int(v) for v in row)
        if any(key):
            counts[key] = counts.get(key, 0) + 1
    data = CaptureTable.from_counts([f"L{i}" for i in range(5)], counts)
    start = time.perf_counter()
    result = search(data)
    seconds = time.perf_counter() - start
    models = hierarchical_models(5)
    sample = list(itertools.islice(models, 0, len(models), max(len(models) // 100, 1)))
    y = np.asarray(data.counts, dtype=np.float64)
    start = time.perf_counter()
    for terms in sample:
        sm.GLM(y, design(data.histories, 5, terms), family=sm.families.Poisson()).fit()
    per_model = (time.perf_counter() - start) / len(sample)
    return Result(
        name="casualties log-linear search, all hierarchical models of 5 lists",
        value=seconds,
        unit="s",
        baseline=per_model * len(models),
        baseline_name="statsmodels GLM one by one (scaled)",
        goal="< 10 s",
        passed=seconds < 10,
        extra={"models": len(result.models), "selected": result.selected.name},
    )


def run(quick: bool) -> list[Result]:
    """Quick: 20k-record dedup and 10k quality; full: 1M-record dedup and 100k quality."""
    results = [loglinear_search()]
    results += linkage(10_000 if quick else 100_000, goal_seconds=None)
    results += linkage(20_000 if quick else 1_000_000, goal_seconds=600)
    return results
