"""Memory: intake streams, so a 5 GiB file keeps the process's peak RSS under 200 MB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hague.core import Hague
from hague.settings import Settings

FIVE_GIB = 5 * 1024**3
LIMIT_BYTES = 200 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # streaming is the store's, not the DB's
def test_ingesting_a_5_gib_file_keeps_peak_rss_under_200_mb(
    hague: Hague, case_code: str, settings: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "disk-image.dd"
    with big.open("wb") as fh:  # sparse: reads as zeros without using the disk
        fh.truncate(FIVE_GIB)
    env = {**os.environ, "HAGUE_DATA_DIR": str(settings.data_dir), "HAGUE_DATABASE_URL": settings.resolved_database_url}
    peak_file = tmp_path / "peak.txt"
    # VmHWM of the process's own address space: ru_maxrss would also count the (large) pytest worker
    # the child was forked from before it exec'd.
    wrapper = (
        "import atexit, sys\n"
        "def report():\n"
        "    hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0].split()[1]\n"
        f"    open({str(peak_file)!r}, 'w').write(hwm)\n"
        "atexit.register(report)\n"
        "from hague.cli.main import app\n"
        "sys.argv = ['hague', *sys.argv[1:]]\n"
        "app()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, "ingest", case_code, str(big), "--manifest", str(tmp_path / "m.csv"), "--json"],
        env=env,
        capture_output=True,
        timeout=900,
    )
    out = proc.stdout
    assert proc.returncode == 0, (out + proc.stderr)[-800:]
    peak = int(peak_file.read_text()) * 1024
    assert peak < LIMIT_BYTES, f"peak RSS {peak / 1e6:.0f} MB"
    assert b'"registered": 1' in out
    assert SHA256_OF_5_GIB_ZEROS.encode() in out


# Computed independently with hashlib over 320 chunks of 16 MiB of zeros.
SHA256_OF_5_GIB_ZEROS = "7f06c62352aebd8125b2a1841e2b9e1ffcbed602f381c3dcb3200200e383d1d5"
