"""Local-disk backend: objects at `objects/ab/<sha256>`, read-only once written.

A write goes to a new file in `tmp/` (created read-only, written through the creating descriptor),
is made durable, then renamed into place. Large files are hashed while a second thread writes the
previous chunk; a small file is read, hashed and written with one call each. A crash leaves at most
a stray temporary file, which is never visible as an object and is swept on the next open.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import itertools
import os
import sys
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
WHOLE = 1024 * 1024  # files up to this size are read, hashed and written with one call each
SYNCFS_FILES = 32  # a batch of at least this many staged files is made durable with syncfs(2) ...
SYNCFS_BYTES = 256 * 1024 * 1024  # ... unless it holds more data than this (then one fsync per file)

Reader = Callable[[bytearray | memoryview], int]
Fill = Callable[[int], tuple[str, int, bytes]]


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_error(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the store's disk is full; nothing was stored"
    return f"store write failed: {exc.strerror}"


def _fsync_path(path: str) -> str:
    """fsync one file; the error text instead of raising, so a batch can report per file."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return ""
    except OSError as exc:
        return _write_error(exc)


def _load_syncfs() -> Callable[[int], int] | None:
    """libc's syncfs(2), or None where there is none (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        func: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    return func


_syncfs = _load_syncfs()


def _sync_filesystem(folder: str) -> str:
    """Flush the filesystem holding `folder`: one flush for a whole batch; the error text, or "".

    syncfs reports the writeback errors of the filesystem (Linux 5.8+), but names no file.
    """
    assert _syncfs is not None
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _syncfs(fd) != 0:
            return f"store write failed: {os.strerror(ctypes.get_errno())}"
        return ""
    finally:
        os.close(fd)


class LocalStore:
    """Content-addressed write-once store in a local folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.resolve().as_uri()
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        # Hot paths build names as strings: pathlib costs more than the system calls for small files.
        self._objects = str(self.objects)
        self._tmp = str(self.tmp)
        self._names = itertools.count()
        self._prefix = uuid.uuid4().hex[:12]  # temporaries: <prefix>-<n>.part, unique without a syscall
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hague-store-write")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._staged: dict[str, list[str]] = {}
        self._staged_bytes = 0
        # Contents whose publishing failed and that are still not stored: a later batch may have staged the
        # same content before the failure (its copy was merged into the failed one), so every publish reports
        # them until the content is stored.
        self._failed: dict[str, str] = {}
        self._folders: set[str] = set()  # object folders known to exist

    def _buffers(self) -> tuple[bytearray, bytearray]:
        """This thread's pair of chunk buffers, reused across writes (allocating 16 MiB per file is slow)."""
        pair: tuple[bytearray, bytearray] | None = getattr(self._local, "buffers", None)
        if pair is None:
            pair = (bytearray(CHUNK), bytearray(CHUNK))
            self._local.buffers = pair
        return pair

    def path_of(self, sha256: str) -> Path:
        """Where an object lives on disk."""
        return Path(self._object(check_digest(sha256)))

    def _object(self, sha256: str) -> str:
        return f"{self._objects}/{sha256[:2]}/{sha256}"  # 256 folders: few directory fsyncs per batch

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

    def _copy(self, read: Reader, fd: int) -> tuple[str, int, bytes]:
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

    def _commit(self, tmp: str, sha256: str) -> bool:
        final = self._object(sha256)
        if os.path.exists(final):
            os.unlink(tmp)
            return False
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(tmp, final)
        _fsync_dir(os.path.dirname(final))
        return True

    def _write(self, fill: Fill, staged: bool = False, new: bool = False) -> StoredBlob:
        """Write a temporary with `fill(fd)` -> (sha256, size, head), then stage it or make it durable.

        `new`: the caller has just seen that no object with this content is stored.
        """
        tmp = f"{self._tmp}/{self._prefix}-{next(self._names)}.part"
        try:
            # Read-only from creation (the creating descriptor may still write): no chmod before the rename.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
            try:
                sha256, size, head = fill(fd)
                if not staged:
                    os.fsync(fd)
            finally:
                os.close(fd)
            if staged:
                with self._lock:
                    self._staged.setdefault(sha256, []).append(tmp)
                    self._staged_bytes += size
                return StoredBlob(sha256, size, new or not os.path.exists(self._object(sha256)), head)
            created = self._commit(tmp, sha256)
            return StoredBlob(sha256, size, created, head)
        except OSError as exc:
            _unlink_quietly(tmp)
            raise StoreError(_write_error(exc)) from exc
        except BaseException:
            _unlink_quietly(tmp)
            raise

    def put_stream(self, stream: BinaryIO, expected_size: int | None = None) -> StoredBlob:
        """Store a stream; with `expected_size`, refuse a stream that ends early or runs long."""

        def fill(fd: int) -> tuple[str, int, bytes]:
            sha256, size, head = self._copy(stream.readinto, fd)  # type: ignore[attr-defined]
            if expected_size is not None and size != expected_size:
                raise IntakeError(f"expected {expected_size} bytes, received {size}; nothing was stored")
            return sha256, size, head

        return self._write(fill)

    def put_path(self, path: Path, *, staged: bool = False) -> StoredBlob:
        """Store a regular file, refusing one that changes while it is read.

        With `staged=True` the object stays invisible until `publish()` makes a whole batch durable at
        once (concurrent fsyncs share journal commits); `open` already reads it.
        """
        fd, before = open_regular_file(path)
        try:

            def read(buf: bytearray | memoryview) -> int:
                try:
                    return os.readv(fd, [buf])
                except OSError as exc:
                    raise IntakeError(f"cannot read {path.name!r}: {exc.strerror}", path=str(path)) from exc

            if before.st_size <= WHOLE:
                return self._put_whole(path, fd, before, read, staged)

            def fill(out: int) -> tuple[str, int, bytes]:
                sha256, size, head = self._copy(read, out)
                assert_unchanged(path, before, fd, size)
                return sha256, size, head

            return self._write(fill, staged)
        finally:
            os.close(fd)

    def _put_whole(self, path: Path, fd: int, before: os.stat_result, read: Reader, staged: bool) -> StoredBlob:
        """A small file: one read, one hash, one write, and no write at all if the content is stored."""
        buf = bytearray(before.st_size + 1)  # one byte more than expected: a file that grew is caught
        size = 0
        while size < len(buf):
            n = read(memoryview(buf)[size:])
            size += n
            if n == 0 or size == before.st_size:  # a short read of a regular file is its end
                break
        assert_unchanged(path, before, fd, size)
        data = memoryview(buf)[:size]
        sha256 = hashlib.sha256(data).hexdigest()
        head = bytes(data[:HEAD_BYTES])
        if os.path.exists(self._object(sha256)):  # published objects are complete and durable
            return StoredBlob(sha256, size, False, head)

        def fill(out: int) -> tuple[str, int, bytes]:
            _write_all(out, data)
            return sha256, size, head

        return self._write(fill, staged, new=True)

    def exists(self, sha256: str) -> bool:
        """True if stored."""
        return self.path_of(sha256).is_file()

    def publish(self) -> dict[str, str]:
        """Make every staged object durable and visible; returns {sha256: error} for contents that failed
        (in this call or an earlier one) and are still not stored.

        Contents are durable before the rename that makes them visible, and the renames are durable
        before this returns, so before the caller commits records that reference the objects.
        """
        with self._lock:
            staged, self._staged = self._staged, {}
            staged_bytes, self._staged_bytes = self._staged_bytes, 0
        failed = self._publish(staged, staged_bytes) if staged else {}
        with self._lock:
            for sha in staged:
                self._failed.pop(sha, None)
            self._failed.update(failed)
            self._failed = {sha: e for sha, e in self._failed.items() if not os.path.exists(self._object(sha))}
            return dict(self._failed)

    def _publish(self, staged: dict[str, list[str]], staged_bytes: int) -> dict[str, str]:
        keep = {sha: paths[0] for sha, paths in staged.items()}
        for paths in staged.values():
            for extra in paths[1:]:
                _unlink_quietly(extra)
        if _syncfs is not None and len(keep) >= SYNCFS_FILES and staged_bytes <= SYNCFS_BYTES:
            return self._publish_by_syncfs(keep)
        failed: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="hague-fsync") as pool:
            for sha, error in zip(keep, pool.map(_fsync_path, keep.values()), strict=True):
                if error:
                    failed[sha] = error
                    _unlink_quietly(keep[sha])
            folders = self._rename_into_place({sha: tmp for sha, tmp in keep.items() if sha not in failed})
            list(pool.map(_fsync_dir, folders))
        return failed

    def _publish_by_syncfs(self, keep: dict[str, str]) -> dict[str, str]:
        """Many small files: one filesystem flush for the contents, the renames, one more for the renames.

        A failed flush names no file (the error may be another writer's): then each file, and each
        folder, is synced alone to find what failed.
        """
        failed: dict[str, str] = {}
        if _sync_filesystem(self._tmp):
            for sha, tmp in keep.items():
                error = _fsync_path(tmp)
                if error:
                    failed[sha] = error
                    _unlink_quietly(tmp)
        folders = self._rename_into_place({sha: tmp for sha, tmp in keep.items() if sha not in failed})
        if _sync_filesystem(self._objects):
            for folder in folders:
                try:
                    _fsync_dir(folder)
                except OSError as exc:
                    # The renames may not be durable: refuse the batch (complete objects stay, unreferenced).
                    return {sha: _write_error(exc) for sha in keep}
        return failed

    def _rename_into_place(self, ready: dict[str, str]) -> set[str]:
        """Rename durable (read-only) temporaries to their object paths; the folders that changed."""
        folders: set[str] = set()
        for sha, tmp in ready.items():
            final = self._object(sha)
            if os.path.exists(final):
                _unlink_quietly(tmp)
                continue
            folder = os.path.dirname(final)
            if folder not in self._folders:
                if not os.path.isdir(folder):
                    os.makedirs(folder, exist_ok=True)
                    folders.add(self._objects)
                self._folders.add(folder)
            os.replace(tmp, final)
            folders.add(folder)
        return folders

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored object for reading (a staged one too)."""
        with self._lock:
            pending = self._staged.get(sha256)
        if pending:
            return open(pending[0], "rb")
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


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
