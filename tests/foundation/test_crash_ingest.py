"""Kill `hague ingest` with SIGKILL at random moments: the store and database stay consistent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hague.core import Hague
from hague.evidence.ingest import ingest
from hague.settings import Settings
from tests.support.consistency import assert_consistent

TRIALS = 20


def _files(folder: Path, rng: random.Random) -> int:
    folder.mkdir()
    count = 0
    for n in range(120):
        size = rng.choice([0, 100, 5_000, 60_000]) if n % 30 else 12 * 1024 * 1024
        (folder / f"f{n:04d}.bin").write_bytes(rng.randbytes(size))
        count += 1
    return count


def _wait_for_intake_to_start(store: Path, proc: subprocess.Popen[bytes]) -> None:
    """Block until the child is writing objects (so the kill lands in intake, not in start-up)."""
    tmp = store / "tmp"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        if tmp.exists() and any(tmp.iterdir()):
            return
        time.sleep(0.005)


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_a_consistent_store_and_rerun_completes(
    hague: Hague, case_code: str, settings: Settings, tmp_path: Path
) -> None:
    rng = random.Random(20221)
    folder = tmp_path / "evidence"
    total = _files(folder, rng)
    env = {
        **os.environ,
        "HAGUE_DATA_DIR": str(settings.data_dir),
        "HAGUE_DATABASE_URL": settings.resolved_database_url,
    }
    killed_mid_run = 0
    for trial in range(TRIALS):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hague.cli.main",
                "ingest",
                case_code,
                str(folder),
                "--manifest",
                str(tmp_path / f"m{trial}.csv"),
                "--json",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_intake_to_start(settings.data_dir / "store", proc)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            killed_mid_run += 1
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_consistent(hague)
        if trial % 4 == 3:
            # Start over from an empty case now and then, so later kills land mid-intake again.
            with hague.unit() as unit:
                from hague.evidence import register

                case_code = register.create_case(unit, "OTP", "UKR", f"trial {trial}").code
    assert killed_mid_run >= TRIALS // 2, "kills must land while intake is running"
    rows = ingest(hague, case_code, [folder])
    assert len(rows) == total and all(r.status in ("registered", "existing") for r in rows)
    assert_consistent(hague)
