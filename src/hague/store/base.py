"""What every blob store promises: content addressed by SHA-256, written once, never overwritten.

Objects become visible only complete (temporary name, fsync, atomic rename or server-side copy);
normal operation never deletes or replaces one.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from hague.errors import ConfigurationError, IntakeError

CHUNK = 8 * 1024 * 1024
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredBlob:
    """The result of a write: the content's SHA-256 (hex), its size, and whether it was new."""

    sha256: str
    size: int
    created: bool
    head: bytes = field(default=b"", repr=False)  # the first bytes read, for content sniffing without a re-read


HEAD_BYTES = 16 * 1024


def check_digest(sha256: str) -> str:
    """Refuse anything that is not a lowercase SHA-256 hex digest (it is used to build keys)."""
    if not SHA256_HEX.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return sha256


class BlobStore(Protocol):
    """The contract both backends honour."""

    url: str

    def put_stream(self, stream: BinaryIO, expected_size: int | None = None) -> StoredBlob:
        """Store everything read from `stream`, hashing in the same pass."""

    def put_path(self, path: Path, *, staged: bool = False) -> StoredBlob:
        """Store a regular file; refuse symlinks, devices and files that change while read.

        `staged=True` allows a backend to defer durability to `publish()` (callers MUST call it).
        """

    def publish(self) -> dict[str, str]:
        """Make staged objects durable and visible; {sha256: error} for failures."""

    def exists(self, sha256: str) -> bool:
        """True if an object with this digest is stored."""

    def open(self, sha256: str) -> BinaryIO:
        """A binary reader of the stored object."""

    def size(self, sha256: str) -> int:
        """Stored size in bytes."""

    def iter_digests(self) -> Iterator[str]:
        """Every stored digest (for fixity checks)."""


def open_regular_file(path: Path) -> tuple[int, os.stat_result]:
    """Open `path` for reading without following a final symlink; it MUST be a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise IntakeError(f"cannot open {path.name!r}: {exc.strerror}", path=str(path)) from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise IntakeError(f"{path.name!r} is not a regular file", path=str(path))
    return fd, st


def assert_unchanged(path: Path, before: os.stat_result, fd: int, read: int) -> None:
    """Refuse a file whose size or modification time changed while it was being read."""
    after = os.fstat(fd)
    if read != before.st_size or after.st_size != before.st_size or after.st_mtime_ns != before.st_mtime_ns:
        raise IntakeError(
            f"{path.name!r} changed while being read ({before.st_size} bytes before, {read} read, "
            f"{after.st_size} after); nothing was stored",
            path=str(path),
        )


def sha256_file(path: Path) -> str:
    """SHA-256 hex of a file, with the kernel-friendly `hashlib.file_digest`."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def open_store(url: str, **s3_options: str | None) -> BlobStore:
    """The store for a `file://` or `s3://` URL."""
    if url.startswith("file://"):
        from hague.store.local import LocalStore

        return LocalStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from hague.store.s3 import S3Store

        return S3Store(url, **s3_options)
    raise ConfigurationError(f"unsupported store URL scheme: {url.split(':', 1)[0]!r}")
