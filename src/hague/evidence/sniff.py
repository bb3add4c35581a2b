"""MIME type sniffed from content (libmagic), never from the file name."""

from __future__ import annotations

import threading

import magic

HEAD = 64 * 1024

_local = threading.local()


def _magic() -> magic.Magic:
    """This thread's libmagic handle: the shared one behind `magic.from_buffer` serialises every caller."""
    handle: magic.Magic | None = getattr(_local, "handle", None)
    if handle is None:
        handle = _local.handle = magic.Magic(mime=True)
    return handle


def sniff_mime(head: bytes) -> str:
    """The MIME type libmagic reads in the first bytes; empty content is `application/x-empty`."""
    if not head:
        return "application/x-empty"
    try:
        return str(_magic().from_buffer(head)) or "application/octet-stream"
    except magic.MagicException:
        return "application/octet-stream"
