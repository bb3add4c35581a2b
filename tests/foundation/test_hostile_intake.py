"""Hostile intake: each bad input gets a clear error naming the file, and nothing half-written is visible."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hague.core import Hague
from hague.errors import IntakeError, StoreError
from hague.evidence.ingest import ingest
from hague.evidence.models import Item
from hague.settings import Settings
from hague.store.local import LocalStore
from tests.support.consistency import assert_consistent

ROOT = os.geteuid() == 0


def _grow_when_reading_starts(path: Path, store_tmp: Path, stop: threading.Event) -> None:
    while not stop.is_set():
        if store_tmp.exists() and any(store_tmp.iterdir()):
            with path.open("ab") as fh:
                fh.write(b"appended while being read")
            return
        time.sleep(0.0005)


def test_file_that_grows_while_read_is_refused_and_nothing_stored(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    victim = tmp_path / "growing.bin"
    victim.write_bytes(os.urandom(256 * 1024 * 1024))
    stop = threading.Event()
    writer = threading.Thread(target=_grow_when_reading_starts, args=(victim, store.tmp, stop))
    writer.start()
    try:
        with pytest.raises(IntakeError, match=r"'growing.bin' changed while being read"):
            store.put_path(victim)
    finally:
        stop.set()
        writer.join()
    assert list(store.iter_digests()) == []
    assert list(store.tmp.iterdir()) == []


def test_file_that_shrinks_while_read_is_refused(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    victim = tmp_path / "shrinking.bin"
    victim.write_bytes(os.urandom(256 * 1024 * 1024))
    stop = threading.Event()

    def shrink() -> None:
        while not stop.is_set():
            if any(store.tmp.iterdir()):
                os.truncate(victim, 1024)
                return
            time.sleep(0.0005)

    worker = threading.Thread(target=shrink)
    worker.start()
    try:
        with pytest.raises(IntakeError, match=r"shrinking\.bin"):
            store.put_path(victim)
    finally:
        stop.set()
        worker.join()
    assert list(store.iter_digests()) == []


def test_fifo_is_reported_as_not_a_regular_file(hague: Hague, case_code: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (row,) = ingest(hague, case_code, [fifo])
    assert (row.status, row.error) == ("failed", "is not a regular file")


@contextlib.contextmanager
def _tiny_tmpfs(size: str) -> Iterator[Path]:
    mountpoint = Path(tempfile.mkdtemp(prefix="hague-full-"))
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)], check=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
        mountpoint.rmdir()


@pytest.mark.skipif(not ROOT and os.environ.get("CI") != "true", reason="mounting a tmpfs needs root")
def test_full_disk_is_a_clear_error_and_leaves_nothing_half_written(
    settings: Settings, case_code: str, hague: Hague, tmp_path: Path
) -> None:
    with _tiny_tmpfs("2m") as mountpoint:
        # One intake worker stores the small file first. With two, the big file could fill the disk before the small
        # one's first page was written, and then both fail (rightly, but then this test cannot tell which is which).
        full = Hague(
            settings.model_copy(update={"store_url": mountpoint.as_uri(), "ingest_workers": 1}), engine=hague.engine
        )
        (tmp_path / "small.txt").write_text("fits")
        (tmp_path / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
        rows = {Path(r.path).name: r for r in ingest(full, case_code, [tmp_path / "small.txt", tmp_path / "big.bin"])}
        assert rows["small.txt"].status == "registered", rows["small.txt"].error
        assert rows["big.bin"].status == "failed" and "disk is full" in rows["big.bin"].error
        assert list((mountpoint / "tmp").iterdir()) == []
        assert_consistent(full)
        with pytest.raises(StoreError, match="disk is full"):
            full.store.put_path(tmp_path / "big.bin")


CHILD = """
import json, os, shutil, sys
from pathlib import Path
from hague.core import Hague
from hague.evidence import register
from hague.evidence.ingest import ingest
from hague.settings import Settings

work, evidence = Path(sys.argv[1]), Path(sys.argv[2])
instance = Hague.open(Settings(data_dir=work / "data"))  # imports and migrates as root
instance.close()
for root, dirs, files in os.walk(work / "data"):
    for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
        shutil.chown(name, "nobody", "nogroup")
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
instance = Hague(Settings(data_dir=work / "data"))
with instance.unit() as unit:
    register.create_organisation(unit, "OTP", "Office")
    code = register.create_case(unit, "OTP", "UKR", "Test").code
print(json.dumps([r.__dict__ for r in ingest(instance, code, [evidence])]))
"""


def _ingest_as_nobody(work: Path, evidence: Path) -> list[dict[str, str]]:
    """A fresh interpreter loads Hague as root, then drops to uid/gid nobody and ingests."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(work), str(evidence)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"the unprivileged child failed: {done.stderr[-2000:]}"
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.skipif(not ROOT, reason="needs root to drop to an unprivileged user; see test_ingest.py otherwise")
def test_unreadable_file_is_named_and_the_rest_of_the_batch_completes() -> None:
    work = Path(tempfile.mkdtemp(prefix="hague-unpriv-"))
    try:
        evidence = work / "evidence"
        evidence.mkdir()
        (evidence / "readable.txt").write_text("ok")
        secret = evidence / "locked.txt"
        secret.write_text("no access")
        secret.chmod(0)
        (work / "data").mkdir()
        for path in (work, work / "data"):
            shutil.chown(path, "nobody", "nogroup")
        rows = {Path(r["path"]).name: r for r in _ingest_as_nobody(work, evidence)}
        assert rows["readable.txt"]["status"] == "registered"
        assert rows["locked.txt"]["status"] == "failed"
        assert "locked.txt" in rows["locked.txt"]["error"] and "Permission denied" in rows["locked.txt"]["error"]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_nothing_is_registered_for_a_path_that_does_not_exist(hague: Hague, case_code: str, tmp_path: Path) -> None:
    (row,) = ingest(hague, case_code, [tmp_path / "missing.jpg"])
    assert row.status == "failed" and "No such file" in row.error and "missing.jpg" in row.path
    with hague.reader() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 0
