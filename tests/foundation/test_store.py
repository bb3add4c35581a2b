"""The write-once store contract, on the local backend and on S3 (moto server on loopback)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from hague.errors import IntakeError, NotFound, StoreError
from hague.store import BlobStore, open_store
from hague.store.local import LocalStore


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    url = request.getfixturevalue("s3_url")
    endpoint = request.getfixturevalue("s3_endpoint")
    return open_store(url, endpoint_url=endpoint, access_key_id="test", secret_access_key="test")


def test_put_stream_returns_sha256_and_size(store: BlobStore) -> None:
    data = os.urandom(100_000)
    blob = store.put_stream(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.created


def test_stored_content_reads_back_identically(store: BlobStore) -> None:
    data = os.urandom(5 * 1024 * 1024 + 7)
    blob = store.put_stream(io.BytesIO(data))
    with store.open(blob.sha256) as fh:
        assert fh.read() == data
    assert store.size(blob.sha256) == len(data)


def test_identical_content_is_stored_once(store: BlobStore) -> None:
    first = store.put_stream(io.BytesIO(b"same bytes"))
    second = store.put_stream(io.BytesIO(b"same bytes"))
    assert first.sha256 == second.sha256
    assert not second.created
    assert list(store.iter_digests()) == [first.sha256]


def test_empty_content_is_stored(store: BlobStore) -> None:
    blob = store.put_stream(io.BytesIO(b""))
    assert blob.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.exists(blob.sha256)


def test_short_stream_against_expected_size_stores_nothing(store: BlobStore) -> None:
    with pytest.raises(IntakeError):
        store.put_stream(io.BytesIO(b"12345"), expected_size=10)
    assert list(store.iter_digests()) == []


def test_missing_object_is_not_found(store: BlobStore) -> None:
    with pytest.raises(NotFound):
        store.open("0" * 64)


def test_digest_that_is_not_hex_is_refused(store: BlobStore) -> None:
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_put_path_refuses_a_symlink(store: BlobStore, tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.write_bytes(b"x")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(IntakeError, match="link"):
        store.put_path(link)


def test_local_objects_are_read_only_on_disk(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    blob = store.put_stream(io.BytesIO(b"evidence"))
    mode = store.path_of(blob.sha256).stat().st_mode
    assert mode & 0o222 == 0


def test_local_failed_write_leaves_no_temporary(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")

    class Exploding(io.RawIOBase):
        def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
            raise OSError(5, "Input/output error")

    with pytest.raises(StoreError):
        store.put_stream(Exploding())  # type: ignore[arg-type]
    assert list((tmp_path / "store" / "tmp").iterdir()) == []
    assert list(store.iter_digests()) == []


def test_s3_store_keeps_objects_under_their_digest(s3_url: str, s3_endpoint: str) -> None:
    store = open_store(s3_url, endpoint_url=s3_endpoint)
    blob = store.put_stream(io.BytesIO(b"abc"))
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]  # type: ignore[attr-defined]
    assert keys == [f"evidence/sha256/{blob.sha256}"]


def test_sweep_removes_only_stale_temporaries(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    stale = store.tmp / "old.part"
    fresh = store.tmp / "running.part"
    stale.write_bytes(b"left by a crash")
    fresh.write_bytes(b"being written")
    os.utime(stale, (0, 0))
    assert store.sweep_temporary() == 1
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize("count", [3, 40])  # below and above the batch size flushed with one syncfs
def test_local_staged_small_files_publish_complete_read_only_and_leave_no_temporary(tmp_path: Path, count: int) -> None:
    from hague.store.local import SYNCFS_FILES

    assert 3 < SYNCFS_FILES <= 40
    store = LocalStore(tmp_path / "store")
    contents = [os.urandom(n * 37) for n in range(count)] + [b"twice", b"twice"]
    paths = []
    for n, data in enumerate(contents):
        paths.append(tmp_path / f"f{n}")
        paths[-1].write_bytes(data)
    blobs = [store.put_path(p, staged=True) for p in paths]
    assert list(store.iter_digests()) == []  # invisible until published
    with store.open(blobs[1].sha256) as fh:  # but readable
        assert fh.read() == contents[1]
    assert store.publish() == {}
    assert sorted(store.iter_digests()) == sorted({hashlib.sha256(c).hexdigest() for c in contents})
    for blob, data in zip(blobs, contents, strict=True):
        assert store.path_of(blob.sha256).stat().st_mode & 0o222 == 0
        with store.open(blob.sha256) as fh:
            assert fh.read() == data
    assert list(store.tmp.iterdir()) == []


def test_local_small_file_already_stored_is_not_written_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    (tmp_path / "a").write_bytes(b"evidence")
    first = store.put_path(tmp_path / "a")
    again = store.put_path(tmp_path / "a", staged=True)
    assert first.created and not again.created and again.sha256 == first.sha256
    assert again.head == b"evidence"
    assert list(store.tmp.iterdir()) == []
    assert store.publish() == {}


def _lose_staged_temporaries(store: LocalStore) -> None:
    """A real publish failure: the staged temporaries vanish before they are synced (fsync cannot open them)."""
    for part in store.tmp.iterdir():
        os.chmod(part, 0o644)
        part.unlink()


def test_a_failed_content_is_reported_to_the_next_batch_that_merged_into_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    for name in ("a", "b"):  # the same content, staged for two batches before the first one publishes
        (tmp_path / name).write_bytes(b"same evidence")
    first = store.put_path(tmp_path / "a", staged=True)
    store.put_path(tmp_path / "b", staged=True)
    _lose_staged_temporaries(store)
    assert first.sha256 in store.publish()
    assert first.sha256 in store.publish()  # the second batch's copy was merged into the failed one
    assert not store.exists(first.sha256)


def test_a_failed_content_stored_again_is_no_longer_reported(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    (tmp_path / "a").write_bytes(b"same evidence")
    blob = store.put_path(tmp_path / "a", staged=True)
    _lose_staged_temporaries(store)
    assert blob.sha256 in store.publish()
    store.put_path(tmp_path / "a", staged=True)
    assert store.publish() == {}
    assert store.exists(blob.sha256)
