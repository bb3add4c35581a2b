"""Crash test: SIGKILL a process doing heavy appends at random moments; after each restart the log and the
records agree (verify finds nothing) and a new checkpoint is consistent with the last signed one."""

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
from hague.evidence import register
from hague.ledger.checkpoint import open_checkpoint
from hague.ledger.checkpoints import create_checkpoint, latest_checkpoint
from hague.ledger.fsck import verify
from hague.ledger.keys import generate_key, trusted_keys
from hague.ledger.tree import consistency_proof
from hague.ledger.verify_offline import verify_consistency
from hague.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(data_dir: Path, rng: random.Random) -> None:
    ready = data_dir / "ready"
    ready.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, "-m", "tests.ledger.crash_child", str(data_dir)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert child.poll() is None, "the child died on its own"
        time.sleep(rng.uniform(0.05, 1.5))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


@pytest.mark.slow
def test_sigkill_during_appends_leaves_log_and_records_consistent(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    hague = Hague.open(Settings(data_dir=data_dir))
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        register.create_case(unit, "OTP", "UKR", "Crash test")
    generate_key(hague)
    create_checkpoint(hague)
    hague.close()
    rng = random.Random(20)
    trials = int(os.environ.get("HAGUE_CRASH_TRIALS", "20"))
    for trial in range(trials):
        _run_and_kill(data_dir, rng)
        hague = Hague(Settings(data_dir=data_dir))
        try:
            with hague.reader() as session:
                last = latest_checkpoint(session)
                keys = trusted_keys(session)
            assert last is not None
            report = verify(hague, blobs=trial % 5 == 0)
            assert report.ok, f"trial {trial}: {report.findings}"
            new = create_checkpoint(hague, force=True)
            signed_old = open_checkpoint(last.note, keys, origin=hague.settings.log_origin).checkpoint
            signed_new = open_checkpoint(new.note, keys, origin=hague.settings.log_origin).checkpoint
            with hague.reader() as session:
                proof = consistency_proof(session, signed_old.size, signed_new.size)
            verify_consistency(signed_old.size, signed_new.size, signed_old.root, signed_new.root, proof)
        finally:
            hague.close()
    assert signed_new.size > 10 * trials  # the children really appended between kills
