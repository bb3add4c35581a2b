"""S3-compatible backend: objects at `<prefix>/sha256/<digest>`, written once via a temporary key.

The upload streams as a multipart upload to `<prefix>/incoming/<uuid>` while hashing; then, if no object
with that digest exists, a server-side copy publishes it under its digest and the temporary key is
removed. An interrupted upload is aborted, and never visible under a digest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from hague.errors import IntakeError, NotFound, StoreError
from hague.store.base import StoredBlob, assert_unchanged, check_digest, open_regular_file

PART = 16 * 1024 * 1024


class S3Store:
    """Content-addressed write-once store in an S3 bucket (AWS, MinIO, Ceph, moto)."""

    def __init__(
        self,
        url: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        parsed = urlparse(url)
        self.url = url
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"}),
        )

    def _key(self, sha256: str) -> str:
        check_digest(sha256)
        return f"{self.prefix}/sha256/{sha256}" if self.prefix else f"sha256/{sha256}"

    def _upload(self, read: Callable[[int], bytes], on_done: Callable[[int], None] | None) -> StoredBlob:
        tmp_key = f"{self.prefix}/incoming/{uuid.uuid4().hex}".lstrip("/")
        digest = hashlib.sha256()
        total = 0
        try:
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=tmp_key)["UploadId"]
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 store unavailable: {exc}") from exc
        parts: list[dict[str, Any]] = []
        try:
            while True:
                chunk = read(PART)
                if not chunk and parts:
                    break
                digest.update(chunk)
                total += len(chunk)
                number = len(parts) + 1
                etag = self.client.upload_part(
                    Bucket=self.bucket, Key=tmp_key, UploadId=upload_id, PartNumber=number, Body=chunk
                )["ETag"]
                parts.append({"ETag": etag, "PartNumber": number})
                if len(chunk) < PART:
                    break
            if on_done is not None:
                on_done(total)
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=tmp_key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException as exc:
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=tmp_key, UploadId=upload_id)
            if isinstance(exc, ClientError | BotoCoreError):
                raise StoreError(f"S3 upload failed: {exc}") from exc
            raise
        sha256 = digest.hexdigest()
        try:
            created = not self.exists(sha256)
            if created:
                self.client.copy(
                    {"Bucket": self.bucket, "Key": tmp_key},
                    self.bucket,
                    self._key(sha256),
                    ExtraArgs={"Metadata": {"sha256": sha256}, "MetadataDirective": "REPLACE"},
                )
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 publish failed: {exc}") from exc
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=tmp_key)
        return StoredBlob(sha256, total, created)

    def put_stream(self, stream: BinaryIO, expected_size: int | None = None) -> StoredBlob:
        """Store a stream; with `expected_size`, refuse a stream that ends early or runs long."""

        def check(size: int) -> None:
            if expected_size is not None and size != expected_size:
                raise IntakeError(f"expected {expected_size} bytes, received {size}; nothing was stored")

        def read(n: int) -> bytes:
            return _read_full(stream.read, n)

        return self._upload(read, check)

    def put_path(self, path: Path, *, staged: bool = False) -> StoredBlob:
        """Store a regular file, refusing one that changes while it is read (S3 objects are durable at once)."""
        fd, before = open_regular_file(path)
        try:
            return self._upload(
                lambda n: _read_full(lambda k: os.read(fd, k), n),
                lambda size: assert_unchanged(path, before, fd, size),
            )
        finally:
            os.close(fd)

    def publish(self) -> dict[str, str]:
        """Nothing to do: an S3 object is durable and visible when its upload completes."""
        return {}

    def exists(self, sha256: str) -> bool:
        """True if stored."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StoreError(f"S3 store unavailable: {exc}") from exc

    def open(self, sha256: str) -> BinaryIO:
        """A streaming reader of a stored object."""
        try:
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
            return body
        except ClientError as exc:
            raise NotFound(f"no stored object {sha256}") from exc

    def size(self, sha256: str) -> int:
        """Stored size."""
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))["ContentLength"])
        except ClientError as exc:
            raise NotFound(f"no stored object {sha256}") from exc

    def iter_digests(self) -> Iterator[str]:
        """Every stored digest."""
        prefix = f"{self.prefix}/sha256/" if self.prefix else "sha256/"
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"].rsplit("/", 1)[-1]


def _read_full(read: Callable[[int], bytes], n: int) -> bytes:
    """Read exactly `n` bytes unless the stream ends first."""
    chunks: list[bytes] = []
    remaining = n
    while remaining:
        chunk = read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
