"""Intake benchmarks (issue 2): large files against the physical floor, and small files per second.

Large: ingesting 2 GiB must take at most 1.2 x max(SHA-256 of the files with hashlib.file_digest,
`cp` of the files to the store's filesystem + `sync`). Small: >= 1,000 files/s for 20,000 x 10 KB on
SQLite, database records included.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.common import Result, timer
from hague.core import Hague
from hague.evidence import register
from hague.evidence.ingest import ingest
from hague.settings import Settings

BENCH_ROOT = Path(os.environ.get("HAGUE_BENCH_DIR", Path(__file__).resolve().parent / "results" / "scratch"))


def _instance(root: Path) -> Hague:
    hague = Hague.open(Settings(data_dir=root / "data"))
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office")
        register.create_case(unit, "OTP", "UKR", "Bench")
    return hague


def _drop_caches_hint() -> None:
    # Files are read from the page cache in every contender alike (they were just written);
    # the comparison is of CPU and write paths, which is what the floor measures.
    os.sync()


def large_files(root: Path, total: int) -> list[Result]:
    """2 GiB in 8 files: ingest vs the larger of hashing alone and cp + sync."""
    src = root / "large"
    src.mkdir()
    chunk = os.urandom(16 * 1024 * 1024)
    for n in range(8):
        with (src / f"video{n}.bin").open("wb") as fh:
            for _ in range(total // 8 // len(chunk)):
                fh.write(chunk[n:] + chunk[:n])
    _drop_caches_hint()
    with timer() as hashing:
        for path in sorted(src.iterdir()):
            with path.open("rb") as fh:
                hashlib.file_digest(fh, "sha256")
    copy_dir = root / "cp-target"
    copy_dir.mkdir()
    with timer() as copying:
        subprocess.run(["cp", "-r", str(src), str(copy_dir)], check=True)
        subprocess.run(["sync"], check=True)
    shutil.rmtree(copy_dir)
    floor = max(hashing(), copying())
    hague = _instance(root)
    with timer() as ingesting:
        rows = ingest(hague, "UKR-OTP-0001", [src])
        os.sync()
    assert all(r.status == "registered" for r in rows)
    hague.close()
    ratio = ingesting() / floor
    return [
        Result(
            f"ingest {total / 2**30:.1f} GiB (8 files), seconds",
            ingesting(),
            "s",
            baseline=floor,
            baseline_name=f"max(sha256 {hashing():.2f}s, cp+sync {copying():.2f}s)",
            goal="ratio <= 1.2",
            passed=ratio <= 1.2,
        )
    ]


def small_files(root: Path, count: int) -> list[Result]:
    """20,000 files of 10 KB on SQLite: files per second including records and log entries."""
    src = root / "small"
    src.mkdir()
    for n in range(count):
        sub = src / f"d{n // 1000:03d}"
        if n % 1000 == 0:
            sub.mkdir()
        (sub / f"msg{n:06d}.json").write_bytes(os.urandom(10 * 1024))
    _drop_caches_hint()  # the sources' own writeback is not intake's work
    hague = _instance(root)
    before = os.times()
    with timer() as elapsed:
        rows = ingest(hague, "UKR-OTP-0001", [src])
    after = os.times()
    assert sum(r.status == "registered" for r in rows) == count
    hague.close()
    rate = count / elapsed()
    cpu = (after.user - before.user + after.system - before.system) / count * 1e6
    return [
        Result(
            f"ingest {count} x 10 KB files on SQLite",
            rate,
            "files/s",
            baseline=1000.0,
            baseline_name="goal",
            goal=">= 1000 files/s",
            passed=rate >= 1000,
            extra={"cpu_us_per_file": round(cpu), "load": round(os.getloadavg()[0], 1)},
        )
    ]


def run(quick: bool, *, large_mib: int | None = None, small_count: int | None = None) -> list[Result]:
    """Both intake benchmarks; --quick uses 256 MiB and 2,000 files; a size of 0 skips that part."""
    large_mib = (256 if quick else 2048) if large_mib is None else large_mib
    small_count = (2000 if quick else 20_000) if small_count is None else small_count
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(dir=BENCH_ROOT) as tmp:
        root = Path(tmp)
        if large_mib:
            (root / "l").mkdir()
            results += large_files(root / "l", large_mib * 1024 * 1024)
        if small_count:
            (root / "s").mkdir()
            results += small_files(root / "s", small_count)
    return results


def main() -> None:
    """One part alone, to iterate: `python -m bench.bench_ingest --small 20000 --large 0`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.bench_ingest")
    parser.add_argument("--small", type=int, default=20_000, help="number of 10 KB files (0: skip)")
    parser.add_argument("--large", type=int, default=2048, help="MiB in 8 large files (0: skip)")
    args = parser.parse_args()
    for result in run(False, large_mib=args.large, small_count=args.small):
        ratio = f" ratio {result.ratio:.3f}" if result.ratio is not None else ""
        verdict = {True: "ok", False: "MISSED", None: ""}[result.passed]
        line = f"{result.name}: {result.value:.2f} {result.unit}{ratio} ({result.baseline_name}) {verdict}"
        print(line, result.extra)


if __name__ == "__main__":
    main()
