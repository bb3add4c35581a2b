"""The write-once, content-addressed blob store (SHA-256), local or S3-compatible."""

from hague.store.base import BlobStore, StoredBlob, open_store

__all__ = ["BlobStore", "StoredBlob", "open_store"]
