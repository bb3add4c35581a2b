"""The store's one-pass hash equals hashlib's for any content and any chunk boundary."""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hague.store import base
from hague.store.local import LocalStore


class Trickle(io.RawIOBase):
    """A stream that returns at most `step` bytes per read, to move chunk boundaries around."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        n = min(len(buf), self.step, len(self.data) - self.pos)
        buf[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3 * 1024 * 1024 // 2), st.integers(min_value=1, max_value=1 << 20))
def test_streamed_digest_matches_hashlib_whatever_the_read_sizes(data: bytes, step: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp))
        blob = store.put_stream(Trickle(data, step))  # type: ignore[arg-type]
        assert blob.sha256 == hashlib.sha256(data).hexdigest()
        assert blob.size == len(data)
        with store.open(blob.sha256) as fh:
            assert fh.read() == data


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=3).flatmap(lambda k: st.just(k * base.CHUNK)), st.integers(-2, 2))
def test_files_at_chunk_boundaries_hash_correctly(multiple: int, delta: int) -> None:
    size = max(0, multiple + delta)
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        path.write_bytes(data)
        blob = LocalStore(Path(tmp) / "s").put_path(path)
        assert blob.sha256 == hashlib.sha256(data).hexdigest()
