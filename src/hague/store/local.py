"""Local-disk backend: objects at `objects/ab/<sha256>`, read-only once written.

A write streams into `tmp/`, hashing in the same pass while a second thread writes the previous
chunk, then fsyncs and renames into place. A crash leaves at most a stray temporary file, which is
never visible as an object and is swept on the next open.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from hague.errors import IntakeError, NotFound, StoreError
from hague.store.base import CHUNK, HEAD_BYTES, StoredBlob, assert_unchanged, check_digest, open_regular_file

SMALL = 256 * 1024


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_path(path: Path) -> str:
    """fsync one file; the error text instead of raising, so a batch can report per file."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return ""
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the store's disk is full; nothing was stored"
        return f"store write failed: {exc.strerror}"


class LocalStore:
    """Content-addressed write-once store in a local folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.resolve().as_uri()
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hague-store-write")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._staged: dict[str, list[Path]] = {}

    def _buffers(self) -> tuple[bytearray, bytearray]:
        """This thread's pair of chunk buffers, reused across writes (allocating 16 MiB per file is slow)."""
        pair: tuple[bytearray, bytearray] | None = getattr(self._local, "buffers", None)
        if pair is None:
            pair = (bytearray(CHUNK), bytearray(CHUNK))
            self._local.buffers = pair
        return pair

    def path_of(self, sha256: str) -> Path:
        """Where an object lives on disk."""
        check_digest(sha256)
        return self.objects / sha256[:2] / sha256  # 256 folders: few directory fsyncs per batch

    def sweep_temporary(self, older_than: float = 24 * 3600) -> int:
        """Remove temporaries a crashed write left behind (never visible objects).

        Only those untouched for `older_than` seconds: a younger one may belong to a running intake.
        """
        cutoff = time.time() - older_than
        removed = 0
        for leftover in self.tmp.glob("*.part"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def _copy(self, read: Callable[[bytearray], int], fd: int) -> tuple[str, int, bytes]:
        """Read once; hash each chunk here while the writer thread writes it (double-buffered, no copies)."""
        digest = hashlib.sha256()
        total = 0
        buffers = self._buffers()
        pending: Future[None] | None = None
        turn = 0
        head = b""
        while True:
            buf = buffers[turn]
            n = read(buf)  # the other buffer may still be being written: that is the overlap
            if not n:
                break
            view = memoryview(buf)[:n]
            if len(head) < HEAD_BYTES:
                head += bytes(view[: HEAD_BYTES - len(head)])
            if pending is not None:
                pending.result()
            if n >= SMALL:
                pending = self._writer.submit(_write_all, fd, view)
                digest.update(view)
            else:
                pending = None
                digest.update(view)
                _write_all(fd, view)
            total += n
            turn ^= 1
        if pending is not None:
            pending.result()
        return digest.hexdigest(), total, head

    def _commit(self, tmp: Path, sha256: str) -> bool:
        final = self.path_of(sha256)
        if final.exists():
            tmp.unlink(missing_ok=True)
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return True

    def _write(
        self, read: Callable[[bytearray], int], on_done: Callable[[int], None] | None = None, staged: bool = False
    ) -> StoredBlob:
        tmp = self.tmp / f"{uuid.uuid4().hex}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                sha256, size, head = self._copy(read, fd)
                if on_done is not None:
                    on_done(size)
                if not staged:
                    os.fsync(fd)
            finally:
                os.close(fd)
            if staged:
                with self._lock:
                    self._staged.setdefault(sha256, []).append(tmp)
                return StoredBlob(sha256, size, not self.path_of(sha256).exists(), head)
            created = self._commit(tmp, sha256)
            return StoredBlob(sha256, size, created, head)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError("the store's disk is full; nothing was stored") from exc
            raise StoreError(f"store write failed: {exc.strerror}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_stream(self, stream: BinaryIO, expected_size: int | None = None) -> StoredBlob:
        """Store a stream; with `expected_size`, refuse a stream that ends early or runs long."""

        def check(size: int) -> None:
            if expected_size is not None and size != expected_size:
                raise IntakeError(f"expected {expected_size} bytes, received {size}; nothing was stored")

        return self._write(stream.readinto, check)  # type: ignore[attr-defined]

    def put_path(self, path: Path, *, staged: bool = False) -> StoredBlob:
        """Store a regular file, refusing one that changes while it is read.

        With `staged=True` the object stays invisible until `publish()` makes a whole batch durable at
        once (concurrent fsyncs share journal commits); `open` already reads it.
        """
        fd, before = open_regular_file(path)
        try:

            def read(buf: bytearray) -> int:
                try:
                    return os.readv(fd, [buf])
                except OSError as exc:
                    raise IntakeError(f"cannot read {path.name!r}: {exc.strerror}", path=str(path)) from exc

            return self._write(read, lambda size: assert_unchanged(path, before, fd, size), staged)
        finally:
            os.close(fd)

    def exists(self, sha256: str) -> bool:
        """True if stored."""
        return self.path_of(sha256).is_file()

    def publish(self) -> dict[str, str]:
        """Make every staged object durable and visible; returns {sha256: error} for those that failed."""
        with self._lock:
            staged, self._staged = self._staged, {}
        if not staged:
            return {}
        failed: dict[str, str] = {}
        keep = {sha: paths[0] for sha, paths in staged.items()}
        for paths in staged.values():
            for extra in paths[1:]:
                extra.unlink(missing_ok=True)
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="hague-fsync") as pool:
            for sha, error in zip(keep, pool.map(_fsync_path, keep.values()), strict=True):
                if error:
                    failed[sha] = error
                    keep[sha].unlink(missing_ok=True)
            parents: set[Path] = set()
            for sha, tmp in keep.items():
                if sha in failed:
                    continue
                final = self.path_of(sha)
                if final.exists():
                    tmp.unlink(missing_ok=True)
                    continue
                if not final.parent.exists():
                    final.parent.mkdir(exist_ok=True)
                    parents.add(final.parent.parent)
                os.chmod(tmp, 0o444)
                os.replace(tmp, final)
                parents.add(final.parent)
            list(pool.map(_fsync_dir, parents))
        return failed

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored object for reading (a staged one too)."""
        with self._lock:
            pending = self._staged.get(sha256)
        if pending:
            return pending[0].open("rb")
        try:
            return self.path_of(sha256).open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"no stored object {sha256}") from exc

    def size(self, sha256: str) -> int:
        """Stored size."""
        try:
            return self.path_of(sha256).stat().st_size
        except FileNotFoundError as exc:
            raise NotFound(f"no stored object {sha256}") from exc

    def iter_digests(self) -> Iterator[str]:
        """Every stored digest."""
        for path in self.objects.glob("*/*"):
            if path.is_file():
                yield path.name
