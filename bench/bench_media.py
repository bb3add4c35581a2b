"""Digital-evidence benchmarks (issue 6).

Metadata: extraction over 5,000 photos (isolated parser processes, exiftool once per batch, Pillow pHash)
MUST reach >= 0.8 x the throughput of one `exiftool -json` over the same folder, measured in the same run.
Near-duplicates: a query against 1,000,000 stored 64-bit hashes MUST answer in < 20 ms (median), reported
against a brute-force numpy popcount scan of the same hashes.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.common import Result, timer
from hague.media.duplicates import RADIUS
from hague.media.extract import FileJob, extract_files
from hague.media.index import HammingIndex, brute_force

ROUNDS = 2
BENCH_ROOT = Path(os.environ.get("HAGUE_BENCH_DIR", Path(__file__).resolve().parent / "results" / "scratch"))


def _photos(folder: Path, count: int) -> list[Path]:
    """`count` 640×480 JPEGs with camera EXIF (make, model, time, GPS), each picture different."""
    rng = np.random.default_rng(6)
    paths = []
    for n in range(count):
        coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
        image = Image.fromarray(coarse, "RGB").resize((640, 480), Image.Resampling.BILINEAR)
        exif = Image.Exif()
        exif[0x010F], exif[0x0110], exif[0x0131] = "Samsung", "SM-G991B", "G991BXXU5CVF1"
        exif.get_ifd(0x8769).update({0x9003: f"2024:03:{1 + n % 28:02d} 10:{n % 60:02d}:00", 0x9011: "+02:00"})
        exif.get_ifd(0x8825).update({1: "N", 2: (50.0, float(n % 60), 0.0), 3: "E", 4: (36.0, 13.0, float(n % 60))})
        path = folder / f"IMG_{n:05d}.jpg"
        image.save(path, "JPEG", quality=88, exif=exif)
        paths.append(path)
    return paths


def metadata(count: int) -> list[Result]:
    """Extraction throughput against a single `exiftool -json` over the folder."""
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="media-", dir=BENCH_ROOT))
    try:
        folder = root / "photos"
        folder.mkdir()
        paths = _photos(folder, count)
        subprocess.run(["exiftool", "-json", str(folder)], capture_output=True, check=True)  # warm the page cache
        jobs = [FileJob(p.name, str(p), "image/jpeg", p.name) for p in paths]
        base_times, our_times = [], []
        for _ in range(ROUNDS):  # interleaved, best of each: the machine is shared, so noise is one-sided
            with timer() as baseline:
                subprocess.run(["exiftool", "-json", str(folder)], capture_output=True, check=True)
            base_times.append(baseline())
            with timer() as ours:
                results = list(extract_files(jobs))
            our_times.append(ours())
        ok = sum(1 for r in results if r.status == "ok" and r.suggestions.get("place") and r.phash)
        ours_rate, base_rate = count / min(our_times), count / min(base_times)
        return [
            Result(
                f"metadata extraction, {count} photos (files/s)",
                ours_rate,
                "files/s",
                baseline=base_rate,
                baseline_name="exiftool -json once",
                goal=">= 0.8 x baseline",
                passed=ours_rate >= 0.8 * base_rate and ok == count,
                extra={"seconds": our_times, "baseline_seconds": base_times, "complete_with_gps_and_phash": ok},
            )
        ]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def index_query(stored: int, queries: int) -> list[Result]:
    """Median query time over `stored` random 64-bit hashes, probes within RADIUS of a stored one."""
    rng = np.random.default_rng(64)
    hashes = rng.integers(0, np.iinfo(np.uint64).max, size=stored, dtype=np.uint64, endpoint=True)
    with timer() as build:
        index = HammingIndex(hashes)
    probes = []
    for _ in range(queries):
        value = int(hashes[int(rng.integers(0, stored))])
        for bit in rng.choice(64, size=int(rng.integers(0, RADIUS + 1)), replace=False):
            value ^= 1 << int(bit)
        probes.append(value)
    ours, brute = [], []
    for probe in probes:
        start = time.perf_counter()
        hits, _ = index.search(probe, RADIUS)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        expected, _ = brute_force(hashes, probe, RADIUS)
        brute.append(time.perf_counter() - start)
        assert set(hits.tolist()) == set(expected.tolist())
    orientations = []
    for probe in probes[: queries // 4]:  # what `similar` does: the eight orientations of a picture
        start = time.perf_counter()
        for k in range(8):
            index.search(probe ^ k, RADIUS)
        orientations.append(time.perf_counter() - start)
    median, brute_median = statistics.median(ours) * 1e3, statistics.median(brute) * 1e3
    return [
        Result(
            f"near-duplicate query, {stored:,} hashes, radius {RADIUS} (median)",
            median,
            "ms",
            baseline=brute_median,
            baseline_name="numpy popcount scan",
            goal="< 20 ms",
            passed=median < 20,
            extra={
                "p95_ms": float(np.percentile(ours, 95)) * 1e3,
                "brute_p95_ms": float(np.percentile(brute, 95)) * 1e3,
                "eight_orientations_median_ms": statistics.median(orientations) * 1e3,
                "build_seconds": build(),
                "queries": queries,
            },
        )
    ]


def run(quick: bool) -> list[Result]:
    """Both benchmarks; `quick` uses 300 photos and 200 queries (the index stays at 1,000,000 hashes)."""
    return [*metadata(300 if quick else 5000), *index_query(1_000_000, 200 if quick else 1000)]
