"""Disclosure bundle benchmarks (issue 10).

Bundle creation and offline verification of 10 GB across 2,000 items (`--quick`: 200 MB across 40, same file size).
Goal: verification throughput >= 0.9 x `hashlib.file_digest` (SHA-256) over the same payload files,
measured in the same run; the two are timed alternately, best of three, so both see the same page cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from bench.common import Result, timer
from hague.access import create_user, grant_role
from hague.bundle.collect import Selection
from hague.bundle.create import create_bundle
from hague.bundle.verify import parse_trust, verify_bag
from hague.core import Hague
from hague.evidence import register
from hague.ledger.keys import generate_key, trusted_keys
from hague.settings import Settings

BENCH_ROOT = Path(os.environ.get("HAGUE_BENCH_DIR", Path(__file__).resolve().parent / "results" / "scratch"))
BLOCK = 1 << 20
BATCH = 100


class _Content:
    """A readable stream of `size` bytes, distinct per item (its number leads each 1 MiB block)."""

    def __init__(self, number: int, size: int, block: bytes) -> None:
        self.left = size
        self.block = number.to_bytes(8, "big") + block[8:]

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        out = (self.block * (n // len(self.block) + 1))[:n]
        self.left -= n
        return out

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _populate(hague: Hague, items: int, size: int) -> str:
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        case = register.create_case(unit, "OTP", "UKR", "Bench").code
        create_user(unit, "lead", "Case Lead", "OTP", clearance="strictly_confidential")
        grant_role(unit, case, "lead", "case_lead")
    block = os.urandom(BLOCK)
    for start in range(0, items, BATCH):
        blobs = [
            hague.store.put_stream(_Content(n, size, block), expected_size=size)  # type: ignore[arg-type]
            for n in range(start, min(items, start + BATCH))
        ]
        with hague.unit() as unit:
            for blob in blobs:
                item = register.add_item(unit, case, register.ItemInput(kind="digital", title="Bench photo"))
                register.attach_file(unit, item, blob.sha256, blob.size, "image/jpeg", "bench.jpg")
    generate_key(hague)
    return case


def _baseline(paths: list[Path]) -> None:
    for path in paths:
        with path.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")


def run(quick: bool) -> list[Result]:
    """Create one bundle, then time verification against plain `file_digest` over its payload files."""
    items, size = (40 if quick else 2000), 5 * 1000 * 1000  # quick: same file size, fewer items
    root = BENCH_ROOT / "bundle"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    hague = Hague.open(Settings(data_dir=root / "data", log_origin="bench.example/log"))
    try:
        case = _populate(hague, items, size)
        with timer() as created:
            made = create_bundle(hague, Selection(case), root / "bundle", "lead")
        with hague.reader() as session:
            trust = parse_trust([k.to_text() for k in trusted_keys(session)])
    finally:
        hague.close()
    files = sorted(p for p in (made.path / "data" / "files").rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in files)
    verify_times, baseline_times = [], []
    for _ in range(3):
        with timer() as base:
            _baseline(files)
        baseline_times.append(base())
        with timer() as checked:
            verdict = verify_bag(made.path, trust)
        verify_times.append(checked())
        assert verdict.ok, verdict.lines()[:5]
    mb = total / 1e6
    verify_rate, base_rate = mb / min(verify_times), mb / min(baseline_times)
    shutil.rmtree(root, ignore_errors=True)
    extra = {"items": items, "bytes": total, "files": len(files)}
    return [
        Result(
            f"bundle verify ({items} items, {mb / 1000:.2f} GB)",
            verify_rate,
            "MB/s",
            baseline=base_rate,
            baseline_name="hashlib.file_digest",
            goal=">= 0.9 x",
            passed=verify_rate >= 0.9 * base_rate,
            extra=extra,
        ),
        Result(
            f"bundle create ({items} items, {mb / 1000:.2f} GB, with PDF index)",
            mb / created(),
            "MB/s",
            extra={**extra, "seconds": created()},
        ),
    ]
